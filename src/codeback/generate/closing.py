"""The closing moves of the reasoning: the spec's required crates said truthfully, the edge cases
an expert would flag, and what a call costs. Like every move, each sentence comes from a fact."""

from __future__ import annotations

import re

from .view import Pick, View, tick


def mentions(v: View, p: Pick, said: str = "") -> list[str]:
    """The spec's required crates, each said truthfully: how it is used, or that it is not. A
    crate the reasoning has already named in a true sentence is not said twice."""
    out = []
    if v.unit.lang not in v.spec.reasoning.crates_for:
        return out
    for crate in v.spec.reasoning.crates:
        if crate in v.crates and re.search(rf"(?<![\w]){crate}::", said):
            continue
        if crate == "tokio":
            out.append(_tokio(v, p))
        elif crate == "chrono":
            out.append(_chrono(v, p))
        elif crate in v.crates:
            out.append(f"{crate} is used here directly ({tick(v.one('crate', crate).value.strip()[:60])}).")
        else:
            out.append(f"{crate} has no part in this {v.unit.kind}.")
    return [t for t in out if t]


def _tokio(v: View, p: Pick) -> str:
    if v.unit.kind == "let":
        where = v.elsewhere("tokio")
        if where and where[1] == "enclosing":
            return (f"This binding only holds the waits and does not use tokio itself; tokio is used "
                    f"around it, in {tick(where[0])}.")
        return "This binding only holds the waits; tokio does not appear in it."
    s = v.one("sleep")
    t = v.one("timeout")
    if s is not None and "tokio" in s.key:
        extra = f", and each attempt runs under {tick(t.key)}" if t is not None else ""
        return f"tokio supplies the waiting: {tick(s.key)} is awaited between attempts{extra}."
    if t is not None and "tokio" in t.key:
        return f"tokio appears through {tick(t.key)}, which bounds each attempt."
    where = v.elsewhere("tokio")
    callers = v.callers
    tail = (f"; its caller {tick(where[0])} is where tokio comes in" if where and where[1] == "caller"
            else f"; what happens with the result is up to {tick(callers[0])}" if callers and v.is_fn
            else "")
    if v.is_fn and not v.is_async:
        return p([f"Nothing here awaits: {tick(v.name)} is a plain synchronous calculation, so "
                  f"tokio has no part in it{tail}.",
                  f"There is no tokio in this code and no `.await`: it computes a value and "
                  f"returns{tail}."])
    return f"tokio does not appear in this code{tail}."


def _chrono(v: View, p: Pick) -> str:
    if v.uses_chrono():
        types = sorted({f.key for f in v.all("time_type") if f.value == "chrono"})
        std = any(f.key == "Duration" and f.value == "std" for f in v.all("time_type"))
        both = (" while the delay itself stays a `std::time::Duration`" if std else "")
        names = ', '.join(tick(t) for t in types) or '`Utc`'
        return p([f"chrono is here for wall-clock time ({names}){both}.",
                  f"chrono covers the wall-clock side ({names}){both}: "
                  "a point in time versus an amount of time.",
                  f"Two kinds of time meet here: chrono's {names} for points in time, and "
                  "`std::time::Duration` for the wait itself.",
                  f"The points in time are chrono ({names}); the amounts of time are std `Duration`s."])
    where = v.elsewhere("chrono")
    tail = (f"; chrono comes in at the caller, {tick(where[0])}" if where and where[1] == "caller"
            else f"; in this file chrono is used by {tick(where[0])}" if where else
            p(["; it would only enter where a delay is turned into a wall-clock timestamp",
               "; a timestamp, where chrono would belong, is someone else's concern",
               ""]))
    std = any(f.key == "Duration" for f in v.all("time_type"))
    instant = next((f for f in v.all("time_type") if f.key == "Instant"), None)
    if instant is not None:
        tail = "" if not where else tail
        return p([f"There is no wall-clock time here: the delays are `Duration`s and the only instant "
                  f"is a monotonic one ({tick(instant.code.strip())}), so chrono has no part in this "
                  f"code{tail}.",
                  f"chrono stays out: waits are `Duration`s, and {tick(instant.code.strip())} is a "
                  f"monotonic clock, not a timestamp{tail}."])
    sample = next((f.code.strip() for f in v.all("cap") + v.all("floor") + v.all("const")
                   if f.code.strip().startswith(("Duration::", "(")) and len(f.code) < 60), "")
    sample = next((f.key for f in v.all("const") if f.get("seconds")), "") or sample
    if std:
        arithmetic = bool(v.all("growth") or v.all("cap") or v.all("floor") or v.all("scale"))
        return p([f"Everything stays in `std::time::Duration`, so chrono has no part in this code{tail}.",
                  (f"No chrono here: the arithmetic is on `std::time::Duration` only{tail}."
                   if arithmetic else f"No chrono here: every wait is a `std::time::Duration`{tail}."),
                  (f"The delays are amounts of time, such as {tick(sample)}, not wall-clock times, so "
                   f"chrono stays out{tail}.") if sample else ""])
    return f"chrono has no part in this code{tail}."


