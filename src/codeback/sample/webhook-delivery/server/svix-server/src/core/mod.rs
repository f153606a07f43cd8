pub mod backoff;
pub mod retry;
