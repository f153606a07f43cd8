"""Routing idioms named in a library's own words: delay-like names, what a backoff package holds
besides delay code, Go jitter packages and delay constants, helpers asked for a delay, error
values and costs, interval functions, pollers and callers of a delay, resets in every language."""

from __future__ import annotations

import re

import pytest

from codeback.extract import extract_file
from codeback.spec import load_topic
from support import units_of

BJ, SM = "svix-backoff-jitter", "svix-retry-state-machine"


@pytest.mark.parametrize("name,delay_like", [
    ("calculate_sleep_amount", True), ("fib", True), ("intervals", True), ("retry_delays", True),
    ("RandomRetry", True), ("ConstantInterval", True), ("FibonacciRetry", True),
    ("calculate_total", False), ("fibers", False), ("intervals_by_user", False), ("delayed", False),
])
def test_delay_like_names(name, delay_like):
    """The kinds of delay a library names its strategies for, and words that only look alike."""
    sig = next(s for s in load_topic("backoff-jitter").signals if s.name == "delay-like name")
    assert bool(re.search(sig.pattern, name)) is delay_like


def test_what_a_backoff_package_holds_besides_delay_code_stays_out(router):
    """A folder named for backoff is a package about delays, and counts for its units; but the
    sleeper that performs a given sleep, the exception it throws and the strategy's toString
    choose no delay, and each is kept out by what it is."""
    root = "src/main/java/org/acme/retry/backoff/"
    sleeper = b"""public class ThreadWaitSleeper implements Sleeper {
    @Override
    public void sleep(long backOffPeriod) throws InterruptedException {
        Thread.sleep(backOffPeriod);
    }
}
"""
    error = b"""public class BackOffInterruptedException extends RuntimeException {
    public BackOffInterruptedException(String msg, Throwable cause) {
        super(msg, cause);
    }
}
"""
    policy = b"""public class FixedBackOffPolicy {
    private long backOffPeriod = 1000;

    public String toString() {
        return "FixedBackOffPolicy[backOffPeriod=" + this.backOffPeriod + "]";
    }
}
"""
    units = {}
    for name, src in (("ThreadWaitSleeper.java", sleeper), ("BackOffInterruptedException.java", error),
                      ("FixedBackOffPolicy.java", policy)):
        units.update(units_of(root + name, src))
    for name, reason in (("ThreadWaitSleeper", "a sleeper"), ("ThreadWaitSleeper.sleep", "a sleeper"),
                         ("BackOffInterruptedException", "an exception or error type"),
                         ("FixedBackOffPolicy.toString", "describes, compares or copies")):
        routed = router.route(units[name])
        assert any("in a folder named for backoff" in r for r in routed.reasons()), (name, routed.reasons())
        assert any(r.startswith(f"backoff-jitter:{reason}") for r in routed.reasons()), (name, routed.reasons())
        assert routed.agent is None, (name, routed.reasons())
    # the strategy's period, a number declared under a delay's name, is delay code
    assert router.route(units["FixedBackOffPolicy.backOffPeriod"]).agent == BJ


def test_go_jitter_package_functions_reset_methods_and_delay_constants_are_delay_code(router):
    """Go names a function by its package (`jitter.Equal`): the folder speaks for it, and a
    draw from a `*rand.Rand` (`generator.Int63n`) is a random draw. A strategy's reset and its
    Default impl put delays back to their start, assigning without arithmetic, and a constant
    that declares a delay's factor is a delay parameter."""
    go = b"""package jitter

// Equal transforms a duration into one in [n/2, n) at random.
func Equal(generator *rand.Rand) Transformation {
	return func(duration time.Duration) time.Duration {
		return (duration / 2) + time.Duration(generator.Int63n(int64(duration))/2)
	}
}
"""
    php = b"""<?php
class LinearBackOffContext
{
    public function resetInterval()
    {
        $this->interval = $this->initialInterval;
    }
}
"""
    rust = b"""impl Default for Backoff {
    fn default() -> Self {
        Backoff::Exponential { exponent: 2.0 }
    }
}

const JITTER_MIN_FRACTION: f64 = 0.5;

const RETRY_TIMEOUT_SECS: u64 = 30;
"""
    equal = router.route(extract_file("jitter/jitter.go", go).units[0])
    assert any(r.startswith("backoff-jitter:random draw") for r in equal.reasons()), equal.reasons()
    assert any(r.startswith("backoff-jitter:in a folder named for backoff") for r in equal.reasons())
    assert equal.agent == BJ, equal.reasons()
    reset = router.route(units_of("src/BackOff/LinearBackOffContext.php", php)
                         ["LinearBackOffContext.resetInterval"])
    assert not any("computes none" in r for r in reset.reasons()), reset.reasons()
    assert reset.agent == BJ, reset.reasons()
    units = units_of("src/lib.rs", rust)
    assert router.route(units["Backoff::default"]).agent == BJ
    factor = router.route(units["JITTER_MIN_FRACTION"])
    assert any(r.startswith("backoff-jitter:declares a number") for r in factor.reasons()), factor.reasons()
    assert factor.agent == BJ, factor.reasons()
    timeout = router.route(units["RETRY_TIMEOUT_SECS"])
    assert not any("declares a number" in r for r in timeout.reasons()), timeout.reasons()


