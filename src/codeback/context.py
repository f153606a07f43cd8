"""Context: the pieces of the same file a reader needs beside a unit.

Imports the unit relies on (whole declarations), constants and small helpers it references, and
the small enums/structs it matches on (its error types). Every piece is a verbatim span already
cut by extraction; this stage only chooses. The code block joins the pieces in source order,
one blank line apart, inside a fence.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .model import CodeUnit, FileUnits, Piece, Span
from .route import IDENT, code_only

HELPER_MAX_LINES = 40
TYPE_MAX_LINES = 30
_IMPORT_WORDS = frozenset({
    "use", "pub", "crate", "self", "super", "std", "as", "import", "from", "package", "using",
    "require", "require_relative", "static", "namespace", "type", "mod", "_",
})
_VALUE_KINDS = frozenset({"const", "static", "config", "assign", "variable", "let"})
_TYPE_KINDS = frozenset({"enum", "struct", "class", "interface", "type"})
_CALLABLE_KINDS = frozenset({"function", "method"})


def _lines(p: CodeUnit) -> int:
    return p.span.end_line - p.span.start_line + 1


def _import_needed(imp: Piece, idents: set[str], code: str) -> bool:
    words = [w for w in IDENT.findall(imp.text) if w not in _IMPORT_WORDS]
    if not words:
        return False
    root, leaves = words[0], set(words[1:]) or {words[0]}
    if leaves & idents:
        return True
    # A trait import (`use rand::Rng;`) is never named at the call site; the crate path is.
    return re.search(rf"(?<![\w.]){re.escape(root)}(::|\.)", code) is not None


def context_pieces(unit: CodeUnit, file: FileUnits,
                   helper_ok: Callable[[CodeUnit], bool] = lambda u: True) -> list[Piece]:
    """The unit and its context, in source order, without overlaps.

    `helper_ok` lets the caller keep only helpers that are part of the topic's logic (a call to
    an unrelated database helper does not belong in a backoff example)."""
    code = code_only(unit)
    idents = set(IDENT.findall(code))
    for lit in unit.strings:  # format!("{API_PREFIX}/…") names a constant inside a string
        idents.update(re.findall(r"\{([A-Za-z_]\w*)(?:[:}])", lit))
    calls = set(re.findall(r"([A-Za-z_]\w*)\s*(?:::<[^>]*>)?\s*\(", code))
    chosen: list[Piece] = [imp for imp in file.imports if _import_needed(imp, idents, code)]
    picked: list[CodeUnit] = []
    for other in file.units:
        if other is unit or other.span.contains(unit.span) or unit.span.contains(other.span):
            continue
        if other.parent not in (None, unit.parent):
            continue
        name = other.short_name
        if other.kind in _VALUE_KINDS and name in idents:
            picked.append(other)
        elif other.kind in _CALLABLE_KINDS and name in calls and _lines(other) <= HELPER_MAX_LINES \
                and helper_ok(other):
            picked.append(other)
        elif other.kind in _TYPE_KINDS and _lines(other) <= TYPE_MAX_LINES and re.search(
            rf"\b{re.escape(name)}(::|\.)\w", code
        ):
            picked.append(other)
    # Constants a chosen helper relies on belong to the reader's picture too (one level).
    for helper in [p for p in picked if p.kind in _CALLABLE_KINDS]:
        h_idents = set(IDENT.findall(code_only(helper)))
        for other in file.units:
            if other.kind in _VALUE_KINDS and other.parent is None and other.short_name in h_idents \
                    and other not in picked and not unit.span.contains(other.span):
                picked.append(other)
    roles = {"const": "const", "static": "const", "config": "const", "assign": "const",
             "variable": "const", "function": "helper", "method": "helper"}
    chosen += [Piece(p.path, p.span, p.text, roles.get(p.kind, "type"), p.name) for p in picked]
    chosen.append(unit.piece())
    chosen.sort(key=lambda p: p.span.start_byte)
    return [p for i, p in enumerate(chosen) if not any(
        q.span.contains(p.span) and q is not p for q in chosen[:i] + chosen[i + 1:])]


def at_line_start(pieces: list[Piece], src: bytes) -> list[Piece]:
    """Widen each piece of `src`'s file back to the start of its first line when only
    indentation precedes it, so a nested unit keeps its first line's indentation like the rest
    (still a verbatim span of the file)."""
    out = []
    for p in pieces:
        start = p.span.start_byte
        ls = src.rfind(b"\n", 0, start) + 1
        if ls < start and not src[ls:start].strip():
            span = Span(ls, p.span.end_byte, p.span.start_line, p.span.end_line)
            p = Piece(p.path, span, src[ls:p.span.end_byte].decode("utf-8"), p.role, p.name)
        out.append(p)
    return out


def code_block(pieces: list[Piece], fence: str) -> str:
    return f"```{fence}\n" + "\n\n".join(p.text for p in pieces) + "\n```"


FENCES = {"rust": "rust", "python": "python", "go": "go", "typescript": "typescript",
          "tsx": "tsx", "javascript": "javascript", "java": "java", "kotlin": "kotlin",
          "csharp": "csharp", "ruby": "ruby", "php": "php", "toml": "toml", "yaml": "yaml"}


def fence_for(unit: CodeUnit, fence: str, languages: list[str]) -> str:
    """The spec's fence for its own language; every other language keeps its own name."""
    if fence != "auto" and (not languages or unit.lang == languages[0]):
        return fence
    return FENCES.get(unit.lang, unit.lang)
