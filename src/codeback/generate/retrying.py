"""Retry policy for calls to an inference endpoint.

Kept free of the `openai` SDK so it can be tested (and reused by another backend) on its own:
errors are classified by duck typing (`status_code`, `response.headers`, timeout/connection
exception types), and sleep, random source and clock are injected so a test can assert the exact
spacing of attempts without waiting for real time or trusting a real random draw.

Why full jitter: many concurrent workers hitting the same rate limit would otherwise retry in
lockstep; drawing the whole delay uniformly from [0, min(cap, base * 2**n)] spreads them out
(the AWS "full jitter" result). A server's Retry-After is a floor on top of that draw: the server
knows better than our schedule when it will take requests again.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import TypeVar

from ..errors import BackendError

T = TypeVar("T")
log = logging.getLogger("codeback.generate")

RETRYABLE_STATUS = frozenset({408, 425, 429}) | frozenset(range(500, 600))


class EndpointError(BackendError):
    """A request failed for good: the endpoint refused it, or retries ran out.

    `status` is the HTTP status when there was one; `exhausted` says whether the failure was
    transient (retries ran out) rather than a refusal, so a caller can tell "the server is down"
    from "this request is wrong".
    """

    def __init__(self, message: str, *, status: int | None = None, exhausted: bool = False):
        super().__init__(message)
        self.status = status
        self.exhausted = exhausted


class Transient(Exception):
    """Raised by a call to ask for a retry (e.g. a response body that is not JSON)."""


@dataclass(frozen=True, slots=True)
class Failure:
    """What went wrong with one attempt, in the terms the policy needs."""

    retryable: bool
    message: str
    status: int | None = None
    retry_after: float | None = None


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Capped exponential backoff with full jitter, a cap on attempts and on total wait."""

    max_attempts: int = 6
    base: float = 0.5
    cap: float = 30.0
    max_total_wait: float = 300.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise BackendError(f"max_attempts must be at least 1 (got {self.max_attempts})")
        if self.base < 0 or self.cap < 0 or self.max_total_wait < 0:
            raise BackendError("backoff base, cap and max_total_wait must not be negative")

    def backoff(self, retry: int, rng: random.Random) -> float:
        """Delay before retry number `retry` (0-based): uniform over [0, min(cap, base*2**n)]."""
        ceiling = min(self.cap, self.base * 2.0 ** min(retry, 62))
        return rng.uniform(0.0, ceiling)


def parse_retry_after(headers: object, now: float) -> float | None:
    """Seconds the server asks us to wait, from `retry-after-ms` or `Retry-After`.

    Retry-After is either delta-seconds or an HTTP date; a date in the past means "now".
    Unparseable values are ignored rather than trusted.
    """
    get = getattr(headers, "get", None)
    if get is None:
        return None
    ms = get("retry-after-ms")
    if ms is not None:
        try:
            value = float(ms) / 1000.0
            if value >= 0:
                return value
        except ValueError:
            pass
    raw = get("retry-after")
    if raw is None:
        return None
    raw = str(raw).strip()
    try:
        value = float(raw)
        return value if value >= 0 else None
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - now)


def _one_line(text: object, limit: int = 200) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _status_message(exc: BaseException, status: int) -> str:
    body = getattr(exc, "body", None)
    detail = None
    if isinstance(body, dict):
        err = body.get("error", body)
        detail = err.get("message") if isinstance(err, dict) else err
    if not detail:
        detail = getattr(exc, "message", None) or str(exc)
    return f"HTTP {status}: {_one_line(detail)}"


def classify(exc: BaseException, now: float) -> Failure | None:
    """Map an exception to a Failure, or None when it is not an endpoint problem (a bug).

    Unknown exceptions are not swallowed: turning a programming error into a "request failed"
    line would hide it.
    """
    if isinstance(exc, Transient):
        return Failure(True, _one_line(exc))
    status = getattr(exc, "status_code", None)
    if isinstance(status, int):
        headers = getattr(getattr(exc, "response", None), "headers", None)
        return Failure(
            status in RETRYABLE_STATUS,
            _status_message(exc, status),
            status,
            parse_retry_after(headers, now) if headers is not None else None,
        )
    names = [c.__name__ for c in type(exc).__mro__]
    if isinstance(exc, TimeoutError) or any("Timeout" in n for n in names):
        return Failure(True, "request timed out")
    if isinstance(exc, ConnectionError) or any("Connection" in n for n in names):
        return Failure(True, f"connection failed: {_one_line(exc) or type(exc).__name__}")
    return None


async def call_with_retries(
    call: Callable[[], Awaitable[T]],
    policy: RetryPolicy,
    *,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    rng: random.Random | None = None,
    clock: Callable[[], float] = time.time,
    on_retry: Callable[[int, float, Failure], None] | None = None,
    what: str = "request",
) -> T:
    """Run `call` until it succeeds, retrying transient failures under `policy`.

    Raises EndpointError (one line) when the failure is not retryable, when attempts run out,
    or when the next wait would take the total wait past `policy.max_total_wait`.
    """
    rng = rng or random.Random()
    waited = 0.0
    for attempt in range(1, policy.max_attempts + 1):
        try:
            return await call()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - classified below, unknown ones re-raised
            failure = classify(exc, clock())
            if failure is None:
                raise
            if not failure.retryable:
                raise EndpointError(f"{what} refused: {failure.message}", status=failure.status) from None
            if attempt == policy.max_attempts:
                raise EndpointError(
                    f"{what} failed after {attempt} attempts ({waited:.1f} s waited): {failure.message}",
                    status=failure.status,
                    exhausted=True,
                ) from None
            delay = policy.backoff(attempt - 1, rng)
            if failure.retry_after is not None:
                delay = max(delay, failure.retry_after)
            if waited + delay > policy.max_total_wait:
                raise EndpointError(
                    f"{what} failed after {attempt} attempts: waiting {delay:.1f} s more would pass "
                    f"the {policy.max_total_wait:g} s cap on total wait; last error: {failure.message}",
                    status=failure.status,
                    exhausted=True,
                ) from None
            log.info("%s: %s; retry %d in %.2f s", what, failure.message, attempt, delay)
            if on_retry is not None:
                on_retry(attempt, delay, failure)
            await sleep(delay)
            waited += delay
    raise AssertionError("unreachable")  # pragma: no cover
