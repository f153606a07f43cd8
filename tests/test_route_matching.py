"""How signals are matched: the literal needles and match starts that let routing skip work are
exact (checked on every fixture unit), vocabulary stems and ignored words, and names read with
their type's name."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from codeback.extract import extract_file
from support import units_of

FIXTURE = Path(__file__).parent / "fixtures" / "routing"
BJ = "svix-backoff-jitter"


def test_a_generic_method_name_is_read_with_its_types_name(router):
    src = b'''import random


class wait_random:
    """Wait a random time between two bounds."""

    def __init__(self, low: float, high: float) -> None:
        self.low, self.high = low, high

    def __call__(self, attempt: int) -> float:
        return self.low + random.random() * (self.high - self.low)
'''
    units = units_of("pkg/waits.py", src)
    r = router.route(units["wait_random.__call__"])
    assert "backoff-jitter:delay-like name +3 (wait_random.__call__)" in r.reasons()
    assert r.agent == BJ, (r.scores, r.reasons())


def holds(clauses, low: str) -> bool:
    """The needles' meaning, as plain substring tests: the oracle the automaton is held to.
    Only ASCII text is judged (case folding in `re` reaches a few non-ASCII characters)."""
    return not low.isascii() or all(any(n in low for n in c) for c in clauses)


def _fixture_units():
    """Every unit of the routing fixtures and the bundled sample, test code included."""
    sample = Path(__file__).parents[1] / "src" / "codeback" / "sample" / "webhook-delivery"
    for root in (FIXTURE, sample):
        for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix not in (".md",)):
            yield from extract_file(path.relative_to(root).as_posix(), path.read_bytes(), False).units


def test_signal_needles_never_skip_a_match(router):
    """The literal prefilter is exact: wherever a signal's regex matches a unit's field, the
    field holds a literal of every clause (checked on every fixture unit and the sample)."""
    from codeback.route import _Fields, _may_match

    checked = pruned = 0
    for u in _fixture_units():
        fields = _Fields(u, router.literals)
        for sig in router.signals:
            value = getattr(fields, sig.where)
            if sig.needles is None:
                continue
            # the automaton answers as substring tests would
            assert _may_match(sig, fields) == holds(sig.needles, value.lower()), (sig.name, u.key)
            pruned += not _may_match(sig, fields)
            if sig.rx.search(value):
                assert holds(sig.needles, value.lower()), (sig.name, u.key)
                checked += 1
    assert checked > 500 and pruned > 5000


def test_searching_only_where_a_match_can_begin_finds_what_search_finds(router):
    """A signal whose every match begins with one of a few literals is tried only where one
    occurs: on every fixture unit and every part, the match is the one `search` finds."""
    from codeback.route import _Fields

    fast = [sig for sig in router.signals if sig.starts is not None]
    assert len(fast) > 20  # most signals qualify (case-insensitive prose, names, ...)
    compared = found = 0
    for u in _fixture_units():
        fields = _Fields(u, router.literals)
        for sig in fast:
            value = getattr(fields, sig.where)
            want = sig.rx.search(value)
            got = sig.starts.search(sig.rx, value, fields.lower(sig.where))
            assert (got and got.span()) == (want and want.span()), (sig.name, u.key)
            compared += 1
            found += want is not None
    assert compared > 10000 and found > 300


def test_starts_reads_the_literals_a_match_begins_with():
    from codeback.literals import starts

    assert starts(r"(?i)(\bthrow\s+e|return\s+err|exhausted)") == {"throw", "return", "exhausted"}
    assert starts(r"(?<![\w.])sleep\(") == {"sleep("}
    assert starts(r"[\w)]\s*\*\*") is None  # a class opens it: no literal to look for
    assert starts(r"(ab|c)d") is None  # `c` is too short to be worth the lookup


def test_needles_are_clauses_that_must_all_hold():
    from codeback.literals import needles

    assert needles(r"(?i)\*\s*\w*attempt") == (frozenset({"attempt"}), frozenset({"*"}))
    # (a and b) or cd  =  (a or cd) and (b or cd)
    assert set(needles(r"a+b|cd")) == {frozenset({"a", "cd"}), frozenset({"b", "cd"})}
    assert needles(r"\w+") is None


@pytest.mark.parametrize("text,speaks", [
    ("let x = client.send().await?;", False),        # `await` hides `wait`
    ("fn wait_for(d: Duration)", True),
    ("await sleep(1); waitTime += 1", True),          # a real `wait` after an `await`
    ("msg.ListOptions{}", False),                      # `listoption` hides `stop`
    ("let entries = vec![];", False),                  # `entries` hides `tries`
    ("retries += 1", True),
    ("entriesToProcess := q.Len()", True),             # `stop` only overlaps `entries`: it counts
    ("let awaitstop = 1;", True),                      # `stop` follows `await`, `wait` is hidden
])
def test_ignored_words_hide_only_the_stems_inside_them(text, speaks):
    from codeback.literals import Vocabulary

    v = Vocabulary(["wait", "stop", "tries", "retr"], ["await", "listoption", "entries"])
    assert v.search(text) is speaks
    # a file's bytes give the same answer as the text alone
    assert bool(v.spans(text.encode().lower())) is speaks


def test_weighing_negatives_only_for_candidates_decides_as_weighing_them_all(router):
    """Topics have different thresholds (3.5 and 5): a topic below its own threshold still has
    its negatives weighed when it could outrank another topic's candidate."""
    src = b"""def step(attempt, retry, max_n, jitter):
    if attempt >= max_n:
        return None
    return timedelta(seconds=jitter)
"""
    unit_ = extract_file("lib/step.py", src).units[0]
    full, _ = router.score(unit_, full=True)
    r = router.route(unit_)
    assert r.scores == full  # both topics reach the lowest threshold: everything is weighed
    assert r.agent == BJ, (r.scores, r.note)


@pytest.mark.parametrize("pattern,text", [
    (r"(?i)(jitter|randomi[sz](e|ation))", "jıtter"),   # dotless i folds onto i
    (r"(?i)sleep", "ſleep"),                              # long s folds onto s
    ("Σ", "ΑΣ"),                                           # a final sigma lowers differently
])
def test_needles_never_skip_a_match_on_non_ascii_text(pattern, text):

    from codeback.literals import Literals, needles

    assert re.search(pattern, text)
    clauses = needles(pattern)
    assert clauses is None or holds(clauses, text.lower())
    if clauses:  # the automaton does not judge such text either: every needle may be there
        assert Literals(sorted(set().union(*clauses))).present(text.lower()) is None
