"""Routing: topic signals → scores with reasons → at most one agent per unit.

Signals are data (topic packs); this module only matches them. Each signal counts once per unit
and records what it matched, so a person can check every point of a score. A unit goes to the
agent whose topic scores highest, when that score clears the topic's threshold and no other
topic ties it; a topic that no agent in the run owns can still win, and then the unit goes to
nobody (that is how a sibling agent's code stays out even when the sibling is not running).

Scores are keyed by the topic reference the specs use (a built-in name, or the path of a user's
topic file), so `scores[spec.topic]` always works. When a unit clears the threshold of more than
one topic, the note says which topic dominated and by which signals on each side; ties and near
ties are reported the same way.

A topic scores only units that use its vocabulary (word stems, found once per file): a rule,
not only a saving, since a unit about a subject names it somewhere; on svix-webhooks and 18
other libraries (23,558 units) it changed 3 decisions, all of them false positives. The rest
only saves work and changes no decision: negative signals are weighed only against a unit
whose positive evidence reaches the lowest threshold, and a regex is skipped where its literal
needles are absent. `--explain` shows every signal that matches.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, replace

from .literals import Clauses, Literals, Starts, Vocabulary, needles, starts
from .model import CodeUnit, Routed, Signal
from .spec import AgentSpec, TopicSpec, load_topic

IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
NEAR_TIE = 1.0
JOINED = frozenset({"ident", "comment", "string"})


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
    needles: Clauses | None  # literals every match contains, in conjunctive form
    unless: re.Pattern | None = None
    needle_ids: tuple[frozenset[int], ...] | None = None  # the same, as `Literals` indexes
    starts: Starts | None = None  # where a match can begin
    unless_where: str = ""  # the part `unless` searches: the signal's own unless the spec names another


def compile_signals(topics: dict[str, TopicSpec]) -> list[_Compiled]:
    """Every signal of the topics, compiled as routing matches it. Identifiers, comments and
    strings are matched as one newline-joined text per unit (MULTILINE, so `^...$` still anchors
    to one identifier): one search per signal, not one per identifier. Other parts are one text,
    where `^` is its start."""
    def flags(where: str) -> int:
        return re.MULTILINE if where in JOINED else 0

    return [_Compiled(ref, s.name, s.where, re.compile(s.pattern, flags(s.where)), s.weight,
                      needles(s.pattern),
                      re.compile(s.unless, flags(s.unless_where or s.where)) if s.unless else None,
                      unless_where=s.unless_where or s.where)
            for ref, t in topics.items() for s in t.signals]


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
        # keyed by the reference the specs use: a built-in name or a user's topic file path
        self.topics: dict[str, TopicSpec] = {n: load_topic(n) for n in names}
        self.owner = {a.topic: a.name for a in agents}
        self.signals = compile_signals(self.topics)
        # every needle of every signal that looks at one part of a unit: one automaton per part
        words: dict[str, dict[str, int]] = {}
        for sig in self.signals:
            for clause in sig.needles or ():
                for w in clause:
                    words.setdefault(sig.where, {}).setdefault(w, len(words[sig.where]))
        self.literals = {where: Literals(list(ws)) for where, ws in words.items()}
        self.signals = [
            replace(sig, needle_ids=tuple(frozenset(words[sig.where][w] for w in c) for c in sig.needles)
                    if sig.needles else None,
                    starts=Starts(sorted(first)) if (first := starts(sig.rx.pattern)) else None)
            for sig in self.signals]
        self.vocabulary = {ref: Vocabulary(t.vocabulary, t.vocabulary_ignore) if t.vocabulary else None
                           for ref, t in self.topics.items()}
        # below every threshold, a topic can neither win nor tie a winner, negatives or not
        self._lowest_threshold = min(t.threshold for t in self.topics.values())
        self._positive = {ref: [s for s in self.signals if s.topic == ref and s.weight > 0]
                          for ref in self.topics}
        self._negative = {ref: [s for s in self.signals if s.topic == ref and s.weight <= 0]
                          for ref in self.topics}

    def file_words(self, data: bytes) -> dict[str, tuple[list[int], list[int]] | None]:
        """The topics a file speaks, each with where (start and end byte offsets of its stems,
        ignored words left out; None for a topic without a vocabulary: every unit is tried).
        Empty when no topic could score a unit of the file, so a scan need not parse it. An
        Aho-Corasick automaton per topic finds every stem in one pass at memory speed (a regex
        alternation of the same words tries each one at every byte: 30x slower on svix)."""
        out: dict[str, tuple[list[int], list[int]] | None] = {
            ref: None for ref, v in self.vocabulary.items() if v is None}
        low = data.lower()
        for ref, v in self.vocabulary.items():
            if v is not None and (found := v.spans(low)):
                out[ref] = ([a for _, a, _ in found], [b for _, _, b in found])
        return out

    def speaks(self, unit: CodeUnit) -> list[str]:
        """The topics whose vocabulary the unit uses, in its text or its qualified name."""
        return [ref for ref, v in self.vocabulary.items()
                if v is None or v.search(unit.text) or v.search(unit.name)]

    def score(self, unit: CodeUnit, full: bool = False, topics: list[str] | None = None,
              ) -> tuple[dict[str, float], list[Signal]]:
        """Per-topic scores and the signals behind them.

        A topic is scored only when the unit speaks its vocabulary (`topics`, when given, are
        those: `route_all` finds them for a whole file at once). Negative signals and the
        long-unit penalty only argue against a candidate, so they are weighed when the positive
        evidence reaches the lowest threshold of the run's topics (below it a topic can neither
        win nor tie a winner): the decision is the same as weighing them everywhere. `full`
        weighs every signal of every topic (for judging a helper as context, where the sign of
        the net score matters)."""
        scores = {t: 0.0 for t in self.topics}
        hits: list[Signal] = []
        if topics is None:
            topics = list(self.topics) if full else self.speaks(unit)
        fields = _Fields(unit, self.literals) if topics else None
        for ref in topics:
            total = _match(self._positive[ref], fields, hits)
            t = self.topics[ref]
            if full or total >= self._lowest_threshold:
                total += _match(self._negative[ref], fields, hits)
                lines = unit.span.end_line - unit.span.start_line + 1
                if t.long_unit_lines and lines > t.long_unit_lines:
                    w = t.long_unit_weight * -(-(lines - t.long_unit_lines) // t.long_unit_lines)
                    total += w
                    hits.append(Signal(ref, f"long unit ({lines} lines)", w, f"> {t.long_unit_lines} lines"))
            scores[ref] = round(total, 2)
        return scores, hits

    def route(self, unit: CodeUnit, topics: list[str] | None = None) -> Routed:
        scores, hits = self.score(unit, topics=topics)
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
        best, top = ranked[0]
        second = ranked[1][1] if len(ranked) > 1 else float("-inf")
        threshold = self.topics[best].threshold
        if top < threshold:
            return Routed(unit, scores, hits, None, f"no topic reaches its threshold ({best} {top:g} < {threshold:g})")
        if second == top:
            tied = [t for t, s in ranked if s == top]
            return Routed(unit, scores, hits, None, f"tie at {top:g}, so no agent: "
                          + "; ".join(f"{t} ({_strongest(hits, t)})" for t in tied))
        agent = self.owner.get(best)
        rival = ranked[1][0] if len(ranked) > 1 else None
        note = ""
        if rival is not None and second >= self.topics[rival].threshold / 2:
            # The unit shows both topics: say which side dominated, and with what.
            near = "near tie — " if top - second < NEAR_TIE else ""
            note = (f"{near}mixes {best} and {rival}; {best} dominates {top:g} vs {second:g}: "
                    f"{best} ({_strongest(hits, best)}) outweighs {rival} ({_strongest(hits, rival)})")
        if agent is None:
            why = f"belongs to {best}, which no agent in this run owns"
            return Routed(unit, scores, hits, None, f"{why}; {note}" if note else why)
        return Routed(unit, scores, hits, agent, note or f"{best} wins {top:g} vs {second:g}")

    def route_all(self, units: list[CodeUnit], data: bytes | None = None,
                  words: dict[str, tuple[list[int], list[int]] | None] | None = None,
                  ) -> list[Routed]:
        """Route the units of one file (`data`, when given, is the file's bytes: the vocabulary
        is then found once in the file, `words` if already known, and a unit speaks a topic when
        one of the file's stems lies within its byte span; the same answer as searching the
        unit alone, since units begin and end at token boundaries). A unit kept out only by its
        length (its topic part is a few lines of a long body) gets a note naming the complete
        nested units (a const, a closure) that carry that topic on their own: the focused
        pieces, never a cut."""
        if (data is None and words is None) or not units:
            routed = [self.route(u) for u in units]
        else:
            if words is None:
                words = self.file_words(data)
            spoken = [(ref, words[ref]) for ref in self.topics if ref in words]  # in topic order
            routed = [self.route(u, [ref for ref, where in spoken
                                     if where is None or _inside(where, u.span.start_byte, u.span.end_byte)
                                     or self.vocabulary[ref].search(u.name)])
                      for u in units]
        for r in routed:
            if r.agent is not None:
                continue
            for ref, t in self.topics.items():
                penalty = sum(s.weight for s in r.signals if s.topic == ref and s.name.startswith("long unit"))
                if not penalty or r.scores[ref] - penalty < t.threshold:
                    continue
                inner = [o for o in routed if o is not r and r.unit.span.contains(o.unit.span)
                         and o.agent is not None and o.agent == self.owner.get(ref)]
                if inner:
                    names = ", ".join(o.unit.name for o in inner)
                    r.note += f"; narrowed: its {ref} part is routed as the nested unit(s) {names}"
        return routed


def _inside(where: tuple[list[int], list[int]], start: int, end: int) -> bool:
    """Whether one of the (sorted) stem spans lies within [start, end)."""
    starts, ends = where
    i = bisect_left(starts, start)
    return i < len(starts) and ends[i] <= end


class _Fields:
    """The parts of a unit signals look at, built once and only for units some topic scores."""

    __slots__ = ("code", "comment", "found", "ident", "literals", "lowered", "member", "name",
                 "owner", "path", "scope", "string")

    def __init__(self, unit: CodeUnit, literals: dict[str, Literals]) -> None:
        self.code = code_only(unit)
        self.comment = "\n".join(unit.comments)
        self.string = "\n".join(unit.strings)
        self.path = unit.path
        self.scope = _scope(unit)
        self.owner = self.scope.rsplit(".", 1)[-1]
        self.member = f"{self.owner}.{unit.short_name}" if self.owner else unit.short_name
        # a generic method name (`__call__`, `next`) is led by its type's name
        generic = unit.short_name.lower() in GENERIC_NAMES
        self.name = self.member if generic else unit.short_name
        self.ident = "\n".join(sorted(set(IDENT.findall(self.code))))
        self.lowered: dict[str, str] = {}
        self.found: dict[str, set[int] | None] = {}
        self.literals = literals

    def lower(self, where: str) -> str:
        low = self.lowered.get(where)
        if low is None:
            low = self.lowered[where] = getattr(self, where).lower()
        return low

    def present(self, where: str) -> set[int] | None:
        """The needles found in one part (see `Literals.present`), once per part."""
        if where not in self.found:
            self.found[where] = self.literals[where].present(self.lower(where))
        return self.found[where]


GENERIC_NAMES = frozenset({"__call__", "__next__", "__iter__", "call", "invoke", "apply", "next",
                           "get", "compute", "calculate", "value", "run", "execute", "do", "handle",
                           "enumerate", "generate", "iterator", "sequence"})
"""Method names that say nothing of what the method is about: its type's name speaks for it."""


