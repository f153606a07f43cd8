"""The scan stage: every file's units with their routing, fanned out over the cores.

Its own module so `codeback scan` imports only extraction and routing, not the planning and
generation stages that `pipeline` wires together.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial

import orjson

from .extract import extract_file, language_of
from .extract.parallel import map_files
from .model import FileUnits, Routed, Skip
from .route import Router
from .source import Source, list_files


def _extract_route(router: Router, exclude_tests: bool, everything: bool, always: frozenset[str],
                   path: str, data: bytes):
    words = None  # the topics the file speaks, and where: found once, after the cheap skips

    def wanted(_: bytes) -> bool:
        nonlocal words
        words = router.file_words(data)
        return everything or path in always or bool(words)

    fu = extract_file(path, data, exclude_tests, wanted=wanted)
    # Routing without its units: they travel once, packed, inside `fu`.
    return fu, [(r.scores, r.signals, r.agent, r.note) for r in router.route_all(fu.units, data, words)]


def _rejoin(result) -> tuple[FileUnits, list[Routed]]:
    fu, rows = result
    return fu, [Routed(u, *row) for u, row in zip(fu.units, rows, strict=True)]


def scan(source: Source, router: Router, exclude_tests: bool = True,
         paths: list[str] | None = None, workers: int | None = None, everything: bool = False,
         always: frozenset[str] = frozenset(),
         ) -> Iterator[tuple[FileUnits, list[Routed]]]:
    """Every file's units with their routing, in path order; trees never leave the workers.

    A file that uses none of any topic's words is read but not parsed (`parsed` False, no
    units): no unit of it could reach an agent. `everything` parses every file all the same;
    `always` names files parsed in any case (seed files, whose contents a report lists)."""
    if paths is None:
        paths = list_files(source, lambda rel: language_of(rel) is not None)
    fn = partial(_extract_route, router, exclude_tests, everything, frozenset(always))
    yield from map(_rejoin, map_files(source.root, paths, fn, workers))


def unit_json(r: Routed) -> bytes:
    """One line of `codeback scan --json`."""
    u = r.unit
    return orjson.dumps({
        "path": u.path, "language": u.lang, "kind": u.kind, "name": u.name,
        "start_line": u.span.start_line, "end_line": u.span.end_line,
        "agent": r.agent, "scores": r.scores, "reasons": r.reasons(), "note": r.note,
    }, option=orjson.OPT_APPEND_NEWLINE)


@dataclass(slots=True)
class Printed:
    """One file of `scan --json`, its lines made in the worker that routed it: the units never
    cross to the parent (on svix, sending them cost more than the lines themselves)."""

    lang: str
    parsed: bool
    was_parsed: bool
    skips: list[Skip]
    lines: bytes


def _print(router: Router, exclude_tests: bool, everything: bool, path: str, data: bytes) -> Printed:
    fu, routed = _rejoin(_extract_route(router, exclude_tests, everything, frozenset(), path, data))
    return Printed(fu.lang, fu.parsed, fu.was_parsed, fu.skips,
                   b"".join(map(unit_json, routed)))


def scan_lines(source: Source, router: Router, exclude_tests: bool, paths: list[str],
               workers: int | None = None, everything: bool = False) -> Iterator[Printed]:
    """`scan`, as the JSON lines it prints, in path order."""
    yield from map_files(source.root, paths, partial(_print, router, exclude_tests, everything), workers)
