use std::time::{Duration, Instant};

/// Forwards events from the relay to a local URL, reconnecting whenever the socket drops.
pub async fn forward_forever(mut connect_and_forward: impl AsyncFnMut() -> Result<(), String>) -> ! {
    const LONGEST_WAIT: Duration = Duration::from_secs(10);
    let reconnect_waits = [
        Duration::ZERO,
        Duration::from_millis(250),
        Duration::from_secs(2),
        LONGEST_WAIT,
    ];

    let mut attempt = 0;
    let mut last_drop = Instant::now();
    loop {
        if let Err(e) = connect_and_forward().await {
            eprintln!("relay connection dropped: {e}");
        }

        // A drop long after the previous one is a new incident: start from the short waits again.
        if last_drop.elapsed() > LONGEST_WAIT * 3 {
            attempt = 0;
        }

        let wait = *reconnect_waits.get(attempt).unwrap_or(&LONGEST_WAIT);
        attempt += 1;
        last_drop = Instant::now();
        tokio::time::sleep(wait).await;
    }
}
