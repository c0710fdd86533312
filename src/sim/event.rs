//! The closed set of events, grouped by the domain that handles them. Events hold ids, never
//! references, and timers carry their target's generation (lazy cancellation).

use crate::engine::Generation;
use crate::sim::ids::{RunTaskId, ServiceId, TaskId};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// A task's current lifecycle step is over.
    Task(TaskStep),
    Service(ServiceEvent),
    /// The fault at this index of the plan fires.
    Fault(usize),
    /// The operator action at this index of the timeline happens.
    Action(usize),
    /// A `tasks:` entry calls RunTask.
    RunTask(RunTaskId),
    /// Record a metrics row per service (runs after every change of its instant).
    Sample,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TaskStep {
    pub task: TaskId,
    pub generation: Generation,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServiceEvent {
    /// Compare the service's tasks with its desired count and act.
    Reconcile(ServiceId),
    /// Retry after a placement failure (at most one is pending per service).
    RetryPlacement(ServiceId),
}
