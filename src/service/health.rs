//! When the service scheduler counts a task as healthy (aws-behaviour.md §6.2): behind a load
//! balancer, once its target is healthy and, with a container health check, its health is
//! HEALTHY too; otherwise with a container health check once HEALTHY; without either, 40
//! seconds after RUNNING. A task
//! whose health turns UNHEALTHY is replaced, but not before the service's health check grace
//! period has passed since it started.

use crate::engine::{SimDuration, SimTime};
use crate::ids::{TargetGroupId, TaskId};
use crate::task::{has_health_check, Health, Task, TaskStatus};
use crate::traffic::target_group::TargetState;
use crate::world::World;

/// Without a health check, ECS counts a RUNNING task as healthy after this long.
pub const NO_HEALTH_CHECK_DELAY: SimDuration = SimDuration::from_secs(40);

/// The scheduler's view of one live task's health at `now`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standing {
    /// Not yet RUNNING, or RUNNING but not yet known to be healthy (`until`: when it will count
    /// as healthy without a health check, or when its grace period ends).
    Unready {
        until: Option<SimTime>,
    },
    Healthy,
    /// Failed its health checks, and the grace period is over.
    Unhealthy,
}

/// How the scheduler sees task `id` at `now`, given the service's grace period.
pub fn standing(world: &World, id: TaskId, grace: SimDuration, now: SimTime) -> Standing {
    let task = world.tasks.get(id);
    let Some(started) = task.started_at.filter(|_| task.status == TaskStatus::Running) else {
        return Standing::Unready { until: None };
    };
    let grace_ends = grace_ends(task, grace).unwrap_or(started);
    let checked = has_health_check(world.task_definition(task.task_definition));
    if let Some(target) = crate::traffic::target_state(world, id) {
        return behind_load_balancer(task.health, checked, target, grace_ends, now);
    }
    if !checked {
        let healthy_at = if task.running_at_start { started } else { started + NO_HEALTH_CHECK_DELAY };
        return if now >= healthy_at { Standing::Healthy } else { Standing::Unready { until: Some(healthy_at) } };
    }
    match task.health {
        Health::Healthy => Standing::Healthy,
        Health::Unhealthy if now >= grace_ends => Standing::Unhealthy,
        Health::Unhealthy => Standing::Unready { until: Some(grace_ends) },
        Health::Unknown => Standing::Unready { until: None },
    }
}

/// When the service's health check grace period of `grace` ends for `task`: that long after it
/// reached RUNNING, or then for a task the run started with (its grace period is long over);
/// `None` before it runs.
pub fn grace_ends(task: &Task, grace: SimDuration) -> Option<SimTime> {
    let started = task.started_at?;
    Some(if task.running_at_start { started } else { started + grace })
}

/// The target group whose health checks task `id` fails (its target is unhealthy), if any: the
/// stopped reason of its replacement names it.
pub fn failing_target_group(world: &World, id: TaskId) -> Option<TargetGroupId> {
    (crate::traffic::target_state(world, id)? == TargetState::Unhealthy)
        .then(|| crate::traffic::target_group_of(world, id))?
}

/// A task behind a load balancer is healthy once its target is and, if it has a container
/// health check (`checked`), once that is HEALTHY too; unhealthy when either check fails past
/// the grace period (aws-behaviour.md §6.2: "LB → target healthy (and container healthy if
/// defined)").
fn behind_load_balancer(
    container: Health,
    checked: bool,
    target: TargetState,
    grace_ends: SimTime,
    now: SimTime,
) -> Standing {
    let failing = container == Health::Unhealthy || target == TargetState::Unhealthy;
    let container_passes = !checked || container == Health::Healthy;
    match (failing, target) {
        (true, _) if now >= grace_ends => Standing::Unhealthy,
        (true, _) => Standing::Unready { until: Some(grace_ends) },
        (false, TargetState::Healthy) if container_passes => Standing::Healthy,
        (false, _) => Standing::Unready { until: None },
    }
}
