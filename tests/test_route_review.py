"""Counter-examples an independent review found in this session's pack changes: each is a wrong
decision or a misleading reason on ordinary code, fixed in the packs, and kept here so it stays
fixed."""

from __future__ import annotations

from support import units_of

BJ = "svix-backoff-jitter"
SM = "svix-retry-state-machine"


def test_a_delay_computed_as_a_power_after_a_stop_check_is_still_delay_code(router):
    """`2 ** attempt` computes a delay: the stop check's negative must not fire on it (it read
    `**` and an operand after `(` as no arithmetic). A Go pointer parameter is no arithmetic
    either, so a real stop check with one still counts as one."""
    py = b"""MAX_ATTEMPTS = 5


def compute_wait_s(attempt, max_attempts=MAX_ATTEMPTS):
    if attempt >= max_attempts:
        return None
    return 2 ** attempt
"""
    go = b"""package backoff

func (b *Backoff) Ongoing(st *state) bool {
	return st.numRetries < b.cfg.MaxRetries
}
"""
    wait = router.route(units_of("wait_s.py", py)["compute_wait_s"])
    assert not any("a stop check" in x for x in wait.reasons()), wait.reasons()
    assert wait.agent == BJ, wait.reasons()
    ongoing = router.route(units_of("backoff/backoff.go", go)["Backoff.Ongoing"])
    assert any("a stop check" in x for x in ongoing.reasons()), ongoing.reasons()


def test_a_scale_factor_outside_retry_code_is_no_growth_factor(router):
    """A renderer's `scale_factor` drawn at random is graphics, not a backoff's multiplier: the
    name counts only inside a type or file scope about backoff, retries or delays."""
    py = b"""import random


def scale_factor():
    return 0.5 + random.random()
"""
    r = router.route(units_of("render.py", py)["scale_factor"])
    assert not any("scale factor" in x or "growth factor" in x for x in r.reasons()), r.reasons()
    assert r.agent != BJ, r.reasons()


def test_settings_in_screaming_case_are_not_a_retry_driver(router):
    """`RETRY_OPTS` and `RETRY_OPTIONS` are settings, as `RetryOptions` is; `RETRY_ON_ERROR`
    still names a driver."""
    py = b"""RETRY_OPTS = {"retries": 3, "timeout": 10}
RETRY_OPTIONS = {"retries": 3}


def RETRY_ON_ERROR(fn):
    return fn
"""
    found = units_of("settings.py", py)
    for name in ("RETRY_OPTS", "RETRY_OPTIONS"):
        r = router.route(found[name])
        assert not any("retry-driver name" in x for x in r.reasons()), (name, r.reasons())
    r = router.route(found["RETRY_ON_ERROR"])
    assert any("retry-driver name" in x for x in r.reasons()), r.reasons()


def test_compound_limits_on_attempts_are_stop_conditions(router):
    """Polly's `MaxRetryAttempts`, `MAX_RETRY_COUNT` and `MAX_NUM_RETRIES` bound the attempts,
    like `DEFAULT_MAX_ATTEMPTS`, even inside a backoff class."""
    java = b"""package org.example.util.backoff;

public class ExponentialBackOff implements BackOff {
    public static final int MaxRetryAttempts = 3;
    public static final int MAX_RETRY_COUNT = 5;
    public static final int MAX_NUM_RETRIES = 5;
}
"""
    found = units_of("util/backoff/ExponentialBackOff.java", java)
    for name in ("MaxRetryAttempts", "MAX_RETRY_COUNT", "MAX_NUM_RETRIES"):
        r = router.route(found[f"ExponentialBackOff.{name}"])
        assert any("named for a limit on attempts" in x for x in r.reasons()), (name, r.reasons())
        assert r.agent != BJ, (name, r.reasons())


def test_go_duration_constants_in_every_spelling_declare_a_number(router):
    """`time.Millisecond * 10`, a bare `time.Second` and a typed `time.Duration` constant are
    the same parameter as `10 * time.Millisecond`."""
    go = b"""package raft

const (
	failureWait = 10 * time.Millisecond
	errorWait   = time.Millisecond * 10
	idleWait    = time.Second
)

const stallWait time.Duration = 10 * time.Millisecond
"""
    found = units_of("replication.go", go)
    for name in ("failureWait", "errorWait", "idleWait", "stallWait"):
        r = router.route(found[name])
        assert any("declares a number" in x for x in r.reasons()), (name, r.reasons())
        assert r.agent == BJ, (name, r.reasons())


