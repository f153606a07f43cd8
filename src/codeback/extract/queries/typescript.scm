; TypeScript and TSX units. Capture names are unit kinds; @name is the definition's name.
(function_declaration name: (identifier) @name) @function
(generator_function_declaration name: (identifier) @name) @function
(function_signature name: (identifier) @name) @function
(class_declaration name: (type_identifier) @name) @class
(abstract_class_declaration name: (type_identifier) @name) @class
(interface_declaration name: (type_identifier) @name) @interface
(enum_declaration name: (identifier) @name) @enum
(type_alias_declaration name: (type_identifier) @name) @type
(internal_module name: (_) @name) @module
(method_definition name: (_) @name) @method
(abstract_method_signature name: (_) @name) @method
(public_field_definition name: (_) @name value: (_)) @field

; Top-level `const f = () => ...` is a function; `const X = <literal>` a constant.
(program (lexical_declaration (variable_declarator name: (identifier) @name
  value: [(arrow_function) (function_expression)])) @function)
(export_statement (lexical_declaration (variable_declarator name: (identifier) @name
  value: [(arrow_function) (function_expression)])) @function)
(program (lexical_declaration (variable_declarator name: (identifier) @name
  value: [(array) (object) (number) (string) (template_string) (true) (false) (null)
          (unary_expression) (binary_expression) (as_expression) (satisfies_expression)])) @const)
(export_statement (lexical_declaration (variable_declarator name: (identifier) @name
  value: [(array) (object) (number) (string) (template_string) (true) (false) (null)
          (unary_expression) (binary_expression) (as_expression) (satisfies_expression)])) @const)

; `Foo.prototype.bar = function`, `exports.f = ...`: js_assigned.scm, read after this file.

; Context and prose.
(program (import_statement) @import)
(comment) @comment
(string) @string
(template_string) @string
