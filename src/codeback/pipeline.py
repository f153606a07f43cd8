"""The pipeline: source → extract+route → seed check / discovery → plan → generate → validate →
write. Each stage is a function over the record types; `run` only wires them and counts.
"""

from __future__ import annotations

import fnmatch
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from .context import at_line_start, code_block, context_pieces, fence_for
from .extract import extract_file, language_of
from .facts import read_facts
from .generate.base import Job
from .generate.needs import needs_for
from .generate.offline import STYLES
from .generate.view import Pick, View
from .model import CodeUnit, Fact, FileUnits, Routed, Skip
from .route import Router
from .scan import scan
from .source import Source, list_files
from .spec import AgentSpec

Status = Callable[[str], None]


@dataclass
class Found:
    """What the scan found for one agent, and what it skipped on the way."""

    routed: list[Routed] = field(default_factory=list)
    files: dict[str, FileUnits] = field(default_factory=dict)
    skips: list[Skip] = field(default_factory=list)
    seed_report: list[str] = field(default_factory=list)
    files_scanned: int = 0
    files_parsed: int = 0
    units_scanned: int = 0


def _match_seed(path: str, seeds: list[str]) -> bool:
    return any(path == s or fnmatch.fnmatch(path, s) for s in seeds)


def find(source: Source, spec: AgentSpec, router: Router, discover: bool = True,
         workers: int | None = None, status: Status = lambda s: None, review=None) -> Found:
    """Units for `spec`: from the seed files, and across the repository when the seeds hold
    nothing for the topic (or always, when discovery is on and seeds are few). `review` (the
    judge: `judge.reviewer`) revises the routing of every file at once before it is used."""
    found = Found()
    all_paths = list_files(source, lambda rel: language_of(rel) is not None)
    seeds = [p for p in all_paths if _match_seed(p, spec.seed_files)]
    for s in spec.seed_files:
        if not any(_match_seed(p, [s]) for p in all_paths):
            found.seed_report.append(f"seed file {s} does not exist in {source.repo}")
    seed_set = set(seeds)
    seed_hits = 0
    results = scan(source, router, spec.exclude_tests, all_paths if discover else seeds,
                   workers, always=frozenset(seed_set))
    if review is not None:  # only files in the spec's languages: the run skips the others
        results = list(results)
        mine = [i for i, (fu, _) in enumerate(results) if not spec.languages or fu.lang in spec.languages]
        for i, reviewed in zip(mine, review([results[i] for i in mine]), strict=True):
            results[i] = reviewed
    for fu, routed in results:
        found.files_scanned += 1
        found.files_parsed += fu.was_parsed
        found.units_scanned += len(fu.units)
        found.skips.extend(fu.skips)
        mine = [r for r in routed if r.agent == spec.name]
        if fu.path in seed_set:
            seed_hits += len(mine)
            if not mine and routed:
                held = ", ".join(f"{r.unit.name} ({r.agent or 'no agent'})" for r in routed[:6])
                found.seed_report.append(
                    f"seed file {fu.path} holds no {spec.topic} code: it holds {held}")
        if mine:
            found.files[fu.path] = fu
            found.routed.extend(mine)
    if discover and seeds and seed_hits == 0:
        found.seed_report.append(f"discovering {spec.topic} code across the repository "
                                 f"({len(all_paths)} files)")
    elif not discover and seed_hits == 0:
        found.seed_report.append("--no-discover: keeping to the seed files, so nothing to write")
    return found


def callers_of(source: Source, names: set[str], paths: list[str],
               functions: set[str] = frozenset()) -> dict[str, list[tuple[CodeUnit, FileUnits]]]:
    """Who uses each name: the functions whose code calls it (for function names) or names it
    (for constants), found in a second, cheap pass over the files that mention any name at all.
    A local variable that happens to share a function's name is not a call."""
    if not names:
        return {}
    alts = [re.escape(n.encode()) + (rb"(?=\s*(?:::<[^>]*>)?\()" if n in functions else rb"\b")
            for n in sorted(names)]
    rx = re.compile(rb"\b(" + b"|".join(alts) + rb")")
    out: dict[str, list[tuple[CodeUnit, FileUnits]]] = {n: [] for n in names}
    for path in paths:
        data = source.read(path)
        if not rx.search(data):
            continue
        fu = extract_file(path, data)
        for unit in fu.units:
            if unit.kind not in ("function", "method"):
                continue
            for m in set(rx.findall(unit.text.encode())):
                name = m.decode()
                if name != unit.short_name and all(c.name != unit.name for c, _ in out[name]):
                    out[name].append((unit, fu))
    return out


