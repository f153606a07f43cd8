"""Routing between agents: decisions on labelled fixture units in several languages (both topics
and hard negatives), a user's own topic file, `--explain` and `--coverage` through the CLI, and
never two agents for one unit."""

from __future__ import annotations

import importlib.util
import re
import tomllib
from pathlib import Path

import orjson
import pytest

from codeback.coverage import coverage, render
from codeback.extract import extract_file
from codeback.scan import scan
from codeback.route import Router
from codeback.source import open_source
from codeback.spec import load_spec, load_topic, resolve_agents
from support import cli, make_repo

FIXTURE = Path(__file__).parent / "fixtures" / "routing"
LABELS = {k: set(v.split("|")) for k, v in
          tomllib.loads((FIXTURE / "labels.toml").read_text())["labels"].items()}
SVIX = ["svix-backoff-jitter", "svix-retry-state-machine"]
BJ, SM = "svix-backoff-jitter", "svix-retry-state-machine"


@pytest.fixture(scope="module")
def router() -> Router:
    return Router(resolve_agents(SVIX))


def unit(path: str, name: str, exclude_tests: bool = True):
    fu = extract_file(path, (FIXTURE / path).read_bytes(), exclude_tests)
    found = [u for u in fu.units if u.name == name]
    assert found, f"{path} has no unit {name}: {[u.name for u in fu.units]}"
    return found[0]


def topic_of(r, router: Router) -> str:
    return next((a.topic for a in router.agents if a.name == r.agent), "none")


@pytest.mark.parametrize("key", sorted(LABELS))
def test_every_labelled_unit_goes_where_its_label_says(key, router):
    path, name = key.split("::", 1)
    r = router.route(unit(path, name))
    assert topic_of(r, router) in LABELS[key], (r.scores, r.note, r.reasons())


@pytest.mark.parametrize("path,name,agent", [
    # delay computation, one per language
    ("rust/src/backoff.rs", "add_jitter", BJ),
    ("rust/src/backoff.rs", "retry_after", BJ),
    ("python/retrylib/wait.py", "expo", BJ),
    ("go/retry/backoff.go", "ExponentialBackOff.NextBackOff", BJ),
    ("ts/src/delay.ts", "computeDelay", BJ),
    ("java/src/main/java/com/acme/http/Backoff.java", "Backoff.withJitter", BJ),
    ("kotlin/src/main/kotlin/Delays.kt", "backoffMillis", BJ),
    ("ruby/lib/backoff.rb", "Acme.Backoff.delay", BJ),
    # retry control flow
    ("rust/src/deliver.rs", "deliver_with_retries", SM),
    ("python/retrylib/control.py", "Retrying.__call__", SM),
    ("go/retry/retry.go", "Do", SM),
    ("ts/src/retry.ts", "sendWithRetry", SM),
    ("java/src/main/java/com/acme/http/RetryingClient.java", "RetryingClient.execute", SM),
    ("kotlin/src/main/kotlin/Delays.kt", "retrying", SM),
    # hard negatives: pollers with a fixed sleep, rate limiters, cache TTLs, timeouts, log lines,
    # test helpers named like the state machine
    ("rust/src/misc.rs", "poll_queue_depth", None),
    ("python/retrylib/misc.py", "poll_job", None),
    ("ts/src/misc.ts", "pollUntilReady", None),
    ("java/src/main/java/com/acme/http/Misc.java", "Misc.pollHealth", None),
    ("ruby/lib/backoff.rb", "Acme.wait_for_job", None),
    ("rust/src/misc.rs", "TokenBucket::try_acquire", None),
    ("python/retrylib/misc.py", "RateLimiter.acquire", None),
    ("go/retry/misc.go", "Limiter.Allow", None),
    ("ts/src/misc.ts", "TokenBucket.take", None),
    ("rust/src/misc.rs", "settings_ttl", None),
    ("python/retrylib/misc.py", "cache_ttl", None),
    ("ts/src/misc.ts", "cacheExpiry", None),
    ("rust/src/misc.rs", "REQUEST_TIMEOUT", None),
    ("go/retry/misc.go", "DefaultTimeout", None),
    ("java/src/main/java/com/acme/http/Misc.java", "Misc.CONNECT_TIMEOUT", None),
    ("rust/src/misc.rs", "log_failed_delivery", None),
    ("python/retrylib/misc.py", "report_failure", None),
    ("go/retry/misc.go", "logRetry", None),
    ("python/retrylib/testing.py", "run_with_retries", None),
    ("go/internal/testutil/retry.go", "RunWithRetries", None),
])
def test_routing_decisions(path, name, agent, router):
    r = router.route(unit(path, name))
    assert r.agent == agent, (r.scores, r.note, r.reasons())


def test_test_code_never_reaches_an_agent(router):
    # Test files are dropped by extraction; even when kept, the router sends them nowhere.
    for path, name in [("rust/tests/support.rs", "run_with_retries"),
                       ("python/tests/test_wait.py", "test_expo_doubles"),
                       ("python/tests/test_wait.py", "test_full_jitter_in_range")]:
        assert extract_file(path, (FIXTURE / path).read_bytes()).units == []
        r = router.route(unit(path, name, exclude_tests=False))
        assert r.agent is None, (path, name, r.scores, r.reasons())


def test_mixed_unit_goes_to_the_dominant_topic_and_says_so(router):
    # A loop that computes its own doubling, jittered, capped delay: the delay logic dominates.
    r = router.route(unit("rust/src/backoff.rs", "ping_until_up"))
    assert r.agent == BJ
    assert "mixes backoff-jitter and retry-state-machine; backoff-jitter dominates" in r.note
    assert "random draw +3" in r.note and "loop around a sleep or await +2.5" in r.note
    # A loop that calls delay functions defined elsewhere: the control flow dominates.
    r = router.route(unit("rust/src/deliver.rs", "deliver_with_retries"))
    assert r.agent == SM
    assert "retry-state-machine dominates" in r.note and "should-retry predicate +4" in r.note


