"""The shape of a need: what request would have led to a piece of code."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Need:
    angle: str
    title: str
    problem: str
    asks: list[str]
    observed: str
    expected: str
    verb: str
    review: str
    facts: list[str] = field(default_factory=list)