def _users(u: CodeUnit, callers: dict[str, list[tuple[CodeUnit, FileUnits]]]):
    """Callers of a function anywhere; users of a constant only in its own file (a bare name
    elsewhere is more likely a namesake); none for a local binding."""
    found = callers.get(u.short_name, [])
    if u.kind in ("function", "method"):
        return found
    if u.kind == "let":
        return []
    return [(c, f) for c, f in found if c.path == u.path]


def uses_crate(unit: CodeUnit, imports, crate: str) -> bool:
    """The unit names the crate's path, or a name the file imports from it."""
    if re.search(rf"(?<![\w:]){re.escape(crate)}::", unit.text):
        return True
    from .context import _import_needed
    from .route import IDENT, code_only

    code = code_only(unit)
    idents = set(IDENT.findall(code))
    return any(re.match(rf"\s*(pub\s+)?use\s+{re.escape(crate)}\b", imp.text) and
               _import_needed(imp, idents, code) for imp in imports)


def elsewhere_facts(spec: AgentSpec, unit: CodeUnit, fu: FileUnits,
                    users: list[tuple[CodeUnit, FileUnits]]) -> list[Fact]:
    """For each required crate the unit does not use: a caller, or failing that a unit of the same
    file, that does, so the text can say truthfully where the crate comes in."""
    out = []
    for crate in spec.reasoning.crates:
        if uses_crate(unit, fu.imports, crate):
            continue
        near = [(u, f, "caller") for u, f in users] + [
            (u, fu, "enclosing") for u in fu.units
            if unit.kind == "let" and u.kind in ("function", "method") and u.span.contains(unit.span)] + [
            (u, fu, "same file") for u in fu.units
            if u.kind in ("function", "method") and u is not unit and not u.span.contains(unit.span)
            and not unit.span.contains(u.span)]
        for other, ofu, relation in near:
            if uses_crate(other, ofu.imports, crate):
                out.append(Fact("elsewhere", crate, other.short_name, "", other.span.start_line,
                                (other.short_name, crate), (("relation", relation),)))
                break
    return out


@dataclass
class Plan:
    jobs: list[Job]
    skips: list[Skip]
    pieces: dict[str, list]  # unit key -> pieces
    available: int


def _covered(r: Routed, chosen: list[Routed]) -> str:
    u = r.unit
    for o in chosen:
        if o is r or o.unit.path != u.path:
            continue
        if u.kind == "let" and o.unit.span.contains(u.span):
            # the enclosing function is an example already and shows the list where it is used
            return f"covered as context of {o.unit.name}"
        if u.kind in ("const", "static", "config", "assign", "let") and (
                o.unit.span.contains(u.span)
                or re.search(rf"\b{re.escape(u.short_name)}\b", o.unit.text)):
            return f"covered as context of {o.unit.name}"
        if u.kind in ("impl", "trait", "class", "interface", "object") and u.span.contains(o.unit.span):
            return f"covered by its member {o.unit.name}"
    return ""


def unit_id(spec: AgentSpec, unit: CodeUnit, angle: str) -> str:
    h = hashlib.sha256(f"{spec.name}\0{unit.path}\0{unit.name}\0{unit.text}\0{angle}".encode())
    return h.hexdigest()[:16]


OPEN_ANGLE = "behaviour"
"""The angle of a unit none of the offline generator's needs fits: what the code does, as a
whole. Only a model can write that request; the offline generator never gets one."""


