//! The figures of summary.json and of the table the CLI prints.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::engine::{RunStats, SimTime};
use crate::sim::World;
use crate::task::TaskStatus;

use super::cost::round_usd;
use super::{cost_of_run, Cost, Pricing};

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ServiceSummary {
    pub name: String,
    pub desired_count: u32,
    pub running_at_end: u32,
    pub tasks_started: u32,
    pub tasks_stopped: u32,
    pub placement_failures: u32,
    /// Seconds from the start until the service first reached a steady state.
    pub first_steady_state_s: Option<f64>,
    pub stop_reasons: BTreeMap<String, u32>,
    /// USD its Fargate and Fargate Spot tasks cost over the run, rounded to 6 decimals. Tasks on
    /// EC2 cost nothing here: the instances they share are billed to the cluster.
    pub fargate_cost_usd: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    pub scenario: String,
    pub seed: u64,
    pub duration_s: f64,
    pub services: Vec<ServiceSummary>,
    /// Container instances registered at the end of the run (ACTIVE or DRAINING).
    pub instances: u32,
    /// US dollars over the run, rounded to 6 decimals: metrics.csv's per-interval costs add up to
    /// these exactly.
    pub cost_usd: Cost,
    /// The sum of `cost_usd`'s rounded figures, so that the parts add up to the total as printed.
    pub cost_usd_total: f64,
    /// Events the engine processed.
    pub events: u64,
}

/// Rounds seconds for output: four decimals, the same on every machine.
fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

impl Summary {
    /// The figures of a run of `world` that ended at `end`, billed at `pricing`.
    pub fn new(scenario: &str, seed: u64, world: &World, end: SimTime, stats: RunStats, pricing: &Pricing) -> Self {
        let cost = cost_of_run(world, pricing, end);
        let services = world
            .services
            .iter()
            .enumerate()
            .map(|(i, s)| ServiceSummary {
                name: s.spec.name.clone(),
                desired_count: crate::service::desired_count(world, crate::sim::ids::ServiceId::from_index(i)),
                running_at_end: s.tasks.iter().filter(|t| world.tasks[t.index()].status == TaskStatus::Running).count()
                    as u32,
                tasks_started: s.stats.tasks_started,
                tasks_stopped: s.stats.tasks_stopped,
                placement_failures: s.stats.placement_failures,
                first_steady_state_s: s.stats.first_steady_state_at.map(|t| round4(t.as_secs_f64())),
                stop_reasons: s.stats.stop_reasons.clone(),
                fargate_cost_usd: cost.services[i],
            })
            .collect();
        Summary {
            scenario: scenario.to_string(),
            seed,
            duration_s: end.as_secs_f64(),
            services,
            instances: world.registered_instances().count() as u32,
            cost_usd: cost.cluster,
            cost_usd_total: round_usd(cost.cluster.total()),
            events: stats.events,
        }
    }
}
