; TOML: every key is a unit of kind "config"; tables qualify their keys' names.
(table [(bare_key) (dotted_key) (quoted_key)] @name) @table
(table_array_element [(bare_key) (dotted_key) (quoted_key)] @name) @table
(pair . (_) @name) @config

(comment) @comment
(string) @string
