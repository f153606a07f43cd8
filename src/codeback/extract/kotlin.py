"""Kotlin: KDoc and touching comments belong to the declaration below; annotations are inside it.
A companion object is a scope without a name of its own (`Client.MAX_RETRIES`, as Kotlin code
calls it); functions inside a class, object or interface are methods."""

from __future__ import annotations

import re

import tree_sitter_kotlin
from tree_sitter import Node

from .engine import LangSpec, adjacent

_TEST_ANNOTATION = re.compile(
    r"@(Test|ParameterizedTest|RepeatedTest|BeforeEach|AfterEach|BeforeAll|AfterAll|Before|After"
    r"|BeforeTest|AfterTest)\b"
)


def doc_or_touching(node: Node, below: Node, src: bytes) -> bool:
    """A `/**` doc block binds across a blank line; other comments only when they touch."""
    if src[node.start_byte:node.start_byte + 3] == b"/**":
        return not src[node.end_byte:below.start_byte].strip()
    return adjacent(node, below, src)


def _scope(node: Node, name: str, src: bytes) -> str:
    return "" if node.type == "companion_object" and not name else name


def _member_kind(kind: str, parent_kind: str | None) -> str:
    if kind == "function" and parent_kind in ("class", "object", "interface", "enum", "companion"):
        return "method"
    return kind


SPEC = LangSpec(
    name="kotlin",
    language=tree_sitter_kotlin.language,
    attached=frozenset({"line_comment", "block_comment"}),
    attached_ok=doc_or_touching,
    test_unit=lambda kind, name, head: bool(_TEST_ANNOTATION.search(head)),
    scope=_scope,
    member_kind=_member_kind,
    separator=".",
    scope_only=frozenset({"companion"}),
)
