"""What the commands print: reports and tables on stderr, data on stdout."""

from __future__ import annotations

import random
import sys
from collections import Counter
from pathlib import Path

import orjson
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

err = Console(stderr=True, highlight=False, soft_wrap=True)


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=err, transient=True,
                    disable=not err.is_terminal)


def run_command(repo: str, specs: list[str], out: Path | None, discover: bool, seed: int | None,
                backend: str, opts: dict, dry_run: bool, workers: int | None,
                judge: dict | None = None) -> None:
    from ..run import run

    opts = {k: v for k, v in opts.items() if v is not None} if backend != "offline" else {}
    if dry_run and judge is not None:
        from ..errors import CodebackError

        raise CodebackError("--judge sends requests, so it does not go with --dry-run")
    if dry_run:
        from ..run import dry_run as do_dry

        sys.stdout.write(do_dry(specs, repo, backend, opts))
        return
    with _progress() as prog:
        task = prog.add_task("writing examples", total=None)
        report = run(specs, repo, out, backend, opts, discover, seed, workers,
                     status=lambda s: err.print(f"[dim]·[/] {s}"),
                     progress=lambda: prog.advance(task), judge=judge)
    print_report(report)
    if report.error:
        from ..errors import BackendError

        raise BackendError(report.error)


def print_report(r) -> None:
    err.print(f"\n[bold]{r.spec}[/]: {r.written} written, {r.already} already in {r.out}, "
              f"{r.rejected} rejected — {r.total} in the dataset "
              f"(target {r.target[0]}–{r.target[1]})")
    err.print(f"scanned {r.files_scanned} files ({r.files_parsed} parsed; the others are skipped or "
              f"use none of the topics' words), {r.units_scanned} units"
              + (f"; commit {r.commit[:12]}" if r.commit else "; not a git checkout"))
    if r.per_unit:
        t = Table("unit", "examples", title="examples per unit", title_justify="left")
        for name, n in r.per_unit.most_common():
            t.add_row(name, str(n))
        err.print(t)
        err.print("per style: " + ", ".join(f"{k} {v}" for k, v in sorted(r.per_style.items())))
    reasons = Counter(s.reason if not s.reason.startswith(("covered", "1 more", "2 more")) else
                      s.reason.split(" of ")[0].split(" by ")[0] for s in r.skips)
    if reasons:
        err.print("skipped: " + "; ".join(f"{n} {why}" for why, n in reasons.most_common())
                  + f" (each listed in {r.out.name}.skips.jsonl)")
    for what, problems in r.rejects[:10]:
        err.print(f"[yellow]rejected[/] {what}: {'; '.join(problems[:3])}")
    if r.diversity:
        err.print("diversity (max 5-gram Jaccard): " + ", ".join(
            f"{k} {v:.2f}" for k, v in r.diversity.items()))
    if r.usage:
        err.print("tokens: " + ", ".join(f"{k} {v}" for k, v in r.usage.items()))
    if r.stopped:
        err.print(f"[yellow]stopped:[/] {r.stopped}; re-run to resume")
    if r.shortfall():
        err.print(f"[yellow]short of the target by {r.shortfall()}[/]: {r.available} grounded "
                  f"example(s) available from the units found; nothing was padded to reach "
                  f"{r.target[0]}.")


