"""Idioms the packs knew, spelled another way in a new library: a camelCase `failureWait` for a
`failure_wait`, a Go duration constant for a number, a call to a backoff function for a call to a
backoff object's method, `RetryOptions` (settings) read as `retry_op` (a driver), a stop check
that lives on a type named `Backoff`. Each case is one that a first measurement on an untuned
library missed or routed wrongly."""

from __future__ import annotations

from support import units_of

BJ = "svix-backoff-jitter"
SM = "svix-retry-state-machine"


def test_a_polling_loop_that_tells_a_backoff_object_to_sleep_runs_the_retries(router):
    """`await backoff.asleep()` in a `while True` hands the delay to the backoff object: the loop
    is the state machine's, however often it names the backoff."""
    py = b"""class Dispatcher:
    async def _listen_updates(self, bot, backoff_config):
        backoff = Backoff(config=backoff_config)
        failed = False
        while True:
            try:
                updates = await bot.get_updates()
            except Exception:
                failed = True
                log.warning("sleep for %f seconds", backoff.next_delay)
                await backoff.asleep()
                continue
            if failed:
                backoff.reset()
                failed = False
            for update in updates:
                yield update
"""
    r = router.route(units_of("dispatcher.py", py)["Dispatcher._listen_updates"])
    assert any("asks a backoff object for each delay" in x for x in r.reasons()), r.reasons()


GO_REPLICATION = b"""package raft

const (
	maxFailureScale = 12
	failureWait     = 10 * time.Millisecond
)

func (r *Raft) heartbeat(s *followerReplication, stopCh chan struct{}) {
	var failures uint64
	for {
		select {
		case <-s.notifyCh:
		case <-stopCh:
			return
		}
		if err := r.trans.AppendEntries(s.peer.ID, &req, &resp); err != nil {
			nextBackoffTime := cappedExponentialBackoff(failureWait, failures, maxFailureScale, r.timeout/2)
			failures++
			select {
			case <-time.After(nextBackoffTime):
			case <-stopCh:
				return
			}
		} else {
			failures = 0
		}
	}
}
"""


def test_a_camelcase_wait_constant_in_go_duration_units_is_a_delay_parameter(router):
    """`failureWait = 10 * time.Millisecond` is `failure_wait` in camelCase, and a Go duration
    constant is a number in units: the base delay of the backoff below."""
    r = router.route(units_of("replication.go", GO_REPLICATION)["failureWait"])
    assert any("wait identifier" in x for x in r.reasons()), r.reasons()
    assert any("declares a number" in x for x in r.reasons()), r.reasons()
    assert r.agent == BJ, r.reasons()


def test_a_loop_that_calls_a_backoff_function_and_waits_runs_the_retries(router):
    """The heartbeat loop asks `cappedExponentialBackoff` for the delay and waits it out with
    `time.After`: it runs the retries, the function computes, so it is no backoff code however
    many delay names it passes along."""
    r = router.route(units_of("replication.go", GO_REPLICATION)["Raft.heartbeat"])
    assert any("calls a backoff function and waits" in x for x in r.reasons()), r.reasons()
    assert r.agent != BJ, r.reasons()


def test_retry_options_are_settings_not_a_retry_driver(router):
    """`^retry_?op` was meant for `retry_op`, a function that runs retries; `RetryOptions` is a
    settings type, and its reasons must not call it a driver. `retry_op` and `retryOnError`
    still are."""
    py = b"""class RetryOptions:
    def __init__(self, attempts=3, start_timeout=0.1):
        self.attempts = attempts
        self.start_timeout = start_timeout


def retry_op(fn, attempts):
    for _ in range(attempts):
        try:
            return fn()
        except IOError:
            pass


def retryOnError(fn):
    return retry_op(fn, 3)
"""
    found = units_of("retry_options.py", py)
    opts = router.route(found["RetryOptions"])
    assert not any("retry-driver name" in x for x in opts.reasons()), opts.reasons()
    for name in ("retry_op", "retryOnError"):
        r = router.route(found[name])
        assert any("retry-driver name" in x for x in r.reasons()), (name, r.reasons())


def test_a_scale_factor_of_a_backoff_is_its_growth_factor(router):
    """`scaleFactor` names the multiplier of an exponential backoff in another word."""
    kt = b"""public class ExponentialBackoffWithJitter(public val config: Config) {
    public class Config {
        public class Builder {
            public var initialDelay: Duration = 10.milliseconds
            public var scaleFactor: Double = 1.5
        }
    }
}
"""
    r = router.route(units_of("ExponentialBackoffWithJitter.kt", kt)["ExponentialBackoffWithJitter.Config.Builder.scaleFactor"])
    assert any("growth factor" in x for x in r.reasons()), r.reasons()
    assert r.agent == BJ, r.reasons()


