; Java units. Capture names are unit kinds; @name is the definition's name.
(class_declaration name: (identifier) @name) @class
(interface_declaration name: (identifier) @name) @interface
(enum_declaration name: (identifier) @name) @enum
(record_declaration name: (identifier) @name) @class
(annotation_type_declaration name: (identifier) @name) @interface
(method_declaration name: (identifier) @name) @method
(constructor_declaration name: (identifier) @name) @method
(compact_constructor_declaration name: (identifier) @name) @method

; Initialised fields: `static final` ones are constants (earlier pattern wins).
(field_declaration (modifiers "static" "final")
  declarator: (variable_declarator name: (identifier) @name value: (_))) @const
(field_declaration declarator: (variable_declarator name: (identifier) @name value: (_))) @field
(interface_body (constant_declaration declarator: (variable_declarator name: (identifier) @name)) @const)

; Context and prose.
(program (import_declaration) @import)
(line_comment) @comment
(block_comment) @comment
(string_literal) @string
