"""Worst-case signal cost: every signal of every built-in topic on long hostile texts.

Usage: python bench/signal_bench.py [--kb N] [--limit GROWTH]

A signal's regex runs over each unit's parts, and a class or a generated file can be hundreds of
kilobytes. A pattern that backtracks (`\\w*x\\w*` on one long word, `for.*sleep` tried from every
`for`) is quadratic there: minutes per unit instead of milliseconds. Each signal (and its
`unless`) is searched on texts built to provoke that (one long word, a keyword repeated without
the rest of the match, the rest repeated without the keyword), at --kb kilobytes and at a tenth
of that, in the same process: the ratio of the two times is the signal's growth, about 10 for a
linear pattern and 100 for a quadratic one. Prints every signal whose growth is over --limit
(default 30) and which takes over 20 ms on the long text, the slowest signals, and the time of
a linear baseline (one search for an absent literal); exits 1 when a signal is over the limit.
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


def _best(fn, text: str, rounds: int = 3) -> float:
    best = float("inf")
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn(text)
        best = min(best, time.perf_counter() - t0)
    return best


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kb", type=int, default=200)
    ap.add_argument("--limit", type=float, default=30.0)
    args = ap.parse_args(argv)

    def texts(size: int) -> list[str]:
        return [(p * (size // len(p) + 1))[:size] for p in PIECES]

    long, short = texts(args.kb * 1024), texts(args.kb * 1024 // 10)
    absent = re.compile("\x00never\x00")
    baseline = max(_best(absent.search, t) for t in long)
    rows = []  # (time on the long text, growth, topic, signal, part, piece)
    for sig in compile_signals({t.stem: load_topic(t.stem) for t in sorted(TOPICS.glob("*.toml"))}):
        for key, rx in (("pattern", sig.rx), ("unless", sig.unless)):
            if rx is not None:
                for piece, big, small in zip(PIECES, long, short):
                    t_big = _best(rx.search, big, 1)
                    if t_big < 0.02:  # too fast to matter, and too noisy to compare
                        continue
                    growth = t_big / max(_best(rx.search, small), 1e-5)
                    if growth > args.limit:  # a one-off stall is not a trend: time it again
                        t_big = _best(rx.search, big)
                        growth = t_big / max(_best(rx.search, small, 5), 1e-5)
                    rows.append((t_big, growth, sig.topic, sig.name, key, piece))
    over = [r for r in rows if r[1] > args.limit]
    print(f"baseline: {baseline * 1000:.2f} ms per {args.kb} KB text (a search for an absent literal)")
    print(f"slowest on {args.kb} KB (time, growth from {args.kb // 10} KB, signal, text repeated):")
    for t, growth, topic, name, key, piece in sorted(rows, reverse=True)[:5]:
        print(f"  {t * 1000:8.1f} ms  {growth:5.1f}x  {topic}: {name} ({key}) on {piece!r}")
    for t, growth, topic, name, key, piece in sorted(over, key=lambda r: -r[1]):
        print(f"  OVER: {growth:.0f}x growth, {t * 1000:.0f} ms  {topic}: {name} ({key}) on {piece!r}")
    print(f"{len(over)} signal(s) grow faster than {args.limit:g}x for 10x the text (linear: about 10x)")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
