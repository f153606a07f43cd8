"""The routing judge measured on the labelled libraries: the packs alone, then the packs with a
model settling the units they cannot (`codeback scan --judge`), pooled like routing_external.

Usage:
    python bench/routing_judge.py ROOT --model NAME --base-url URL [--only NAME ...]
    python bench/routing_judge.py ROOT --oracle [--only NAME ...]
    python bench/routing_judge.py ROOT --answers FILE [FILE ...] [--only NAME ...]
    python bench/routing_judge.py ROOT --questions FILE [--only NAME ...]

ROOT holds the checkouts, as for bench/routing_external.py. With a model, the figures are that
model's. The other sources are served from a local chat-completions server (tests/llm_server.py),
so every answer still goes through the real client, cache and retries:
- `--oracle` answers with the labels themselves: a judge that is always right. It checks the
  plumbing end to end and gives the ceiling a model can approach.
- `--answers FILE...` answers from files of JSON lines {"sha1", "topic", "why"}, keyed by the SHA-1
  of the whole question (system and user message, not the user message alone): answers written
  offline, by people or by a model run elsewhere. Several files pool several batches; where two
  answer one question, the later file wins (answers asked again, laid over the first), and the
  bench says how many it replaced. A question no file answers, or one whose wording has changed
  since, counts as unreadable. Give ROOT before --answers, which takes every name after it.
- `--questions FILE` answers "none" to everything and writes each question asked (JSON lines
  {"id", "sha1", "system", "user"}), for answering offline.

The packs were tuned on most of these libraries, so they already find much of what they can;
the libraries labelled after the packs' last change (e01e583: the twenty-sixth batch on in
routing_blind.py) are the fairest test of a model. A model's answers are cached
(~/.cache/codeback), so a second run is free; the local sources use a throwaway cache.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
import tempfile
from pathlib import Path

import orjson
from routing_eval import BACKOFF, NONE, STATE, load_labels, ratio, revised, score, units

from codeback.generate.openai_backend import OpenAIBackend
from codeback.judge import Judge
from codeback.route import Router
from codeback.spec import resolve_agents

HERE = Path(__file__).resolve().parent
EXTERNAL = HERE.parent / "tests" / "fixtures" / "routing" / "external"


def oracle(labels: dict[str, dict[str, set[str]]], current: dict[str, str]):
    """An `answer` for the local server: the label of the unit asked about, in the library being
    measured (`current["lib"]`: two libraries can share a path and name). A hedged label is
    answered with "none" when that is accepted (the safe side), else its first topic."""
    def answer(messages: list[dict]) -> dict:
        text = messages[-1]["content"]
        path = re.search(r"^File: (.*) \(\w+\)$", text, re.M).group(1)
        name = re.search(r"^Unit: (.*) \([^()]*, lines \d+-\d+\)$", text, re.M).group(1)
        accepted = labels[current["lib"]].get(f"{path}::{name}", {NONE})
        topic = NONE if NONE in accepted else sorted(accepted)[0]
        return {"topic": topic, "why": "the label"}
    return answer


def from_files(paths: list[Path], err=sys.stderr):
    """An `answer` serving answers written offline, keyed by `sha1` of the whole question; several
    files pool several batches into one measurement, and where two answer one question the later
    file's answer wins (answers asked again, differently, laid over the first). What a later file
    replaced is said, so an overlay can be read at a glance."""
    table = {}
    for path in paths:
        replaced = changed = 0
        for line in path.read_text("utf-8").splitlines():
            if line.strip():
                a = orjson.loads(line)
                if (old := table.get(a["sha1"])) is not None:
                    replaced += 1
                    changed += old["topic"] != a["topic"]
                table[a["sha1"]] = {"topic": a["topic"], "why": a.get("why", "")}
        if replaced:
            print(f"routing_judge: {path.name} replaced {replaced} earlier answers, {changed} of them "
                  "with another topic", file=err)
    return lambda messages: table.get(sha1(messages), {"topic": "unanswered", "why": ""})


def sha1(messages: list[dict]) -> str:
    """The key of a question: its system and user message, so a changed prompt matches nothing."""
    return hashlib.sha1(f"{messages[0]['content']}\n\n{messages[-1]['content']}".encode()).hexdigest()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("root", type=Path)
    ap.add_argument("--model")
    ap.add_argument("--base-url")
    ap.add_argument("--oracle", action="store_true")
    ap.add_argument("--answers", type=Path, nargs="+", metavar="FILE")
    ap.add_argument("--questions", type=Path)
    ap.add_argument("--only", nargs="+", metavar="NAME")
    args = ap.parse_args(argv)
    if sum(map(bool, (args.model, args.oracle, args.answers, args.questions))) != 1:
        ap.error("give one of --model (with --base-url), --oracle, --answers FILE..., --questions FILE")
    names = sorted(p.name.removesuffix(".labels.toml") for p in EXTERNAL.glob("*.labels.toml")
                   if p.name != "svix-webhooks.labels.toml")
    names = [n for n in names if (args.only is None or n in args.only) and (args.root / n).is_dir()]
    if not names:
        print(f"routing_judge: no labelled checkout under {args.root}", file=sys.stderr)
        return 2
    labels = {n: load_labels(EXTERNAL / f"{n}.labels.toml") for n in names}
    router = Router(resolve_agents(["svix-backoff-jitter"]))
    server = None
    current = {"lib": ""}  # the library being measured, for the oracle
    with tempfile.TemporaryDirectory(prefix="routing-judge-") as tmp:
        if not args.model:
            sys.path.insert(0, str(HERE.parent / "tests"))
            from llm_server import LLMServer  # noqa: PLC0415 - a test helper, for local answers only

            answer = (oracle(labels, current) if args.oracle else from_files(args.answers) if args.answers
                      else lambda messages: {"topic": NONE, "why": "asked for the record"})
            server = LLMServer(answer=answer, record_bodies=bool(args.questions)).start()
            backend = OpenAIBackend(model="local", base_url=server.base_url, api_key="k",
                                    cache_path=Path(tmp) / "cache.sqlite")
        else:
            backend = OpenAIBackend(model=args.model, base_url=args.base_url)
        judge = Judge(router, backend)
        pooled = {k: [0] * 6 for k in ("packs", "judge")}  # correct, routed, found, must, SM, tests
        try:
            for n in names:
                current["lib"] = n
                found = list(units(args.root / n))  # extracted and routed once, scored twice
                decided = [router.route(unit) for _, unit, _ in found]
                for k, routed in (("packs", decided), ("judge", revised(found, decided, judge.review))):
                    res = score(found, routed, router, labels[n])
                    b = res["per_topic"][BACKOFF]
                    got = (b["correct"], b["routed"], b["found"], b["must"], len(res["state_to_backoff"]),
                           len(res["tests_to_backoff"]))
                    pooled[k] = [a + g for a, g in zip(pooled[k], got)]
                print(f"{n:40} asked so far {judge.counts.asked:>6}", file=sys.stderr, flush=True)
        finally:
            backend.close()
            if server is not None:
                server.stop()
    if args.questions:
        with args.questions.open("wb") as out:
            for i, r in enumerate(server.completions):
                system, user = (m["content"] for m in r.messages)
                out.write(orjson.dumps({"id": i, "sha1": sha1(r.messages), "system": system, "user": user})
                          + b"\n")
        print(f"wrote {len(server.completions)} questions to {args.questions}", file=sys.stderr)
    for k, (tp, n, hit, m, sm, tests) in pooled.items():
        print(f"{'packs alone' if k == 'packs' else 'packs + judge':14} backoff precision "
              f"{ratio(tp, n)}, recall {ratio(hit, m)}, {sm} {STATE} and {tests} test units to backoff")
    c = judge.counts
    print(f"judge: asked about {c.asked} units in {len(names)} libraries, changed {c.changed}; "
          f"{c.unreadable} unreadable, {c.refused} refused")
    if args.answers and c.unreadable:
        print(f"routing_judge: {c.unreadable} questions found no answer in "
              f"{', '.join(map(str, args.answers))}: were they answered for another wording of the "
              "prompt (see the README beside them)?", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
