use std::time::Duration;

/// How often the health poller looks at the queue.
const POLL_EVERY: Duration = Duration::from_secs(15);

/// Polls the queue depth forever; a fixed cadence, not a retry.
pub async fn poll_queue_depth(mut read_depth: impl FnMut() -> u64) {
    loop {
        let depth = read_depth();
        tracing::info!(depth, "queue depth");
        tokio::time::sleep(POLL_EVERY).await;
    }
}
