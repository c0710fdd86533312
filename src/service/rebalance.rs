//! Service Availability Zone rebalancing (aws-behaviour.md §4.5): once a service whose tasks are
//! spread over zones is steady but lopsided — after a zone outage, say — ECS starts a task in the
//! least-populated zone and then stops one in the most-populated, until no zone has more than one
//! task more than another. ecsim moves one task at a time: it marks a task of the fullest zone,
//! and the scheduler's replacement rule does the rest (the replacement goes to the emptiest zone,
//! since placement spreads by zone; the marked task stops once its replacement is healthy).
//!
//! With a capacity provider strategy of two or more providers (FARGATE + FARGATE_SPOT, two Auto
//! Scaling groups, with a base and weights), the replacement goes to the provider the strategy
//! gives the service's next task, whatever the moved task's provider: so the emptiest zone is
//! sought among the zones where *that* provider can take a task, and the task moved is, where one
//! is, a task of that provider in the fullest zone (the split over providers stays as the strategy
//! made it). A service whose fullest zone has fewer than 2 tasks more than the emptiest zone that
//! provider can reach is as balanced as its strategy allows: rebalancing finishes rather than
//! moving tasks whose replacements would land back in a full zone (which looped for ever).
//!
//! Contract: "started rebalancing" is said when the first task of a rebalancing is marked and
//! "finished rebalancing" when a steady look finds the zones balanced again, each once per
//! rebalancing ([`Rebalancing`] keeps which of the two was said last, and the task on the move).

use crate::capacity::{choose_provider, ProviderKind};
use crate::ids::{ProviderId, ServiceId, TaskId, ZoneId};
use crate::placement::{rejections, PlacementStrategy, Request, SpreadField, AZ_ATTRIBUTE};
use crate::record::EventKind;
use crate::world::{Ctx, World};

use super::{wording, CapacitySource};

/// Where a service's Availability Zone rebalancing is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Rebalancing {
    /// None under way ("finished", or nothing, was said last).
    #[default]
    Idle,
    /// This task is being moved: it stops once its replacement, in an emptier zone, is healthy.
    Moving(TaskId),
    /// "started" was said and the last task moved is gone: the next steady look moves another
    /// or finishes.
    UnderWay,
}

impl Rebalancing {
    /// The task being moved, if one is.
    pub fn moving(&self) -> Option<TaskId> {
        match self {
            Rebalancing::Moving(t) => Some(*t),
            Rebalancing::Idle | Rebalancing::UnderWay => None,
        }
    }

    /// `task` reached STOPPED.
    pub fn stopped(&mut self, task: TaskId) {
        if *self == Rebalancing::Moving(task) {
            *self = Rebalancing::UnderWay;
        }
    }

    /// Marks `task` to move; returns whether this starts a rebalancing.
    fn mark(&mut self, task: TaskId) -> bool {
        std::mem::replace(self, Rebalancing::Moving(task)) == Rebalancing::Idle
    }

    /// The zones are balanced; returns whether a rebalancing was under way.
    fn finish(&mut self) -> bool {
        std::mem::take(self) != Rebalancing::Idle
    }
}

fn runs_on_fargate(world: &World, id: ServiceId) -> bool {
    world.services.get(id).spec.capacity.runs_on_fargate(&world.providers)
}

fn spreads_by_zone(world: &World, id: ServiceId) -> bool {
    let spec = &world.services.get(id).spec;
    let az = PlacementStrategy::Spread(SpreadField::Attribute(AZ_ATTRIBUTE.to_string()));
    runs_on_fargate(world, id) || spec.placement_strategy.first() == Some(&az)
}

/// The provider the service's strategy gives its next task (its live tasks counted as they are),
/// `None` for a launch type. The replacement of a moved task goes there.
fn next_provider(world: &World, id: ServiceId) -> Option<ProviderId> {
    let svc = world.services.get(id);
    let CapacitySource::Strategy(items) = &svc.spec.capacity else { return None };
    let count_on = |p: ProviderId| {
        world.tasks.of(&svc.tasks).filter(|t| t.desired_running && t.provider == Some(p)).count() as u32
    };
    choose_provider(items, count_on)
}

