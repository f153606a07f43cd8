use std::time::Duration;

use tracing::{info, warn};

/// Keeps the queue consumer connected: on every failure it waits, doubling the wait each time up
/// to a minute, and tries again. It only returns once a connection was made.
pub async fn reconnect_with_backoff<C, E, F, Fut>(mut connect: F) -> C
where
    E: std::fmt::Display,
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<C, E>>,
{
    let mut wait = Duration::from_millis(100);
    loop {
        match connect().await {
            Ok(conn) => {
                info!("queue connection established");
                return conn;
            }
            Err(err) => {
                warn!(?wait, "queue connection failed: {err}");
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(Duration::from_secs(60));
            }
        }
    }
}
