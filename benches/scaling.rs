//! Autoscaling at scale: what a simulated day costs when both layers scale, against the same
//! cluster at a fixed size, in the same process.
//!
//! - **scaling**: 50 services of 0.5-vCPU tasks, each with a diurnal `load:` (1 to 4 vCPUs of
//!   work, peak at 14h, phases spread over the day) and target tracking on CPU at 60 %, on one
//!   EC2 capacity provider (m5.xlarge, 1 to 200 instances) with managed scaling: every minute
//!   publishes 100 datapoints, evaluates 100 alarms and binpacks the provider's tasks for
//!   CapacityProviderReservation.
//! - **fixed**: the same services at their peak count, without autoscaling, on a fixed group
//!   large enough for them.
//!
//! Both run 24 h with outputs discarded. In benchmark mode `main` also times the two
//! alternately (median of `REPS`) and prints wall time, events, scaling activities and the ratio.
//! Under `cargo test --benches` they run once, for an hour.

mod common;

use common::{benchmark_mode, median};
use std::hint::black_box;
use std::time::Instant;

use criterion::{BenchmarkId, Criterion};
use ecsim::record::{EventKind, LogEvent, MetricsRow, Recorder};
use ecsim::scenario::{load_str, Scenario};
use ecsim::sim::Simulation;

const SERVICES: u32 = 50;
const REPS: usize = 5;

/// Counts events, and the scaling decisions among them; keeps nothing.
#[derive(Default)]
struct Count {
    events: u64,
    scaling: u64,
}

impl Recorder for Count {
    fn event(&mut self, e: &LogEvent) {
        self.events += 1;
        if matches!(e.kind, EventKind::ScalingActivity | EventKind::AsgDesiredCapacityChanged) {
            self.scaling += 1;
        }
    }
    fn row(&mut self, _: &MetricsRow) {}
}

/// The bench cluster for `duration`, scaling or at a fixed size.
fn cluster(scaling: bool, duration: &str) -> Scenario {
    let services: String = (0..SERVICES)
        .map(|i| {
            let peak_at = format!("{}m", (i * 29) % 1440);
            let scale = if scaling {
                format!(
                    ", desired_count: 4, autoscaling: {{ min_capacity: 2, max_capacity: 20, target_tracking: \
                     [{{ metric: cpu, target: 60 }}] }}, load: {{ cpu: {{ diurnal: {{ low: 1024, high: 4096, \
                     peak_at: {peak_at} }} }} }}"
                )
            } else {
                ", desired_count: 14".to_string()
            };
            format!(
                "  s{i}: {{ task_definition: t, capacity_provider_strategy: [{{ capacity_provider: ec2 }}]{scale} }}\n"
            )
        })
        .collect();
    let group = if scaling {
        "{ auto_scaling_group: { instance_type: m5.xlarge, min_size: 1, max_size: 200, desired_capacity: 30 }, \
         managed_scaling: { instance_warmup_period: 120s }, managed_termination_protection: enabled }"
    } else {
        "{ auto_scaling_group: { instance_type: m5.xlarge, desired_capacity: 90 } }"
    };
    let yaml = format!(
        r#"
duration: {duration}
zones: [us-east-1a, us-east-1b, us-east-1c]
metrics: {{ interval: 5m }}
task_definitions:
  t: {{ cpu: 512, memory: 1024, container_definitions: [{{ name: t, image: t }}] }}
capacity_providers:
  ec2: {group}
services:
{services}"#
    );
    load_str(&yaml, "bench.yaml", "bench").expect("the bench scenario is valid")
}

fn run(scenario: &Scenario) -> Count {
    let mut count = Count::default();
    Simulation::new(scenario, &mut count, false).run();
    count
}

#[allow(clippy::disallowed_methods, reason = "a benchmark measures wall-clock time; no simulation reads it")]
fn print_figures(scaling: &Scenario, fixed: &Scenario) {
    let mut secs: [Vec<f64>; 2] = Default::default();
    let mut counts = [Count::default(), Count::default()];
    for rep in 0..REPS {
        for k in 0..2 {
            let variant = (rep + k) % 2;
            let start = Instant::now();
            counts[variant] = run(black_box([scaling, fixed][variant]));
            secs[variant].push(start.elapsed().as_secs_f64());
        }
    }
    let [with, without] = secs.map(median);
    for (name, s, c) in [("scaling", with, &counts[0]), ("fixed", without, &counts[1])] {
        println!("{name}: {s:.3} s for 24 h, {} logged events, {} scaling decisions", c.events, c.scaling);
    }
    println!("scaling / fixed: {:.2}x", with / without);
}

fn main() {
    let full = benchmark_mode();
    let duration = if full { "24h" } else { "1h" };
    let (scaling, fixed) = (cluster(true, duration), cluster(false, duration));
    assert!(run(&scaling).scaling > 0 || !full, "the scaling run must scale for its figure to mean anything");
    let mut criterion = Criterion::default().configure_from_args();
    let mut group = criterion.benchmark_group("scaling/24h, 50 services");
    group.sample_size(10);
    group.bench_function(BenchmarkId::from_parameter("scaling"), |b| b.iter(|| run(black_box(&scaling))));
    group.bench_function(BenchmarkId::from_parameter("fixed"), |b| b.iter(|| run(black_box(&fixed))));
    group.finish();
    criterion.final_summary();
    if full {
        print_figures(&scaling, &fixed);
    }
}
