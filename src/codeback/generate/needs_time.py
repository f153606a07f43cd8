"""Needs about how waits are laid out over time: written-out schedules, generated default
schedules, resets after a quiet period, and the retry loops that walk them."""

from __future__ import annotations

from .needs_base import Need
from .view import Pick, View, tick


def default_schedule(v: View, p: Pick) -> Need | None:
    """A schedule generated rather than written: a seed, a growth rule, a cap, a length."""
    g = v.one("growth", "successors")
    take = v.one("take")
    cap = next((f for f in v.all("cap") if f.get("forms")), None)
    if g is None or take is None or not g.get("seed"):
        return None
    seed = g.get("seed").split("|")[0]
    doubles = v.doubles()
    asks = [f"when no schedule is configured, start at {seed}",
            "double each wait" if doubles else "make each wait longer than the one before"]
    if cap is not None:
        asks.append(f"never wait more than {v.say(cap, p)} between two attempts")
    count = take.key.split(" as ")[0].strip()
    asks.append(f"make as many entries as {tick(count)} asks for")
    return Need(
        "default_schedule",
        p(["A sensible default retry schedule when none is configured",
           "Retries without a configured schedule should still back off"]),
        p(["Most users never set a retry schedule; they only say how many retries they want. "
           "That number alone still has to turn into real waits.",
           "When the caller only gives a retry count, we need a default schedule to go with it."]),
        asks,
        "with no schedule configured, the retries have no sensible waits between them",
        f"the default schedule starts at {seed} and {'doubles' if doubles else 'grows'}"
        + (f", up to {v.say(cap, p)}" if cap is not None else ""),
        p(["derive a default retry schedule from the retry count",
           f"build a {'doubling' if doubles else 'growing'} default schedule"]),
        f"a configured schedule is required today; derive a {'doubling' if doubles else 'growing'} "
        "default from the retry count",
        ["growth", "take"])


def reset(v: View, p: Pick) -> Need | None:
    r = v.one("reset")
    if r is None or not (v.all("schedule") or v.all("growth")):
        return None
    return Need(
        "reset",
        p(["Reset the backoff after a quiet period", "Backoff never recovers after an old failure",
           "Don't keep a long backoff from a disconnect long ago"]),
        p(["Once the connection has failed a few times the wait stays at its longest, even when the "
           "next failure comes long after the last one.",
           "A disconnect long after the previous one is a fresh problem, yet we treat it as the "
           "next step of the old backoff."]),
        ["when the previous attempt was long enough ago, the backoff starts again from its first step",
         "a run of failures close together still backs off as before"],
        "after one bad period, every later reconnect waits the longest delay",
        "a disconnect long after the previous one starts from the first, shortest wait",
        p(["reset the backoff schedule after a quiet period", "start the backoff over when failures are far apart"]),
        "the attempt counter only ever grows; reset it when the last attempt is old",
        ["reset"])


def schedule(v: View, p: Pick) -> Need | None:
    s = v.one("schedule")
    if s is None:
        return None
    n, values, total = s.get("count"), s.value, s.get("total")
    doubles = s.get("shape") == "doubles"
    fb = v.one("fallback")
    first_zero = values.startswith("0,")
    asks = [f"the waits are {values}" + (", each one double the one before" if doubles else "")]
    if first_zero:
        asks.append("the first retry goes out at once")
    if fb is not None:
        asks.append(f"after the last entry, every further attempt waits {v.say(fb, p)}")
        return Need(
            "schedule",
            p(["A stepped reconnect schedule", "Reconnect quickly first, then settle on a steady wait",
               f"Reconnect delays: {values}, and {v.say(fb, p)} from then on"]),
            p(["After a disconnect we want to be back almost immediately, but if the other side stays "
               "away we should not keep knocking every few milliseconds.",
               "Reconnecting at a fixed pace is either too slow for a blip or too aggressive for an "
               "outage; a short list of growing waits handles both."]),
            asks,
            "reconnects either wait too long after a blip or hammer the server during an outage",
            f"reconnects follow {values}, and stay at {v.say(fb, p)} after that",
            p(["write down a stepped reconnect schedule", "give the reconnects a short, growing schedule"]),
            "the reconnect wait is the same whatever happened; step it up through a short schedule "
            "and hold at the last entry",
            ["schedule", "fallback"])
    longest = max(float(x) for x in s.get("seconds").split("|")) if s.get("seconds") else 0.0
    if longest >= 600:
        return Need(
            "schedule",
            p(["A schedule that stretches over hours", f"Spread the {n} waits over {total}",
               "Later attempts should be hours apart, not seconds"]),
            p(["Nothing here needs to happen within seconds; coming back every few seconds would "
               "only add load for nothing.",
               "A problem that outlasts the first few attempts is usually a long one, so the "
               "later waits should be hours, not seconds."]),
            asks,
            "the later attempts come far too close together for a long outage",
            f"the waits are {values}",
            p(["write down a schedule that spreads the attempts over hours",
               "give this a schedule whose later waits are hours long"]),
            f"the attempts come too close together; spell out {n} waits that stretch to cover a "
            "long outage",
            ["schedule"])
    if v.unit.kind == "let":
        return Need(
            "schedule",
            p(["Write the waits out where they are used", f"A {n}-step wait list, in place",
               "Spell out the waits between attempts"]),
            p(["The waits between attempts should be readable at a glance, next to the code that "
               "uses them, not derived from a formula somewhere else.",
               "We want the wait before each attempt written down, in order, where the retry code "
               "reads it."]),
            asks,
            "the waits between attempts are not written down anywhere",
            f"the waits are {values}",
            p(["write the waits out as a list", "spell out the wait list in place"]),
            "the waits are hard to see from here; write them out in order, next to their use",
            ["schedule"])
    if total and total != "0" and not v.all("loop") and v.unit.kind != "let":
        asks.append("the whole schedule stays short, so the caller is never held up for long")
    return Need(
        "schedule",
        p(["A short retry schedule for transient failures", f"Retry transient failures {n} times",
           "Spell the retry schedule out"]),
        p(["Transient failures here should not fail the whole operation, but the caller cannot wait "
           "long either: a few quick retries are enough.",
           "We want a handful of quick retries for transient errors, with the waits written down "
           "where anyone can read them."]),
        asks,
        "a single transient failure fails the whole operation",
        f"a short schedule of quick retries: {values}",
        p(["write down the retry schedule", f"add a {n}-step retry schedule"]),
        f"the waits are computed somewhere no one can see; spell the {n} of them out as a constant",
        ["schedule"])


