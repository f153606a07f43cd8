"""Reasoning: the moves an expert makes before typing, each written from facts.

Order: the problem as this need frames it, the order of operations, one paragraph per design
choice the code makes (the need's own first), the required crates said truthfully, edge cases,
then cost. A paragraph exists only when its facts do; every number in it is a fact's value.
"""

from __future__ import annotations

import re

from .needs_base import Need
from .think_time import cap_p, fallback_p, growth_p, loop_p, schedule_p
from .view import Pick, View, tick


def _params(v: View) -> list[tuple[str, str]]:
    raw = v.sig.get("params") if v.sig else ""
    out = []
    for part in re.split(r",\s*(?![^<>()]*[>)])", raw.strip("()\n ")):
        if ":" in part:
            name, typ = part.split(":", 1)
            out.append((name.strip().removeprefix("mut ").strip(), " ".join(typ.split())))
    return out


def frame(v: View, n: Need, p: Pick) -> str:
    name = tick(v.name)
    ps = _params(v)
    ret = v.sig.get("returns") if v.sig else ""
    lines = v.unit.span.end_line - v.unit.span.start_line + 1
    const = v.consts.get(v.name)
    concrete = all(not re.fullmatch(r"[A-Z]\w?|impl .*|&?mut [A-Z]", t) for _, t in ps) and \
        not re.fullmatch(r"[A-Z]\w?", ret or "")
    if v.is_fn and ps and len(ps) <= 3 and ret and lines <= 40 and concrete:
        inputs = ", ".join(tick(f"{a}: {t}") for a, t in ps)
        shape = p([f"{name} takes {inputs} and returns {tick(ret)}.",
                   f"Inputs: {inputs}; output: {tick(ret)}.",
                   f"It is {inputs} in, {tick(ret)} out."])
    elif const is not None and const.get("type"):
        shape = f"{name} is a {tick(const.get('type'))} constant."
    elif v.doc and len(v.doc) < 160:
        shape = p([f"{name}: {v.doc.rstrip('.')}.", f"Its doc comment sums it up: {v.doc.rstrip('.')}.",
                   f"As documented, {v.doc[0].lower() + v.doc[1:].rstrip('.')}."])
    else:
        shape = ""
    if v.unit.kind == "method" and v.unit.parent:
        owner = v.unit.parent.rsplit("::", 1)[-1]
        shape = (shape + " " if shape else "") + f"It is a method of {tick(owner)}."
    lead = {
        "jitter": p(["The problem to solve is synchronisation, not the length of the wait.",
                     "What goes wrong here is timing: failures that happen together get retried together."]),
        "overload": p(["Not every failure says the same thing about the endpoint.",
                       "A timeout or a 429 is the endpoint telling us it is overloaded; a refused "
                       "connection or a 500 is not the same signal."]),
        "retry_after_bound": p(["Retry-After is a hint from the endpoint, not an order we follow blindly.",
                                "The endpoint gets a say in when we retry, but the schedule keeps the last word."]),
        "retry_after_parse": p(["Retry-After comes in two shapes, and both have to end up as the same thing.",
                                "The header is the endpoint's own estimate of when it can take traffic again."]),
        "growth_cap": p(["The wait should grow with each failure but stay bounded.",
                         "Exponential backoff: double on every failure, stop growing at a ceiling."
                         if v.doubles() else
                         "Exponential backoff: grow on every failure, stop growing at a ceiling."]),
        "schedule": (p(["Nothing here is urgent, so the schedule can stretch over hours.",
                        "The later waits are hours long: this can wait, but it has to come back."])
                     if v.one("schedule") and "hour" in v.one("schedule").value else
                     p(["The waits are written down in place, right where they are used.",
                        "A short list of waits, kept next to the code that walks it."])
                     if v.unit.kind == "let" else
                     p(["Reconnects should be quick at first and then settle on a steady pace.",
                        "A blip and an outage need different waits; a short stepped list covers both."])
                     if v.all("fallback") else
                     p(["Quick, bounded retries for transient failures.",
                        "The schedule is small and fixed, so it can simply be written down."])),
        "default_schedule": p(["A retry count is not a schedule; this turns one into the other.",
                               "Users give a number of retries, and the waits have to come from somewhere."]),
        "reset": p(["A backoff should remember recent failures, not every failure ever.",
                    "How long ago the last failure was matters as much as how many there were."]),
        "loop_backoff": p(["A call that fails transiently is tried again, a bounded number of times.",
                           "Some failures get a few more attempts before the caller sees them."])
        if any(f.get("exits") for f in v.all("loop")) and (v.all("take") or v.all("schedule")) else
        p(["This has to keep trying, without spinning.",
           "A loop that keeps coming back to the work, with a pause between rounds that grows.",
           "Long-running work that must pace itself: each time it has to wait, it waits longer."]),
    }.get(n.angle, "")
    return f"{lead} {shape}".strip()


