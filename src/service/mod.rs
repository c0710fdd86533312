//! Who keeps tasks running: the service scheduler (replica and daemon services, scale-in,
//! launch throttling), RunTask for standalone tasks, and the shared launcher both use.

mod daemon;
mod deployment;
mod health;
mod launch;
mod rebalance;
mod rolling;
mod scheduler;
mod spec;
mod standalone;

pub use daemon::{is_daemon_task, only_daemons_left};
pub use deployment::{breaker_threshold, CircuitBreaker, Deployment, DeploymentConfiguration, RolloutState};
pub use launch::place_awaiting;
pub use scheduler::{
    deploy, deployment_in_progress, desired_count, on_event, on_task_health, on_task_running, on_task_stopped,
    on_task_stopping, update_desired_count, Service, ServiceStats,
};
pub use spec::{Action, ActionKind, CapacitySource, LaunchType, RunTaskSpec, SchedulingStrategy, ServiceSpec};
pub use standalone::{on_run_task, on_standalone_task_stopped, RunTask, RunTaskStats};
