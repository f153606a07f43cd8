mod delay;

use std::time::Duration;

use chrono::{DateTime, Utc};
use http::HeaderMap;

pub use delay::{DeliveryError, next_retry_delay};

/// When the next attempt of a failed delivery is due, or `None` once the schedule is used up.
pub fn next_attempt_at(
    schedule: &[Duration],
    attempt: usize,
    err: &DeliveryError,
    headers: &HeaderMap,
) -> Option<DateTime<Utc>> {
    let scheduled = *schedule.get(attempt)?;
    let delay = next_retry_delay(scheduled, err, delay::parse_retry_after(headers));
    Some(Utc::now() + chrono::Duration::from_std(delay).ok()?)
}
