"""The LLM backend's parts on their own: retry policy, answer parsing, secret scanning, cache."""

from __future__ import annotations

import asyncio
import random
from email.utils import format_datetime
from datetime import datetime, timezone

import pytest

from codeback.errors import BackendError
from codeback.generate import prompt, secrets
from codeback.generate.cache import AnswerCache, CachedAnswer, request_key
from codeback.generate.retrying import (
    EndpointError,
    RetryPolicy,
    Transient,
    call_with_retries,
    classify,
    parse_retry_after,
)


class FakeResponse:
    def __init__(self, headers: dict[str, str]):
        self.headers = {k.lower(): v for k, v in headers.items()}  # HTTP headers ignore case


class StatusError(Exception):
    """Shaped like the SDK's APIStatusError (status_code, response.headers, body)."""

    def __init__(self, status: int, headers: dict[str, str] | None = None):
        super().__init__(f"status {status}")
        self.status_code = status
        self.response = FakeResponse(headers or {})
        self.body = {"error": {"message": f"scripted\n{status}"}}


class APITimeoutError(Exception):
    pass


def run_calls(failures: list[BaseException], policy: RetryPolicy, rng_seed: int = 3):
    """Drive call_with_retries with a fake sleep; return (result or error, sleeps, attempts)."""
    sleeps: list[float] = []
    attempts = []

    async def sleep(d: float) -> None:
        sleeps.append(d)

    async def call():
        attempts.append(1)
        if failures:
            raise failures.pop(0)
        return "ok"

    async def main():
        return await call_with_retries(
            call, policy, sleep=sleep, rng=random.Random(rng_seed), clock=lambda: 1_000_000.0
        )

    try:
        return asyncio.run(main()), sleeps, len(attempts)
    except EndpointError as e:
        return e, sleeps, len(attempts)


def test_full_jitter_draws_from_capped_doubling_window():
    policy = RetryPolicy(max_attempts=6, base=1.0, cap=5.0, max_total_wait=1000)
    result, sleeps, attempts = run_calls([StatusError(503)] * 5, policy)
    ref = random.Random(3)
    assert result == "ok" and attempts == 6
    assert sleeps == [ref.uniform(0, min(5.0, 1.0 * 2**n)) for n in range(5)]
    assert all(0 <= s <= 5.0 for s in sleeps)


def test_retry_after_seconds_and_http_date_are_floors():
    policy = RetryPolicy(max_attempts=3, base=0.001, cap=0.001, max_total_wait=100)
    when = datetime.fromtimestamp(1_000_000.0 + 7, tz=timezone.utc)
    errors = [StatusError(429, {"Retry-After": "4"}), StatusError(503, {"Retry-After": format_datetime(when, usegmt=True)})]
    result, sleeps, _ = run_calls(errors, policy)
    assert result == "ok"
    assert sleeps[0] == 4.0 and sleeps[1] == pytest.approx(7.0)


def test_retry_after_parsing():
    assert parse_retry_after({"retry-after": "12"}, 0) == 12.0
    assert parse_retry_after({"retry-after-ms": "250"}, 0) == 0.25
    past = format_datetime(datetime(2000, 1, 1, tzinfo=timezone.utc), usegmt=True)
    assert parse_retry_after({"retry-after": past}, 2_000_000_000) == 0.0
    assert parse_retry_after({"retry-after": "soon"}, 0) is None
    assert parse_retry_after({}, 0) is None


@pytest.mark.parametrize("status", [400, 401, 404, 422])
def test_client_errors_fail_fast_in_one_line(status):
    result, sleeps, attempts = run_calls([StatusError(status)], RetryPolicy())
    assert isinstance(result, EndpointError) and isinstance(result, BackendError)
    assert attempts == 1 and sleeps == []
    assert f"HTTP {status}" in str(result) and "\n" not in str(result)
    assert result.status == status and not result.exhausted


def test_attempt_cap_and_total_wait_cap():
    result, sleeps, attempts = run_calls([StatusError(500)] * 10, RetryPolicy(max_attempts=4, base=0.01))
    assert isinstance(result, EndpointError) and result.exhausted and attempts == 4 and len(sleeps) == 3
    capped = RetryPolicy(max_attempts=10, base=0.01, max_total_wait=10)
    result, sleeps, attempts = run_calls([StatusError(429, {"Retry-After": "6"})] * 10, capped)
    assert isinstance(result, EndpointError) and "cap on total wait" in str(result)
    assert sleeps == [6.0] and attempts == 2  # a second 6 s wait would pass the 10 s cap


def test_timeouts_connection_errors_and_transients_are_retried():
    errors = [APITimeoutError(), TimeoutError(), ConnectionResetError("reset"), Transient("not JSON")]
    result, sleeps, attempts = run_calls(errors, RetryPolicy(max_attempts=5, base=0.01))
    assert result == "ok" and attempts == 5


def test_unknown_exceptions_are_not_disguised():
    assert classify(ValueError("bug"), 0) is None
    with pytest.raises(ZeroDivisionError):
        run_calls([ZeroDivisionError()], RetryPolicy())


# ---- answer parsing -------------------------------------------------------------------------

