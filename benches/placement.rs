//! Placement at fleet scale: services totalling `tasks` tasks placed onto `instances` m5.large
//! with ECS's spread-by-zone-then-binpack-memory chain, through the whole simulation (placement,
//! lifecycle events, metrics). The issue's target: 100,000 tasks onto 10,000 instances well
//! under 10 s on a 2-core machine.

use std::time::Instant;

use criterion::{criterion_group, Criterion, Throughput};
use ecsim::record::{LogEvent, MetricsRow, Recorder};
use ecsim::scenario::{load_str, Scenario};
use ecsim::sim::Simulation;

/// Discards everything: the bench measures the simulation, not the outputs.
struct Discard;

impl Recorder for Discard {
    fn event(&mut self, _: &LogEvent) {}
    fn row(&mut self, _: &MetricsRow) {}
}

/// `tasks` split over services of at most 5,000 (ECS's limit per service).
fn fleet(instances: u32, tasks: u32) -> Scenario {
    let services: String = (0..tasks.div_ceil(5_000))
        .map(|i| {
            let n = (tasks - i * 5_000).min(5_000);
            format!(
                "  s{i}: {{ task_definition: t, desired_count: {n}, launch_type: EC2, placement_strategy: \
                 [{{ type: spread, field: \"attribute:ecs.availability-zone\" }}, {{ type: binpack, field: memory }}] }}\n"
            )
        })
        .collect();
    let yaml = format!(
        r#"
duration: 2m
zones: [us-east-1a, us-east-1b, us-east-1c]
task_definitions:
  t: {{ container_definitions: [{{ name: t, image: t, cpu: 128, memory: 512 }}] }}
capacity_providers:
  ec2: {{ auto_scaling_group: {{ instance_type: m5.large, desired_capacity: {instances} }} }}
services:
{services}"#
    );
    load_str(&yaml, "bench.yaml", "bench").expect("the bench scenario is valid")
}

fn run(scenario: &Scenario) -> u32 {
    let (_, summary) = Simulation::new(scenario, &mut Discard, false).run();
    summary.services.iter().map(|s| s.running_at_end).sum()
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("placement");
    group.sample_size(10);
    for (instances, tasks) in [(100, 1_000), (1_000, 10_000)] {
        let scenario = fleet(instances, tasks);
        assert_eq!(run(&scenario), tasks, "every task must be placed for the figure to mean anything");
        group.throughput(Throughput::Elements(u64::from(tasks)));
        group.bench_function(format!("{tasks} tasks onto {instances} instances"), |b| b.iter(|| run(&scenario)));
    }
    group.finish();
}

/// The issue's figure, timed once (criterion's repetitions would take minutes at this size).
#[allow(clippy::disallowed_methods, reason = "a benchmark measures wall-clock time; nothing here feeds a simulation")]
fn large_fleet() {
    let scenario = fleet(10_000, 100_000);
    let start = Instant::now();
    let placed = run(&scenario);
    let elapsed = start.elapsed();
    assert_eq!(placed, 100_000);
    println!(
        "placement, 100000 tasks onto 10000 instances (spread by zone, then binpack memory): {:.2} s",
        elapsed.as_secs_f64()
    );
}

criterion_group!(benches, bench);

fn main() {
    benches();
    if std::env::args().any(|a| a == "--bench") {
        large_fleet();
    }
    Criterion::default().configure_from_args().final_summary();
}
