use std::{future::Future, time::Duration};

use tracing::warn;

/// Runs `op` until it succeeds, `should_retry` refuses the error, or the schedule is used up.
pub async fn retry_with_schedule<T, E, F, Fut>(
    mut op: F,
    should_retry: impl Fn(&E) -> bool,
    schedule: &[Duration],
) -> Result<T, E>
where
    E: std::fmt::Display,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let mut state = RetryState::new(schedule);
    loop {
        match op().await {
            Ok(value) => return Ok(value),
            Err(err) => match state.next_wait(should_retry(&err)) {
                Some(wait) => {
                    warn!("attempt {} failed, retrying: {err}", state.attempts);
                    tokio::time::sleep(wait).await;
                }
                None => return Err(err),
            },
        }
    }
}

/// Where a retried operation stands: how many attempts were made and what is left of the
/// schedule.
pub struct RetryState<'a> {
    remaining: &'a [Duration],
    pub attempts: u32,
}

impl<'a> RetryState<'a> {
    pub fn new(schedule: &'a [Duration]) -> Self {
        Self {
            remaining: schedule,
            attempts: 0,
        }
    }

    /// The wait before the next attempt, or `None` when the caller should give up.
    pub fn next_wait(&mut self, retryable: bool) -> Option<Duration> {
        self.attempts += 1;
        let (first, rest) = self.remaining.split_first()?;
        if !retryable {
            self.remaining = &[];
            return None;
        }
        self.remaining = rest;
        Some(*first)
    }
}
