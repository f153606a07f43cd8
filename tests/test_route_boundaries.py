"""Where the backoff agent's topic ends: code that sits beside delay code, names its parameters
or reads the same header, but chooses no wait before the next try. Each case is one that a
first measurement on an untuned library routed to backoff."""

from __future__ import annotations

import pytest

from codeback.extract import extract_file
from codeback.route import Router
from codeback.spec import resolve_agents

BJ, SM = "svix-backoff-jitter", "svix-retry-state-machine"


@pytest.fixture(scope="module")
def router() -> Router:
    return Router(resolve_agents([BJ, SM]))


def units(path: str, src: bytes) -> dict:
    return {u.name: u for u in extract_file(path, src).units}


def test_a_per_call_timeout_multiplier_is_no_delay_but_the_delay_multiplier_is(router):
    """A retry settings type holds both a delay multiplier and an RPC timeout multiplier. Only the
    first sets how long to wait before the next try; the second bounds each call."""
    java = b"""public abstract class RetrySettings {
  public abstract double getRetryDelayMultiplier();

  public abstract double getRpcTimeoutMultiplier();

  public abstract static class Builder {
    public abstract Builder setRpcTimeoutMultiplier(double multiplier);

    public abstract Builder setConnectTimeout(java.time.Duration timeout);
  }
}
"""
    found = units("RetrySettings.java", java)
    assert router.route(found["RetrySettings.getRetryDelayMultiplier"]).agent == BJ
    for name in ("RetrySettings.getRpcTimeoutMultiplier", "RetrySettings.Builder.setRpcTimeoutMultiplier"):
        routed = router.route(found[name])
        assert any("per-call timeout" in r for r in routed.reasons()), (name, routed.reasons())
        assert routed.agent is None, (name, routed.reasons())


def test_a_debug_impl_of_a_backoff_describes_it_but_default_sets_its_delays(router):
    """`impl fmt::Debug for Backoff` prints the fields; `impl Default for Backoff` gives the
    delays their starting values, which is delay code."""
    rust = b"""pub struct Backoff {
    init_backoff: Duration,
    base: f64,
}

impl std::fmt::Debug for Backoff {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Backoff").field("init_backoff", &self.init_backoff).field("base", &self.base).finish()
    }
}

impl Default for Backoff {
    fn default() -> Self {
        Self { init_backoff: Duration::from_millis(100), base: 2.0 }
    }
}
"""
    found = units("src/client/backoff.rs", rust)
    debug = router.route(found["impl std::fmt::Debug for Backoff"])
    assert any("describes, compares or copies" in r for r in debug.reasons()), debug.reasons()
    assert debug.agent is None, debug.reasons()
    default = router.route(found["impl Default for Backoff"])
    assert not any("describes, compares or copies" in r for r in default.reasons()), default.reasons()
    assert default.agent == BJ, default.reasons()


def test_a_private_should_retry_that_caps_retry_after_is_the_state_machines(router):
    """A predicate named `_should_retry` (a private method) decides whether to retry. Reading
    Retry-After only to give up when it is too long is a stop condition, not a delay."""
    py = b"""class BaseClient:
    def _should_retry(self, response) -> bool:
        retry_after = self._parse_retry_after_header(response.headers)
        if retry_after is not None and retry_after > MAX_RETRY_AFTER_DELAY:
            log.debug("Not retrying because `Retry-After` of %s seconds is too long", retry_after)
            return False
        if response.status_code == 429:
            return True
        return response.status_code >= 500
"""
    routed = router.route(units("_base_client.py", py)["BaseClient._should_retry"])
    assert any(r.startswith("retry-state-machine:should-retry predicate") for r in routed.reasons()), routed.reasons()
    assert routed.agent == SM, routed.reasons()


