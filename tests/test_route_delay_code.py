"""Code that is about delays though its names or its language hide it: a growth written as a
power, a bound named around RETRY, a "rate limiter" that backs each item off, an event handler
that doubles a delay (tests/test_route_boundaries.py holds the other side). Each case is one that
a first measurement on an untuned library missed or routed wrongly."""

from __future__ import annotations

import pytest

from support import units_of

BJ = "svix-backoff-jitter"


def test_a_job_reschedule_that_grows_as_a_power_of_its_attempts_is_delay_code(router):
    """`now + attempts**4 + 5` is polynomial growth with the attempt number (Ruby's `**`), while
    a worker's `DEFAULT_DELAY_JOBS = true` is a switch, whatever its name says."""
    rb = b"""module Delayed
  class Worker
    DEFAULT_DELAY_JOBS = true
    DEFAULT_MAX_ATTEMPTS = 25
  end

  class Job
    def reschedule_at
      self.class.db_time_now + (attempts**4) + 5
    end
  end
end
"""
    found = units_of("lib/delayed/worker.rb", rb)
    reschedule = router.route(found["Delayed.Job.reschedule_at"])
    assert any("grows with the attempt number" in r for r in reschedule.reasons()), reschedule.reasons()
    assert reschedule.agent == BJ, reschedule.reasons()
    flag = router.route(found["Delayed.Worker.DEFAULT_DELAY_JOBS"])
    assert any("a true/false flag" in r for r in flag.reasons()), flag.reasons()
    assert flag.agent is None, flag.reasons()


def test_the_members_of_a_backoff_retry_policy_are_delay_code_but_its_logger_is_not(router):
    """A type named `ExponentialBackoffRetry` is a delay policy: its random source and its
    unbounded default cap (`Integer.MAX_VALUE` is a number) are delay parameters; its logger is
    not. `getSleepTimeMs` names the wait, whatever unit it ends in."""
    java = b"""public class ExponentialBackoffRetry extends SleepingRetry {
    private static final Logger log = LoggerFactory.getLogger(ExponentialBackoffRetry.class);

    private static final int DEFAULT_MAX_SLEEP_MS = Integer.MAX_VALUE;

    private final Random random = new Random();
}
"""
    fixed = b"""public class RetryNTimes extends SleepingRetry {
    private final long sleepMsBetweenRetries;

    protected long getSleepTimeMs(int retryCount, long elapsedTimeMs) {
        return sleepMsBetweenRetries;
    }
}
"""
    found = units_of("ExponentialBackoffRetry.java", java) | units_of("RetryNTimes.java", fixed)
    for name in ("ExponentialBackoffRetry.DEFAULT_MAX_SLEEP_MS", "ExponentialBackoffRetry.random",
                 "RetryNTimes.getSleepTimeMs"):
        routed = router.route(found[name])
        assert routed.agent == BJ, (name, routed.reasons())
    log = router.route(found["ExponentialBackoffRetry.log"])
    assert any("logs or reports" in r for r in log.reasons()), log.reasons()
    assert log.agent is None, log.reasons()


def test_a_policy_named_for_its_delay_is_not_a_retry_driver_by_name(router):
    """`ExponentialRetryPolicy`'s constructor spreads a delay range and precomputes the
    intervals: the name says which delays, not that it runs the retries."""
    cs = b"""public class ExponentialRetryPolicy : IRetryPolicy
{
    public ExponentialRetryPolicy(IExceptionFilter filter, int retryLimit, TimeSpan minInterval, TimeSpan maxInterval, TimeSpan intervalDelta)
    {
        _filter = filter;
        RetryLimit = retryLimit;
        _minInterval = (int)minInterval.TotalMilliseconds;
        _maxInterval = (int)maxInterval.TotalMilliseconds;
        _lowInterval = (int)(intervalDelta.TotalMilliseconds * 0.8);
        _highInterval = (int)(intervalDelta.TotalMilliseconds * 1.2);
        _intervals = CalculateIntervals().ToArray();
    }
}
"""
    routed = router.route(units_of("ExponentialRetryPolicy.cs", cs)["ExponentialRetryPolicy.ExponentialRetryPolicy"])
    assert not any("retry-driver name" in r for r in routed.reasons()), routed.reasons()
    assert routed.agent == BJ, routed.reasons()


