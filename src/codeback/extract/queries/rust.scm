; Rust units. Capture names are unit kinds; @name is the definition's name.
(function_item name: (identifier) @name) @function
(function_signature_item name: (identifier) @name) @function
(impl_item) @impl
(struct_item name: (type_identifier) @name) @struct
(enum_item name: (type_identifier) @name) @enum
(union_item name: (type_identifier) @name) @struct
(type_item name: (type_identifier) @name) @type
(const_item name: (identifier) @name) @const
(static_item name: (identifier) @name) @static
(trait_item name: (type_identifier) @name) @trait
(macro_definition name: (identifier) @name) @macro
(mod_item name: (identifier) @name) @module

; Context and prose.
(source_file (use_declaration) @import)
(line_comment) @comment
(block_comment) @comment
(string_literal) @string
(raw_string_literal) @string

; A literal list bound inside a function (a schedule written out in place) is a complete
; statement a focused example can stand on, even when the function around it is long.
(let_declaration pattern: (identifier) @name value: (array_expression)) @let
