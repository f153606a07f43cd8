"""Blind routing quality, recomputed from history: every label file that was measured before the
packs were tuned on it, routed again by the packs of the commit that first measured it.

Usage: python bench/routing_blind.py ROOT [--only NAME ...]

ROOT holds the checkouts, as for bench/routing_external.py; --only keeps the named label files.
A label file's History line names the commit whose packs first measured it ("measured with the
packs at 1b1dc98"); files that name none are left out: most were tuned on before they were
measured, and two (faraday-retry, urllib3) were measured blind without the commit being written
down. Each such commit's `src/` and `bench/`
are taken with `git archive` into a temporary folder and run in a child process of their own, so
the figures are those the packs of that day gave, not today's tuned ones.

Prints, per batch (one commit) and pooled: backoff precision and recall, and the state-machine
and test units routed to backoff. Then where the pooled misses lay, by their backoff score: no
evidence at all, some evidence below the threshold, or over it but beaten by a rival or a tie.
That bounds what a better judge of borderline units could ever add: the "ceiling" lines give the
recall a perfect judge would reach if it were shown only the units of each band, and how many
units it would have to read.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import orjson

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
EXTERNAL = REPO / "tests" / "fixtures" / "routing" / "external"
MEASURED = re.compile(r"measured with the (?:final )?packs (?:of the session )?(?:at |\()([0-9a-f]{7,40})")
BACKOFF, STATE = "backoff-jitter", "retry-state-machine"
MARGIN = 2.0  # score points over the threshold that count as a close call


def batches(only: set[str] | None = None) -> dict[str, list[str]]:
    """Label names by the commit that first measured them, oldest commit first."""
    out: dict[str, list[str]] = defaultdict(list)
    for path in sorted(EXTERNAL.glob("*.labels.toml")):
        header = " ".join(line.lstrip("# ") for line in path.read_text("utf-8").splitlines()
                          if line.startswith("#"))
        if (m := MEASURED.search(header)) and (only is None or path.name.removesuffix(".labels.toml") in only):
            out[m.group(1)].append(path.name.removesuffix(".labels.toml"))
    when = {c: int(_git("show", "-s", "--format=%ct", c)) for c in out}
    return dict(sorted(out.items(), key=lambda kv: when[kv[0]]))


def _git(*args: str, text: bool = True):
    """A git command's output; a failure (no history in a shallow clone, an unknown commit) is
    one line and exit 2."""
    done = subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, text=text)
    if done.returncode:
        err = done.stderr if text else done.stderr.decode(errors="replace")
        print(f"routing_blind: git {args[0]} failed (a shallow clone has no old commits): "
              f"{(err.strip().splitlines() or ['?'])[0]}", file=sys.stderr)
        sys.exit(2)
    return done.stdout.strip() if text else done.stdout


def worker(tree: Path, root: Path, names: list[str]) -> None:
    """Runs inside the child: the packs and evaluator of `tree` (an old commit), today's labels."""
    sys.path[:0] = [str(tree / "bench"), str(tree / "src")]
    import routing_eval  # noqa: PLC0415 - both must come from `tree`, not today's copies
    from codeback import route  # noqa: PLC0415
    from codeback.spec import resolve_agents  # noqa: PLC0415

    for module in (route, routing_eval):
        if not Path(module.__file__).is_relative_to(tree):
            sys.exit(f"routing_blind: imported {module.__file__}, not the one under {tree}")
    evaluate, load_labels = routing_eval.evaluate, routing_eval.load_labels
    router = route.Router(resolve_agents(["svix-backoff-jitter"]))
    threshold = router.topics[BACKOFF].threshold
    for name in names:
        res = evaluate(root / name, router, load_labels(EXTERNAL / f"{name}.labels.toml"), "none")
        if res.get("missing_labels"):  # a checkout at another commit, or a unit renamed
            sys.stdout.buffer.write(orjson.dumps({"lib": name, "missing": len(res["missing_labels"])}) + b"\n")
        for key, expected, got, r, is_test in res["rows"]:
            if expected is not None:
                sys.stdout.buffer.write(orjson.dumps({
                    "lib": name, "file": key.split("::")[0], "exp": sorted(expected), "got": got,
                    "test": is_test, "score": r.scores.get(BACKOFF, 0.0), "threshold": threshold,
                }) + b"\n")


def measure(commit: str, names: list[str], root: Path, tmp: Path) -> list[dict]:
    tree = tmp / commit
    tree.mkdir()
    archive = _git("archive", commit, "src", "bench", text=False)
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    env = {**os.environ, "PYTHONPATH": f"{tree / 'src'}{os.pathsep}{tree / 'bench'}"}
    child = subprocess.run([sys.executable, __file__, "--worker", str(tree), str(root), *names],
                           capture_output=True, env=env)
    if child.returncode:
        last = (child.stderr.decode(errors="replace").strip().splitlines() or ["no message"])[-1]
        sys.exit(f"routing_blind: the packs at {commit} failed: {last}")
    rows = [orjson.loads(line) for line in child.stdout.splitlines()]
    for r in rows:
        if "missing" in r:
            print(f"routing_blind: warning: {r['missing']} labelled units of {r['lib']} are not in its "
                  f"checkout (another commit?): they count as missed", file=sys.stderr)
    empty = set(names) - {r["lib"] for r in rows}
    if empty:
        print(f"routing_blind: warning: no labelled unit found in {', '.join(sorted(empty))}",
              file=sys.stderr)
    return [r for r in rows if "missing" not in r]


