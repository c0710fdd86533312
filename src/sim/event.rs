//! The closed set of events, grouped by the domain that handles them. Events hold ids, never
//! references, and timers carry their target's generation (lazy cancellation).

use crate::engine::Generation;
use crate::sim::ids::{RunTaskId, ServiceId, TaskId};
use crate::task::Health;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// A task's current lifecycle step is over.
    Task(TaskStep),
    /// A container of a RUNNING task exits or changes health by itself.
    Container(ContainerEvent),
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
pub struct ContainerEvent {
    pub task: TaskId,
    pub generation: Generation,
    /// The container's index in the task definition.
    pub container: u16,
    pub change: ContainerChange,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContainerChange {
    /// The process exits with this code; `out_of_memory` when the kernel killed it.
    Exit { code: i32, out_of_memory: bool },
    /// Its health check result changed.
    Health(Health),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServiceEvent {
    /// Compare the service's tasks with its desired count and act.
    Reconcile(ServiceId),
    /// Retry after a placement failure (at most one is pending per service).
    RetryPlacement(ServiceId),
    /// Look again when a task will count as healthy or launches may resume (at most one is
    /// pending per service).
    Wake(ServiceId),
}
