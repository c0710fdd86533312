//! The fault plan: what the scenario breaks, and when.

use crate::engine::SimTime;
use crate::sim::ids::ServiceId;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FaultKind {
    /// Stop `count` running tasks of a service, chosen at random, as `aws ecs stop-task` would.
    StopTasks { service: ServiceId, count: u32, reason: String },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fault {
    pub at: SimTime,
    pub kind: FaultKind,
}
