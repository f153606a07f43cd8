; Go units. Capture names are unit kinds; @name is the definition's name.
(function_declaration name: (identifier) @name) @function
(method_declaration name: (field_identifier) @name) @method
(type_spec name: (type_identifier) @name type: (struct_type)) @struct
(type_spec name: (type_identifier) @name type: (interface_type)) @interface
(type_spec name: (type_identifier) @name) @type
(type_alias name: (type_identifier) @name) @type
(source_file (const_declaration (const_spec name: (identifier) @name) @const))
(source_file (var_declaration (var_spec name: (identifier) @name) @var))
(source_file (var_declaration (var_spec_list (var_spec name: (identifier) @name) @var)))

; Context and prose.
(source_file (import_declaration) @import)
(comment) @comment
(interpreted_string_literal) @string
(raw_string_literal) @string
