//! Traffic into the cluster: load patterns and trace replay, the per-service request model, and
//! the Application Load Balancer's target groups and routing (aws-behaviour.md §9, §10).

pub mod queueing;
pub mod rate;
mod routing;
pub mod server;
pub mod target_group;

pub use rate::Rate;
