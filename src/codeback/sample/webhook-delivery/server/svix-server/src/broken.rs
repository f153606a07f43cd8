/// Still parses: the half-finished function below does not spoil this one.
pub fn linear_delay(attempt: u32) -> std::time::Duration {
    std::time::Duration::from_secs(10 * u64::from(attempt))
}

pub fn unfinished_backoff(attempt: u32 -> Duration {
    let delay = Duration::from_secs(1 << attempt;
    delay
}
