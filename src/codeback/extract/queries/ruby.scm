; Ruby units. Capture names are unit kinds; @name is the definition's name. Modules qualify
; names but are not units (a module body is usually the whole file).
(class name: (_) @name) @class
(module name: (_) @name) @module
(method name: (_) @name) @function
(singleton_method name: (_) @name) @method
(assignment left: (constant) @name) @const

; Context and prose: top-level require calls.
(program (call method: (identifier) @_req (#any-of? @_req "require" "require_relative")) @import)
(comment) @comment
(string) @string