@pytest.mark.parametrize("path,src,name", [
    ("src/util/network/retry.rs", b"const MAX_RETRY_SLEEP_MS: u64 = 10 * 1000;\n", "MAX_RETRY_SLEEP_MS"),
    ("src/util/network/retry.rs", b"const INITIAL_RETRY_SLEEP_BASE_MS: u64 = 500;\n", "INITIAL_RETRY_SLEEP_BASE_MS"),
    ("lib/bunny/session.rb", b"module Bunny\n  DEFAULT_NETWORK_RECOVERY_INTERVAL = 5.0\nend\n",
     "Bunny.DEFAULT_NETWORK_RECOVERY_INTERVAL"),
    ("src/ExponentialBackoffStrategy.php", b"""<?php
class ExponentialBackoffStrategy implements BackoffStrategy
{
    public function waitInSecondsAfterAttempt(int $attempt): int
    {
        return 10 ** $attempt;
    }
}
""", "ExponentialBackoffStrategy.waitInSecondsAfterAttempt"),
])
def test_delay_parameters_named_around_retry_and_a_php_power_of_the_attempt(router, path, src, name):
    """A bound with `RETRY` between its words (`MAX_RETRY_SLEEP_MS`, worth `10 * 1000`), a
    reconnection's recovery interval, and `10 ** $attempt` (a PHP variable) are delay code."""
    routed = router.route(units_of(path, src)[name])
    assert routed.agent == BJ, routed.reasons()


def test_a_rate_limiter_that_backs_off_each_item_on_failure_is_delay_code(router):
    """client-go calls its per-item requeue backoff a "rate limiter": it counts an item's
    failures and waits `base * 2^failures`. A token bucket that only meters throughput stays out."""
    go = b"""package workqueue

func (r *ItemExponentialFailureRateLimiter) When(item any) time.Duration {
	exp := r.failures[item]
	r.failures[item] = r.failures[item] + 1

	// The backoff is capped such that 'calculated' value never overflows.
	backoff := float64(r.baseDelay.Nanoseconds()) * math.Pow(2, float64(exp))
	if backoff > math.MaxInt64 {
		return r.maxDelay
	}
	return time.Duration(backoff)
}

func (r *BucketRateLimiter) When(item any) time.Duration {
	// the token bucket's reservation delay
	return r.Limiter.Reserve().Delay()
}
"""
    found = units_of("default_rate_limiters.go", go)
    failure = router.route(found["ItemExponentialFailureRateLimiter.When"])
    assert not any("rate limiter or token bucket" in r for r in failure.reasons()), failure.reasons()
    assert failure.agent == BJ, failure.reasons()
    assert router.route(found["BucketRateLimiter.When"]).agent is None


def test_a_php_constructor_that_declares_delay_defaults_computes_them(router):
    """PHP 8 promotes constructor parameters to properties: `private int $delayMilliseconds =
    1000` declares a delay parameter and its default, so the constructor is delay code, not a
    function that names delays and computes none."""
    php = b"""<?php
class MultiplierRetryStrategy implements RetryStrategyInterface
{
    /**
     * @param float $jitter Randomness to apply to the delay (between 0 and 1)
     */
    public function __construct(
        private int $maxRetries = 3,
        private int $delayMilliseconds = 1000,
        private float $multiplier = 1,
        private int $maxDelayMilliseconds = 0,
        private float $jitter = 0.1,
    ) {
        if ($jitter < 0 || $jitter > 1) {
            throw new InvalidArgumentException('Jitter must be between 0 and 1.');
        }
    }
}
"""
    routed = router.route(units_of("MultiplierRetryStrategy.php", php)["MultiplierRetryStrategy.__construct"])
    assert not any("computes none" in r for r in routed.reasons()), routed.reasons()
    assert routed.agent == BJ, routed.reasons()


