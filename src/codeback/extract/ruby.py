"""Ruby: `#` comment lines touching a definition are its doc (taken by text: the grammar puts a
body's first comment outside the body). Modules qualify names but are not
units (a module body is usually the whole file); `def` inside a class or module is a method.
Specs and tests are path rules (`spec/`, `test/`, `*_spec.rb`) in `is_test_path`."""

from __future__ import annotations

import tree_sitter_ruby

from .engine import LangSpec, adjacent


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
)
