"""Reasoning paragraphs about how the waits grow over time: growth, its cap, a written schedule
and its fallback, and a loop that sleeps. Split from `think.py`, which holds the other moves;
each function returns one paragraph grounded in the unit's facts, or "" when they say nothing."""

from __future__ import annotations

import re

from .view import Pick, View, tick


def growth_p(v: View, p: Pick) -> str:
    g = v.one("growth")
    if g is None:
        return ""
    safe = v.one("overflow") or g.get("safe")
    if g.key == "power":
        text = ((f"{tick(g.code.strip())} is the doubling factor, 2 to the power of the attempt"
                 if v.doubles() else
                 f"{tick(g.code.strip())} is the growth factor, {tick(g.value.strip())} raised to a power")
                + (", saturating instead of overflowing when the attempt number is large" if safe else ""))
    elif g.key == "successors":
        seed = g.get("seed").split("|")[0] if g.get("seed") else ""
        collected = any(f.key == "collect" for f in v.all("alloc"))
        text = (f"{tick('std::iter::successors')} generates the schedule"
                + (f" from a first wait of {seed}" if seed else "")
                + ", each entry computed from the previous one, so the "
                + ("doubling" if v.doubles() else "growth") + " rule is written once")
        take = v.one("take")
        if take is not None:
            text += f"; {tick('.take(' + take.key + ')')} bounds it to the configured number of retries"
        if collected:
            text += " and `.collect()` turns it into a list up front"
    else:
        verb = "doubles the wait" if v.doubles() else f"multiplies the wait by {tick(g.value.strip())}"
        text = (f"{tick(g.code.strip())} {verb} each time the loop gets there"
                if v.all("loop") else f"{tick(g.code.strip())} {verb} from one attempt to the next")
    ov = v.one("overflow")
    if ov is not None:
        text += f"; {tick(ov.key)} applies it without the risk of overflowing a `Duration`"
    d = v.default_only(g)
    if d is not None:
        text += p([f". That is the {tick(d[1])} arm only: a configured {tick(d[0])} is used as "
                   "given, with no doubling and no cap",
                   f". All of this happens only in the {tick(d[1])} arm; when {tick(d[0])} is set, "
                   "its entries are used exactly as configured",
                   f", and only when {tick(d[0])} is {tick(d[1])}: a configured schedule is neither "
                   "doubled nor capped"])
    return text + "."


def cap_p(v: View, p: Pick) -> str:
    c = next((f for f in v.all("cap") if f.get("forms")), None)
    if c is None:
        return ""
    const = v.const_name(c.key)
    name = tick(const) if const else tick(c.key)
    return p([
        f"{tick(c.code.strip())} caps every wait at {name} ({v.amount(c)}): past that point "
        "waiting longer buys nothing, and an unbounded wait would look like an outage of our own.",
        f"The ceiling is {name}, {v.amount(c)}: once {'doubling' if v.doubles() else 'growth'} reaches it, "
        "every later wait is the cap."
        + _reach(v, c),
    ])


def _reach(v: View, cap) -> str:
    """Which wait first hits the cap, from the successors seed: a derived, checkable number."""
    g = v.one("growth", "successors")
    cap_s = next((f.get("seconds") for f in v.consts.values() if f.key == v.const_name(cap.key)), "")
    if g is None or not g.get("seed_seconds") or not cap_s:
        return ""
    import math

    n = math.ceil(math.log2(float(cap_s) / float(g.get("seed_seconds")))) + 1
    return f" Starting from {g.get('seed').split('|')[0]}, that is the wait number {n}."


def schedule_p(v: View, p: Pick) -> str:
    s = v.one("schedule")
    if s is None:
        return ""
    shape = {"doubles": "each entry double the one before", "rises": "growing entry by entry",
             "grows": "never shorter than the one before"}.get(s.get("shape"), "as written")
    total = s.get("total") if not (v.all("fallback") or v.all("loop") or v.unit.kind == "let") else ""
    text = p([
        f"The schedule is spelled out as {s.get('count')} entries, {s.value}, {shape}"
        + (f", {total} in total" if total and total != "0" else "") + ".",
        f"{s.get('count')} waits, {s.value}: {shape}"
        + (f", at most {total} spent waiting" if total and total != "0" else "") + ".",
    ])
    if s.get("shape") == "doubles":
        text += p([" With doubling, each wait is longer than all the waits before it put together.",
                   " Because every entry doubles the previous one, the last wait outweighs all the "
                   "earlier ones combined."])
    forms = s.get("forms").split("|")
    if 2 <= len(forms) <= 8 and _about_retries(v):
        # per attempt only when the code says these are retries (a migration pass is not one),
        # and in full only when short: a long list was just given
        ordinals = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth"]
        steps = [f"the {ordinals[i]} {'retry waits ' if i == 0 else ''}{'no time at all' if f == '0' else f}"
                 for i, f in enumerate(forms)]
        if len(steps) > 4:
            steps = [steps[0], steps[-1]]
        text += p([" Read per attempt: " + ", ".join(steps[:-1]) + f", and {steps[-1]}.",
                   " Attempt by attempt, " + ", ".join(steps[:-1]) + f", then {steps[-1]}."])
    if s.get("unit_from"):
        word = {"ms": "milliseconds", "s": "seconds"}.get(s.get("unit"), s.get("unit"))
        text += (f" The entries are bare numbers; the unit, {word}, comes only from the "
                 f"{'name' if s.get('unit_from') == 'name' else 'comment above it'}, so that is "
                 "where a reader has to look, and where a wrong edit would slip in.")
    if v.unit.kind == "let" and v.unit.parent:
        text += (f" It is a local binding in {tick(v.unit.parent.rsplit('::', 1)[-1])}, not a "
                 "module constant.")
    users = v.callers
    if users and not v.is_fn:
        text += f" It is read by {tick(users[0])}" + (" and elsewhere in the file" if len(users) > 1 else "") + "."
    return text


def _about_retries(v: View) -> bool:
    """Whether the unit itself speaks of retries or attempts (names, comments or code)."""
    return bool(re.search(r"(?i)retr|attempt", v.unit.name + "\n" + v.unit.text))


def fallback_p(v: View, p: Pick) -> str:
    f = v.one("fallback")
    if f is None or f.key.startswith("Duration::"):
        return ""
    return (f"Past the end of the schedule, {tick('unwrap_or(' + f.key + ')')} keeps the wait at "
            f"{v.amount(f)} rather than giving up.")


def loop_p(v: View, p: Pick) -> str:
    s = v.one("sleep")
    loop = next((f for f in v.all("loop") if f.value == "sleep"), None)
    if s is None or loop is None:
        return ""
    idem = v.one("idempotency")
    if idem is not None:
        extra = (f" Retrying a POST is safe because it carries an {tick(idem.key)} header set before "
                 "the first attempt, so the server can drop a duplicate.")
    else:
        extra = ""
    c = v.one("cancel")
    if c is not None:
        return (f"The wait is {tick(s.key + '(' + s.value + ')')} raced against {tick(c.key)} in "
                f"{tick(c.value)}: a shutdown ends the {tick(loop.key)} at once instead of waiting out "
                "the current backoff.")
    return p([
        f"The wait itself is {tick(s.key + '(' + s.value + ')')} inside the {tick(loop.key)}: "
        "an `.await` that parks the task, so the runtime thread serves other work meanwhile.",
        f"Between attempts the {tick(loop.key)} awaits {tick(s.key)}; nothing blocks a thread while "
        "the dependency recovers.",
    ]) + extra
