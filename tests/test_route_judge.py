"""The routing judge against a real local chat-completions server (tests/llm_server.py): which
units it is asked about, how its verdicts rewrite routing and read in `--explain` and `--json`,
and what happens when an answer cannot be read, a request is refused or the key is wrong."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from codeback.extract import extract_file
from codeback.generate.openai_backend import OpenAIBackend
from codeback.judge import Judge, candidates, question, read_verdict
from codeback.route import Router
from codeback.spec import resolve_agents
from llm_server import LLMServer
from support import cli, make_repo

BJ = "svix-backoff-jitter"
PACING = '''"""Pacing for the sync client: how long to hold off after a failed push."""
import random

CEILING = 30.0


class Pacer:
    """Holds off longer after each failure, up to CEILING seconds."""

    def __init__(self, first: float = 0.5):
        self.first = first
        self.failures = 0

    def following(self) -> float:
        span = min(CEILING, self.first * 2 ** self.failures)
        self.failures += 1
        return span * random.uniform(0.5, 1.0)

    def succeeded(self) -> None:
        self.failures = 0


def poll_interval(busy: bool) -> float:
    return 0.1 if busy else 2.0


def retry_delay_label(attempt: int) -> str:
    """The log label for a retry delay."""
    return f"retry delay #{attempt}"
'''
# What the scripted model says of each unit it is asked about.
VERDICTS = {
    "CEILING": "backoff-jitter",
    "Pacer": "backoff-jitter",
    "Pacer.following": "backoff-jitter",
    "Pacer.__init__": "backoff-jitter",
    "Pacer.succeeded": "backoff-jitter",
    "poll_interval": "none",
    "retry_delay_label": "none",
}


def asked(messages: list[dict]) -> str:
    return re.search(r"^Unit: (.*) \([^()]*, lines \d+-\d+\)$", messages[-1]["content"], re.M).group(1)


def answer(messages: list[dict]) -> dict:
    name = asked(messages)
    return {"topic": VERDICTS.get(name, "none"), "why": f"what {name} does"}


@pytest.fixture
def server():
    srv = LLMServer(answer=answer).start()
    yield srv
    srv.stop()


def backend(server: LLMServer, tmp_path: Path) -> OpenAIBackend:
    return OpenAIBackend(model="test-model", base_url=server.base_url, api_key="k", timeout=5.0,
                         backoff_base=0.01, backoff_cap=0.05, cache_path=tmp_path / "cache.sqlite")


def pacing_file(router: Router):
    fu = extract_file("sync/pacing.py", PACING.encode(), True)
    return fu, router.route_all(fu.units, PACING.encode())


def by_name(files) -> dict:
    return {r.unit.name: r for _, routed in files for r in routed}


def test_the_judge_reads_a_file_with_backoff_code_and_its_verdicts_route_the_units(router, server, tmp_path):
    fu, routed = pacing_file(router)
    before = {r.unit.name: r.agent for r in routed}
    assert before["Pacer.following"] == BJ and before["CEILING"] is None  # the signals alone
    server.add("500", match="Unit: CEILING (")  # a transient fault is retried
    judge = Judge(router, backend(server, tmp_path))
    after = by_name(judge.review([(fu, routed)]))

    # asked: every unit, since the file holds units an agent took; CEILING twice (the 500)
    names = [asked(r.messages) for r in server.completions]
    assert sorted(set(names)) == sorted(VERDICTS) == sorted(before) and names.count("CEILING") == 2
    for name, topic in VERDICTS.items():
        assert after[name].agent == (BJ if topic == "backoff-jitter" else None), name
    assert after["Pacer.succeeded"].note == (
        "judge: backoff-jitter (what Pacer.succeeded does); the signals said no agent: "
        + next(r.note for r in routed if r.unit.name == "Pacer.succeeded"))
    assert (after["CEILING"].scores, after["CEILING"].signals) == (routed[0].scores, routed[0].signals)
    assert judge.counts.asked == 7 and judge.counts.changed == 3

    # the prompt carries the topics' judge text from their TOML and the unit's neighbours
    first = server.completions[0].messages
    assert "Delay computation: how long to wait before the next try" in first[0]["content"]
    assert "Control flow that decides whether and when to try again" in first[0]["content"]
    assert "Other units in the file: " in first[1]["content"] and "Pacer.following" in first[1]["content"]
    # a one-line unit comes with the lines that use it: what CEILING is for shows there
    ceiling = next(r.messages[1]["content"] for r in server.completions if asked(r.messages) == "CEILING")
    assert "Where the file uses it:\n" in ceiling
    # the line is shown once, under the innermost unit that holds it (not again under Pacer)
    assert ceiling.count("span = min(CEILING, self.first * 2 ** self.failures)") == 1
    assert "Pacer.following: span = min(CEILING, self.first * 2 ** self.failures)" in ceiling


def test_the_judge_is_sent_no_credential(router):
    src = b'RETRY_TOKEN = "sk-live-9fJ3kQ2mZ8xV7bN4pL1wR6tY"\n\n\ndef retry_delay(n):\n    return RETRY_TOKEN and 2 ** n\n'
    fu = extract_file("a.py", src, True)
    routed = router.route_all(fu.units, src)
    sent = {r.unit.name: question(r, [u for u in fu.units if u is not r.unit], router) for r in routed}
    assert all("sk-live" not in m[1]["content"] for m, _ in sent.values())
    messages, redacted = sent["RETRY_TOKEN"]
    assert redacted and 'RETRY_TOKEN = "<REDACTED:' in messages[1]["content"]
    assert sent["retry_delay"][1] is False  # nothing to hide there: the name is no secret


def test_every_unit_an_agent_took_is_judged_and_a_file_without_evidence_is_not(tmp_path):
    topic = tmp_path / "circuit.toml"
    topic.write_text('name = "circuit-breaker"\nthreshold = 4\njudge = "Breakers that stop calls."\n'
                     "[[signals]]\nname = \"breaker\"\nwhere = \"name\"\npattern = '(?i)breaker'\nweight = 4\n"
                     "[[signals]]\nname = \"trips\"\nwhere = \"ident\"\npattern = '^trips$'\nweight = 4\n")
    spec = tmp_path / "breaker.toml"
    spec.write_text(f'name = "acme-breaker"\nsystem_prompt = "x"\ntopic = "{topic}"\n')
    router = Router(resolve_agents([str(spec)]))
    files = []
    for path, src in [("b.py", b"def breaker_label():\n    return 'breaker'\n\n\ndef open_breaker(trips):\n"
                                b"    return trips > 3\n"),
                      ("tidy.py", b"def tidy(rows):\n    return sorted(rows)\n")]:
        fu = extract_file(path, src, True)
        files.append((fu, router.route_all(fu.units, src)))
    assert [r.agent for r in files[0][1]] == ["acme-breaker", "acme-breaker"]  # scores 4 and 8
    assert candidates(files[0][1], router) == [0, 1] and candidates(files[1][1], router) == []

    def says(messages):  # a label is no breaker; the function that opens one is (named loosely)
        return {"topic": "Circuit_Breaker" if "open_breaker" in messages[-1]["content"].split("\n")[2]
                else "none", "why": "read"}
    srv = LLMServer(answer=says).start()
    try:
        after = by_name(Judge(router, backend(srv, tmp_path)).review(files))
        assert sorted(asked(r.messages) for r in srv.completions) == ["breaker_label", "open_breaker"]
        system = srv.completions[0].messages[0]["content"]
        assert "- circuit-breaker: Breakers that stop calls." in system and str(topic) not in system
    finally:
        srv.stop()
    assert after["breaker_label"].agent is None and after["breaker_label"].note.startswith("judge: none")
    assert after["open_breaker"].agent == "acme-breaker" and after["tidy"].agent is None
    assert after["open_breaker"].note.startswith("judge: circuit-breaker (read)")


def test_a_near_miss_is_judged_only_for_a_topic_an_agent_owns(tmp_path):
    spec = tmp_path / "bj-only.toml"
    spec.write_text('name = "bj-only"\nsystem_prompt = "x"\ntopic = "backoff-jitter"\n'
                    'exclude_topics = ["retry-state-machine"]\n')
    router = Router(resolve_agents([str(spec)]))
    assert set(router.owner) == {"backoff-jitter"}
    src = (b'def retry_delay_label(attempt):\n    return f"retry delay #{attempt}"\n\n\n'
           b"def should_retry(err, attempt, max_attempts):\n    return attempt < max_attempts and err.retryable\n")
    fu = extract_file("labels.py", src, True)
    routed = router.route_all(fu.units, src)
    scores = {r.unit.name: r.scores for r in routed}
    assert all(r.agent is None for r in routed)  # no unit taken: the file is no neighbourhood
    assert 0 < scores["retry_delay_label"]["backoff-jitter"] < 3.5
    assert scores["should_retry"]["backoff-jitter"] == 0 < scores["should_retry"]["retry-state-machine"]
    assert candidates(routed, router) == [0]  # backoff evidence, however weak; none for the other


def test_unreadable_or_refused_answers_keep_the_signals_decision_and_are_asked_again(router, server, tmp_path):
    server.add("not_json", match="Unit: CEILING (")
    server.add("400", match="Unit: poll_interval (")
    server.add("content", match="Unit: Pacer.__init__ (", content='{"topic": "caching", "why": "x"}')
    fu, routed = pacing_file(router)
    judge = Judge(router, backend(server, tmp_path))
    after = by_name(judge.review([(fu, routed)]))
    assert after["CEILING"].agent is None and after["CEILING"].note == routed[0].note
    assert after["Pacer.__init__"].agent is None and after["Pacer.succeeded"].agent == BJ
    c = judge.counts
    assert (c.asked, c.changed, c.unreadable, c.refused) == (7, 1, 2, 1)
    assert [why.split(":")[0] for why in c.reasons] == ["unreadable", "refused"]  # the first of each
    names = {t.name: ref for ref, t in router.topics.items()}
    assert read_verdict('{"topic": "caching", "why": "x"}', names) == "answer names no known topic ('caching')"
    assert read_verdict('```json\n{"topic": "None", "why": "a  poll\\ninterval"}\n```', {}) == \
        ("none", "a poll interval")
    assert read_verdict('{"topic": "Backoff_Jitter"}', names) == ("backoff-jitter", "")
    # a model that thinks aloud, or wraps its object in prose, is still read
    assert read_verdict('<think>{"topic": "none"}? no</think>\n{"topic": "backoff-jitter", "why": "w"}',
                        names) == ("backoff-jitter", "w")
    assert read_verdict('Answer: {"topic": "retry-state-machine", "why": "loop"}.', names) == \
        ("retry-state-machine", "loop")

    # a re-run reads the good answers from the cache and asks only about the three others
    seen = len(server.completions)
    again = by_name(Judge(router, backend(server, tmp_path)).review([pacing_file(router)]))
    assert sorted(asked(r.messages) for r in server.completions[seen:]) == [
        "CEILING", "Pacer.__init__", "poll_interval"]
    assert again["CEILING"].agent == BJ and again["Pacer.succeeded"].agent == BJ


def test_scan_judge_through_the_cli(server, tmp_path):
    src = tmp_path / "src"
    (src / "sync").mkdir(parents=True)
    (src / "sync" / "pacing.py").write_text(PACING)
    repo = make_repo(tmp_path / "repo", src)
    base = ["scan", "--repo", repo, "--spec", BJ, "--judge", "--model", "m", "--base-url",
            server.base_url, "--no-llm-cache"]

    res = cli(*base, "--json")
    assert res.code == 0, res.err
    rows = {row["name"]: row for row in map(json.loads, res.out.splitlines())}
    assert rows["CEILING"]["agent"] == BJ and rows["CEILING"]["note"].startswith("judge: backoff-jitter")
    assert rows["Pacer.following"]["note"] == "judge: backoff-jitter (what Pacer.following does); " \
        "the signals said svix-backoff-jitter: backoff-jitter wins 7 vs 0"
    assert "judge: asked about 7 units, changed 3" in res.err

    seen = len(server.completions)
    res = cli(*base, "--explain", "sync/pacing.py:20")
    assert res.code == 0, res.err
    assert "routed to: svix-backoff-jitter — judge: backoff-jitter (what Pacer.succeeded does)" in res.out
    # one question, about that unit, with the rest of the file as its context
    assert [asked(r.messages) for r in server.completions[seen:]] == ["Pacer.succeeded"]
    assert "Pacer.following" in server.completions[-1].messages[1]["content"]

    res = cli("scan", "--repo", repo, "--model", "m")  # a model without --judge would do nothing
    assert res.code == 2 and res.err.strip() == (
        "codeback: error: --model and --base-url are for --judge: add --judge, or leave them out")

    server.add("401", times=100)
    seen = len(server.completions)
    res = cli(*base, "--json", "--concurrency", "1")
    assert res.code == 2 and "Traceback" not in res.err
    assert len(res.err.strip().splitlines()) == 1 and "401" in res.err
    assert len(server.completions) == seen + 1  # a fatal answer stops the requests still waiting


def test_run_judge_decides_what_the_run_writes(repo, tmp_path):
    """A judge that finds nothing for the topic leaves the run nothing to write, though the
    signals alone give the bundled sample 18 examples."""
    srv = LLMServer(answer=lambda messages: {"topic": "none", "why": "not this topic"}).start()
    try:
        res = cli("run", "--repo", repo, "--judge", "--model", "m", "--base-url", srv.base_url,
                  "--no-llm-cache", "--out", tmp_path / "x.jsonl")
    finally:
        srv.stop()
    assert res.code == 0, res.err
    m = re.search(r"judge: asked about (\d+) units, changed (\d+)", res.err)
    assert m and int(m.group(1)) == len(srv.completions) > 0 and int(m.group(2)) > 0
    assert "0 written" in res.out + res.err
    assert not (tmp_path / "x.jsonl").exists() or (tmp_path / "x.jsonl").read_text() == ""


def test_the_bench_lays_a_later_answer_file_over_an_earlier_one(tmp_path):
    """bench/routing_judge.py pools answer files written offline; a question asked again (the
    isolated re-ask of the blind batches) must take its later answer, and say how many it changed."""
    import importlib
    import io
    import sys

    sys.path.insert(0, str(Path(__file__).parents[1] / "bench"))
    try:
        bench = importlib.import_module("routing_judge")
    finally:
        sys.path.pop(0)
    asked = {name: [{"role": "system", "content": "S"}, {"role": "user", "content": name}]
             for name in ("first", "second", "never")}
    first, again = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_text("\n".join(json.dumps({"sha1": bench.sha1(asked[n]), "topic": t, "why": ""})
                               for n, t in (("first", "backoff-jitter"), ("second", "none"))) + "\n\n")
    again.write_text(json.dumps({"sha1": bench.sha1(asked["first"]), "topic": "none", "why": "again"}) + "\n")
    said = io.StringIO()
    answer = bench.from_files([first, again], err=said)
    assert answer(asked["first"]) == {"topic": "none", "why": "again"}
    assert answer(asked["second"])["topic"] == "none"
    assert answer(asked["never"])["topic"] == "unanswered"
    assert "b.jsonl replaced 1 earlier answers, 1 of them with another topic" in said.getvalue()
    assert bench.from_files([again, first], err=io.StringIO())(asked["first"])["topic"] == "backoff-jitter"
