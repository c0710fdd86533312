//! Auto Scaling groups at run time (aws-behaviour.md §8). A group keeps its desired capacity, which
//! stays within its minimum and maximum: it launches into the enabled zone that is up with the
//! fewest of its instances (ties to the zone listed first), counting what it believes in service —
//! an instance lost to a fault counts until its health checks notice — and the instances still
//! booting. Above its desired capacity it terminates by the default termination policy (the zone
//! with the most instances that has an unprotected one, then the instance closest to its next
//! instance hour, then the lowest id), skipping instances protected from scale-in, draining each
//! first with managed draining. When its zones are out of balance (after a zone comes back, say)
//! it rebalances as AWS does: it launches first, in the zone with the fewest, and then terminates
//! in the zone with the most; meanwhile it may exceed its size by 10 % (at least one instance).

use crate::engine::{SimDuration, SimTime};
use crate::ids::{InstanceId, LaunchId, ProviderId, ZoneId};
use crate::record::EventKind;
use crate::world::event::CapacityEvent;
use crate::world::{Ctx, Event, World};

use super::{census, fleet, mixed, status, GroupLifecycle, Instance, LaunchOutcome, Termination};

/// An EC2 instance hour: among equals, the default termination policy picks the instance closest
/// to its next one.
const INSTANCE_HOUR: SimDuration = SimDuration::from_secs(3600);

/// Instances of `provider` its group counts toward the desired capacity.
pub(super) fn counted(world: &World, provider: ProviderId) -> impl Iterator<Item = &Instance> {
    world.instances.iter().filter(move |i| i.provider == Some(provider) && i.lifecycle == GroupLifecycle::InService)
}

/// The group's instances as its own scaling policies see them (aws-behaviour.md §8).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WarmUp {
    /// In service, registered with the cluster and past the warm-up: they feed the group's
    /// metrics and are the base of target tracking.
    pub ready: Vec<InstanceId>,
    /// Launched and still booting, or in service for less than the warm-up: they feed no metric,
    /// block a policy's scale-in, and count toward the desired capacity of the next scale-out.
    pub warming: u32,
}

/// Splits `provider`'s instances into ready and warming at `now`. The warm-up runs from the
/// instance's registration, ecsim's moment of EC2's InService; the initial fleet is ready at once.
pub fn warm_up(world: &World, provider: ProviderId, now: SimTime) -> WarmUp {
    let Some(asg) = world.providers[provider.index()].auto_scaling_group() else { return WarmUp::default() };
    let warmup = asg.policy_warmup();
    let mut view = WarmUp { ready: Vec::new(), warming: world.fleet.census(provider).booting() };
    for i in counted(world, provider).filter(|i| i.is_registered()) {
        if !i.warming(i.registered_at, warmup, now) {
            view.ready.push(i.id);
        } else {
            view.warming += 1;
        }
    }
    view
}

/// For each of the group's zones that is up: the instances it counts there, launches in flight
/// included (from its census: as many steps as zones).
fn zone_counts(world: &World, provider: ProviderId) -> impl Iterator<Item = (ZoneId, u32)> + '_ {
    let zones = world.providers[provider.index()].auto_scaling_group().map_or(&[][..], |asg| &asg.zones);
    let census = world.fleet.census(provider);
    zones.iter().copied().filter(|z| !world.fleet.is_zone_down(*z)).map(move |z| (z, census.in_zone(z)))
}

/// The zone the group launches into next: the one with the fewest of its instances, ties to the
/// zone listed first; `None` when every zone of the group is down.
pub fn zone_with_fewest(world: &World, provider: ProviderId) -> Option<ZoneId> {
    zone_counts(world, provider).min_by_key(|(z, n)| (*n, *z)).map(|(z, _)| z)
}

/// Whether two of the group's zones that are up differ by more than one instance.
fn is_unbalanced(world: &World, provider: ProviderId) -> bool {
    let (min, max) = zone_counts(world, provider).fold((u32::MAX, 0), |(min, max), (_, n)| (min.min(n), max.max(n)));
    max > min.saturating_add(1)
}

/// How far above its size a group may go while it rebalances: AWS's 10 % margin, at least one
/// instance.
fn rebalancing_margin(desired: u32) -> u32 {
    (desired / 10).max(1)
}

/// Protects an instance from its group's scale-in, or lifts the protection (AWS's
/// SetInstanceProtection; ECS's managed termination protection calls it as tasks come and go).
pub fn set_instance_protection(world: &mut World, instance: InstanceId, protected: bool) {
    world.instances.get_mut(instance).protected_from_scale_in = protected;
}

