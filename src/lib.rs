//! ecsim: a deterministic discrete-event simulator of AWS ECS clusters.
pub mod engine;