def test_an_event_handler_that_doubles_the_delay_computes_it(router):
    """`onFailure` is named for an event, but its code doubles the reconnect delay up to a cap:
    the name's negative gives way to the code (`unless_where = "code"`). A handler that only
    reschedules with the delay it has keeps the negative."""
    java = b"""class ReconnectListener {
  public void onFailure(IMqttToken token, Throwable exception) {
    if (reconnectDelay < connOpts.getMaxReconnectDelay()) {
      reconnectDelay = reconnectDelay * 2;
    }
    rescheduleReconnectCycle(reconnectDelay);
  }

  public void onSuccess(IMqttToken token) {
    rescheduleReconnectCycle(reconnectDelay);
  }
}
"""
    found = units_of("MqttAsyncClient.java", java)
    failure = router.route(found["ReconnectListener.onFailure"])
    assert not any("handles an event" in r for r in failure.reasons()), failure.reasons()
    assert failure.agent == BJ, failure.reasons()
    success = router.score(found["ReconnectListener.onSuccess"], full=True)[1]
    assert any(s.name.startswith("handles an event") for s in success), success


def test_a_php_attribute_class_that_holds_a_backoff_is_a_declaration(router):
    """`#[Attribute] class Backoff` declares the backoff a job uses; the attribute line before
    `class` does not make it "a function that computes none"."""
    php = b"""<?php
#[Attribute(Attribute::TARGET_CLASS)]
class Backoff
{
    /**
     * @param  array<int>|int  $backoff
     */
    public function __construct(public array|int $backoff)
    {
        //
    }
}
"""
    routed = router.route(units_of("Attributes/Backoff.php", php)["Backoff"])
    assert not any("computes none" in r for r in routed.reasons()), routed.reasons()
    assert routed.agent == BJ, routed.reasons()


@pytest.mark.parametrize("path,src,name", [
    ("client.go", b"""package ws

func (c *Client) getReconnectTimeout() time.Duration {
	d := c.baseDelay << c.attempts
	if d > c.maxDelay {
		return c.maxDelay
	}
	return d
}
""", "Client.getReconnectTimeout"),
    ("Reconnect.cs", b"""public class Reconnector
{
    public TimeSpan NextReconnectTimeout(int attempt)
    {
        var ms = Math.Min(30000, 500 * Math.Pow(2, attempt));
        return TimeSpan.FromMilliseconds(ms);
    }
}
""", "Reconnector.NextReconnectTimeout"),
])
def test_a_reconnect_timeout_is_the_wait_before_the_next_reconnect(router, path, src, name):
    """Socket clients call the wait before the next reconnect a "reconnect timeout": it is no
    per-call timeout, and it grows like any backoff."""
    routed = router.route(units_of(path, src)[name])
    assert not any("per-call timeout" in r for r in routed.reasons()), routed.reasons()
    assert routed.agent == BJ, routed.reasons()


def test_a_delay_cap_that_is_allowed_is_no_yes_or_no_question(router):
    """`MAX_DELAY_ALLOWED` is a number, a cap: the yes/no negative is for `isBackOffRequired`
    and its kin, spelled in camel or snake case, not for constants. `Integer.MAX_VALUE` is a
    number under a delay's name, wherever it is declared."""
    py = b"# the longest backoff we wait\nMAX_DELAY_ALLOWED = 60.0\n"
    routed = router.route(units_of("limits.py", py)["MAX_DELAY_ALLOWED"])
    assert not any("asks whether a wait is needed" in r for r in routed.reasons()), routed.reasons()
    assert routed.agent == BJ, routed.reasons()
    java = b"""public class Limits {
    // the longest sleep between two retries
    private static final int DEFAULT_MAX_SLEEP_MS = Integer.MAX_VALUE;
}
"""
    sleep = router.route(units_of("Limits.java", java)["Limits.DEFAULT_MAX_SLEEP_MS"])
    assert any(r.startswith("backoff-jitter:declares a number") for r in sleep.reasons()), sleep.reasons()