def test_a_stop_check_on_a_backoff_type_is_not_delay_code(router):
    """`Ongoing` lives on a `Backoff`, in a `backoff/` folder, but it only compares the retries
    made with their limit: a stop check (a Go receiver `(b *Backoff)` is no multiplication). Its
    sibling `NextDelay` computes, and stays delay code."""
    go = b"""package backoff

func (b *Backoff) Ongoing() bool {
	return b.ctx.Err() == nil && (b.cfg.MaxRetries == 0 || b.numRetries < b.cfg.MaxRetries)
}

func (b *Backoff) NextDelay() time.Duration {
	if b.numRetries >= b.cfg.MaxRetries {
		return b.cfg.MaxBackoff
	}
	b.nextDelayMin = doubleDuration(b.nextDelayMin, b.cfg.MaxBackoff)
	return b.nextDelayMin + time.Duration(rand.Int63n(int64(b.nextDelayMax-b.nextDelayMin)))
}
"""
    found = units_of("backoff/backoff.go", go)
    ongoing = router.route(found["Backoff.Ongoing"])
    assert any("a stop check" in x for x in ongoing.reasons()), ongoing.reasons()
    assert ongoing.agent != BJ, ongoing.reasons()
    nxt = router.route(found["Backoff.NextDelay"])
    assert not any("a stop check" in x for x in nxt.reasons()), nxt.reasons()
    assert nxt.agent == BJ, nxt.reasons()


def test_a_retry_loop_that_waits_on_a_shutdown_event_is_the_state_machines(router):
    """`self._shutdown_event.wait(backoff)` is Python's sleep that a shutdown can cut short;
    `retry_num` counts the attempts and `_MAX_RETRYS` limits them (a leading underscore, and
    the misspelling, as written), and `export` is no `expo` (litl/backoff's exponential). The loop also draws its own jittered delay, but it runs the
    retries: the state machine's."""
    py = b"""import random

_MAX_RETRYS = 6


class _OTLPHTTPClient:
    def export(self, body, deadline_sec):
        for retry_num in range(_MAX_RETRYS):
            resp = self._export(body, deadline_sec - time())
            if resp.ok:
                return resp
            if not _is_retryable(resp) or retry_num + 1 == _MAX_RETRYS:
                return resp
            backoff = 2**retry_num * random.uniform(0.8, 1.2)
            if backoff > deadline_sec - time():
                return resp
            if self._shutdown_event.wait(backoff):
                return resp
        return resp
"""
    r = router.route(units_of("otlp/http.py", py)["_OTLPHTTPClient.export"])
    assert not any("delay-like name" in x for x in r.reasons()), r.reasons()  # `export` is no `expo`
    for reason in ("loop around a sleep", "attempt counter", "attempt limit"):
        assert any(reason in x for x in r.reasons()), (reason, r.reasons())
    assert r.agent == SM, r.reasons()


def test_a_loop_that_counts_attempts_down_to_a_deadline_is_not_delay_code(router):
    """`attempts--` counts the attempts down from the limit, and the overall `deadline` is a
    stop condition: this loop computes a jittered delay inline, but it runs the retries, so the
    delay code does not take it."""
    ts = b"""export class RetryingTransport {
  async send(data: Uint8Array, timeoutMillis: number): Promise<ExportResponse> {
    let attempts = MAX_ATTEMPTS;
    let nextBackoff = INITIAL_BACKOFF;
    const deadline = Date.now() + timeoutMillis;
    let result = await this._transport.send(data, timeoutMillis);
    while (result.status === 'retryable' && attempts > 0) {
      attempts--;
      const backoff = Math.max(Math.min(nextBackoff * (1 + getJitter()), MAX_BACKOFF), 0);
      nextBackoff = nextBackoff * BACKOFF_MULTIPLIER;
      const retryInMillis = result.retryInMillis ?? backoff;
      const remainingTimeoutMillis = deadline - Date.now();
      if (retryInMillis > remainingTimeoutMillis) {
        return result;
      }
      result = await this.retry(data, remainingTimeoutMillis, retryInMillis);
    }
    return result;
  }
}
"""
    r = router.route(units_of("retrying-transport.ts", ts)["RetryingTransport.send"])
    assert any("counts an attempt" in x for x in r.reasons()), r.reasons()
    assert any("stop or give-up signal" in x and "(deadline)" in x for x in r.reasons()), r.reasons()
    assert r.agent != BJ, r.reasons()


