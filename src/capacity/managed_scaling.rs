//! ECS's managed scaling of an Auto Scaling group capacity provider (cluster auto scaling,
//! aws-behaviour.md §5.2, §5.3). Every minute ECS publishes CapacityProviderReservation (CPR) =
//! M / N × 100 and its target-tracking policy on the group (target = `target_capacity`) acts:
//!
//! - **N** counts the group's instances in service that are registered with ECS: the instances
//!   AWS calls running in the group. Booting instances do not count; the warm-up rule below keeps
//!   ECS from launching again for them.
//! - **M**, the instances needed: the binpacking estimate (`reservation.rs`) of the provider's
//!   non-daemon tasks, running and waiting in PROVISIONING, onto the largest type; at least N + 1
//!   while a task that fits the smallest type is waiting (so a waiting task always scales out,
//!   however its peers are spread); and at least the instances holding a non-daemon task.
//! - **The metric**: M / N × 100 while tasks need more than the group has (M > N); otherwise, the
//!   ECS guide's managed scale-in rule, **100 − the number of empty instances** (an instance with
//!   only daemon tasks is empty): 2 empty instances publish 98 whatever N is.
//! - **Scale-out** when CPR > target for `scale_out_datapoints` minutes (1, as observed,
//!   UNVERIFIED): desired = ceil(M × 100 / target), or 2 from zero instances (CPR 200 %), the step
//!   over the current desired capacity kept within the minimum and maximum step sizes, and never
//!   while an instance launched less than `instance_warmup_period` ago (or still booting) warms up;
//!   the instances a scenario starts with are not newly launched and do not warm up.
//! - **Scale-in** when CPR < target for 15 consecutive minutes (a scale-out, or a datapoint at or
//!   above target, restarts the count), and then every minute while it stays below: target
//!   tracking's desired = floor(desired × CPR / target), never below ceil(M × 100 / target), the
//!   instances in use, or half the group (ECS's scale-in step limit of 50 % of the group's
//!   capacity since 2022; the floor is ecsim's reading of "gradual"). With 2 of 10 instances empty
//!   and a target of 100: 98 → 9, then 1 of 9 empty, 99 → 8, then none empty, 100: done. With a
//!   target below 100 the group keeps spare empty instances: it scales in only once more than
//!   100 − target instances are empty.
//! - The group's minimum and maximum are never changed: desired is clamped into them.
//! - **Managed termination protection**: ECS keeps instances with non-daemon tasks protected
//!   from scale-in and unprotects the empty ones, so a scale-in only takes empty instances.
//!
//! Not modelled: AWS's note that groups with several types or zones scale out by exactly the
//! minimum step size.

use crate::engine::SimDuration;
use crate::ids::{InstanceId, ProviderId};
use crate::service::{is_daemon_task, only_daemons_left};
use crate::task::Placement;
use crate::world::event::CapacityEvent;
use crate::world::{Ctx, Event, World};

use super::reservation::{capacity_provider_reservation, instances_needed, scale_in_reservation, Shape, TaskNeed};
use super::{asg, Instance};

/// ECS publishes the metric once a minute.
pub const PERIOD: SimDuration = SimDuration::from_secs(60);

/// Schedules the first minute of every provider with managed scaling.
pub fn start(world: &World, ctx: &mut Ctx) {
    for (i, p) in world.providers.iter().enumerate() {
        if p.auto_scaling_group().is_some_and(|a| a.managed_scaling.is_some()) {
            let tick = CapacityEvent::ManagedScalingTick(ProviderId::from_index(i));
            ctx.sched.after(PERIOD, Event::Capacity(tick));
        }
    }
}

/// Whether the instance holds a non-daemon task that is to keep running (daemon tasks leave an
/// instance "empty").
fn in_use(world: &World, id: InstanceId) -> bool {
    !only_daemons_left(world, id)
}

/// The group's instances N counts: in service with the group and registered with ECS.
fn in_service(world: &World, provider: ProviderId) -> impl Iterator<Item = &Instance> {
    asg::counted(world, provider).filter(|i| i.is_registered())
}

/// With managed termination protection, protects the group's instances that hold non-daemon
/// tasks and unprotects the others. ECS does this as tasks come and go; ecsim does it every
/// minute and right before the group picks instances to terminate.
pub fn refresh_protection(world: &mut World, provider: ProviderId) {
    let managed =
        world.providers[provider.index()].auto_scaling_group().is_some_and(|a| a.managed_termination_protection);
    if !managed {
        return;
    }
    let ids: Vec<InstanceId> = in_service(world, provider).map(|i| i.id).collect();
    for id in ids {
        let protect = in_use(world, id);
        asg::set_instance_protection(world, id, protect);
    }
}

/// What one minute's metric was computed from.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Reading {
    /// Instances needed.
    pub needed: u32,
    /// Instances in service.
    pub in_service: u32,
    /// Instances in service holding a non-daemon task.
    pub in_use: u32,
    pub reservation: f64,
}