/// Sets `provider`'s group's desired capacity to `desired` clamped into its minimum and maximum
/// (AWS's SetDesiredCapacity, as scaling policies and ECS's managed scaling use it), logs why with
/// the change ("desired 2 → 4"), and brings the group toward it. Returns the new desired
/// capacity; does nothing for a provider that is not an Auto Scaling group (returns 0).
pub fn set_desired_capacity(world: &mut World, ctx: &mut Ctx, provider: ProviderId, desired: u32, why: &str) -> u32 {
    let name = world.providers[provider.index()].name.clone();
    let Some(asg) = world.providers[provider.index()].auto_scaling_group_mut() else { return 0 };
    let old = asg.desired_capacity;
    let new = desired.clamp(asg.min_size, asg.max_size);
    if new == old {
        return new;
    }
    asg.desired_capacity = new;
    let clamped = if new == desired {
        String::new()
    } else {
        format!(" ({desired} asked, clamped into [{}, {}])", asg.min_size, asg.max_size)
    };
    let message = format!("{why}; Auto Scaling group {name} desired {old} → {new}{clamped}.");
    ctx.log(EventKind::AsgDesiredCapacityChanged).message(message).emit();
    converge(world, ctx, provider);
    new
}

/// Brings the group to its desired capacity and its zones into balance as far as it can now:
/// launches what it lacks; once nothing is booting, terminates what it has too many of (skipping
/// protected instances: if all are, nothing is terminated until one is not), or, with its zones
/// out of balance, launches one more in the emptiest zone. Runs whenever what the group counts
/// changes; launches no Spot instance while its Spot capacity cannot be had.
pub fn converge(world: &mut World, ctx: &mut Ctx, provider: ProviderId) {
    let Some(desired) = world.providers[provider.index()].auto_scaling_group().map(|a| a.desired_capacity) else {
        return;
    };
    let census = world.fleet.census(provider);
    let booting = census.booting();
    let in_service = census.in_service() + booting;
    if in_service < desired {
        for n in in_service..desired {
            let Some(zone) = zone_with_fewest(world, provider) else { return };
            let Some(choice) = mixed::next_instance(world, provider) else { return };
            if choice.1 && world.fleet.is_spot_unavailable(provider) {
                return;
            }
            let why = format!(
                "an instance was started in response to a difference between desired and actual capacity, \
                 increasing the capacity from {n} to {}",
                n + 1
            );
            launch(world, ctx, provider, zone, choice, &why);
        }
    } else if booting == 0 && in_service > desired {
        super::managed_scaling::refresh_protection(world, provider);
        let cause =
            if world.fleet.take_rebalancing(provider) { Termination::Rebalancing } else { Termination::ScaleIn };
        while world.fleet.census(provider).in_service() > desired {
            if !take_out(world, ctx, provider, cause) {
                break;
            }
        }
    } else if booting == 0 && is_unbalanced(world, provider) && busiest_zone_has_candidate(world, provider, ctx) {
        let present = world.registered_instances().filter(|i| i.provider == Some(provider)).count() as u32;
        if present < desired + rebalancing_margin(desired) {
            let zone = zone_with_fewest(world, provider);
            let choice = mixed::next_instance(world, provider);
            if let (Some(zone), Some(choice)) = (zone, choice) {
                if !(choice.1 && world.fleet.is_spot_unavailable(provider)) {
                    world.fleet.mark_rebalancing(provider);
                    let why = "an instance was launched to aid in balancing the group's zones";
                    launch(world, ctx, provider, zone, choice, why);
                }
            }
        }
    }
}