def test_the_arguments_of_a_retry_event_carry_its_delay_but_choose_none(router):
    """A C# event-arguments type (`OnRetryArguments`) hands the delay already chosen to a
    listener: it is named for the event it reports, like an `onRetry` handler."""
    cs = b"""public readonly struct OnRetryArguments<TResult>
{
    /// <param name="attemptNumber">The zero-based attempt number.</param>
    /// <param name="retryDelay">The delay before the next retry.</param>
    public OnRetryArguments(int attemptNumber, TimeSpan retryDelay, TimeSpan duration)
    {
        AttemptNumber = attemptNumber;
        RetryDelay = retryDelay;
        Duration = duration;
    }

    public TimeSpan RetryDelay { get; }
}
"""
    found = units("OnRetryArguments.cs", cs)
    for name in ("OnRetryArguments", "OnRetryArguments.OnRetryArguments"):
        routed = router.route(found[name])
        assert any(r.startswith("backoff-jitter:handles an event") for r in routed.reasons()), (name, routed.reasons())
        assert routed.agent != BJ, (name, routed.reasons())


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
    found = units("lib/delayed/worker.rb", rb)
    reschedule = router.route(found["Delayed.Job.reschedule_at"])
    assert any("grows with the attempt number" in r for r in reschedule.reasons()), reschedule.reasons()
    assert reschedule.agent == BJ, reschedule.reasons()
    flag = router.route(found["Delayed.Worker.DEFAULT_DELAY_JOBS"])
    assert any("a true/false flag" in r for r in flag.reasons()), flag.reasons()
    assert flag.agent is None, flag.reasons()


def test_retry_after_an_error_is_a_condition_not_the_header(router):
    """`AddRetryAfterErrorCondition` says "retry after an error": a should-retry rule. The
    header's value (`retryAfterSeconds`) is still a delay."""
    go = b"""package resty

func (c *Client) AddRetryAfterErrorCondition() *Client {
	c.AddRetryCondition(func(response *Response, err error) bool {
		return response.IsError()
	})
	return c
}

func retryAfterSeconds(resp *Response) time.Duration {
	secs, err := strconv.Atoi(resp.Header().Get("Retry-After"))
	if err != nil {
		return 0
	}
	return time.Duration(secs) * time.Second
}
"""
    found = units("client.go", go)
    condition = router.route(found["Client.AddRetryAfterErrorCondition"])
    assert not any("delay-like name" in r for r in condition.reasons()), condition.reasons()
    assert condition.agent != BJ, condition.reasons()
    assert router.route(found["retryAfterSeconds"]).agent == BJ


def test_a_delay_folder_is_no_backoff_package_but_a_backoff_folder_is(router):
    """A `delay/` folder holds delay queues as often as delay strategies (a job pushed with a
    delay, an audio delay line), so only `backoff/` and `jitter/` speak for their units."""
    go = b"""package delay

// Push schedules the job to run after its delay.
func (q *Queue) Push(job *Job, delay time.Duration) error {
	return q.store.Add(job, time.Now().Add(delay))
}
"""
    queue = router.route(units("pkg/delay/queue.go", go)["Queue.Push"])
    assert not any("in a folder named" in r for r in queue.reasons()), queue.reasons()
    assert queue.agent is None, queue.reasons()
    rust = b"""/// Each retry uses a fixed delay.
pub struct Fixed {
    duration: Duration,
}
"""
    fixed = router.route(units("src/backoff/fixed.rs", rust)["Fixed"])
    assert any("in a folder named for backoff or jitter" in r for r in fixed.reasons()), fixed.reasons()
    assert fixed.agent == BJ, fixed.reasons()
    assert router.route(units("src/delay/mod.rs", rust)["Fixed"]).agent is None


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
    found = units("ExponentialBackoffRetry.java", java) | units("RetryNTimes.java", fixed)
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
    routed = router.route(units("ExponentialRetryPolicy.cs", cs)["ExponentialRetryPolicy.ExponentialRetryPolicy"])
    assert not any("retry-driver name" in r for r in routed.reasons()), routed.reasons()
    assert routed.agent == BJ, routed.reasons()