def test_flags_and_types_ending_in_wait_are_no_wait_identifier(router):
    """`shouldWait` (a yes/no) and .NET's `SpinWait` (a spinning primitive) end in Wait but
    name no delay; the gate's real delay parameter is still seen."""
    cs = b"""public sealed class RetryGate
{
    public void Enter(TimeSpan delay, bool shouldWait)
    {
        var spinWait = new SpinWait();
        while (shouldWait && !TryEnter()) spinWait.SpinOnce();
    }
}
"""
    r = router.route(units_of("RetryGate.cs", cs)["RetryGate.Enter"])
    assert not any("wait identifier" in x for x in r.reasons()), r.reasons()
    assert any("delay identifier" in x for x in r.reasons()), r.reasons()


def test_a_tower_service_poll_ready_is_no_poller(router):
    """`Service::poll_ready(&mut self, cx: &mut Context<'_>)` is async Rust, not a periodic
    runner, like a Stream's `poll_next`."""
    rs = b"""impl<S> Service<Request> for Backoff<S> {
    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        let delay = self.base_delay * 2u32.pow(self.attempt);
        self.sleep.as_mut().reset(Instant::now() + delay.min(self.max_delay));
        self.inner.poll_ready(cx)
    }
}
"""
    found = units_of("src/retry.rs", rs)
    name = next(n for n in found if n.endswith("poll_ready"))
    r = router.route(found[name])
    assert not any("poller" in x for x in r.reasons()), r.reasons()


def test_count_downs_and_stop_checks_in_other_spellings(router):
    """`retries_left -= 1` counts an attempt down; Ruby's `@retries < @max_retries` is a stop
    check like Go's; `num_entries >= max_entries` is neither (`tries` inside `entries`)."""
    py = b"""def send(req, retries_left=3):
    while retries_left > 0:
        retries_left -= 1
        if post(req):
            return True
        time.sleep(1)
    return False


def full(buf):
    return buf.num_entries >= buf.max_entries
"""
    rb = b"""class Backoff
  def ongoing?
    @retries < @max_retries
  end
end
"""
    found = units_of("send.py", py)
    send = router.route(found["send"])
    assert any("counts an attempt" in x for x in send.reasons()), send.reasons()
    ongoing = router.score(units_of("lib/backoff.rb", rb)["Backoff.ongoing?"], full=True)[1]
    assert any("a stop check" in s.name for s in ongoing), [s.name for s in ongoing]
    full = router.score(found["full"], full=True)[1]
    assert not any("a stop check" in s.name for s in full), [s.name for s in full]


def test_a_timer_named_delay_and_private_next_or_reset_helpers_are_no_delay_strategy(router):
    """A second review's counter-examples: a timer future named `Delay` resets its deadline, an
    RxJS subscriber's `_next` pushes a value, an interval tree's `_reset_max` fixes a node; none
    is a backoff's reset or next-delay method. lettuce's `ExponentialDelay` still counts."""
    rs = b"""impl Delay {
    pub fn reset(&mut self, dur: Duration) {
        let at = Instant::now() + dur;
        self._reset(at)
    }
}
"""
    ts = b"""class DelayWhenSubscriber {
  _next(value: T): void {
    const delayNotifier = this.tryDelay(value, this.index++);
    this.destination.next(delayNotifier);
  }
}
"""
    py = b"""class IntervalTree:
    def _reset_max(self, node):
        node.max = max(node.high, node.left.max, node.right.max)
"""
    for path, src, name in (("src/delay.rs", rs, "Delay::reset"),
                            ("src/delayWhen.ts", ts, "DelayWhenSubscriber._next"),
                            ("tree.py", py, "IntervalTree._reset_max")):
        r = router.route(units_of(path, src)[name])
        assert r.agent != BJ, (name, r.reasons())
    java = b"""public class ExponentialDelay extends Delay {
    protected long calculateAlternatePower(long attempt) {
        return (long) Math.pow(powersOf, attempt);
    }
}
"""
    r = router.route(units_of("resource/ExponentialDelay.java", java)["ExponentialDelay.calculateAlternatePower"])
    assert r.agent == BJ, r.reasons()


def test_a_list_of_numbers_is_a_schedule_only_when_the_code_says_what_it_paces(router):
    """Chart timeframes `INTERVALS = [1, 5, 15, 60, 240]` are no retry schedule; a reconnect
    schedule is one in Go and Java spellings too."""
    ts = b"""export const INTERVALS = [1, 5, 15, 60, 240]
"""
    go = b"""package conn

var reconnectIntervals = []int{1000, 2000, 5000, 10000}
"""
    java = b"""public class Conn {
    static final long[] RECONNECT_DELAYS = {1000L, 2000L, 5000L};
}
"""
    assert router.route(units_of("src/chart.ts", ts)["INTERVALS"]).agent != BJ
    for path, src, name in (("conn.go", go, "reconnectIntervals"), ("Conn.java", java, "Conn.RECONNECT_DELAYS")):
        r = router.route(units_of(path, src)[name])
        assert any("declares a list of numbers" in x for x in r.reasons()), (name, r.reasons())
