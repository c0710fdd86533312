//! Capacity that goes away wholesale: an availability zone's outage, and Spot capacity a provider
//! cannot get for a while; and the Fargate side of Spot, a task's two-minute interruption notice
//! (aws-behaviour.md §2.2).

use crate::engine::{SimDuration, SimTime};
use crate::ids::{ProviderId, TaskId, ZoneId};
use crate::record::EventKind;
use crate::task::{self, Placement, StopCode, TaskStatus};
use crate::world::event::{CapacityEvent, TaskStep};
use crate::world::{Ctx, Event, World};

use super::{asg, status, Termination, SPOT_NOTICE};

/// ECS's stopped reason for a Fargate Spot task that was interrupted.
pub const SPOT_TASK_INTERRUPTED: &str = "Your Spot Task was interrupted.";

/// The zone goes down until `until` (`None`: for the rest of the run): every EC2 instance in it is
/// lost, every Fargate task in it stops at once, and nothing is placed or launched there until
/// it recovers. Groups notice their lost instances through their health checks and replace them
/// in their other zones.
pub fn zone_down(world: &mut World, ctx: &mut Ctx, zone: ZoneId, until: Option<SimTime>) {
    world.fleet.zone_down(zone, until);
    let name = world.zones[zone.index()].clone();
    let end = until.map_or_else(|| "the end of the run".to_string(), |t| t.to_string());
    let message = format!("availability zone {name} is unavailable until {end}.");
    ctx.log(EventKind::AzOutageStarted).zone(&name).message(message).emit();
    let instances: Vec<_> =
        world.registered_instances().filter(|i| i.zone == Some(zone) && !i.is_external()).map(|i| i.id).collect();
    for i in instances {
        status::terminate(world, ctx, i, Termination::ZoneOutage);
    }
    let fargate: Vec<TaskId> = world
        .tasks
        .iter()
        .filter(|t| {
            t.status != TaskStatus::Stopped && matches!(t.placement, Placement::Fargate { zone: z, .. } if z == zone)
        })
        .map(|t| t.id)
        .collect();
    let reason = format!("Fargate capacity in availability zone {name} became unavailable.");
    for t in fargate {
        task::kill(world, ctx, t, StopCode::TerminationNotice, &reason);
    }
    if let Some(at) = until {
        ctx.sched.at(at, Event::Capacity(CapacityEvent::ZoneRecovers(zone)));
    }
}

/// The zone's outage is over (unless a later one extended it): groups rebalance into it and
/// services may place there again.
pub fn on_zone_recovers(world: &mut World, ctx: &mut Ctx, zone: ZoneId) {
    if !world.fleet.zone_recovers(zone, ctx.sched.now()) {
        return;
    }
    let name = &world.zones[zone.index()];
    let message = format!("availability zone {name} is available again.");
    ctx.log(EventKind::AzOutageEnded).zone(name).message(message).emit();
    for p in 0..world.providers.len() {
        asg::converge(world, ctx, ProviderId::from_index(p));
    }
    super::reconcile_all(world, ctx);
}

/// `provider`'s Spot capacity cannot be had for `duration`: Fargate Spot placements fail, a Spot
/// group launches nothing, until it returns.
pub fn spot_unavailable(world: &mut World, ctx: &mut Ctx, provider: ProviderId, duration: SimDuration) {
    let until = ctx.sched.now() + duration;
    world.fleet.spot_unavailable_until(provider, until);
    let name = &world.providers[provider.index()].name;
    let message = format!("Spot capacity of capacity provider {name} is unavailable until {until}.");
    ctx.log(EventKind::SpotCapacityUnavailable).capacity_provider(name).message(message).emit();
    ctx.sched.at(until, Event::Capacity(CapacityEvent::SpotCapacityReturns(provider)));
}

/// Spot capacity is back (unless a later interruption extended the shortage): the group launches
/// what it lacks and every service may place again.
pub fn on_spot_returns(world: &mut World, ctx: &mut Ctx, provider: ProviderId) {
    if !world.fleet.spot_returns(provider, ctx.sched.now()) {
        return;
    }
    let name = &world.providers[provider.index()].name;
    let message = format!("Spot capacity of capacity provider {name} is available again.");
    ctx.log(EventKind::SpotCapacityAvailable).capacity_provider(name).message(message).emit();
    asg::converge(world, ctx, provider);
    super::reconcile_all(world, ctx);
}

/// A Fargate Spot task's interruption notice: ECS sends the task state change (stopCode
/// TerminationNotice, "Your Spot Task was interrupted.") and SIGTERM, the task stops as any task
/// does, and whatever is left of it is gone when the two minutes run out.
pub fn interrupt_fargate_task(world: &mut World, ctx: &mut Ctx, id: TaskId) {
    let label = world.task_label(id);
    let owner = world.owner_name(world.tasks.get(id).owner).to_string();
    let message = format!(
        "Fargate Spot interruption warning: task {label} is stopped within {SPOT_NOTICE} ({SPOT_TASK_INTERRUPTED})"
    );
    ctx.log(EventKind::SpotInterruptionWarning).service(owner).task(label).message(message).emit();
    if task::stop(world, ctx, id, StopCode::TerminationNotice, SPOT_TASK_INTERRUPTED) {
        let generation = world.tasks.get(id).generation;
        ctx.sched
            .after(SPOT_NOTICE, Event::Capacity(CapacityEvent::SpotTaskReclaimed(TaskStep { task: id, generation })));
    }
}

/// The notice is over: a task not yet STOPPED is killed (its containers took longer than the
/// two minutes, or its ENI release would).
pub fn on_spot_task_reclaimed(world: &mut World, ctx: &mut Ctx, step: TaskStep) {
    if world.tasks.get(step.task).generation.is_current(step.generation) {
        task::kill(world, ctx, step.task, StopCode::TerminationNotice, SPOT_TASK_INTERRUPTED);
    }
}