def test_reasons_name_every_signal_with_its_weight(router):
    r = router.route(unit("go/retry/backoff.go", "RetryAfter"))
    reasons = r.reasons("backoff-jitter")
    assert 'backoff-jitter:retry-after header literal +2 ("Retry-After")' in reasons
    assert "backoff-jitter:delay-like name +3 (RetryAfter)" in reasons
    assert any(x.startswith("backoff-jitter:overload status +1 (") for x in reasons)
    assert sum(s.weight for s in r.signals if s.topic == "backoff-jitter") == r.scores["backoff-jitter"]


def test_a_sibling_topic_wins_even_when_its_agent_is_not_running():
    alone = Router([load_spec("svix-backoff-jitter")])  # the sibling's topic is still scored
    r = alone.route(unit("rust/src/deliver.rs", "deliver_with_retries"))
    assert r.agent is None and "retry-state-machine" in r.note


def _user_topic(tmp_path: Path) -> Path:
    topic = tmp_path / "circuit.toml"
    topic.write_text('''
name = "circuit-breaker"
description = "breakers that stop calls after repeated failures"
threshold = 4

[[signals]]
name = "breaker in the name"
where = "name"
pattern = '(?i)circuit|breaker'
weight = 4

[[signals]]
name = "failure counter"
where = "ident"
pattern = '(?i)^failures$'
weight = 2
''')
    return topic


def test_a_user_topic_file_routes_units_to_a_new_agent(tmp_path):
    topic = _user_topic(tmp_path)
    spec = tmp_path / "breaker-agent.toml"
    spec.write_text(f'''
name = "acme-circuit-breaker"
system_prompt = "You are an expert in circuit breakers."
topic = "{topic}"
exclude_topics = ["retry-state-machine", "backoff-jitter"]
''')
    router = Router(resolve_agents([str(spec), *SVIX]))
    r = router.route(unit("ts/src/retry.ts", "CircuitBreaker"))
    assert r.agent == "acme-circuit-breaker", (r.scores, r.reasons())
    assert r.scores[str(topic)] == 6  # scores are keyed by the spec's topic reference
    assert f"{topic}:breaker in the name +4 (CircuitBreaker)" in r.reasons()
    # the other agents keep their units
    assert router.route(unit("ts/src/delay.ts", "computeDelay")).agent == BJ
    assert router.route(unit("ts/src/retry.ts", "sendWithRetry")).agent == SM


def test_exact_tie_goes_to_nobody_and_names_both_sides(tmp_path):
    a, b = tmp_path / "a.toml", tmp_path / "b.toml"
    for path, name in [(a, "topic-a"), (b, "topic-b")]:
        path.write_text(f'name = "{name}"\nthreshold = 1\n[[signals]]\nname = "jitter"\n'
                        f"where = \"ident\"\npattern = '(?i)jitter'\nweight = 3\n")
    specs = []
    for path, name in [(a, "agent-a"), (b, "agent-b")]:
        s = tmp_path / f"{name}.toml"
        s.write_text(f'name = "{name}"\nsystem_prompt = "x"\ntopic = "{path}"\n')
        specs.append(str(s))
    r = Router(resolve_agents(specs)).route(unit("ts/src/delay.ts", "fullJitter"))
    assert r.agent is None
    assert r.note.startswith("tie at 3, so no agent:") and str(a) in r.note and str(b) in r.note


def test_long_unit_notes_its_focused_nested_piece(router):
    filler = "\n".join(f"    step_{i}(&conn).await;" for i in range(400))
    src = f"""use std::time::Duration;

pub async fn serve(conn: Conn) {{
    const MAX_BACKOFF: Duration = Duration::from_secs(30);
    let mut backoff = Duration::from_millis(100);
{filler}
    backoff = (backoff * 2).min(MAX_BACKOFF);
    let jitter = rand::thread_rng().gen_range(0..100);
    tokio::time::sleep(backoff + Duration::from_millis(jitter)).await;
}}
"""
    fu = extract_file("src/serve.rs", src.encode())
    routed = {r.unit.name: r for r in router.route_all(fu.units)}
    assert routed["serve::MAX_BACKOFF"].agent == BJ
    outer = routed["serve"]
    assert outer.agent is None, outer.scores
    assert "narrowed: its backoff-jitter part is routed as the nested unit(s) serve::MAX_BACKOFF" in outer.note


@pytest.fixture(scope="module")
def fixture_repo(tmp_path_factory) -> Path:
    return make_repo(tmp_path_factory.mktemp("routing") / "repo", FIXTURE)


def test_explain_shows_signals_weights_scores_and_the_decision(fixture_repo):
    line = next(i for i, text in enumerate((FIXTURE / "rust/src/backoff.rs").read_text().splitlines(), 1)
                if "pub async fn ping_until_up" in text)
    r = cli("scan", "--repo", fixture_repo, "--spec", "svix-backoff-jitter",
            "--explain", f"rust/src/backoff.rs:{line + 3}")
    assert r.code == 0, r.err
    out = r.out
    assert out.startswith(f"rust/src/backoff.rs:{line - 2}-")  # the unit with its doc comment
    assert "function ping_until_up" in out
    assert "  backoff-jitter (svix-backoff-jitter): 14.5, threshold 3.5" in out
    assert "  retry-state-machine (svix-retry-state-machine): 2.5, threshold 5" in out
    assert "    +3  random draw: " in out
    assert "    +2.5  doubling or power growth: " in out
    assert "    +2.5  loop around a sleep or await: " in out
    assert "  routed to: svix-backoff-jitter — mixes backoff-jitter and retry-state-machine; " \
           "backoff-jitter dominates 14.5 vs 2.5" in out


