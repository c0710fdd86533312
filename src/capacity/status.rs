//! A container instance's life after registration: DRAINING and back to ACTIVE, an impaired EC2
//! instance (agent disconnected), a Spot interruption notice, and termination (INACTIVE), with
//! what each does to the tasks on the instance (aws-behaviour.md §5.3, §8).

use crate::engine::SimDuration;
use crate::ids::{InstanceId, TaskId};
use crate::record::EventKind;
use crate::service::SchedulingStrategy;
use crate::task::{self, StopCode, TaskOwner, TaskStatus};
use crate::world::event::CapacityEvent;
use crate::world::{Ctx, Event, World};

use super::{asg, GroupLifecycle, InstanceStatus};

/// EC2's Spot interruption notice: the instance is reclaimed two minutes after it
/// (aws-behaviour.md §8); the same holds for Fargate Spot tasks (§2.2).
pub const SPOT_NOTICE: SimDuration = SimDuration::from_secs(120);

/// The stopped reason of PENDING service tasks on an instance set to DRAINING (ecsim's wording:
/// AWS documents the behaviour, not the sentence).
pub const DRAINING_REASON: &str = "Task stopped because the container instance is draining";

/// Why an EC2 instance is terminated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Termination {
    /// `terminate_instances`: the instance fails or is terminated from outside the group.
    Fault,
    /// Its availability zone went down.
    ZoneOutage,
    /// EC2 reclaimed the Spot instance at the end of its notice.
    SpotInterruption,
    /// The group gave up on an impaired instance: its status checks failed for too long.
    Unhealthy,
    /// The group terminated it to balance its zones, after draining it.
    Rebalancing,
    /// The group terminated it to lower its capacity to its desired capacity (after draining it,
    /// with managed draining).
    ScaleIn,
}

impl Termination {
    /// Whether the group itself terminated the instance, and so knows at once (it launches the
    /// replacement now); otherwise it notices through its health checks.
    fn by_the_group(self) -> bool {
        matches!(self, Termination::Unhealthy | Termination::Rebalancing | Termination::ScaleIn)
    }

    fn describe(self) -> &'static str {
        match self {
            Termination::Fault => "the instance failed (fault injection)",
            Termination::ZoneOutage => "its availability zone is unavailable",
            Termination::SpotInterruption => "EC2 reclaimed the Spot instance",
            Termination::Unhealthy => {
                "an instance was taken out of service in response to an EC2 instance status checks failure"
            }
            Termination::Rebalancing => "the Auto Scaling group rebalanced its availability zones",
            Termination::ScaleIn => {
                "an instance was taken out of service in response to a difference between desired and actual capacity"
            }
        }
    }
}

/// Logs a container instance's new status (or agent state).
fn log_state(world: &World, ctx: &mut Ctx, id: InstanceId, what: &str) {
    let instance = world.instances.get(id);
    let message = format!("container instance {} {what}.", instance.label());
    ctx.log(EventKind::ContainerInstanceStateChange)
        .instance(instance.label())
        .status(instance.status.as_str())
        .message(message)
        .emit();
}

/// The services with tasks on the instance, each asked to reconcile now: the scheduler decides
/// what to move, within its deployment limits.
fn reconcile_services_on(world: &World, ctx: &mut Ctx, id: InstanceId) {
    let mut services: Vec<_> = world
        .instances
        .get(id)
        .tasks
        .iter()
        .filter_map(|t| match world.tasks.get(*t).owner {
            TaskOwner::Service(s) => Some(s),
            TaskOwner::Standalone(_) => None,
        })
        .collect();
    services.sort();
    services.dedup();
    for s in services {
        ctx.sched.after(SimDuration::ZERO, Event::Service(crate::world::event::ServiceEvent::Reconcile(s)));
    }
}

