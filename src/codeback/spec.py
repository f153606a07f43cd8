"""Agent specs and topic packs: TOML files validated with pydantic.

A *topic* says what code belongs to a subject (weighted signals, all data); an *agent spec* says
what one agent writes (system prompt, seed files, output, required mentions) and which topic it
owns. Built-ins ship as data files under `specs/` and `topics/`; a user's own file is loaded by
path. Every problem is reported as one line naming the file, the key and what is wrong.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .errors import SpecError

SignalWhere = Literal["ident", "name", "owner", "member", "scope", "code", "comment", "string", "path"]


def _regex(v: str | None) -> str | None:
    if v is not None:
        try:
            re.compile(v)
        except re.error as e:
            raise ValueError(f"not a valid regular expression: {e}") from e
    return v


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SignalSpec(_Strict):
    """A weighted regular expression matched against one part of a unit.

    `where`: ident (each identifier token), name (the unit's own name, led by its type's name
    when it is a generic one such as `__call__` or `next`), owner (the name of what encloses
    the unit, a type, module or function: `RandomWaitStrategy` for its `computeSleepTime`, a Go
    method's receiver type, empty at top level), member (`Owner.name` for a unit inside a type or
    function, what a method is to its type, `ConstantBackoff.next`; the bare name at top level), scope
    (every enclosing name, outermost first, joined by dots: `tests.helper` for a struct in a
    function of a Rust `mod tests`), code (the text with comments removed), comment, string
    (string literals), path (the file path). Negative weights
    pull a unit away from the topic. `unless`: the signal does not count when this expression
    also matches the same part (say, a function that computes no delay: a function marker,
    unless there is arithmetic) — two plain searches instead of a costly lookahead.
    `unless_where`: the part `unless` searches when it is not the signal's own (a name says
    what a unit is, its code may still say otherwise: an `onFailure` handler that doubles a
    delay is delay code).
    """

    name: str
    where: SignalWhere
    pattern: str
    weight: float
    unless: str | None = None
    unless_where: SignalWhere | None = None

    _compiles = field_validator("pattern", "unless")(lambda v: _regex(v))


class TopicSpec(_Strict):
    name: str
    description: str = ""
    threshold: float = 4.0
    long_unit_lines: int = Field(0, ge=0)
    long_unit_weight: float = 0.0
    vocabulary: list[str] = []
    """Word stems (lower case, matched in the ASCII-lower-cased text and qualified name of a
    unit): a unit that uses none is not scored for the topic at all. Code about a subject names
    it somewhere (an identifier, a comment, a string): on the labelled sets every unit of the
    topic does (a test checks it), and the rule lets a scan skip most of a repository with one
    search per file instead of every signal on every unit. Empty: every unit is scored."""
    vocabulary_ignore: list[str] = []
    """Words that hide the stems inside them (`await` is not `wait`)."""
    signals: list[SignalSpec] = Field(min_length=1)
    judge: str = ""
    """What belongs to the topic and what does not, in words a model reads when it judges the
    units the signals cannot settle (`codeback scan --judge`); the description when empty."""

    @model_validator(mode="after")
    def _words(self) -> TopicSpec:
        for w in self.vocabulary + self.vocabulary_ignore:
            if not w or w != w.lower() or not w.isascii():
                raise ValueError(f"vocabulary word {w!r} must be non-empty lower-case ASCII")
        for w in self.vocabulary_ignore:
            if not any(stem in w for stem in self.vocabulary):
                raise ValueError(f"vocabulary_ignore word {w!r} holds no vocabulary stem")
        return self


class Target(_Strict):
    min: int = Field(15, ge=0)
    max: int = Field(25, ge=1)

    @model_validator(mode="after")
    def _ordered(self) -> Target:
        if self.min > self.max:
            raise ValueError(f"min ({self.min}) is larger than max ({self.max})")
        return self


class Reasoning(_Strict):
    """What the reasoning must mention (truthfully) and the themes it should draw on.

    `crates` are required for units in `crates_for` languages only (tokio means nothing to a
    Go file)."""

    crates: list[str] = []
    crates_for: list[str] = ["rust"]
    themes: list[str] = []


class Persona(_Strict):
    """Who asks and where: lets requests sound like they come from this codebase."""

    product: str = "the service"
    component: str = "the codebase"
    audience: str = "the team"
    requesters: list[str] = ["a maintainer"]


class Lengths(_Strict):
    request: tuple[int, int] = (120, 1400)
    reasoning: tuple[int, int] = (400, 3200)


class AgentSpec(_Strict):
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    system_prompt: str = Field(min_length=1)
    topic: str
    exclude_topics: list[str] = []
    siblings: list[str] = []
    seed_files: list[str] = []
    exclude_paths: list[str] = []
    exclude_tests: bool = True
    output: str = "examples.jsonl"
    target: Target = Target()
    max_per_unit: int = Field(3, ge=1, le=6)
    fence: str = "auto"
    languages: list[str] = []
    reasoning: Reasoning = Reasoning()
    persona: Persona = Persona()
    lengths: Lengths = Lengths()
    seed: int = 0


def _load_toml(text: str, origin: str) -> dict:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise SpecError(f"{origin}: not valid TOML: {e}") from None


def _validate(model: type[BaseModel], data: dict, origin: str):
    try:
        return model.model_validate(data)
    except ValidationError as e:
        err = e.errors()[0]
        key = ".".join(str(p) for p in err["loc"]) or "(top level)"
        msg = err["msg"].removeprefix("Value error, ")
        more = f" (and {len(e.errors()) - 1} more)" if len(e.errors()) > 1 else ""
        raise SpecError(f"{origin}: key '{key}': {msg}{more}") from None


def _builtin_text(folder: str, name: str) -> str | None:
    res = resources.files("codeback").joinpath(folder, f"{name}.toml")
    return res.read_text("utf-8") if res.is_file() else None


def builtin_names(folder: str) -> list[str]:
    root = resources.files("codeback").joinpath(folder)
    return sorted(p.name[:-5] for p in root.iterdir() if p.name.endswith(".toml"))


def _read(ref: str, folder: str, what: str) -> tuple[str, str]:
    """Resolve a built-in name or a path to (text, origin)."""
    text = _builtin_text(folder, ref) if "/" not in ref and not ref.endswith(".toml") else None
    if text is not None:
        return text, f"built-in {what} '{ref}'"
    path = Path(ref)
    if not path.is_file():
        known = ", ".join(builtin_names(folder))
        raise SpecError(f"{ref}: no such {what} file or built-in {what} (built-ins: {known})")
    try:
        return path.read_text("utf-8"), str(path)
    except (OSError, UnicodeDecodeError) as e:
        raise SpecError(f"{ref}: cannot read: {e}") from None


@cache
def load_topic(ref: str) -> TopicSpec:
    text, origin = _read(ref, "topics", "topic")
    return _validate(TopicSpec, _load_toml(text, origin), origin)


@cache
def load_spec(ref: str) -> AgentSpec:
    text, origin = _read(ref, "specs", "spec")
    spec = _validate(AgentSpec, _load_toml(text, origin), origin)
    for key, topic in [("topic", spec.topic)] + [("exclude_topics", t) for t in spec.exclude_topics]:
        try:
            load_topic(topic)
        except SpecError as e:
            raise SpecError(f"{origin}: key '{key}': {e}") from None
    return spec


def spec_text(ref: str) -> str:
    """The TOML of a spec as a user can copy and edit it."""
    return _read(ref, "specs", "spec")[0]


def resolve_agents(refs: list[str]) -> list[AgentSpec]:
    """The specs named, plus the siblings they declare, each once, in a stable order. A sibling
    whose topic an earlier agent already owns is left out: one topic, one agent (the first)."""
    named = [load_spec(r) for r in refs]
    for i, a in enumerate(named):
        for b in named[:i]:
            if a.topic == b.topic and a.name != b.name:
                raise SpecError(f"specs {b.name} and {a.name} both own topic '{a.topic}': "
                                "one topic goes to one agent; run them separately")
    seen: dict[str, AgentSpec] = {}
    topics: set[str] = set()
    queue = list(refs)
    while queue:
        spec = load_spec(queue.pop(0))
        if spec.name in seen or spec.topic in topics:
            continue
        seen[spec.name] = spec
        topics.add(spec.topic)
        queue.extend(spec.siblings)
    return list(seen.values())
