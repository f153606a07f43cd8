; JavaScript, TypeScript and TSX (one node shape): functions assigned to properties at top level,
; read after the language's own query file. The statement is the unit (its `;` and doc included).
; `Foo.prototype.bar = function` is a method of Foo; `exports.x =` and `module.exports.x =` a
; function `x`; any other `a.b = function` a function `a.b` owned by `a`. The first match wins.
(program (expression_statement (assignment_expression
  left: (member_expression
    object: (member_expression object: [(identifier) (member_expression)] @owner
      property: (property_identifier) @_proto (#eq? @_proto "prototype"))
    property: (property_identifier) @name)
  right: [(function_expression) (arrow_function)])) @method)
(program (expression_statement (assignment_expression
  left: (member_expression object: (identifier) @_exports (#eq? @_exports "exports")
    property: (property_identifier) @name)
  right: [(function_expression) (arrow_function)])) @function)
(program (expression_statement (assignment_expression
  left: (member_expression
    object: (member_expression object: (identifier) @_module (#eq? @_module "module")
      property: (property_identifier) @_exports (#eq? @_exports "exports"))
    property: (property_identifier) @name)
  right: [(function_expression) (arrow_function)])) @function)
(program (expression_statement (assignment_expression
  left: (member_expression object: [(identifier) (member_expression)] @owner
    (#not-eq? @owner "module")
    property: (property_identifier) @name)
  right: [(function_expression) (arrow_function)])) @function)
