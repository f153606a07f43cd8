"""The routing judge: a model reads the units the signals cannot settle and names their topic.

Why it exists: on 259 libraries labelled blind (`bench/routing_blind.py`), the packs find 0.78
of the backoff units, and more than a quarter of those they miss carry no signal at all (a
getter, a field, an iterator's `next`, named in the library's own words); signals loose enough
to catch them take loops and config too. A reader finds them: a second blind labelling scores
recall 0.93-1.00 and precision 0.99-1.00 against the first (`bench/label_agreement.py`). The judge is that reader,
asked where it can change a decision:

- every unit an agent took (a loop or a config type named for the backoff it runs or holds);
- units no agent took that show some evidence for a topic a running agent owns (scored above 0);
- every other unit of a file where some unit went to an agent (its neighbours: fields, getters).

A judge that is always right, asked so (`bench/routing_judge.py ROOT --oracle`: the labels served
through the real client), takes the 281 labelled libraries from backoff precision 0.934 and recall
0.865 to 1.000 and 1.000, with no state-machine unit, reading about 52 units a library. With a
capable model's answers to these exact questions, written offline (`--answers`; an upper estimate,
see the README), 32 libraries never seen by the packs or this prompt go from precision 0.878 and
recall 0.797 to 0.937 and 0.992, with no state-machine unit. A smaller model may do
worse; the same bench measures any endpoint. The judge is opt-in.

Its verdict replaces the signals' decision for the unit (the scores and signals stay, so
`--explain` shows both); an answer that cannot be read, or a request the endpoint refuses, leaves
the signals' decision and is counted. Code is sent with anything that looks like a credential
redacted. Answers that could be read are cached like drafts, so a re-run asks nothing again.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from .generate import secrets
from .generate.prompt import extract_json
from .model import CodeUnit, FileUnits, Routed
from .route import Router

NONE = "none"
PARAMS = {"temperature": 0.0, "max_tokens": 800}  # room for a model that thinks before it answers
MAX_NEIGHBOURS = 40
MAX_LINES = 200
MAX_USES = 6
THINKING = re.compile(r"^\s*<think>.*?</think>", re.S)
LAST_OBJECT = re.compile(r"\{[^{}]*\"topic\"[^{}]*\}(?![\s\S]*\{[^{}]*\"topic\")")
SHORT_UNIT = 3  # units of fewer lines are shown with the lines that use them


@dataclass
class Counts:
    """What the judge did, for the status line."""

    asked: int = 0
    changed: int = 0
    unreadable: int = 0
    refused: int = 0
    redacted: int = 0
    tokens: int = 0
    reasons: list[str] = field(default_factory=list)  # one example per kind of failure

    def summary(self) -> str:
        line = f"judge: asked about {self.asked} units, changed {self.changed}"
        if self.unreadable or self.refused:
            line += f"; {self.unreadable} unreadable and {self.refused} refused answers left to the signals"
        if self.redacted:
            line += f"; credentials redacted in {self.redacted}"
        if self.tokens:
            line += f"; {self.tokens} tokens"
        return "\n".join([line] + [f"  first {why}" for why in self.reasons])


def candidates(routed: list[Routed], router: Router) -> list[int]:
    """Indices of one file's units the judge reads (see the module docstring)."""
    owned = [t for t in router.topics if t in router.owner]
    hot = any(r.agent is not None for r in routed)
    return [i for i, r in enumerate(routed)
            if hot or any(r.scores.get(t, 0) > 0 for t in owned)]


def uses(unit: CodeUnit, others: list[CodeUnit], limit: int = MAX_USES) -> list[str]:
    """Lines of the file's other units that name a short unit (a field, a constant, a getter):
    what it is for shows where it is used, not in its one line."""
    if unit.span.end_line - unit.span.start_line >= SHORT_UNIT:
        return []
    word = re.compile(rf"\b{re.escape(unit.short_name)}\b")
    found: list[str] = []
    seen: set[str] = set()  # a line shown once, under the innermost unit that holds it
    for o in sorted(others, key=lambda o: o.span.end_byte - o.span.start_byte):
        if o.span.contains(unit.span) or unit.span.contains(o.span):
            continue
        for line in o.text.splitlines():
            if word.search(line) and (code := line.strip()) not in seen:
                seen.add(code)
                found.append(f"{o.name}: {code}"[:160])
                if len(found) == limit:
                    return found
    return found


def question(r: Routed, others: list[CodeUnit], router: Router) -> tuple[list[dict], bool]:
    """The messages that ask for one unit's topic (`others`: the rest of its file's units), and
    whether anything was redacted."""
    topics = "\n".join(f"- {t.name}: {t.judge or t.description}" for t in router.topics.values())
    system = (
        "You sort code units between topics for a dataset of real code. Read the unit and say "
        "which one topic it belongs to, judging by what the code does, not by its names alone.\n"
        "- A unit belongs to a topic when that topic is its job. A field, constant, getter or "
        "small method belongs where the value or state it holds is used.\n"
        "- A unit that only stores or forwards values and decides nothing (a setter, a factory, "
        "a constructor that copies its arguments) belongs to the topic of those values.\n"
        "- A class, module or impl that encloses other units goes with what its members are "
        "about; a unit that mixes two topics goes with the one that dominates its lines.\n"
        "- Answer \"none\" for code that belongs to no topic, including code that merely "
        "mentions a topic's words.\n\nTopics:\n" + topics + f"\n- {NONE}: anything else.\n\n"
        'Answer with one JSON object and nothing else: {"topic": "<a topic name above>", '
        '"why": "<one sentence on what the code does>"}'
    )
    u = r.unit
    lines = u.text.splitlines()
    text = "\n".join(lines[:MAX_LINES]) + (f"\n… ({len(lines) - MAX_LINES} more lines)" if len(lines) > MAX_LINES else "")
    names = [o.name for o in others]
    listed = ", ".join(names[:MAX_NEIGHBOURS]) + (" …" if len(names) > MAX_NEIGHBOURS else "")
    used = "".join(f"\n  {line}" for line in uses(u, others))
    user = (f"File: {u.path} ({u.lang})\nOther units in the file: {listed or '(none)'}\n"
            f"Unit: {u.name} ({u.kind}, lines {u.span.start_line}-{u.span.end_line})\n\n"
            f"```{u.lang}\n{text}\n```" + (f"\n\nWhere the file uses it:{used}" if used else ""))
    user, found = secrets.redact(user)
    return [{"role": "system", "content": system}, {"role": "user", "content": user}], bool(found)


