//! Delay computation for background jobs that reconnect to Redis or Postgres.

use std::time::Duration;

use rand::Rng;

/// First delay of the schedule; every later one doubles it.
const BASE_DELAY: Duration = Duration::from_millis(250);

/// No single wait is longer than five minutes, however many attempts failed.
const MAX_DELAY: Duration = Duration::from_secs(300);

/// Delay before attempt `attempt` (0-based): `BASE_DELAY * 2^attempt`, capped at `MAX_DELAY`.
pub fn exponential_delay(attempt: u32) -> Duration {
    let factor = 2u32.saturating_pow(attempt);
    BASE_DELAY.saturating_mul(factor).min(MAX_DELAY)
}

/// "Full jitter": a uniformly random wait between zero and `delay`, so that clients that failed
/// together do not come back together.
pub fn full_jitter(delay: Duration) -> Duration {
    let millis = delay.as_millis() as u64;
    Duration::from_millis(rand::thread_rng().gen_range(0..=millis))
}

/// The first `count` delays of the doubling schedule, for callers that want the whole list up
/// front (the SDK-style retry loop takes a slice).
pub fn default_schedule(count: usize) -> Vec<Duration> {
    std::iter::successors(Some(BASE_DELAY), |last| Some((*last * 2).min(MAX_DELAY)))
        .take(count)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delay_is_capped() {
        assert_eq!(exponential_delay(30), MAX_DELAY);
    }

    #[test]
    fn schedule_doubles() {
        let s = default_schedule(3);
        assert_eq!(s[1], s[0] * 2);
    }
}
