"""Validation: what every example must satisfy before and after it is written.

- schema: the exact ChatML record of DESIGN.md, one object per line;
- think format: `<think>\\n…\\n</think>\\n\\n` then one fenced code block;
- verbatim: every piece byte-identical to the source at its recorded span (with the repo);
- grounding: every number, identifier and crate in the prose traces to a fact, the code or the
  spec, and a crate the code does not use is only ever named in a negative sentence;
- diversity: no two requests (word 5-grams) share more than 0.5 Jaccard, reasoning 0.7.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

from .model import Fact

THINK = re.compile(r"\A<think>\n(?P<think>.+?)\n</think>\n\n(?P<code>```[\w+-]*\n.*\n```)\Z", re.S)
NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?![\w]|\.\d)")
CODE_NUMBER = re.compile(r"\d+(?:\.\d+)?")
TICKED = re.compile(r"`([^`\n]+)`")
IDENTISH = re.compile(r"\b([a-z]+(?:_[a-z0-9]+)+|[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]+)+|[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\b")
WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
NEGATION = re.compile(r"(?i)\b(no|not|nothing|never|without|none|neither|nor|only enters?|would only|"
                      r"instead|has no part|does not|doesn't|comes in at|is used by|the caller|stays out)\b")
KNOWN_CRATES = ("tokio", "chrono", "rand", "reqwest", "hyper", "serde", "anyhow", "futures",
                "async-std", "tower", "axum")
ALWAYS = frozenset({"std", "time", "Duration", "await", "None", "Some", "Ok", "Err", "Utc",
                    "DateTime", "now", "ceil", "Retry", "After", "RETRY_AFTER", "to_std", "1.0"})
SCHEMA_ROLES = ("system", "user", "assistant")


def check_record(obj: object, system_prompt: str | None = None) -> list[str]:
    """Problems with one parsed record against the exact format."""
    if not isinstance(obj, dict):
        return ["not a JSON object"]
    if set(obj) != {"type", "messages"}:
        return [f"keys must be exactly type and messages, got {sorted(obj)}"]
    if obj["type"] != "chatml":
        return ["type must be \"chatml\""]
    msgs = obj["messages"]
    if not isinstance(msgs, list) or len(msgs) != 3:
        return ["messages must be a list of 3 (system, user, assistant)"]
    problems = []
    for m, role in zip(msgs, SCHEMA_ROLES):
        if not isinstance(m, dict) or set(m) != {"role", "content"}:
            problems.append(f"{role} message must have exactly role and content")
        elif m["role"] != role or not isinstance(m["content"], str) or not m["content"].strip():
            problems.append(f"message {SCHEMA_ROLES.index(role) + 1} must be a non-empty {role} message")
    if problems:
        return problems
    if system_prompt is not None and msgs[0]["content"] != system_prompt:
        problems.append("system prompt differs from the spec's")
    if not THINK.match(msgs[2]["content"]):
        problems.append("assistant content is not <think>\\n…\\n</think>\\n\\n followed by one fenced code block")
    elif "```" in THINK.match(msgs[2]["content"]).group("think"):
        problems.append("reasoning contains a code fence")
    return problems


def split_assistant(content: str) -> tuple[str, str] | None:
    m = THINK.match(content)
    return (m.group("think"), m.group("code")) if m else None


def allowed_terms(facts: Iterable[Fact], code: str, extra: Iterable[str] = ()) -> tuple[set[str], set[str]]:
    """(numbers, words) prose may state: from facts, the code block and the spec."""
    nums: set[str] = set(CODE_NUMBER.findall(code))
    words: set[str] = set(WORD.findall(code)) | ALWAYS
    for f in facts:
        for t in f.terms:
            nums.update(CODE_NUMBER.findall(t))
            words.update(WORD.findall(t))
        for _, val in f.data:
            if f.kind in ("derived", "jitter", "schedule", "const", "floor", "cap", "fallback", "clamp"):
                nums.update(CODE_NUMBER.findall(val))
    for e in extra:
        nums.update(CODE_NUMBER.findall(e))
        words.update(WORD.findall(e))
    return {_norm(n) for n in nums}, words


def _norm(n: str) -> str:
    return n.rstrip("0").rstrip(".") if "." in n else n.lstrip("0") or "0"


QUOTABLE = frozenset({"std::time::Duration", "Duration", "DateTime<Utc>", ".await", "None",
                      "Utc::now()", "std::iter::successors", ".to_std()", ".collect()", "ceil"})


def ground(text: str, nums: set[str], words: set[str], crates_used: set[str],
           required: Iterable[str] = (), code: str | None = None,
           names: Iterable[str] = ()) -> list[str]:
    """Grounding problems of a request or reasoning text. With `code`, every backticked span must
    be quoted from it as written (or be a name the facts carry, such as a caller): a misquote
    like `unwrap_or(MAX)` for `unwrap_or(&MAX)` is caught."""
    problems = []
    names = set(names)
    for n in NUMBER.findall(text):
        if _norm(n) not in nums:
            problems.append(f"number {n} is not in the code, its facts or the spec")
    for span in TICKED.findall(text):
        bad = next((w for w in WORD.findall(span) if w not in words and not w.isdigit()), None)
        if bad is not None:
            problems.append(f"`{span}` names {bad}, which is not in the code or its facts")
        elif code is not None and span not in code and span not in QUOTABLE and span not in names:
            problems.append(f"`{span}` is not quoted from the code as written")
    plain = TICKED.sub(" ", text)
    for w in IDENTISH.findall(plain):
        if w not in words:
            problems.append(f"identifier {w} is not in the code or its facts")
    for sentence in re.split(r"(?<=[.!?:])\s+|\n+", text):
        for crate in set(KNOWN_CRATES) | set(required):
            if crate in crates_used or not re.search(rf"(?<![\w:`-]){re.escape(crate)}(?![\w-])", sentence):
                continue
            if not NEGATION.search(sentence):
                problems.append(f"names crate {crate}, which this code does not use, as if it did")
    return sorted(set(problems))


def not_pasting(request: str, code: str) -> list[str]:
    if "```" in request:
        return ["request contains a code fence"]
    for line in code.splitlines():
        line = line.strip()
        if len(line) >= 30 and line in request:
            return [f"request pastes a line of the code: {line[:40]}…"]
    return []


def shingles(text: str, n: int = 5) -> set[str]:
    words = re.findall(r"\w+", text.lower())
    return {" ".join(words[i:i + n]) for i in range(max(len(words) - n + 1, 1))}


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


def long_sentences(text: str, words: int = 10) -> set[str]:
    return {s.strip() for s in SENTENCE.split(text) if len(s.split()) >= words}


class Diversity:
    """Keeps the shingles of what was accepted, to refuse near-duplicates, and counts long
    sentences across the dataset so that no boilerplate sentence is written about more than
    `sentence_max` different pieces of code. `code` names the code an example is about (its code
    block): facts about one unit may recur across that unit's own examples, but a sentence that
    fits any code is a template."""

    def __init__(self, request_max: float = 0.5, reasoning_max: float = 0.7, sentence_max: int = 2):
        self.limits = {"request": request_max, "reasoning": reasoning_max}
        self.seen: dict[str, list[set[str]]] = {"request": [], "reasoning": []}
        self.sentence_max = sentence_max
        self.sentences: dict[str, set[str]] = {}  # sentence -> the code blocks it was written about

    def problems(self, request: str, reasoning: str, code: str = "") -> list[str]:
        out = []
        for field, text in (("request", request), ("reasoning", reasoning)):
            sh = shingles(text)
            worst = max((jaccard(sh, s) for s in self.seen[field]), default=0.0)
            if worst > self.limits[field]:
                out.append(f"{field} too close to one already written (5-gram Jaccard {worst:.2f} > "
                           f"{self.limits[field]})")
        key = sha256(code)
        for sent in long_sentences(request + "\n" + reasoning):
            about = self.sentences.get(sent, set())
            if key not in about and len(about) >= self.sentence_max:
                out.append(f"sentence already written about {self.sentence_max} other pieces of code: "
                           f"{sent[:60]}…")
                break
        return out

    def add(self, request: str, reasoning: str, code: str = "") -> None:
        self.seen["request"].append(shingles(request))
        self.seen["reasoning"].append(shingles(reasoning))
        key = sha256(code)
        for sent in long_sentences(request + "\n" + reasoning):
            self.sentences.setdefault(sent, set()).add(key)

    def add_record(self, record: dict) -> None:
        """Count an example already in the dataset (a resumed run), split as it was written."""
        msgs = record["messages"]
        m = THINK.match(msgs[2]["content"])
        if m:
            self.add(msgs[1]["content"], m.group("think"), m.group("code"))

    def worst(self) -> dict[str, float]:
        out = {}
        for field, sets in self.seen.items():
            out[field] = max((jaccard(a, b) for i, a in enumerate(sets) for b in sets[i + 1:]), default=0.0)
        return out


def sha256(data: bytes | str) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()
