"""Go: `//` comments directly above a declaration are its doc; methods are named by their
receiver type (`Client.Do`), since Go declares them outside the type. A `const`/`var`/`type`
declaration holding a single spec is cut whole (keyword included); in a parenthesised block each
spec is its own unit. Test code lives in `_test.go` files (a path rule)."""

from __future__ import annotations

import tree_sitter_go
from tree_sitter import Node

from .engine import LangSpec, adjacent

_BLOCKS = frozenset({"const_declaration", "var_declaration", "type_declaration"})


def _outer(node: Node) -> Node:
    parent = node.parent
    # A block with one spec has no "(": checking the token is O(1) where counting specs made a
    # generated file's 500-constant block quadratic.
    if parent is not None and parent.type in _BLOCKS and parent.child(1) is not None \
            and parent.child(1).type != "(":
        return parent
    return node


def _receiver_type(node: Node, src: bytes) -> str:
    recv = node.child_by_field_name("receiver")
    if recv is None:
        return ""
    for param in recv.named_children:
        typ = param.child_by_field_name("type")
        while typ is not None and typ.type in ("pointer_type", "generic_type", "parenthesized_type"):
            inner = typ.child_by_field_name("type")
            typ = inner if inner is not None else (typ.named_children[0] if typ.named_children else None)
        if typ is not None:
            return src[typ.start_byte:typ.end_byte].decode("utf-8")
    return ""


def _display(kind: str, node: Node, raw: str, src: bytes) -> str:
    if kind == "method":
        recv = _receiver_type(node, src)
        return f"{recv}.{raw}" if recv else raw
    return raw


SPEC = LangSpec(
    name="go",
    language=tree_sitter_go.language,
    attached=frozenset({"comment"}),
    attached_ok=adjacent,
    outer_of=_outer,
    display_name=_display,
    separator=".",
)
