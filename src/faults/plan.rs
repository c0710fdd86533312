//! The fault plan: what the scenario breaks, and when.

use crate::engine::{DurationDist, SimTime};
use crate::sim::ids::ServiceId;

/// Which of a service's RUNNING tasks a fault hits.
#[derive(Clone, Debug, PartialEq)]
pub enum Victims {
    /// This many, drawn at random (all of them if there are fewer).
    Count(u32),
    /// This share of them, rounded up, drawn at random.
    Fraction(f64),
    /// The task with this ordinal (`web-3` is ordinal 3 of service `web`).
    Task(u32),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    pub service: ServiceId,
    pub victims: Victims,
}

#[derive(Clone, Debug, PartialEq)]
pub enum FaultKind {
    /// Stop tasks as `aws ecs stop-task` would (SIGTERM, then SIGKILL at the stop timeout).
    StopTasks { target: Target, reason: String },
    /// An essential container exits on its own with `exit_code`: the task stops as ECS stops it then.
    CrashTasks { target: Target, exit_code: i32 },
}

/// When a fault fires.
#[derive(Clone, Debug)]
pub enum Timing {
    Once(SimTime),
    /// Again and again, at intervals drawn from `interval` (e.g. exponential with the mean time
    /// between failures), from `from` until `until` (or the end of the run).
    Every {
        interval: DurationDist,
        from: SimTime,
        until: Option<SimTime>,
    },
}

#[derive(Clone, Debug)]
pub struct Fault {
    pub timing: Timing,
    pub kind: FaultKind,
}