CODE = "pub fn next_delay(attempt: u32) -> Duration {\n    let capped_base_delay_in_millis = BASE.saturating_mul(2u64.pow(attempt));\n}\n"


def test_parse_accepts_a_bare_object_or_one_json_fence():
    ok, problems = prompt.parse_answer('{"request": " Need a delay. ", "reasoning": "Double it."}', CODE)
    assert problems == [] and ok == prompt.Parsed("Need a delay.", "Double it.")
    fenced = 'Here you go:\n```json\n{"request": "a", "reasoning": "b"}\n```'
    assert prompt.parse_answer(fenced, CODE)[0] == prompt.Parsed("a", "b")


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ("", "empty"),
        ('{"request": "a", "reasoning": ', "not valid JSON"),
        ("request: a\nreasoning: b", "no JSON object"),
        ('```json\n{"request": "a", "reasoning": "b"}\n```\n```json\n{}\n```', "2 fenced blocks"),
        ('["a", "b"]', "not an object"),
        ('{"request": "a"}', "lacks key(s): reasoning"),
        ('{"request": "a", "reasoning": "b", "code": "fn x() {}"}', "unexpected key(s): code"),
        ('{"request": "a", "reasoning": 3}', "non-empty string"),
        ('{"request": "a\\n```rust\\nfn x(){}\\n```", "reasoning": "b"}', "request contains a code block"),
        ('{"request": "a", "reasoning": "<think>b</think>"}', "<think> tag"),
        (
            '{"request": "a", "reasoning": "then let capped_base_delay_in_millis = BASE.saturating_mul(2u64.pow(attempt)); ok"}',
            "restates 1 line(s)",
        ),
    ],
)
def test_parse_rejects_with_a_reason(answer, reason):
    parsed, problems = prompt.parse_answer(answer, CODE)
    assert parsed is None and any(reason in p for p in problems), problems


def test_parse_rejects_truncated_even_if_it_parses():
    parsed, problems = prompt.parse_answer('{"request": "a", "reasoning": "b"}', CODE, "length")
    assert parsed is None and "cut off" in problems[0]


def test_fence_is_longer_than_any_backtick_run():
    assert prompt.fence_for("plain") == "````"
    assert prompt.fence_for("a ```````` b") == "`" * 9


# ---- secrets --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ('let id = "AKIAIOSFODNN7EXAMPLE";', "aws-access-key"),
        ("-----BEGIN RSA PRIVATE KEY-----\nMIIEow\nabc\n-----END RSA PRIVATE KEY-----", "private-key"),
        ('token = "ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"', "github-token"),
        ('SLACK = "xoxb-1234567890-abcdefghij"', "slack-token"),
        ('stripe = "sk_live_4eC39HqLyjWDarjtT1zdp7dc"', "stripe-key"),
        ('db_password = "hunter2hunter"', "secret-assignment"),
        ('let api_key: &str = "k3yV4lue99";', "secret-assignment"),
        ('blob = "q8Zr2LmX0pVt7YbN4cWs1KdH9eFj6GaU"', "high-entropy-string"),
    ],
)
def test_secrets_are_found_and_redacted(text, kind):
    found = secrets.find_secrets(text)
    assert [f.kind for f in found] == [kind]
    out, findings = secrets.redact(text)
    secret = text[found[0].start : found[0].end]
    assert secret not in out and f"<REDACTED:{kind}>" in out
    assert findings == found and secret not in str(found[0])


@pytest.mark.parametrize(
    "text",
    [
        'const TOKEN_HEADER: &str = "x-svix-token";',
        'let password = "changeme";',
        'let secret = std::env::var("SVIX_JWT_SECRET")?;',
        'const MSG: &str = "retry_after_header_missing_value";',
        "let delay = Duration::from_secs(60 * 60);",
        'let api_key = "${API_KEY}";',
    ],
)
def test_ordinary_code_is_not_a_secret(text):
    assert secrets.find_secrets(text) == []


def test_entropy_measure():
    assert secrets.shannon_entropy("aaaa") == 0.0
    assert secrets.shannon_entropy("abcd") == 2.0


# ---- cache ----------------------------------------------------------------------------------


def test_cache_key_covers_model_parameters_and_messages(tmp_path):
    msgs = [{"role": "user", "content": "x"}]
    base = request_key("m", {"temperature": 0.7}, msgs)
    assert base == request_key("m", {"temperature": 0.7}, [dict(msgs[0])])
    assert base != request_key("m2", {"temperature": 0.7}, msgs)
    assert base != request_key("m", {"temperature": 0.8}, msgs)
    assert base != request_key("m", {"temperature": 0.7}, [{"role": "user", "content": "y"}])


def test_cache_survives_reopening(tmp_path):
    path = tmp_path / "sub" / "c.sqlite"
    c = AnswerCache(path)
    c.put("k", "m", CachedAnswer("{}", "stop", 10, 5))
    c.close()
    again = AnswerCache(path)
    assert again.get("k") == CachedAnswer("{}", "stop", 10, 5) and again.get("other") is None
    assert (again.hits, again.misses) == (1, 1)


def test_cache_that_cannot_open_is_a_one_line_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(BackendError, match="cannot open the answer cache"):
        AnswerCache(blocker / "c.sqlite")
