//! A run's size before it starts: the requests it will simulate one by one, the fluid steps it
//! will evaluate and the bytes it will write, so that a scenario that would run for hours or fill
//! the disk is refused with its numbers unless the user asks for it (`--force`).
//!
//! The estimate is deliberately simple and errs high: requests are the traffic sources' rates
//! integrated over the run (`Rate::mean_over`, as traffic steps integrate them), rows are one per
//! service per metrics interval. It is linear in nothing the user controls but the number of services.

use crate::engine::SimTime;
use crate::scenario::Scenario;
use crate::traffic::spec::Fidelity;

/// Requests simulated one by one past which a run is refused: at the million requests a second
/// this machine class simulates, about a quarter of an hour.
pub const REQUEST_BUDGET: f64 = 1e9;
/// Fluid steps (one per target group per step) past which a run is refused.
pub const STEP_BUDGET: f64 = 1e9;
/// Bytes of output past which a run is refused: metrics.csv and the event log, mostly.
pub const OUTPUT_BUDGET: f64 = 1024.0 * 1024.0 * 1024.0;

/// Bytes of one metrics.csv row (a service at one instant), rounded up from the labs' rows.
const ROW_BYTES: f64 = 250.0;

/// What a run is expected to cost.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    /// Requests the traffic sources offer over the run, at either fidelity.
    pub offered: f64,
    /// Requests simulated one by one (`fidelity: requests`; 0 in fluid).
    pub requests: f64,
    /// Fluid evaluations: steps times target groups (`fidelity: fluid`; 0 at request level).
    pub fluid_steps: f64,
    /// metrics.csv rows.
    pub metrics_rows: f64,
    /// Bytes written, estimated from the rows.
    pub output_bytes: f64,
}

/// The estimate for `scenario` (run to its `duration`, with its seed).
pub fn estimate(scenario: &Scenario) -> Estimate {
    let seconds = scenario.duration.as_secs_f64();
    let services = scenario.services.len().max(1) as f64;
    let interval = scenario.metrics_interval.as_secs_f64().max(1e-6);
    let metrics_rows = (seconds / interval + 1.0) * services;
    let traffic = &scenario.traffic;
    let offered: f64 = traffic.sources.iter().map(|s| integral(&s.rate, scenario)).sum();
    let (requests, fluid_steps) = match traffic.fidelity {
        Fidelity::Requests => (offered, 0.0),
        Fidelity::Fluid if traffic.sources.is_empty() => (0.0, 0.0),
        Fidelity::Fluid => {
            let steps = seconds / traffic.step.as_secs_f64().max(1e-6);
            (0.0, steps * scenario.target_groups.len().max(1) as f64)
        }
    };
    Estimate { offered, requests, fluid_steps, metrics_rows, output_bytes: metrics_rows * ROW_BYTES }
}

/// Requests a rate offers over the run: its mean over the run (integrated piece by piece, as a
/// traffic step's rate is) times the run's length.
fn integral(rate: &crate::traffic::Rate, scenario: &Scenario) -> f64 {
    let end = SimTime::ZERO + scenario.duration;
    rate.mean_over(SimTime::ZERO, end, scenario.seed) * scenario.duration.as_secs_f64()
}

impl Estimate {
    /// What is over budget, each as a sentence with its numbers and what would bring it under.
    pub fn over_budget(&self) -> Vec<String> {
        let mut over = Vec::new();
        if self.requests > REQUEST_BUDGET {
            over.push(format!(
                "it would simulate about {} requests one by one (the budget is {}): use `traffic.fidelity: fluid`, a lower rate or a shorter duration",
                count(self.requests),
                count(REQUEST_BUDGET)
            ));
        }
        if self.fluid_steps > STEP_BUDGET {
            over.push(format!(
                "it would evaluate about {} fluid steps (the budget is {}): use a longer `traffic.step` or a shorter duration",
                count(self.fluid_steps),
                count(STEP_BUDGET)
            ));
        }
        if self.output_bytes > OUTPUT_BUDGET {
            over.push(format!(
                "it would write about {} of metrics ({} rows; the budget is {}): use a longer `metrics.interval` or a shorter duration",
                bytes(self.output_bytes),
                count(self.metrics_rows),
                bytes(OUTPUT_BUDGET)
            ));
        }
        over
    }
}

/// `n` with a unit a reader takes in at a glance: `3.2 billion`, `41 million`, `12,345`.
fn count(n: f64) -> String {
    match n {
        n if n >= 1e9 => format!("{:.1} billion", n / 1e9),
        n if n >= 1e6 => format!("{:.0} million", n / 1e6),
        n => format!("{:.0}", n),
    }
}

fn bytes(n: f64) -> String {
    match n {
        n if n >= 1024.0 * 1024.0 * 1024.0 => format!("{:.1} GiB", n / (1024.0 * 1024.0 * 1024.0)),
        n => format!("{:.0} MiB", n / (1024.0 * 1024.0)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(yaml: &str) -> Scenario {
        crate::scenario::load_str(yaml, "t.yaml", "t").unwrap_or_else(|e| panic!("{e}"))
    }

    const WEB: &str = "duration: 1h
zones: [us-east-1a]
metrics: { interval: 10s }
task_definitions:
  web: { cpu: 1024, container_definitions: [{ name: app, image: app, memory: 1024 }] }
capacity_providers:
  ec2: { auto_scaling_group: { instance_type: m5.4xlarge, desired_capacity: 1 } }
load_balancers:
  web-alb: { target_groups: { web-tg: {} } }
services:
  web: { task_definition: web, desired_count: 2, capacity_provider_strategy: [{ capacity_provider: ec2 }], load_balancer: web-tg }
traffic:
  sources: [{ to: web-alb, rate: { ramp: { from: 0, to: 200, start: 0s, end: 1h } } }]
";

    #[test]
    fn requests_are_the_rate_integrated_and_rows_one_per_service_per_interval() {
        let e = estimate(&scenario(WEB));
        // A ramp from 0 to 200 req/s over an hour offers 360,000 requests.
        assert!((e.requests - 360_000.0).abs() < 1.0, "{e:?}");
        assert_eq!(e.metrics_rows, 361.0);
        assert!(e.over_budget().is_empty());
    }

    #[test]
    fn a_run_past_a_budget_says_which_and_what_would_bring_it_under() {
        let months = WEB.replace("duration: 1h", "duration: 1000d").replace("interval: 10s", "interval: 1s");
        let over = estimate(&scenario(&months)).over_budget();
        // 1,000 days at the ramp's 200 req/s, and a row a second for each of them.
        assert_eq!(over.len(), 2, "{over:?}");
        assert!(over[0].starts_with("it would simulate about 17.3 billion requests"), "{}", over[0]);
        assert!(over[1].starts_with("it would write about 20.1 GiB of metrics (86 million rows"), "{}", over[1]);
        let busy = WEB.replace("to: 200,", "to: 2000000,");
        let over = estimate(&scenario(&busy)).over_budget();
        assert!(over[0].starts_with("it would simulate about 3.6 billion requests one by one"), "{over:?}");
        let fluid = busy.replace("traffic:\n", "traffic:\n  fidelity: fluid\n");
        assert!(estimate(&scenario(&fluid)).over_budget().is_empty());
    }
}
