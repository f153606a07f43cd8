"""Routing idioms of retry libraries: members and wrappers of backoff types, Retry-After read as
an HTTP date, event handlers, circuit breakers, retry filters and iterator loops, schedule
lookups and resets, forwarding wrappers, a package's version."""

from __future__ import annotations



from codeback.extract import extract_file
from support import units_of

BJ, SM = "svix-backoff-jitter", "svix-retry-state-machine"


def test_members_of_a_backoff_type_lean_to_backoff_but_not_members_of_its_wrappers(router):
    """`owner` signals see the type a unit belongs to, read off its qualified name (a Go
    receiver type too): a method of `Backoff` that only delegates is still delay code, a method
    of a `backOffContext` wrapper is not."""
    src = b"""package backoff

// Duration returns the delay for the current attempt and counts it.
func (b *Backoff) Duration() time.Duration {
	return b.ForAttempt(float64(atomic.AddUint64(&b.attempt, 1) - 1))
}

// Context returns the context the backoff stops on.
func (b *backOffContext) Context() context.Context {
	return b.ctx
}
"""
    units = units_of("backoff.go", src)
    duration = router.route(units["Backoff.Duration"])
    assert "backoff-jitter:member of a backoff or wait-strategy type +2 (Backoff)" in duration.reasons()
    assert duration.agent == BJ, duration.reasons()
    wrapper = router.route(units["backOffContext.Context"])
    assert not any("member of a backoff" in r for r in wrapper.reasons())
    assert wrapper.agent is None, wrapper.reasons()


def test_a_retry_after_value_read_as_an_http_date_is_delay_code(router):
    """Retry-After holds seconds or an HTTP date: a function that turns the header into a wait
    is delay code even when its name says "header" or "timeout", in PHP as in Ruby."""
    php = b"""<?php
class Throttle
{
    /** Seconds to wait before the next try, from the Retry-After header (seconds or a date). */
    protected function waitFromHeader(string $value): ?float
    {
        if (is_numeric($value)) {
            return (float) $value;
        }
        $date = DateTime::createFromFormat(DATE_RFC7231, trim($value));
        return $date ? (float) $date->format('U') - time() : null;
    }
}
"""
    ruby = b"""class Throttle
  def parse_hint(headers)
    retry_after_value = headers['Retry-After']
    DateTime.rfc2822(retry_after_value).to_time - Time.now.utc
  rescue ArgumentError
    retry_after_value.to_f
  end
end
"""
    for path, src, name in (("throttle.php", php, "Throttle.waitFromHeader"),
                            ("throttle.rb", ruby, "Throttle.parse_hint")):
        routed = router.route(units_of(path, src)[name])
        assert any("an HTTP date read from a header" in r for r in routed.reasons()), routed.reasons()
        assert routed.agent == BJ, (path, routed.reasons())


def test_a_handler_of_the_backoff_event_is_not_delay_code(router):
    """`onBackoff_` reacts to a backoff that already happened (it emits and counts); it names the
    delay but chooses none, so it stays out of the backoff agent, while the strategy's `next_`
    beside it, which grows the delay, goes in."""
    src = b"""function Backoff(strategy) {
    this.backoffStrategy_ = strategy;
    this.backoffNumber_ = 0;
    this.backoffDelay_ = 0;
}

// Handles the backoff timeout completion.
Backoff.prototype.onBackoff_ = function() {
    this.emit('ready', this.backoffNumber_, this.backoffDelay_);
    this.backoffNumber_++;
};

function ExponentialStrategy() {}

ExponentialStrategy.prototype.next_ = function() {
    this.backoffDelay_ = Math.min(this.backoffDelay_ * 2, this.maxDelay_);
    return this.backoffDelay_;
};
"""
    units = units_of("backoff.js", src)
    handler = router.route(units["Backoff.onBackoff_"])
    assert any("handles an event" in r for r in handler.reasons()), handler.reasons()
    assert handler.agent is None, handler.reasons()
    assert router.route(units["ExponentialStrategy.next_"]).agent == BJ
    # a handler named for the delay it computes is not the event kind: it stays delay code
    py = b'''def handle_retry_after(response):
    """Wait what the server's Retry-After asks, at most a minute."""
    value = response.headers.get("Retry-After", "1")
    return min(float(value), 60.0)
'''
    honours = router.route(extract_file("client.py", py).units[0])
    assert not any("handles an event" in r for r in honours.reasons()), honours.reasons()
    assert honours.agent == BJ, honours.reasons()


