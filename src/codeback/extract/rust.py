"""Rust: attributes and `///` / `/** */` docs attach to items; impl blocks name their methods
by the implemented type; `#[cfg(test)]` modules and `#[test]`-style functions are tests."""

from __future__ import annotations

import re

import tree_sitter_rust
from tree_sitter import Node

from .engine import LangSpec, adjacent

_TEST_ATTR = re.compile(r"#\[\s*(cfg\s*\(\s*test\s*\)|(\w+::)*test\b)")
_WS = re.compile(r"\s+")


def _doc_or_attr(node: Node, below: Node, src: bytes) -> bool:
    """Attributes and doc comments always bind; a plain comment binds when it touches the item."""
    if node.type == "attribute_item":
        return True
    head = src[node.start_byte:node.start_byte + 3]
    return head in (b"///", b"/**") or adjacent(node, below, src)


def _impl_type(node: Node) -> Node | None:
    return node.child_by_field_name("type")


def _display(kind: str, node: Node, raw: str, src: bytes) -> str:
    if kind != "impl":
        return raw
    body = node.child_by_field_name("body")
    end = body.start_byte if body is not None else node.end_byte
    return _WS.sub(" ", src[node.start_byte:end].decode("utf-8")).strip()


def _scope(node: Node, name: str, src: bytes) -> str:
    if node.type == "impl_item":
        typ = _impl_type(node)
        if typ is not None:
            base = typ.child_by_field_name("type") if typ.type == "generic_type" else typ
            return src[base.start_byte:base.end_byte].decode("utf-8")
    return name


def _member_kind(kind: str, parent_kind: str | None) -> str:
    return "method" if kind == "function" and parent_kind in ("impl", "trait") else kind


SPEC = LangSpec(
    name="rust",
    language=tree_sitter_rust.language,
    attached=frozenset({"attribute_item", "line_comment", "block_comment"}),
    attached_ok=_doc_or_attr,
    test_unit=lambda kind, name, head: bool(_TEST_ATTR.search(head)),
    scope=_scope,
    display_name=_display,
    member_kind=_member_kind,
)
