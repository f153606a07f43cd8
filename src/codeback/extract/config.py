"""Config files (TOML, YAML): every key is a unit of kind "config", named by its dotted path
(`retry_schedule`, `server.port`), with the comment lines directly above it. All keys become
units; routing decides which ones a topic cares about (a default retry schedule, a timeout).

YAML puts a mapping's first comment inside the parent pair rather than beside the key, so both
languages take comment lines by text (`leading_comment`), not by tree siblings."""

from __future__ import annotations

from dataclasses import replace

import tree_sitter_toml
import tree_sitter_yaml
from tree_sitter import Node

from .engine import LangSpec


def _unquote(kind: str, node: Node, raw: str, src: bytes) -> str:
    raw = raw.strip()
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "\"'":
        return raw[1:-1]
    return raw


TOML = LangSpec(
    name="toml",
    language=tree_sitter_toml.language,
    display_name=_unquote,
    separator=".",
    scope_only=frozenset({"table"}),
    leading_comment=b"#",
)

YAML = replace(TOML, name="yaml", language=tree_sitter_yaml.language,
               scope_only=frozenset({"section"}))
