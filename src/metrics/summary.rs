//! The figures of summary.json and of the table the CLI prints.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::engine::{RunStats, SimTime};
use crate::task::TaskStatus;
use crate::traffic::ServiceTraffic;
use crate::world::World;

use super::cost::round_usd;
use super::{cost_of_run, Pricing};
use crate::record::Cost;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ServiceSummary {
    pub name: String,
    pub desired_count: u32,
    pub running_at_end: u32,
    /// Tasks already RUNNING at time 0, from a snapshot's `running_count`: not in `tasks_started`.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub running_at_start: u32,
    pub tasks_started: u32,
    pub tasks_stopped: u32,
    pub placement_failures: u32,
    /// Seconds from the start until the service first reached a steady state.
    pub first_steady_state_s: Option<f64>,
    pub stop_reasons: BTreeMap<String, u32>,
    /// USD its Fargate and Fargate Spot tasks cost over the run, rounded to 6 decimals. Tasks on
    /// EC2 cost nothing here: the instances they share are billed to the cluster.
    pub fargate_cost_usd: f64,
    /// What its load balancer saw over the run; absent for a service without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub traffic: Option<TrafficSummary>,
}

/// A service's requests over the whole run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrafficSummary {
    /// Requests sent to a target (fractional in the fluid fidelity, rounded to 3 decimals).
    pub requests: f64,
    pub target_5xx: f64,
    pub elb_502: f64,
    pub elb_503: f64,
    pub elb_504: f64,
    /// Percent of all requests (sent to a target or answered 503 for lack of one) that failed.
    pub error_rate_pct: f64,
    /// Target response time over the run, seconds (rounded to 6 decimals); `None` if no target
    /// ever answered.
    pub response_time_mean_s: Option<f64>,
    pub response_time_p50_s: Option<f64>,
    pub response_time_p90_s: Option<f64>,
    pub response_time_p99_s: Option<f64>,
    pub response_time_max_s: Option<f64>,
}

impl TrafficSummary {
    fn new(t: &ServiceTraffic) -> Self {
        let c = &t.run;
        let round3 = |x: f64| (x * 1e3).round() / 1e3;
        let round6 = |x: f64| (x * 1e6).round() / 1e6;
        let failed = c.target_5xx + c.elb_502 + c.elb_503 + c.elb_504;
        let all = c.requests + c.elb_503;
        let p = t.run_latencies.percentiles();
        TrafficSummary {
            requests: round3(c.requests),
            target_5xx: round3(c.target_5xx),
            elb_502: round3(c.elb_502),
            elb_503: round3(c.elb_503),
            elb_504: round3(c.elb_504),
            error_rate_pct: if all > 0.0 { (100.0 * failed / all * 1e4).round() / 1e4 } else { 0.0 },
            response_time_mean_s: t.run_latencies.mean().map(round6),
            response_time_p50_s: p.map(|p| round6(p.p50)),
            response_time_p90_s: p.map(|p| round6(p.p90)),
            response_time_p99_s: p.map(|p| round6(p.p99)),
            response_time_max_s: p.map(|p| round6(p.max)),
        }
    }
}

/// One deployment of a service: how long it took, what it replaced, what failed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeploymentSummary {
    pub service: String,
    /// `ecs-svc/<n>`.
    pub id: String,
    pub task_definition: String,
    /// `rolloutState`: IN_PROGRESS, COMPLETED, FAILED, or SUPERSEDED by a newer deployment.
    pub state: String,
    pub started_s: f64,
    pub ended_s: Option<f64>,
    /// Seconds from start to completion (or failure); `None` while in progress at the end.
    pub duration_s: Option<f64>,
    pub tasks_started: u32,
    /// Tasks of earlier deployments it stopped.
    pub tasks_replaced: u32,
    /// Circuit-breaker stage 1: its tasks that stopped before RUNNING.
    pub failed_to_start: u32,
    /// Circuit-breaker stage 2: its tasks that failed health checks or exited after RUNNING.
    pub failed_after_running: u32,
    /// The failed deployment this one rolled back.
    pub rollback_of: Option<String>,
    /// The service's `deploymentConfiguration.strategy`: ROLLING, BLUE_GREEN, CANARY or LINEAR.
    pub strategy: String,
    /// Each shift of production traffic a blue/green, canary or linear deployment made (a
    /// rollback's shift back to the old revision included, at 0 %).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub traffic_shifts: Vec<TrafficShiftSummary>,
}

/// One shift of production traffic.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrafficShiftSummary {
    pub at_s: f64,
    /// Percent of production traffic on the deployment's revision after the shift.
    pub percent: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub scenario: String,
    pub seed: u64,
    /// The date of simulated time 0 (`start_time:`), ISO 8601 UTC; absent without one. The run
    /// itself knows no date: the writer of summary.json sets it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<String>,
    pub duration_s: f64,
    pub services: Vec<ServiceSummary>,
    /// Every service's deployments, the first (creation) included, in service order.
    pub deployments: Vec<DeploymentSummary>,
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

fn is_zero(n: &u32) -> bool {
    *n == 0
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
                desired_count: crate::service::desired_count(world, crate::ids::ServiceId::from_index(i)),
                running_at_end: world.tasks.of(&s.tasks).filter(|t| t.status == TaskStatus::Running).count() as u32,
                running_at_start: s.stats.running_at_start,
                tasks_started: s.stats.tasks_started,
                tasks_stopped: s.stats.tasks_stopped,
                placement_failures: s.stats.placement_failures,
                first_steady_state_s: s.stats.first_steady_state_at.map(|t| round4(t.as_secs_f64())),
                stop_reasons: s.stats.stop_reasons.clone(),
                fargate_cost_usd: cost.services[i],
                traffic: s.spec.target_group.map(|_| TrafficSummary::new(&world.traffic.services[i])),
            })
            .collect();
        Summary {
            scenario: scenario.to_string(),
            seed,
            start_time: None,
            duration_s: end.as_secs_f64(),
            services,
            deployments: deployments(world),
            instances: world.registered_instances().count() as u32,
            cost_usd: cost.cluster,
            cost_usd_total: round_usd(cost.cluster.total()),
            events: stats.events,
        }
    }
}

fn deployments(world: &World) -> Vec<DeploymentSummary> {
    let secs = |t: SimTime| round4(t.as_secs_f64());
    world
        .services
        .iter()
        .flat_map(|s| s.deployments.iter().map(move |d| (s, d)))
        .map(|(s, d)| DeploymentSummary {
            service: s.spec.name.clone(),
            id: d.id.clone(),
            task_definition: world.task_definition(d.task_definition).family.clone(),
            state: d.state.as_str().to_string(),
            started_s: secs(d.started_at),
            ended_s: d.ended_at.map(secs),
            duration_s: d.ended_at.map(|e| round4((e - d.started_at).as_secs_f64())),
            tasks_started: d.tasks_started,
            tasks_replaced: d.tasks_replaced,
            failed_to_start: d.failed_to_start,
            failed_after_running: d.failed_after_running,
            rollback_of: d.rollback_of.clone(),
            strategy: s.spec.deployment.strategy.as_str().to_string(),
            traffic_shifts: d
                .shift
                .iter()
                .flat_map(|shift| &shift.shifts)
                .map(|(at, percent)| TrafficShiftSummary { at_s: secs(*at), percent: *percent })
                .collect(),
        })
        .collect()
}
