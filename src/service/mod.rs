//! The service scheduler: keeps each service at its desired count, replacing tasks that stop.

mod scheduler;
mod spec;

pub use scheduler::{on_event, on_task_running, on_task_stopped, on_task_stopping, Service, ServiceStats};
pub use spec::{CapacitySource, LaunchType, ServiceSpec};