def scan_command(repo: str, specs: list[str], as_json: bool, explain: str | None,
                 exclude_tests: bool, workers: int | None, coverage: bool = False,
                 everything: bool = False, judge: dict | None = None) -> None:
    from ..errors import CodebackError
    from ..extract import language_of
    from ..scan import scan, scan_lines, unit_json
    from ..route import Router
    from ..source import list_files, open_source
    from ..spec import resolve_agents

    source = open_source(repo)
    router = Router(resolve_agents(specs))
    judged = _judge(router, judge) if judge is not None else None
    if explain:
        path, _, line = explain.rpartition(":")
        if not path or not line.isdigit():
            raise CodebackError(f"--explain takes PATH:LINE, got {explain}")
        return _explain(source, router, path, int(line), exclude_tests, judged)
    paths = list_files(source, lambda rel: language_of(rel) is not None)
    from ..coverage import Coverage, render as render_coverage

    cov = Coverage(source, router.agents) if coverage else None
    langs: Counter = Counter()
    langs_of = {a.name: a.languages for a in router.agents if a.languages}
    files: dict[str, Counter] = {}  # language -> {"files", "parsed"}
    agents: Counter = Counter()
    routed_rows: list[tuple[str, str, str]] = []
    skips: Counter = Counter()
    out = sys.stdout.buffer

    def count(lang: str, parsed: bool, was_parsed: bool, skipped) -> None:
        if lang:
            f = files.setdefault(lang, Counter())
            f["files"] += 1
            f["parsed"] += was_parsed
            f["unparsed"] += not parsed
        for s in skipped:
            skips[s.reason] += 1

    with _progress() as prog:
        task = prog.add_task("scanning", total=len(paths))
        if as_json and cov is None and judged is None:  # lines made in the workers: units never reach this process
            for p in scan_lines(source, router, exclude_tests, paths, workers, everything):
                prog.advance(task)
                count(p.lang, p.parsed, p.was_parsed, p.skips)
                if p.lines:
                    out.write(p.lines)
        else:
            seeds = frozenset(p for p in paths if cov is not None and cov.is_seed(p))
            results = scan(source, router, exclude_tests, paths, workers, everything, seeds)
            if judged is not None:  # the judge asks for every file's candidates at once
                results = judged(list(results))
            for fu, routed in results:
                prog.advance(task)
                count(fu.lang, fu.parsed, fu.was_parsed, fu.skips)
                if as_json and cov is None:
                    out.write(b"".join(map(unit_json, routed)))
                if cov is not None:
                    cov.add(fu, routed)
                for r in routed:
                    langs[r.unit.lang] += 1
                    agents[r.agent or "(none)"] += 1
                    if r.agent and not as_json:
                        routed_rows.append(_routed_row(r, langs_of))
    if cov is not None:
        result = cov.result()
        if as_json:
            out.write(orjson.dumps(result) + b"\n")
        else:
            print(render_coverage(result))
        sys.stdout.flush()
    for reason, n in source.skipped.items():
        skips[reason] += n
    if not as_json and cov is None:  # with --coverage, the coverage report is the answer
        t = Table("language", "files", "parsed", "units", title=f"{source.repo}: {len(paths)} files",
                  title_justify="left")
        for lang, f in sorted(files.items(), key=lambda kv: -kv[1]["files"]):
            t.add_row(lang, str(f["files"]), str(f["parsed"]), str(langs[lang]))
        err.print(t)
        t = Table("agent", "units")
        for agent, n in agents.most_common():
            t.add_row(agent, str(n))
        err.print(t)
        if routed_rows:
            err.print("routed units:")
            for agent, where, name in sorted(routed_rows):
                err.print(f"  {agent}  {where}  {name}", markup=False)
    unparsed = sum(f["unparsed"] for f in files.values())
    if unparsed:
        err.print(f"not parsed: {unparsed} files that use none of the topics' words (--all parses them)")
    if skips:
        err.print("skipped: " + "; ".join(f"{n} {why}" for why, n in skips.most_common()))


def _routed_row(r, langs_of: dict[str, list[str]]) -> tuple[str, str, str]:
    """(agent, path:line, name) for the table of routed units, flagging a language the agent's
    spec does not take."""
    u = r.unit
    outside = u.lang not in langs_of.get(r.agent, [u.lang])
    return (r.agent, f"{u.path}:{u.span.start_line}",
            u.name + ("  (not in the spec's languages: run skips it)" if outside else ""))


def _judge(router, options: dict):
    """The judge's review step, its report on stderr."""
    from ..judge import reviewer

    # no spinner of its own: it would nest in the scan's progress bar, which rich 13 refuses
    return reviewer(router, options, lambda line: err.print(line, markup=False))