def test_keyword_arguments_are_no_power_and_a_capacity_is_no_cap(router):
    """Python's `**kwargs` is not `**` the power: a task's `delay(*args, **kwargs)` that only
    forwards computes no delay, while `base ** attempt` grows. `DEFAULT_CAP` beside a backoff
    may be its cap, but the name is as often a capacity (how many waiters a pool keeps): the
    name alone does not make it a delay."""
    py = b"""# how many waiters the pool keeps before it sheds load
DEFAULT_CAP = 128


class Task:
    def delay(self, *args, **kwargs):
        return self.apply_async(args, kwargs)


def backoff_delay(attempt):
    return min(DEFAULT_CAP, 0.008 * 2 ** attempt)
"""
    found = units("celery/app/task.py", py)
    delay = router.route(found["Task.delay"])
    assert any("computes none" in r for r in delay.reasons()), delay.reasons()
    assert delay.agent is None, delay.reasons()
    assert router.route(found["DEFAULT_CAP"]).agent is None
    assert router.route(found["backoff_delay"]).agent == BJ


def test_jitter_on_a_connection_lifetime_is_no_retry_delay(router):
    """A pool's `ConnMaxLifetimeJitter` spreads when connections are recycled; passing it on
    beside the dialer's retry settings does not make the pool builder delay code."""
    go = b"""package redis

func newConnPool(opt *Options) *pool.ConnPool {
	return pool.NewConnPool(&pool.Options{
		PoolSize:              opt.PoolSize,
		DialerRetries:         opt.DialerRetries,
		DialerRetryBackoff:    opt.DialerRetryBackoff,
		ConnMaxLifetime:       opt.ConnMaxLifetime,
		ConnMaxLifetimeJitter: opt.ConnMaxLifetimeJitter,
	})
}
"""
    routed = router.route(units("options.go", go)["newConnPool"])
    assert any("connection lifetime" in r for r in routed.reasons()), routed.reasons()
    assert routed.agent is None, routed.reasons()


def test_asking_whether_to_back_off_or_how_long_it_has_been_is_no_delay(router):
    """`isBackOffRequired` answers yes or no and `getElapsedTimeMillis` feeds a deadline: both
    sit in a backoff type, neither chooses a wait. The type's next-delay method still does."""
    java = b"""public class ExponentialBackOffPolicy implements BackOffPolicy {
  public boolean isBackOffRequired(int statusCode) {
    return statusCode == 500 || statusCode == 503;
  }

  /** Returns the elapsed time since an {@link ExponentialBackOff} instance was created. */
  public final long getElapsedTimeMillis() {
    return (nanoClock.nanoTime() - startTimeNanos) / 1000000;
  }

  public long getNextBackOffMillis() {
    long delta = (long) (randomizationFactor * currentIntervalMillis);
    return currentIntervalMillis - delta + (long) (Math.random() * (2 * delta + 1));
  }
}
"""
    found = units("ExponentialBackOffPolicy.java", java)
    for name in ("ExponentialBackOffPolicy.isBackOffRequired", "ExponentialBackOffPolicy.getElapsedTimeMillis"):
        routed = router.route(found[name])
        assert any("asks whether a wait is needed" in r for r in routed.reasons()), (name, routed.reasons())
        assert routed.agent != BJ, (name, routed.reasons())
    assert router.route(found["ExponentialBackOffPolicy.getNextBackOffMillis"]).agent == BJ


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
    routed = router.route(units(path, src)[name])
    assert routed.agent == BJ, routed.reasons()


def test_the_fixed_waits_of_pollers_stay_out(router):
    """Waiting for a database to accept connections, or for another request to finish filling a
    cache, polls at a fixed period: `RETRY_WAIT` and `wait_duration` name no backoff."""
    rust = b"""pub async fn wait_for_dsn(host: &str, port: u16) {
    const RETRY_WAIT: Duration = Duration::from_millis(500);
    loop {
        if tokio::net::TcpStream::connect((host, port)).await.is_ok() {
            break;
        }
        tracing::debug!("connection attempt failed, retrying in {RETRY_WAIT:?}...");
        tokio::time::sleep(RETRY_WAIT).await;
    }
}

/// Returns the duration to sleep before retrying to find a finished response in the cache
const fn wait_duration() -> Duration {
    Duration::from_millis(200)
}
"""
    found = units("src/wait_for.rs", rust)
    for name in ("wait_for_dsn::RETRY_WAIT", "wait_duration"):
        routed = router.route(found[name])
        assert routed.agent != BJ, (name, routed.reasons())


