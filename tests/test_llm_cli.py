"""`codeback run --backend openai` end to end: the CLI as a user runs it, against a real local
chat-completions server, on the bundled sample in a git repository; `codeback validate` must
accept what it writes.

The server answers each job with the draft the offline generator writes for that job (its
request and reasoning, as the JSON the prompt asks for), looked up by the job's path, unit and
angle as they appear in the prompt. Those drafts pass the pipeline's checks, so whatever goes
wrong in a test is the LLM path's doing, and faults are scripted on top per job.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from support import Result, make_repo

from codeback.generate import prompt
from codeback.generate.base import Job
from codeback.generate.offline import OfflineBackend
from codeback.pipeline import OPEN_ANGLE
from codeback.run import draft_problems, prepare
from codeback.validate import Diversity

try:
    from llm_server import LLMServer, job_key, keyed_answer
except ImportError:  # tests/ imported as a package
    from tests.llm_server import LLMServer, job_key, keyed_answer

SPEC = "svix-backoff-jitter"

# What a model might write for the sample's two units that no offline need fits (written for the
# test; they pass the same grounding as every draft).
OPEN_ANSWERS = {
    "linear_delay": {
        "request": "We need a plain linear delay between retries: the wait should grow by the same "
                   "step with every attempt, with no doubling.",
        "reasoning": "The wait is `10 * u64::from(attempt)` seconds: a fixed step of 10 seconds per "
                     "attempt, so the delay grows linearly rather than exponentially.\n\n"
                     "`u64::from(attempt)` widens the `u32` attempt number before the multiplication, "
                     "and `std::time::Duration::from_secs` turns the product into the wait.\n\n"
                     "There is no tokio here: nothing awaits, the function only computes a value. "
                     "chrono has no part in it either: the delay is an amount of time, not a timestamp."},
    "next_attempt_at": {
        "request": "When a delivery fails, work out when its next attempt is due, and stop scheduling "
                   "attempts once the retry schedule is used up.",
        "reasoning": "`schedule.get(attempt)` looks up the scheduled wait for this attempt; the `?` "
                     "returns `None` once the schedule is used up, which tells the caller to stop.\n\n"
                     "The wait itself comes from `next_retry_delay`, given the scheduled delay, the error "
                     "and what `delay::parse_retry_after(headers)` found.\n\n"
                     "chrono turns the wait into a due time: `Utc::now()` plus "
                     "`chrono::Duration::from_std(delay)`, and `.ok()?` gives `None` when the delay cannot "
                     "be converted. tokio has no part here: nothing awaits, and the caller decides when "
                     "to sleep."},
}


def key_of(job: Job) -> str:
    return f"{job.unit.path}::{job.unit.name}::{job.angle}"


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """The sample repository, its planned jobs (in plan order) and an answer per job."""
    repo = make_repo(tmp_path_factory.mktemp("llm-cli") / "webhook-delivery")
    prep = prepare([SPEC], repo, open_angle=True)  # what a model backend plans
    jobs = [j for j in prep.plan.jobs if j.angle != OPEN_ANGLE]  # the offline generator drafts these
    seen = Diversity()

    def check(job: Job, draft) -> list[str]:
        return draft_problems(prep.spec, job, draft) or seen.problems(draft.request, draft.reasoning,
                                                                      job.code_block)

    answers: dict[str, dict] = {}
    for outcome in OfflineBackend().run(jobs, check):
        assert outcome.draft is not None, outcome.problems
        seen.add(outcome.draft.request, outcome.draft.reasoning, outcome.job.code_block)
        answers[key_of(outcome.job)] = {"request": outcome.draft.request, "reasoning": outcome.draft.reasoning}
    assert len(answers) == len(jobs) >= 10  # the key tells every job apart
    # units none of the offline needs fits: a model writes about their behaviour as a whole
    open_jobs = [j for j in prep.plan.jobs if j.angle == OPEN_ANGLE]
    assert sorted(j.unit.name for j in open_jobs) == sorted(OPEN_ANSWERS)
    for j in open_jobs:
        answers[key_of(j)] = OPEN_ANSWERS[j.unit.name]
    jobs = prep.plan.jobs
    return repo, jobs, answers


@pytest.fixture
def server(sample):
    srv = LLMServer(answer=keyed_answer(sample[2])).start()
    yield srv
    srv.stop()


@pytest.fixture
def env(tmp_path) -> dict[str, str]:
    """A clean environment: the answer cache under tmp_path, no key or URL from the caller."""
    e = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    e["XDG_CACHE_HOME"] = str(tmp_path / "xdg-cache")
    return e


def cb(env: dict, *args) -> Result:
    res = subprocess.run([sys.executable, "-m", "codeback", *map(str, args)], check=False, capture_output=True,
                         text=True, env=env, timeout=300)
    return Result(res.returncode, res.stdout, res.stderr)


def run_openai(env: dict, server: LLMServer, repo: Path, out: Path, *extra) -> Result:
    return cb(env, "run", "--backend", "openai", "--model", "test", "--base-url", server.base_url,
              "--repo", repo, "--out", out, *extra)


def lines(path: Path) -> list[dict]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()] if path.exists() else []


def valid(env: dict, out: Path, repo: Path, n: int) -> None:
    v = cb(env, "validate", out, "--repo", repo)
    assert v.code == 0, v.err
    assert f"{n} valid, 0 invalid (checked against the source)" in v.err


def sent_for(server: LLMServer, key: str) -> list:
    return [r for r in server.completions if job_key(r.messages) == key]


def test_offline_plans_no_open_angle_and_a_model_backend_plans_one_per_needless_unit(sample):
    repo, jobs, _ = sample
    offline = prepare([SPEC], repo).plan
    assert all(j.angle != OPEN_ANGLE for j in offline.jobs)
    needless = {s.name for s in offline.skips if s.reason.startswith("no grounded need")}
    assert needless and needless == {j.unit.name for j in jobs if j.angle == OPEN_ANGLE}
    assert "Angle: behaviour\nAbout the angle: no single aspect stands out" in prompt.build(
        next(j for j in jobs if j.angle == OPEN_ANGLE)).messages[1]["content"]


def test_the_server_can_tell_every_job_apart(sample):
    _, jobs, _ = sample
    assert [job_key(prompt.build(j).messages) for j in jobs] == [key_of(j) for j in jobs]


def test_run_writes_a_dataset_validate_accepts_and_a_rerun_is_free(sample, server, env, tmp_path):
    repo, jobs, answers = sample
    stalled = key_of(jobs[1])
    server.add("stall", key=stalled, seconds=3.0)
    out = tmp_path / "out" / "llm.jsonl"
    r = run_openai(env, server, repo, out, "--concurrency", "4", "--timeout", "1", "--temperature", "0.2")
    assert r.code == 0, r.err
    assert r.out == ""  # data goes to files, status to stderr
    records, manifest = lines(out), lines(out.with_name("llm.jsonl.manifest.jsonl"))
    assert len(records) == len(manifest) == len(jobs)
    assert f"{len(jobs)} written, 0 already" in r.err and "0 rejected" in r.err
    # what the model wrote is what the dataset holds, around codeback's verbatim code
    by_key = {f"{m['path']}::{m['unit']}::{m['angle']}": (rec, m) for rec, m in zip(records, manifest)}
    assert set(by_key) == set(answers)
    for key, (rec, prov) in by_key.items():
        assert rec["messages"][1]["content"] == answers[key]["request"]
        assert rec["messages"][2]["content"].startswith(f"<think>\n{answers[key]['reasoning']}\n</think>\n\n```")
        assert prov["generator"] == "openai" and prov["usage"]["prompt_tokens"] > 0
    valid(env, out, repo, len(jobs))
    # the stalled request timed out after --timeout and was sent again; every body carries the options
    assert len(sent_for(server, stalled)) == 2
    assert len(server.completions) == len(jobs) + 1
    assert {r.body["temperature"] for r in server.completions} == {0.2}
    assert {r.body["model"] for r in server.completions} == {"test"}
    # token usage in the run report, summed from the server's usage fields
    used = sum(p["usage"]["prompt_tokens"] + p["usage"]["completion_tokens"] for p in manifest)
    tokens = next(line for line in r.err.splitlines() if line.startswith("tokens: "))
    assert "prompt_tokens" in tokens and "completion_tokens" in tokens
    assert sum(int(x.split()[1]) for x in tokens[len("tokens: "):].split(", ")
               if x.split()[0] in ("prompt_tokens", "completion_tokens")) == used

    # the same command again: nothing to do, nothing sent, the file unchanged
    before, sent = out.read_bytes(), len(server.completions)
    again = run_openai(env, server, repo, out, "--concurrency", "4", "--temperature", "0.2")
    assert again.code == 0 and "0 written" in again.err and f"{len(jobs)} already" in again.err
    assert out.read_bytes() == before and len(server.completions) == sent
    # a fresh output with the same cache: every answer from the cache, zero requests, same records
    fresh = tmp_path / "fresh.jsonl"
    cached = run_openai(env, server, repo, fresh, "--concurrency", "4", "--temperature", "0.2")
    assert cached.code == 0, cached.err
    assert len(server.completions) == sent
    assert sorted(fresh.read_bytes().splitlines()) == sorted(before.splitlines())
    assert f"cache_hits {len(jobs)}" in cached.err
    valid(env, fresh, repo, len(jobs))
    # --no-llm-cache asks again; a changed temperature is a different request, never a stale hit
    nocache = run_openai(env, server, repo, tmp_path / "nocache.jsonl", "--temperature", "0.2", "--no-llm-cache")
    assert nocache.code == 0 and len(server.completions) == sent + len(jobs)
    other = run_openai(env, server, repo, tmp_path / "other.jsonl", "--temperature", "0.3")
    assert other.code == 0 and len(server.completions) == sent + 2 * len(jobs)


def test_an_answer_that_fails_grounding_is_fed_back_then_rejected(sample, server, env, tmp_path):
    repo, jobs, answers = sample
    job = jobs[4]
    key = key_of(job)
    bad = dict(answers[key], reasoning=answers[key]["reasoning"] + " It waits 987654 ms at most.")
    server.add("content", key=key, times=10, content=json.dumps(bad))
    out = tmp_path / "g.jsonl"
    r = run_openai(env, server, repo, out, "--max-fix-rounds", "1")
    assert r.code == 0, r.err
    assert f"{len(jobs) - 1} written" in r.err and " 1 rejected" in r.err, r.err
    [reject] = lines(out.with_name("g.jsonl.rejects.jsonl"))
    assert (reject["path"], reject["unit"], reject["angle"]) == (job.unit.path, job.unit.name, job.angle)
    assert any("987654" in p and "not in the code" in p for p in reject["problems"]), reject
    # sent once, then once more with the problem fed back; then given up (--max-fix-rounds 1)
    _first, second = sent_for(server, key)
    assert [m["role"] for m in second.messages] == ["system", "user", "assistant", "user"]
    assert "987654" in second.messages[3]["content"]
    assert b"987654" not in out.read_bytes()
    assert job.unit.name + "::" + job.angle not in {f"{m['unit']}::{m['angle']}" for m in
                                                     lines(out.with_name("g.jsonl.manifest.jsonl"))}
    valid(env, out, repo, len(jobs) - 1)
    # the rejected answer was not cached: a re-run asks again for that job only, and now it passes
    server.rules.clear()
    sent = len(server.completions)
    again = run_openai(env, server, repo, out)
    assert again.code == 0 and "1 written" in again.err
    assert len(server.completions) == sent + 1
    valid(env, out, repo, len(jobs))


def test_token_budget_stops_cleanly_and_a_rerun_resumes(sample, server, env, tmp_path):
    repo, jobs, _ = sample
    # the backend reserves prompt/3 + max_tokens per request; room for about three of them
    budget = sum(sum(len(m["content"]) for m in prompt.build(j).messages) // 3 + 1500 for j in jobs[:3])
    out = tmp_path / "b.jsonl"
    r = run_openai(env, server, repo, out, "--concurrency", "1", "--max-tokens-total", budget)
    assert r.code == 0, r.err
    done = len(lines(out))
    assert 3 <= done < len(jobs)
    assert "stopped:" in r.err and f"token budget of {budget} reached" in r.err and "re-run" in r.err
    assert len(server.completions) == done  # nothing was sent that was not written
    valid(env, out, repo, done)
    resumed = run_openai(env, server, repo, out, "--concurrency", "1")
    assert resumed.code == 0, resumed.err
    assert f"{len(jobs) - done} written, {done} already" in resumed.err
    assert len(server.completions) == len(jobs)  # each job asked for exactly once over both runs
    assert len({job_key(c.messages) for c in server.completions}) == len(jobs)
    valid(env, out, repo, len(jobs))


def test_dry_run_prints_the_messages_and_sends_nothing(sample, server, env, tmp_path):
    repo, jobs, _ = sample
    out = tmp_path / "d.jsonl"
    r = run_openai(env, server, repo, out, "--dry-run")
    assert r.code == 0, r.err
    assert server.requests == []
    assert not out.exists()
    assert not (tmp_path / "xdg-cache").exists()  # not even the answer cache is opened
    assert r.out.startswith(f"POST {server.base_url}/chat/completions\nmodel: test\n")
    for m in prompt.build(jobs[0]).messages:
        assert f"--- {m['role']} ---\n{m['content']}" in r.out


def test_endpoint_failure_stops_with_one_line_and_keeps_what_finished(sample, server, env, tmp_path):
    repo, jobs, _ = sample
    job = jobs[3]
    server.add("401", match=f"`{job.unit.name}` in {job.unit.path} (lines", times=100)
    # jobs for the same unit share that line; the first job that hits it is where the run stops
    stop_at = next(i for i, j in enumerate(jobs) if j.unit.key == job.unit.key)
    out = tmp_path / "f.jsonl"
    r = run_openai(env, server, repo, out, "--concurrency", "1")
    assert r.code == 2
    assert "Traceback" not in r.err
    [error] = [line for line in r.err.splitlines() if line.startswith("codeback: error:")]
    assert "written" in r.err  # the report of what finished comes first
    assert error.startswith("codeback: error: openai request for ") and "HTTP 401" in error
    assert f"stopped there with {stop_at} job(s) finished" in error
    assert len(lines(out)) == stop_at and len(server.completions) == stop_at + 1  # a 401 is not retried
    valid(env, out, repo, stop_at)
    server.rules.clear()
    resumed = run_openai(env, server, repo, out, "--concurrency", "1")
    assert resumed.code == 0, resumed.err
    assert f"{len(jobs) - stop_at} written, {stop_at} already" in resumed.err
    valid(env, out, repo, len(jobs))


def test_bad_backend_options_are_one_line_errors(sample, env, tmp_path):
    repo = sample[0]
    r = cb(env, "run", "--backend", "openai", "--model", "m", "--repo", repo, "--out", tmp_path / "x.jsonl")
    assert r.code == 2 and "no API key; set OPENAI_API_KEY" in r.err and "Traceback" not in r.err
    r = cb(env, "run", "--backend", "openai", "--model", "m", "--base-url", "http://127.0.0.1:9/v1",
           "--temperature", "5", "--repo", repo, "--out", tmp_path / "x.jsonl")
    assert r.code == 2 and "temperature must be between 0 and 2" in r.err
    r = cb(env, "run", "--backend", "openai", "--model", "m", "--api-key", "sk-x", "--repo", repo)
    assert r.code == 2 and "--api-key" in r.err  # the key is never a flag (shell history, ps)


def test_help_does_not_import_the_sdk(env):
    res = subprocess.run([sys.executable, "-X", "importtime", "-m", "codeback", "--help"],
                         check=False, capture_output=True, text=True, env=env, timeout=60)
    assert res.returncode == 0
    assert "openai" not in res.stderr.lower()


def test_a_template_sentence_is_refused_even_when_the_drafts_were_checked_at_once(sample, env, tmp_path):
    """Drafts checked concurrently cannot see each other; the run checks each again, in order,
    before writing it, so the limit of two pieces of code per sentence holds."""
    repo, jobs, answers = sample
    boiler = "This part has to stay easy to read for whoever looks after the delivery path later."
    units, table = [], dict(answers)
    for j in jobs:
        if j.unit.name not in units and len(units) < 3:
            units.append(j.unit.name)
            a = table[key_of(j)]
            table[key_of(j)] = {"request": a["request"], "reasoning": a["reasoning"] + "\n\n" + boiler}
    srv = LLMServer(latency=0.3, answer=keyed_answer(table)).start()
    try:
        out = tmp_path / "t.jsonl"
        r = run_openai(env, srv, repo, out, "--concurrency", str(len(jobs)))
    finally:
        srv.stop()
    assert r.code == 0, r.err
    written = [rec for rec in lines(out) if boiler in rec["messages"][2]["content"]]
    assert len(written) == 2
    rejects = lines(out.with_name("t.jsonl.rejects.jsonl"))
    assert any("already written about 2 other pieces of code" in p
               for rej in rejects for p in rej["problems"]), rejects
