; JavaScript, TypeScript and TSX (one node shape): functions assigned to properties at top level,
; read after the language's own query file. The statement is the unit (its `;` and doc included).
; One pattern: `javascript.assigned` tells `Foo.prototype.bar = function` (method bar of Foo)
; from `exports.x =` / `module.exports.x =` (function x) and `a.b = function` (function b owned
; by a). Four patterns saying the same cost 20-30 ms more to compile per grammar and process.
(program (expression_statement (assignment_expression
  left: (member_expression object: (_) @owner property: (property_identifier) @name)
  right: [(function_expression) (arrow_function)])) @assigned)