def _transient(v: View) -> str:
    kinds = []
    if v.all("timeout"):
        kinds.append("a timeout")
    if any(f.get("op") for f in v.all("status")):
        kinds.append("a 5xx")
    return " or ".join(kinds) or "a dropped connection"


def loop_backoff(v: View, p: Pick) -> Need | None:
    loop = next((f for f in v.all("loop") if f.value == "sleep"), None)
    sleep = v.one("sleep")
    if loop is None or sleep is None or not (v.all("growth") or v.all("schedule")):
        return None
    cap = next((f for f in v.all("cap") if f.get("forms")), None) or v.one("fallback")
    forever = not loop.get("exits")
    runs_out = bool(v.all("take") or v.all("schedule") and not v.all("fallback")) and not forever
    asks = ["keep going after every failure, waiting before the next attempt" if forever else
            ("retry failures, waiting between attempts, until one succeeds or the waits run out"
             + ("; errors that are not worth retrying still end the call at once"
                if any(f.get("in_loop") for f in v.all("early_exit")) or v.all("status") else ""))
            if runs_out else "keep retrying after a failure, waiting between attempts",
            "the wait grows as failures repeat" if v.all("growth") else
            "the waits follow a fixed schedule"]
    if cap is not None:
        cond = v.when_default(cap)
        asks.append(f"no wait is longer than {v.say(cap, p)}" + (f" ({cond})" if cond else ""))
    if v.one("cancel"):
        asks.append("a shutdown must not have to wait out the current backoff")
    elif "tokio" in sleep.key:
        asks.append("waiting must not block a runtime thread")
    grows = "the wait grows as failures repeat" if v.all("growth") else "the waits step up through a schedule"
    if forever:  # a loop that never ends: the need is pacing, not "do not give up"
        return Need(
            "loop_backoff",
            p(["Pace the retries of this loop", "Back off between attempts instead of spinning"]),
            p(["This loop runs for as long as the process does; when the other side keeps failing "
               "it should slow down, and speed up again once things recover.",
               "A loop that never stops must not hammer whatever it talks to while that is down."]),
            asks,
            "while the other side keeps failing, attempts follow each other without a growing pause",
            f"the loop keeps going, but {grows}",
            p(["pace this loop with a backoff", "add a growing pause between attempts here"]),
            f"the loop has no growing pause between attempts; {grows.replace('the wait', 'make the wait')}",
            ["loop", "sleep"])
    if runs_out:  # a call retried a bounded number of times
        return Need(
            "loop_backoff",
            p(["Retry transient failures before failing the call",
               "One transient error should not fail the whole call"]),
            p([f"One transient error ({_transient(v)}) fails the whole call, although trying again "
               "a moment later would usually work.",
               f"A {_transient(v)} surfaces straight to the caller, who then has to write their own "
               "retry loop."]),
            asks,
            "a single transient error fails the call",
            f"transient errors are retried a bounded number of times, and {grows}",
            p(["retry transient failures with backoff", "wrap the call in a bounded retry loop"]),
            "one transient error fails the call; retry it a few times, with a backoff between attempts",
            ["loop", "sleep"])
    return Need(
        "loop_backoff",
        p(["Retry in the background with growing waits", "Keep trying after a failure"]),
        p(["One failure here should not end the work for good.",
           "When this fails, the work should be tried again later, not dropped."]),
        asks,
        "after one failure the work is never attempted again",
        f"the work is retried until it succeeds, and {grows}",
        p(["retry with backoff instead of giving up", "wrap this in a retry loop with backoff"]),
        "a failure here ends the work for good; retry it, with a backoff between attempts",
        ["loop", "sleep"])
