"""Worst-case signal cost: every signal of every built-in topic on long hostile texts.

Usage: python bench/signal_bench.py [--kb N]

A signal's regex runs over each unit's parts, and a class or a generated file can be hundreds of
kilobytes. A pattern that backtracks is quadratic or worse there: minutes per unit instead of
milliseconds. Each signal (and its `unless`), compiled as routing compiles it, is searched on two
families of texts built to provoke that, each at two sizes in the same process, and the ratio of
the two times is its growth:
  repeats  one piece repeated (a long word, loop keywords without a sleep, sleeps without a
           loop), at --kb kilobytes and a tenth of that: about 10x when linear, 100x when
           quadratic; flagged over 30x;
  gaps     a short prefix, then one filler character repeated, then one more character
           (`x *` + spaces + `y`: overlapping `\\s*` runs), at 1 KB and 512 bytes, kept small
           because a cubic pattern would take minutes at the repeats' size: about 2x when
           linear, 8x when cubic; flagged over 3x.
Only texts the signal takes over 2 ms on are compared (faster is noise, and harmless). Prints the
slowest signals and every one flagged, with a linear baseline (one search for an absent literal);
exits 1 when any signal is flagged.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

from codeback.route import compile_signals
from codeback.spec import load_topic

TOPICS = Path(__file__).resolve().parent.parent / "src" / "codeback" / "topics"

# Each a building block repeated to the text size: long words, loop keywords without a sleep,
# sleeps without a loop, calls and operators a pattern may anchor on.
PIECES = ["timeouts", "calc", "a", "backoff", "retry_after", "for ", "while x ", "loop {",
          " sleep(x) ", "for sleep ", ".BackOff", "x *", "attempt * ", "delay = ", "[1s, ",
          "VERSION = 1 ", "\n", "get_delay(", "do |x| ", "Duration::from_secs(1), "]
# Prefixes a pattern starts a match on, and fillers its repeats overlap on.
PREFIXES = ["x *", "retry *", "a * attempt", "VERSION = 1", "x = 1", "sleep(", "for x sleep(",
            ") :", "static ", "delay", "x"]
FILLERS = [" ", "\n", "\t", "_", "a", "1", ".", "*"]


def _best(fn, text: str, rounds: int = 3) -> float:
    best = float("inf")
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn(text)
        best = min(best, time.perf_counter() - t0)
    return best


def families(kb: int) -> list[tuple[str, float, list[tuple[str, str, str]]]]:
    """(name, growth limit, [(label, large text, small text)])."""
    def repeat(piece: str, size: int) -> str:
        return (piece * (size // len(piece) + 1))[:size]

    big = kb * 1024
    repeats = [(repr(p), repeat(p, big), repeat(p, big // 10)) for p in PIECES]
    gaps = [(f"{p!r} + {f!r}*n", p + f * 1024 + "y", p + f * 512 + "y") for p in PREFIXES for f in FILLERS]
    return [("repeats", 30.0, repeats), ("gaps", 3.0, gaps)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kb", type=int, default=200)
    args = ap.parse_args(argv)
    absent = re.compile("\x00never\x00")
    fams = families(args.kb)
    baseline = max(_best(absent.search, big) for _, big, _ in fams[0][2])
    rows, over = [], []  # (time on the large text, growth, family, topic, signal, part, text)
    for sig in compile_signals({t.stem: load_topic(t.stem) for t in sorted(TOPICS.glob("*.toml"))}):
        for key, rx in (("pattern", sig.rx), ("unless", sig.unless)):
            if rx is None:
                continue
            for fam, limit, texts in fams:
                for label, big, small in texts:
                    t_big = _best(rx.search, big, 1)
                    if t_big < 0.002:  # too fast to matter, and too noisy to compare
                        continue
                    growth = t_big / max(_best(rx.search, small), 1e-6)
                    if growth > limit:  # a one-off stall is not a trend: time it again
                        t_big = _best(rx.search, big)
                        growth = t_big / max(_best(rx.search, small, 5), 1e-6)
                    row = (t_big, growth, fam, sig.topic, sig.name, key, label)
                    rows.append(row)
                    if growth > limit:
                        over.append(row)
    print(f"baseline: {baseline * 1000:.2f} ms per {args.kb} KB text (a search for an absent literal)")
    print(f"slowest on {args.kb} KB repeats (time, growth from {args.kb // 10} KB, signal, text):")
    for t, growth, _, topic, name, key, label in sorted(r for r in rows if r[2] == "repeats")[::-1][:5]:
        print(f"  {t * 1000:8.1f} ms  {growth:5.1f}x  {topic}: {name} ({key}) on {label}")
    for t, growth, fam, topic, name, key, label in sorted(over, key=lambda r: -r[1]):
        print(f"  OVER ({fam}): {growth:.0f}x growth, {t * 1000:.0f} ms  {topic}: {name} ({key}) on {label}")
    print(f"{len(over)} signal(s) grow faster than linear (limits: 30x for 10x repeats, 3x for 2x gaps)")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
