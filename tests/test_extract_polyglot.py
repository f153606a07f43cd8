"""Every language's units on the polyglot fixture: exact kinds, qualified names and line spans.

The fixture (tests/fixtures/polyglot) has, per language, a retry schedule or backoff function, a
retry loop and a test file. Spans include attached doc comments, decorators and annotations, so
a wrong attachment rule shows up as a wrong start line.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from codeback.extract import extract_file

ROOT = Path(__file__).parent / "fixtures" / "polyglot"

EXPECTED: dict[str, tuple[str, list[tuple[str, str, int, int]]]] = {
    "rust/src/backoff.rs": ("rust", [
        ("const", "MAX_DELAY", 3, 4),
        ("function", "backoff_delay", 6, 10),
        ("struct", "Poller", 12, 14),
        ("impl", "impl Poller", 16, 27),
        ("method", "Poller::poll_with_retry", 17, 26),
    ]),
    "python/pkg/backoff.py": ("python", [
        ("const", "RETRY_SCHEDULE", 6, 7),
        ("function", "jittered", 11, 13),
        ("class", "Retrier", 16, 31),
        ("field", "Retrier.attempts", 19, 19),
        ("method", "Retrier.sleep_for", 21, 23),
        ("method", "Retrier.call", 25, 31),
        ("function", "retrying", 34, 38),
        ("function", "retrying.inner", 35, 37),
    ]),
    "go/backoff.go": ("go", [
        ("var", "DefaultSchedule", 8, 9),
        ("const", "MaxAttempts", 12, 13),
        ("const", "minDelay", 14, 14),
        ("struct", "Client", 17, 20),
        ("function", "Jitter", 22, 25),
        ("method", "Client.Do", 27, 37),
    ]),
    "ts/src/backoff.ts": ("typescript", [
        ("const", "RETRY_SCHEDULE_MS", 3, 4),
        ("function", "sleep", 6, 6),
        ("function", "nextDelay", 8, 10),
        ("class", "RetryingClient", 12, 25),
        ("field", "RetryingClient.maxRetries", 13, 13),
        ("method", "RetryingClient.send", 15, 24),
    ]),
    "ts/src/RetryBadge.tsx": ("tsx", [
        ("const", "MAX_SHOWN", 1, 1),
        ("function", "RetryBadge", 3, 5),
    ]),
    "js/lib/retry.mjs": ("javascript", [
        ("const", "BASE_DELAY_MS", 3, 3),
        ("function", "backoff", 5, 10),
        ("function", "withRetry", 12, 21),
    ]),
    # CommonJS: functions assigned to `X.prototype.m`, `exports.f`, `module.exports.f`, `a.b`.
    "js/lib/attempts.js": ("javascript", [
        ("const", "limits", 3, 3),
        ("function", "Attempts", 5, 11),
        ("method", "Attempts.allowed", 13, 16),
        ("method", "Attempts.record", 18, 22),
        ("function", "delayFor", 26, 28),
        ("function", "jitter", 30, 30),
        ("function", "limits.clamp", 32, 35),
    ]),
    "ts/src/poller.ts": ("typescript", [
        ("function", "Poller", 1, 3),
        ("method", "Poller.next", 5, 8),
        ("function", "pollEvery", 10, 10),
    ]),
    "java/src/main/java/dev/example/Backoff.java": ("java", [
        ("class", "Backoff", 6, 28),
        ("const", "Backoff.SCHEDULE", 8, 9),
        ("field", "Backoff.calls", 11, 11),
        ("method", "Backoff.delayFor", 13, 16),
        ("method", "Backoff.callWithRetry", 18, 27),
    ]),
    "kotlin/src/main/kotlin/Backoff.kt": ("kotlin", [
        ("const", "RETRY_SCHEDULE", 5, 6),
        ("class", "Backoff", 8, 25),
        ("const", "Backoff.MAX_RETRIES", 10, 10),
        ("method", "Backoff.delayFor", 13, 13),
        ("method", "Backoff.callWithRetry", 15, 24),
    ]),
    "csharp/Example/Backoff.cs": ("csharp", [
        ("class", "Backoff", 6, 26),
        ("const", "Backoff.MaxRetries", 9, 9),
        ("field", "Backoff.ScheduleMilliseconds", 11, 11),
        ("method", "Backoff.DelayFor", 13, 14),
        ("method", "Backoff.CallWithRetry", 16, 25),
    ]),
    "ruby/lib/example/backoff.rb": ("ruby", [
        ("const", "Example.RETRY_SCHEDULE", 4, 5),
        ("class", "Example.Backoff", 7, 23),
        ("method", "Example.Backoff.delay_for", 8, 11),
        ("method", "Example.Backoff.call_with_retry", 13, 22),
    ]),
    # `def self.x`, `class << self`, `module_function`, and anonymous block forwarding (`&` at a
    # line end, which the grammar marks as an error).
    "ruby/lib/example/retrier.rb": ("ruby", [
        ("method", "Example.Retrier.with_retries", 4, 9),
        ("method", "Example.Retrier.configure", 12, 14),
        ("method", "Example.Retrier.attempt", 19, 25),
        ("method", "Example.Retrier.forward", 27, 29),
    ]),
    "php/src/Backoff.php": ("php", [
        ("class", "Backoff", 7, 34),
        ("field", "Backoff.scheduleMs", 9, 10),
        ("const", "Backoff.MAX_RETRIES", 12, 12),
        ("method", "Backoff.delayFor", 14, 20),
        ("method", "Backoff.callWithRetry", 22, 33),
    ]),
    "config/server.toml": ("toml", [
        ("config", "retry_schedule", 3, 5),
        ("config", "listen_address", 7, 7),
        ("config", "worker.max_tasks", 10, 11),
        ("config", "worker.request_timeout", 12, 12),
    ]),
    "config/deploy.yaml": ("yaml", [
        ("config", "service.name", 3, 3),
        ("config", "service.restart_backoff", 4, 5),
        ("config", "service.replicas", 6, 6),
        ("config", "env", 7, 8),
    ]),
}

TEST_FILES = [
    "rust/tests/retry_it.rs", "python/tests/test_backoff.py", "go/backoff_test.go",
    "ts/src/backoff.test.ts", "js/__tests__/retry.js",
    "java/src/test/java/dev/example/BackoffTest.java", "kotlin/src/test/kotlin/BackoffTest.kt",
    "kotlin/src/commonTest/kotlin/BackoffCommonTest.kt",
    "csharp/Example.Tests/BackoffTests.cs", "csharp/Example.Specs/BackoffSpecs.cs",
    "ruby/spec/backoff_spec.rb", "php/tests/BackoffTest.php",
]


def _extract(rel: str, exclude_tests: bool = True):
    return extract_file(rel, (ROOT / rel).read_bytes(), exclude_tests=exclude_tests)


@pytest.mark.parametrize("rel", sorted(EXPECTED))
def test_units_names_kinds_and_spans(rel: str) -> None:
    lang, expected = EXPECTED[rel]
    fu = _extract(rel)
    assert fu.lang == lang
    assert [(u.kind, u.name, u.span.start_line, u.span.end_line) for u in fu.units] == expected


@pytest.mark.parametrize("rel", sorted(EXPECTED))
def test_unit_text_is_the_exact_byte_span(rel: str) -> None:
    data = (ROOT / rel).read_bytes()
    lines = data.decode().splitlines(keepends=True)
    for u in _extract(rel).units:
        assert u.text == data[u.span.start_byte:u.span.end_byte].decode()
        # Line numbers agree with bytes: the unit starts on its start line and ends on its end line.
        assert data[:u.span.start_byte].count(b"\n") + 1 == u.span.start_line
        assert u.text.rstrip("\n").count("\n") == u.span.end_line - u.span.start_line
        assert lines[u.span.start_line - 1].strip().startswith(u.text.split("\n", 1)[0].strip())


@pytest.mark.parametrize("rel,head", [
    ("rust/src/backoff.rs", "/// Doubling delay"),
    ("python/pkg/backoff.py", "# Seconds to wait"),
    ("go/backoff.go", "// DefaultSchedule"),
    ("ts/src/backoff.ts", "/** Delays (ms)"),
    ("js/lib/retry.mjs", "/**\n * Exponential"),
    ("js/lib/attempts.js", "/** True while another attempt"),
    ("ts/src/poller.ts", "/** Next wait"),
    ("ruby/lib/example/retrier.rb", "# Entry point"),
    ("java/src/main/java/dev/example/Backoff.java", "/** Milliseconds"),
    ("kotlin/src/main/kotlin/Backoff.kt", "/** Milliseconds"),
    ("csharp/Example/Backoff.cs", "/// <summary>Retry"),
    ("ruby/lib/example/backoff.rb", "# Seconds before"),
    ("php/src/Backoff.php", "/** @var int[]"),
    ("config/server.toml", "# Seconds to wait between delivery attempts.\n# Each entry"),
    ("config/deploy.yaml", "# Backoff between restarts"),
])
def test_doc_comments_are_attached(rel: str, head: str) -> None:
    assert any(u.text.startswith(head) for u in _extract(rel).units), head


def test_decorators_and_annotations_are_inside_the_unit() -> None:
    inner = next(u for u in _extract("python/pkg/backoff.py").units if u.name == "retrying.inner")
    assert inner.text.startswith("@wraps(fn)\n")
    static = next(u for u in _extract("python/pkg/backoff.py").units if u.name == "Retrier.sleep_for")
    assert static.text.startswith("@staticmethod")
    java = next(u for u in _extract("java/src/main/java/dev/example/Backoff.java").units
                if u.name == "Backoff.delayFor")
    assert java.text.startswith("@Deprecated")
    rust = next(u for u in _extract("rust/src/backoff.rs").units if u.name == "backoff_delay")
    assert "#[inline]\npub fn backoff_delay" in rust.text


def test_assigned_functions_take_the_statement_and_their_owner() -> None:
    units = {u.name: u for u in _extract("js/lib/attempts.js").units}
    assert {name: u.parent for name, u in units.items() if u.kind in ("function", "method")} == {
        "Attempts": None, "Attempts.allowed": "Attempts", "Attempts.record": "Attempts",
        "delayFor": None, "jitter": None, "limits.clamp": "limits"}
    # The whole statement: the trailing `;` is inside, and a statement without one ends at `}`.
    assert units["Attempts.allowed"].text.endswith("\n};")
    assert units["Attempts.record"].text.startswith("// Called after each failure")
    assert units["Attempts.record"].text.endswith("\n}")
    assert units["jitter"].text == "module.exports.jitter = (ms) => Math.random() * ms;"
    ts = {u.name: u.parent for u in _extract("ts/src/poller.ts").units}
    assert ts == {"Poller": None, "Poller.next": "Poller", "pollEvery": None}
    tsx = extract_file("ui/a.tsx", b"Foo.prototype.bar = function () {};\n").units
    assert [(u.kind, u.name, u.parent) for u in tsx] == [("method", "Foo.bar", "Foo")]
    # A whole-module export names nothing of its own; an aliased method is no new definition.
    assert extract_file("lib/x.js", b"module.exports = function () {};\n").units == []
    assert extract_file("lib/x.js", b"A.prototype.b = A.prototype.c;\n").units == []
    # The owner is read off the tree, not the text: spacing and comments do not change it, and
    # a prototype of something that is not a name stays a function of that expression.
    odd = extract_file("lib/y.js", b"module /* c */ .exports.f = function () {};\n"
                                   b"this.prototype.g = function () {};\n").units
    assert [(u.kind, u.name, u.parent) for u in odd] == [
        ("function", "f", None), ("function", "this.prototype.g", "this.prototype")]


def test_schedules_keep_their_values() -> None:
    toml = next(u for u in _extract("config/server.toml").units if u.name == "retry_schedule")
    assert toml.text.endswith("retry_schedule = [5, 300, 1800, 7200]")
    assert toml.comments == ("# Seconds to wait between delivery attempts.", "# Each entry is one retry.")
    go = next(u for u in _extract("go/backoff.go").units if u.name == "DefaultSchedule")
    assert go.text.startswith("// DefaultSchedule") and "var DefaultSchedule = []time.Duration{" in go.text


def test_imports_are_context_not_units() -> None:
    expected = {
        "rust/src/backoff.rs": ["use std::time::Duration;"],
        "python/pkg/backoff.py": ["import random", "from functools import wraps"],
        "go/backoff.go": ['import (\n\t"math/rand"\n\t"time"\n)'],
        "java/src/main/java/dev/example/Backoff.java": [
            "import java.util.List;", "import java.util.concurrent.locks.LockSupport;"],
        "csharp/Example/Backoff.cs": ["using System;", "using System.Threading;"],
        "ruby/lib/example/backoff.rb": ['require "net/http"'],
        "php/src/Backoff.php": ["use RuntimeException;"],
        "kotlin/src/main/kotlin/Backoff.kt": ["import kotlinx.coroutines.delay"],
    }
    for rel, imports in expected.items():
        fu = _extract(rel)
        assert [p.text for p in fu.imports] == imports, rel
        assert all(p.role == "import" for p in fu.imports)


@pytest.mark.parametrize("rel", TEST_FILES)
def test_test_files_are_skipped_with_reason(rel: str) -> None:
    fu = _extract(rel)
    assert fu.units == []
    assert [(s.path, s.reason) for s in fu.skips] == [(rel, "test file")]
    kept = _extract(rel, exclude_tests=False)
    assert not any(s.reason == "test file" for s in kept.skips)
    assert kept.units or kept.imports, "read as an ordinary file when tests are kept"


def test_rust_test_module_is_skipped_inside_an_ordinary_file() -> None:
    fu = _extract("rust/src/backoff.rs")
    assert [(s.reason, s.name, s.line) for s in fu.skips] == [("test code", "tests", 29)]
    assert not any("doubles" in u.name for u in fu.units)
