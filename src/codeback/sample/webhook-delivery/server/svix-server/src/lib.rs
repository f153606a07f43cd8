pub mod core;
pub mod poller;
pub mod worker;