def edges(v: View, p: Pick) -> str:
    out = []
    s = v.one("schedule")
    if s is not None and "µs" in s.value:
        out.append(f"Note the unit: these waits are {s.value}, microseconds, so all of them together "
                   f"come to {s.get('total')}; if milliseconds were meant, the retries go out almost "
                   "back to back, and that deserves a second look.")
    d = v.one("derived", "jittered floor")
    if d is not None:
        out.append(p([f"One consequence of jittering after the floor: an overloaded endpoint can be "
                      f"retried after as little as {d.value}. The floor is a target, not a hard minimum.",
                      f"Because the jitter comes after the floor, the shortest wait after an overload "
                      f"is {d.value}, a little under the floor itself.",
                      f"Note that the floor is not absolute: with the spread applied last, a retry "
                      f"after an overload can come as early as {d.value}."]))
    early = next((f for f in v.all("early_exit") if f.get("in_loop") and "timeout" in f.value), None)
    if early is not None:
        out.append(p(["Not every failure is retried: a timed-out attempt returns at once through the "
                      "`?` on `tokio::time::timeout`.",
                      "A timeout is not retried here: the `?` on `tokio::time::timeout` hands it "
                      "straight back to the caller."]))
    st = next((f for f in v.all("status") if f.get("op") == "<"), None)
    if st is not None:
        out.append(p([f"Anything below {st.key} goes straight back to the caller ({tick(st.value)}), "
                      "rate-limit responses included.",
                      f"Responses under {st.key} are returned at once ({tick(st.value)}): a client "
                      "error, a 429 among them, is not retried here.",
                      f"The {tick(st.value)} arm returns client errors immediately instead of spending "
                      "retries on them."]))
    ov = v.one("overflow")
    if ov is not None and not v.one("growth", "power"):
        out.append(f"{tick(ov.key)} keeps a long run of failures from overflowing.")
    return " ".join(out)


def cost(v: View, p: Pick) -> str:
    if not v.is_fn:
        return ""
    draws = len(v.own("jitter"))
    allocs = v.all("alloc")
    parts = []
    jit = v.one("jitter")
    if draws:
        parts.append("one random draw")
    scales = len({f.code for f in v.all("scale")})
    if jit is not None and jit.get("over") == "durations":
        parts.append("two float multiplications for the bounds")
    elif scales:
        parts.append("a float multiplication on the `Duration`" if scales == 1 else
                     f"{'two' if scales == 2 else 'a few'} float multiplications on the `Duration`")
    if v.one("chrono", "now"):
        parts.append("at most one clock read (`Utc::now()`)")
    g = v.one("growth")
    if g is not None and not v.all("loop"):
        parts.append({"power": ("a saturating power of two" if v.doubles() else "one power")
                      + " and one multiplication",
                      "successors": "one multiplication per schedule entry"}.get(
                          g.key, "one doubling" if v.doubles() else "one multiplication"))
    if not parts:
        return ""
    alloc = (f" The only allocation is {tick(allocs[0].key)}." if allocs else
             p([" Nothing is allocated.", " No allocation.", " It allocates nothing."]))
    sleeping = "" if v.all("sleep") else p([
        " Nothing sleeps here either; the caller decides what to do with the result.",
        " There is no sleeping in here: waiting is the caller's business.",
        f" {tick(v.name)} only computes; when and how to wait is decided by whoever calls it.",
        " No timer, no sleep: it returns a value and is done.",
        ""])
    return p([f"Cost per call: {', '.join(parts)}.{alloc}{sleeping}",
              f"This is cheap enough for the hot path: {', '.join(parts)}.{alloc}{sleeping}",
              f"Efficient enough to run on every failed attempt: {', '.join(parts)}.{alloc}{sleeping}",
              f"The whole calculation is {', '.join(parts)}.{alloc}{sleeping}"])