def test_explain_on_a_hard_negative_says_why_nobody_gets_it(fixture_repo):
    line = next(i for i, text in enumerate((FIXTURE / "python/retrylib/misc.py").read_text().splitlines(), 1)
                if text.startswith("def cache_ttl"))
    r = cli("scan", "--repo", fixture_repo, "--explain", f"python/retrylib/misc.py:{line + 2}")
    assert r.code == 0, r.err
    assert "function cache_ttl" in r.out
    # its doubling would score, but it never speaks of retries or delays: not scored at all
    assert "    not scored: the unit uses none of the topic's words (retr, backoff, " in r.out
    assert "    +2.5  doubling or power growth: " in r.out and "(not counted)" in r.out
    assert "    -4  cache or connection lifetime, or expiry: cache_ttl  (not counted)" in r.out
    assert "routed to: none — no topic reaches its threshold" in r.out


def _fixture_files():
    return sorted(p.relative_to(FIXTURE).as_posix() for p in FIXTURE.rglob("*")
                  if p.is_file() and p.suffix not in (".toml", ".md"))


def test_routing_a_whole_file_decides_exactly_as_unit_by_unit(router):
    """The file-level vocabulary search (what scans use) is an optimisation, never a change."""
    checked = 0
    for path in _fixture_files():
        data = (FIXTURE / path).read_bytes()
        units = extract_file(path, data, False).units
        by_file = router.route_all(units, data)
        one_by_one = router.route_all(units)
        for a, b in zip(by_file, one_by_one, strict=True):
            assert (a.agent, a.scores, a.reasons(), a.note) == (b.agent, b.scores, b.reasons(), b.note), a.unit.key
            checked += 1
    assert checked > 100


def test_every_unit_labelled_with_a_topic_speaks_its_vocabulary(router):
    """The vocabulary gate must cost no recall: a unit whose label accepts a topic uses one of
    that topic's words (in its text or its qualified name)."""
    for key, accepted in LABELS.items():
        path, name = key.split("::", 1)
        spoken = router.speaks(unit(path, name))
        for topic in accepted - {"none"}:
            assert topic in spoken, f"{key} is labelled {topic} but uses none of its words"


def test_negative_signals_only_argue_against_a_candidate(router):
    r = router.route(unit("java/src/main/java/com/acme/http/RetryingClient.java",
                          "RetryingClient.RetryingClient"))
    full, every = router.score(r.unit, full=True)
    assert r.agent is None
    assert all(s.weight > 0 for s in r.signals)  # below every threshold: negatives not weighed
    assert any(s.weight < 0 and s.topic == "backoff-jitter" for s in every)  # though some match
    assert r.scores["backoff-jitter"] == 2 and full["backoff-jitter"] == -1


@pytest.mark.parametrize("extra,message", [
    ('vocabulary = ["Retry"]', "vocabulary word 'Retry' must be non-empty lower-case ASCII"),
    ('vocabulary = ["retr"]\nvocabulary_ignore = ["await"]', "vocabulary_ignore word 'await' holds no vocabulary stem"),
])
def test_a_bad_vocabulary_is_one_line_naming_the_file(tmp_path, extra, message):
    from codeback.errors import SpecError
    from codeback.spec import load_topic

    path = tmp_path / "t.toml"
    path.write_text(f'name = "t"\n{extra}\n[[signals]]\nname = "x"\nwhere = "name"\n'
                    f"pattern = 'x'\nweight = 1\n")
    with pytest.raises(SpecError) as e:
        load_topic(str(path))
    assert str(path) in str(e.value) and message in str(e.value) and "\n" not in str(e.value)


def test_two_specs_never_give_one_unit_two_agents(fixture_repo):
    r = cli("scan", "--repo", fixture_repo, "--json", "--spec", SVIX[0], "--spec", SVIX[1])
    assert r.code == 0, r.err
    rows = [orjson.loads(x) for x in r.out.splitlines()]
    keys = [(d["path"], d["kind"], d["name"], d["start_line"]) for d in rows]
    assert len(keys) == len(set(keys))  # one line, so one agent, per unit
    by_agent = {a: {k for k, d in zip(keys, rows) if d["agent"] == a} for a in SVIX}
    assert by_agent[BJ] and by_agent[SM] and not by_agent[BJ] & by_agent[SM]
    for d in rows:
        assert d["agent"] in (None, *SVIX)
    # the same run from the other agent's side routes every unit identically
    other = cli("scan", "--repo", fixture_repo, "--json", "--spec", SVIX[1])
    assert [orjson.loads(x)["agent"] for x in other.out.splitlines()] == [d["agent"] for d in rows]


def test_coverage_per_agent_and_empty_seed_files(tmp_path):
    spec = tmp_path / "bj.toml"
    spec.write_text('name = "fixture-bj"\nsystem_prompt = "x"\ntopic = "backoff-jitter"\n'
                    'exclude_topics = ["retry-state-machine"]\n'
                    'seed_files = ["rust/src/deliver.rs", "rust/src/backoff.rs", "rust/src/gone.rs"]\n')
    agents = resolve_agents([str(spec)])
    source = open_source(str(FIXTURE))
    cov = coverage(source, agents, scan(source, Router(agents), workers=1))
    a = cov["agents"]["fixture-bj"]
    assert a["units"] == sum(a["files"].values()) == sum(a["languages"].values())
    assert {"rust", "python", "go", "typescript", "java", "kotlin", "ruby"} <= set(a["languages"])
    assert a["files"]["rust/src/backoff.rs"] == 9
    assert a["empty_seed_files"] == ["rust/src/deliver.rs", "rust/src/gone.rs"]
    deliver = next(s for s in a["seed_files"] if s["path"] == "rust/src/deliver.rs")
    assert deliver["status"] == "holds nothing for it"
    assert deliver["holds"]["(no agent)"] >= 4  # the state machine's topic has no agent here
    text = render(cov)
    assert "seed rust/src/deliver.rs: holds nothing for it" in text
    assert "seed rust/src/gone.rs: does not exist in this repository" in text
    assert "seed rust/src/backoff.rs: holds 9 unit(s) for it" in text


def test_scan_coverage_flag(fixture_repo):
    r = cli("scan", "--repo", fixture_repo, "--coverage", "--spec", SVIX[0])
    assert r.code == 0, r.err
    assert "svix-backoff-jitter (topic backoff-jitter): " in r.out
    assert "seed server/svix-server/src/core/retry.rs: does not exist in this repository" in r.out


