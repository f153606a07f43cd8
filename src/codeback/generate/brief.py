"""One-sentence forms of the design paragraphs, for the choices an example mentions in passing.

The paragraph a need is about is written in full (think.py); the code's other choices are still
named, briefly, so the reasoning covers the whole unit without every example of the same unit
repeating the same long paragraphs.
"""

from __future__ import annotations

from .think import (
    _about_retry_after,
    chrono_p,
    clamp_p,
    floor_p,
    jitter_p,
    parse_p,
    reset_p,
)
from .think_time import cap_p, growth_p, loop_p, schedule_p
from .view import Pick, View, tick


def floor_b(v: View, p: Pick) -> str:
    f = next((f for f in v.all("floor") if f.get("forms")), None)
    if f is None:
        return ""
    const = v.const_name(f.key)
    by = f" ({tick(const)})" if const else ""
    return p([f"Overloaded endpoints get a floor of {v.amount(f)}{by}, taken with a max, not added.",
              f"Timeouts and 429s are lifted to at least {v.amount(f)}{by}."])


def clamp_b(v: View, p: Pick) -> str:
    f = v.one("clamp")
    if f is None:
        return ""
    where = tick(f.get("helper")) if f.get("helper") else tick(f.code.strip())
    if not _about_retry_after(v, f):
        lo, hi = v.consts.get(f.key), v.consts.get(f.value)
        if lo is not None and hi is not None:
            return p([f"The wait is held between {lo.value} and {hi.value} ({tick(f.key)}, {tick(f.value)}).",
                      f"{where} keeps every wait within {lo.value} to {hi.value}."])
        return f"{where} keeps the wait between {tick(f.key)} and {tick(f.value)}."
    return p([f"Retry-After is held between {tick(f.key)} and {tick(f.value)} by {where}.",
              f"{where} bounds Retry-After: never below the delay it is handed, never above {tick(f.value)}."])


def chrono_b(v: View, p: Pick) -> str:
    if not chrono_p(v, p):
        return ""
    clamp = v.one("clamp")
    if clamp is not None and clamp.get("helper"):
        handed = ("the delay it is handed (the schedule, or the overload floor after a timeout or "
                  "a 429)" if v.all("floor") else "the delay it is handed")
        return p([f"A Retry-After already past makes `.to_std()` fail; the zero that leaves is lifted "
                  f"by {tick(clamp.get('helper'))} back to {handed}.",
                  f"A stale Retry-After (`.to_std()` fails on a negative duration) ends up as {handed}."])
    return "A Retry-After already past makes `.to_std()` fail, and that case waits zero."


def jitter_b(v: View, p: Pick) -> str:
    f = v.one("jitter")
    if f is None:
        return ""
    if f.key == "symmetric" and f.get("percent") and f.get("over") == "durations":
        return p([f"Last, {tick(f.get('call'))} draws the delay between ±{f.get('percent')} % bounds "
                  f"({tick(f.value)}) against thundering herds.",
                  f"Last comes the jitter: a `Duration` drawn within ±{f.get('percent')} % ({tick(f.value)})."])
    if f.key == "symmetric" and f.get("percent"):
        return p([f"The final value is spread by ±{f.get('percent')} % ({tick(f.value)}) against thundering herds.",
                  f"Last comes the jitter, ±{f.get('percent')} % from {tick(f.value)}."])
    if f.key == "full":
        return "The wait is drawn uniformly from zero up to the delay (full jitter)."
    return ""


def growth_b(v: View, p: Pick) -> str:
    g = v.one("growth")
    if g is None:
        return ""
    if g.key == "successors":
        seed = g.get("seed").split("|")[0] if g.get("seed") else ""
        cond = " when no schedule is configured" if v.default_only(g) else ""
        verb = "doubles" if v.doubles() else "grows"
        return f"`std::iter::successors` {verb} from {seed or 'the first wait'}{cond}."
    return p([f"{tick(g.code.strip())} does the {'doubling' if v.doubles() else 'growing'}.",
              f"The growth is {tick(g.code.strip())}."])


def cap_b(v: View, p: Pick) -> str:
    c = next((f for f in v.all("cap") if f.get("forms")), None)
    if c is None:
        return ""
    cond = " (for the default schedule)" if v.default_only(c) else ""
    return p([f"Waits stop growing at {v.amount(c)}{cond}.", f"The cap is {v.amount(c)}{cond}."])


def schedule_b(v: View, p: Pick) -> str:
    s = v.one("schedule")
    return f"The schedule itself is {s.value}." if s is not None else ""


def loop_b(v: View, p: Pick) -> str:
    s = v.one("sleep")
    if s is None or not loop_p(v, p):
        return ""
    return p([f"{tick(s.key)} does the waiting between attempts.",
              f"Attempts are separated by an awaited {tick(s.key)}.",
              f"The pause itself is an awaited {tick(s.key)}.",
              f"Between tries the task awaits {tick(s.key)}."])


def parse_b(v: View, p: Pick) -> str:
    return "Retry-After is read as seconds or as an HTTP date." if parse_p(v, p) else ""


def reset_b(v: View, p: Pick) -> str:
    r = v.one("reset")
    return f"{tick(r.key)} resets after a quiet period ({tick(r.value)})." if r is not None else ""


BRIEF = {floor_p: floor_b, clamp_p: clamp_b, chrono_p: chrono_b, jitter_p: jitter_b,
         growth_p: growth_b, cap_p: cap_b, schedule_p: schedule_b, loop_p: loop_b,
         parse_p: parse_b, reset_p: reset_b}