def test_a_limit_on_attempts_inside_a_backoff_type_is_the_state_machines(router):
    """`DEFAULT_MAX_ATTEMPTS` and `UNLIMITED_ATTEMPTS` live in a backoff class, in a `backoff/`
    folder, but they bound the attempts: a stop condition. The delay defaults beside them stay
    delay code."""
    java = b"""package org.springframework.util.backoff;

public class ExponentialBackOff implements BackOff {
    public static final long DEFAULT_INITIAL_INTERVAL = 2000L;
    public static final int DEFAULT_MAX_ATTEMPTS = Integer.MAX_VALUE;
    public static final long UNLIMITED_ATTEMPTS = Long.MAX_VALUE;
}
"""
    found = units_of("util/backoff/ExponentialBackOff.java", java)
    for name in ("ExponentialBackOff.DEFAULT_MAX_ATTEMPTS", "ExponentialBackOff.UNLIMITED_ATTEMPTS"):
        r = router.route(found[name])
        assert any("named for a limit on attempts" in x for x in r.reasons()), (name, r.reasons())
        assert any(x.startswith("retry-state-machine:attempt limit") for x in r.reasons()), (name, r.reasons())
        assert r.agent != BJ, (name, r.reasons())
    assert router.route(found["ExponentialBackOff.DEFAULT_INITIAL_INTERVAL"]).agent == BJ


def test_a_list_of_numbers_named_for_reconnect_intervals_is_a_schedule(router):
    """`[1000, 2000, 5000, 10000] as const` is a schedule in milliseconds, as much as a list of
    durations is; a list of status codes beside it is not delay code."""
    ts = b"""const RECONNECT_INTERVALS = [1000, 2000, 5000, 10000] as const
const RETRYABLE_STATUS_CODES = [429, 502, 503, 504]
"""
    found = units_of("src/RealtimeClient.ts", ts)
    r = router.route(found["RECONNECT_INTERVALS"])
    assert any("declares a list of numbers" in x for x in r.reasons()), r.reasons()
    assert r.agent == BJ, r.reasons()
    codes = router.route(found["RETRYABLE_STATUS_CODES"])
    assert not any("declares a list of numbers" in x for x in codes.reasons()), codes.reasons()
    assert codes.agent != BJ, codes.reasons()


def test_members_of_a_type_named_for_its_kind_of_delay_are_delay_code(router):
    """lettuce calls its strategies `Delay`, `ExponentialDelay`, `FullJitterDelay`: a type named
    for a kind of delay is a delay strategy, like one named for a kind of backoff, so its
    members lean to delay code; a `NetworkDelay` simulator's members do not."""
    java = b"""public class ExponentialDelay extends Delay {
    protected long calculateAlternatePower(long attempt) {
        if (attempt > 62) {
            return Long.MAX_VALUE;
        }
        return (long) Math.pow(powersOf, attempt);
    }
}
"""
    sim = b"""public class NetworkDelay {
    protected long calculate(long hops) {
        return hops > 62 ? Long.MAX_VALUE : (long) Math.pow(2, hops);
    }
}
"""
    r = router.route(units_of("resource/ExponentialDelay.java", java)["ExponentialDelay.calculateAlternatePower"])
    assert any("member of a backoff or wait-strategy type" in x for x in r.reasons()), r.reasons()
    assert r.agent == BJ, r.reasons()
    s = router.route(units_of("sim/NetworkDelay.java", sim)["NetworkDelay.calculate"])
    assert not any("member of a backoff or wait-strategy type" in x for x in s.reasons()), s.reasons()


def test_members_of_a_backoff_timer_or_schedule_lean_to_delay_code(router):
    """pynsq's `BackoffTimer` computes the next interval from its success and failure counts: a
    type named for a backoff timer, schedule or calculator is a delay strategy, so its members
    lean to delay code."""
    py = b"""class BackoffTimer:
    def failure(self):
        self.short_interval += self.short_unit
        self.long_interval += self.long_unit
        self.short_interval = min(self.short_interval, self.max_short_timer)
        self.long_interval = min(self.long_interval, self.max_long_timer)
        self.update_interval()
"""
    r = router.route(units_of("nsq/backoff_timer.py", py)["BackoffTimer.failure"])
    assert any("member of a backoff or wait-strategy type" in x for x in r.reasons()), r.reasons()
    assert r.agent == BJ, r.reasons()


def test_a_private_reset_of_a_backoff_is_its_reset_method(router):
    """Python's `_reset` is the backoff's reset method with a leading underscore for privacy
    (and `_next_delay` would be its next-delay method)."""
    py = b"""class _BaseExponentialBackoff:
    def _reset(self):
        self._backoff_count = 0
        self._current_wait_in_seconds = self._initial_wait_seconds
"""
    r = router.route(units_of("google/auth/_exponential_backoff.py", py)["_BaseExponentialBackoff._reset"])
    assert any("the next-delay or reset method" in x for x in r.reasons()), r.reasons()
    assert r.agent == BJ, r.reasons()
