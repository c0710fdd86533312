//! What each Auto Scaling group counts toward its desired capacity (aws-behaviour.md §8): its
//! instances in service and its launches still booting, per zone, and the mix of types and
//! purchase options they make. A group asks this before every launch and termination, so it is
//! kept up to date as instances and launches come and go instead of being recounted from the
//! fleet: choosing a zone costs the number of zones, not the number of instances.
//!
//! Contract: an instance counts while it has a provider and its [`GroupLifecycle`] is
//! `InService` (registered or not: an instance lost to a fault counts until the group notices);
//! a launch counts while it is pending. Only [`count_registered`], [`set_lifecycle`] and the
//! [`Fleet`](super::Fleet)'s launch commands change the census; in debug builds [`check`]
//! compares it with a recount of the fleet wherever a group reads it.

use crate::ids::{InstanceId, ProviderId, ZoneId};
use crate::world::World;

use super::mixed::Mix;
use super::{GroupLifecycle, Instance};

/// One group's counts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GroupCensus {
    /// Instances in service per zone, indexed by `ZoneId`.
    in_service: Vec<u32>,
    /// Launches booting per zone, indexed by `ZoneId`.
    booting: Vec<u32>,
    /// The types and purchase options of both.
    mix: Mix,
}

/// The census of a provider that has counted nothing yet.
pub(super) static EMPTY: GroupCensus = GroupCensus { in_service: Vec::new(), booting: Vec::new(), mix: Mix::EMPTY };

fn bump(counts: &mut Vec<u32>, zone: ZoneId, delta: i32) {
    if counts.len() <= zone.index() {
        counts.resize(zone.index() + 1, 0);
    }
    let n = &mut counts[zone.index()];
    *n = n.checked_add_signed(delta).expect("the census never counts below zero");
}

impl GroupCensus {
    /// Instances in service and launches booting in `zone`.
    pub fn in_zone(&self, zone: ZoneId) -> u32 {
        let at = |counts: &[u32]| counts.get(zone.index()).copied().unwrap_or(0);
        at(&self.in_service) + at(&self.booting)
    }

    /// Instances in service, in every zone.
    pub fn in_service(&self) -> u32 {
        self.in_service.iter().sum()
    }

    /// Launches booting, in every zone.
    pub fn booting(&self) -> u32 {
        self.booting.iter().sum()
    }

    /// The types and purchase options of the instances in service and booting.
    pub fn mix(&self) -> &Mix {
        &self.mix
    }

    /// Counts (`delta` = 1) or uncounts (-1) an instance in service.
    pub(super) fn instance(&mut self, instance: &Instance, delta: i32) {
        if let Some(zone) = instance.zone {
            bump(&mut self.in_service, zone, delta);
        }
        if let Some(t) = instance.instance_type {
            self.mix.count(t, instance.spot, delta);
        }
    }

    /// Counts (`delta` = 1) or uncounts (-1) a launch booting.
    pub(super) fn launch(&mut self, launch: &super::Launch, delta: i32) {
        bump(&mut self.booting, launch.zone, delta);
        self.mix.count(launch.instance_type, launch.spot, delta);
    }

    /// The census recounted from the fleet: what the incremental one must equal.
    fn recount(world: &World, provider: ProviderId) -> GroupCensus {
        let mut census = GroupCensus::default();
        for i in world.instances.iter().filter(|i| counts(i) && i.provider == Some(provider)) {
            census.instance(i, 1);
        }
        for l in world.fleet.pending_launches(provider) {
            census.launch(l, 1);
        }
        census
    }

    /// Equal counts, whatever trailing zeros either keeps.
    fn same(&self, other: &GroupCensus) -> bool {
        let trim = |v: &[u32]| v.iter().rposition(|n| *n > 0).map_or(0, |i| i + 1);
        self.in_service[..trim(&self.in_service)] == other.in_service[..trim(&other.in_service)]
            && self.booting[..trim(&self.booting)] == other.booting[..trim(&other.booting)]
            && self.mix == other.mix
    }
}

/// Whether the group counts the instance toward its desired capacity.
fn counts(instance: &Instance) -> bool {
    instance.provider.is_some() && instance.lifecycle == GroupLifecycle::InService
}

/// An EC2 instance of a group has just registered: its group counts it.
pub(super) fn count_registered(world: &mut World, id: InstanceId) {
    let instance = world.instances.get(id);
    if let (true, Some(provider)) = (counts(instance), instance.provider) {
        world.fleet.census_mut(provider).instance(instance, 1);
    }
}

