"""TypeScript and TSX: the JavaScript family's attachment rules, with the TypeScript grammar's
extra definitions (interfaces, enums, type aliases, namespaces, abstract members). One query file
serves both grammars; namespaces qualify names but are not units themselves."""

from __future__ import annotations

from dataclasses import replace

import tree_sitter_typescript

from .engine import LangSpec
from .javascript import ATTACHED, MORE_QUERIES, OUTER, attached_ok

SPEC = LangSpec(
    name="typescript",
    language=tree_sitter_typescript.language_typescript,
    attached=ATTACHED,
    attached_ok=attached_ok,
    outer=OUTER,
    separator=".",
    more_queries=MORE_QUERIES,
)

TSX = replace(SPEC, name="tsx", language=tree_sitter_typescript.language_tsx, query="typescript")
