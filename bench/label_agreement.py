"""How far two people agree: a second blind labelling of some libraries, read as a router and
scored against the first, the way bench/routing_eval.py scores the packs.

Usage: python bench/label_agreement.py

Every file in tests/fixtures/routing/external/second/ labels a library again, under the same
brief, without sight of the first labels or of the router. The second labeller "routes" a unit to
backoff-jitter when its label is exactly backoff-jitter (strict) or names it among the accepted
answers (lenient); precision and recall are then counted against the first labels exactly as for
the packs (a "topic|none" unit is right either way, recall counts only exact ones). No checkout is
needed: a unit neither file lists is "none" in both, so it cannot change a backoff figure.

The issue's targets only mean something if people meet them: this says whether they do.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from routing_eval import BACKOFF, STATE, load_labels, ratio

EXTERNAL = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "routing" / "external"
ROUTES = {"strict": lambda answers: answers == {BACKOFF}, "lenient": lambda answers: BACKOFF in answers}


def compare(first: dict[str, set[str]], second: dict[str, set[str]], routes) -> tuple[int, ...]:
    """(correct, routed, found, must, state-machine units taken) with `second` as the router."""
    keys = first.keys() | second.keys()
    truth = {k: first.get(k, {"none"}) for k in keys}
    routed = [k for k in keys if routes(second.get(k, {"none"}))]
    must = [k for k in keys if truth[k] == {BACKOFF}]
    return (sum(BACKOFF in truth[k] for k in routed), len(routed),
            sum(1 for k in must if k in routed), len(must),
            sum(1 for k in routed if truth[k] == {STATE}))


def _fmt(tp: int, n: int, hit: int, m: int, sm: int) -> str:
    return f"P {ratio(tp, n)}  R {ratio(hit, m)}  SM {sm}"


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(description=__doc__.split("\n\n")[0]).parse_args(argv)
    seconds = sorted((EXTERNAL / "second").glob("*.labels.toml"))
    if not seconds:
        print("label_agreement: no second labelling in " + str(EXTERNAL / "second"), file=sys.stderr)
        return 2
    pooled = {mode: [0] * 5 for mode in ROUTES}
    print(f"{'library':40} {'strict':40} lenient")
    if orphans := [p.name for p in seconds if not (EXTERNAL / p.name).is_file()]:
        print(f"label_agreement: no first labelling beside {', '.join(orphans)}", file=sys.stderr)
        return 2
    for path in seconds:
        first, second = load_labels(EXTERNAL / path.name), load_labels(path)
        cols = []
        for mode, routes in ROUTES.items():
            got = compare(first, second, routes)
            pooled[mode] = [a + b for a, b in zip(pooled[mode], got)]
            cols.append(_fmt(*got))
        print(f"{path.name.removesuffix('.labels.toml')[:40]:40} {cols[0]:40} {cols[1]}")
    for mode, got in pooled.items():
        print(f"pooled, second labeller as a router ({mode}): {_fmt(*got)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