def test_a_retry_loop_that_asks_a_helper_for_its_delay_is_the_state_machine(router):
    """A loop that calls a helper for its delay (`RetryHelper.GetRetryDelay(...)`) names every
    delay parameter on the way, but the delay is computed elsewhere: the loop is the state
    machine's."""
    src = b"""internal sealed class RetryStrategy
{
    public async Task<Outcome> ExecuteCore(Func<Task<Outcome>> callback)
    {
        int attempt = 0;
        while (true)
        {
            var outcome = await callback();
            if (IsLastAttempt(attempt) || !await ShouldHandle(outcome))
            {
                return outcome;
            }

            var delay = RetryHelper.GetRetryDelay(BackoffType, UseJitter, attempt, BaseDelay, MaxDelay);
            await Task.Delay(delay);
            attempt++;
        }
    }
}
"""
    loop = router.route(units_of("RetryStrategy.cs", src)
                        ["RetryStrategy.ExecuteCore"])
    assert any(r.startswith("retry-state-machine:delegates the delay") for r in loop.reasons()), loop.reasons()
    assert loop.agent == SM, loop.reasons()


def test_error_values_costs_and_retry_after_limits_are_told_apart(router):
    """Four look-alikes: a Go error value named for the backoff (`ErrResetBackoff`) is an
    error, not delay code; a token-bucket cost that doubles another cost grows with nothing; a
    default wait (`DEFAULT_WAIT_DURATION`) is a delay parameter; and `_RETRY_AFTER_MAX` caps a
    Retry-After delay rather than naming a retry-after stop condition."""
    go = b"""package backoff

// ErrResetBackoff is the error a caller returns to reset the backoff.
var ErrResetBackoff = errors.New("reset backoff state")
"""
    rust = b"""const RETRY_COST: u32 = 5;
const RETRY_TIMEOUT_COST: u32 = RETRY_COST * 2;
"""
    java = b"""public class RetryConfig {
    private static final Duration DEFAULT_WAIT_DURATION = Duration.ofMillis(500);
}
"""
    py = b"""class Backoff:
    _RETRY_AFTER_MAX = 20
"""
    err = router.route(extract_file("internal/backoff/backoff.go", go).units[0])
    assert any(r.startswith("backoff-jitter:an exception or error type") for r in err.reasons()), err.reasons()
    assert err.agent is None, err.reasons()
    cost = router.route(units_of("limiter.rs", rust)["RETRY_TIMEOUT_COST"])
    assert not any("grows with the attempt number" in r for r in cost.reasons()), cost.reasons()
    assert cost.agent is None, cost.reasons()
    wait = router.route(units_of("RetryConfig.java", java)
                        ["RetryConfig.DEFAULT_WAIT_DURATION"])
    assert "backoff-jitter:delay bound, base or growth factor in the name +2.5 (DEFAULT_WAIT_DURATION)" \
        in wait.reasons()
    cap = router.route(units_of("standard.py", py)["Backoff._RETRY_AFTER_MAX"])
    assert not any("stop condition by name" in r for r in cap.reasons()), cap.reasons()
    assert cap.agent == BJ, cap.reasons()


def test_members_of_a_type_named_as_an_interval_or_delay_function_lean_to_backoff(router):
    """`IntervalFunction.of` says nothing by its own name; its type says it makes the wait
    between attempts, as `DelayGenerator` or `BackoffPolicy` would."""
    src = b"""public interface IntervalFunction extends Function<Integer, Long> {
    static IntervalFunction of(long intervalMillis, Function<Long, Long> backoffFunction) {
        return (attempt) -> LongStream.iterate(intervalMillis, n -> backoffFunction.apply(n))
            .skip(attempt - 1L).findFirst().getAsLong();
    }
}
"""
    of = router.route(units_of("IntervalFunction.java", src)["IntervalFunction.of"])
    assert "backoff-jitter:member of a backoff or wait-strategy type +2 (IntervalFunction)" in of.reasons()
    assert of.agent == BJ, of.reasons()


