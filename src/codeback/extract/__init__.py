"""Extraction: files in, `FileUnits` out, one tree-sitter grammar per language.

`LANGS` maps a language key to its `LangSpec`; `language_of` picks one from a path. Adding a
language is one module with a `SPEC` and one query file.
"""

from __future__ import annotations

from ..model import FileUnits, Skip
from . import rust
from .engine import LangSpec, extract

LANGS: dict[str, LangSpec] = {s.name: s for s in (rust.SPEC,)}
EXTENSIONS: dict[str, str] = {".rs": "rust"}


def language_of(path: str) -> str | None:
    dot = path.rfind(".")
    return EXTENSIONS.get(path[dot:].lower()) if dot >= 0 else None


def extract_file(path: str, data: bytes, exclude_tests: bool = True) -> FileUnits:
    """Units of one file; undecodable input becomes a counted skip, never an exception."""
    lang = language_of(path)
    if lang is None:
        return FileUnits(path, "", skips=[Skip(path, "unsupported language")])
    if b"\0" in data[:8192]:
        return FileUnits(path, lang, skips=[Skip(path, "binary file")])
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return FileUnits(path, lang, skips=[Skip(path, "invalid UTF-8")])
    return extract(LANGS[lang], path, data, exclude_tests)
