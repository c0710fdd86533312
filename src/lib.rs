//! ecsim: a deterministic discrete-event simulator of AWS ECS clusters.
pub mod capacity;
pub mod catalog;
pub mod cli;
pub mod engine;
pub mod faults;
pub mod metrics;
pub mod output;
pub mod placement;
pub mod scenario;
pub mod service;
pub mod sim;
pub mod task;
