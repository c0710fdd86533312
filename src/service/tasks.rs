//! Starting and stopping a service's tasks, the scheduler's two verbs.
//!
//! Contract: tasks start only as the primary deployment's, one at a time, and stop with one
//! service event per batch and each task's stopped reason ([`StopCause`]). Starting a task tells
//! the placement retry that placements work again; a batch that started anything unsettles the
//! steady state. What to start and stop is the strategies' business ([`super::rolling`],
//! [`super::daemon`]), whether launches are held back is [`super::throttle`]'s.

use crate::ids::{InstanceId, ServiceId, TaskId};
use crate::placement::Unplaced;
use crate::record::EventKind;
use crate::task::{self, StopCode, TaskOwner};
use crate::world::{Ctx, World};

use super::launch::{start_task, Launch, Peers};
use super::{circuit_breaker, throttle, wording};

/// Why the scheduler stops a task: each has ECS's stopped reason ([`wording::stopped_reason`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopCause {
    /// More tasks than desired.
    ScaleIn,
    /// A task of an earlier deployment.
    Deployment,
    /// A task on a DRAINING instance.
    Draining,
    /// A task that failed its container health checks, or its load balancer's.
    Unhealthy,
    /// A task moved to a less crowded zone.
    Rebalancing,
}

/// Starts up to `n` tasks of the primary deployment, stopping at the first that cannot be placed;
/// returns how many started.
pub(super) fn start_tasks(world: &mut World, ctx: &mut Ctx, id: ServiceId, n: u32) -> u32 {
    let mut started = Vec::new();
    let mut unplaced = None;
    for _ in 0..n {
        match start_one(world, ctx, id, None) {
            Ok(task) => started.push(task),
            Err(why) => {
                unplaced = Some(why);
                break;
            }
        }
    }
    record_started(world, ctx, id, &started);
    if let Some(why) = unplaced {
        throttle::report_unplaceable(world, ctx, id, why);
    }
    started.len() as u32
}

/// Starts one task of the primary deployment (on `only`, for a daemon).
pub(super) fn start_one(
    world: &mut World,
    ctx: &mut Ctx,
    id: ServiceId,
    only: Option<InstanceId>,
) -> Result<TaskId, Unplaced> {
    let task = add_one(world, ctx, id, only, false)?;
    let svc = world.services.get_mut(id);
    svc.throttle.placement.placed();
    svc.primary_mut().tasks_started += 1;
    Ok(task)
}

/// Adds one task of the primary deployment to the service, already RUNNING if `running` (a
/// snapshot's task at time 0, which the run did not start and does not count as started).
pub(super) fn add_one(
    world: &mut World,
    ctx: &mut Ctx,
    id: ServiceId,
    only: Option<InstanceId>,
    running: bool,
) -> Result<TaskId, Unplaced> {
    let svc = world.services.get(id);
    let launch = Launch {
        owner: TaskOwner::Service(id),
        group: svc.group,
        task_definition: svc.primary().task_definition,
        deployment: svc.primary_index(),
        ordinal: svc.next_ordinal + 1,
        peers: Peers::Service,
        running,
    };
    let task = start_task(world, ctx, &launch, only)?;
    let svc = world.services.get_mut(id);
    svc.peers.count(world.tasks.get(task), 1);
    svc.next_ordinal += 1;
    svc.tasks.push(task);
    if running {
        // Counted first: the scheduler's reactions to RUNNING find it among the service's tasks.
        task::run_from_start(world, ctx, task);
    }
    Ok(task)
}

/// Counts and says the tasks a batch started.
pub(super) fn record_started(world: &mut World, ctx: &mut Ctx, id: ServiceId, started: &[TaskId]) {
    if started.is_empty() {
        return;
    }
    let labels: Vec<String> = started.iter().map(|t| world.task_label(*t)).collect();
    let svc = world.services.get_mut(id);
    svc.steady.changed();
    svc.stats.tasks_started += started.len() as u32;
    let name = svc.spec.name.clone();
    let message = wording::tasks_started(&name, &labels);
    ctx.log(EventKind::ServiceTasksStarted).service(name).message(message).emit();
}

/// Stops tasks of the service, each for its cause, with one service event.
pub(super) fn stop_tasks(world: &mut World, ctx: &mut Ctx, id: ServiceId, tasks: &[(TaskId, StopCause)]) {
    if tasks.is_empty() {
        return;
    }
    let labels: Vec<String> = tasks.iter().map(|(t, _)| world.task_label(*t)).collect();
    let svc = world.services.get_mut(id);
    let replaced = tasks.iter().filter(|(_, c)| *c == StopCause::Deployment).count() as u32;
    svc.primary_mut().tasks_replaced += replaced;
    let deployment = svc.primary().id.clone();
    let name = svc.spec.name.clone();
    let message = wording::tasks_stopped(&name, &labels);
    ctx.log(EventKind::ServiceTasksStopped).service(name).message(message).emit();
    for (t, cause) in tasks {
        let reason = match (cause, super::health::failing_target_group(world, *t)) {
            (StopCause::Unhealthy, Some(tg)) => {
                wording::failed_elb_health_checks(crate::traffic::target_group_name(world, tg))
            }
            _ => wording::stopped_reason(*cause, &deployment),
        };
        task::stop(world, ctx, *t, StopCode::ServiceSchedulerInitiated, &reason);
    }
}

/// Replaces tasks that failed their health checks; the primary deployment's count as circuit
/// breaker failures (its second stage).
pub(super) fn stop_unhealthy(world: &mut World, ctx: &mut Ctx, id: ServiceId, tasks: &[TaskId]) {
    circuit_breaker::count_unhealthy(world, id, tasks);
    let causes: Vec<_> = tasks.iter().map(|t| (*t, StopCause::Unhealthy)).collect();
    stop_tasks(world, ctx, id, &causes);
    circuit_breaker::check(world, ctx, id);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::testing::{fargate, harness, web};

    #[test]
    fn a_batch_is_said_once_and_each_stopped_task_gets_its_reason() {
        let mut h = harness(&fargate(3, "", ""));
        assert_eq!(h.act(|world, ctx| start_tasks(world, ctx, web(), 3)), 3);
        assert_eq!(h.recorder.said(EventKind::ServiceTasksStarted).len(), 1);
        let svc = h.world.services.get(ServiceId::from_index(0));
        assert_eq!((svc.stats.tasks_started, svc.primary().tasks_started, svc.next_ordinal), (3, 3, 3));
        let (a, b) = (svc.tasks[0], svc.tasks[1]);
        h.act(|world, ctx| stop_tasks(world, ctx, web(), &[(a, StopCause::Deployment), (b, StopCause::Draining)]));
        assert_eq!(
            h.recorder.said(EventKind::ServiceTasksStopped),
            [(0.0, "service web has stopped 2 running tasks: (task web-1) (task web-2).")]
        );
        assert_eq!(
            h.world.services.get(ServiceId::from_index(0)).primary().tasks_replaced,
            1,
            "only the deployment's replacement counts"
        );
        let reason = |t: TaskId| h.world.tasks.get(t).stopped_reason.clone();
        assert_eq!(reason(a).as_deref(), Some("Scaling activity initiated by (deployment ecs-svc/1)"));
        assert_eq!(reason(b).as_deref(), Some("Container instance is draining"));
        h.act(|world, ctx| stop_tasks(world, ctx, web(), &[]));
        assert_eq!(h.recorder.said(EventKind::ServiceTasksStopped).len(), 1, "an empty batch says nothing");
    }
}