def test_sleeping_the_delay_a_backoff_object_chose_runs_the_retry(router):
    """`BackOffUtils.next` asks the backoff for its next delay, stops on STOP, sleeps, and says
    whether to try again: the wait between attempts, with the delay chosen elsewhere."""
    java = b"""public final class BackOffUtils {
  public static boolean next(Sleeper sleeper, BackOff backOff) throws InterruptedException {
    long backOffTime = backOff.nextBackOffMillis();
    if (backOffTime == BackOff.STOP) {
      return false;
    }
    sleeper.sleep(backOffTime);
    return true;
  }
}
"""
    routed = router.route(units("BackOffUtils.java", java)["BackOffUtils.next"])
    assert any(r.startswith("backoff-jitter:sleeps the delay a backoff object chose") for r in routed.reasons()), routed.reasons()
    assert any(r.startswith("retry-state-machine:sleeps the delay a backoff object chose") for r in routed.reasons()), routed.reasons()
    assert routed.agent == SM, routed.reasons()


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
    found = units("default_rate_limiters.go", go)
    failure = router.route(found["ItemExponentialFailureRateLimiter.When"])
    assert not any("rate limiter or token bucket" in r for r in failure.reasons()), failure.reasons()
    assert failure.agent == BJ, failure.reasons()
    assert router.route(found["BucketRateLimiter.When"]).agent is None


def test_a_delaying_queue_carries_delays_it_is_given(router):
    """A "delaying" queue holds items until a time it is told: its config names no delay of its
    own (`delay` counts as a delay's name, `delaying` does not)."""
    go = b"""package workqueue

// DelayingQueueConfig specifies optional configurations to customize a delaying queue.
type DelayingQueueConfig struct {
	Name  string
	Clock clock.WithTicker
	Queue Interface
}
"""
    routed = router.route(units("delaying_queue.go", go)["DelayingQueueConfig"])
    assert not any("delay-like name" in r for r in routed.reasons()), routed.reasons()
    assert routed.agent is None, routed.reasons()


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
    routed = router.route(units("MultiplierRetryStrategy.php", php)["MultiplierRetryStrategy.__construct"])
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
    found = units("MqttAsyncClient.java", java)
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
    routed = router.route(units("Attributes/Backoff.php", php)["Backoff"])
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
    routed = router.route(units(path, src)[name])
    assert not any("per-call timeout" in r for r in routed.reasons()), routed.reasons()
    assert routed.agent == BJ, routed.reasons()


def test_a_poller_that_fetches_the_next_delayed_job_runs_no_retry(router):
    """`queue.nextDelayedJob()` is no next delay: a worker that polls for delayed jobs and
    sleeps a fixed period neither delegates a backoff nor sleeps one."""
    java = b"""public class Worker {
  public void run() throws InterruptedException {
    while (!stopped) {
      Job job = queue.nextDelayedJob();
      if (job == null) {
        Thread.sleep(pollMillis);
        continue;
      }
      job.perform();
    }
  }
}
"""
    routed = router.route(units("Worker.java", java)["Worker.run"])
    assert not any("delegates the delay" in r or "sleeps the delay" in r for r in routed.reasons()), routed.reasons()
    assert routed.agent is None, routed.reasons()


def test_a_loop_that_sleeps_next_backoff_millis_delegates_its_delay(router):
    """The state machine's delegation signal sees a next-delay call with a unit suffix
    (`nextBackOffMillis()`), as it sees `nextBackOff()`."""
    java = b"""public class Retrier {
  public <T> T call(Callable<T> op) throws Exception {
    for (int attempt = 0; ; attempt++) {
      try {
        return op.call();
      } catch (IOException e) {
        long millis = backOff.nextBackOffMillis();
        if (millis == BackOff.STOP) {
          throw e;
        }
        sleeper.sleep(millis);
      }
    }
  }
}
"""
    routed = router.route(units("Retrier.java", java)["Retrier.call"])
    assert any(r.startswith("retry-state-machine:delegates the delay") for r in routed.reasons()), routed.reasons()
    assert routed.agent == SM, routed.reasons()