def test_labelled_set_meets_the_issue_targets():
    spec = importlib.util.spec_from_file_location(
        "routing_eval", Path(__file__).parents[1] / "bench" / "routing_eval.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    res = bench.evaluate(FIXTURE, Router(resolve_agents(SVIX)), bench.load_labels(FIXTURE / "labels.toml"))
    assert bench.targets_met(res) == []
    assert not res["missing_labels"]


def test_a_generic_method_name_is_read_with_its_types_name(router):
    src = b'''import random


class wait_random:
    """Wait a random time between two bounds."""

    def __init__(self, low: float, high: float) -> None:
        self.low, self.high = low, high

    def __call__(self, attempt: int) -> float:
        return self.low + random.random() * (self.high - self.low)
'''
    units = {u.name: u for u in extract_file("pkg/waits.py", src).units}
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
    import re

    from codeback.literals import Literals, needles

    assert re.search(pattern, text)
    clauses = needles(pattern)
    assert clauses is None or holds(clauses, text.lower())
    if clauses:  # the automaton does not judge such text either: every needle may be there
        assert Literals(sorted(set().union(*clauses))).present(text.lower()) is None


def test_members_of_a_backoff_type_lean_to_backoff_but_not_members_of_its_wrappers(router):
    """`owner` signals see the type a unit belongs to, read off its qualified name (a Go
    receiver type too): a method of `Backoff` that only delegates is still delay code, a method
    of a `backOffContext` wrapper is not."""
    src = b"""package backoff

// Duration returns the delay for the current attempt and counts it.
func (b *Backoff) Duration() time.Duration {
	return b.ForAttempt(float64(atomic.AddUint64(&b.attempt, 1) - 1))
}

// Context returns the context the backoff stops on.
func (b *backOffContext) Context() context.Context {
	return b.ctx
}
"""
    units = {u.name: u for u in extract_file("backoff.go", src).units}
    duration = router.route(units["Backoff.Duration"])
    assert "backoff-jitter:member of a backoff or wait-strategy type +2 (Backoff)" in duration.reasons()
    assert duration.agent == BJ, duration.reasons()
    wrapper = router.route(units["backOffContext.Context"])
    assert not any("member of a backoff" in r for r in wrapper.reasons())
    assert wrapper.agent is None, wrapper.reasons()


def test_a_retry_after_value_read_as_an_http_date_is_delay_code(router):
    """Retry-After holds seconds or an HTTP date: a function that turns the header into a wait
    is delay code even when its name says "header" or "timeout", in PHP as in Ruby."""
    php = b"""<?php
class Throttle
{
    /** Seconds to wait before the next try, from the Retry-After header (seconds or a date). */
    protected function waitFromHeader(string $value): ?float
    {
        if (is_numeric($value)) {
            return (float) $value;
        }
        $date = DateTime::createFromFormat(DATE_RFC7231, trim($value));
        return $date ? (float) $date->format('U') - time() : null;
    }
}
"""
    ruby = b"""class Throttle
  def parse_hint(headers)
    retry_after_value = headers['Retry-After']
    DateTime.rfc2822(retry_after_value).to_time - Time.now.utc
  rescue ArgumentError
    retry_after_value.to_f
  end
end
"""
    for path, src, name in (("throttle.php", php, "Throttle.waitFromHeader"),
                            ("throttle.rb", ruby, "Throttle.parse_hint")):
        routed = router.route({u.name: u for u in extract_file(path, src).units}[name])
        assert any("an HTTP date read from a header" in r for r in routed.reasons()), routed.reasons()
        assert routed.agent == BJ, (path, routed.reasons())


def test_a_handler_of_the_backoff_event_is_not_delay_code(router):
    """`onBackoff_` reacts to a backoff that already happened (it emits and counts); it names the
    delay but chooses none, so it stays out of the backoff agent, while the strategy's `next_`
    beside it, which grows the delay, goes in."""
    src = b"""function Backoff(strategy) {
    this.backoffStrategy_ = strategy;
    this.backoffNumber_ = 0;
    this.backoffDelay_ = 0;
}

// Handles the backoff timeout completion.
Backoff.prototype.onBackoff_ = function() {
    this.emit('ready', this.backoffNumber_, this.backoffDelay_);
    this.backoffNumber_++;
};

function ExponentialStrategy() {}

ExponentialStrategy.prototype.next_ = function() {
    this.backoffDelay_ = Math.min(this.backoffDelay_ * 2, this.maxDelay_);
    return this.backoffDelay_;
};
"""
    units = {u.name: u for u in extract_file("backoff.js", src).units}
    handler = router.route(units["Backoff.onBackoff_"])
    assert any("handles an event" in r for r in handler.reasons()), handler.reasons()
    assert handler.agent is None, handler.reasons()
    assert router.route(units["ExponentialStrategy.next_"]).agent == BJ
    # a handler named for the delay it computes is not the event kind: it stays delay code
    py = b'''def handle_retry_after(response):
    """Wait what the server's Retry-After asks, at most a minute."""
    value = response.headers.get("Retry-After", "1")
    return min(float(value), 60.0)
'''
    honours = router.route(extract_file("client.py", py).units[0])
    assert not any("handles an event" in r for r in honours.reasons()), honours.reasons()
    assert honours.agent == BJ, honours.reasons()


def test_the_next_delay_method_of_a_strategy_type_is_delay_code_even_when_it_only_returns_it(router):
    """A strategy hands out its delay from a method named for that job (`next`,
    `getDurationToWait`): with the type's name it is delay code although it computes nothing
    itself. The same method name on a type that is not about waiting stays out."""
    src = b"""public class FixedBackoffStrategy implements BackoffStrategy {
    private final Duration interval;

    @Override
    public Duration getDurationToWait(int attempt) {
        return interval;
    }
}

class PageCursor {
    private final Duration interval;

    public Duration getDurationToWait(int attempt) {
        return interval;
    }
}
"""
    units = {u.name: u for u in extract_file("Strategies.java", src).units}
    fixed = router.route(units["FixedBackoffStrategy.getDurationToWait"])
    assert "backoff-jitter:the next-delay or reset method of a backoff, wait or interval type +2.5 " \
           "(FixedBackoffStrategy.getDurationToWait)" in fixed.reasons()
    assert fixed.agent == BJ, fixed.reasons()
    other = router.route(units["PageCursor.getDurationToWait"])
    assert other.agent is None, other.reasons()


def test_a_backoff_defined_inside_a_rust_test_module_is_test_code(router):
    """A helper strategy written inside `mod tests` (no #[test] on it, in src/ not tests/) is
    test code by where it lives: its scope says so, and it goes to no agent."""
    src = b"""pub fn delay(attempt: u32) -> Duration {
    Duration::from_millis(100 * 2u64.pow(attempt)).min(Duration::from_secs(30))
}

#[cfg(test)]
mod tests {
    use super::*;

    struct DoublingBackoff { base: Duration }

    impl DoublingBackoff {
        fn next_delay(&self, attempt: u32) -> Duration {
            (self.base * 2u32.pow(attempt)).min(Duration::from_secs(30))
        }
    }
}
"""
    units = {u.name: u for u in extract_file("src/lib.rs", src, False).units}
    assert router.route(units["delay"]).agent == BJ
    inner = router.route(units["tests::DoublingBackoff::next_delay"])
    assert "backoff-jitter:test code (inside a test module or function) -20 (tests.DoublingBackoff)" \
        in inner.reasons()
    assert inner.agent is None, inner.reasons()


def test_a_circuit_breakers_half_open_delay_is_not_retry_backoff(router):
    """A circuit breaker also waits on a backoff before it tries again half-open, but what it
    decides is when to close a circuit, not how long a retry waits."""
    src = b"""export class CircuitBreaker {
  private open(reason: Error) {
    this.halfOpenAfter = this.backoff.next();
    this.state = CircuitState.Open;
    this.openedAt = Date.now() + this.halfOpenAfter.duration;
  }
}
"""
    routed = router.route({u.name: u for u in extract_file("breaker.ts", src).units}["CircuitBreaker.open"])
    assert any("circuit breaker" in r for r in routed.reasons()), routed.reasons()
    assert routed.agent is None, routed.reasons()


def test_retry_filters_and_ruby_iterator_loops_go_to_the_state_machine(router):
    """Which failures are retried is decided by filters named for it (`isOneOfValuesToRetryOn`,
    a classifier's `Classify`), and a Ruby retry loop is often an iterator
    (`each_with_index ... sleep`) rather than a `while`: both are state-machine code."""
    java = b"""public class Executor {
    private boolean isOneOfValuesToRetryOn(Object result) {
        return config.getRetryOnValues().stream().anyMatch(v -> v.equals(result));
    }
}
"""
    go = b"""package retrier

// Classify decides whether a failed attempt is retried.
func (list BlacklistClassifier) Classify(err error) Action {
	if err == nil {
		return Succeed
	}
	for _, pass := range list {
		if errors.Is(err, pass) {
			return Fail
		}
	}
	return Retry
}
"""
    ruby = b"""class Poller
  def until_success(&block)
    intervals.each_with_index do |interval, attempt|
      return if block.call(interval, attempt)
      sleep(interval)
    end
  end

  def perform(&block)
    intervals.each do |interval|
      return if block.call(interval)
      sleep(interval) unless stopped?
    end
  end
end
"""
    for path, src, name in (("Executor.java", java, "Executor.isOneOfValuesToRetryOn"),
                            ("classifier.go", go, "BlacklistClassifier.Classify"),
                            ("poller.rb", ruby, "Poller.until_success")):
        routed = router.route({u.name: u for u in extract_file(path, src).units}[name])
        assert routed.agent == SM, (path, routed.reasons())
    # the iterator is the loop even under a neutral name (`perform`)
    perform = router.route({u.name: u for u in extract_file("poller.rb", ruby).units}["Poller.perform"])
    assert any(r.startswith("retry-state-machine:loop around a sleep") for r in perform.reasons())


def test_a_schedule_lookup_and_a_strategy_reset_are_delay_code(router):
    """A strategy that reads its delay from a list by attempt number computes it by the lookup,
    and the strategy's reset puts the delay back to its start: both are delay code although
    neither has arithmetic, a random draw or a cap."""
    py = b'''class ListRetry:
    def __init__(self, timeouts: list[float]) -> None:
        self.timeouts = timeouts

    def get_timeout(self, attempt: int) -> float:
        """The wait before this attempt, from the list."""
        return self.timeouts[attempt]
'''
    js = b"""function ExponentialBackoffStrategy(options) {
    this.initialDelay_ = options.initialDelay;
    this.backoffDelay_ = 0;
}

ExponentialBackoffStrategy.prototype.reset_ = function() {
    this.backoffDelay_ = 0;
    this.nextBackoffDelay_ = this.initialDelay_;
};
"""
    listed = router.route({u.name: u for u in extract_file("retry.py", py).units}["ListRetry.get_timeout"])
    assert any("looked up in a schedule" in r for r in listed.reasons()), listed.reasons()
    assert listed.agent == BJ, listed.reasons()
    rust = b"""pub fn next_attempt_at(schedule: &[Duration], attempt: usize) -> Option<DateTime<Utc>> {
    let delay = *schedule.get(attempt)?;
    Some(Utc::now() + chrono::Duration::from_std(delay).ok()?)
}
"""
    got = router.route(extract_file("worker.rs", rust).units[0])
    assert any("looked up in a schedule" in r for r in got.reasons()), got.reasons()
    reset = router.route({u.name: u for u in extract_file("strategy.js", js).units}
                         ["ExponentialBackoffStrategy.reset_"])
    assert reset.agent == BJ, reset.reasons()


def test_a_forwarding_wrapper_is_not_delay_code_but_a_wrapper_that_adds_jitter_is(router):
    """A backoff wrapper whose next-delay method hands back the inner backoff's delay unchanged
    (it only adds a stop on cancellation) chooses no delay; one that adds jitter to the inner
    delay computes one. A Go pointer receiver (`(b *backOffContext)`) is not arithmetic."""
    src = b"""package backoff

func (b *backOffContext) NextBackOff() time.Duration {
	select {
	case <-b.ctx.Done():
		return Stop
	default:
		return b.BackOff.NextBackOff()
	}
}

func (b *jitterBackOff) NextBackOff() time.Duration {
	d := b.delegate.NextBackOff()
	return d + time.Duration(rand.Int63n(int64(d)/2))
}
"""
    units = {u.name: u for u in extract_file("context.go", src).units}
    forwarding = router.route(units["backOffContext.NextBackOff"])
    assert any(r.startswith("backoff-jitter:forwards to a wrapped backoff") for r in forwarding.reasons())
    assert forwarding.agent != BJ, forwarding.reasons()
    jitter = router.route(units["jitterBackOff.NextBackOff"])
    assert not any("forwards to a wrapped backoff" in r for r in jitter.reasons())
    assert jitter.agent == BJ, jitter.reasons()


def test_a_class_that_only_holds_the_package_version_is_not_delay_code(router):
    """A gem reopens its `ExponentialBackoff` class only to hold VERSION: the name is all
    backoff, the unit is package metadata. A backoff class that also declares VERSION is still
    judged by its delay code."""
    version = b"""class ExponentialBackoff
  VERSION = "0.0.4"
end
"""
    strategy = b"""class ExponentialBackoff
  VERSION = "0.0.4"

  def next_interval(attempt)
    [@base * (2**attempt), @max].min
  end
end
"""
    holder = router.route(extract_file("version.rb", version).units[0])
    assert any("package version constant" in r for r in holder.reasons()), holder.reasons()
    assert holder.agent is None, holder.reasons()
    real = {u.name: u for u in extract_file("backoff.rb", strategy).units}
    assert not any("package version" in r for r in router.route(real["ExponentialBackoff"]).reasons())
    assert router.route(real["ExponentialBackoff.next_interval"]).agent == BJ


def test_delay_signals_read_compound_assignment_plural_owners_and_long_retry_after_names(router):
    """Three widenings, each deciding a unit: `+=` is arithmetic (a delay that grows by a step
    is computed, not merely named), a factory on a plural strategy holder (`WaitStrategies`)
    is a member of a strategy type, and `retry_after_secs` is a Retry-After identifier."""
    py = b'''class StepWait:
    def next_delay(self):
        self.delay += self.step
        return self.delay
'''
    java = b"""public final class WaitStrategies {
    public static WaitStrategy exponentialWait(long multiplier, long maximumTime) {
        return new ExponentialWaitStrategy(multiplier, maximumTime);
    }
}
"""
    hint = b'''def wait_hint(response):
    retry_after_secs = response.headers.get("x-wait")
    return float(retry_after_secs)
'''
    step = router.route({u.name: u for u in extract_file("wait.py", py).units}["StepWait.next_delay"])
    assert not any("computes none" in r for r in step.reasons()), step.reasons()
    assert step.agent == BJ, step.reasons()
    factory = router.route({u.name: u for u in extract_file("WaitStrategies.java", java).units}
                           ["WaitStrategies.exponentialWait"])
    assert "backoff-jitter:member of a backoff or wait-strategy type +2 (WaitStrategies)" in factory.reasons()
    assert factory.agent == BJ, factory.reasons()
    honours = router.route(extract_file("hint.py", hint).units[0])
    assert "backoff-jitter:retry-after identifier +2.5 (retry_after_secs)" in honours.reasons()
    assert honours.agent == BJ, honours.reasons()


@pytest.mark.parametrize("name,delay_like", [
    ("calculate_sleep_amount", True), ("fib", True), ("intervals", True), ("retry_delays", True),
    ("RandomRetry", True), ("ConstantInterval", True), ("FibonacciRetry", True),
    ("calculate_total", False), ("fibers", False), ("intervals_by_user", False), ("delayed", False),
])
def test_delay_like_names(name, delay_like):
    """The kinds of delay a library names its strategies for, and words that only look alike."""
    sig = next(s for s in load_topic("backoff-jitter").signals if s.name == "delay-like name")
    assert bool(re.search(sig.pattern, name)) is delay_like


def test_what_a_backoff_package_holds_besides_delay_code_stays_out(router):
    """A folder named for backoff is a package about delays, and counts for its units; but the
    sleeper that performs a given sleep, the exception it throws and the strategy's toString
    choose no delay, and each is kept out by what it is."""
    root = "src/main/java/org/acme/retry/backoff/"
    sleeper = b"""public class ThreadWaitSleeper implements Sleeper {
    @Override
    public void sleep(long backOffPeriod) throws InterruptedException {
        Thread.sleep(backOffPeriod);
    }
}
"""
    error = b"""public class BackOffInterruptedException extends RuntimeException {
    public BackOffInterruptedException(String msg, Throwable cause) {
        super(msg, cause);
    }
}
"""
    policy = b"""public class FixedBackOffPolicy {
    private long backOffPeriod = 1000;

    public String toString() {
        return "FixedBackOffPolicy[backOffPeriod=" + this.backOffPeriod + "]";
    }
}
"""
    units = {}
    for name, src in (("ThreadWaitSleeper.java", sleeper), ("BackOffInterruptedException.java", error),
                      ("FixedBackOffPolicy.java", policy)):
        units.update({u.name: u for u in extract_file(root + name, src).units})
    for name, reason in (("ThreadWaitSleeper", "a sleeper"), ("ThreadWaitSleeper.sleep", "a sleeper"),
                         ("BackOffInterruptedException", "an exception or error type"),
                         ("FixedBackOffPolicy.toString", "describes, compares or copies")):
        routed = router.route(units[name])
        assert any("in a folder named for backoff" in r for r in routed.reasons()), (name, routed.reasons())
        assert any(r.startswith(f"backoff-jitter:{reason}") for r in routed.reasons()), (name, routed.reasons())
        assert routed.agent is None, (name, routed.reasons())
    # the strategy's period, a number declared under a delay's name, is delay code
    assert router.route(units["FixedBackOffPolicy.backOffPeriod"]).agent == BJ


def test_go_jitter_package_functions_reset_methods_and_delay_constants_are_delay_code(router):
    """Go names a function by its package (`jitter.Equal`): the folder speaks for it, and a
    draw from a `*rand.Rand` (`generator.Int63n`) is a random draw. A strategy's reset and its
    Default impl put delays back to their start, assigning without arithmetic, and a constant
    that declares a delay's factor is a delay parameter."""
    go = b"""package jitter

// Equal transforms a duration into one in [n/2, n) at random.
func Equal(generator *rand.Rand) Transformation {
	return func(duration time.Duration) time.Duration {
		return (duration / 2) + time.Duration(generator.Int63n(int64(duration))/2)
	}
}
"""
    php = b"""<?php
class LinearBackOffContext
{
    public function resetInterval()
    {
        $this->interval = $this->initialInterval;
    }
}
"""
    rust = b"""impl Default for Backoff {
    fn default() -> Self {
        Backoff::Exponential { exponent: 2.0 }
    }
}

const JITTER_MIN_FRACTION: f64 = 0.5;

const RETRY_TIMEOUT_SECS: u64 = 30;
"""
    equal = router.route(extract_file("jitter/jitter.go", go).units[0])
    assert any(r.startswith("backoff-jitter:random draw") for r in equal.reasons()), equal.reasons()
    assert any(r.startswith("backoff-jitter:in a folder named for backoff") for r in equal.reasons())
    assert equal.agent == BJ, equal.reasons()
    reset = router.route({u.name: u for u in extract_file("src/BackOff/LinearBackOffContext.php", php).units}
                         ["LinearBackOffContext.resetInterval"])
    assert not any("computes none" in r for r in reset.reasons()), reset.reasons()
    assert reset.agent == BJ, reset.reasons()
    units = {u.name: u for u in extract_file("src/lib.rs", rust).units}
    assert router.route(units["Backoff::default"]).agent == BJ
    factor = router.route(units["JITTER_MIN_FRACTION"])
    assert any(r.startswith("backoff-jitter:declares a number") for r in factor.reasons()), factor.reasons()
    assert factor.agent == BJ, factor.reasons()
    timeout = router.route(units["RETRY_TIMEOUT_SECS"])
    assert not any("declares a number" in r for r in timeout.reasons()), timeout.reasons()


def test_a_retry_loop_that_asks_a_helper_for_its_delay_is_the_state_machine(router):
    """A loop that calls a helper for its delay (`RetryHelper.GetRetryDelay(...)`) names every
    delay parameter on the way, but the delay is computed elsewhere: the loop is the state
    machine's."""
    src = b"""internal sealed class RetryStrategy
{
    public async Task<Outcome> ExecuteCore(Func<Task<Outcome>> callback)
    {
        int attempt = 0;
        while (true)
        {
            var outcome = await callback();
            if (IsLastAttempt(attempt) || !await ShouldHandle(outcome))
            {
                return outcome;
            }

            var delay = RetryHelper.GetRetryDelay(BackoffType, UseJitter, attempt, BaseDelay, MaxDelay);
            await Task.Delay(delay);
            attempt++;
        }
    }
}
"""
    loop = router.route({u.name: u for u in extract_file("RetryStrategy.cs", src).units}
                        ["RetryStrategy.ExecuteCore"])
    assert any(r.startswith("retry-state-machine:delegates the delay") for r in loop.reasons()), loop.reasons()
    assert loop.agent == SM, loop.reasons()


def test_error_values_costs_and_retry_after_limits_are_told_apart(router):
    """Four look-alikes: a Go error value named for the backoff (`ErrResetBackoff`) is an
    error, not delay code; a token-bucket cost that doubles another cost grows with nothing; a
    default wait (`DEFAULT_WAIT_DURATION`) is a delay parameter; and `_RETRY_AFTER_MAX` caps a
    Retry-After delay rather than naming a retry-after stop condition."""
    go = b"""package backoff

// ErrResetBackoff is the error a caller returns to reset the backoff.
var ErrResetBackoff = errors.New("reset backoff state")
"""
    rust = b"""const RETRY_COST: u32 = 5;
const RETRY_TIMEOUT_COST: u32 = RETRY_COST * 2;
"""
    java = b"""public class RetryConfig {
    private static final Duration DEFAULT_WAIT_DURATION = Duration.ofMillis(500);
}
"""
    py = b"""class Backoff:
    _RETRY_AFTER_MAX = 20
"""
    err = router.route(extract_file("internal/backoff/backoff.go", go).units[0])
    assert any(r.startswith("backoff-jitter:an exception or error type") for r in err.reasons()), err.reasons()
    assert err.agent is None, err.reasons()
    cost = router.route({u.name: u for u in extract_file("limiter.rs", rust).units}["RETRY_TIMEOUT_COST"])
    assert not any("grows with the attempt number" in r for r in cost.reasons()), cost.reasons()
    assert cost.agent is None, cost.reasons()
    wait = router.route({u.name: u for u in extract_file("RetryConfig.java", java).units}
                        ["RetryConfig.DEFAULT_WAIT_DURATION"])
    assert "backoff-jitter:delay bound, base or growth factor in the name +2.5 (DEFAULT_WAIT_DURATION)" \
        in wait.reasons()
    cap = router.route({u.name: u for u in extract_file("standard.py", py).units}["Backoff._RETRY_AFTER_MAX"])
    assert not any("stop condition by name" in r for r in cap.reasons()), cap.reasons()
    assert cap.agent == BJ, cap.reasons()


def test_members_of_a_type_named_as_an_interval_or_delay_function_lean_to_backoff(router):
    """`IntervalFunction.of` says nothing by its own name; its type says it makes the wait
    between attempts, as `DelayGenerator` or `BackoffPolicy` would."""
    src = b"""public interface IntervalFunction extends Function<Integer, Long> {
    static IntervalFunction of(long intervalMillis, Function<Long, Long> backoffFunction) {
        return (attempt) -> LongStream.iterate(intervalMillis, n -> backoffFunction.apply(n))
            .skip(attempt - 1L).findFirst().getAsLong();
    }
}
"""
    of = router.route({u.name: u for u in extract_file("IntervalFunction.java", src).units}["IntervalFunction.of"])
    assert "backoff-jitter:member of a backoff or wait-strategy type +2 (IntervalFunction)" in of.reasons()
    assert of.agent == BJ, of.reasons()


def test_loops_pollers_and_callers_of_a_delay_are_not_delay_code(router):
    """What runs on a backoff without computing it: a retry loop that asks its backoff object for
    each wait is the state machine's; a periodic runner (`Until`) that calls a jitter helper with
    zero jitter is a poller; calling `retry_delay(...)` is not a retry schedule; and a Rust
    `impl Error for InvalidBackoff` is an error. A rate limit's reset header, read beside
    Retry-After, is a delay hint, not a rate limiter."""
    go = b"""package wait

// ExponentialBackoff repeats a condition check with exponential backoff.
func ExponentialBackoff(backoff Backoff, condition ConditionFunc) error {
	for backoff.Steps > 0 {
		if ok, err := condition(); err != nil || ok {
			return err
		}
		time.Sleep(backoff.Step())
	}
	return ErrWaitTimeout
}

// Until loops until stop channel is closed, running f every period: sugar on top of
// JitterUntil with zero jitter factor.
func Until(f func(), period time.Duration, stopCh <-chan struct{}) {
	JitterUntil(f, period, 0.0, true, stopCh)
}
"""
    ruby = b"""module Retry
  def before_perform_retry(*args)
    @retry_attempt = redis.incr(retry_key)
    redis.expire(retry_key, retry_delay(exception_class) + expire_after)
  end
end
"""
    rust = b"""impl std::error::Error for InvalidBackoff {}
"""
    faraday = b"""class Middleware
  def calculate_sleep_amount(retries, env)
    retry_after = [calculate_retry_after(env), calculate_rate_limit_reset(env)].compact.max
    retry_interval = calculate_retry_interval(retries)
    return if retry_after && retry_after > @options.max_interval
    retry_after && retry_after >= retry_interval ? retry_after : retry_interval
  end
end
"""
    units = {u.name: u for u in extract_file("wait/backoff.go", go).units}
    loop = router.route(units["ExponentialBackoff"])
    assert any(r.startswith("backoff-jitter:a loop that asks a backoff object") for r in loop.reasons())
    assert loop.agent != BJ, loop.reasons()
    until = router.route(units["Until"])
    assert any(r.startswith("backoff-jitter:a poller or periodic runner") for r in until.reasons())
    assert until.agent is None, until.reasons()
    hook = router.route({u.name: u for u in extract_file("retry.rb", ruby).units}["Retry.before_perform_retry"])
    assert not any("retry schedule identifier" in r for r in hook.reasons()), hook.reasons()
    assert hook.agent != BJ, hook.reasons()
    err = router.route(extract_file("backoff.rs", rust).units[0])
    assert any(r.startswith("backoff-jitter:an exception or error type") for r in err.reasons()), err.reasons()
    sleep = router.route({u.name: u for u in extract_file("middleware.rb", faraday).units}
                         ["Middleware.calculate_sleep_amount"])
    assert not any("rate limiter" in r for r in sleep.reasons()), sleep.reasons()
    assert sleep.agent == BJ, sleep.reasons()


@pytest.mark.parametrize("path,src,name", [
    ("Backoff.kt", b"""class ExponentialBackoff {
    fun reset() {
        currentDelay = initialDelay
    }
}
""", "ExponentialBackoff.reset"),
    ("backoff.rb", b"""class ExponentialBackoff
  def reset
    @current_delay = @initial_delay
  end
end
""", "ExponentialBackoff.reset"),
    ("backoff.ts", b"""export class ExponentialBackoff {
  reset(): void {
    this.currentDelay = this.initialDelay;
  }
}
""", "ExponentialBackoff.reset"),
])
def test_a_strategy_reset_is_delay_code_in_every_language(router, path, src, name):
    """The reset of a strategy assigns its delay back without arithmetic, however the language
    spells a method (`fun`, a Ruby `def` without parentheses, a TS method with no keyword)."""
    reset = router.route({u.name: u for u in extract_file(path, src).units}[name])
    assert not any("computes none" in r for r in reset.reasons()), reset.reasons()
    assert reset.agent == BJ, reset.reasons()


def test_names_that_only_end_like_an_error_or_start_like_a_stop_condition(router):
    """`delayFromError` computes a delay (its name ends in Error, it is no error type);
    `retry_attempts` counts attempts (it is no `retry_at` condition); a retry interval is a delay
    parameter (only counts and limits of attempts are the state machine's); `_base_` is no
    number."""
    ts = b"""export function delayFromError(err: HttpError): number {
  const retryAfter = Number(err.headers["retry-after"]);
  return Math.min(retryAfter * 1000, MAX_DELAY_MS);
}
"""
    py = b"""RETRY_INTERVAL_MS = 1000
"""
    go = b"""package retry

const maxDelay = _base_
"""
    delay = router.route(extract_file("delay.ts", ts).units[0])
    assert not any("error type" in r for r in delay.reasons()), delay.reasons()
    assert delay.agent == BJ, delay.reasons()
    units = {u.name: u for u in extract_file("settings.py", py).units}
    interval = router.route(units["RETRY_INTERVAL_MS"])
    assert any(r.startswith("backoff-jitter:declares a number") for r in interval.reasons()), interval.reasons()
    named = router.route(extract_file("retry.go", go).units[0])
    assert not any("declares a number" in r for r in named.reasons()), named.reasons()
    counter = router.score(extract_file("jobs.py", b"def retry_attempts(job):\n    return job.attempts\n")
                           .units[0], full=True)[1]
    assert not any("stop condition by name" in s.name for s in counter), counter
