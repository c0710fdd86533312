//! The breakdown of an instant (breakdown.csv): each service's tasks by status, Availability
//! Zone, capacity provider and task definition, and its stops by reason; the cluster's instances
//! by zone, capacity provider and purchase option, and the services' Fargate tasks by provider.
//! A pure reading of the world, like the rows it accompanies.

use std::collections::BTreeMap;

use crate::engine::SimTime;
use crate::record::{Breakdown, Count, Dimension};
use crate::task::{Placement, Task, TaskStatus};
use crate::world::World;

/// The launch type a task without a capacity provider is counted under.
fn launch_type(task: &Task) -> &'static str {
    match task.placement {
        Placement::Fargate { spot: false, .. } => "FARGATE",
        Placement::Fargate { spot: true, .. } => "FARGATE_SPOT",
        Placement::Instance(_) | Placement::AwaitingCapacity(_) => "EC2",
    }
}

/// Counts keyed by (dimension, key), sorted: the order breakdown.csv writes them in.
#[derive(Default)]
struct Tally(BTreeMap<(Dimension, String), u32>);

impl Tally {
    fn add(&mut self, dimension: Dimension, key: &str, n: u32) {
        if n > 0 {
            *self.0.entry((dimension, key.to_string())).or_insert(0) += n;
        }
    }

    fn into_counts(self) -> Vec<Count> {
        self.0.into_iter().map(|((dimension, key), value)| Count { dimension, key, value }).collect()
    }
}

/// Every service's breakdown at `now`, in service order, then the cluster's.
pub fn breakdowns(world: &World, now: SimTime) -> Vec<Breakdown> {
    let mut out = Vec::with_capacity(world.services().len() + 1);
    let mut fargate = Tally::default();
    for svc in world.services().iter() {
        let mut tally = Tally::default();
        for task in world.tasks().of(&svc.tasks).filter(|t| t.status != TaskStatus::Stopped) {
            tally.add(Dimension::Status, task.status.as_str(), 1);
            if let Some(zone) = world.task_zone(task.id) {
                tally.add(Dimension::Zone, &world.zones()[zone.index()], 1);
            }
            let provider = task.provider.map_or(launch_type(task), |p| world.providers()[p.index()].name.as_str());
            tally.add(Dimension::CapacityProvider, provider, 1);
            tally.add(Dimension::TaskDefinition, &world.task_definition(task.task_definition).family, 1);
            if let Placement::Fargate { .. } = task.placement {
                fargate.add(Dimension::FargateTasks, launch_type(task), 1);
            }
        }
        for (reason, &n) in &svc.stats.stop_reasons {
            tally.add(Dimension::Stopped, reason, n);
        }
        out.push(Breakdown { time: now, service: Some(svc.spec.name.clone()), counts: tally.into_counts() });
    }
    let mut cluster = fargate;
    for instance in world.registered_instances() {
        if let Some(zone) = instance.zone {
            cluster.add(Dimension::InstancesZone, &world.zones()[zone.index()], 1);
        }
        let provider = instance.provider.map_or("(none)", |p| world.providers()[p.index()].name.as_str());
        cluster.add(Dimension::InstancesCapacityProvider, provider, 1);
        cluster.add(Dimension::InstancesPurchaseOption, if instance.spot { "spot" } else { "on-demand" }, 1);
    }
    out.push(Breakdown { time: now, service: None, counts: cluster.into_counts() });
    out
}
