"""The records that flow between stages.

Every stage is a generator over these types, so a record carries everything a later stage needs:
extraction streams `CodeUnit`s without keeping syntax trees, and the verbatim text of every piece
is always accompanied by the byte span it was cut from, so `validate` can re-check it.

Plain frozen dataclasses (not pydantic): millions of units flow through a whole-repository scan
and they cross process boundaries, so they must be cheap to build and to pickle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Lang = str
"""Language key: rust, python, go, typescript, tsx, javascript, java, kotlin, csharp, ruby, php,
toml, yaml."""


@dataclass(frozen=True, slots=True)
class Span:
    """Byte span (half-open) and line span (1-based, inclusive) of a piece of a file."""

    start_byte: int
    end_byte: int
    start_line: int
    end_line: int

    def contains(self, other: Span) -> bool:
        return self.start_byte <= other.start_byte and other.end_byte <= self.end_byte


@dataclass(frozen=True, slots=True)
class Piece:
    """A verbatim slice of a source file: the unit itself or one piece of its context."""

    path: str
    span: Span
    text: str
    role: Literal["import", "const", "helper", "type", "unit"] = "unit"
    name: str = ""


@dataclass(frozen=True, slots=True)
class CodeUnit:
    """A complete syntactic definition, cut with its attributes and doc comments.

    `comments` and `strings` are the unit's comment and string-literal texts, captured by the
    parser so that routing can weigh prose and literals separately from code without a re-parse.
    """

    path: str
    lang: Lang
    kind: str
    name: str
    span: Span
    text: str
    parent: str | None = None
    comments: tuple[str, ...] = ()
    strings: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """Stable identity of the unit within a repository (independent of its position)."""
        return f"{self.path}::{self.kind}::{self.name}"

    @property
    def short_name(self) -> str:
        return self.name.rsplit("::", 1)[-1].rsplit(".", 1)[-1]

    def piece(self) -> Piece:
        return Piece(self.path, self.span, self.text, "unit", self.name)


@dataclass(frozen=True, slots=True)
class Skip:
    """Something left out, with the reason; every skip is counted and can be listed."""

    path: str
    reason: str
    name: str = ""
    line: int = 0


@dataclass(slots=True)
class FileUnits:
    """What extraction yields per file: its units, its imports (context), and what it skipped.
    `parsed` is False for a file read but not parsed, because nothing in it could be wanted."""

    path: str
    lang: Lang
    units: list[CodeUnit] = field(default_factory=list)
    imports: list[Piece] = field(default_factory=list)
    skips: list[Skip] = field(default_factory=list)
    parsed: bool = True

    @property
    def was_parsed(self) -> bool:
        """Parsed, as opposed to turned down unread (not wanted) or skipped whole (a test file,
        a binary, ...: no units and a skip)."""
        return self.parsed and (bool(self.units) or not self.skips)


@dataclass(frozen=True, slots=True)
class Signal:
    """One matched topic signal: what matched, where, and its weight."""

    topic: str
    name: str
    weight: float
    match: str


@dataclass(slots=True)
class Routed:
    """A unit with its per-topic scores and the agent it was routed to (or None)."""

    unit: CodeUnit
    scores: dict[str, float]
    signals: list[Signal]
    agent: str | None
    note: str = ""

    def reasons(self, topic: str | None = None) -> list[str]:
        return [
            f"{s.topic}:{s.name} {s.weight:+g} ({s.match})"
            for s in self.signals
            if topic is None or s.topic == topic
        ]


@dataclass(frozen=True, slots=True)
class Fact:
    """A checkable statement about a unit, with the code it was read from.

    `kind` is the fact family (const, growth, cap, floor, jitter, sleep, time_type, status,
    error_case, loop, attempt, signature, async, doc, caller, crate, retry_after, schedule, call);
    `terms` are the literal tokens (numbers, identifiers, crate names) a sentence built from this
    fact may state: the grounding checker accepts exactly those.
    """

    kind: str
    key: str
    value: str
    code: str
    line: int
    terms: tuple[str, ...] = ()
    data: tuple[tuple[str, str], ...] = ()

    def get(self, name: str, default: str = "") -> str:
        for k, v in self.data:
            if k == name:
                return v
        return default


@dataclass(slots=True)
class Draft:
    """What a generator produces for one unit: the request and the reasoning (never the code)."""

    request: str
    reasoning: str
    style: str
    generator: str
    facts_used: list[str] = field(default_factory=list)
    usage: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class Example:
    """A finished example: the exact record and its provenance (kept apart from the record)."""

    id: str
    record: dict
    provenance: dict