/// Begins an instance launch of `itype` (Spot if `spot`) into `zone`; it registers after the
/// drawn launch time.
fn launch(
    world: &mut World,
    ctx: &mut Ctx,
    provider: ProviderId,
    zone: ZoneId,
    (itype, spot): (&'static crate::catalog::InstanceType, bool),
    why: &str,
) {
    let id = world.fleet.begin_launch(provider, zone, (itype, spot), ctx.sched.now());
    let boot = ctx.timing.fleet.instance_launch.sample(ctx.streams.fleet(provider));
    let mixed = world.providers[provider.index()].auto_scaling_group().is_some_and(|a| a.distribution.is_some());
    let what =
        if mixed { format!(" ({}{})", itype.name, if spot { " Spot" } else { " On-Demand" }) } else { String::new() };
    let message = format!(
        "Auto Scaling group {} is launching a new EC2 instance{what} in {}: {why}.",
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
    let launch = world.fleet.launch(id).clone();
    if world.fleet.is_zone_down(launch.zone) {
        world.fleet.end_launch(id, LaunchOutcome::Failed);
        let message = format!(
            "Auto Scaling group {}: launching a new EC2 instance in {} failed: the availability zone is unavailable.",
            world.providers[launch.provider.index()].name,
            world.zones[launch.zone.index()]
        );
        ctx.log(EventKind::AsgInstanceLaunched).message(message).emit();
    } else {
        let instance = fleet::register_ec2(world, ctx, &launch);
        world.fleet.end_launch(id, LaunchOutcome::Registered(instance));
        crate::service::place_awaiting(world, ctx, launch.provider);
        super::reconcile_all(world, ctx);
    }
    converge(world, ctx, launch.provider);
}

/// The group's health checks notice that an instance is gone: it replaces it if it counted it,
/// and carries on with any rebalancing that waited for it otherwise.
pub fn on_loss_noticed(world: &mut World, ctx: &mut Ctx, instance: InstanceId) {
    let i = world.instances.get(instance);
    if i.lifecycle == GroupLifecycle::Gone {
        return;
    }
    let provider = i.provider;
    census::set_lifecycle(world, instance, GroupLifecycle::Gone);
    if let Some(provider) = provider {
        converge(world, ctx, provider);
    }
}

/// The instance the default termination policy picks next: among the instances the group counts
/// that are registered, not under a Spot notice and not protected from scale-in, those of the zone
/// with the most instances (ties to the zone listed last, the mirror of launches); there, the one
/// closest to its next instance hour, ties to the lowest id.
fn termination_candidate(world: &World, provider: ProviderId, ctx: &Ctx) -> Option<InstanceId> {
    let now = ctx.sched.now();
    let candidates: Vec<&Instance> = counted(world, provider)
        .filter(|i| i.is_registered() && i.interruption_at.is_none() && !i.protected_from_scale_in)
        .collect();
    let (zone, _) = zone_counts(world, provider)
        .filter(|(z, _)| candidates.iter().any(|i| i.zone == Some(*z)))
        .max_by_key(|(z, n)| (*n, *z))?;
    let to_next_hour = |i: &Instance| {
        let into_hour = (now - i.launched_at).as_micros() % INSTANCE_HOUR.as_micros();
        INSTANCE_HOUR.as_micros() - into_hour
    };
    candidates.into_iter().filter(|i| i.zone == Some(zone)).min_by_key(|i| (to_next_hour(i), i.id)).map(|i| i.id)
}

/// Whether the zone with the most instances has one the group may terminate: rebalancing launches
/// first and terminates there after, so without one it would only churn.
fn busiest_zone_has_candidate(world: &World, provider: ProviderId, ctx: &Ctx) -> bool {
    let busiest = zone_counts(world, provider).max_by_key(|(z, n)| (*n, *z)).map(|(z, _)| z);
    termination_candidate(world, provider, ctx)
        .is_some_and(|i| busiest.is_some() && world.instances.get(i).zone == busiest)
}

/// Terminates one instance by the default termination policy, for `cause` (scale-in or
/// rebalancing): the group stops counting it; with managed draining ECS drains it and EC2
/// terminates it once no service task is left on it or the drain timeout runs out, without it EC2
/// terminates it at once. Returns false when every instance is protected.
fn take_out(world: &mut World, ctx: &mut Ctx, provider: ProviderId, cause: Termination) -> bool {
    let Some(victim) = termination_candidate(world, provider, ctx) else { return false };
    census::set_lifecycle(world, victim, GroupLifecycle::Terminating(cause));
    let Some(asg) = world.providers[provider.index()].auto_scaling_group() else { return false };
    if !asg.managed_draining {
        status::terminate(world, ctx, victim, cause);
        return true;
    }
    let name = &world.providers[provider.index()].name;
    let why = match cause {
        Termination::Rebalancing => format!(
            "Auto Scaling group {name} is terminating it to balance its zones (an instance was taken out of service \
             in response to a rebalancing of availability zones)"
        ),
        _ => format!(
            "Auto Scaling group {name} is terminating it to lower its capacity to {} (managed draining)",
            asg.desired_capacity
        ),
    };
    status::drain(world, ctx, victim, &why);
    let timeout = ctx.timing.fleet.termination_drain_timeout;
    ctx.sched.after(timeout, Event::Capacity(CapacityEvent::Terminate { instance: victim, cause }));
    status::on_task_left(world, ctx, victim);
    true
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
