"""The secret scanner's needle prefilter changes no result.

`find_secrets` skips a pattern on text that lacks all of that pattern's needles (literals every
match must contain). These tests run it with and without the prefilter over every file of the
bundled sample and the test fixtures, line by line and whole, plus texts built to hold each
kind of credential (also in odd case and inside longer lines), and require identical findings.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from codeback.generate import prompt, secrets

ROOT = Path(__file__).resolve().parents[1]

PLANTED = [
    'let id = "AKIAIOSFODNN7EXAMPLE";',
    'x = "ASIAQWERTYUIOPASDFGH"',
    "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\nabc\n-----END RSA PRIVATE KEY-----",
    "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU",
    'token = "ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"',
    "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz",
    'SLACK = "xoxb-1234567890-abcdefghij"',
    "hook: https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXX",
    'stripe = "sk_live_4eC39HqLyjWDarjtT1zdp7dc"',
    'rk = "rk_test_4eC39HqLyjWDarjtT1zdp7dc"',
    'SIGNING = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"',
    'g = "AIzaSyA1234567890abcdefghijklmnopqrstuv"',
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    'db_password = "hunter2hunter"',
    'DB_PASSWORD = "hunter2hunter"',
    'let api_key: &str = "k3yV4lue99";',
    'const ApiKey = "k3yV4lue99Abc";',
    'CLIENT_SECRET: "s3cr3tValue"',
    'credentials => "Zx9Zx9Zx9Zx9"',
    'authKey := "AbC123xyz789"',
    'pwd = "correct horse"',
    'blob = "q8Zr2LmX0pVt7YbN4cWs1KdH9eFj6GaU"',
    'hexed = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"',
    'const TOKEN_HEADER: &str = "x-svix-token";',
    'let secret = std::env::var("SVIX_JWT_SECRET")?;',
    'naïve_token = "Ab12Cd34Ef56"',  # not ASCII: the regex decides
    'ſecret = "Ab12Cd34Ef56"',
]


def corpus() -> list[str]:
    texts = list(PLANTED)
    for base in (ROOT / "src" / "codeback" / "sample", ROOT / "tests" / "fixtures"):
        for path in sorted(base.rglob("*")):
            if path.is_file():
                try:
                    texts.append(path.read_text(encoding="utf-8"))
                except (UnicodeDecodeError, OSError):
                    continue
    texts.append("\n".join(PLANTED))
    return texts


def unfiltered(monkeypatch) -> None:
    monkeypatch.setattr(secrets, "_TOKEN_NEEDLES", {k: ("",) for k in secrets._TOKEN_NEEDLES})
    monkeypatch.setattr(secrets, "_may_assign", lambda text: True)


def test_prefilter_changes_no_finding(monkeypatch):
    texts = corpus()
    assert len(texts) > 40
    pieces = texts + [line for t in texts for line in t.splitlines()]
    fast = [secrets.find_secrets(t) for t in pieces]
    unfiltered(monkeypatch)
    slow = [secrets.find_secrets(t) for t in pieces]
    assert fast == slow
    assert sum(map(len, slow)) >= len(PLANTED) - 4  # the planted ones are found at all


def test_might_hold_is_false_only_when_no_line_holds_a_secret(monkeypatch):
    texts = corpus()
    unfiltered(monkeypatch)  # the oracle: every pattern on every line
    for text in texts:
        if not secrets.might_hold(text):
            assert all(secrets.find_secrets(line) == [] for line in [text, *text.splitlines()]), text[:80]
    assert all(secrets.might_hold(t) for t in PLANTED)


@pytest.mark.parametrize("kind", sorted(secrets._TOKEN_NEEDLES))
def test_every_token_kind_has_needles_that_its_pattern_needs(kind):
    pattern = dict(secrets._TOKEN_PATTERNS)[kind]
    samples = [t for t in PLANTED if pattern.search(t)]
    assert samples, f"no planted sample for {kind}"
    for t in samples:
        m = pattern.search(t)
        assert any(n in m.group(0) for n in secrets._TOKEN_NEEDLES[kind])


def test_fact_lines_are_still_scanned_one_by_one():
    from codeback.model import Fact

    token = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
    facts = [
        Fact("const", "BASE", "100", "const BASE: u64 = 100;", 1, ("100",)),
        Fact("const", "T", token, f'const T: &str = "{token}";', 2, ("T",)),
    ]
    _, lines, findings, literals = prompt._redact_all("fn f() {}\n", facts)
    assert {(f.kind, f.line) for f in findings} == {("github-token", 2)}  # the value and the code
    assert token in literals and len(lines) == 2
