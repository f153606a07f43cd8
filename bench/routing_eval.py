"""Routing quality: precision and recall per topic on a labelled set of units.

Usage:
    python bench/routing_eval.py                       # the labelled fixture set
    python bench/routing_eval.py DIR --labels L.toml   # another checkout, labelled by hand
    python bench/routing_eval.py DIR                   # no labels: just list what each topic got
Options: --spec NAME (repeatable; default svix-backoff-jitter, whose sibling comes along),
         --unlabelled none|skip (units a labels file does not list: expected none, or left out),
         --check (exit 1 when a target of issue 4 is missed),
         --keys (list DIR's unit keys, kinds, lines and test flags without routing anything:
                 what a labeller works from, so the labels stay blind; see
                 tests/fixtures/routing/external/LABELLING.md).

A labels file maps "path::unit name" to a topic, "none", or "a|b" (either answer is right).
Units are extracted with test code kept: every unit in a test file or marked as test code is a
"test unit", expected to go to no agent at all, and counted separately.

Per topic T:  precision = routed to T and T is an accepted answer / routed to T;
              recall    = units whose only accepted answer is T that went to T / those units.
Targets (issue 4, for backoff-jitter): recall >= 0.95, precision >= 0.9, zero state-machine
units and zero test units routed to it.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from collections import Counter
from pathlib import Path

from codeback.extract import extract_file, is_test_path, language_of
from codeback.route import Router
from codeback.source import list_files, open_source
from codeback.spec import resolve_agents

HERE = Path(__file__).resolve().parent
DEFAULT_DIR = HERE.parent / "tests" / "fixtures" / "routing"
BACKOFF, STATE = "backoff-jitter", "retry-state-machine"
NONE = "none"


def load_labels(path: Path) -> dict[str, set[str]]:
    data = tomllib.loads(path.read_text("utf-8"))
    return {k: set(v.split("|")) for k, v in data.get("labels", data).items()}


def evaluate(root: Path, router: Router, labels: dict[str, set[str]] | None,
             unlabelled: str = "none") -> dict:
    """Route every unit under `root`; compare with `labels`. Returns rows and the metrics."""
    found = list(units(root))
    return score(found, [router.route(unit) for _, unit, _ in found], router, labels, unlabelled)


def ratio(k: int, n: int) -> str:
    """A rate with its counts, as the benches print it: "0.937 (237/253)". Nothing to count
    reads 1 (no unit routed wrongly, no unit missed)."""
    return f"{k / n if n else 1:.3f} ({k}/{n})"


def revised(found: list, decided: list, review) -> list:
    """`decided` after `review` (the judge: bench/routing_judge.py), which takes the routing of
    every file's non-test units as (None, [Routed]) pairs and returns it revised."""
    files: dict[str, list[int]] = {}
    for i, (_, unit, is_test) in enumerate(found):
        if not is_test:  # a run drops test code before routing
            files.setdefault(unit.path, []).append(i)
    out = list(decided)
    for idx, (_, routed) in zip(files.values(), review([(None, [decided[i] for i in idx])
                                                        for idx in files.values()]), strict=True):
        for i, r in zip(idx, routed, strict=True):
            out[i] = r
    return out


def score(found: list, decided: list, router: Router, labels: dict[str, set[str]] | None,
          unlabelled: str = "none") -> dict:
    """Rows and metrics for units `found` (from `units`) routed as `decided`."""
    topic_of = {a.name: a.topic for a in router.agents}
    topics = list(router.topics)
    rows = []  # (key, expected set | None, got topic or none, routed, is_test)
    for (key, unit, is_test), r in zip(found, decided):
        got = topic_of.get(r.agent, NONE) if r.agent else _winner(r, router)
        expected = None
        if is_test:
            expected = {NONE}
        elif labels is not None:
            expected = labels.get(key) or ({NONE} if unlabelled == "none" else None)
        rows.append((key, expected, got, r, is_test))
    res = {"rows": rows, "topics": topics, "per_topic": {}}
    labelled = [row for row in rows if row[1] is not None and not row[4]]
    for t in topics:
        routed = [row for row in labelled if row[2] == t]
        must = [row for row in labelled if row[1] == {t}]
        tp = sum(1 for row in routed if t in row[1])
        hit = sum(1 for row in must if row[2] == t)
        res["per_topic"][t] = {
            "routed": len(routed), "correct": tp, "must": len(must), "found": hit,
            "precision": tp / len(routed) if routed else 1.0,
            "recall": hit / len(must) if must else 1.0,
        }
    res["state_to_backoff"] = [row for row in labelled if row[2] == BACKOFF and row[1] == {STATE}]
    res["tests"] = [row for row in rows if row[4]]
    res["tests_routed"] = [row for row in res["tests"] if row[3].agent]
    res["tests_to_backoff"] = [row for row in res["tests"] if row[2] == BACKOFF]
    res["wrong"] = [row for row in labelled if row[2] not in row[1]]
    res["missing_labels"] = sorted(set(labels or {}) - {row[0] for row in rows})
    return res


def units(root: Path):
    """Every unit under `root` as (label key, unit, is test code), test code kept: the units a
    labels file names, in the order a labeller reads them."""
    source = open_source(str(root))
    for path in list_files(source, lambda rel: language_of(rel) is not None and not _is_label_file(rel)):
        data = source.read(path)
        kept = {u.key for u in extract_file(path, data, True).units}
        for unit in extract_file(path, data, False).units:
            yield f"{path}::{unit.name}", unit, is_test_path(path) or unit.key not in kept


