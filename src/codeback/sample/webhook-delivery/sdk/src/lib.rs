use std::time::Duration;

pub struct ClientConfig {
    pub retry_schedule: Option<Vec<Duration>>,
    pub num_retries: u32,
    pub timeout: Duration,
}

#[derive(Debug)]
pub enum ApiError {
    Status(u16),
    Timeout,
    Transport(String),
}

/// Sends one API request, retrying transient failures (timeouts, transport errors and 5xx).
pub async fn send_with_backoff<T, F, Fut>(conf: &ClientConfig, mut send: F) -> Result<T, ApiError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, ApiError>>,
{
    const MAX_BACKOFF: Duration = Duration::from_secs(2);

    let default_schedule: Vec<Duration>;
    let schedule = match &conf.retry_schedule {
        Some(schedule) => schedule,
        None => {
            default_schedule = std::iter::successors(Some(Duration::from_millis(50)), |prev| {
                Some(MAX_BACKOFF.min(*prev * 2))
            })
            .take(conf.num_retries as usize)
            .collect();
            &default_schedule
        }
    };
    let mut waits = schedule.iter();

    loop {
        let result = match tokio::time::timeout(conf.timeout, send()).await {
            Ok(result) => result,
            Err(_) => Err(ApiError::Timeout),
        };
        match result {
            Ok(value) => return Ok(value),
            Err(ApiError::Status(code)) if code < 500 => return Err(ApiError::Status(code)),
            Err(err) => match waits.next() {
                Some(wait) => tokio::time::sleep(*wait).await,
                None => return Err(err),
            },
        }
    }
}