def figures(rows: list[dict]) -> tuple[int, int, int, int, int, int]:
    """(correct, routed, found, must) for backoff, then state-machine and test units taken."""
    labelled = [r for r in rows if not r["test"]]
    routed = [r for r in labelled if r["got"] == BACKOFF]
    must = [r for r in labelled if r["exp"] == [BACKOFF]]
    return (sum(BACKOFF in r["exp"] for r in routed), len(routed),
            sum(r["got"] == BACKOFF for r in must), len(must),
            sum(r["exp"] == [STATE] for r in routed),
            sum(1 for r in rows if r["test"] and r["got"] == BACKOFF))


def _line(label: str, rows: list[dict], sets: int) -> str:
    tp, n, hit, m, sm, tests = figures(rows)
    # routing_eval.ratio's format, written out: this file also runs as the worker on an old
    # commit's bench, which has no `ratio`, so it imports nothing from today's copy
    p, r = f"{tp / n if n else 1:.3f} ({tp}/{n})", f"{hit / m if m else 1:.3f} ({hit}/{m})"
    return f"{label:26} {sets:>4}   {p:<20} {r:<18} {sm:>3} {tests:>6}"


def bands(rows: list[dict], out=sys.stdout) -> None:
    """Where the misses lay, and what a perfect judge of each band could add."""
    labelled = [r for r in rows if not r["test"]]
    must = [r for r in labelled if r["exp"] == [BACKOFF]]
    missed = [r for r in must if r["got"] != BACKOFF]
    if not must:
        return
    found = len(must) - len(missed)
    hot = {(r["lib"], r["file"]) for r in labelled if r["got"] == BACKOFF}
    none = [r for r in missed if r["score"] <= 0]
    below = [r for r in missed if 0 < r["score"] < r["threshold"]]
    out.write(f"\nmissed must-find units: {len(missed)} of {len(must)}\n"
              f"  no backoff evidence at all (score <= 0): {len(none)}\n"
              f"  some evidence, below the threshold:      {len(below)}\n"
              f"  over the threshold, lost to a rival/tie: {len(missed) - len(none) - len(below)}\n")
    judged = {
        "units scored above 0 and below the threshold":
            lambda r: r["got"] != BACKOFF and 0 < r["score"] < r["threshold"],
        "same units, and every unit of a file where some unit went to backoff":
            lambda r: r["got"] != BACKOFF and (0 < r["score"] < r["threshold"]
                                               or (r["lib"], r["file"]) in hot),
    }
    libs = len({r["lib"] for r in rows})
    for what, shown in judged.items():
        n = sum(1 for r in labelled if shown(r))  # test code never reaches routing in a run
        gain = sum(1 for r in missed if shown(r))
        out.write(f"ceiling: a perfect judge shown the {what}\n"
                  f"  reads {n} units ({n / libs:.0f} a library) and reaches recall "
                  f"{(found + gain) / len(must):.3f} ({found + gain}/{len(must)})\n")
    routed = [r for r in labelled if r["got"] == BACKOFF]
    if not routed:
        return
    close = [r for r in routed if r["score"] < r["threshold"] + MARGIN]
    wrong = [r for r in routed if BACKOFF not in r["exp"]]
    kept = len(routed) - len(wrong) + sum(1 for r in wrong if r not in close)
    out.write(f"\nwrongly taken units: {len(wrong)} of {len(routed)}, "
              f"{sum(1 for r in wrong if r in close)} of them within {MARGIN:g} of the threshold\n"
              f"ceiling: a perfect judge shown the {len(close)} units routed to backoff within "
              f"{MARGIN:g} of the threshold reaches precision {(len(routed) - len(wrong)) / kept:.3f}\n")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--worker":
        worker(Path(argv[1]), Path(argv[2]), argv[3:])
        return 0
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("root", type=Path)
    ap.add_argument("--only", nargs="+", metavar="NAME", help="label names to keep")
    args = ap.parse_args(argv)
    todo = batches(set(args.only) if args.only else None)
    if not todo:
        print("routing_blind: no label file names the commit that first measured it", file=sys.stderr)
        return 2
    missing = sorted(n for names in todo.values() for n in names if not (args.root / n).is_dir())
    if missing:
        print(f"routing_blind: no checkout under {args.root} for: {', '.join(missing)}", file=sys.stderr)
        return 2
    print(f"{'batch (packs at)':26} {'sets':>4}   {'backoff P':<20} {'backoff R':<18} {'SM':>3} {'tests':>6}")
    pooled: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="routing-blind-") as tmp:
        for i, (commit, names) in enumerate(todo.items(), 1):
            rows = measure(commit, names, args.root, Path(tmp))
            pooled += rows
            print(_line(f"{i:>2}. {commit}", rows, len(names)), flush=True)
    print(_line("pooled", pooled, sum(map(len, todo.values()))))
    bands(pooled)
    return 0


if __name__ == "__main__":
    sys.exit(main())
