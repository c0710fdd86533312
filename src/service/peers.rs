//! How an owner's live tasks (not told to stop) are spread, as starting its next task asks: per
//! capacity provider (a capacity provider strategy's bases and weights) and per zone of its
//! Fargate tasks (Fargate spreads over zones). A service keeps its counts up to date as its tasks
//! start and are told to stop, so a start costs a lookup, not a pass over the service's tasks.
//!
//! Contract: a service's counts change only in [`super::tasks::start_one`] (counted in) and in
//! [`super::on_task_stopping`] (counted out, once, when the task is told to stop: a task's
//! provider and Fargate zone never change while it is live). In debug builds the simulation
//! compares them with a recount after every event ([`drift`]).

use std::collections::BTreeMap;

use crate::ids::{ProviderId, ServiceId, ZoneId};
use crate::task::{Placement, Task};
use crate::world::World;

/// Live tasks per capacity provider and per Fargate zone.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PeerCounts {
    by_provider: BTreeMap<ProviderId, u32>,
    fargate_by_zone: BTreeMap<ZoneId, u32>,
}

/// Adds `delta` to `key`'s count, keeping no zero entries.
fn bump<K: Ord + Copy>(counts: &mut BTreeMap<K, u32>, key: K, delta: i32) {
    let n = counts.entry(key).or_default();
    *n = n.checked_add_signed(delta).expect("peer counts never go below zero");
    if *n == 0 {
        counts.remove(&key);
    }
}

impl PeerCounts {
    /// Counts (`delta` = 1) or uncounts (-1) a live task.
    pub fn count(&mut self, task: &Task, delta: i32) {
        if let Some(p) = task.provider {
            bump(&mut self.by_provider, p, delta);
        }
        if let Placement::Fargate { zone, .. } = task.placement {
            bump(&mut self.fargate_by_zone, zone, delta);
        }
    }

    /// Live tasks on `provider`.
    pub fn on_provider(&self, provider: ProviderId) -> u32 {
        self.by_provider.get(&provider).copied().unwrap_or(0)
    }

    /// Live Fargate tasks in `zone`.
    pub fn fargate_in(&self, zone: ZoneId) -> u32 {
        self.fargate_by_zone.get(&zone).copied().unwrap_or(0)
    }

    /// The counts of the live ones among `tasks`, from scratch.
    fn recount<'a>(tasks: impl Iterator<Item = &'a Task>) -> PeerCounts {
        let mut counts = PeerCounts::default();
        for t in tasks.filter(|t| t.desired_running) {
            counts.count(t, 1);
        }
        counts
    }
}

/// The first service whose counts differ from a recount of its tasks, as a sentence.
pub fn drift(world: &World) -> Result<(), String> {
    for (i, svc) in world.services.iter().enumerate() {
        let recount = PeerCounts::recount(world.tasks.of(&svc.tasks));
        if svc.peers != recount {
            let name = &world.services.get(ServiceId::from_index(i)).spec.name;
            return Err(format!("service {name} counts its live tasks as {:?}, but they are {recount:?}", svc.peers));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{LogEvent, MetricsRow, Recorder};
    use crate::scenario::load_str;
    use crate::sim::Simulation;

    #[derive(Default)]
    struct Stops(u32);
    impl Recorder for Stops {
        fn event(&mut self, e: &LogEvent) {
            self.0 += u32::from(e.kind == crate::record::EventKind::ServiceTasksStopped);
        }
        fn row(&mut self, _: &MetricsRow) {}
    }

    /// A service split over two EC2 groups and one over FARGATE and FARGATE_SPOT, whose tasks
    /// crash, are interrupted, drained off their instance, lost with their zone and scaled in: after every event its counts equal a
    /// recount (debug runs check [`drift`] after each event; here the end is checked too).
    #[test]
    fn the_counts_follow_crashes_interruptions_drains_and_scale_in() {
        let yaml = r#"
duration: 20m
zones: [us-east-1a, us-east-1b, us-east-1c]
task_definitions:
  t: { cpu: 256, memory: 512, network_mode: awsvpc, requires_compatibilities: [EC2, FARGATE], container_definitions: [{ name: t, image: t, memory: 512 }] }
capacity_providers:
  ec2: { auto_scaling_group: { instance_type: m5.large, desired_capacity: 3 } }
  ec2b: { auto_scaling_group: { instance_type: m5.large, desired_capacity: 3 } }
services:
  web:
    task_definition: t
    desired_count: 9
    capacity_provider_strategy: [{ capacity_provider: ec2, base: 2, weight: 1 }, { capacity_provider: ec2b, weight: 2 }]
  api:
    task_definition: t
    desired_count: 12
    capacity_provider_strategy: [{ capacity_provider: FARGATE, base: 2, weight: 1 }, { capacity_provider: FARGATE_SPOT, weight: 2 }]
actions:
  - { at: 12m, update_service: { service: api, desired_count: 5 } }
faults:
  - { at: 2m, crash_tasks: { service: api, count: 3 } }
  - { at: 3m, crash_tasks: { service: web, count: 2 } }
  - { at: 4m, spot_interruption: { provider: FARGATE_SPOT, count: 2 } }
  - { at: 6m, drain_instances: { count: 1 } }
  - { at: 8m, az_outage: { zone: us-east-1b, for: 2m } }
"#;
        let scenario = load_str(yaml, "peers.yaml", "peers").expect("valid");
        let mut stops = Stops::default();
        let (world, _) = Simulation::new(&scenario, &mut stops, false).run();
        assert_eq!(drift(&world), Ok(()));
        assert!(stops.0 >= 2, "the scheduler must stop tasks for the check to mean anything");
        let svc = world.services.iter().find(|s| s.spec.name == "api").expect("api");
        let live: u32 = world.tasks.live(&svc.tasks).count() as u32;
        let on: u32 = (0..world.providers.len()).map(|p| svc.peers.on_provider(ProviderId::from_index(p))).sum();
        assert_eq!((live, on), (5, 5), "scaled in to 5, each counted on its provider");
    }

    #[test]
    fn counts_that_drifted_are_caught() {
        let yaml = include_str!("../../scenarios/quickstart.yaml");
        let scenario = load_str(yaml, "quickstart.yaml", "quickstart").expect("valid");
        let (mut world, _) = Simulation::new(&scenario, &mut Stops::default(), false).run();
        assert_eq!(drift(&world), Ok(()));
        let first = world.services.get(ServiceId::from_index(0)).tasks[0];
        let task = world.tasks.get(first).clone();
        world.services.get_mut(ServiceId::from_index(0)).peers.count(&task, 1);
        assert!(drift(&world).unwrap_err().contains("counts its live tasks as"));
    }
}
