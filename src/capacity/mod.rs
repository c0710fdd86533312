//! Where tasks run: capacity providers (EC2 Auto Scaling groups, Fargate, Fargate Spot), their
//! strategies, the container instances of the cluster, and what happens to them during a run:
//! groups replacing lost instances and rebalancing their zones, instances draining, impaired or
//! terminated, zones going down, Spot capacity interrupted.

mod asg;
mod census;
mod cluster;
mod fleet;
mod instance;
pub mod managed_scaling;
mod mixed;
mod provider;
pub mod reservation;
mod state;
mod status;
mod table;
mod timing;
mod zones;

pub use asg::{set_desired_capacity, set_instance_protection, warm_up, WarmUp};
pub use census::{drift as census_drift, GroupCensus};
pub use cluster::cluster_reservation;
pub use fleet::{launch_initial_fleet, ExternalFleet};
pub use instance::{GroupLifecycle, Instance, InstanceStatus, AGENT_RESERVED_PORTS, AGENT_VERSION};
pub use provider::{
    choose_provider, AutoScalingGroup, CapacityProvider, InstancesDistribution, ManagedScaling, ProviderKind,
    PurchaseOption, SpotAllocationStrategy, StrategyItem, DEFAULT_COOLDOWN, FARGATE, FARGATE_SPOT,
    MAX_PROVISIONING_TASKS,
};
pub use state::{Fleet, Launch, LaunchOutcome, ManagedScalingState};
pub use status::{drain, impair, on_task_left, spot_notice, terminate, Termination, DRAINING_REASON, SPOT_NOTICE};
pub use table::Instances;
pub use timing::FleetTiming;
pub use zones::{interrupt_fargate_task, spot_unavailable, zone_down, SPOT_TASK_INTERRUPTED};

use crate::engine::SimDuration;
use crate::ids::ServiceId;
use crate::service::SchedulingStrategy;
use crate::world::event::{CapacityEvent, ServiceEvent};
use crate::world::{Ctx, Event, World};

/// Handles a capacity event.
pub fn on_event(world: &mut World, ctx: &mut Ctx, event: CapacityEvent) {
    match event {
        CapacityEvent::LaunchDone(launch) => asg::on_launch_done(world, ctx, launch),
        CapacityEvent::LossNoticed(instance) => asg::on_loss_noticed(world, ctx, instance),
        CapacityEvent::Terminate { instance, cause } => status::on_terminate_timer(world, ctx, instance, cause),
        CapacityEvent::DrainEnds { instance, generation } => {
            if world.instances.get(instance).generation.is_current(generation) {
                status::reactivate(world, ctx, instance);
            }
        }
        CapacityEvent::ZoneRecovers(zone) => zones::on_zone_recovers(world, ctx, zone),
        CapacityEvent::SpotCapacityReturns(provider) => zones::on_spot_returns(world, ctx, provider),
        CapacityEvent::SpotTaskReclaimed(step) => zones::on_spot_task_reclaimed(world, ctx, step),
        CapacityEvent::ManagedScalingTick(provider) => managed_scaling::on_tick(world, ctx, provider),
    }
}

/// Capacity appeared (an instance registered or is ACTIVE again, a zone or Spot capacity is back):
/// every service reconciles now, daemon services first as ECS places them first, and the
/// scheduler decides what to place. A placement that failed before may succeed now.
fn reconcile_all(world: &mut World, ctx: &mut Ctx) {
    world.capacity_changes += 1;
    let mut services: Vec<(bool, ServiceId)> = world
        .services
        .iter()
        .enumerate()
        .map(|(i, s)| (s.spec.scheduling_strategy != SchedulingStrategy::Daemon, ServiceId::from_index(i)))
        .collect();
    services.sort();
    for (_, id) in services {
        ctx.sched.after(SimDuration::ZERO, Event::Service(ServiceEvent::Reconcile(id)));
    }
}
