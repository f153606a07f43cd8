; Kotlin units. Capture names are unit kinds; @name is the definition's name.
; Specific class shapes come first: a node matching several patterns takes the earliest.
(class_declaration "interface" name: (identifier) @name) @interface
(class_declaration (modifiers (class_modifier "enum")) name: (identifier) @name) @enum
(class_declaration name: (identifier) @name) @class
(object_declaration name: (identifier) @name) @object
(companion_object) @companion
(function_declaration name: (identifier) @name) @function

; `const val` anywhere, top-level properties, and initialised properties of a class or object.
(property_declaration (modifiers (property_modifier "const"))
  (variable_declaration (identifier) @name)) @const
(source_file (property_declaration (variable_declaration (identifier) @name)) @const)
(class_body (property_declaration (variable_declaration (identifier) @name) "=") @field)

; Context and prose.
(source_file (import) @import)
(line_comment) @comment
(block_comment) @comment
(string_literal) @string