def keys(root: Path, out=sys.stdout) -> None:
    """The list a labeller works from: key, kind, lines, and `test` for test code. No scores and
    no reasons, so labels written from it are blind to the router."""
    for key, unit, is_test in units(root):
        cols = [key, unit.kind, f"L{unit.span.start_line}-{unit.span.end_line}"] + ["test"] * is_test
        out.write("\t".join(cols) + "\n")


def _is_label_file(rel: str) -> bool:
    return rel == "labels.toml" or rel.endswith(".labels.toml") or rel.startswith("external/")


def _winner(r, router: Router) -> str:
    """The topic that won, when no running agent owns it (the unit then goes to nobody)."""
    if not r.scores:
        return NONE
    best, top = max(r.scores.items(), key=lambda kv: (kv[1], kv[0]))
    others = [s for t, s in r.scores.items() if t != best]
    if top < router.topics[best].threshold or (others and max(others) == top):
        return NONE
    return best if best not in router.owner else NONE


def report(res: dict, out=sys.stdout) -> None:
    w = out.write
    rows = res["rows"]
    n_lab = sum(1 for row in rows if row[1] is not None and not row[4])
    w(f"units: {len(rows)} ({n_lab} labelled, {len(res['tests'])} test units)\n\n")
    w(f"{'topic':24} {'precision':>10} {'recall':>8}   routed  correct  must  found\n")
    for t, m in res["per_topic"].items():
        w(f"{t:24} {m['precision']:>10.3f} {m['recall']:>8.3f}   {m['routed']:>6} {m['correct']:>8}"
          f" {m['must']:>5} {m['found']:>6}\n")
    cols = res["topics"] + [NONE]
    conf = Counter((sorted(row[1])[0] if len(row[1]) == 1 else "either:" + "|".join(sorted(row[1])),
                    row[2]) for row in rows if row[1] is not None and not row[4])
    w("\nconfusion (expected → routed):\n")
    w(f"  {'expected':44}" + "".join(f"{c[:20]:>21}" for c in cols) + "\n")
    for exp in sorted({e for e, _ in conf}):
        w(f"  {exp[:44]:44}" + "".join(f"{conf.get((exp, c), 0):>21}" for c in cols) + "\n")
    w(f"\nstate-machine units routed to {BACKOFF}: {len(res['state_to_backoff'])}\n")
    w(f"test units routed to {BACKOFF}: {len(res['tests_to_backoff'])} "
      f"(to any agent: {len(res['tests_routed'])}, of {len(res['tests'])}; the pipeline drops "
      f"test code before routing, this checks the router alone)\n")
    if res["wrong"]:
        w("\nmisrouted:\n")
        for key, exp, got, r, _ in res["wrong"]:
            scores = ", ".join(f"{t} {s:g}" for t, s in r.scores.items())
            w(f"  {key}\n      expected {'|'.join(sorted(exp))}, got {got}  [{scores}] {r.note}\n")
    for key, _, got, r, _ in res["tests_routed"]:
        w(f"  test unit {key} routed to {r.agent}\n")
    if res["missing_labels"]:
        w("\nlabels naming no unit (stale?): " + ", ".join(res["missing_labels"]) + "\n")


def listing(res: dict, out=sys.stdout) -> None:
    for key, _, got, r, is_test in res["rows"]:
        if got != NONE:
            scores = ", ".join(f"{t} {s:g}" for t, s in r.scores.items())
            out.write(f"{got:22} {key}{'  [test]' if is_test else ''}  [{scores}]\n")


def targets_met(res: dict) -> list[str]:
    m = res["per_topic"].get(BACKOFF)
    missed = []
    if m is None:
        return [f"topic {BACKOFF} not in this run"]
    if m["recall"] < 0.95:
        missed.append(f"{BACKOFF} recall {m['recall']:.3f} < 0.95")
    if m["precision"] < 0.9:
        missed.append(f"{BACKOFF} precision {m['precision']:.3f} < 0.9")
    if res["state_to_backoff"]:
        missed.append(f"{len(res['state_to_backoff'])} state-machine unit(s) routed to {BACKOFF}")
    if res["tests_to_backoff"]:
        missed.append(f"{len(res['tests_to_backoff'])} test unit(s) routed to {BACKOFF}")
    return missed


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dir", nargs="?", type=Path, default=DEFAULT_DIR)
    ap.add_argument("--labels", type=Path)
    ap.add_argument("--spec", action="append")
    ap.add_argument("--unlabelled", choices=["none", "skip"], default="none")
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--keys", action="store_true")
    args = ap.parse_args(argv)
    if args.keys:
        keys(args.dir)
        return 0
    labels_path = args.labels or (args.dir / "labels.toml" if (args.dir / "labels.toml").is_file() else None)
    router = Router(resolve_agents(args.spec or ["svix-backoff-jitter"]))
    labels = load_labels(labels_path) if labels_path else None
    res = evaluate(args.dir, router, labels, args.unlabelled)
    print(f"{args.dir}" + (f" against {labels_path}" if labels_path else " (no labels)"))
    if labels is None:
        listing(res)
        return 0
    report(res)
    missed = targets_met(res)
    print("\ntargets: " + ("all met" if not missed else "MISSED: " + "; ".join(missed)))
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