/// The provider's CapacityProviderReservation now (see the module docs).
pub fn read(world: &World, provider: ProviderId) -> Option<Reading> {
    let asg = world.providers[provider.index()].auto_scaling_group()?;
    let instances: Vec<InstanceId> = in_service(world, provider).map(|i| i.id).collect();
    let mut needs: std::collections::BTreeMap<TaskNeed, u32> = std::collections::BTreeMap::new();
    let live = world.instances.iter().filter(|i| i.provider == Some(provider) && i.is_registered());
    let running = live.flat_map(|i| i.tasks.iter());
    let waiting = world
        .awaiting_capacity
        .iter()
        .filter(|t| world.tasks.get(**t).placement == Placement::AwaitingCapacity(provider));
    for t in running.chain(waiting.clone()) {
        let task = world.tasks.get(*t);
        if task.desired_running && !is_daemon_task(world, task.owner) {
            *needs.entry(TaskNeed::of(world.task_definition(task.task_definition))).or_insert(0) += 1;
        }
    }
    let needs: Vec<(TaskNeed, u32)> = needs.into_iter().collect();
    let shape = |t| Shape::of(t, asg.ecs_reserved_memory, asg.eni_trunking);
    let (largest, smallest) = (shape(asg.largest_type()), shape(asg.smallest_type()));
    let mut needed = instances_needed(&needs, &largest, &smallest);
    let n = instances.len() as u32;
    let waiting_fits = waiting.filter(|t| world.tasks.get(**t).desired_running).any(|t| {
        let need = TaskNeed::of(world.task_definition(world.tasks.get(*t).task_definition));
        instances_needed(&[(need, 1)], &smallest, &smallest) == 1
    });
    if waiting_fits {
        needed = needed.max(n + 1);
    }
    let used = instances.iter().filter(|i| in_use(world, **i)).count() as u32;
    needed = needed.max(used);
    let reservation =
        if n > 0 && needed <= n { scale_in_reservation(n - used) } else { capacity_provider_reservation(needed, n) };
    Some(Reading { needed, in_service: n, in_use: used, reservation })
}

/// Whether an instance of the group is still warming up (launched less than the warm-up period
/// ago, or still booting): ECS launches nothing more until none is. The initial fleet (there at
/// time 0) was not newly launched and does not warm up.
fn warming(world: &World, provider: ProviderId, warmup: SimDuration, now: crate::engine::SimTime) -> bool {
    world.fleet.pending_launches(provider).next().is_some()
        || in_service(world, provider).any(|i| i.warming(i.launched_at, warmup, now))
}

/// One minute of managed scaling for `provider`: publish the metric, count the datapoints, and
/// scale out or in (see the module docs). Schedules the next minute.
pub fn on_tick(world: &mut World, ctx: &mut Ctx, provider: ProviderId) {
    ctx.sched.after(PERIOD, Event::Capacity(CapacityEvent::ManagedScalingTick(provider)));
    let Some((settings, desired)) = world.providers[provider.index()]
        .auto_scaling_group()
        .and_then(|a| Some((a.managed_scaling?, a.desired_capacity)))
    else {
        return;
    };
    refresh_protection(world, provider);
    let Some(reading) = read(world, provider) else { return };
    let target = settings.target_capacity;
    let state = world.fleet.managed_scaling(provider);
    state.reservation = Some(reading.reservation);
    let target_f = f64::from(target);
    if reading.reservation > target_f {
        state.above += 1;
        state.below = 0;
    } else if reading.reservation < target_f {
        state.below += 1;
        state.above = 0;
    } else {
        state.above = 0;
        state.below = 0;
    }
    let (above, below) = (state.above, state.below);
    let now = ctx.sched.now();
    let warm = warming(world, provider, settings.instance_warmup_period, now);
    let why = |comparison: &str| {
        format!(
            "capacity provider {}: CapacityProviderReservation {:.1} {comparison} target {target} (M={} instances \
             needed, N={} in service)",
            world.providers[provider.index()].name,
            reading.reservation,
            reading.needed,
            reading.in_service
        )
    };
    // ceil(M × 100 / target): the capacity at which CPR would be on target.
    let on_target = (u64::from(reading.needed) * 100).div_ceil(u64::from(target)).min(u64::from(u32::MAX)) as u32;
    if above >= settings.scale_out_datapoints && !warm {
        let wanted = if reading.in_service == 0 { 2 } else { on_target };
        if wanted > desired {
            let step =
                (wanted - desired).max(settings.minimum_scaling_step_size).min(settings.maximum_scaling_step_size);
            let why = why(">");
            asg::set_desired_capacity(world, ctx, provider, desired.saturating_add(step), &why);
            world.fleet.managed_scaling(provider).below = 0;
        }
    } else if below >= settings.scale_in_datapoints && !warm {
        // Target tracking on the published value, gradual: floor(desired × CPR / target), within
        // the 50 % step limit and never below what is needed or in use.
        let tracked = (f64::from(desired) * reading.reservation / target_f).floor() as u32;
        let wanted = tracked.max(on_target).max(reading.in_use).max(desired.div_ceil(2));
        if wanted < desired {
            let why = why("<");
            asg::set_desired_capacity(world, ctx, provider, wanted, &why);
        }
    }
}
