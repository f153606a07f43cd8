"""A read-only view of a job's facts, shaped for writing prose.

Generators ask questions ("is there a floor?", "what is the cap, in words?") here instead of
poking at fact tuples, so every number and name they can write comes through one place that
reads it from a fact.
"""

from __future__ import annotations

import re

import random
from functools import cached_property

from ..model import Fact
from .base import Job


def tick(x: str) -> str:
    return f"`{x}`"


class View:
    def __init__(self, job: Job):
        self.job = job
        self.facts = job.facts
        self.unit = job.unit
        self.name = job.unit.short_name
        self.spec = job.spec

    def all(self, kind: str, key: str | None = None) -> list[Fact]:
        return [f for f in self.facts if f.kind == kind and (key is None or f.key == key)]

    def one(self, kind: str, key: str | None = None) -> Fact | None:
        found = self.all(kind, key)
        return found[0] if found else None

    def doubles(self) -> bool:
        """Whether the growth the facts show is a doubling: `* 2`, a shift, a power of two, or
        a generated schedule whose step doubles. A power of another base or a `successors`
        step that is not `* 2` grows, but must not be called doubling."""
        g = self.one("growth")
        if g is None:
            return False
        if g.key in ("doubling", "shift"):
            return True
        if g.key == "power":
            return bool(re.fullmatch(r"2(\.0*)?(_?[uif]\d+)?", g.value.strip()))
        return g.key == "successors" and (self.one("growth", "doubling") is not None
                                          or any(f.value == "2" for f in self.all("multiple")))

    def own(self, kind: str) -> list[Fact]:
        """Facts read from the unit itself, not from a helper in its context."""
        return [f for f in self.all(kind) if not f.get("helper")]

    @cached_property
    def consts(self) -> dict[str, Fact]:
        return {f.key: f for f in self.all("const")}

    @cached_property
    def crates(self) -> set[str]:
        return {f.key for f in self.all("crate")}

    @cached_property
    def sig(self) -> Fact | None:
        return self.one("signature")

    @property
    def is_fn(self) -> bool:
        return self.unit.kind in ("function", "method")

    @property
    def is_async(self) -> bool:
        return bool(self.sig and self.sig.get("is_async"))

    @property
    def doc(self) -> str:
        f = self.one("doc")
        return f.value if f else ""

    @property
    def where(self) -> str:
        parts = self.unit.path.split("/")
        return tick("/".join(parts[-3:]))

    @property
    def product(self) -> str:
        return self.spec.persona.product

    @property
    def component(self) -> str:
        return self.spec.persona.component

    def const_name(self, expr: str) -> str | None:
        """The constant an expression is built on, if any (`Duration::from_secs(X)` → X)."""
        for name in self.consts:
            if name in expr:
                return name
        return None

    def say(self, fact: Fact, p: Pick) -> str:
        """A duration fact in one of its equivalent forms (300 s or 5 minutes), chosen by `p`."""
        forms = fact.get("forms")
        return p(forms.split("|")) if forms else self.amount(fact)

    def amount(self, fact: Fact) -> str:
        """A duration fact in words (its first form), or the expression when unresolved."""
        forms = fact.get("forms")
        if forms:
            return forms.split("|")[0]
        return fact.value or tick(fact.key)

    def uses_chrono(self) -> bool:
        return "chrono" in self.crates or any(f.value == "chrono" for f in self.all("time_type"))

    def elsewhere(self, crate: str) -> tuple[str, str] | None:
        """(unit, relation) of a caller or same-file unit that uses the crate."""
        f = self.one("elsewhere", crate)
        return (f.value, f.get("relation")) if f else None

    def default_only(self, fact: Fact | None) -> tuple[str, str] | None:
        """(scrutinee, pattern) when the fact holds only in a `None =>` arm of a match whose other
        arm uses a configured value: a claim from it is true of the default only."""
        if fact is None or not fact.get("guard"):
            return None
        scrut, _, pat = fact.get("guard").partition(" => ")
        if pat.strip() != "None" or not any(a.key.startswith("Some(") for a in self.all("arm")):
            return None
        return scrut.lstrip("&").strip(), pat.strip()

    def when_default(self, fact: Fact | None) -> str:
        """The request-side words for that condition."""
        d = self.default_only(fact)
        if d is None:
            return ""
        return "when no schedule is configured" if "schedule" in d[0] else "when none is configured"

    @property
    def callers(self) -> list[str]:
        return [f.key for f in self.all("caller")]


class Pick:
    """Seeded choice among phrasings; one instance per example keeps a whole example stable."""

    def __init__(self, seed: str):
        self.rng = random.Random(seed)

    def __call__(self, options):
        options = [o for o in options if o]
        return self.rng.choice(options) if options else ""

    def shuffle(self, items):
        items = list(items)
        self.rng.shuffle(items)
        return items

    def chance(self, p: float) -> bool:
        return self.rng.random() < p
