"""Where the backoff agent's topic ends: code that sits beside delay code, names its parameters
or reads the same header, but chooses no wait before the next try (tests/test_route_delay_code.py
holds the other side: code that is about delays though its names hide it). Each case is one that
a first measurement on an untuned library routed wrongly."""

from __future__ import annotations

import pytest

from support import units_of

BJ, SM = "svix-backoff-jitter", "svix-retry-state-machine"


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
    found = units_of("RetrySettings.java", java)
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
    found = units_of("src/client/backoff.rs", rust)
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
    routed = router.route(units_of("_base_client.py", py)["BaseClient._should_retry"])
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
    found = units_of("OnRetryArguments.cs", cs)
    for name in ("OnRetryArguments", "OnRetryArguments.OnRetryArguments"):
        routed = router.route(found[name])
        assert any(r.startswith("backoff-jitter:handles an event") for r in routed.reasons()), (name, routed.reasons())
        assert routed.agent != BJ, (name, routed.reasons())


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
    found = units_of("client.go", go)
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
    queue = router.route(units_of("pkg/delay/queue.go", go)["Queue.Push"])
    assert not any("in a folder named" in r for r in queue.reasons()), queue.reasons()
    assert queue.agent is None, queue.reasons()
    rust = b"""/// Each retry uses a fixed delay.
pub struct Fixed {
    duration: Duration,
}
"""
    fixed = router.route(units_of("src/backoff/fixed.rs", rust)["Fixed"])
    assert any("in a folder named for backoff or jitter" in r for r in fixed.reasons()), fixed.reasons()
    assert fixed.agent == BJ, fixed.reasons()
    assert router.route(units_of("src/delay/mod.rs", rust)["Fixed"]).agent is None


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
    found = units_of("celery/app/task.py", py)
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
    routed = router.route(units_of("options.go", go)["newConnPool"])
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
    found = units_of("ExponentialBackOffPolicy.java", java)
    for name in ("ExponentialBackOffPolicy.isBackOffRequired", "ExponentialBackOffPolicy.getElapsedTimeMillis"):
        routed = router.route(found[name])
        assert any("asks whether a wait is needed" in r for r in routed.reasons()), (name, routed.reasons())
        assert routed.agent != BJ, (name, routed.reasons())
    assert router.route(found["ExponentialBackOffPolicy.getNextBackOffMillis"]).agent == BJ


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
    found = units_of("src/wait_for.rs", rust)
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
    routed = router.route(units_of("BackOffUtils.java", java)["BackOffUtils.next"])
    assert any(r.startswith("backoff-jitter:sleeps the delay a backoff object chose") for r in routed.reasons()), routed.reasons()
    assert any(r.startswith("retry-state-machine:sleeps the delay a backoff object chose") for r in routed.reasons()), routed.reasons()
    assert routed.agent == SM, routed.reasons()


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
    routed = router.route(units_of("delaying_queue.go", go)["DelayingQueueConfig"])
    assert not any("delay-like name" in r for r in routed.reasons()), routed.reasons()
    assert routed.agent is None, routed.reasons()


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
    routed = router.route(units_of("Worker.java", java)["Worker.run"])
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
    routed = router.route(units_of("Retrier.java", java)["Retrier.call"])
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
    routed = router.route(units_of(path, src)[name])
    assert routed.agent != BJ, routed.reasons()


def test_a_boolean_field_is_weighed_as_a_switch(router):
    """A typed boolean field (`boolean delayOnConflict = ...`) is a switch; the flag negative
    weighs it down whatever its initializer (a jitter switch can still win on the backoff
    words around it: whether to jitter is a delay parameter)."""
    java = b"""public class Settings {
  // wait a delay before retrying a conflicting write
  private boolean delayOnConflict = DEFAULTS.delayOnConflict();
}
"""
    unit = units_of("Settings.java", java)["Settings.delayOnConflict"]
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
    routed = router.route(units_of("AttemptLimitingBackoff.java", java)["AttemptLimitingBackoff.nextDelayMillis"])
    assert any(r.startswith("backoff-jitter:forwards to a wrapped backoff") for r in routed.reasons()), routed.reasons()
    assert routed.agent == SM, routed.reasons()

