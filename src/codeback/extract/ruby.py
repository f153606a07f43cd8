"""Ruby: `#` comment lines touching a definition are its doc (taken by text: the grammar puts a
body's first comment outside the body). Modules qualify names but are not
units (a module body is usually the whole file); `def` inside a class or module is a method.
Specs and tests are path rules (`spec/`, `test/`, `*_spec.rb`) in `is_test_path`.

The grammar fails on an anonymous block argument (`&`, Ruby 3.1) that ends its line
(tree-sitter-ruby issues 218, 244, 290); the rest of the method parses, so such an error does not
cost the method its unit."""

from __future__ import annotations

import tree_sitter_ruby
from tree_sitter import Node

from .engine import LangSpec, adjacent


def _block_forwarding(node: Node, src: bytes) -> bool:
    """An error node holding only an anonymous block argument (after its comma) at a line end."""
    if not node.is_error or src[node.start_byte:node.end_byte].lstrip(b", \t") != b"&":
        return False
    eol = src.find(b"\n", node.end_byte)
    rest = src[node.end_byte:eol if eol >= 0 else len(src)]
    return not rest.split(b"#", 1)[0].strip()


def _member_kind(kind: str, parent_kind: str | None) -> str:
    return "method" if kind == "function" and parent_kind in ("class", "module") else kind


SPEC = LangSpec(
    name="ruby",
    language=tree_sitter_ruby.language,
    attached=frozenset({"comment"}),
    attached_ok=adjacent,
    member_kind=_member_kind,
    separator=".",
    leading_comment=b"#",
    benign_error=_block_forwarding,
)
