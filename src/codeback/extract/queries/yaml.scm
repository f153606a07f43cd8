; YAML: a key holding a mapping is a section (it qualifies the keys inside); any other key
; (scalar, sequence) is a unit of kind "config". The earlier pattern wins for a section.
(block_mapping_pair key: (_) @name value: (block_node (block_mapping))) @section
(block_mapping_pair key: (_) @name value: (flow_node (flow_mapping))) @section
(block_mapping_pair key: (_) @name) @config
(flow_pair key: (_) @name) @config

(comment) @comment
(double_quote_scalar) @string
(single_quote_scalar) @string
(block_scalar) @string
