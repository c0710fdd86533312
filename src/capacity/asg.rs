//! Auto Scaling groups at run time (aws-behaviour.md §8). A group keeps its desired capacity: it
//! launches into the enabled zone that is up with the fewest of its instances (ties to the zone
//! listed first), counting what it believes in service — an instance lost to a fault counts until
//! its health checks notice — and the instances still booting. When its zones are out of balance
//! (after a zone comes back, say) it rebalances as AWS does: it launches first, in the zone with
//! the fewest, and then terminates in the zone with the most, draining the instance first;
//! meanwhile it may exceed its size by 10 % (at least one instance).

use crate::engine::SimDuration;
use crate::metrics::EventKind;
use crate::sim::event::CapacityEvent;
use crate::sim::ids::{InstanceId, LaunchId, ProviderId, ZoneId};
use crate::sim::{Ctx, Event, World};

use super::{fleet, status, GroupLifecycle, Instance, LaunchOutcome, Termination};

/// An EC2 instance hour: among equals, the default termination policy picks the instance closest
/// to its next one.
const INSTANCE_HOUR: SimDuration = SimDuration::from_secs(3600);

/// Instances of `provider` its group counts toward the desired capacity.
fn counted(world: &World, provider: ProviderId) -> impl Iterator<Item = &Instance> {
    world.instances.iter().filter(move |i| i.provider == Some(provider) && i.lifecycle == GroupLifecycle::InService)
}

/// For each of the group's zones that is up: the instances it counts there, launches in flight
/// included.
fn zone_counts(world: &World, provider: ProviderId) -> Vec<(ZoneId, u32)> {
    let Some(asg) = world.providers[provider.index()].auto_scaling_group() else { return Vec::new() };
    asg.zones
        .iter()
        .copied()
        .filter(|z| !world.fleet.is_zone_down(*z))
        .map(|z| {
            let in_service = counted(world, provider).filter(|i| i.zone == Some(z)).count();
            let booting = world.fleet.pending_launches(provider).filter(|l| l.zone == z).count();
            (z, (in_service + booting) as u32)
        })
        .collect()
}

/// The zone the group launches into next: the one with the fewest of its instances, ties to the
/// zone listed first; `None` when every zone of the group is down.
pub fn zone_with_fewest(world: &World, provider: ProviderId) -> Option<ZoneId> {
    zone_counts(world, provider).into_iter().min_by_key(|(z, n)| (*n, *z)).map(|(z, _)| z)
}

/// The zone the group terminates in first: the one with the most of its instances, ties to the
/// zone listed last (the mirror of launches).
fn zone_with_most(world: &World, provider: ProviderId) -> Option<ZoneId> {
    zone_counts(world, provider).into_iter().max_by_key(|(z, n)| (*n, *z)).map(|(z, _)| z)
}

/// Whether two of the group's zones that are up differ by more than one instance.
fn is_unbalanced(world: &World, provider: ProviderId) -> bool {
    let counts: Vec<u32> = zone_counts(world, provider).into_iter().map(|(_, n)| n).collect();
    match (counts.iter().max(), counts.iter().min()) {
        (Some(max), Some(min)) => max - min > 1,
        _ => false,
    }
}

/// How far above its size a group may go while it rebalances: AWS's 10 % margin, at least one
/// instance (the groups here have a fixed size: their maximum is their desired capacity).
fn rebalancing_margin(desired: u32) -> u32 {
    (desired / 10).max(1)
}

/// Brings the group to its desired capacity and its zones into balance as far as it can now:
/// launches what it lacks; once nothing is booting, terminates (drained first) what it has too
/// many of, or, with its zones out of balance, launches one more in the emptiest zone. Runs
/// whenever what the group counts changes; does nothing while its Spot capacity cannot be had.
pub fn converge(world: &mut World, ctx: &mut Ctx, provider: ProviderId) {
    let Some(desired) = world.providers[provider.index()].auto_scaling_group().map(|a| a.desired_capacity) else {
        return;
    };
    if world.fleet.is_spot_unavailable(provider) {
        return;
    }
    let booting = world.fleet.pending_launches(provider).count() as u32;
    let in_service = counted(world, provider).count() as u32 + booting;
    if in_service < desired {
        for n in in_service..desired {
            let Some(zone) = zone_with_fewest(world, provider) else { return };
            let why = format!(
                "an instance was started in response to a difference between desired and actual capacity, \
                 increasing the capacity from {n} to {}",
                n + 1
            );
            launch(world, ctx, provider, zone, &why);
        }
    } else if booting == 0 && in_service > desired {
        for _ in desired..in_service {
            take_out_for_balance(world, ctx, provider);
        }
    } else if booting == 0 && is_unbalanced(world, provider) {
        let present = world.registered_instances().filter(|i| i.provider == Some(provider)).count() as u32;
        if present < desired + rebalancing_margin(desired) {
            if let Some(zone) = zone_with_fewest(world, provider) {
                launch(world, ctx, provider, zone, "an instance was launched to aid in balancing the group's zones");
            }
        }
    }
}