def test_the_next_delay_method_of_a_strategy_type_is_delay_code_even_when_it_only_returns_it(router):
    """A strategy hands out its delay from a method named for that job (`next`,
    `getDurationToWait`): with the type's name it is delay code although it computes nothing
    itself. The same method name on a type that is not about waiting stays out."""
    src = b"""public class FixedBackoffStrategy implements BackoffStrategy {
    private final Duration interval;

    @Override
    public Duration getDurationToWait(int attempt) {
        return interval;
    }
}

class PageCursor {
    private final Duration interval;

    public Duration getDurationToWait(int attempt) {
        return interval;
    }
}
"""
    units = units_of("Strategies.java", src)
    fixed = router.route(units["FixedBackoffStrategy.getDurationToWait"])
    assert "backoff-jitter:the next-delay or reset method of a backoff, wait or interval type +2.5 " \
           "(FixedBackoffStrategy.getDurationToWait)" in fixed.reasons()
    assert fixed.agent == BJ, fixed.reasons()
    other = router.route(units["PageCursor.getDurationToWait"])
    assert other.agent is None, other.reasons()


def test_a_backoff_defined_inside_a_rust_test_module_is_test_code(router):
    """A helper strategy written inside `mod tests` (no #[test] on it, in src/ not tests/) is
    test code by where it lives: its scope says so, and it goes to no agent."""
    src = b"""pub fn delay(attempt: u32) -> Duration {
    Duration::from_millis(100 * 2u64.pow(attempt)).min(Duration::from_secs(30))
}

#[cfg(test)]
mod tests {
    use super::*;

    struct DoublingBackoff { base: Duration }

    impl DoublingBackoff {
        fn next_delay(&self, attempt: u32) -> Duration {
            (self.base * 2u32.pow(attempt)).min(Duration::from_secs(30))
        }
    }
}
"""
    units = units_of("src/lib.rs", src, False)
    assert router.route(units["delay"]).agent == BJ
    inner = router.route(units["tests::DoublingBackoff::next_delay"])
    assert "backoff-jitter:test code (inside a test module or function) -20 (tests.DoublingBackoff)" \
        in inner.reasons()
    assert inner.agent is None, inner.reasons()


def test_a_circuit_breakers_half_open_delay_is_not_retry_backoff(router):
    """A circuit breaker also waits on a backoff before it tries again half-open, but what it
    decides is when to close a circuit, not how long a retry waits."""
    src = b"""export class CircuitBreaker {
  private open(reason: Error) {
    this.halfOpenAfter = this.backoff.next();
    this.state = CircuitState.Open;
    this.openedAt = Date.now() + this.halfOpenAfter.duration;
  }
}
"""
    routed = router.route(units_of("breaker.ts", src)["CircuitBreaker.open"])
    assert any("circuit breaker" in r for r in routed.reasons()), routed.reasons()
    assert routed.agent is None, routed.reasons()


def test_retry_filters_and_ruby_iterator_loops_go_to_the_state_machine(router):
    """Which failures are retried is decided by filters named for it (`isOneOfValuesToRetryOn`,
    a classifier's `Classify`), and a Ruby retry loop is often an iterator
    (`each_with_index ... sleep`) rather than a `while`: both are state-machine code."""
    java = b"""public class Executor {
    private boolean isOneOfValuesToRetryOn(Object result) {
        return config.getRetryOnValues().stream().anyMatch(v -> v.equals(result));
    }
}
"""
    go = b"""package retrier

// Classify decides whether a failed attempt is retried.
func (list BlacklistClassifier) Classify(err error) Action {
	if err == nil {
		return Succeed
	}
	for _, pass := range list {
		if errors.Is(err, pass) {
			return Fail
		}
	}
	return Retry
}
"""
    ruby = b"""class Poller
  def until_success(&block)
    intervals.each_with_index do |interval, attempt|
      return if block.call(interval, attempt)
      sleep(interval)
    end
  end

  def perform(&block)
    intervals.each do |interval|
      return if block.call(interval)
      sleep(interval) unless stopped?
    end
  end
end
"""
    for path, src, name in (("Executor.java", java, "Executor.isOneOfValuesToRetryOn"),
                            ("classifier.go", go, "BlacklistClassifier.Classify"),
                            ("poller.rb", ruby, "Poller.until_success")):
        routed = router.route(units_of(path, src)[name])
        assert routed.agent == SM, (path, routed.reasons())
    # the iterator is the loop even under a neutral name (`perform`)
    perform = router.route(units_of("poller.rb", ruby)["Poller.perform"])
    assert any(r.startswith("retry-state-machine:loop around a sleep") for r in perform.reasons())


