"""Routing between agents: decisions on labelled fixture units in several languages (both topics
and hard negatives), a user's own topic file, `--explain` and `--coverage` through the CLI, and
never two agents for one unit."""

from __future__ import annotations

import importlib.util
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
BJ, SM = SVIX


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
