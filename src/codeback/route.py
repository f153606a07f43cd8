"""Routing: topic signals → scores with reasons → at most one agent per unit.

Signals are data (topic packs); this module only matches them. Each signal counts once per unit
and records what it matched, so a person can check every point of a score. A unit goes to the
agent whose topic scores highest, when that score clears the topic's threshold and no other
topic ties it; a topic that no agent in the run owns can still win, and then the unit goes to
nobody (that is how a sibling agent's code stays out even when the sibling is not running).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .model import CodeUnit, Routed, Signal
from .spec import AgentSpec, TopicSpec, load_topic

IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
NEAR_TIE = 1.0


def code_only(unit: CodeUnit) -> str:
    """The unit's text without its comments and string literals."""
    text = unit.text
    for piece in unit.comments + unit.strings:
        text = text.replace(piece, " ", 1)
    return text


@dataclass(frozen=True)
class _Compiled:
    topic: str
    name: str
    where: str
    rx: re.Pattern
    weight: float


class Router:
    """Scores units against every topic the agents own or exclude. Picklable, so scans can route
    inside worker processes."""

    def __init__(self, agents: list[AgentSpec]):
        self.agents = agents
        names: list[str] = []
        for a in agents:
            for t in [a.topic, *a.exclude_topics]:
                if t not in names:
                    names.append(t)
        self.topics: dict[str, TopicSpec] = {n: load_topic(n) for n in names}
        self.owner = {a.topic: a.name for a in agents}
        self.signals = [
            _Compiled(t.name, s.name, s.where, re.compile(s.pattern), s.weight)
            for t in self.topics.values()
            for s in t.signals
        ]

    def score(self, unit: CodeUnit) -> tuple[dict[str, float], list[Signal]]:
        code = code_only(unit)
        idents = sorted(set(IDENT.findall(code)))
        fields = {
            "name": [unit.short_name],
            "code": [code],
            "comment": list(unit.comments),
            "string": list(unit.strings),
            "path": [unit.path],
            "ident": idents,
        }
        scores = {t: 0.0 for t in self.topics}
        hits: list[Signal] = []
        for sig in self.signals:
            for value in fields[sig.where]:
                m = sig.rx.search(value)
                if m:
                    scores[sig.topic] += sig.weight
                    hits.append(Signal(sig.topic, sig.name, sig.weight, _show(m, value, sig.where)))
                    break
        lines = unit.span.end_line - unit.span.start_line + 1
        for t in self.topics.values():
            if t.long_unit_lines and lines > t.long_unit_lines:
                w = t.long_unit_weight * -(-(lines - t.long_unit_lines) // t.long_unit_lines)
                scores[t.name] += w
                hits.append(Signal(t.name, f"long unit ({lines} lines)", w, f"> {t.long_unit_lines} lines"))
        return {t: round(s, 2) for t, s in scores.items()}, hits

    def route(self, unit: CodeUnit) -> Routed:
        scores, hits = self.score(unit)
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
        best, top = ranked[0]
        second = ranked[1][1] if len(ranked) > 1 else float("-inf")
        threshold = self.topics[best].threshold
        if top < threshold:
            return Routed(unit, scores, hits, None, f"no topic reaches its threshold ({best} {top:g} < {threshold:g})")
        if second == top:
            return Routed(unit, scores, hits, None, f"tie between {best} and {ranked[1][0]} at {top:g}")
        agent = self.owner.get(best)
        note = ""
        if top - second < NEAR_TIE and second >= self.topics[ranked[1][0]].threshold:
            note = f"near tie: {best} {top:g} vs {ranked[1][0]} {second:g}"
        if agent is None:
            return Routed(unit, scores, hits, None, note or f"belongs to {best}, which no agent in this run owns")
        return Routed(unit, scores, hits, agent, note or f"{best} wins {top:g} vs {second:g}")


def _show(m: re.Match, value: str, where: str) -> str:
    if where in ("name", "ident", "path"):
        return value
    start = max(0, m.start() - 12)
    snippet = value[start:m.end() + 12].replace("\n", " ")
    return " ".join(snippet.split())[:60]