def test_an_exponent_base_is_a_growth_factor(router):
    """`DEFAULT_CONNECTION_RETRY_EXPONENT_BASE = 2.0` is the base the reconnect delay is raised
    from: a growth factor, like a multiplier."""
    rust = b"impl ConnectionManagerConfig {\n    const DEFAULT_CONNECTION_RETRY_EXPONENT_BASE: f32 = 2.0;\n}\n"
    routed = router.route(units_of("connection_manager.rs", rust)
                          ["ConnectionManagerConfig::DEFAULT_CONNECTION_RETRY_EXPONENT_BASE"])
    assert routed.agent == BJ, routed.reasons()


def test_a_rust_backoff_streams_poll_next_is_delay_code_and_its_eq_and_hash_impls_are_not(router):
    """`Stream::poll_next` is how async Rust runs a backoff, not a poller on a fixed period: the
    one below computes base plus jitter and arms the sleep. The `PartialEq`/`Hash` impls repeat
    the type's delay words (jitter, backoff) but compare and hash, so they go nowhere."""
    rs = b"""pub struct ExponentialBackoff { min: Duration, max: Duration, jitter: f64 }

impl PartialEq for ExponentialBackoff {
    fn eq(&self, other: &Self) -> bool {
        self.min == other.min && self.max == other.max && self.jitter == other.jitter
    }
}

impl std::hash::Hash for ExponentialBackoff {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.min.hash(state);
        self.jitter.to_bits().hash(state);
    }
}

impl Stream for ExponentialBackoffStream {
    type Item = ();

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let mut this = self.project();
        loop {
            if *this.sleeping {
                futures::ready!(this.sleep.as_mut().poll(cx));
                *this.sleeping = false;
                return Poll::Ready(Some(()));
            }
            let backoff = {
                let base = this.backoff.base(*this.iterations);
                base + this.backoff.jitter(base, &mut this.rng)
            };
            this.sleep.as_mut().reset(time::Instant::now() + backoff);
            *this.sleeping = true;
        }
    }
}
"""
    found = units_of("src/lib.rs", rs)
    poll = router.route(found["ExponentialBackoffStream::poll_next"])
    assert not any("poller" in r for r in poll.reasons()), poll.reasons()
    assert poll.agent == BJ, poll.reasons()
    for name in ("impl PartialEq for ExponentialBackoff", "impl std::hash::Hash for ExponentialBackoff"):
        r = router.route(found[name])
        assert any("describes, compares or copies" in x for x in r.reasons()), r.reasons()
        assert r.agent is None, (name, r.reasons())


def test_bounds_spelled_out_and_a_random_factor_are_delay_parameters(router):
    """`maximum_interval` is the `max_interval` of other libraries spelled out, and a default
    random factor is the jitter's parameter; a plain `maximum_attempts` stays the state
    machine's."""
    py = b"""@dataclass
class RetryPolicy:
    initial_interval: timedelta = timedelta(seconds=1)
    maximum_interval: Optional[timedelta] = None
    maximum_attempts: int = 0
"""
    cs = b"""public abstract class ExecutionStrategy
{
    private const double DefaultRandomFactor = 1.1;
}
"""
    found = units_of("retry/common.py", py) | units_of("Storage/ExecutionStrategy.cs", cs)
    for name in ("RetryPolicy.maximum_interval", "ExecutionStrategy.DefaultRandomFactor"):
        r = router.route(found[name])
        assert r.agent == BJ, (name, r.reasons())
    assert router.route(found["RetryPolicy.maximum_attempts"]).agent != BJ