/// Sets the instance DRAINING, as `update-container-instances-state --status DRAINING` does: it
/// takes no new tasks, its service tasks that are not yet RUNNING are stopped at once, standalone
/// tasks are left alone, and the services with tasks here reconcile. `why` ends the logged
/// sentence. Does nothing to an instance that is not ACTIVE.
pub fn drain(world: &mut World, ctx: &mut Ctx, id: InstanceId, why: &str) {
    if world.instances.get(id).status != InstanceStatus::Active {
        return;
    }
    world.change_instance(id, |i| i.set_status(InstanceStatus::Draining));
    log_state(world, ctx, id, &format!("is DRAINING: {why}"));
    let pending: Vec<TaskId> = world
        .instances
        .get(id)
        .tasks
        .iter()
        .copied()
        .filter(|t| {
            let t = world.tasks.get(*t);
            matches!(t.owner, TaskOwner::Service(_)) && t.desired_running && t.status < TaskStatus::Running
        })
        .collect();
    reconcile_services_on(world, ctx, id);
    for t in pending {
        task::stop(world, ctx, t, StopCode::ServiceSchedulerInitiated, DRAINING_REASON);
    }
}

/// Sets a DRAINING instance ACTIVE again (the end of an operator's drain), unless it is bound to
/// leave; tasks waiting for its group's capacity and every service may use it at once.
pub fn reactivate(world: &mut World, ctx: &mut Ctx, id: InstanceId) {
    let instance = world.instances.get(id);
    if instance.status != InstanceStatus::Draining || instance.is_leaving() {
        return;
    }
    world.change_instance(id, |i| i.set_status(InstanceStatus::Active));
    log_state(world, ctx, id, "is ACTIVE again: the drain is over");
    if let Some(provider) = world.instances.get(id).provider {
        crate::service::place_awaiting(world, ctx, provider);
    }
    super::reconcile_all(world, ctx);
}

/// The EC2 instance stops passing its status checks: its agent is disconnected, so ECS places
/// nothing on it, and its group replaces it once its tolerance for impaired instances runs out,
/// but not before the instance's health check grace period is over (counted from its launch).
/// Its tasks keep their state (their health is the service scheduler's business).
pub fn impair(world: &mut World, ctx: &mut Ctx, id: InstanceId) {
    if !world.instances.get(id).is_registered() || world.instances.get(id).impaired {
        return;
    }
    world.change_instance(id, |i| i.impaired = true);
    log_state(world, ctx, id, "has its agent disconnected: its EC2 instance status checks are failing (impaired)");
    let grace_ends = world
        .instances
        .get(id)
        .provider
        .and_then(|p| world.providers[p.index()].auto_scaling_group())
        .map_or(ctx.sched.now(), |asg| world.instances.get(id).launched_at + asg.health_check_grace_period);
    // The group's EC2 health check ignores the instance during its grace period, then tolerates
    // the impairment for a while before it replaces the instance.
    let at = (ctx.sched.now() + ctx.timing.fleet.impaired_instance_tolerance).max(grace_ends);
    ctx.sched.at(at, Event::Capacity(CapacityEvent::Terminate { instance: id, cause: Termination::Unhealthy }));
}

/// EC2's two-minute Spot interruption notice: the instance goes DRAINING if its group enables
/// Spot instance draining, and is terminated when the notice runs out.
pub fn spot_notice(world: &mut World, ctx: &mut Ctx, id: InstanceId) {
    let reclaim_at = ctx.sched.now() + SPOT_NOTICE;
    let instance = world.instances.get_mut(id);
    instance.interruption_at = Some(reclaim_at);
    let label = instance.label();
    let drains = instance
        .provider
        .and_then(|p| world.providers[p.index()].auto_scaling_group())
        .is_some_and(|asg| asg.spot_instance_draining);
    let message = format!("EC2 Spot Instance interruption warning: {label} will be terminated at {reclaim_at}.");
    ctx.log(EventKind::SpotInterruptionWarning).instance(label).message(message).emit();
    if drains {
        drain(world, ctx, id, "Spot interruption notice (ECS_ENABLE_SPOT_INSTANCE_DRAINING)");
    }
    let terminate = CapacityEvent::Terminate { instance: id, cause: Termination::SpotInterruption };
    ctx.sched.after(SPOT_NOTICE, Event::Capacity(terminate));
}

