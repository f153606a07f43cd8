"""Scan benchmark: codeback's whole-repository scan against a bare read + parse and ast-grep.

Usage: python bench/scan_bench.py [DIR] [--repeat N]

In one run, over the same files (every file a codeback grammar handles, vendored and build folders
skipped), it times:
  baseline  read every file and tree-sitter-parse it, one Python process, parsers pre-built;
  extract   a subprocess running `map_files` + `extract_file` on every file (--scan-only mode);
  scan      `codeback scan --json --repo DIR` as a subprocess: every file is read, and parsed
            and routed when it uses a topic's words;
  scan-all  `codeback scan --all --json --repo DIR`: every file parsed, routed and listed;
  ast-grep  `ast-grep scan` with one trivial rule per language (one process per language, and
            one process with all the rules), when the binary is installed;
and prints the times and ratios against the issue's targets (scan <= 1.3x baseline, <= 1.5x
ast-grep) plus `codeback --help` start-up. Each figure is the best of --repeat rounds (default 5),
and every round times each contender once, in turn, so a machine that slows down or speeds up
during the run weighs on all of them alike: the minimum is the least noisy estimate of what the
code costs on a shared machine. Subprocesses run with bytecode caching on (an unset
PYTHONDONTWRITEBYTECODE), as an installed tool does: otherwise every run of an editable checkout
compiles codeback's modules again.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

SKIP_DIRS = frozenset({".git", "node_modules", "target", "vendor", "dist", "build", "__pycache__",
                       ".venv", "venv", ".tox", "third_party", ".gradle", "bin", "obj"})
DEFAULT_DIR = "/tmp/svix"

# ast-grep language name and a node kind every file of that language is likely to contain.
AST_GREP_RULES: dict[str, tuple[str, str]] = {
    "rust": ("rust", "function_item"),
    "python": ("python", "function_definition"),
    "go": ("go", "function_declaration"),
    "typescript": ("typescript", "function_declaration"),
    "tsx": ("tsx", "function_declaration"),
    "javascript": ("javascript", "function_declaration"),
    "java": ("java", "method_declaration"),
    "kotlin": ("kotlin", "function_declaration"),
    "csharp": ("csharp", "method_declaration"),
    "ruby": ("ruby", "method"),
    "php": ("php", "method_declaration"),
    "yaml": ("yaml", "block_mapping_pair"),
}


def walk(root: Path) -> list[str]:
    """Repository-relative paths of every file a codeback grammar handles, sorted."""
    from codeback.extract import language_of

    out: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS and not d.startswith(".")]
        rel = os.path.relpath(dirpath, root)
        for name in filenames:
            if language_of(name) is not None:
                out.append(name if rel == "." else f"{rel}/{name}")
    out.sort()
    return out


def baseline(root: Path, paths: list[str]) -> tuple[float, int]:
    """Bare read + parse of every file in this process; returns (seconds, bytes)."""
    from tree_sitter import Language, Parser

    from codeback.extract import LANGS, language_of

    parsers = {name: Parser(Language(spec.language())) for name, spec in LANGS.items()}
    langs = [language_of(p) for p in paths]
    t0 = time.perf_counter()
    total = 0
    for path, lang in zip(paths, langs):
        with open(root / path, "rb") as fh:
            data = fh.read()
        total += len(data)
        parsers[lang].parse(data)
    return time.perf_counter() - t0, total


def scan_only(root: Path) -> None:
    """Child-process mode: walk, extract every file over all cores, print counts (no output of
    units: the scan's own cost, not the terminal's)."""
    from codeback.extract import extract_file
    from codeback.extract.parallel import map_files

    paths = walk(root)
    units = skips = 0
    for fu in map_files(root, paths, extract_file):
        units += len(fu.units)
        skips += len(fu.skips)
    print(f"{len(paths)} files, {units} units, {skips} skips")


ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(cmd: list[str], repeat: int = 1) -> tuple[float, str]:
    """Best wall time of `repeat` runs, and the last run's stdout tail (or error)."""
    best, tail = float("inf"), ""
    for _ in range(repeat):
        t0 = time.perf_counter()
        res = subprocess.run(cmd, capture_output=True, text=True, env=ENV)
        best = min(best, time.perf_counter() - t0)
        tail = (res.stdout.strip().splitlines() or [""])[-1][:200] if res.returncode == 0 else (
            f"exit {res.returncode}: " + (res.stderr.strip().splitlines() or [""])[-1][:200])
    return best, tail


