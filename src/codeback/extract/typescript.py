"""TypeScript and TSX: the JavaScript family's attachment rules, with the TypeScript grammar's
extra definitions (interfaces, enums, type aliases, namespaces, abstract members). One query file
serves both grammars; namespaces qualify names but are not units themselves."""

from __future__ import annotations

from dataclasses import replace

import tree_sitter_typescript

from .javascript import SPEC as JAVASCRIPT

SPEC = replace(JAVASCRIPT, name="typescript", language=tree_sitter_typescript.language_typescript)
TSX = replace(SPEC, name="tsx", language=tree_sitter_typescript.language_tsx, query="typescript")
