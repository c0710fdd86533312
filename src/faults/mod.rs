//! Fault injection: the fault plan, and what each fault does to the world — tasks stopped or
//! crashed, EC2 instances terminated, impaired or drained, zones lost, Spot capacity reclaimed.

mod infrastructure;
mod inject;
mod plan;

pub use inject::{first_firing, on_fault};
pub use plan::{Amount, Fault, FaultKind, InstanceTarget, InstanceVictims, Target, Timing, Victims};
