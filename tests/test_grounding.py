"""The checks every draft passes: grounding, no pasted code, diversity."""

from __future__ import annotations

import orjson

from codeback.context import code_block, context_pieces
from codeback.extract import extract_file
from codeback.facts import read_facts
from codeback.generate.base import Job
from codeback.model import Draft
from codeback.run import draft_problems
from codeback.spec import load_spec
from codeback.validate import Diversity, jaccard, shingles
from support import SAMPLE, cli, make_repo

PATH = "server/svix-server/src/worker/delay.rs"
GOOD_REASONING = (
    "The spread is a factor between `1.0 - JITTER_SPREAD` and `1.0 + JITTER_SPREAD`; with "
    "`JITTER_SPREAD` = 0.15 that is 0.85 to 1.15, so ±15 % around the delay, and the floor is 30 s "
    "for timeouts and 429s. There is no tokio in this code: nothing here awaits. chrono supplies "
    "`DateTime<Utc>` for the Retry-After time. " * 2)
GOOD_REQUEST = ("Retries from one outage land together. Spread each retry delay by up to 15 % either "
                "way, and wait at least 30 s after a timeout or a 429.")


def job():
    spec = load_spec("svix-backoff-jitter")
    data = (SAMPLE / PATH).read_bytes()
    fu = extract_file(PATH, data)
    unit = next(u for u in fu.units if u.name == "next_retry_delay")
    pieces = context_pieces(unit, fu)
    facts = read_facts(unit, pieces, data).facts
    return spec, Job("x", unit, pieces, code_block(pieces, "rust"), facts, "github_issue", "jitter",
                     0, spec)


def problems(request=GOOD_REQUEST, reasoning=GOOD_REASONING):
    spec, j = job()
    return draft_problems(spec, j, Draft(request, reasoning, "github_issue", "test"))


def test_a_grounded_draft_passes():
    assert problems() == []


def test_a_planted_number_is_caught():
    p = problems(reasoning=GOOD_REASONING.replace("30 s", "45 s"))
    assert any("number 45 is not in the code" in x for x in p), p
    p = problems(request=GOOD_REQUEST.replace("15 %", "25 %"))
    assert any(x.startswith("request: number 25") for x in p), p


def test_a_crate_the_unit_does_not_use_is_caught():
    p = problems(reasoning=GOOD_REASONING.replace(
        "There is no tokio in this code: nothing here awaits.", "tokio sleeps between attempts here."))
    assert any("names crate tokio, which this code does not use" in x for x in p), p


def test_an_identifier_that_is_not_in_the_code_is_caught():
    p = problems(reasoning=GOOD_REASONING + " It calls `backoff_with_decorrelated_jitter` first.")
    assert any("backoff_with_decorrelated_jitter" in x for x in p), p


def test_a_request_that_pastes_code_is_caught():
    line = "let overloaded = matches!(err, DeliveryError::Timeout | DeliveryError::Status(429));"
    p = problems(request=GOOD_REQUEST + " Use " + line)
    assert any("pastes a line of the code" in x for x in p), p
    assert any("code fence" in x for x in problems(request=GOOD_REQUEST + "\n```rust\nfn x() {}\n```"))


def test_lengths_come_from_the_spec():
    p = problems(request="Add jitter.")
    assert any(x.startswith("request length 11 outside 120..") for x in p), p


def test_diversity_refuses_near_duplicates():
    d = Diversity()
    d.add(GOOD_REQUEST, GOOD_REASONING)
    assert d.problems(GOOD_REQUEST.replace("together", "at once"), "entirely different reasoning " * 20)
    assert not d.problems("A completely different need, written differently for another unit.",
                          "entirely different reasoning about caps and floors and schedules " * 5)


def test_a_template_sentence_may_describe_two_pieces_of_code_not_three():
    d = Diversity()
    boiler = "This sentence could be written about any piece of code at all, which is the problem."

    def reasoning(topic: str) -> str:  # otherwise different, so only the sentence rule can object
        return f"{boiler}\n\n" + " ".join(f"{topic} point {i} stands on its own here." for i in range(12))

    d.add("Request one about a cap.", reasoning("cap"), code="```rust\nfn a() {}\n```")
    d.add("Request two, on jitter instead.", reasoning("jitter"), code="```rust\nfn b() {}\n```")
    assert not d.problems("Request three, about the same code as one.", reasoning("floor"),
                          code="```rust\nfn a() {}\n```")
    problems = d.problems("Request four, a third piece of code.", reasoning("schedule"),
                          code="```rust\nfn c() {}\n```")
    assert problems and "already written about 2 other pieces of code" in problems[0], problems


def test_a_resumed_run_counts_stored_reasoning_as_written():
    """Stored records are split back into request, reasoning and code, so a resumed run weighs
    the same text a fresh run did (not the reasoning with the code block glued on)."""
    record = {"messages": [{"role": "system", "content": "s"},
                           {"role": "user", "content": GOOD_REQUEST},
                           {"role": "assistant", "content": f"<think>\n{GOOD_REASONING}\n</think>\n\n"
                                                             "```rust\nfn a() {}\n```"}]}
    fresh, resumed = Diversity(), Diversity()
    fresh.add(GOOD_REQUEST, GOOD_REASONING, "```rust\nfn a() {}\n```")
    resumed.add_record(record)
    assert resumed.seen == fresh.seen and resumed.sentences == fresh.sentences