/// Begins an instance launch into `zone`; it registers after the drawn launch time.
fn launch(world: &mut World, ctx: &mut Ctx, provider: ProviderId, zone: ZoneId, why: &str) {
    let id = world.fleet.begin_launch(provider, zone, ctx.sched.now());
    let boot = ctx.timing.fleet.instance_launch.sample(ctx.streams.fleet(provider));
    let message = format!(
        "Auto Scaling group {} is launching a new EC2 instance in {}: {why}.",
        world.providers[provider.index()].name,
        world.zones[zone.index()]
    );
    ctx.log(EventKind::AsgInstanceLaunched).message(message).emit();
    ctx.sched.after(boot, Event::Capacity(CapacityEvent::LaunchDone(id)));
}

/// A launched instance has booted: it registers with ECS, tasks waiting for the group's
/// capacity are placed and every service reconciles; or, its zone being down, the launch fails.
/// Either way the group looks at its capacity again.
pub fn on_launch_done(world: &mut World, ctx: &mut Ctx, id: LaunchId) {
    let launch = world.fleet.launches[id.index()].clone();
    if world.fleet.is_zone_down(launch.zone) {
        world.fleet.launches[id.index()].outcome = LaunchOutcome::Failed;
        let message = format!(
            "Auto Scaling group {}: launching a new EC2 instance in {} failed: the availability zone is unavailable.",
            world.providers[launch.provider.index()].name,
            world.zones[launch.zone.index()]
        );
        ctx.log(EventKind::AsgInstanceLaunched).message(message).emit();
    } else {
        let instance = fleet::register_ec2(world, ctx, launch.provider, launch.zone, launch.started_at);
        world.fleet.launches[id.index()].outcome = LaunchOutcome::Registered(instance);
        crate::service::place_awaiting(world, ctx, launch.provider);
        super::reconcile_all(world, ctx);
    }
    converge(world, ctx, launch.provider);
}

/// The group's health checks notice that an instance is gone: it replaces it if it counted it,
/// and carries on with any rebalancing that waited for it otherwise.
pub fn on_loss_noticed(world: &mut World, ctx: &mut Ctx, instance: InstanceId) {
    let i = &mut world.instances[instance.index()];
    if i.lifecycle == GroupLifecycle::Gone {
        return;
    }
    i.lifecycle = GroupLifecycle::Gone;
    if let Some(provider) = i.provider {
        converge(world, ctx, provider);
    }
}

/// Terminates one instance of the zone with the most, by AWS's default termination policy (the
/// instance closest to its next instance hour, ties to the lowest id): the group stops counting
/// it, ECS drains it, and EC2 terminates it once no service task is left on it or the drain
/// timeout runs out.
fn take_out_for_balance(world: &mut World, ctx: &mut Ctx, provider: ProviderId) {
    let Some(zone) = zone_with_most(world, provider) else { return };
    let now = ctx.sched.now();
    let to_next_hour = |i: &Instance| {
        let into_hour = (now - i.launched_at).as_micros() % INSTANCE_HOUR.as_micros();
        INSTANCE_HOUR.as_micros() - into_hour
    };
    let victim = counted(world, provider)
        .filter(|i| i.zone == Some(zone) && i.is_registered() && i.interruption_at.is_none())
        .min_by_key(|i| (to_next_hour(i), i.id))
        .map(|i| i.id);
    let Some(victim) = victim else { return };
    world.instances[victim.index()].lifecycle = GroupLifecycle::Terminating;
    let why = format!(
        "Auto Scaling group {} is terminating it to balance its zones (an instance was taken out of service in \
         response to a rebalancing of availability zones)",
        world.providers[provider.index()].name
    );
    status::drain(world, ctx, victim, &why);
    let timeout = ctx.timing.fleet.termination_drain_timeout;
    let terminate = Event::Capacity(CapacityEvent::Terminate { instance: victim, cause: Termination::Rebalancing });
    ctx.sched.after(timeout, terminate);
    status::on_task_left(world, ctx, victim);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rebalancing_margin_is_ten_percent_and_at_least_one() {
        assert_eq!(rebalancing_margin(3), 1);
        assert_eq!(rebalancing_margin(10), 1);
        assert_eq!(rebalancing_margin(25), 2);
    }
}
