//! Task placement on EC2 container instances, as a pure function of the world.
//!
//! ECS's order (aws-behaviour.md §4.1): keep the instances that can take the task (CPU, memory,
//! ports, ENIs), then rank them. This first version ranks by ECS's default for services without a
//! placement strategy (§4.2): the zone with the fewest tasks of the service, then the instance with
//! the fewest, then the lowest instance id, so ties never depend on iteration order.

use crate::capacity::{Instance, Shortfall};
use crate::sim::ids::{InstanceId, ServiceId, ZoneId};
use crate::sim::World;
use crate::task::{Placement, TaskDefinition};

/// Why a task could not be placed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unplaceable {
    /// No instance was a candidate at all.
    NoInstances,
    /// The candidate that missed the fewest requirements, and the first one it missed.
    Closest { instance: InstanceId, shortfall: Shortfall },
}

/// Picks the instance for a task of `service`, among the instances `candidate` accepts.
pub fn place_on_instance(
    world: &World,
    service: ServiceId,
    td: &TaskDefinition,
    candidate: impl Fn(&Instance) -> bool,
) -> Result<InstanceId, Unplaceable> {
    let candidates: Vec<&Instance> = world.instances.iter().filter(|i| candidate(i)).collect();
    let fitting = candidates.iter().filter(|i| i.shortfalls(td).is_empty());
    let rank = |i: &&&Instance| (zone_load(world, service, i.zone), instance_load(world, service, i), i.id);
    if let Some(best) = fitting.min_by_key(rank) {
        return Ok(best.id);
    }
    candidates
        .iter()
        .map(|i| (i.shortfalls(td), i.id))
        .min_by_key(|(missing, id)| (missing.len(), *id))
        .map_or(Err(Unplaceable::NoInstances), |(missing, instance)| {
            Err(Unplaceable::Closest { instance, shortfall: missing[0] })
        })
}

/// The zone for a Fargate task of `service`: the one with the fewest of its live tasks, ties to
/// the zone listed first (Fargate spreads a service's tasks over its subnets' zones).
pub fn fargate_zone(world: &World, service: ServiceId) -> ZoneId {
    (0..world.zones.len())
        .map(ZoneId::from_index)
        .min_by_key(|z| (zone_load(world, service, *z), *z))
        .expect("validation guarantees at least one zone")
}

/// Live tasks of `service` in `zone`, on instances or on Fargate.
fn zone_load(world: &World, service: ServiceId, zone: ZoneId) -> usize {
    live_tasks(world, service)
        .filter(|p| match p {
            Placement::Instance(i) => world.instances[i.index()].zone == zone,
            Placement::Fargate { zone: z, .. } => *z == zone,
        })
        .count()
}

fn instance_load(world: &World, service: ServiceId, instance: &Instance) -> usize {
    live_tasks(world, service).filter(|p| *p == Placement::Instance(instance.id)).count()
}

/// Placements of the service's tasks that are not being stopped.
fn live_tasks(world: &World, service: ServiceId) -> impl Iterator<Item = Placement> + '_ {
    world.services[service.index()]
        .tasks
        .iter()
        .map(|t| &world.tasks[t.index()])
        .filter(|t| t.desired_running)
        .map(|t| t.placement)
}
