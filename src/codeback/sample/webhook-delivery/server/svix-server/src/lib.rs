pub mod core;
pub mod poller;
pub mod queue;
pub mod relay;
pub mod worker;