class Best:
    """The best time seen per contender over interleaved rounds, with the last output."""

    def __init__(self) -> None:
        self.time: dict[str, float] = {}
        self.out: dict[str, str] = {}

    def add(self, name: str, t: float, out: str = "") -> None:
        self.time[name] = min(t, self.time.get(name, float("inf")))
        self.out[name] = out


def has_scan_cli() -> str | None:
    exe = shutil.which("codeback") or str(Path(sys.executable).with_name("codeback"))
    if not Path(exe).exists():
        return None
    res = subprocess.run([exe, "scan", "--help"], capture_output=True, text=True)
    return exe if res.returncode == 0 and "--json" in res.stdout else None


def ast_grep_rules(langs: Counter) -> dict[str, str]:
    """One trivial rule per language present."""
    return {lang: f"id: bench-{lang}\nlanguage: {ag_lang}\nrule:\n  kind: {kind}\n"
            for lang, (ag_lang, kind) in AST_GREP_RULES.items() if langs.get(lang)}


def ast_grep_round(exe: str, root: Path, rules: dict[str, str], best: Best) -> None:
    """Each language's rule in its own run, then all rules in one run."""
    for lang, rule in rules.items():
        best.add(f"ast-grep:{lang}", *timed([exe, "scan", "--inline-rules", rule, "--json=stream", str(root)]))
    best.add("ast-grep-all", *timed([exe, "scan", "--inline-rules", "---\n".join(rules.values()),
                                     "--json=stream", str(root)]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dir", nargs="?", default=DEFAULT_DIR)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--scan-only", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    root = Path(args.dir).resolve()
    if args.scan_only:
        scan_only(root)
        return
    from codeback.extract import language_of
    from codeback.extract.parallel import cpu_count

    paths = walk(root)
    langs = Counter(language_of(p) for p in paths)
    cli = has_scan_cli()
    ag = shutil.which("ast-grep") or str(Path(sys.executable).with_name("ast-grep"))
    ag = ag if Path(ag).exists() else None
    rules = ast_grep_rules(langs)
    best = Best()
    nbytes = 0
    for _ in range(args.repeat):
        t, nbytes = baseline(root, paths)
        best.add("baseline", t)
        best.add("extract", *timed([sys.executable, __file__, "--scan-only", str(root)]))
        if cli:
            best.add("scan", *timed([cli, "scan", "--json", "--repo", str(root)]))
            best.add("scan-all", *timed([cli, "scan", "--all", "--json", "--repo", str(root)]))
            best.add("help", *timed([cli, "--help"]))
        if ag:
            ast_grep_round(ag, root, rules, best)
    base = best.time["baseline"]
    print(f"dir       {root}")
    print(f"files     {len(paths)} ({', '.join(f'{k} {v}' for k, v in langs.most_common())})")
    print(f"bytes     {nbytes:,}")
    print(f"cores     {cpu_count()} usable, nproc {os.cpu_count()}")
    print(f"rounds    {args.repeat}, best of each")
    print(f"baseline  {base:.3f} s  bare read + parse, one process")
    inner = best.time["extract"]
    print(f"extract   {inner:.3f} s  map_files + extract_file, subprocess ({best.out['extract']}); "
          f"{inner / base:.2f}x baseline")
    runs = [("extract", inner)]
    if cli:
        print(f"scan      {best.time['scan']:.3f} s  codeback scan --json --repo DIR ({best.out['scan'][:60]}...)")
        print(f"scan-all  {best.time['scan-all']:.3f} s  codeback scan --all --json --repo DIR (parses every file)")
        runs += [("scan", best.time["scan"]), ("scan-all", best.time["scan-all"])]
    else:
        print("scan      (no `codeback scan --json` yet: the extract figure stands in)")
    for name, t in runs:
        print(f"ratio     {name}/baseline = {t / base:.2f}  (target <= 1.3)")
    if ag is None:
        print("ast-grep  not installed")
    else:
        per = {lang: best.time[f"ast-grep:{lang}"] for lang in rules}
        summed, together = sum(per.values()), best.time["ast-grep-all"]
        print(f"ast-grep  {summed:.3f} s  one run per language "
              f"({', '.join(f'{k} {v:.2f}' for k, v in per.items())})")
        print(f"ast-grep  {together:.3f} s  one run, all rules")
        for name, t in runs:
            print(f"ratio     {name}/ast-grep = {t / summed:.2f} per-language sum, "
                  f"{t / together:.2f} single run  (target <= 1.5)")
    if cli:
        out = best.out["help"]
        print(f"startup   {best.time['help']:.3f} s  codeback --help (target well under 0.3)"
              f"{' ' + out if out.startswith('exit') else ''}")


if __name__ == "__main__":
    main()