def read_verdict(content: str, topics: dict[str, str]) -> tuple[str, str] | str:
    """(topic reference or "none", why) from an answer, or the reason it cannot be read.
    `topics` maps each topic's name, as the question lists it, to its reference (a built-in
    name or a user's topic file); case, `_` and `-` are not held against the model."""
    content = THINKING.sub("", content)  # a model that thinks aloud first
    obj, problem = extract_json(content)
    if problem and (last := LAST_OBJECT.search(content)):  # prose around one JSON object
        obj, problem = extract_json(last.group(0))
    if problem:
        return problem
    if not isinstance(obj, dict) or not isinstance(obj.get("topic"), str):
        return 'answer has no "topic" string'
    said = obj["topic"]
    known = {_plain(name): ref for name, ref in topics.items()} | {NONE: NONE}
    if (topic := known.get(_plain(said))) is None:
        return f"answer names no known topic ({said.strip()[:40]!r})"
    why = obj.get("why")
    return topic, " ".join(why.split())[:300] if isinstance(why, str) else ""


def _plain(name: str) -> str:
    return name.strip().lower().replace("_", "-")


@dataclass
class Judge:
    """Reads the candidate units of each file through an OpenAI-compatible backend (its
    retries, cache, budget and concurrency) and rewrites their routing."""

    router: Router
    backend: object  # an OpenAIBackend; typed loosely so importing this module stays cheap
    counts: Counts = field(default_factory=Counts)

    def review(self, files: list[tuple[FileUnits, list[Routed]]],
               only: CodeUnit | None = None) -> list[tuple[FileUnits, list[Routed]]]:
        """The files with their candidates' routing rewritten; `only`, when given, is the one
        candidate to ask about (`--explain`), still shown among all its neighbours."""
        topics = {t.name: ref for ref, t in self.router.topics.items()}
        asks: dict[str, tuple[int, int]] = {}
        questions = []
        for f, (fu, routed) in enumerate(files):
            units = [r.unit for r in routed]
            for i in candidates(routed, self.router):
                if only is not None and units[i] is not only:
                    continue
                key = f"{units[i].path}::{units[i].name} #{f}.{i}"  # says which unit; unique
                messages, redacted = question(routed[i], units[:i] + units[i + 1:], self.router)
                self.counts.redacted += redacted
                asks[key] = (f, i)
                questions.append((key, messages))
        if not questions:
            return files
        answers = self.backend.ask(questions, PARAMS, lambda c: not isinstance(read_verdict(c, topics), str))
        out = [(fu, list(routed)) for fu, routed in files]
        for key, (f, i) in asks.items():
            content, why_not = answers.get(key, (None, "no answer"))
            self.counts.asked += 1
            if content is None:
                self._failed("refused", f"{key}: {why_not}")
                continue
            verdict = read_verdict(content, topics)
            if isinstance(verdict, str):
                self._failed("unreadable", f"{key}: {verdict}")
                continue
            r = out[f][1][i]
            out[f][1][i] = judged = self._apply(r, *verdict)
            self.counts.changed += judged.agent != r.agent
        self.counts.tokens = getattr(self.backend, "usage", {}).get("total_tokens", 0)
        return out

    def _apply(self, r: Routed, topic: str, why: str) -> Routed:
        agent = self.router.owner.get(topic) if topic != NONE else None
        was = f"the signals said {r.agent or 'no agent'}" + (f": {r.note}" if r.note else "")
        owner = "" if topic == NONE or agent else ", which no agent in this run owns"
        name = self.router.topics[topic].name if topic != NONE else NONE
        return replace(r, agent=agent, note=f"judge: {name}{owner} ({why}); {was}")

    def _failed(self, kind: str, reason: str) -> None:
        setattr(self.counts, kind, getattr(self.counts, kind) + 1)
        if not any(x.startswith(kind) for x in self.counts.reasons):
            self.counts.reasons.append(f"{kind}: {reason}")


def reviewer(router: Router, options: dict, status: Callable[[str], None] = lambda s: None):
    """The `review` step of a scan or run: a Judge over an OpenAI-compatible backend built from
    `options` (the CLI's --model, --base-url, ...), reporting what it did through `status`."""
    from .generate.openai_backend import OpenAIBackend

    judge = Judge(router, OpenAIBackend(**{k: v for k, v in options.items() if v is not None}))

    def review(files: list[tuple[FileUnits, list[Routed]]],
               only: CodeUnit | None = None) -> list[tuple[FileUnits, list[Routed]]]:
        try:
            files = judge.review(files, only)
        finally:
            judge.backend.close()  # the answer cache; the next review opens it again
        status(judge.counts.summary())
        return files

    return review
