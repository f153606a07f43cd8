"""The routing judge measured on the labelled libraries: the packs alone, then the packs with a
model settling the units they cannot (`codeback scan --judge`), pooled like routing_external.

Usage:
    python bench/routing_judge.py ROOT --model NAME --base-url URL [--only NAME ...]
    python bench/routing_judge.py ROOT --oracle [--only NAME ...]

ROOT holds the checkouts, as for bench/routing_external.py. With a model, the figures are that
model's. `--oracle` serves the labels themselves from a local chat-completions server
(tests/llm_server.py): a judge that is always right, asked through the real client, cache and
retries. It checks the plumbing end to end and gives the ceiling a model can approach.

The packs were tuned on most of these libraries, so they already find much of what they can;
the libraries labelled after the packs' last change (the newest batch in routing_blind.py) are the
fairest test of a model. Answers are cached (~/.cache/codeback), so a second run is free.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

from routing_eval import BACKOFF, NONE, STATE, evaluate, load_labels

from codeback.generate.openai_backend import OpenAIBackend
from codeback.judge import Judge
from codeback.route import Router
from codeback.spec import resolve_agents

HERE = Path(__file__).resolve().parent
EXTERNAL = HERE.parent / "tests" / "fixtures" / "routing" / "external"


def oracle(labels: dict[str, dict[str, set[str]]]):
    """An `answer` for the local server: the label of the unit asked about. A hedged label is
    answered with "none" when that is accepted (the safe side), else its first topic."""
    def answer(messages: list[dict]) -> dict:
        text = messages[-1]["content"]
        path = re.search(r"^File: (.*) \(\w+\)$", text, re.M).group(1)
        name = re.search(r"^Unit: (.*) \([^()]*, lines \d+-\d+\)$", text, re.M).group(1)
        accepted = next((ls[f"{path}::{name}"] for ls in labels.values() if f"{path}::{name}" in ls),
                        {NONE})
        topic = NONE if NONE in accepted else sorted(accepted)[0]
        return {"topic": topic, "why": "the label"}
    return answer


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("root", type=Path)
    ap.add_argument("--model")
    ap.add_argument("--base-url")
    ap.add_argument("--oracle", action="store_true")
    ap.add_argument("--only", nargs="+", metavar="NAME")
    args = ap.parse_args(argv)
    if args.oracle == bool(args.model):
        ap.error("give --model (and --base-url) for a model, or --oracle")
    names = sorted(p.name.removesuffix(".labels.toml") for p in EXTERNAL.glob("*.labels.toml")
                   if p.name != "svix-webhooks.labels.toml")
    names = [n for n in names if (args.only is None or n in args.only) and (args.root / n).is_dir()]
    if not names:
        print(f"routing_judge: no labelled checkout under {args.root}", file=sys.stderr)
        return 2
    labels = {n: load_labels(EXTERNAL / f"{n}.labels.toml") for n in names}
    router = Router(resolve_agents(["svix-backoff-jitter"]))
    server = None
    with tempfile.TemporaryDirectory(prefix="routing-judge-") as tmp:
        if args.oracle:
            sys.path.insert(0, str(HERE.parent / "tests"))
            from llm_server import LLMServer  # noqa: PLC0415 - a test helper, for the oracle only

            server = LLMServer(answer=oracle(labels), record_bodies=False).start()
            backend = OpenAIBackend(model="oracle", base_url=server.base_url, api_key="k",
                                    cache_path=Path(tmp) / "cache.sqlite")
        else:
            backend = OpenAIBackend(model=args.model, base_url=args.base_url)
        judge = Judge(router, backend)
        pooled = {k: [0, 0, 0, 0, 0] for k in ("packs", "judge")}  # correct, routed, found, must, SM
        try:
            for n in names:
                for k, review in (("packs", None), ("judge", judge.review)):
                    res = evaluate(args.root / n, router, labels[n], "none", review)
                    b = res["per_topic"][BACKOFF]
                    got = (b["correct"], b["routed"], b["found"], b["must"], len(res["state_to_backoff"]))
                    pooled[k] = [a + g for a, g in zip(pooled[k], got)]
                print(f"{n:40} asked so far {judge.counts.asked:>6}", file=sys.stderr, flush=True)
        finally:
            backend.close()
            if server is not None:
                server.stop()
    for k, (tp, n, hit, m, sm) in pooled.items():
        print(f"{'packs alone' if k == 'packs' else 'packs + judge':14} backoff precision "
              f"{tp / n if n else 1:.3f} ({tp}/{n}), recall {hit / m if m else 1:.3f} ({hit}/{m}), "
              f"{sm} {STATE} units to backoff")
    c = judge.counts
    print(f"judge: asked about {c.asked} units in {len(names)} libraries, changed {c.changed}; "
          f"{c.unreadable} unreadable, {c.refused} refused")
    return 0


if __name__ == "__main__":
    sys.exit(main())
