pub mod backoff;
pub mod cache;
pub mod retry;
