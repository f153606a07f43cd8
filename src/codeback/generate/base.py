"""The backend seam: one small interface every generator implements.

A backend turns jobs (a unit, its code block, its facts, the style and angle planned for it)
into drafts (request + reasoning). It never writes code: the pipeline inserts the verbatim code
block itself. The pipeline hands each backend a `check` function (schema, grounding, diversity);
a backend that can try again (an LLM) feeds the problems back, a deterministic one just reports.

Backends are chosen by name from `BACKENDS`; a new one registers itself there and the pipeline
does not change.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from ..model import CodeUnit, Draft, Fact, Piece
from ..spec import AgentSpec


@dataclass(slots=True)
class Job:
    """Everything a backend may use to write one example."""

    id: str
    unit: CodeUnit
    pieces: list[Piece]
    code_block: str
    facts: list[Fact]
    style: str
    angle: str
    seed: int
    spec: AgentSpec
    index: int = 0  # the n-th example for this unit


@dataclass(slots=True)
class Outcome:
    """A job's result: a draft that passed `check`, or the reasons it was rejected."""

    job: Job
    draft: Draft | None
    problems: list[str] = field(default_factory=list)


Check = Callable[[Job, Draft], list[str]]
"""Returns the problems with a draft (empty when it may be written)."""


class Backend(ABC):
    name: str = "base"
    version: str = "0"

    @abstractmethod
    def run(self, jobs: Iterable[Job], check: Check) -> Iterator[Outcome]:
        """Yield one outcome per job. Order may differ from input order for concurrent backends."""

    def close(self) -> None:
        """Release resources (connections, caches)."""


BACKENDS: dict[str, Callable[..., Backend]] = {}


def register(name: str):
    def deco(factory):
        BACKENDS[name] = factory
        return factory

    return deco
