"""Needs: what request would have led to exactly this code.

An angle looks at the facts and, when they support it, states a need: the problem, the
constraints (with the code's own numbers), what observed-vs-expected would have been, and how a
reviewer would have put it. Angles never describe behaviour the facts do not show; a unit with
several angles can carry several examples, each answering a different need.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .view import Pick, View, tick


@dataclass(slots=True)
class Need:
    angle: str
    title: str
    problem: str
    asks: list[str]
    observed: str
    expected: str
    verb: str
    review: str
    facts: list[str] = field(default_factory=list)


def _causes(v: View) -> tuple[str, str]:
    """How an overload shows itself, from the error cases the unit matches on."""
    cases = " ".join(f.key for f in v.all("error_case")) + " " + " ".join(f.key for f in v.all("status"))
    timeout = "Timeout" in cases
    too_many = "429" in cases or "TOO_MANY_REQUESTS" in cases
    if timeout and too_many:
        return "times out or answers 429", "a timeout or a 429"
    if too_many:
        return "answers 429", "a 429"
    if timeout:
        return "times out", "a timeout"
    return "is overloaded", "an overload"


def jitter(v: View, p: Pick) -> Need | None:
    f = v.one("jitter")
    if f is None:
        return None
    if f.key == "symmetric" and f.get("percent"):
        pct = f.get("percent")
        later = " after every other adjustment" if v.all("floor") or v.all("clamp") else ""
        return Need(
            "jitter",
            p(["Retries from one outage all land on the endpoint in the same second",
               f"Spread retry delays by ±{pct} % so recovering endpoints are not hit in lockstep",
               "Failed deliveries come back in lockstep after an incident"]),
            p(["When an endpoint is down for a while, every delivery that failed during the outage "
               "is rescheduled from the same schedule entry, so they all come due together and land "
               "on the endpoint the moment it recovers, often knocking it over again.",
               "Deliveries that fail together are retried together: the wait is the computed delay, "
               "exactly, so a burst of failures turns into a burst of retries at the same instant."]),
            [f"each delay is moved randomly by up to {pct} % either way{later}",
             "the spread is symmetric, so on average retries still follow the schedule",
             "the result stays a plain duration the caller can schedule with"],
            "after an endpoint outage, the retries of everything that failed in the same minute "
            "arrive within the same second",
            f"retries spread out around their scheduled time, by up to ±{pct} %",
            p(["add a random spread to the retry delay", "put some jitter on the retry delay"]),
            f"the delay comes out exactly as computed, so retries that failed together stay together; "
            f"a symmetric ±{pct} % would pull them apart without moving the average",
            ["jitter"])
    if f.key == "full":
        return Need(
            "jitter",
            p(["Use full jitter for reconnect delays", "Clients that failed together come back together"]),
            p(["Every client that lost its connection at the same moment waits the same delay and "
               "comes back at the same moment, so the dependency sees the same spike on every attempt.",
               "A backoff without randomness only postpones the stampede: everyone who failed at once "
               "retries at once."]),
            ["the actual wait is drawn uniformly between zero and the computed delay",
             "it is returned as a duration, like the delay it came from"],
            "clients that failed together retry together, in waves",
            "each client waits a random share of the delay, anywhere from zero up to all of it",
            p(["add full jitter to the backoff", "randomise the backoff (full jitter)"]),
            "the computed delay is used as is; draw the wait uniformly from zero up to it instead",
            ["jitter"])
    return None


def overload(v: View, p: Pick) -> Need | None:
    floor = next((f for f in v.all("floor") if f.get("forms")), None)
    if floor is None or not (v.all("error_case") or v.all("status")):
        return None
    causes, short = _causes(v)
    amount = v.say(floor, p)
    return Need(
        "overload",
        p([f"Back off harder when an endpoint {causes}", "Overloaded endpoints get retried too soon",
           f"Wait at least {amount} after {short}"]),
        p([f"An endpoint that {causes} is telling us it is overloaded, but the next attempt still "
           "comes after the plain schedule entry, which early in the schedule can be far shorter than "
           "the time it needs to recover.",
           f"When a delivery fails with {short}, retrying on the normal schedule just adds load to an "
           "endpoint that is already struggling."]),
        [f"after {short}, the next attempt waits at least {amount}",
         "every other failure keeps the scheduled delay",
         "a scheduled delay that is already longer is left as it is"],
        f"an endpoint that {causes} is retried on the normal schedule, before it has recovered",
        f"after {short}, the next attempt waits at least {amount}",
        p([f"make the retry delay wait at least {amount} after {short}",
           f"put a floor of {amount} on the retry delay for overloaded endpoints"]),
        f"{short} is treated like any other failure here; those two mean the endpoint is overloaded, "
        f"so give them a floor ({amount}) instead of the plain schedule entry",
        ["floor", "error_case"])


def retry_after_bound(v: View, p: Pick) -> Need | None:
    clamp = next((f for f in v.all("clamp") if f.get("factor")), None)
    about_retry_after = "retry_after" in v.name or "retry_after" in (v.sig.get("params") if v.sig else "")
    if clamp is None or not (v.all("retry_after") or about_retry_after):
        return None
    k = clamp.get("factor")
    past = v.one("chrono", "to_std") is not None
    asks = [f"a Retry-After that asks for more time than the schedule is honoured, up to {k} times "
            "the scheduled delay and no further",
            "a Retry-After that asks for less time than the schedule never makes the retry earlier"]
    if past:
        asks.append("a Retry-After already in the past changes nothing: the schedule applies")
    return Need(
        "retry_after_bound",
        p(["Honour Retry-After without letting it undercut the schedule",
           "Retry-After should stretch the retry delay, within limits",
           f"Bound Retry-After between the schedule and {k}× the schedule"]),
        p(["Endpoints send Retry-After for their own reasons. Some ask for a few seconds when the "
           "schedule says to wait much longer; a misbehaving one can ask for an absurdly long wait.",
           "We pass Retry-After through as the endpoint sent it, so an endpoint can both pull a retry "
           "earlier than the schedule allows and push it out indefinitely."]),
        asks,
        "a Retry-After shorter than the schedule made us retry sooner than the schedule allows",
        f"Retry-After can lengthen the wait up to {k}× the scheduled delay, never shorten it",
        p([f"bound the Retry-After wait between the scheduled delay and {k}× it",
           "make Retry-After stretch the delay, but within limits"]),
        f"Retry-After is taken at face value; clamp it between the scheduled delay and {k}× it "
        "so it can stretch the schedule but never undercut it",
        ["clamp", "retry_after"])


def retry_after_parse(v: View, p: Pick) -> Need | None:
    if not v.one("retry_after", "header") or not v.one("retry_after", "http-date"):
        return None
    ceil = v.one("retry_after", "ceil") is not None
    asks = ["the header is read either as a number of seconds or as an HTTP date",
            "the result is an absolute UTC time the retry can be compared against",
            "a missing or unparseable header means no Retry-After, not an error"]
    if ceil:
        asks.insert(1, "fractional seconds round up, so we never come back early")
    return Need(
        "retry_after_parse",
        p(["Parse Retry-After in both of its forms", "Retry-After given as an HTTP date is ignored",
           "Read Retry-After from endpoint responses"]),
        p(["Endpoints may send Retry-After as a number of seconds or as an HTTP date, and we need "
           "either one as a point in time to schedule the retry against.",
           "Some endpoints answer 429 or 503 with a Retry-After header and expect us to respect it; "
           "the value can be delay-seconds or an HTTP date."]),
        asks,
        "an endpoint sent Retry-After as an HTTP date and the retry ignored it",
        "Retry-After is honoured whichever of its two forms the endpoint uses",
        p(["parse the Retry-After header into a timestamp", "read Retry-After off the response headers"]),
        "only one form of Retry-After is understood; RFC 9110 allows delay-seconds and an HTTP date, "
        "and an unparseable value should mean no Retry-After rather than an error",
        ["retry_after"])


def growth_cap(v: View, p: Pick) -> Need | None:
    growth = v.one("growth")
    cap = next((f for f in v.all("cap") if f.get("forms")), None) or v.one("fallback")
    if cap is None:
        hi = next((f for f in v.all("clamp") if f.value in v.consts and v.consts[f.value].get("forms")), None)
        cap = v.consts[hi.value] if hi is not None else None
    if growth is None or cap is None:
        return None
    base = next((f for n, f in v.consts.items() if f.get("seconds") and n != cap.key), None)
    asks = []
    cond = v.when_default(growth)
    if cond:
        asks.append(f"{cond}, the waits follow the rule below; a configured schedule is used as given")
    if base is not None:
        asks.append(f"the first wait is {v.say(base, p)}")
    asks.append("each wait doubles the one before" if growth.key in ("doubling", "successors", "power")
                else "each wait grows on the one before")
    asks.append(f"no single wait is longer than {v.say(cap, p)}")
    if v.one("overflow") or growth.get("safe"):
        asks.append("a very large attempt number must not overflow or panic")
    return Need(
        "growth_cap",
        p(["Exponential backoff with a ceiling", "Retry delays should double, up to a cap",
           f"Cap the backoff at {v.say(cap, p)}"]),
        p(["A fixed delay is wrong both ways: it hammers a dependency that is down, and it waits "
           "too long once the dependency is back.",
           "Retrying at a constant interval keeps pressure on whatever is failing; the waits should "
           "grow with each failure, but not without bound."]),
        asks,
        "retries keep coming at the same short interval while the dependency is down",
        f"each retry waits twice as long as the last, up to {v.say(cap, p)}",
        p(["make the retry delay grow exponentially, with a cap",
           f"double the delay on every failure, capped at {v.say(cap, p)}"]),
        f"the delay never grows; double it on each failure and cap it at {v.say(cap, p)}",
        ["growth", "cap"])


def default_schedule(v: View, p: Pick) -> Need | None:
    """A schedule generated rather than written: a seed, a growth rule, a cap, a length."""
    g = v.one("growth", "successors")
    take = v.one("take")
    cap = next((f for f in v.all("cap") if f.get("forms")), None)
    if g is None or take is None or not g.get("seed"):
        return None
    seed = g.get("seed").split("|")[0]
    asks = [f"when no schedule is configured, start at {seed}",
            "double each wait"]
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
        f"the default schedule starts at {seed} and doubles"
        + (f", up to {v.say(cap, p)}" if cap is not None else ""),
        p(["derive a default retry schedule from the retry count",
           "build a doubling default schedule"]),
        "a configured schedule is required today; derive a doubling default from the retry count",
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
        asks.append(f"the waits add up to {total}")
        return Need(
            "schedule",
            p(["A schedule that stretches over hours", f"Spread the {n} waits over {total}",
               "Later attempts should be hours apart, not seconds"]),
            p(["Nothing here needs to happen within seconds, but it must happen eventually; "
               "coming back every few seconds would only add load for nothing.",
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
        asks.append(f"{total} of waiting in total, so the caller is never held up for long")
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


def _starts_at_zero(v: View) -> bool:
    s = v.one("schedule")
    return bool(s and s.value.startswith("0,"))


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
            "retry failures, waiting between attempts, until one succeeds or the waits run out"
            if runs_out else "keep retrying until the work succeeds, waiting between attempts",
            "the wait grows after every failure" if v.all("growth") else
            "the waits follow a fixed schedule"]
    if cap is not None:
        cond = v.when_default(cap)
        asks.append(f"no wait is longer than {v.say(cap, p)}" + (f" ({cond})" if cond else ""))
    if v.one("cancel"):
        asks.append("a shutdown must not have to wait out the current backoff")
    elif "tokio" in sleep.key:
        asks.append("waiting must not block a runtime thread")
    grows = "the wait grows after every failure" if v.all("growth") else "the waits step up through a schedule"
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
        p(["Retry in the background with growing waits", "Keep trying until this succeeds"]),
        "If this fails once, nothing tries again until the process restarts.",
        asks,
        "after one failure the work is never attempted again",
        f"the work is retried until it succeeds, and {grows}",
        p(["retry with backoff instead of giving up", "wrap this in a retry loop with backoff"]),
        "a failure here ends the work for good; retry it, with a backoff between attempts",
        ["loop", "sleep"])


ANGLES = [retry_after_bound, overload, jitter, retry_after_parse, growth_cap, schedule,
          default_schedule, reset, loop_backoff]


def needs_for(v: View, p: Pick) -> list[Need]:
    return [n for n in (a(v, p) for a in ANGLES) if n is not None]