def test_a_schedule_lookup_and_a_strategy_reset_are_delay_code(router):
    """A strategy that reads its delay from a list by attempt number computes it by the lookup,
    and the strategy's reset puts the delay back to its start: both are delay code although
    neither has arithmetic, a random draw or a cap."""
    py = b'''class ListRetry:
    def __init__(self, timeouts: list[float]) -> None:
        self.timeouts = timeouts

    def get_timeout(self, attempt: int) -> float:
        """The wait before this attempt, from the list."""
        return self.timeouts[attempt]
'''
    js = b"""function ExponentialBackoffStrategy(options) {
    this.initialDelay_ = options.initialDelay;
    this.backoffDelay_ = 0;
}

ExponentialBackoffStrategy.prototype.reset_ = function() {
    this.backoffDelay_ = 0;
    this.nextBackoffDelay_ = this.initialDelay_;
};
"""
    listed = router.route(units_of("retry.py", py)["ListRetry.get_timeout"])
    assert any("looked up in a schedule" in r for r in listed.reasons()), listed.reasons()
    assert listed.agent == BJ, listed.reasons()
    rust = b"""pub fn next_attempt_at(schedule: &[Duration], attempt: usize) -> Option<DateTime<Utc>> {
    let delay = *schedule.get(attempt)?;
    Some(Utc::now() + chrono::Duration::from_std(delay).ok()?)
}
"""
    got = router.route(extract_file("worker.rs", rust).units[0])
    assert any("looked up in a schedule" in r for r in got.reasons()), got.reasons()
    reset = router.route(units_of("strategy.js", js)
                         ["ExponentialBackoffStrategy.reset_"])
    assert reset.agent == BJ, reset.reasons()


def test_a_forwarding_wrapper_is_not_delay_code_but_a_wrapper_that_adds_jitter_is(router):
    """A backoff wrapper whose next-delay method hands back the inner backoff's delay unchanged
    (it only adds a stop on cancellation) chooses no delay; one that adds jitter to the inner
    delay computes one. A Go pointer receiver (`(b *backOffContext)`) is not arithmetic."""
    src = b"""package backoff

func (b *backOffContext) NextBackOff() time.Duration {
	select {
	case <-b.ctx.Done():
		return Stop
	default:
		return b.BackOff.NextBackOff()
	}
}

func (b *jitterBackOff) NextBackOff() time.Duration {
	d := b.delegate.NextBackOff()
	return d + time.Duration(rand.Int63n(int64(d)/2))
}
"""
    units = units_of("context.go", src)
    forwarding = router.route(units["backOffContext.NextBackOff"])
    assert any(r.startswith("backoff-jitter:forwards to a wrapped backoff") for r in forwarding.reasons())
    assert forwarding.agent != BJ, forwarding.reasons()
    jitter = router.route(units["jitterBackOff.NextBackOff"])
    assert not any("forwards to a wrapped backoff" in r for r in jitter.reasons())
    assert jitter.agent == BJ, jitter.reasons()


def test_a_class_that_only_holds_the_package_version_is_not_delay_code(router):
    """A gem reopens its `ExponentialBackoff` class only to hold VERSION: the name is all
    backoff, the unit is package metadata. A backoff class that also declares VERSION is still
    judged by its delay code."""
    version = b"""class ExponentialBackoff
  VERSION = "0.0.4"
end
"""
    strategy = b"""class ExponentialBackoff
  VERSION = "0.0.4"

  def next_interval(attempt)
    [@base * (2**attempt), @max].min
  end
end
"""
    holder = router.route(extract_file("version.rb", version).units[0])
    assert any("package version constant" in r for r in holder.reasons()), holder.reasons()
    assert holder.agent is None, holder.reasons()
    real = units_of("backoff.rb", strategy)
    assert not any("package version" in r for r in router.route(real["ExponentialBackoff"]).reasons())
    assert router.route(real["ExponentialBackoff.next_interval"]).agent == BJ


def test_delay_signals_read_compound_assignment_plural_owners_and_long_retry_after_names(router):
    """Three widenings, each deciding a unit: `+=` is arithmetic (a delay that grows by a step
    is computed, not merely named), a factory on a plural strategy holder (`WaitStrategies`)
    is a member of a strategy type, and `retry_after_secs` is a Retry-After identifier."""
    py = b'''class StepWait:
    def next_delay(self):
        self.delay += self.step
        return self.delay
'''
    java = b"""public final class WaitStrategies {
    public static WaitStrategy exponentialWait(long multiplier, long maximumTime) {
        return new ExponentialWaitStrategy(multiplier, maximumTime);
    }
}
"""
    hint = b'''def wait_hint(response):
    retry_after_secs = response.headers.get("x-wait")
    return float(retry_after_secs)
'''
    step = router.route(units_of("wait.py", py)["StepWait.next_delay"])
    assert not any("computes none" in r for r in step.reasons()), step.reasons()
    assert step.agent == BJ, step.reasons()
    factory = router.route(units_of("WaitStrategies.java", java)
                           ["WaitStrategies.exponentialWait"])
    assert "backoff-jitter:member of a backoff or wait-strategy type +2 (WaitStrategies)" in factory.reasons()
    assert factory.agent == BJ, factory.reasons()
    honours = router.route(extract_file("hint.py", hint).units[0])
    assert "backoff-jitter:retry-after identifier +2.5 (retry_after_secs)" in honours.reasons()
    assert honours.agent == BJ, honours.reasons()
