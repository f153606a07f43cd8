; Python units. Capture names are unit kinds; @name is the definition's name.
(function_definition name: (identifier) @name) @function
(class_definition name: (identifier) @name) @class

; Module-level and class-level assignments of literals (schedules, limits, tables).
(module (expression_statement (assignment
  left: (identifier) @name
  right: [(list) (tuple) (dictionary) (set) (integer) (float) (string) (concatenated_string)
          (true) (false) (none) (unary_operator) (binary_operator)])) @const)
(class_definition body: (block (expression_statement (assignment
  left: (identifier) @name
  right: [(list) (tuple) (dictionary) (set) (integer) (float) (string) (concatenated_string)
          (true) (false) (none) (unary_operator) (binary_operator)])) @field))
; Typed class attributes are declarations whatever their default (dataclass `field(...)`).
(class_definition body: (block (expression_statement (assignment
  left: (identifier) @name type: (_) right: (_))) @field))

; Context and prose.
(module (import_statement) @import)
(module (import_from_statement) @import)
(module (future_import_statement) @import)
(comment) @comment
(string) @string