def test_generated_dataset_is_diverse_and_grounded(repo, tmp_path):
    out = tmp_path / "d.jsonl"
    assert cli("run", "--repo", repo, "--out", out).code == 0
    recs = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    reqs = [shingles(r["messages"][1]["content"]) for r in recs]
    thinks = [shingles(r["messages"][2]["content"].split("</think>")[0]) for r in recs]
    worst_req = max(jaccard(a, b) for i, a in enumerate(reqs) for b in reqs[i + 1:])
    worst_think = max(jaccard(a, b) for i, a in enumerate(thinks) for b in thinks[i + 1:])
    assert worst_req <= 0.5 and worst_think <= 0.7, (worst_req, worst_think)
    rejects = out.with_name(out.name + ".rejects.jsonl")
    assert not rejects.exists() or rejects.read_bytes() == b""


def test_parameter_names_are_quoted_whole():
    """`mut ` is a prefix, not a set of characters to strip: `ttl` must not become `l`."""
    from codeback.generate.think import _params
    from codeback.generate.view import View

    spec, j = job()
    sig = next(f for f in j.facts if f.kind == "signature")
    from codeback.model import Fact
    fake = Fact("signature", sig.key, sig.value, sig.code, sig.line, sig.terms,
                (("params", "(ttl: Duration, task: &T, mut util: u32)"), ("returns", "Duration")))
    j.facts = [fake if f is sig else f for f in j.facts]
    assert _params(View(j)) == [("ttl", "Duration"), ("task", "&T"), ("util", "u32")]


def test_growth_that_is_not_doubling_is_never_called_doubling(tmp_path):
    """A power of 1.5 grows the wait; an example about it must not say it doubles."""
    src = tmp_path / "src"
    (src / "server" / "svix-server" / "src").mkdir(parents=True)
    (src / "server" / "svix-server" / "src" / "backoff.rs").write_text('''use std::time::Duration;

const BASE_DELAY: Duration = Duration::from_millis(200);
const MAX_DELAY: Duration = Duration::from_secs(60);

/// Delay before retry number `attempt`: grows by half each time, never above the cap.
pub fn retry_delay(attempt: u32) -> Duration {
    let grown = BASE_DELAY.mul_f64(1.5f64.powi(attempt as i32));
    grown.min(MAX_DELAY)
}
''')
    repo = make_repo(tmp_path / "repo", src)
    out = tmp_path / "d.jsonl"
    r = cli("run", "--repo", repo, "--out", out)
    assert r.code == 0, r.err
    recs = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    assert recs, r.err
    for rec in recs:
        prose = rec["messages"][1]["content"] + rec["messages"][2]["content"].split("</think>")[0]
        assert not any(w in prose.lower() for w in ("doubl", "twice")), prose


def test_growth_by_a_named_factor_is_said_as_such(tmp_path):
    src = tmp_path / "src" / "go"
    src.mkdir(parents=True)
    (src / "backoff.go").write_text('''package retry

import "time"

const maxWait = 30 * time.Second

// nextWait returns the wait before the next retry, grown by the multiplier, never above maxWait.
func nextWait(cur time.Duration, multiplier float64) time.Duration {
	cur = time.Duration(float64(cur) * multiplier)
	if cur > maxWait {
		cur = maxWait
	}
	return cur
}
''')
    repo = make_repo(tmp_path / "repo", tmp_path / "src")
    out = tmp_path / "d.jsonl"
    r = cli("run", "--repo", repo, "--spec", "svix-sdk-backoff", "--out", out)
    assert r.code == 0, r.err
    recs = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    assert recs, r.err
    think = recs[0]["messages"][2]["content"].split("</think>")[0]
    assert "multiplies the wait by `multiplier`" in think and "The ceiling is `maxWait`, 30 s" in think
    assert "doubl" not in (recs[0]["messages"][1]["content"] + think).lower()


def test_every_style_of_a_retry_after_example_is_grounded_in_code_that_cites_no_rfc(tmp_path):
    """A Retry-After parser that reads both forms, with no RFC number anywhere in it: whatever
    style each example is written in, no template sentence may bring a number the code does not
    have (a review follow-up once cited "RFC 9110" and the example was rejected)."""
    src = tmp_path / "src" / "server" / "svix-server" / "src"
    src.mkdir(parents=True)
    (src / "worker.rs").write_text('''use chrono::{DateTime, Utc};
use http::{header::RETRY_AFTER, HeaderMap};

fn retry_after(hdr_map: &HeaderMap) -> Option<DateTime<Utc>> {
    let retry_after = hdr_map.get(RETRY_AFTER)?;
    let retry_after_str = retry_after.to_str().ok()?;
    if let Ok(date) = DateTime::parse_from_rfc2822(retry_after_str) {
        return Some(date.with_timezone(&Utc));
    }
    let secs: f64 = retry_after_str.parse().ok()?;
    Some(Utc::now() + chrono::Duration::milliseconds((secs * 1000.0).ceil() as i64))
}
''')
    repo = make_repo(tmp_path / "repo", tmp_path / "src")
    for n in range(6):  # one run per style the rotation starts from: every template is tried
        out = tmp_path / f"d{n}.jsonl"
        r = cli("run", "--repo", repo, "--out", out, "--seed", str(n))
        assert r.code == 0, r.err
        assert ", 0 rejected" in r.err, r.err
        assert out.read_bytes().count(b"\n") >= 1, r.err