def _scope(unit: CodeUnit) -> str:
    """The names that enclose the unit, outermost first, dot-joined whatever the language's
    separator (read off its qualified name, so a Go method's receiver type counts too), or ""
    at top level."""
    return unit.name[:-len(unit.short_name)].rstrip(".:").replace("::", ".")


def _may_match(sig: _Compiled, fields: _Fields) -> bool:
    """False when a clause of the signal's needles has no literal in the field: no match."""
    if sig.needle_ids is None:
        return True
    found = fields.present(sig.where)
    return found is None or all(not found.isdisjoint(c) for c in sig.needle_ids)


def _match(signals: list[_Compiled], fields: _Fields, hits: list[Signal]) -> float:
    """Sum the weights of the signals that match, recording each hit. A signal whose literal
    needles are all absent cannot match, so its regex is skipped."""
    total = 0.0
    for sig in signals:
        if not _may_match(sig, fields):
            continue
        value = getattr(fields, sig.where)
        m = sig.starts.search(sig.rx, value, fields.lower(sig.where)) if sig.starts else sig.rx.search(value)
        if m and (sig.unless is None or not sig.unless.search(getattr(fields, sig.unless_where))):
            total += sig.weight
            hits.append(Signal(sig.topic, sig.name, sig.weight, _show(m, value, sig.where)))
    return total


def _strongest(hits: list[Signal], topic: str, n: int = 3) -> str:
    """The topic's heaviest positive signals, for a note a person can check."""
    top = sorted((s for s in hits if s.topic == topic and s.weight > 0), key=lambda s: -s.weight)[:n]
    return ", ".join(f"{s.name} {s.weight:+g}" for s in top) or "no positive signal"


def _show(m: re.Match, value: str, where: str) -> str:
    if where in ("name", "owner", "ident", "path"):
        # the whole identifier (the line of the joined text) the match fell in
        start = value.rfind("\n", 0, m.start()) + 1
        end = value.find("\n", m.end())
        return value[start:end if end >= 0 else len(value)]
    # a little context on each side, widened to whole words (never cut mid-token)
    start, end = max(0, m.start() - 12), min(len(value), m.end() + 12)
    while start > 0 and not value[start - 1].isspace() and m.start() - start < 30:
        start -= 1
    while end < len(value) and not value[end].isspace() and end - m.end() < 30:
        end += 1
    return " ".join(value[start:end].split())