/// A termination timer fires: it applies if the instance is still registered and still in the
/// state that set the timer (impaired, or being terminated by its group).
pub fn on_terminate_timer(world: &mut World, ctx: &mut Ctx, id: InstanceId, cause: Termination) {
    let instance = world.instances.get(id);
    let applies = instance.is_registered()
        && match cause {
            Termination::Unhealthy => instance.impaired,
            Termination::Rebalancing | Termination::ScaleIn => instance.lifecycle == GroupLifecycle::Terminating(cause),
            Termination::SpotInterruption | Termination::Fault | Termination::ZoneOutage => true,
        };
    if applies {
        terminate(world, ctx, id, cause);
    }
}

/// The EC2 instance is gone: ECS deregisters it (INACTIVE) and every task on it is STOPPED at
/// once with ECS's "Host EC2 (instance …) terminated." Its group launches a replacement now if
/// it terminated the instance itself, or once its health checks notice otherwise.
pub fn terminate(world: &mut World, ctx: &mut Ctx, id: InstanceId, cause: Termination) {
    if !world.instances.get(id).is_registered() {
        return;
    }
    let now = ctx.sched.now();
    world.change_instance(id, |i| {
        i.set_status(InstanceStatus::Inactive);
        i.deregistered_at = Some(now);
    });
    let instance = world.instances.get(id);
    let (label, tasks, provider) = (instance.label(), instance.tasks.clone(), instance.provider);
    let zone = instance.zone.map_or("no zone", |z| world.zones[z.index()].as_str());
    let message = format!("EC2 instance {label} ({zone}) terminated: {}.", cause.describe());
    ctx.log(EventKind::InstanceTerminated).instance(label.clone()).message(message).emit();
    let what = format!("is INACTIVE (deregistered): its EC2 instance is gone; {} tasks stopped", tasks.len());
    log_state(world, ctx, id, &what);
    let reason = format!("Host EC2 (instance {label}) terminated.");
    for t in tasks {
        task::kill(world, ctx, t, StopCode::TerminationNotice, &reason);
    }
    match provider {
        Some(p) if cause.by_the_group() => {
            super::census::set_lifecycle(world, id, GroupLifecycle::Gone);
            asg::converge(world, ctx, p);
        }
        Some(_) => {
            let notice = ctx.timing.fleet.instance_loss_detection;
            ctx.sched.after(notice, Event::Capacity(CapacityEvent::LossNoticed(id)));
        }
        None => {}
    }
}

/// Whether a task of a replica service is still on the instance (stopping ones included): a
/// drained instance is only empty once none is, daemon and standalone tasks aside.
fn holds_service_tasks(world: &World, id: InstanceId) -> bool {
    world.instances.get(id).tasks.iter().any(|t| match world.tasks.get(*t).owner {
        TaskOwner::Service(s) => world.services.get(s).spec.scheduling_strategy == SchedulingStrategy::Replica,
        TaskOwner::Standalone(_) => false,
    })
}

/// A task left the instance (or the instance began draining for termination): an instance its
/// group is terminating is terminated as soon as no service task is left on it.
pub fn on_task_left(world: &mut World, ctx: &mut Ctx, id: InstanceId) {
    let instance = world.instances.get(id);
    if let GroupLifecycle::Terminating(cause) = instance.lifecycle {
        if instance.is_registered() && !holds_service_tasks(world, id) {
            ctx.sched.after(SimDuration::ZERO, Event::Capacity(CapacityEvent::Terminate { instance: id, cause }));
        }
    }
}
