; JavaScript (.js/.mjs/.cjs/.jsx) units. Capture names are unit kinds; @name is the name.
(function_declaration name: (identifier) @name) @function
(generator_function_declaration name: (identifier) @name) @function
(class_declaration name: (identifier) @name) @class
(method_definition name: (_) @name) @method
(field_definition property: (_) @name value: (_)) @field

; Top-level `const f = () => ...` is a function; `const X = <literal>` a constant.
(program (lexical_declaration (variable_declarator name: (identifier) @name
  value: [(arrow_function) (function_expression)])) @function)
(program (variable_declaration (variable_declarator name: (identifier) @name
  value: [(arrow_function) (function_expression)])) @function)
(export_statement (lexical_declaration (variable_declarator name: (identifier) @name
  value: [(arrow_function) (function_expression)])) @function)
(export_statement (variable_declaration (variable_declarator name: (identifier) @name
  value: [(arrow_function) (function_expression)])) @function)
(program (lexical_declaration (variable_declarator name: (identifier) @name
  value: [(array) (object) (number) (string) (template_string) (true) (false) (null)
          (unary_expression) (binary_expression)])) @const)
(program (variable_declaration (variable_declarator name: (identifier) @name
  value: [(array) (object) (number) (string) (template_string) (true) (false) (null)
          (unary_expression) (binary_expression)])) @const)
(export_statement (lexical_declaration (variable_declarator name: (identifier) @name
  value: [(array) (object) (number) (string) (template_string) (true) (false) (null)
          (unary_expression) (binary_expression)])) @const)
(export_statement (variable_declaration (variable_declarator name: (identifier) @name
  value: [(array) (object) (number) (string) (template_string) (true) (false) (null)
          (unary_expression) (binary_expression)])) @const)

; `Foo.prototype.bar = function`, `exports.f = ...`: js_assigned.scm, read after this file.

; Context and prose: ES imports and top-level `require` calls.
(program (import_statement) @import)
(program (lexical_declaration (variable_declarator
  value: (call_expression function: (identifier) @_req (#eq? @_req "require")))) @import)
(comment) @comment
(string) @string
(template_string) @string