def _steps(v: View) -> list[tuple[int, str]]:
    steps = []
    floor = next((f for f in v.own("floor") if f.get("forms")), None)
    if floor:
        steps.append((floor.line, "the overload floor"))
    clamp_call = next((f for f in v.all("clamp")), None)
    if clamp_call and clamp_call.get("helper"):
        line = next((f.line for f in v.own("chrono")), clamp_call.line)
        steps.append((line, "the Retry-After bound"))
    for f in v.own("jitter")[:1]:
        steps.append((f.line, "the jitter"))
    for f in v.own("cap")[:1]:
        steps.append((f.line, "the cap"))
    return sorted(steps)


def order(v: View, p: Pick) -> str:
    steps = _steps(v)
    if len(steps) < 2:
        return ""
    names = [s for _, s in steps]
    seq = ", then ".join(names[:-1]) + f", and {names[-1]} last"
    why = ""
    if names[-1] == "the jitter":
        why = p([" Jitter goes last so it spreads the final value; put it earlier and a later "
                 "floor or bound would flatten part of the spread back.",
                 " The spread has to come after every floor and bound, otherwise those would "
                 "undo part of it.",
                 " Spreading last means no later step can squash the randomness back together.",
                 ""])
    return p([f"The order of the steps matters: {seq}.", f"Steps, in order: {seq}."]) + why


def floor_p(v: View, p: Pick) -> str:
    f = next((f for f in v.all("floor") if f.get("forms")), None)
    if f is None:
        return ""
    const = v.const_name(f.key)
    amount = v.amount(f)
    keys = [x.key for x in v.all("error_case")]
    statuses = [k for k in keys if k.startswith("StatusCode::")]
    cases = []
    for k in keys:
        if k in statuses:
            continue
        if "Http" in k and statuses:
            cases.append(f"{tick(k)} with {tick(statuses[0])}")
        else:
            cases.append(tick(k))
    picks = (f"The match on {' or '.join(cases[:3])} picks out" if cases else "The error match picks out")
    named = f"{tick(const)} = {v.consts[const].value}, so at least {amount}" if const in v.consts else amount
    return p([
        f"{picks} the overload cases, and {tick(f.code.strip())} lifts the delay to at least "
        f"{named} for them. It is a floor, not an addition: a scheduled delay that is already "
        "longer passes through unchanged.",
        f"For the overload cases the delay becomes {tick(f.code.strip())} ({named}). Taking the "
        "maximum rather than adding keeps late, long schedule entries as they are and only lifts "
        "the early, short ones.",
    ])


def _about_retry_after(v: View, f) -> bool:
    names = (f.get("helper") or "") + " " + v.name + " " + (v.sig.get("params") if v.sig else "")
    return "retry_after" in names.lower() or bool(v.all("retry_after"))


def clamp_p(v: View, p: Pick) -> str:
    f = v.one("clamp")
    if f is None:
        return ""
    if not _about_retry_after(v, f):
        return _range_p(v, f, p)
    where = f" in {tick(f.get('helper'))}" if f.get("helper") else ""
    k = f.get("factor")
    bound = (f"between {tick(f.key)} and {tick(f.value)}" if not k else
             f"between {tick(f.key)} and {tick(f.value)}, the delay it is handed and {k}× that")
    jit = next((j for j in v.own("jitter") if j.get("percent")), None)
    after = (f" That bound holds before the jitter; the ±{jit.get('percent')} % spread applied last can "
             "still move the result a little either side of it." if jit is not None and f.get("helper") else "")
    return p([
        f"The requested wait is clamped{where} {bound}. The lower bound is the point: Retry-After can "
        "push a retry later, but not below the delay it would have had anyway." + after,
        f"{tick(f.code.strip())}{where} keeps the endpoint's request {bound}: an endpoint can ask for "
        "more time, within reason, and a short or stale value cannot pull the retry forward." + after,
    ])


