"""Needs: what request would have led to exactly this code.

An angle looks at the facts and, when they support it, states a need: the problem, the
constraints (with the code's own numbers), what observed-vs-expected would have been, and how a
reviewer would have put it. Angles never describe behaviour the facts do not show; a unit with
several angles can carry several examples, each answering a different need.
"""

from __future__ import annotations

from .needs_base import Need
from .needs_time import default_schedule, loop_backoff, reset, schedule
from .view import Pick, View


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


def _before_jitter(v: View) -> str:
    """Bounds stated before a jitter that is applied last hold only up to that spread."""
    j = next((f for f in v.own("jitter") if f.get("percent")), None)
    return f" (before the final ±{j.get('percent')} % jitter)" if j is not None else ""


def _aside(v: View) -> str:
    """One parenthesis for everything that can still move the scheduled delay."""
    j = next((f for f in v.own("jitter") if f.get("percent")), None)
    parts = (["Retry-After aside"] if v.all("clamp") else []) + (
        [f"before the final ±{j.get('percent')} % jitter"] if j is not None else [])
    return f" ({', and '.join(parts)})" if parts else ""


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
        [f"after {short}, the next attempt waits at least {amount}" + _before_jitter(v),
         "every other failure keeps the scheduled delay" + _aside(v),
         "a scheduled delay that is already longer is not raised"],
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
            + ("the delay it would otherwise have (after any overload floor)" if v.own("floor")
               else "the scheduled delay") + " and no further" + _before_jitter(v),
            "a Retry-After that asks for less time than the schedule never makes the retry earlier"]
    if past:
        asks.append("a Retry-After already in the past changes nothing: the delay stays what it "
                    "would have been")
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
        "only one form of Retry-After is understood; the header may be delay-seconds or an HTTP date, "
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
    doubles = v.doubles()
    asks.append("each wait doubles the one before" if doubles else "each wait grows on the one before")
    asks.append(f"no single wait is longer than {v.say(cap, p)}")
    if v.one("overflow") or growth.get("safe"):
        asks.append("a very large attempt number must not overflow or panic")
    return Need(
        "growth_cap",
        p(["Exponential backoff with a ceiling",
           "Retry delays should double, up to a cap" if doubles else "Retry delays should grow, up to a cap",
           f"Cap the backoff at {v.say(cap, p)}"]),
        p(["A fixed delay is wrong both ways: it hammers a dependency that is down, and it waits "
           "too long once the dependency is back.",
           "Retrying at a constant interval keeps pressure on whatever is failing; the waits should "
           "grow with each failure, but not without bound."]),
        asks,
        "retries keep coming at the same short interval while the dependency is down",
        f"each retry waits {'twice as long as' if doubles else 'longer than'} the last, up to {v.say(cap, p)}",
        p(["make the retry delay grow exponentially, with a cap",
           f"{'double' if doubles else 'grow'} the delay on every failure, capped at {v.say(cap, p)}"]),
        f"the delay never grows; {'double' if doubles else 'grow'} it on each failure and cap it at {v.say(cap, p)}",
        ["growth", "cap"])


ANGLES = [retry_after_bound, overload, jitter, retry_after_parse, growth_cap, schedule,
          default_schedule, reset, loop_backoff]


def needs_for(v: View, p: Pick) -> list[Need]:
    return [n for n in (a(v, p) for a in ANGLES) if n is not None]
