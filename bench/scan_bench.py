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
ast-grep) plus `codeback --help` start-up. Each figure is the best of --repeat runs (default 3):
the minimum is the least noisy estimate of what the code costs on a shared machine.
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


def timed(cmd: list[str], repeat: int) -> tuple[float, str]:
    """Best wall time of `repeat` runs, and the last run's stdout tail (or error)."""
    best, tail = float("inf"), ""
    for _ in range(repeat):
        t0 = time.perf_counter()
        res = subprocess.run(cmd, capture_output=True, text=True)
        best = min(best, time.perf_counter() - t0)
        tail = (res.stdout.strip().splitlines() or [""])[-1][:200] if res.returncode == 0 else (
            f"exit {res.returncode}: " + (res.stderr.strip().splitlines() or [""])[-1][:200])
    return best, tail


def has_scan_cli() -> str | None:
    exe = shutil.which("codeback") or str(Path(sys.executable).with_name("codeback"))
    if not Path(exe).exists():
        return None
    res = subprocess.run([exe, "scan", "--help"], capture_output=True, text=True)
    return exe if res.returncode == 0 and "--json" in res.stdout else None


def ast_grep_times(root: Path, langs: Counter, repeat: int) -> tuple[float, float, dict[str, float]] | None:
    """(sum of per-language runs, one run with every rule, per-language times), or None."""
    exe = shutil.which("ast-grep") or str(Path(sys.executable).with_name("ast-grep"))
    if not Path(exe).exists():
        return None
    rules = []
    per: dict[str, float] = {}
    for lang, (ag_lang, kind) in AST_GREP_RULES.items():
        if not langs.get(lang):
            continue
        rule = f"id: bench-{lang}\nlanguage: {ag_lang}\nrule:\n  kind: {kind}\n"
        rules.append(rule)
        per[lang], _ = timed([exe, "scan", "--inline-rules", rule, "--json=stream", str(root)], repeat)
    together, _ = timed([exe, "scan", "--inline-rules", "---\n".join(rules), "--json=stream",
                         str(root)], repeat)
    return sum(per.values()), together, per


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dir", nargs="?", default=DEFAULT_DIR)
    ap.add_argument("--repeat", type=int, default=3)
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
    base, nbytes = min((baseline(root, paths) for _ in range(args.repeat)), key=lambda r: r[0])
    print(f"dir       {root}")
    print(f"files     {len(paths)} ({', '.join(f'{k} {v}' for k, v in langs.most_common())})")
    print(f"bytes     {nbytes:,}")
    print(f"cores     {cpu_count()} usable, nproc {os.cpu_count()}")
    print(f"baseline  {base:.3f} s  bare read + parse, one process")

    inner, inner_out = timed([sys.executable, __file__, "--scan-only", str(root)], args.repeat)
    print(f"extract   {inner:.3f} s  map_files + extract_file, subprocess ({inner_out}); "
          f"{inner / base:.2f}x baseline")
    cli = has_scan_cli()
    runs = [("extract", inner)]
    if cli:
        scan, out = timed([cli, "scan", "--json", "--repo", str(root)], args.repeat)
        print(f"scan      {scan:.3f} s  codeback scan --json --repo DIR ({out[:60]}...)")
        full, _ = timed([cli, "scan", "--all", "--json", "--repo", str(root)], args.repeat)
        print(f"scan-all  {full:.3f} s  codeback scan --all --json --repo DIR (parses every file)")
        runs += [("scan", scan), ("scan-all", full)]
    else:
        print("scan      (no `codeback scan --json` yet: the extract figure stands in)")
    for name, t in runs:
        print(f"ratio     {name}/baseline = {t / base:.2f}  (target <= 1.3)")

    ag = ast_grep_times(root, langs, args.repeat)
    if ag is None:
        print("ast-grep  not installed")
    else:
        summed, together, per = ag
        print(f"ast-grep  {summed:.3f} s  one run per language "
              f"({', '.join(f'{k} {v:.2f}' for k, v in per.items())})")
        print(f"ast-grep  {together:.3f} s  one run, all rules")
        for name, t in runs:
            print(f"ratio     {name}/ast-grep = {t / summed:.2f} per-language sum, "
                  f"{t / together:.2f} single run  (target <= 1.5)")
    exe = shutil.which("codeback") or str(Path(sys.executable).with_name("codeback"))
    if Path(exe).exists():
        help_t, out = timed([exe, "--help"], args.repeat)
        print(f"startup   {help_t:.3f} s  codeback --help (target well under 0.3){'' if not out.startswith('exit') else ' ' + out}")


if __name__ == "__main__":
    main()
