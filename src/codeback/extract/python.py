"""Python: decorators live in a `decorated_definition` wrapper whose span the unit takes; a
comment block directly above a definition belongs to it (taken by text: a block's first comment
sits outside the block in the tree; docstrings are inside the body already).
pytest fixtures and marked tests are test code even outside test files."""

from __future__ import annotations

import re

import tree_sitter_python
from tree_sitter import Node

from .engine import LangSpec, adjacent

_TEST_DECORATOR = re.compile(r"@\s*pytest\s*\.\s*(fixture|mark)\b|@\s*fixture\b")


def _comment_ok(node: Node, below: Node, src: bytes) -> bool:
    return adjacent(node, below, src)


def _member_kind(kind: str, parent_kind: str | None) -> str:
    return "method" if kind == "function" and parent_kind == "class" else kind


SPEC = LangSpec(
    name="python",
    language=tree_sitter_python.language,
    attached=frozenset({"comment"}),
    attached_ok=_comment_ok,
    outer=frozenset({"decorated_definition"}),
    test_unit=lambda kind, name, head: bool(_TEST_DECORATOR.search(head)),
    member_kind=_member_kind,
    separator=".",
    leading_comment=b"#",
)
