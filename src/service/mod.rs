//! Who keeps tasks running: the service scheduler (replica and daemon services, scale-in,
//! launch throttling), RunTask for standalone tasks, and the shared launcher both use.

mod launch;
mod scheduler;
mod spec;
mod standalone;

pub use launch::place_awaiting;
pub use scheduler::{
    desired_count, on_event, on_task_running, on_task_stopped, on_task_stopping, update_desired_count, Service,
    ServiceStats,
};
pub use spec::{Action, ActionKind, CapacitySource, LaunchType, RunTaskSpec, SchedulingStrategy, ServiceSpec};
pub use standalone::{on_run_task, on_standalone_task_stopped, RunTask, RunTaskStats};