def _range_p(v: View, f, p: Pick) -> str:
    lo, hi = v.consts.get(f.key), v.consts.get(f.value)
    bounds = f"between {tick(f.key)}" + (f" ({lo.value})" if lo else "") + f" and {tick(f.value)}" + (
        f" ({hi.value})" if hi else "")
    zero = next((c for c in v.consts.values() if c.value == "zero"), None)
    text = f"{tick(f.code.strip())} keeps the wait {bounds}."
    if zero is not None and v.one("growth", "doubling"):
        text += (f" The lower bound is what gets the doubling going: the wait starts at "
                 f"{tick(zero.key)}, and twice zero is still zero, so without the clamp it would never grow.")
    return text


def reset_p(v: View, p: Pick) -> str:
    r = v.one("reset")
    if r is None:
        return ""
    return p([
        f"{tick(r.key)} goes back to zero when {tick(r.value)}: failures far apart are separate "
        "incidents, and each should start from the short end of the schedule.",
        f"The reset condition, {tick(r.value)}, decides when a failure counts as new; then "
        f"{tick(r.key)} starts over and the next wait is the shortest one again.",
    ])


def chrono_p(v: View, p: Pick) -> str:
    to_std = v.one("chrono", "to_std")
    now = v.one("chrono", "now")
    if to_std is None or now is None or not any("DateTime" in t for _, t in _params(v)):
        return ""
    fb = next((f for f in v.all("fallback")), None)
    clamp = v.one("clamp")
    handed = ("the delay it was handed, the schedule or, after an overload, the floor"
              if v.all("floor") else "the delay it was handed")
    lifted = (f", which the clamp in {tick(clamp.get('helper'))} then lifts back to {handed}: a stale "
              "Retry-After changes nothing" if clamp is not None and clamp.get("helper") else "")
    zero = (f" and {tick('unwrap_or(' + fb.key + ')')} gives {v.amount(fb)}{lifted}" if fb else
            f" and the fallback gives zero{lifted}")
    return p([
        "Retry-After arrives as a `DateTime<Utc>`, so the remaining wait is the difference from "
        f"`Utc::now()`, a chrono duration. {tick('.to_std()')} fails when that difference is negative, "
        f"which is exactly a Retry-After already in the past,{zero}.",
        "Converting is where chrono ends and std begins: subtracting `Utc::now()` gives a chrono "
        f"duration, and {tick('.to_std()')} refuses a negative one (a Retry-After in the past){zero}.",
    ])


