"""`codeback run`: wire the stages, check every draft, write, and report.

The check a backend receives is the same for every backend: the exact record format, grounding
of request and reasoning, no pasted code in the request, the spec's lengths, and diversity
against everything already in the output. What fails goes to the rejects file with its reasons.
"""

from __future__ import annotations


from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

import orjson

from . import __version__
from .errors import BackendError, BudgetExceeded
from .generate.base import BACKENDS, Job
from .model import Draft, Example, Skip
from .pipeline import callers_of, find, plan
from .route import Router
from .source import list_files, open_source
from .spec import AgentSpec, resolve_agents
from .validate import Diversity, allowed_terms, check_record, ground, not_pasting, sha256
from .write import Writer


@dataclass
class Report:
    spec: str
    out: Path
    written: int = 0
    already: int = 0
    rejected: int = 0
    per_unit: Counter = field(default_factory=Counter)
    per_style: Counter = field(default_factory=Counter)
    skips: list[Skip] = field(default_factory=list)
    rejects: list[tuple[str, list[str]]] = field(default_factory=list)
    seed_report: list[str] = field(default_factory=list)
    target: tuple[int, int] = (0, 0)
    available: int = 0
    stopped: str = ""
    error: str = ""
    diversity: dict[str, float] = field(default_factory=dict)
    files_scanned: int = 0
    files_parsed: int = 0
    units_scanned: int = 0
    commit: str | None = None
    usage: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.written + self.already

    def shortfall(self) -> int:
        return max(0, self.target[0] - self.total)


def make_record(spec: AgentSpec, job: Job, draft: Draft) -> dict:
    assistant = f"<think>\n{draft.reasoning}\n</think>\n\n{job.code_block}"
    return {"type": "chatml", "messages": [
        {"role": "system", "content": spec.system_prompt},
        {"role": "user", "content": draft.request},
        {"role": "assistant", "content": assistant}]}


def provenance(source, job: Job, draft: Draft, score: float) -> dict:
    u = job.unit
    return {
        "repo": source.repo, "commit": source.commit, "dirty": source.dirty,
        "path": u.path, "unit": u.name, "kind": u.kind, "lang": u.lang,
        "start_line": u.span.start_line, "end_line": u.span.end_line,
        "agent": job.spec.name, "topic": job.spec.topic, "topic_score": score,
        "pieces": [{"path": p.path, "role": p.role, "name": p.name,
                    "start_line": p.span.start_line, "end_line": p.span.end_line,
                    "start_byte": p.span.start_byte, "end_byte": p.span.end_byte,
                    "sha256": sha256(p.text)} for p in job.pieces],
        "fence": job.code_block.split("\n", 1)[0][3:],
        "generator": draft.generator.split(":")[0], "generator_version": __version__ + "/" + (
            draft.generator.split(":", 1)[1] if ":" in draft.generator else ""),
        "style": job.style, "angle": job.angle, "seed": job.seed, "facts_used": draft.facts_used,
        "required_crates": list(job.spec.reasoning.crates),
        "system_prompt_sha256": sha256(job.spec.system_prompt),
        "elsewhere": sorted({t for f in job.facts if f.kind in ("caller", "elsewhere") for t in f.terms}),
        "callers": sorted({f.key for f in job.facts if f.kind in ("caller", "elsewhere", "scope")} |
                          {f.value for f in job.facts if f.kind == "elsewhere"}),
        "usage": draft.usage,
    }


def draft_problems(spec: AgentSpec, job: Job, draft: Draft) -> list[str]:
    """Everything but diversity: format, grounding, pasting, lengths."""
    problems = check_record(make_record(spec, job, draft), spec.system_prompt)
    code = job.code_block
    nums, words = allowed_terms(job.facts, code, [spec.system_prompt, *spec.reasoning.crates,
                                                  job.unit.path])
    crates = {f.key for f in job.facts if f.kind == "crate"}
    names = {f.key for f in job.facts if f.kind in ("caller", "elsewhere", "scope")} | {
        f.value for f in job.facts if f.kind == "elsewhere"} | {job.unit.path, "/".join(job.unit.path.split("/")[-3:])}
    for name, text in (("request", draft.request), ("reasoning", draft.reasoning)):
        problems += [f"{name}: {p}" for p in ground(text, nums, words, crates, spec.reasoning.crates,
                                                    code, names)]
    problems += not_pasting(draft.request, code)
    if job.unit.lang in spec.reasoning.crates_for:
        for crate in spec.reasoning.crates:
            if crate not in draft.reasoning:
                problems.append(f"reasoning never mentions {crate}, which the spec requires")
    (rq_lo, rq_hi), (rs_lo, rs_hi) = spec.lengths.request, spec.lengths.reasoning
    if not rq_lo <= len(draft.request) <= rq_hi:
        problems.append(f"request length {len(draft.request)} outside {rq_lo}..{rq_hi}")
    if not rs_lo <= len(draft.reasoning) <= rs_hi:
        problems.append(f"reasoning length {len(draft.reasoning)} outside {rs_lo}..{rs_hi}")
    return problems


def load_backend(name: str, opts: dict):
    """Backends register on import; import the one named (lazily: the SDKs are heavy)."""
    import importlib

    if name not in BACKENDS:
        module = "offline" if name == "offline" else f"{name}_backend"
        try:
            importlib.import_module(f"codeback.generate.{module}")
        except ModuleNotFoundError:
            pass
    factory = BACKENDS.get(name)
    if factory is None:
        raise BackendError(f"unknown backend '{name}' (known: offline, openai)")
    return factory(**opts)


@dataclass
class Prepared:
    spec: AgentSpec
    source: object
    found: object
    plan: object


