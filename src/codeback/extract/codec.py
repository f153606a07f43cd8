"""Cheap pickling of extraction results for the process pool.

A whole-repository scan sends every file's units from the workers back to the parent, and with
the default pickling of frozen slotted dataclasses that transfer costs about as much as the
extraction itself on a 2-core machine (a Python `__setstate__` call per object, and every method's
text sent a second time inside its class's text). Registered here with `copyreg`:

- `Span`, `CodeUnit`, `Piece`, `Skip`, `Signal` pickle as a constructor call on a flat tuple;
- `FileUnits` sends a unit's text as a reference into the enclosing unit's text when that text is
  ASCII (byte offsets are then character offsets), so nested units cost a few integers.

The reducers are built from the dataclass fields: if the model gains a field, `register` leaves
the default pickling in place rather than drop it silently.
"""

from __future__ import annotations

import copyreg
from dataclasses import fields

from ..model import CodeUnit, FileUnits, Piece, Signal, Skip, Span

_EXPECTED = {
    Span: ("start_byte", "end_byte", "start_line", "end_line"),
    CodeUnit: ("path", "lang", "kind", "name", "span", "text", "parent", "comments", "strings"),
    Piece: ("path", "span", "text", "role", "name"),
    Skip: ("path", "reason", "name", "line"),
    FileUnits: ("path", "lang", "units", "imports", "skips", "parsed"),
    Signal: ("topic", "name", "weight", "match"),
}


def _span(s: Span) -> tuple:
    return Span, (s.start_byte, s.end_byte, s.start_line, s.end_line)


def _unit(u: CodeUnit) -> tuple:
    return CodeUnit, (u.path, u.lang, u.kind, u.name, u.span, u.text, u.parent, u.comments, u.strings)


def _piece(p: Piece) -> tuple:
    return Piece, (p.path, p.span, p.text, p.role, p.name)


def _skip(s: Skip) -> tuple:
    return Skip, (s.path, s.reason, s.name, s.line)


def _signal(s: Signal) -> tuple:
    return Signal, (s.topic, s.name, s.weight, s.match)


def _file(fu: FileUnits) -> tuple:
    packed: list[tuple] = []
    open_: list[int] = []  # indices of units whose span may contain the next unit (a stack)
    for i, u in enumerate(fu.units):
        if u.path != fu.path or u.lang != fu.lang:
            return FileUnits, (fu.path, fu.lang, fu.units, fu.imports, fu.skips, fu.parsed)
        s = u.span
        while open_ and fu.units[open_[-1]].span.end_byte < s.end_byte:
            open_.pop()
        text: str | tuple[int, int, int] = u.text
        if open_:
            outer = fu.units[open_[-1]]
            if outer.span.start_byte <= s.start_byte and outer.text.isascii():
                off = s.start_byte - outer.span.start_byte
                text = (open_[-1], off, off + len(u.text))
        packed.append((u.kind, u.name, s.start_byte, s.end_byte, s.start_line, s.end_line, text,
                       u.parent, u.comments, u.strings))
        open_.append(i)
    return _unpack_file, (fu.path, fu.lang, packed, fu.imports, fu.skips, fu.parsed)


def _unpack_file(path: str, lang: str, packed: list[tuple], imports: list[Piece],
                 skips: list[Skip], parsed: bool) -> FileUnits:
    units: list[CodeUnit] = []
    for kind, name, sb, eb, sl, el, text, parent, comments, strings in packed:
        if type(text) is tuple:
            idx, lo, hi = text
            text = units[idx].text[lo:hi]
        units.append(CodeUnit(path, lang, kind, name, Span(sb, eb, sl, el), text, parent,
                              comments, strings))
    return FileUnits(path, lang, units, imports, skips, parsed)


def register() -> bool:
    """Install the reducers; False (and nothing installed) if the model's fields have changed."""
    if any(tuple(f.name for f in fields(cls)) != names for cls, names in _EXPECTED.items()):
        return False
    copyreg.pickle(Span, _span)
    copyreg.pickle(CodeUnit, _unit)
    copyreg.pickle(Piece, _piece)
    copyreg.pickle(Skip, _skip)
    copyreg.pickle(Signal, _signal)
    copyreg.pickle(FileUnits, _file)
    return True


REGISTERED = register()
