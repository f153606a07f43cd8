use std::time::Duration;

use crate::core::retry::retry_with_schedule;

/// Cache reads are retried quickly and only a few times: a slow cache is worse than a miss.
const CACHE_RETRY_SCHEDULE: &[Duration] = &[
    Duration::from_millis(5),
    Duration::from_millis(10),
    Duration::from_millis(20),
    Duration::from_millis(40),
];

pub async fn get_with_retry<F, Fut>(read: F) -> Result<Option<Vec<u8>>, String>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<Option<Vec<u8>>, String>>,
{
    retry_with_schedule(read, |_| true, CACHE_RETRY_SCHEDULE).await
}