def prepare(spec_refs: list[str], repo, discover: bool = True, seed: int | None = None,
            workers: int | None = None, status=lambda s: None, open_angle: bool = False,
            judge: dict | None = None) -> Prepared:
    agents = resolve_agents(spec_refs)
    spec = agents[0]
    if seed is not None:
        spec = spec.model_copy(update={"seed": seed})
    source = open_source(repo)
    router = Router(agents)
    status(f"reading {source.repo}" + (f" at {source.commit[:12]}" if source.commit else ""))
    review = None
    if judge is not None:
        from .judge import reviewer

        review = reviewer(router, judge, status)
    found = find(source, spec, router, discover, workers, status, review)
    for line in found.seed_report:
        status(line)
    names = {r.unit.short_name for r in found.routed}
    exts = {r.unit.path.rsplit(".", 1)[-1] for r in found.routed}
    functions = {r.unit.short_name for r in found.routed if r.unit.kind in ("function", "method")}
    callers = callers_of(source, names, list_files(source, lambda rel: rel.rsplit(".", 1)[-1] in exts),
                         functions)
    return Prepared(spec, source, found, plan(spec, found, source, router, callers, open_angle))


def dry_run(spec_refs: list[str], repo, backend: str, opts: dict) -> str:
    """What would be sent (or, offline, written) for the first planned example."""
    prep = prepare(spec_refs, repo, open_angle=backend != "offline")
    if not prep.plan.jobs:
        return "nothing planned: no unit for this agent\n"
    job = prep.plan.jobs[0]
    gen = load_backend(backend, opts)
    if hasattr(gen, "preview"):
        return gen.preview(job) + "\n"
    d = gen.draft_one(job)
    return orjson.dumps(make_record(prep.spec, job, d), option=orjson.OPT_INDENT_2).decode() + "\n"


def run(spec_refs: list[str], repo: str | Path, out: Path | None = None, backend: str = "offline",
        backend_opts: dict | None = None, discover: bool = True, seed: int | None = None,
        workers: int | None = None, status=lambda s: None, progress=None,
        judge: dict | None = None) -> Report:
    prep = prepare(spec_refs, repo, discover, seed, workers, status, open_angle=backend != "offline",
                   judge=judge)
    spec, source, found, p = prep.spec, prep.source, prep.found, prep.plan
    out = Path(out or spec.output)
    report = Report(spec.name, out, target=(spec.target.min, spec.target.max), commit=source.commit)
    report.seed_report = found.seed_report
    report.files_scanned, report.units_scanned = found.files_scanned, found.units_scanned
    report.files_parsed = found.files_parsed
    report.skips = [s for s in found.skips] + p.skips
    report.available = p.available
    if not out.parent.exists():
        status(f"creating {out.parent} for the output")
    write_skips(out, report.skips)
    gen = load_backend(backend, backend_opts or {})
    writer = Writer(out)
    existing = Diversity()
    for line in (out.read_bytes().splitlines() if out.exists() else []):
        try:
            existing.add_record(orjson.loads(line))
        except (orjson.JSONDecodeError, KeyError, IndexError, TypeError):
            continue
    todo = [j for j in p.jobs if j.id not in writer.ids]
    report.already = len(p.jobs) - len(todo)
    scores = {r.unit.key: r.scores.get(spec.topic, 0) for r in found.routed}

    def check(job: Job, draft: Draft) -> list[str]:
        problems = draft_problems(spec, job, draft)
        if not problems:
            problems = existing.problems(draft.request, draft.reasoning, job.code_block)
        return problems

    try:
        for outcome in gen.run(todo, check):
            job = outcome.job
            if outcome.draft is not None and not outcome.problems:
                # drafts checked concurrently could not see each other: check again, in order
                late = existing.problems(outcome.draft.request, outcome.draft.reasoning, job.code_block)
                if late:
                    outcome = replace(outcome, draft=None, problems=late)
            if outcome.draft is not None:
                d = outcome.draft
                writer.append(Example(job.id, make_record(spec, job, d),
                                      provenance(source, job, d, scores.get(job.unit.key, 0))))
                existing.add(d.request, d.reasoning, job.code_block)
                report.written += 1
                report.per_unit[job.unit.name] += 1
                report.per_style[job.style] += 1
                for k, v in d.usage.items():
                    report.usage[k] = report.usage.get(k, 0) + v
            else:
                report.rejected += 1
                report.rejects.append((f"{job.unit.name} [{job.angle}/{job.style}]", outcome.problems))
                writer.reject({"id": job.id, "path": job.unit.path, "unit": job.unit.name,
                               "angle": job.angle, "style": job.style, "problems": outcome.problems})
            if progress:
                progress()
    except BudgetExceeded as e:
        report.stopped = str(e)
    except BackendError as e:
        # Everything finished so far is written; the report still shows it, then the CLI
        # prints this one line and exits 2.
        report.error = str(e)
    finally:
        writer.close()
        gen.close()
    totals = getattr(gen, "usage", None)
    if totals:  # the backend's own totals include rejected jobs, retries and fix rounds
        report.usage = {k: v for k, v in totals.items() if v}
    report.diversity = existing.worst()
    return report


def write_skips(out: Path, skips: list[Skip]) -> None:
    """Every skipped unit or file of this run, one line each, so any count in the report can be
    listed (`<out>.skips.jsonl`, replaced on each run)."""
    path = out.with_name(out.name + ".skips.jsonl")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(b"".join(orjson.dumps({"path": s.path, "reason": s.reason, "name": s.name,
                                           "line": s.line}) + b"\n" for s in skips))
    tmp.replace(path)

