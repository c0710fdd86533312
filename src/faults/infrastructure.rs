//! Faults that hit capacity rather than tasks: EC2 instances terminated, impaired or drained, an
//! availability zone lost, Spot capacity reclaimed. This file picks the victims from the fault's
//! own stream and logs what the fault does; `crate::capacity` does the rest, as AWS would.

use crate::capacity::{self, Instance, InstanceStatus, Termination};
use crate::engine::SimDuration;
use crate::ids::{FaultId, InstanceId, ProviderId, TaskId, ZoneId};
use crate::record::EventKind;
use crate::task::Placement;
use crate::world::event::CapacityEvent;
use crate::world::{Ctx, Event, World};

use super::inject::draw;
use super::{Amount, InstanceTarget, InstanceVictims};

/// What the operator's drain says in the log.
const DRAIN_WHY: &str = "update-container-instances-state --status DRAINING (fault injection)";

/// `terminate_instances`: the chosen instances are terminated.
pub fn terminate_instances(world: &mut World, ctx: &mut Ctx, index: FaultId, target: &InstanceTarget) {
    for i in chosen(world, ctx, index, target, ("terminating", Instance::is_registered)) {
        capacity::terminate(world, ctx, i, Termination::Fault);
    }
}

/// `impair_instances`: the chosen instances fail their status checks.
pub fn impair_instances(world: &mut World, ctx: &mut Ctx, index: FaultId, target: &InstanceTarget) {
    let eligible = |i: &Instance| i.is_registered() && !i.is_impaired();
    for i in chosen(world, ctx, index, target, ("impairing", eligible)) {
        capacity::impair(world, ctx, i);
    }
}

/// `drain_instances`: the chosen ACTIVE instances go DRAINING, and ACTIVE again after `duration`
/// unless something else drained them meanwhile.
pub fn drain_instances(
    world: &mut World,
    ctx: &mut Ctx,
    index: FaultId,
    target: &InstanceTarget,
    duration: Option<SimDuration>,
) {
    let eligible = |i: &Instance| i.status == InstanceStatus::Active;
    for i in chosen(world, ctx, index, target, ("draining", eligible)) {
        capacity::drain(world, ctx, i, DRAIN_WHY);
        if let Some(d) = duration {
            let generation = world.instances.get(i).generation;
            ctx.sched.after(d, Event::Capacity(CapacityEvent::DrainEnds { instance: i, generation }));
        }
    }
}

/// `az_outage`: the zone goes down, for `duration` or the rest of the run.
pub fn az_outage(world: &mut World, ctx: &mut Ctx, zone: ZoneId, duration: Option<SimDuration>) {
    let lasting = duration.map_or_else(|| "for the rest of the run".to_string(), |d| format!("for {d}"));
    let message = format!("fault injection: availability zone {} goes down {lasting}.", world.zones[zone.index()]);
    ctx.log(EventKind::FaultInjected).message(message).emit();
    let until = duration.map(|d| ctx.sched.now() + d);
    capacity::zone_down(world, ctx, zone, until);
}

/// `spot_interruption`: Spot capacity is reclaimed from `provider` — an `amount` of its live
/// Fargate Spot tasks, or of its Spot instances not yet under a notice — and, with
/// `unavailable_for`, no Spot capacity can be had for that long (set first, so that replacements
/// started by the interruption already find none).
pub fn spot_interruption(
    world: &mut World,
    ctx: &mut Ctx,
    index: FaultId,
    (provider, amount): (ProviderId, Amount),
    unavailable_for: Option<SimDuration>,
) {
    let name = world.providers[provider.index()].name.clone();
    let fargate = world.providers[provider.index()].is_fargate();
    let (candidates, what): (Vec<Victim>, &str) = if fargate {
        let tasks = world
            .tasks
            .iter()
            .filter(|t| t.desired_running && matches!(t.placement, Placement::Fargate { spot: true, .. }));
        (tasks.map(|t| Victim::Task(t.id)).collect(), "Fargate Spot tasks")
    } else {
        let instances = world
            .registered_instances()
            .filter(|i| i.provider == Some(provider) && i.spot && i.interruption_at.is_none());
        (instances.map(|i| Victim::Instance(i.id)).collect(), "Spot instances")
    };
    let hit = draw(ctx.streams.fault(index), &candidates, amount);
    let mut message = if hit.is_empty() {
        format!(
            "fault injection: Spot interruption: no live {what} of capacity provider {name} ({}).",
            amount.describe()
        )
    } else {
        let labels: Vec<String> = hit.iter().map(|v| v.label(world)).collect();
        format!(
            "fault injection: Spot interruption of {} of {} {what} of capacity provider {name}: {}.",
            hit.len(),
            candidates.len(),
            labels.join(" ")
        )
    };
    if let Some(d) = unavailable_for {
        message.push_str(&format!(" No Spot capacity for {d}."));
    }
    ctx.log(EventKind::FaultInjected).message(message).emit();
    if let Some(d) = unavailable_for {
        capacity::spot_unavailable(world, ctx, provider, d);
    }
    for v in hit {
        match v {
            Victim::Task(t) => capacity::interrupt_fargate_task(world, ctx, t),
            Victim::Instance(i) => capacity::spot_notice(world, ctx, i),
        }
    }
}

/// What a Spot interruption reclaims: a Fargate Spot task or a Spot instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Victim {
    Task(TaskId),
    Instance(InstanceId),
}

impl Victim {
    fn label(self, world: &World) -> String {
        match self {
            Victim::Task(t) => format!("(task {})", world.task_label(t)),
            Victim::Instance(i) => world.instances.get(i).label(),
        }
    }
}

/// The EC2 instances of the target that are `eligible` (`verb` says what the fault does to them),
/// drawn from the fault's own stream; logs what the fault does.
fn chosen(
    world: &World,
    ctx: &mut Ctx,
    index: FaultId,
    target: &InstanceTarget,
    (verb, eligible): (&str, impl Fn(&Instance) -> bool),
) -> Vec<InstanceId> {
    let candidates: Vec<InstanceId> = world
        .instances
        .iter()
        .filter(|i| !i.is_external() && eligible(i))
        .filter(|i| target.provider.is_none_or(|p| i.provider == Some(p)))
        .filter(|i| target.zone.is_none_or(|z| i.zone == Some(z)))
        .map(|i| i.id)
        .collect();
    let hit = match target.victims {
        InstanceVictims::Instance(id) => candidates.iter().copied().filter(|i| *i == id).collect(),
        InstanceVictims::Amount(amount) => draw(ctx.streams.fault(index), &candidates, amount),
    };
    let mut scope = String::new();
    if let Some(p) = target.provider {
        scope.push_str(&format!(" of capacity provider {}", world.providers[p.index()].name));
    }
    if let Some(z) = target.zone {
        scope.push_str(&format!(" in {}", world.zones[z.index()]));
    }
    let message = if hit.is_empty() {
        let asked = match target.victims {
            InstanceVictims::Amount(amount) => amount.describe(),
            InstanceVictims::Instance(id) => format!("{} asked", Instance::ec2_label(id)),
        };
        format!("fault injection: no instance{scope} to hit by {verb} ({asked}).")
    } else {
        let labels: Vec<String> = hit.iter().map(|i| world.instances.get(*i).label()).collect();
        format!("fault injection: {verb} {} of {} instances{scope}: {}.", hit.len(), candidates.len(), labels.join(" "))
    };
    ctx.log(EventKind::FaultInjected).message(message).emit();
    hit
}
