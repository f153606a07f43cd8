"""JavaScript: shared rules of the JS family (TypeScript and TSX reuse them): a JSDoc block or a
comment touching a definition belongs to it, decorators above a class member belong to it, and an
`export` wrapper is part of the definition's span. Test code is a path convention (`*.test.*`,
`*.spec.*`, `__tests__/`), applied in `is_test_path`.

Functions assigned at top level are units too (`js_assigned.scm`, shared by the family):
`Foo.prototype.bar = function` is the method `Foo.bar`, `exports.f = ...` the function `f`."""

from __future__ import annotations

import tree_sitter_javascript
from tree_sitter import Node

from .engine import LangSpec, adjacent

ATTACHED = frozenset({"comment", "decorator"})
OUTER = frozenset({"export_statement"})
MORE_QUERIES = ("js_assigned",)
NAMED = frozenset({"identifier", "member_expression"})


def assigned(owner: Node, src: bytes) -> tuple[str, str | None] | None:
    """The kind and owner of `<owner>.<name> = function`: a method of Foo for `Foo.prototype`
    (Foo a name or a dotted path), a plain function for `exports.x` and `module.exports.x`, else
    a function owned by `owner` when that is a name or a property access (not `module` alone)."""
    if owner.type == "member_expression":
        obj, prop = owner.child_by_field_name("object"), owner.child_by_field_name("property")
        if obj is not None and prop is not None and prop.type == "property_identifier":
            if prop.text == b"prototype" and obj.type in NAMED:
                return "method", _text(obj, src)
            if obj.type == "identifier" and obj.text == b"module" and prop.text == b"exports":
                return "function", None
        return "function", _text(owner, src)
    if owner.type != "identifier":
        return None
    if owner.text == b"exports":
        return "function", None
    return None if owner.text == b"module" else ("function", _text(owner, src))


def _text(node: Node, src: bytes) -> str:
    return src[node.start_byte:node.end_byte].decode("utf-8")


def attached_ok(node: Node, below: Node, src: bytes) -> bool:
    """Decorators always bind; a JSDoc block binds when only a blank line separates it (some
    styles leave one); any other comment binds when it touches the definition."""
    if node.type == "decorator":
        return True
    if src[node.start_byte:node.start_byte + 3] == b"/**":
        gap = src[node.end_byte:below.start_byte]
        return gap.count(b"\n") <= 2 and not gap.strip()
    return adjacent(node, below, src)


SPEC = LangSpec(
    name="javascript",
    language=tree_sitter_javascript.language,
    attached=ATTACHED,
    attached_ok=attached_ok,
    outer=OUTER,
    separator=".",
    more_queries=MORE_QUERIES,
    assigned=assigned,
)