@pytest.mark.parametrize("path,src,name", [
    ("settings.py", b"# stop retrying after this many seconds\nMAX_RETRY_DURATION = 300\n", "MAX_RETRY_DURATION"),
    ("retry.go", b"""package retry

// Stop is a retry runner's switch: it stops retrying after the current attempt.
func (r *BackoffRetry) Stop() {
	r.stopped = true
}
""", "BackoffRetry.Stop"),
    ("cache.py", b"# a response may be reused for this long before the backoff cache refetches it\nMAX_AGE = 60\n", "MAX_AGE"),
])
def test_deadlines_switches_runners_and_ages_are_no_delays(router, path, src, name):
    """An overall retry duration is a deadline; a runner type merely named `BackoffRetry` does not
    make its `Stop` delay code (only a type named for its kind of delay leans to backoff); a
    cache's max age is a lifetime."""
    routed = router.route(units(path, src)[name])
    assert routed.agent != BJ, routed.reasons()


def test_a_delay_cap_that_is_allowed_is_no_yes_or_no_question(router):
    """`MAX_DELAY_ALLOWED` is a number, a cap: the yes/no negative is for `isBackOffRequired`
    and its kin, spelled in camel or snake case, not for constants. `Integer.MAX_VALUE` is a
    number under a delay's name, wherever it is declared."""
    py = b"# the longest backoff we wait\nMAX_DELAY_ALLOWED = 60.0\n"
    routed = router.route(units("limits.py", py)["MAX_DELAY_ALLOWED"])
    assert not any("asks whether a wait is needed" in r for r in routed.reasons()), routed.reasons()
    assert routed.agent == BJ, routed.reasons()
    java = b"""public class Limits {
    // the longest sleep between two retries
    private static final int DEFAULT_MAX_SLEEP_MS = Integer.MAX_VALUE;
}
"""
    sleep = router.route(units("Limits.java", java)["Limits.DEFAULT_MAX_SLEEP_MS"])
    assert any(r.startswith("backoff-jitter:declares a number") for r in sleep.reasons()), sleep.reasons()


def test_a_boolean_field_is_weighed_as_a_switch(router):
    """A typed boolean field (`boolean delayOnConflict = ...`) is a switch; the flag negative
    weighs it down whatever its initializer (a jitter switch can still win on the backoff
    words around it: whether to jitter is a delay parameter)."""
    java = b"""public class Settings {
  // wait a delay before retrying a conflicting write
  private boolean delayOnConflict = DEFAULTS.delayOnConflict();
}
"""
    unit = units("Settings.java", java)["Settings.delayOnConflict"]
    hits = router.score(unit, full=True)[1]
    assert any(s.name.startswith("a true/false flag") for s in hits), hits
    assert router.route(unit).agent is None


def test_a_backoff_decorator_that_only_limits_attempts_is_the_state_machines(router):
    """`AttemptLimitingBackoff.nextDelayMillis` gives up past the attempt limit (`return -1` is a
    literal, not arithmetic) and otherwise forwards to `super.nextDelayMillis`: the delay is the
    wrapped one's, the stop condition is its own."""
    java = b"""final class AttemptLimitingBackoff extends BackoffWrapper {
    @Override
    public long nextDelayMillis(int numAttemptsSoFar) {
        if (numAttemptsSoFar >= maxAttempts) {
            return -1;
        }
        return super.nextDelayMillis(numAttemptsSoFar);
    }
}
"""
    routed = router.route(units("AttemptLimitingBackoff.java", java)["AttemptLimitingBackoff.nextDelayMillis"])
    assert any(r.startswith("backoff-jitter:forwards to a wrapped backoff") for r in routed.reasons()), routed.reasons()
    assert routed.agent == SM, routed.reasons()


def test_an_exponent_base_is_a_growth_factor(router):
    """`DEFAULT_CONNECTION_RETRY_EXPONENT_BASE = 2.0` is the base the reconnect delay is raised
    from: a growth factor, like a multiplier."""
    rust = b"impl ConnectionManagerConfig {\n    const DEFAULT_CONNECTION_RETRY_EXPONENT_BASE: f32 = 2.0;\n}\n"
    routed = router.route(units("connection_manager.rs", rust)
                          ["ConnectionManagerConfig::DEFAULT_CONNECTION_RETRY_EXPONENT_BASE"])
    assert routed.agent == BJ, routed.reasons()
