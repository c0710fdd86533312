//! The figures of summary.json and of the table the CLI prints.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::engine::{RunStats, SimTime};
use crate::sim::World;
use crate::task::TaskStatus;

use super::{cost_of_run, Cost};

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
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    pub scenario: String,
    pub seed: u64,
    pub duration_s: f64,
    pub services: Vec<ServiceSummary>,
    pub instances: u32,
    /// US dollars over the run, rounded to the cent's hundredth.
    pub cost_usd: Cost,
    pub cost_usd_total: f64,
    /// Events the engine processed.
    pub events: u64,
}

/// Rounds for output: summaries show four decimals, the same on every machine.
fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

impl Summary {
    pub fn new(scenario: &str, seed: u64, world: &World, end: SimTime, stats: RunStats) -> Self {
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
            })
            .collect();
        let cost = cost_of_run(world, end);
        Summary {
            scenario: scenario.to_string(),
            seed,
            duration_s: end.as_secs_f64(),
            services,
            instances: world.instances.len() as u32,
            cost_usd: Cost {
                ec2: round4(cost.ec2),
                fargate: round4(cost.fargate),
                fargate_spot: round4(cost.fargate_spot),
            },
            cost_usd_total: round4(cost.total()),
            events: stats.events,
        }
    }
}