/// Whether a new task of the service could go to `zone` now, on `provider` if given: a zone that
/// is up, for Fargate (FARGATE_SPOT while Spot capacity can be had); a zone with an instance of
/// the service's capacity (of `provider`) that can take it, for EC2.
fn zone_has_room(world: &World, id: ServiceId, zone: ZoneId, provider: Option<ProviderId>) -> bool {
    if world.fleet.is_zone_down(zone) {
        return false;
    }
    if let Some(p) = provider {
        match world.providers[p.index()].kind {
            ProviderKind::Fargate => return true,
            ProviderKind::FargateSpot => return !world.fleet.is_spot_unavailable(p),
            ProviderKind::AutoScalingGroup(_) => {}
        }
    } else if runs_on_fargate(world, id) {
        return true;
    }
    let svc = world.services.get(id);
    let request = Request {
        task_definition: world.task_definition(svc.primary().task_definition),
        group: svc.group,
        strategies: &svc.spec.placement_strategy,
        constraints: &svc.spec.placement_constraints,
    };
    world.instances.iter().any(|i| {
        i.zone == Some(zone)
            && i.accepts_tasks()
            && svc.spec.capacity.includes(i)
            && provider.is_none_or(|p| i.provider == Some(p))
            && rejections(world, i, &request).is_empty()
    })
}

/// The service's tasks in each zone, by zone index.
fn tasks_by_zone(world: &World, id: ServiceId) -> Vec<Vec<TaskId>> {
    let mut zones = vec![Vec::new(); world.zones.len()];
    for &t in &world.services.get(id).tasks {
        if let Some(z) = world.task_zone(t) {
            zones[z.index()].push(t);
        }
    }
    zones
}

/// Called when the service is steady (all its tasks healthy): marks one task of the fullest zone
/// for replacement if that zone has 2 or more tasks more than the emptiest zone its replacement's
/// provider can take one in; says when a rebalancing starts and when it is over. Returns whether a
/// task was marked.
///
/// Whether a zone can take a task is a search of the fleet, so it is asked only where the answer
/// matters: of the zones, emptiest first, those 2 or more tasks below the fullest, until one can;
/// and, when none can, of the others only if a rebalancing is under way (to say it finished).
/// A balanced service on a full cluster, checked at every steady look, searched the fleet once
/// per zone each time.
pub fn check(world: &mut World, ctx: &mut Ctx, id: ServiceId) -> bool {
    let svc = world.services.get(id);
    if !svc.spec.availability_zone_rebalancing || !spreads_by_zone(world, id) {
        return false;
    }
    let provider = next_provider(world, id);
    let zones = tasks_by_zone(world, id);
    let fullest =
        (0..zones.len()).filter(|&z| !zones[z].is_empty()).max_by_key(|&z| (zones[z].len(), std::cmp::Reverse(z)));
    let most = fullest.map_or(0, |z| zones[z].len());
    let mut emptiest_first: Vec<usize> = (0..zones.len()).collect();
    emptiest_first.sort_by_key(|&z| (zones[z].len(), z));
    let has_room = |z: usize| zone_has_room(world, id, ZoneId::from_index(z), provider);
    let (lopsided, even): (Vec<usize>, Vec<usize>) =
        emptiest_first.into_iter().partition(|&z| zones[z].len() + 2 <= most);
    let name = svc.spec.name.clone();
    let Some(many) = fullest.filter(|_| lopsided.into_iter().any(has_room)) else {
        let under_way = svc.rebalancing != Rebalancing::Idle;
        if under_way && even.into_iter().any(has_room) {
            world.services.get_mut(id).rebalancing.finish();
            let message = wording::rebalancing_finished(&name);
            ctx.log(EventKind::ServiceRebalancingCompleted).service(name).message(message).emit();
        }
        return false;
    };
    let many = &zones[many];
    // A task of the replacement's provider, so the split over providers stays as it is.
    let on_provider = many.iter().filter(|t| world.tasks.get(**t).provider == provider).max();
    let victim = *on_provider.or(many.iter().max()).expect("the fullest zone holds tasks");
    if world.services.get_mut(id).rebalancing.mark(victim) {
        let message = wording::rebalancing_started(&name);
        ctx.log(EventKind::ServiceRebalancingStarted).service(name).message(message).emit();
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn started_and_finished_are_each_said_once_per_rebalancing() {
        let (a, b) = (TaskId::from_index(1), TaskId::from_index(2));
        let mut r = Rebalancing::default();
        assert!(r.mark(a), "the first move starts a rebalancing");
        assert_eq!(r.moving(), Some(a));
        r.stopped(b);
        assert_eq!(r.moving(), Some(a), "another task stopping changes nothing");
        r.stopped(a);
        assert_eq!((r, r.moving()), (Rebalancing::UnderWay, None));
        assert!(!r.mark(b), "the second move continues it");
        r.stopped(b);
        assert!(r.finish(), "balanced again: finished");
        assert!(!r.finish(), "said once");
        assert_eq!(r, Rebalancing::Idle);
    }
}
