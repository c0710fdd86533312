//! Who keeps tasks running: the service scheduler (replica and daemon services, scale-in,
//! launch throttling, deployments and their circuit breaker), RunTask for standalone tasks, and
//! the shared launcher both use.
//!
//! The scheduler by concept: `reconcile` is its loop and the handlers other modules call;
//! `rollout` starts deployments and hands each look to the deployment strategy (`rolling`
//! for replica services, `daemon`); `tasks` starts and stops tasks; `throttle` holds
//! launches back while they fail; `circuit_breaker` fails and rolls back deployments;
//! `steady_state` says when the service is settled; `snapshot` starts a service from a
//! describe-services snapshot's running and pending tasks; `rebalance` moves tasks between zones;
//! `peers` counts the live tasks per provider and Fargate zone for the next launch;
//! `wording` is ECS's wording of all their events. `state` is the record they share.

mod circuit_breaker;
mod daemon;
mod deployment;
mod deployment_alarms;
mod health;
mod launch;
mod peers;
mod rebalance;
mod reconcile;
mod rolling;
mod rollout;
mod snapshot;
mod spec;
mod standalone;
mod state;
mod steady_state;
mod table;
mod tasks;
#[cfg(test)]
mod testing;
mod throttle;
mod traffic_shift;
mod wording;

pub use circuit_breaker::breaker_threshold;
pub use daemon::{is_daemon_task, only_daemons_left};
pub use deployment::{
    CircuitBreaker, Deployment, DeploymentAlarms, DeploymentConfiguration, DeploymentStrategy, RolloutState, Shift,
    ShiftStage,
};
pub use deployment_alarms::on_alarm;
pub use launch::place_awaiting;
pub use peers::{drift as peer_drift, PeerCounts};
pub use reconcile::{
    deploy, on_event, on_room_freed, on_task_health, on_task_running, on_task_stopped, on_task_stopping,
    update_desired_count,
};
pub use snapshot::start_from_snapshot;
pub use spec::{Action, ActionKind, CapacitySource, LaunchType, RunTaskSpec, SchedulingStrategy, ServiceSpec};
pub use standalone::{on_run_task, on_standalone_task_stopped, RunTask, RunTaskStats};
pub use state::{deployment_in_progress, desired_count, target_group_of, Service, ServiceStats};
pub use table::Services;