def test_loops_pollers_and_callers_of_a_delay_are_not_delay_code(router):
    """What runs on a backoff without computing it: a retry loop that asks its backoff object for
    each wait is the state machine's; a periodic runner (`Until`) that calls a jitter helper with
    zero jitter is a poller; calling `retry_delay(...)` is not a retry schedule; and a Rust
    `impl Error for InvalidBackoff` is an error. A rate limit's reset header, read beside
    Retry-After, is a delay hint, not a rate limiter."""
    go = b"""package wait

// ExponentialBackoff repeats a condition check with exponential backoff.
func ExponentialBackoff(backoff Backoff, condition ConditionFunc) error {
	for backoff.Steps > 0 {
		if ok, err := condition(); err != nil || ok {
			return err
		}
		time.Sleep(backoff.Step())
	}
	return ErrWaitTimeout
}

// Until loops until stop channel is closed, running f every period: sugar on top of
// JitterUntil with zero jitter factor.
func Until(f func(), period time.Duration, stopCh <-chan struct{}) {
	JitterUntil(f, period, 0.0, true, stopCh)
}
"""
    ruby = b"""module Retry
  def before_perform_retry(*args)
    @retry_attempt = redis.incr(retry_key)
    redis.expire(retry_key, retry_delay(exception_class) + expire_after)
  end
end
"""
    rust = b"""impl std::error::Error for InvalidBackoff {}
"""
    faraday = b"""class Middleware
  def calculate_sleep_amount(retries, env)
    retry_after = [calculate_retry_after(env), calculate_rate_limit_reset(env)].compact.max
    retry_interval = calculate_retry_interval(retries)
    return if retry_after && retry_after > @options.max_interval
    retry_after && retry_after >= retry_interval ? retry_after : retry_interval
  end
end
"""
    units = units_of("wait/backoff.go", go)
    loop = router.route(units["ExponentialBackoff"])
    assert any(r.startswith("backoff-jitter:a loop that asks a backoff object") for r in loop.reasons())
    assert loop.agent != BJ, loop.reasons()
    until = router.route(units["Until"])
    assert any(r.startswith("backoff-jitter:a poller or periodic runner") for r in until.reasons())
    assert until.agent is None, until.reasons()
    hook = router.route(units_of("retry.rb", ruby)["Retry.before_perform_retry"])
    assert not any("retry schedule identifier" in r for r in hook.reasons()), hook.reasons()
    assert hook.agent != BJ, hook.reasons()
    err = router.route(extract_file("backoff.rs", rust).units[0])
    assert any(r.startswith("backoff-jitter:an exception or error type") for r in err.reasons()), err.reasons()
    sleep = router.route(units_of("middleware.rb", faraday)
                         ["Middleware.calculate_sleep_amount"])
    assert not any("rate limiter" in r for r in sleep.reasons()), sleep.reasons()
    assert sleep.agent == BJ, sleep.reasons()


@pytest.mark.parametrize("path,src,name", [
    ("Backoff.kt", b"""class ExponentialBackoff {
    fun reset() {
        currentDelay = initialDelay
    }
}
""", "ExponentialBackoff.reset"),
    ("backoff.rb", b"""class ExponentialBackoff
  def reset
    @current_delay = @initial_delay
  end
end
""", "ExponentialBackoff.reset"),
    ("backoff.ts", b"""export class ExponentialBackoff {
  reset(): void {
    this.currentDelay = this.initialDelay;
  }
}
""", "ExponentialBackoff.reset"),
])
def test_a_strategy_reset_is_delay_code_in_every_language(router, path, src, name):
    """The reset of a strategy assigns its delay back without arithmetic, however the language
    spells a method (`fun`, a Ruby `def` without parentheses, a TS method with no keyword)."""
    reset = router.route(units_of(path, src)[name])
    assert not any("computes none" in r for r in reset.reasons()), reset.reasons()
    assert reset.agent == BJ, reset.reasons()


def test_names_that_only_end_like_an_error_or_start_like_a_stop_condition(router):
    """`delayFromError` computes a delay (its name ends in Error, it is no error type);
    `retry_attempts` counts attempts (it is no `retry_at` condition); a retry interval is a delay
    parameter (only counts and limits of attempts are the state machine's); `_base_` is no
    number."""
    ts = b"""export function delayFromError(err: HttpError): number {
  const retryAfter = Number(err.headers["retry-after"]);
  return Math.min(retryAfter * 1000, MAX_DELAY_MS);
}
"""
    py = b"""RETRY_INTERVAL_MS = 1000
"""
    go = b"""package retry

const maxDelay = _base_
"""
    delay = router.route(extract_file("delay.ts", ts).units[0])
    assert not any("error type" in r for r in delay.reasons()), delay.reasons()
    assert delay.agent == BJ, delay.reasons()
    units = units_of("settings.py", py)
    interval = router.route(units["RETRY_INTERVAL_MS"])
    assert any(r.startswith("backoff-jitter:declares a number") for r in interval.reasons()), interval.reasons()
    named = router.route(extract_file("retry.go", go).units[0])
    assert not any("declares a number" in r for r in named.reasons()), named.reasons()
    counter = router.score(extract_file("jobs.py", b"def retry_attempts(job):\n    return job.attempts\n")
                           .units[0], full=True)[1]
    assert not any("stop condition by name" in s.name for s in counter), counter