def plan(spec: AgentSpec, found: Found, source: Source, router: Router,
         callers: dict[str, list[tuple[CodeUnit, FileUnits]]], open_angle: bool = False) -> Plan:
    """Facts and needs per unit, then examples allocated by importance up to the target.
    `open_angle`: a unit with no grounded offline need still gets one example, on its behaviour
    as a whole (for a model backend, whose drafts pass the same checks)."""
    skips: list[Skip] = []
    chosen = []
    for r in found.routed:
        if spec.languages and r.unit.lang not in spec.languages:
            why = f"language {r.unit.lang} not in the spec"
        elif any(fnmatch.fnmatch(r.unit.path, g) for g in spec.exclude_paths):
            why = "path excluded by the spec"
        else:
            chosen.append(r)
            continue
        skips.append(Skip(r.unit.path, why, r.unit.name, r.unit.span.start_line))
    kept: list[Routed] = []
    texts: dict[str, str] = {}
    for r in chosen:
        why = _covered(r, chosen)
        if not why and r.unit.text in texts:
            why = f"same code as {texts[r.unit.text]}"
        texts.setdefault(r.unit.text, f"{r.unit.name} in {r.unit.path}")
        if why:
            skips.append(Skip(r.unit.path, why, r.unit.name, r.unit.span.start_line))
        else:
            kept.append(r)
    helper_ok = lambda u: router.score(u, full=True)[0].get(spec.topic, 0) > 0  # noqa: E731
    candidates = []
    pieces_of: dict[str, list] = {}
    for r in kept:
        u = r.unit
        fu = found.files[u.path]
        data = source.read(u.path)
        pieces = at_line_start(context_pieces(u, fu, helper_ok), data)
        users = _users(u, callers)
        sheet = read_facts(u, pieces, data, [c.name for c, _ in users])
        facts = sheet.facts + elsewhere_facts(spec, u, fu, users)
        probe = Job("", u, pieces, "", facts, "", "", spec.seed, spec)
        needs = needs_for(View(probe), Pick("plan"))
        sched = next((f for f in sheet.facts if f.kind == "schedule"), None)
        if sched is not None and "µs" in sched.value:
            skips.append(Skip(u.path, f"likely defect, not training data: a retry schedule in "
                              f"microseconds ({sched.value})", u.name, u.span.start_line))
            continue
        if any(o.unit.kind == "let" and o.unit is not u and o.unit.path == u.path
               and u.span.contains(o.unit.span) for o in kept):
            needs = [n for n in needs if n.angle != "schedule"]
        if not needs and not open_angle:
            skips.append(Skip(u.path, "no grounded need: the offline generator's needs (delays, "
                              "caps, jitter, schedules, retry loops) find nothing in its facts",
                              u.name, u.span.start_line))
            continue
        pieces_of[u.key] = pieces
        importance = r.scores.get(spec.topic, 0) + len(needs) * 2 + min(len(sheet.facts), 20) / 4
        candidates.append((importance, r, pieces, facts, [n.angle for n in needs] or [OPEN_ANGLE]))
    candidates.sort(key=lambda c: (-c[0], c[1].unit.path, c[1].unit.span.start_byte))
    available = sum(min(len(c[4]), spec.max_per_unit) for c in candidates)
    jobs: list[Job] = []
    rounds = max((len(c[4]) for c in candidates), default=0)
    style_pick = Pick(f"styles:{spec.seed}")
    styles = style_pick.shuffle(STYLES)
    for rnd in range(min(rounds, spec.max_per_unit)):
        for _, r, pieces, facts, angles in candidates:
            if rnd >= len(angles) or len(jobs) >= spec.target.max:
                continue
            u = r.unit
            fence = fence_for(u, spec.fence, spec.languages)
            style = styles[len(jobs) % len(styles)]
            if u.kind not in ("function", "method"):
                # a constant has no behaviour to report a bug in, nor a review history
                allowed = [st for st in styles if st not in ("bug_report", "review_follow_up")]
                style = allowed[len(jobs) % len(allowed)]
            jobs.append(Job(unit_id(spec, u, angles[rnd]), u, pieces, code_block(pieces, fence),
                            facts, style, angles[rnd], spec.seed, spec, rnd))
    for _, r, _, _, angles in candidates:
        used = sum(1 for j in jobs if j.unit is r.unit)
        if used < min(len(angles), spec.max_per_unit):
            skips.append(Skip(r.unit.path, f"{min(len(angles), spec.max_per_unit) - used} more need(s) "
                              f"left out: target max {spec.target.max} reached", r.unit.name,
                              r.unit.span.start_line))
    return Plan(jobs, skips, pieces_of, available)