def jitter_p(v: View, p: Pick) -> str:
    f = v.one("jitter")
    if f is None:
        return ""
    if f.key == "symmetric" and f.get("percent") and f.get("over") == "durations":
        const, pct, lo, hi = f.value, f.get("percent"), f.get("lo"), f.get("hi")
        val = v.consts[const].value if const in v.consts else f.get("fraction")
        call = tick(f.get("call").lstrip("."))
        return p([
            f"{call} draws a `Duration` uniformly between {tick(f.get('lo_code'))} and "
            f"{tick(f.get('hi_code'))}; with {tick(const)} = {val} that is {lo}× to {hi}× the delay. "
            f"Symmetric, so the average stays on the schedule, and ±{pct} % is enough to pull apart "
            "retries that failed in the same second: the thundering herd a recovering endpoint "
            "would otherwise meet.",
            f"The bounds are computed first, {tick(f.get('lo_code'))} and {tick(f.get('hi_code'))}, "
            f"and {call} picks a `Duration` between them: ±{pct} % ({tick(const)} = {val}) around the "
            "delay. Centred on it, so the schedule holds on average while a burst of retries from "
            "one outage is spread out instead of arriving as a thundering herd.",
        ])
    if f.key == "symmetric" and f.get("percent"):
        const, pct, lo, hi = f.value, f.get("percent"), f.get("lo"), f.get("hi")
        val = v.consts[const].value if const in v.consts else f.get("fraction")
        scale = v.one("scale")
        applied = f" and {tick(scale.key)} applies it to the `Duration` directly" if scale else ""
        return p([
            f"The spread is a factor drawn with {tick(f.get('call').lstrip('.'))} between "
            f"{tick('1.0 - ' + const)} and {tick('1.0 + ' + const)}; with {tick(const)} = {val} that "
            f"is {lo} to {hi}{applied}. Symmetric, so the average delay stays what it was, and ±{pct} % "
            "is enough to pull apart retries that failed in the same second: the thundering herd a "
            "recovering endpoint would otherwise meet.",
            f"±{pct} % ({tick(const)} = {val}) around the computed delay: the factor comes from "
            f"{tick(f.get('call').lstrip('.'))} over {lo}..={hi}{applied}. Because it is centred on "
            "1.0, jitter de-synchronises a burst of retries without shifting the schedule on "
            "average, which is what keeps a thundering herd off an endpoint that just came back.",
        ])
    if f.key == "full":
        return p([
            f"Full jitter: the wait is drawn uniformly from {tick(f.get('lo'))} up to "
            f"{tick(f.get('hi'))}, so clients that failed together spread over the whole interval "
            "instead of clustering at its end. The average wait halves, which is the price of "
            "breaking up the thundering herd.",
            f"{tick(f.get('call').lstrip('.'))} over {tick(f.code.strip().split('(', 1)[-1].rstrip(')'))} "
            "draws anywhere from zero to the full delay. Of the jitter variants this one spreads "
            "retries the most; the cost is that some clients come back almost at once.",
        ])
    return ""


def parse_p(v: View, p: Pick) -> str:
    if not v.one("retry_after", "header"):
        return ""
    parts = [f"The header is looked up by {tick('RETRY_AFTER')}"]
    forms = []
    num = v.one("retry_after", "parse")
    if num is not None:
        forms.append((num.line, f"delay-seconds, parsed as {tick(num.value)}"))
    date = v.one("retry_after", "http-date")
    if date is not None:
        forms.append((date.line, f"an HTTP date, through {tick(date.value)}"))
    if forms:
        parts.append("and tried as " + ", then as ".join(f for _, f in sorted(forms)))
    text = " ".join(parts) + "."
    if v.one("retry_after", "ceil"):
        text += " Fractional seconds are rounded up with `ceil`, so rounding can only make us late, never early."
    if v.all("early_exit"):
        text += p([" A missing header returns `None` early through `?`, and a value neither form "
                   "accepts ends in `None` too: a bad header means no Retry-After, never an error "
                   "that would abort the retry.",
                   " No header, or one that parses as neither form, gives `None`, which the caller "
                   "reads as \"no Retry-After\"."])
    return text


DESIGN = {"overload": [floor_p], "retry_after_bound": [clamp_p, chrono_p], "jitter": [jitter_p],
          "growth_cap": [growth_p, cap_p, clamp_p], "schedule": [schedule_p, fallback_p],
          "default_schedule": [growth_p, cap_p], "reset": [reset_p, schedule_p],
          "loop_backoff": [loop_p, growth_p], "retry_after_parse": [parse_p]}
ALL_DESIGN = [floor_p, clamp_p, chrono_p, jitter_p, growth_p, cap_p, schedule_p, fallback_p, loop_p,
              parse_p, reset_p]


def design(v: View, n: Need, p: Pick) -> list[str]:
    """The need's own choices in full, then the unit's other choices in one sentence each."""
    from .brief import BRIEF

    first = DESIGN.get(n.angle, [])
    full = [t for t in (m(v, p) for m in first) if t]
    brief = " ".join(t for t in (BRIEF.get(m, m)(v, p) for m in ALL_DESIGN if m not in first) if t)
    return full + ([brief] if brief else [])