/// Moves an instance to `lifecycle`, counting it in or out of its group's census.
pub(super) fn set_lifecycle(world: &mut World, id: InstanceId, lifecycle: GroupLifecycle) {
    let before = counts(world.instances.get(id));
    world.instances.get_mut(id).lifecycle = lifecycle;
    let instance = world.instances.get(id);
    let after = counts(instance);
    if let (true, Some(provider)) = (before != after, instance.provider) {
        world.fleet.census_mut(provider).instance(instance, if after { 1 } else { -1 });
    }
}

/// The first group whose census differs from a recount of the fleet, as a sentence; checked
/// after every event of debug runs ([`crate::sim`]'s invariants).
pub fn drift(world: &World) -> Result<(), String> {
    for p in (0..world.providers.len()).filter(|p| world.providers[*p].auto_scaling_group().is_some()) {
        let provider = ProviderId::from_index(p);
        let (census, recount) = (world.fleet.census(provider), GroupCensus::recount(world, provider));
        if !census.same(&recount) {
            let name = &world.providers[p].name;
            return Err(format!("group {name} counts {census:?}, but a recount of its fleet is {recount:?}"));
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
    struct Kinds(std::collections::BTreeSet<String>);
    impl Recorder for Kinds {
        fn event(&mut self, e: &LogEvent) {
            self.0.insert(format!("{:?}", e.kind));
            if e.message.contains("terminating it") || e.message.contains("terminated") {
                self.0.insert("terminated".to_string());
            }
        }
        fn row(&mut self, _: &MetricsRow) {}
    }

    /// A group that loses a zone, gets it back and rebalances, has instances terminated, impaired
    /// and drained, and scales in on its memory reservation: after every event its census equals
    /// a recount (debug runs check [`drift`] after each event; here the run's end is checked too).
    #[test]
    fn the_census_follows_launches_losses_rebalancing_and_scale_in() {
        let yaml = r#"
duration: 40m
zones: [us-east-1a, us-east-1b, us-east-1c]
timing: { instance_launch: 60s }
task_definitions:
  t: { container_definitions: [{ name: t, image: t, cpu: 256, memory: 512 }] }
capacity_providers:
  ec2:
    auto_scaling_group:
      instance_type: m5.large
      min_size: 2
      max_size: 12
      desired_capacity: 9
      scaling_policies:
        step_scaling:
          - name: memory-low
            alarm: { metric: memory_reservation, comparison: less_than_threshold, threshold: 20 }
            adjustment_type: change_in_capacity
            steps: [ { upper: 0, adjustment: -2 } ]
services:
  web: { task_definition: t, desired_count: 12, capacity_provider_strategy: [{ capacity_provider: ec2 }] }
faults:
  - { at: 1m, az_outage: { zone: us-east-1b, for: 10m } }
  - { at: 2m, terminate_instances: { count: 2 } }
  - { at: 3m, impair_instances: { count: 1 } }
  - { at: 4m, drain_instances: { count: 1, for: 5m } }
"#;
        let scenario = load_str(yaml, "census.yaml", "census").expect("valid");
        let mut kinds = Kinds::default();
        let (world, _) = Simulation::new(&scenario, &mut kinds, false).run();
        assert_eq!(drift(&world), Ok(()));
        for kind in ["AsgInstanceLaunched", "AsgDesiredCapacityChanged", "terminated"] {
            assert!(kinds.0.contains(kind), "the run must have {kind} for the check to mean anything: {:?}", kinds.0);
        }
        let provider = ProviderId::from_index(world.providers.iter().position(|p| p.name == "ec2").expect("ec2"));
        assert!(world.fleet.census(provider).in_service() < 9, "the group scaled in");
    }

    #[test]
    fn a_census_that_drifted_is_caught() {
        let yaml = include_str!("../../scenarios/quickstart.yaml");
        let scenario = load_str(yaml, "quickstart.yaml", "quickstart").expect("valid");
        let (mut world, _) = Simulation::new(&scenario, &mut Kinds::default(), false).run();
        assert_eq!(drift(&world), Ok(()));
        let instance = world.instances.iter().find(|i| i.provider.is_some()).expect("an EC2 instance").id;
        world.instances.get_mut(instance).lifecycle = GroupLifecycle::Gone;
        assert!(drift(&world).unwrap_err().contains("but a recount of its fleet is"));
    }
}
