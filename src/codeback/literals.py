"""Literal prefilters for routing's regular expressions, and the word automata behind them.

A regex over every unit is most of what routing costs, so each signal carries what can be read
off its pattern: the literals every match contains (`needles`, checked first: a unit lacking
them is skipped) and the literals every match begins with (`starts`: the regex is only tried
where one occurs). Both are exact: they never change an answer, only how fast it comes.
Aho-Corasick automata (ahocorasick-rs) find many words in one pass at memory speed.
"""

from __future__ import annotations

import re
from bisect import bisect_right

Clauses = tuple[frozenset[str], ...]
"""Needles in conjunctive form: every match contains a literal of each clause (lower-cased)."""

_MAX_COMBOS = 32


def needles(pattern: str) -> Clauses | None:
    """The literals a match of `pattern` must contain, as clauses that must all hold (each: one
    of these strings), or None when nothing can be read off the pattern. Testing them first is
    exact: text that fails a clause cannot match, and the regex is skipped (`Literals` finds
    every needle of a text in one pass, the regex runs at a fraction of that speed). Clauses, not a single set: `*`
    near an attempt counter needs both a `*` and an attempt word, which prunes far more."""
    from itertools import product
    from re import _constants as C
    from re import _parser

    def seq(items) -> list[frozenset[str]]:
        out: list[frozenset[str]] = []
        run: list[str] = []
        for op, av in items:
            if op is C.LITERAL and av < 128:
                run.append(chr(av))
                continue
            if run:
                out.append(frozenset({"".join(run).lower()}))
                run = []
            if op is C.SUBPATTERN:
                out += seq(av[-1])
            elif op is C.BRANCH:
                branches = [seq(b) for b in av[1]]
                if all(branches):
                    out += _either(branches)
            elif op in (C.MAX_REPEAT, C.MIN_REPEAT) and av[0] >= 1:
                out += seq(av[2])
        if run:
            out.append(frozenset({"".join(run).lower()}))
        return out

    def _either(branches: list[list[frozenset[str]]]) -> list[frozenset[str]]:
        """(a1 and a2) or (b1 and b2) = every union of one clause from each branch."""
        n = 1
        for b in branches:
            n *= len(b)
        if n > _MAX_COMBOS:  # keep each branch's most selective clause only
            branches = [[max(b, key=lambda c: min(map(len, c)))] for b in branches]
        return [frozenset().union(*combo) for combo in product(*branches)]

    try:
        clauses = set(seq(_parser.parse(pattern)))
    except Exception:  # noqa: BLE001 - an unusual pattern just gets no prefilter
        return None
    # a clause that holds another is implied by it; rarer (longer) literals first
    kept = [c for c in clauses if not any(o < c for o in clauses)]
    kept.sort(key=lambda c: (-min(map(len, c)), sorted(c)))
    return tuple(kept) or None


def starts(pattern: str, shortest: int = 2) -> frozenset[str] | None:
    """The literals (lower-cased) one of which every match of `pattern` begins with, after any
    zero-width assertions (`\\b`, `^`, lookarounds); None when some branch begins otherwise (a
    class, a repeat) or with a literal shorter than `shortest` (too common to be worth it)."""
    from re import _constants as C
    from re import _parser

    def first(items) -> set[str] | None:
        items = list(items)
        i = 0
        while i < len(items) and items[i][0] in (C.AT, C.ASSERT, C.ASSERT_NOT):
            i += 1
        if i == len(items):
            return None
        op, av = items[i]
        if op is C.LITERAL and av < 128:
            run = ""
            while i < len(items) and items[i][0] is C.LITERAL and items[i][1] < 128:
                run += chr(items[i][1])
                i += 1
            return {run.lower()}
        if op is C.SUBPATTERN:
            return first(av[-1])
        if op is C.BRANCH:
            out: set[str] = set()
            for branch in av[1]:
                if (f := first(branch)) is None:
                    return None
                out |= f
            return out
        return None

    try:
        found = first(_parser.parse(pattern))
    except Exception:  # noqa: BLE001 - an unusual pattern is just searched as it is
        return None
    return frozenset(found) if found and min(map(len, found)) >= shortest else None


class Automaton:
    """Aho-Corasick over a word list, rebuilt after pickling (the compiled automaton does not
    pickle; spawned workers get the words)."""

    __slots__ = ("words", "_ac")

    def __init__(self, words: list[str]) -> None:
        self.words = words
        self._ac = self._build()

    def _build(self):
        raise NotImplementedError

    def __getstate__(self):
        return self.words

    def __setstate__(self, words: list[str]) -> None:
        self.words = words
        self._ac = self._build()