def _explain(source, router, path: str, line: int, exclude_tests: bool, judged=None) -> None:
    from ..errors import CodebackError
    from ..extract import extract_file

    try:
        data = source.read(path)
        fu = extract_file(path, data, exclude_tests)
    except OSError as e:
        raise CodebackError(f"{path}: cannot read: {e.strerror}") from None
    hits = [u for u in fu.units if u.span.start_line <= line <= u.span.end_line]
    if not hits:
        raise CodebackError(f"{path}:{line}: no unit there")
    unit = min(hits, key=lambda u: u.span.end_byte - u.span.start_byte)
    r = router.route(unit)
    if judged is not None:  # the judge reads the unit among its file's neighbours, asked alone
        r = next(x for x in judged([(fu, router.route_all(fu.units, data))], unit)[0][1] if x.unit is unit)
    _, every = router.score(unit, full=True)  # every signal that matches, for a person to check
    spoken = router.speaks(unit)
    counted = {(s.topic, s.name) for s in r.signals}
    print(f"{unit.path}:{unit.span.start_line}-{unit.span.end_line} {unit.kind} {unit.name}")
    for topic, score in sorted(r.scores.items(), key=lambda kv: -kv[1]):
        owner = router.owner.get(topic, "no agent in this run")
        t = router.topics[topic]
        print(f"  {topic} ({owner}): {score:g}, threshold {t.threshold:g}")
        if topic not in spoken:
            print(f"    not scored: the unit uses none of the topic's words ({', '.join(t.vocabulary)})")
        elif (pos := sum(s.weight for s in r.signals if s.topic == topic and s.weight > 0)) < t.threshold:
            print(f"    positive evidence {pos:g} < {t.threshold:g}: negative signals not weighed")
        for s in every:
            if s.topic == topic:
                aside = "" if (s.topic, s.name) in counted else "  (not counted)"
                print(f"    {s.weight:+g}  {s.name}: {s.match}{aside}")
    print(f"  routed to: {r.agent or 'none'} — {r.note}")


def show_command(file: Path, n: int, seed: int, repo: Path | None) -> None:
    from ..errors import OutputError

    try:
        lines = [ln for ln in file.read_bytes().splitlines() if ln.strip()]
    except OSError as e:
        raise OutputError(f"{file}: cannot read: {e.strerror}") from None
    picks = sorted(random.Random(seed).sample(range(len(lines)), min(n, len(lines))))
    from ..write import sidecar
    from ..validate import sha256

    manifest = {}
    m = sidecar(file, "manifest")
    if m.exists():
        for ln in m.read_bytes().splitlines():
            e = orjson.loads(ln)
            manifest[e.get("record_sha256")] = e
    for i in picks:
        rec = orjson.loads(lines[i])
        msgs = rec["messages"]
        prov = manifest.get(sha256(lines[i] + b"\n"), {})
        think, _, code = msgs[2]["content"].partition("\n</think>\n\n")
        print(f"── example {i + 1} of {len(lines)}: {prov.get('unit', '?')} "
              f"({prov.get('path', '?')}:{prov.get('start_line', '?')}) "
              f"[{prov.get('angle', '?')} / {prov.get('style', '?')}]")
        print("\nREQUEST\n" + msgs[1]["content"])
        print("\nREASONING\n" + think.removeprefix("<think>\n"))
        if repo is not None and prov:
            print("\nFACTS BEHIND EACH SENTENCE")
            for sent, facts in _facts_per_sentence(repo, prov, msgs, think):
                print(f"  • {sent[:90]}{'…' if len(sent) > 90 else ''}\n      ← {facts}")
        print("\nCODE\n" + code + "\n")


def _facts_per_sentence(repo: Path, prov: dict, msgs: list, think: str):
    import re

    from ..extract import extract_file
    from ..facts import read_facts
    from ..model import Piece, Span

    data = (repo / prov["path"]).read_bytes()
    unit = next((u for u in extract_file(prov["path"], data).units if u.name == prov["unit"]), None)
    if unit is None:
        return
    pieces = [Piece(p["path"], Span(p["start_byte"], p["end_byte"], p["start_line"], p["end_line"]),
                    (repo / p["path"]).read_bytes()[p["start_byte"]:p["end_byte"]].decode(),
                    p["role"], p["name"]) for p in prov["pieces"]]
    facts = [f for f in read_facts(unit, pieces, data).facts if f.kind not in ("literal", "crate")]
    text = msgs[1]["content"] + "\n" + think
    for sent in re.split(r"(?<=[.!?])\s+|\n+", text):
        sent = sent.strip()
        if len(sent) < 12:
            continue
        hit = [f"{f.kind}:{f.key}" + (f" (line {f.line})" if f.line else "") for f in facts
               if f.terms and any(re.search(rf"(?<![\w.]){re.escape(t)}(?![\w])", sent)
                                  for t in f.terms if len(t) > 1 or t.isdigit())]
        yield sent, ", ".join(hit[:4]) or "(framing: no code fact)"
