"""Routing quality on every public library with hand labels, one line each, plus pooled totals.

Usage: python bench/routing_external.py ROOT [--spec NAME]

ROOT holds one checkout per label file of tests/fixtures/routing/external/, named like the file
without `.labels.toml` (for example ROOT/hashicorp-go-retryablehttp), at the commit its header
names (`git archive` it). Checkouts that are missing are listed and left out. svix-webhooks is
partially labelled, so its unlabelled units are left out rather than expected to go nowhere.
Each label file's header says whether the packs were tuned on that library: read the pooled
figures with that in mind.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from routing_eval import BACKOFF, STATE, evaluate, load_labels, ratio

from codeback.route import Router
from codeback.spec import resolve_agents

EXTERNAL = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "routing" / "external"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("root", type=Path)
    ap.add_argument("--spec", action="append")
    args = ap.parse_args(argv)
    router = Router(resolve_agents(args.spec or ["svix-backoff-jitter"]))
    pooled = {t: [0, 0, 0, 0] for t in (BACKOFF, STATE)}  # routed, correct, must, found
    to_backoff = {"state-machine": 0, "test": 0}
    missing = []
    print(f"{'library':34} {'backoff P':>9} {'R':>6} {'(found/must)':>13}   {'state P':>7} {'R':>6}"
          f"   state->backoff  tests->backoff")
    for labels in sorted(EXTERNAL.glob("*.labels.toml")):
        name = labels.name.removesuffix(".labels.toml")
        checkout = args.root / name
        if not checkout.is_dir():
            missing.append(name)
            continue
        res = evaluate(checkout, router, load_labels(labels),
                       "skip" if name == "svix-webhooks" else "none")
        b, s = res["per_topic"][BACKOFF], res["per_topic"][STATE]
        to_backoff["state-machine"] += len(res["state_to_backoff"])
        to_backoff["test"] += len(res["tests_to_backoff"])
        for t, m in ((BACKOFF, b), (STATE, s)):
            for i, k in enumerate(("routed", "correct", "must", "found")):
                pooled[t][i] += m[k]
        print(f"{name:34} {b['precision']:>9.3f} {b['recall']:>6.3f} {b['found']:>6}/{b['must']:<6}"
              f"   {s['precision']:>7.3f} {s['recall']:>6.3f}   {len(res['state_to_backoff']):>14}"
              f"  {len(res['tests_to_backoff']):>14}")
    for t, (routed, correct, must, found) in pooled.items():
        print(f"pooled {t}: precision {ratio(correct, routed)}, recall {ratio(found, must)}")
    print(f"pooled units routed to backoff-jitter: {to_backoff['state-machine']} state-machine, "
          f"{to_backoff['test']} test")
    if missing:
        print("no checkout for: " + ", ".join(missing))
    return 0


if __name__ == "__main__":
    sys.exit(main())
