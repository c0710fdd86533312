//! Placement at fleet scale: services totalling `tasks` tasks placed onto `instances` m5.large
//! with ECS's spread-by-zone-then-binpack-memory chain, through the whole simulation (placement,
//! lifecycle events, metrics). The issue's targets (2-core machine): 100,000 tasks onto 10,000
//! instances under 1 s, and an initial fleet whose cost grows linearly with its size.
//!
//! Fleets past ECS's 5,000 instances per cluster are built by validating the scenario at the
//! quota and then raising the group's size on the typed [`Scenario`]: the simulation itself has
//! no such limit, and the bench measures how its cost grows.

mod common;

use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::Instant;

use common::{benchmark_mode, median};
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

/// The most instances a scenario may declare (ECS's quota per cluster).
const QUOTA: u32 = 5_000;

/// `tasks` split over services of at most 5,000 (ECS's limit per service), at least one task.
fn fleet(instances: u32, tasks: u32) -> Scenario {
    scenario(instances, tasks, "duration: 2m")
}

/// [`fleet`] with its duration and any other top-level fields in `more`.
fn scenario(instances: u32, tasks: u32, more: &str) -> Scenario {
    let services: String = (0..tasks.div_ceil(5_000).max(1))
        .map(|i| {
            let n = tasks.saturating_sub(i * 5_000).clamp(1, 5_000);
            format!(
                "  s{i}: {{ task_definition: t, desired_count: {n}, launch_type: EC2, placement_strategy: \
                 [{{ type: spread, field: \"attribute:ecs.availability-zone\" }}, {{ type: binpack, field: memory }}] }}\n"
            )
        })
        .collect();
    let declared = instances.min(QUOTA);
    let yaml = format!(
        r#"
{more}
zones: [us-east-1a, us-east-1b, us-east-1c]
task_definitions:
  t: {{ container_definitions: [{{ name: t, image: t, cpu: 128, memory: 512 }}] }}
capacity_providers:
  ec2: {{ auto_scaling_group: {{ instance_type: m5.large, desired_capacity: {declared} }} }}
services:
{services}"#
    );
    let mut scenario = load_str(&yaml, "bench.yaml", "bench").expect("the bench scenario is valid");
    let group = scenario
        .capacity_providers
        .iter_mut()
        .find_map(|p| p.auto_scaling_group_mut())
        .expect("the bench scenario has a group");
    group.max_size = group.max_size.max(instances);
    group.desired_capacity = instances;
    scenario
}

/// Runs the scenario; returns (tasks running at the end, instances registered at the end).
fn run(scenario: &Scenario) -> (u32, u32) {
    let (_, summary) = Simulation::new(scenario, &mut Discard, false).run();
    (summary.services.iter().map(|s| s.running_at_end).sum(), summary.instances)
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("placement");
    group.sample_size(10);
    for (instances, tasks) in [(100, 1_000), (1_000, 10_000)] {
        let scenario = fleet(instances, tasks);
        assert_eq!(run(&scenario).0, tasks, "every task must be placed for the figure to mean anything");
        group.throughput(Throughput::Elements(u64::from(tasks)));
        group.bench_function(format!("{tasks} tasks onto {instances} instances"), |b| b.iter(|| run(&scenario)));
    }
    group.finish();
}

/// Seconds of the fastest and the median of `reps` calls of `f`.
#[allow(clippy::disallowed_methods, reason = "a benchmark measures wall-clock time; nothing here feeds a simulation")]
fn timed<T>(reps: usize, mut f: impl FnMut() -> T) -> (f64, f64) {
    let secs: Vec<f64> = (0..reps)
        .map(|_| {
            let start = Instant::now();
            black_box(f());
            start.elapsed().as_secs_f64()
        })
        .collect();
    (secs.iter().copied().fold(f64::INFINITY, f64::min), median(secs))
}

/// The issue's figure, timed by hand (criterion's warm-up and samples would take minutes here).
fn large_fleet() {
    let scenario = fleet(10_000, 100_000);
    assert_eq!(run(&scenario).0, 100_000, "every task must be placed for the figure to mean anything");
    let (fastest, med) = timed(3, || run(&scenario));
    println!(
        "placement, 100000 tasks onto 10000 instances (spread by zone, then binpack memory): \
         {med:.3} s median of 3 (fastest {fastest:.3} s), {:.2} µs per task",
        med * 1e6 / 100_000.0
    );
}

/// What registering an instance costs at the least, as a reference for the slope: a record with
/// the attributes an EC2 instance registers with, pushed onto a `Vec` and indexed in a `BTreeMap`
/// by (free memory, id) as the placement index does.
fn bare_registration(n: u32) -> usize {
    let zones = ["us-east-1a", "us-east-1b", "us-east-1c"];
    let mut table = Vec::new();
    let mut index = BTreeMap::new();
    for i in 0..n {
        let attributes: BTreeMap<String, String> = [
            ("ecs.availability-zone", zones[i as usize % 3]),
            ("ecs.instance-type", "m5.large"),
            ("ecs.cpu-architecture", "x86_64"),
            ("ecs.os-type", "linux"),
            ("ecs.os-family", "LINUX"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        index.insert((7_680u32, i), table.len());
        table.push((format!("i-{i:017x}"), attributes));
    }
    black_box(&index);
    table.len()
}

/// A zone of three goes down 10 s in; a minute later the group notices its lost instances and
/// launches a replacement for each into the other two zones (a third of the fleet, each launch
/// choosing the zone with the fewest), and they register within the run.
const ZONE_LOST: &str = "duration: 4m\nfaults:\n  - { at: 10s, az_outage: { zone: us-east-1b } }";

/// The initial fleet at doubling sizes (one task, so the cost is the fleet's), then the same
/// fleet replacing a lost zone through the group's launches: the time per instance should stay
/// flat and each doubling should cost about twice the time.
fn initial_fleet() {
    for (what, more) in [("initial fleet", "duration: 2m"), ("initial fleet, a zone replaced", ZONE_LOST)] {
        let mut previous: Option<f64> = None;
        for n in [10_000u32, 20_000, 40_000] {
            let scenario = scenario(n, 1, more);
            let (running, registered) = run(&scenario);
            assert_eq!(running, 1, "the task must run for the figure to mean anything");
            assert!(registered >= n, "the whole fleet must register for the figure to mean anything");
            let (_, sim) = timed(5, || run(&scenario));
            let (_, bare) = timed(5, || bare_registration(n));
            let slope = previous.map_or_else(|| "-".to_string(), |p| format!("{:.2}", sim / p));
            println!(
                "{what}, {n} instances: {sim:.3} s median of 5, {:.2} µs per instance; bare registration \
                 {:.2} µs per instance (sim / bare {:.1}x); time({n}) / time({}) = {slope}",
                sim * 1e6 / f64::from(n),
                bare * 1e6 / f64::from(n),
                sim / bare,
                n / 2
            );
            previous = Some(sim);
        }
    }
}

criterion_group!(benches, bench);

fn main() {
    benches();
    if benchmark_mode() {
        large_fleet();
        initial_fleet();
    }
    Criterion::default().configure_from_args().final_summary();
}
