"""Credential scanning and redaction for what leaves the machine.

Why here: the offline generator never sends code anywhere, an LLM backend does. Before a prompt
is sent, the code and its context are scanned; anything that looks like a credential is replaced
by `<REDACTED:kind>` in the text that is sent, and the findings are reported so the pipeline can
skip the unit (or keep its verbatim code only when the spec allows secrets in output).

A finding never carries the secret itself (only kind, line and offsets), so a finding that ends
up in a log or a rejects file does not leak what it found.

Heuristics, in order of confidence: well-known token formats (cloud keys, private key blocks,
GitHub/Slack/Stripe/Svix/Google tokens, JWTs), then `password|secret|token|api_key = "literal"`
assignments, then high-entropy string literals (Shannon entropy over the literal, as
detect-secrets does: 4.5 bits/char for base64-like text, 3.0 for hex, with a minimum length).

Speed: a prompt scans the code and every fact line, and Python's regex engine tries each
pattern at every position (about 1 ms per job on real units). Each pattern therefore has
*needles*: literals that every match of it must contain. A pattern runs only on text that holds
one of its needles (found with plain substring search), which changes no result: no needle, no
possible match. The needles sit next to their patterns and a pattern without them fails import.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

REDACTED = "<REDACTED:{kind}>"

_TOKEN_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "private-key",
        re.compile(
            r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"
            r"[\s\S]*?(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|\Z)"
        ),
    ),
    ("aws-access-key", re.compile(r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[0-9A-Z]{16}\b")),
    ("github-token", re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b")),
    ("slack-token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}")),
    (
        "slack-webhook",
        re.compile(r"https://hooks\.slack\.com/services/T[A-Za-z0-9_]+/B[A-Za-z0-9_]+/[A-Za-z0-9_]+"),
    ),
    ("stripe-key", re.compile(r"\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}\b")),
    ("svix-signing-secret", re.compile(r"\bwhsec_[A-Za-z0-9+/=]{24,}")),
    ("google-api-key", re.compile(r"\bAIza[0-9A-Za-z_\-]{35}\b")),
    ("jwt", re.compile(r"\beyJ[A-Za-z0-9_\-]{10,}\.eyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,}")),
]

_TOKEN_NEEDLES: dict[str, tuple[str, ...]] = {
    # every match of the pattern of that kind contains one of these (case-sensitive)
    "private-key": ("-----BEGIN ",),
    "aws-access-key": ("AKIA", "ASIA", "AGPA", "AIDA", "AROA", "ANPA", "ANVA", "AIPA"),
    "github-token": ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
    "slack-token": ("xox",),
    "slack-webhook": ("https://hooks.slack.com/services/T",),
    "stripe-key": ("sk_live_", "sk_test_", "rk_live_", "rk_test_"),
    "svix-signing-secret": ("whsec_",),
    "google-api-key": ("AIza",),
    "jwt": ("eyJ",),
}
_missing = [kind for kind, _ in _TOKEN_PATTERNS if not _TOKEN_NEEDLES.get(kind)]
if _missing:  # a pattern without needles would silently never run
    raise AssertionError(f"secrets: token pattern(s) without needles: {', '.join(_missing)}")

_SECRET_WORDS = ("passw", "pwd", "secret", "token", "key", "credential")
"""Every secret name (below) holds one of these, compared lowercased (ASCII text only)."""

_SECRET_NAME = (
    r"[A-Za-z0-9_]*(?:password|passwd|pwd|secret|token|api_?key|apikey|auth_?key|access_?key"
    r"|private_?key|client_?secret|credentials?)[A-Za-z0-9_]*"
)
# name, optional type annotation, assignment operator, optional string prefix, quoted literal
_ASSIGNMENT = re.compile(
    rf"(?i)\b(?P<name>{_SECRET_NAME})\b[\"']?\s*(?::\s*&?'?[A-Za-z_][\w<>\[\], &']*)?\s*"
    r"(?:=|:=|=>|:)\s*(?:[rbuf]{1,2})?(?P<q>[\"'])(?P<value>[^\"'\n]{6,})(?P=q)"
)
# Names that hold the *name* of a secret (a header, an env var), not the secret itself.
_NOT_A_SECRET_NAME = re.compile(
    r"(?i)(header|name|field|env|var|type|prefix|path|file|url|len|length|size|regex|pattern|kind"
    r"|label|param|key_id|format|endpoint)s?$"
)
_PLACEHOLDER = re.compile(
    r"(?i)^(\$\{.*\}|\$[A-Z_]+|<.*>|\{\{.*\}\}|\{.*\}|%s|\*+|x+|\.+|changeme|change_me|example.*"
    r"|dummy.*|placeholder.*|your[-_ ].*|test|none|null|redacted)$"
)
_STRING_LITERAL = re.compile(r"([\"'`])([A-Za-z0-9+/=_\-.]{20,})\1")
_HEX = re.compile(r"^[0-9a-fA-F]+$")

BASE64_ENTROPY = 4.5
HEX_ENTROPY = 3.0
MIN_ENTROPY_LEN = 20
MIN_HEX_LEN = 32


@dataclass(frozen=True, slots=True)
class Finding:
    """One suspected credential: its kind and where it is (never its value)."""

    kind: str
    line: int
    start: int
    end: int

    def __str__(self) -> str:
        return f"{self.kind} at line {self.line}"


def shannon_entropy(text: str) -> float:
    """Bits per character of `text` under its own character distribution."""
    if not text:
        return 0.0
    n = len(text)
    return -sum(c / n * math.log2(c / n) for c in Counter(text).values())


def _looks_secret(value: str, name: str) -> bool:
    if _PLACEHOLDER.match(value) or any(ch.isspace() for ch in value):
        return False
    if re.search(r"(?i)(password|passwd|pwd)", name):
        return True
    # A token/secret/key value is rarely a plain lowercase word like "authorization".
    return bool(
        re.search(r"\d", value) or (re.search(r"[a-z]", value) and re.search(r"[A-Z]", value))
    )


def _high_entropy(literal: str) -> bool:
    if not re.search(r"\d", literal) or not re.search(r"[A-Za-z]", literal):
        return False
    if _HEX.match(literal):
        return len(literal) >= MIN_HEX_LEN and shannon_entropy(literal) >= HEX_ENTROPY
    return len(literal) >= MIN_ENTROPY_LEN and shannon_entropy(literal) >= BASE64_ENTROPY


def _may_assign(text: str) -> bool:
    """False only when no secret-named assignment can be in `text`."""
    if not text.isascii():  # case folding beyond ASCII: let the regex decide
        return True
    low = text.lower()
    return any(w in low for w in _SECRET_WORDS)


def might_hold(text: str) -> bool:
    """False only when `find_secrets` finds nothing in `text` *and in any part of it* (a line),
    so a caller can test many lines joined together once."""
    return (
        any(n in text for needles in _TOKEN_NEEDLES.values() for n in needles)
        or _may_assign(text)
        or _STRING_LITERAL.search(text) is not None
    )


def find_secrets(text: str) -> list[Finding]:
    """Suspected credentials in `text`, in order, without overlaps (the first, widest wins)."""
    raw: list[tuple[int, int, str]] = []
    for kind, pattern in _TOKEN_PATTERNS:
        if any(n in text for n in _TOKEN_NEEDLES[kind]):
            raw.extend((m.start(), m.end(), kind) for m in pattern.finditer(text))
    for m in _ASSIGNMENT.finditer(text) if _may_assign(text) else ():
        name, value = m.group("name"), m.group("value")
        if _NOT_A_SECRET_NAME.search(name) or not _looks_secret(value, name):
            continue
        raw.append((m.start("value"), m.end("value"), "secret-assignment"))
    for m in _STRING_LITERAL.finditer(text):
        if _high_entropy(m.group(2)):
            raw.append((m.start(2), m.end(2), "high-entropy-string"))
    raw.sort(key=lambda r: (r[0], -(r[1] - r[0])))
    findings: list[Finding] = []
    last_end = -1
    for start, end, kind in raw:
        if start < last_end:
            continue
        findings.append(Finding(kind, text.count("\n", 0, start) + 1, start, end))
        last_end = end
    return findings


def redact(text: str) -> tuple[str, list[Finding]]:
    """`text` with every finding replaced by `<REDACTED:kind>`, and the findings."""
    findings = find_secrets(text)
    out = text
    for f in reversed(findings):
        out = out[: f.start] + REDACTED.format(kind=f.kind) + out[f.end :]
    return out, findings


def summary(findings: list[Finding], limit: int = 5) -> str:
    """One line naming what was found, for a skip reason or a log line."""
    parts = [str(f) for f in findings[:limit]]
    if len(findings) > limit:
        parts.append(f"{len(findings) - limit} more")
    return ", ".join(parts)
