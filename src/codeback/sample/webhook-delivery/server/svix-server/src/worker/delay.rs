use std::time::Duration;

use chrono::{DateTime, Utc};
use http::{HeaderMap, header::RETRY_AFTER};
use rand::Rng;

// How far a retry may move away from its scheduled time, as a fraction of the scheduled delay.
const JITTER_SPREAD: f64 = 0.15;

/// Endpoints that time out or answer 429 are overloaded: wait at least this long before retrying.
const OVERLOAD_FLOOR_SECS: u64 = 30;

/// Why a delivery attempt failed.
#[derive(Debug)]
pub enum DeliveryError {
    Timeout,
    Status(u16),
    Connect(String),
}

/// Reads `Retry-After` as either delay-seconds or an HTTP date, as RFC 9110 allows.
pub(crate) fn parse_retry_after(headers: &HeaderMap) -> Option<DateTime<Utc>> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?;
    if let Ok(seconds) = value.trim().parse::<u64>() {
        return Some(Utc::now() + chrono::Duration::seconds(seconds as i64));
    }
    DateTime::parse_from_rfc2822(value)
        .ok()
        .map(|date| date.with_timezone(&Utc))
}

/// An endpoint may ask for more time, but never less than the schedule and never more than
/// three times it.
fn bounded_retry_after(scheduled: Duration, requested: Duration) -> Duration {
    requested.clamp(scheduled, scheduled * 3)
}

/// Delay before the next attempt of a failed delivery.
pub fn next_retry_delay(
    scheduled: Duration,
    err: &DeliveryError,
    retry_after: Option<DateTime<Utc>>,
) -> Duration {
    let overloaded = matches!(err, DeliveryError::Timeout | DeliveryError::Status(429));
    let delay = if overloaded {
        scheduled.max(Duration::from_secs(OVERLOAD_FLOOR_SECS))
    } else {
        scheduled
    };

    let delay = match retry_after {
        Some(at) => {
            let requested = (at - Utc::now()).to_std().unwrap_or(Duration::ZERO);
            bounded_retry_after(delay, requested)
        }
        None => delay,
    };

    let spread = rand::thread_rng().gen_range(1.0 - JITTER_SPREAD..=1.0 + JITTER_SPREAD);
    delay.mul_f64(spread)
}