class Vocabulary(Automaton):
    """A topic's stems, searched in ASCII-lower-cased UTF-8, so a file's bytes (lowered once) and
    a unit's text give the same answer. An ignored word hides the stems that lie wholly inside
    one of its occurrences (`wait` in `await`; not `stop` in `entriesToProcess`, which only
    overlaps `entries`). The automaton reports every occurrence of stems and ignored words; the
    stems left are then taken leftmost first, longest first, without overlap."""

    __slots__ = ("stems", "longest_ignored")

    def __init__(self, stems: list[str], ignore: list[str]) -> None:
        ignored = sorted(set(ignore))
        kept = sorted(set(stems) - set(ignored))  # a stem that is ignored itself never counts
        self.stems = len(kept)
        self.longest_ignored = max(map(len, ignored), default=0)
        super().__init__(kept + ignored)

    def _build(self):
        from ahocorasick_rs import BytesAhoCorasick

        return BytesAhoCorasick([w.encode() for w in self.words])

    def __getstate__(self):
        return self.words, self.stems, self.longest_ignored

    def __setstate__(self, state) -> None:
        words, self.stems, self.longest_ignored = state
        super().__setstate__(words)

    def spans(self, low: bytes) -> list[tuple[int, int, int]]:
        """(stem index, start, end) of each stem in lower-cased bytes."""
        n = self.stems
        found = self._ac.find_matches_as_indexes(low, overlapping=True)
        hiding = sorted((a, b) for i, a, b in found if i >= n)
        starts = [a for a, _ in hiding]
        out: list[tuple[int, int, int]] = []
        last = 0
        for i, a, b in sorted((m for m in found if m[0] < n), key=lambda m: (m[1], -m[2])):
            if a < last or self._hidden(hiding, starts, a, b):
                continue
            out.append((i, a, b))
            last = b
        return out

    def _hidden(self, hiding: list[tuple[int, int]], starts: list[int], a: int, b: int) -> bool:
        """Whether an ignored word's occurrence holds [a, b): only those starting at most the
        longest ignored word's length before `a` can."""
        j = bisect_right(starts, a) - 1
        while j >= 0 and starts[j] >= a - self.longest_ignored:
            if hiding[j][1] >= b:
                return True
            j -= 1
        return False

    def search(self, text: str) -> bool:
        return bool(self.spans(text.encode().lower()))


class Literals(Automaton):
    """The needles of every signal that looks at one part of a unit, found in one pass: which
    are present is then a set lookup per clause, not a substring scan per needle. One-character
    needles (`*`, `(`) are left to `in` (a memchr each): in the automaton, with every
    occurrence reported, they made nine matches in ten."""

    __slots__ = ("_ids", "_chars")

    def _build(self):
        from ahocorasick_rs import AhoCorasick

        self._ids = [i for i, w in enumerate(self.words) if len(w) > 1]
        self._chars = [(i, w) for i, w in enumerate(self.words) if len(w) == 1]
        return AhoCorasick([self.words[i] for i in self._ids])

    def present(self, low: str) -> set[int] | None:
        """Indexes of the needles in lower-cased text; None (anything may match) for non-ASCII
        text: with case folding, `re` matches ASCII letters against a few other characters (ı,
        ſ, K) that lowering keeps apart."""
        if not low.isascii():
            return None
        ids = self._ids
        found = {ids[i] for i, _, _ in self._ac.find_matches_as_indexes(low, overlapping=True)}
        found.update(i for i, c in self._chars if c in low)
        return found


class Starts(Automaton):
    """Where a regex can begin, for a pattern whose every match begins with one of these
    literals: the regex is tried only there (`match` at each place, leftmost first), which finds
    the very match `search` would. `search` itself tries every alternative at every character
    when a pattern is case-insensitive or opens with `\\b`: five to ten times slower on svix."""

    __slots__ = ()

    def _build(self):
        from ahocorasick_rs import AhoCorasick

        return AhoCorasick(self.words)

    def search(self, rx: re.Pattern, value: str, low: str) -> re.Match | None:
        """`rx.search(value)`; `low` is `value` lower-cased (same offsets when ASCII)."""
        if not low.isascii():
            return rx.search(value)
        for at in sorted({s for _, s, _ in self._ac.find_matches_as_indexes(low, overlapping=True)}):
            if m := rx.match(value, at):
                return m
        return None

