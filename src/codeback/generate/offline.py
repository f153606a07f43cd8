"""The offline generator: deterministic, grounded, no network.

For each job it realises the planned need (`needs.py`) in the planned style and writes the
reasoning moves (`think.py`), choosing among phrasings with a generator seeded by the example's
id. A draft that the pipeline's check refuses (say, too close to an example already written) is
re-phrased with the next seed a few times before it is given up with the reasons.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from .base import Backend, Check, Job, Outcome, register
from .needs import needs_for
from .needs_base import Need
from .closing import cost, edges, mentions
from .think import design, frame, order
from .view import Pick, View

STYLES = ("github_issue", "delivery_requirement", "internal_request", "bug_report", "review_follow_up")
ATTEMPTS = 12


def _sentence(clause: str) -> str:
    clause = clause.strip()
    return clause[0].upper() + clause[1:] + ("" if clause.endswith((".", "?", "!")) else ".")


def _prose(asks: list[str], p: Pick) -> str:
    if len(asks) == 1:
        return _sentence(asks[0])
    joined = "; ".join(asks[:-1]) + f"; and {asks[-1]}"
    return p([_sentence(joined), " ".join(_sentence(a) for a in asks)])


def _bullets(asks: list[str]) -> str:
    return "\n".join(f"- {a[0].upper() + a[1:]}" for a in asks)


def request(v: View, n: Need, style: str, p: Pick) -> str:
    where = v.where
    if style == "github_issue":
        intro = p([f"What we need, in {where}:", "What I'd like:", "Proposal:", "Needed:"])
        body = _bullets(n.asks) if p.chance(0.5) else _prose(n.asks, p)
        return f"**{n.title}**\n\n{n.problem}\n\n{intro}\n\n{body}"
    if style == "delivery_requirement":
        head = p([f"Requirement ({v.where}): {n.title[0].lower() + n.title[1:]}",
                  f"Delivery requirement: {n.title[0].lower() + n.title[1:]}"])
        done = p(["Acceptance criteria:", "Done when:", "It is done when:"])
        return f"{head}\n\n{n.problem}\n\n{done}\n{_bullets(n.asks)}"
    if style == "internal_request":
        opener = p(["Can you", "Could you", "Would you"])
        tail = p(["", " Thanks!", " No rush, but before the next release would be good."])
        ask = (f"{opener} {n.verb} in {where}?" if len(n.verb.split()) <= 6 else
               f"In {where}: {opener.lower()} {n.verb}?")
        return f"{ask} {n.problem} {_prose(n.asks, p)}{tail}"
    if style == "bug_report":
        title = n.observed[0].upper() + n.observed[1:]
        if p.chance(0.5):
            return (f"**{title}**\n\n{n.problem}\n\n"
                    f"{p(['Expected', 'What should happen', 'Expected behaviour'])}: {n.expected}.")
        return (f"**{n.title}**\n\nObserved: {n.observed}.\n\nExpected: {n.expected}.\n\n"
                f"{n.problem}")
    if style == "review_follow_up":
        opener = p(["Follow-up from code review", "Review follow-up", "Picking up a review comment"])
        return f"{opener} on {where}: {n.review}.\n\n{_prose(n.asks, p)}"
    raise ValueError(f"unknown style {style}")


def reasoning(v: View, n: Need, p: Pick) -> str:
    paras = [frame(v, n, p), order(v, p), *design(v, n, p)]
    said = " ".join(mentions(v, p, " ".join(paras)))
    paras += [said, edges(v, p), cost(v, p)]
    return "\n\n".join(x.strip() for x in paras if x and x.strip())


def need_named(v: View, angle: str, p: Pick) -> Need | None:
    return next((n for n in needs_for(v, p) if n.angle == angle), None)


@register("offline")
class OfflineBackend(Backend):
    name = "offline"
    version = "1"

    def __init__(self, **_: object):
        pass

    def draft_one(self, job: Job, attempt: int = 0):
        from ..model import Draft

        v = View(job)
        p = Pick(f"{job.seed}:{job.id}:{attempt}")
        n = need_named(v, job.angle, p)
        if n is None:
            return None
        return Draft(request(v, n, job.style, p), reasoning(v, n, p), job.style,
                     f"offline:{self.version}", n.facts)

    def run(self, jobs: Iterable[Job], check: Check) -> Iterator[Outcome]:
        for job in jobs:
            problems: list[str] = []
            for attempt in range(ATTEMPTS):
                draft = self.draft_one(job, attempt)
                if draft is None:
                    problems = [f"no need '{job.angle}' in the facts"]
                    break
                problems = check(job, draft)
                if not problems:
                    yield Outcome(job, draft)
                    break
            else:
                yield Outcome(job, None, problems)
                continue
            if problems:
                yield Outcome(job, None, problems)
