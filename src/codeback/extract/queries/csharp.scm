; C# units. Capture names are unit kinds; @name is the definition's name. Namespaces are not
; captured: members are named Class.Member, as in the other class-based languages.
(class_declaration name: (identifier) @name) @class
(struct_declaration name: (identifier) @name) @struct
(interface_declaration name: (identifier) @name) @interface
(enum_declaration name: (identifier) @name) @enum
(record_declaration name: (identifier) @name) @class
(delegate_declaration name: (identifier) @name) @type
(method_declaration name: (identifier) @name) @method
(constructor_declaration name: (identifier) @name) @method
(local_function_statement name: (identifier) @name) @function

; Initialised fields and properties; `const` fields are constants (earlier pattern wins).
(field_declaration (modifier "const")
  (variable_declaration (variable_declarator name: (identifier) @name "="))) @const
(field_declaration (variable_declaration (variable_declarator name: (identifier) @name "="))) @field
(property_declaration name: (identifier) @name value: (_)) @field

; Context and prose.
(compilation_unit (using_directive) @import)
(namespace_declaration body: (declaration_list (using_directive) @import))
(comment) @comment
(string_literal) @string
(verbatim_string_literal) @string
(raw_string_literal) @string
