//! Traffic at scale, against the engine's bare-heap baseline.
//!
//! Two whole simulations, each timed end to end (scenario already parsed, outputs discarded):
//! - **requests**: one service of 100 one-vCPU tasks on eight m5.4xlarge behind one ALB target
//!   group (round robin), every request an event: nothing for the first minute (every target is
//!   healthy by then), then 1,000 requests/s for 1,000 s, so 1,000,000 requests of 20 ms mean CPU
//!   time each (0.2 of a vCPU per task). The run checks that it served 1,000,000 ± 2%.
//! - **fluid**: 50 services of 4 tasks, each behind its own load balancer and fed by its own
//!   diurnal source (200 to 1,500 requests/s, peak at 14h), for 24 h in the fluid fidelity at
//!   its default 1 s step: 17 million target-steps. Then the same for an hour at 25, 50, 100,
//!   200 and 400 services (the instances doubling alike): linear cost doubles per doubling (a
//!   doubling past 2.5x is called out as not linear). And the 50 services for 24 h with both layers scaling:
//!   target tracking on CPU (2 to 12 tasks each, peaks spread over the day) on m5.large
//!   instances that managed scaling adds and removes.
//!
//! - **queue**: the request run's shape as the classic reference workload: 100 one-worker
//!   targets (`workers: 1`, FIFO), round robin, Poisson arrivals at 1,000/s, exponential work of
//!   80 ms mean (ρ = 0.8), 1,000,000 requests; beside a **hand-written loop** of the same model
//!   (a binary heap of arrivals and completions, a FIFO per target, the response times in an HDR
//!   histogram), so "ecsim / hand-written" says what the simulator costs over the bare model.
//!
//! The baseline is a bare `BinaryHeap<Reverse<(u64, u64)>>` loop that pops and pushes as many
//! events as the request run processes, with the run's typical queue length, so "µs per event of
//! ecsim / µs per event of the bare heap" says what the model costs over the queue alone.
//!
//! After criterion's report, in benchmark mode, `main` times the three interleaved (median of
//! `RATIO_REPS`) and prints wall time, events, events/s and the ratio to the bare heap per event.
//! Under `cargo test --benches` (one unoptimised run of each) the runs are shortened.

mod common;

use common::{benchmark_mode, median};
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput};
use ecsim::record::{LogEvent, MetricsRow, Recorder};
use ecsim::scenario::{load_str, Scenario};
use ecsim::sim::Simulation;

/// Requests per second of the request run, once it starts sending.
const REQUEST_RATE: u64 = 1_000;
/// Seconds before the request run starts sending: every target is healthy by then.
const WARM_UP_SECS: u64 = 60;
/// Seconds the request run sends for, in benchmark mode (1,000,000 requests).
const REQUEST_SECS: u64 = 1_000;
/// Services of the fluid run, and tasks of each.
const FLUID_SERVICES: u32 = 50;
const FLUID_TASKS: u32 = 4;
/// Entries the bare heap holds while it runs: about what the request run keeps queued (one
/// arrival and health checks, ~20 requests in flight, the metrics and scheduler timers).
const BARE_QUEUE: u64 = 128;
/// Interleaved repetitions of each variant for the printed figures.
const RATIO_REPS: usize = 3;

/// Discards everything: the bench measures the simulation, not the outputs.
struct Discard;

impl Recorder for Discard {
    fn event(&mut self, _: &LogEvent) {}
    fn row(&mut self, _: &MetricsRow) {}
}

/// The request run: `secs` seconds of `REQUEST_RATE` requests/s after the warm-up.
fn requests_scenario(secs: u64) -> Scenario {
    load_str(&requests_scenario_yaml(secs), "bench.yaml", "bench").expect("the request bench scenario is valid")
}

fn requests_scenario_yaml(secs: u64) -> String {
    format!(
        r#"
duration: {duration}s
zones: [us-east-1a, us-east-1b]
metrics: {{ interval: 60s }}
task_definitions:
  web: {{ cpu: 1024, container_definitions: [{{ name: app, image: app, memory: 1024 }}] }}
capacity_providers:
  ec2: {{ auto_scaling_group: {{ instance_type: m5.4xlarge, desired_capacity: 8 }} }}
load_balancers:
  web-alb: {{ target_groups: {{ web-tg: {{ algorithm: round_robin, health_check: {{ interval: 10s }} }} }} }}
services:
  web:
    task_definition: web
    desired_count: 100
    capacity_provider_strategy: [{{ capacity_provider: ec2 }}]
    load_balancer: web-tg
    requests: {{ cpu_time: {{ exponential: {{ mean: 20ms }} }} }}
traffic:
  fidelity: requests
  sources: [{{ to: web-alb, rate: {{ step: {{ before: 0, after: {REQUEST_RATE}, at: {WARM_UP_SECS}s }} }} }}]
"#,
        duration = WARM_UP_SECS + secs,
    )
}

/// The queue run: the request run with one worker per task and 80 ms of work (ρ = 0.8).
fn queue_scenario(secs: u64) -> Scenario {
    let one_worker = "requests: { cpu_time: { exponential: { mean: 80ms } }, workers: 1 }";
    let yaml =
        requests_scenario_yaml(secs).replacen("requests: { cpu_time: { exponential: { mean: 20ms } } }", one_worker, 1);
    assert!(yaml.contains(one_worker), "the request scenario's model changed: update the queue run");
    load_str(&yaml, "bench.yaml", "bench").expect("the queue bench scenario is valid")
}

/// The hand-written reference of the queue run: `requests` Poisson arrivals at `REQUEST_RATE`
/// per second, round robin over 100 FIFO single-worker targets, exponential work of 80 ms mean,
/// every response time recorded in an HDR histogram. Returns (requests answered, p99 in µs).
fn run_hand_written(requests: u64) -> (u64, u64) {
    const TARGETS: usize = 100;
    let mut x = 0x2545_F491_4F6C_DD1Du64;
    let mut exp = |mean_us: f64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let u = ((x >> 11) as f64 + 0.5) / (1u64 << 53) as f64;
        (-u.ln() * mean_us) as u64
    };
    let mut histogram = hdrhistogram::Histogram::<u64>::new_with_bounds(1, 3_600_000_000, 3).expect("valid bounds");
    // (time µs, sequence, target; usize::MAX for an arrival)
    let mut heap: BinaryHeap<Reverse<(u64, u64, usize)>> = BinaryHeap::new();
    let mut queues: Vec<std::collections::VecDeque<u64>> = vec![Default::default(); TARGETS];
    let (mut seq, mut sent, mut next_target, mut answered) = (0u64, 0u64, 0usize, 0u64);
    heap.push(Reverse((exp(1e6 / REQUEST_RATE as f64), seq, usize::MAX)));
    while let Some(Reverse((now, _, who))) = heap.pop() {
        seq += 1;
        if who == usize::MAX {
            let target = next_target;
            next_target = (next_target + 1) % TARGETS;
            queues[target].push_back(now);
            if queues[target].len() == 1 {
                heap.push(Reverse((now + exp(80_000.0), seq, target)));
            }
            sent += 1;
            if sent < requests {
                heap.push(Reverse((now + exp(1e6 / REQUEST_RATE as f64), seq, usize::MAX)));
            }
        } else {
            let arrived = queues[who].pop_front().expect("a completion ends the oldest request");
            histogram.saturating_record(now - arrived);
            answered += 1;
            if !queues[who].is_empty() {
                heap.push(Reverse((now + exp(80_000.0), seq, who)));
            }
        }
    }
    (answered, histogram.value_at_quantile(0.99))
}

/// The fluid run: `FLUID_SERVICES` services, each with its own load balancer and source.
fn fluid_scenario(duration: &str) -> Scenario {
    fluid_scenario_of(FLUID_SERVICES, duration)
}

/// `count` such services, on 16 m5.4xlarge per 50 services.
fn fluid_scenario_of(count: u32, duration: &str) -> Scenario {
    // 200 one-vCPU tasks onto 16 m5.4xlarge (256 vCPUs); at the peak a task is 37.5% busy.
    let instances = (count * 16).div_ceil(50);
    let provider = format!("{{ auto_scaling_group: {{ instance_type: m5.4xlarge, desired_capacity: {instances} }} }}");
    let service =
        |_| format!("desired_count: {FLUID_TASKS}, requests: {{ cpu_time: {{ exponential: {{ mean: 1ms }} }} }}");
    fluid_cluster(count, duration, &provider, service, |_| "14h".to_string())
}

/// `count` services as the fluid run, each scaling on CPU (target tracking at 50 %, 2 to 12
/// one-vCPU tasks, 2 ms of CPU per request: 0.4 to 3 vCPUs of work), their peaks spread over the
/// day, on m5.large instances (two such tasks each) that managed scaling adds and removes.
fn fluid_scaling_scenario(count: u32, duration: &str) -> Scenario {
    let provider = format!(
        "{{ auto_scaling_group: {{ instance_type: m5.large, min_size: 1, max_size: {}, desired_capacity: {count} }}, \
         managed_scaling: {{ instance_warmup_period: 120s }}, managed_termination_protection: enabled }}",
        count * 8
    );
    let service = |_| {
        "desired_count: 4, autoscaling: { min_capacity: 2, max_capacity: 12, target_tracking: \
         [{ metric: cpu, target: 50 }] }, requests: { cpu_time: { exponential: { mean: 2ms } } }"
            .to_string()
    };
    fluid_cluster(count, duration, &provider, service, |i| format!("{}m", (i * 29) % 1440))
}

/// `count` services of one-vCPU tasks on the capacity provider `provider`, each behind its own
/// load balancer and fed by its own diurnal source (200 to 1,500 requests/s, peak at
/// `peak_at(i)`), in the fluid fidelity; `service(i)` gives service `i` its count and models.
fn fluid_cluster(
    count: u32,
    duration: &str,
    provider: &str,
    service: impl Fn(u32) -> String,
    peak_at: impl Fn(u32) -> String,
) -> Scenario {
    let (mut lbs, mut services, mut sources) = (String::new(), String::new(), String::new());
    for i in 0..count {
        lbs += &format!("  lb{i}: {{ target_groups: {{ tg{i}: {{ algorithm: round_robin }} }} }}\n");
        services += &format!(
            "  s{i}: {{ task_definition: web, capacity_provider_strategy: [{{ capacity_provider: ec2 }}], \
             load_balancer: tg{i}, {} }}\n",
            service(i)
        );
        sources += &format!(
            "    - {{ to: lb{i}, rate: {{ diurnal: {{ low: 200, high: 1500, peak_at: {} }} }} }}\n",
            peak_at(i)
        );
    }
    let yaml = format!(
        r#"
duration: {duration}
zones: [us-east-1a, us-east-1b]
metrics: {{ interval: 60s }}
task_definitions:
  web: {{ cpu: 1024, container_definitions: [{{ name: app, image: app, memory: 1024 }}] }}
capacity_providers:
  ec2: {provider}
load_balancers:
{lbs}services:
{services}traffic:
  fidelity: fluid
  sources:
{sources}"#
    );
    load_str(&yaml, "bench.yaml", "bench").expect("the fluid bench scenario is valid")
}

/// What a run did: events processed, requests served (all services), tasks running at the end.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Outcome {
    events: u64,
    requests: f64,
    running: u32,
}

fn run(scenario: &Scenario) -> Outcome {
    let (_, summary) = Simulation::new(scenario, &mut Discard, false).run();
    Outcome {
        events: summary.events,
        requests: summary.services.iter().filter_map(|s| s.traffic.as_ref()).map(|t| t.requests).sum(),
        running: summary.services.iter().map(|s| s.running_at_end).sum(),
    }
}

/// The bare heap: `BARE_QUEUE` entries, then `events` pops, each pushing one entry a
/// pseudo-random delay later (an xorshift, up to ~1 s in µs), until `events` were popped.
/// Returns a checksum of the popped times so the loop cannot be optimised away.
fn run_bare(events: u64) -> u64 {
    let mut heap: BinaryHeap<Reverse<(u64, u64)>> = BinaryHeap::with_capacity(BARE_QUEUE as usize + 1);
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    let mut delay = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x & 0xF_FFFF
    };
    for seq in 0..BARE_QUEUE {
        heap.push(Reverse((delay(), seq)));
    }
    let (mut seq, mut checksum) = (BARE_QUEUE, 0u64);
    for _ in 0..events {
        let Some(Reverse((now, _))) = heap.pop() else { break };
        checksum = checksum.wrapping_mul(31).wrapping_add(now);
        heap.push(Reverse((now + delay(), seq)));
        seq += 1;
    }
    checksum
}

/// The three variants, with the sizes of this mode and what a run of each must do.
struct Setup {
    requests: Scenario,
    queue: Scenario,
    /// Requests the queue run and the hand-written loop send.
    queue_requests: u64,
    queue_outcome: Outcome,
    fluid: Scenario,
    /// Requests the request run must serve (± 2%).
    expected_requests: f64,
    /// One run of each: its outcome, to check every later run against.
    requests_outcome: Outcome,
    fluid_outcome: Outcome,
    /// The fluid run with both layers scaling (`fluid_scaling_scenario`), and its outcome.
    fluid_scaling: Scenario,
    fluid_scaling_outcome: Outcome,
    /// Seconds that first run of each took, to size criterion's measurement time.
    requests_secs: f64,
    fluid_secs: f64,
}

impl Setup {
    #[allow(clippy::disallowed_methods, reason = "a benchmark measures wall-clock time; no simulation reads it")]
    fn new(full: bool) -> Self {
        // Shortened for `cargo test --benches`, which runs everything once, unoptimised.
        let (secs, fluid_duration) = if full { (REQUEST_SECS, "24h") } else { (20, "1h") };
        let (requests, fluid) = (requests_scenario(secs), fluid_scenario(fluid_duration));
        let fluid_scaling = fluid_scaling_scenario(FLUID_SERVICES, fluid_duration);
        let fluid_scaling_outcome = run(&fluid_scaling);
        assert!(fluid_scaling_outcome.running >= 2 * FLUID_SERVICES, "every service keeps its minimum");
        assert!(fluid_scaling_outcome.requests > 0.0, "the scaling fluid run served nothing");
        let (queue, queue_requests) = (queue_scenario(secs), REQUEST_RATE * secs);
        let queue_outcome = run(&queue);
        let off = (queue_outcome.requests - queue_requests as f64).abs() / queue_requests as f64;
        assert!(off < 0.02, "the queue run served {} requests, not {queue_requests}", queue_outcome.requests);
        let (answered, p99) = run_hand_written(queue_requests);
        assert_eq!(answered, queue_requests, "the hand-written loop answers every request");
        // Round robin hands each target every 100th arrival: Erlang-100 gaps, a GI/M/1 queue
        // whose response time is exponential of rate μ(1 − σ), σ = A*(μ(1 − σ)) with A* the gaps'
        // transform (λ / (λ + s))^100. The loop's p99 must be that one's.
        let (lambda, mu) = (REQUEST_RATE as f64, 1.0 / 0.080);
        let sigma = (0..500).fold(0.5f64, |s, _| (lambda / (lambda + mu * (1.0 - s))).powi(100));
        let expected = 100f64.ln() / (mu * (1.0 - sigma)) * 1e6;
        let off = (p99 as f64 - expected).abs() / expected;
        assert!(off < 0.1 || !full, "the hand-written loop's p99 is {p99} µs, GI/M/1 says {expected:.0}");
        let expected_requests = (REQUEST_RATE * secs) as f64;
        let start = Instant::now();
        let requests_outcome = run(&requests);
        let requests_secs = start.elapsed().as_secs_f64();
        let start = Instant::now();
        let fluid_outcome = run(&fluid);
        let fluid_secs = start.elapsed().as_secs_f64();
        let off = (requests_outcome.requests - expected_requests).abs() / expected_requests;
        assert!(off < 0.02, "the request run served {} requests, not {expected_requests}", requests_outcome.requests);
        assert_eq!(requests_outcome.running, 100, "every task of the request run must be running");
        assert_eq!(fluid_outcome.running, FLUID_SERVICES * FLUID_TASKS, "every fluid task must be running");
        assert!(fluid_outcome.requests > 0.0, "the fluid run served nothing");
        Setup {
            requests,
            queue,
            queue_requests,
            queue_outcome,
            fluid,
            expected_requests,
            requests_outcome,
            fluid_outcome,
            fluid_scaling,
            fluid_scaling_outcome,
            requests_secs,
            fluid_secs,
        }
    }
}

/// Ten flat samples of one run each: the measurement time is a little short of ten runs, so
/// criterion cannot fit two per sample (it may say it needs longer: the bench takes that time).
fn configure(group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>, events: u64, secs: f64) {
    group
        .throughput(Throughput::Elements(events))
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs_f64((9.0 * secs).max(1.0)));
}

fn bench(c: &mut Criterion, setup: &Setup) {
    let events = setup.requests_outcome.events;
    let mut group = c.benchmark_group(format!("traffic/{} requests", setup.expected_requests));
    configure(&mut group, events, setup.requests_secs);
    group.bench_function(BenchmarkId::from_parameter("ecsim"), |b| b.iter(|| run(black_box(&setup.requests))));
    group.bench_function(BenchmarkId::from_parameter("bare heap"), |b| b.iter(|| run_bare(black_box(events))));
    group.finish();

    let mut group = c.benchmark_group(format!("traffic/fluid, {FLUID_SERVICES} services"));
    configure(&mut group, setup.fluid_outcome.events, setup.fluid_secs);
    group.bench_function(BenchmarkId::from_parameter("ecsim"), |b| b.iter(|| run(black_box(&setup.fluid))));
    group.finish();
}

/// Times the variants alternately in this process and prints their figures.
#[allow(clippy::disallowed_methods, reason = "a benchmark measures wall-clock time; no simulation reads it")]
fn print_figures(setup: &Setup) {
    const VARIANTS: usize = 6;
    let bare_events = setup.requests_outcome.events;
    let mut secs: [Vec<f64>; VARIANTS] = Default::default();
    for rep in 0..RATIO_REPS {
        // Rotate which goes first, so none always runs on a warmer cache.
        for k in 0..VARIANTS {
            let variant = (rep + k) % VARIANTS;
            let start = Instant::now();
            match variant {
                0 => assert_eq!(run(black_box(&setup.requests)), setup.requests_outcome, "the request run changed"),
                1 => assert_eq!(run(black_box(&setup.fluid)), setup.fluid_outcome, "the fluid run changed"),
                2 => assert_eq!(run(black_box(&setup.queue)), setup.queue_outcome, "the queue run changed"),
                3 => {
                    black_box(run_hand_written(black_box(setup.queue_requests)));
                }
                4 => {
                    let outcome = run(black_box(&setup.fluid_scaling));
                    assert_eq!(outcome, setup.fluid_scaling_outcome, "the scaling fluid run changed");
                }
                _ => {
                    black_box(run_bare(black_box(bare_events)));
                }
            }
            secs[variant].push(start.elapsed().as_secs_f64());
        }
    }
    let [requests, fluid, queue, hand, fluid_scaling, bare] = secs.map(median);
    let bare_us = bare * 1e6 / bare_events as f64;
    println!(
        "bare heap ({BARE_QUEUE} queued): {bare:.3} s for {bare_events} events, {:.1} M events/s",
        bare_events as f64 / bare / 1e6
    );
    for (name, secs, outcome) in [
        (format!("requests ({} served)", setup.requests_outcome.requests), requests, setup.requests_outcome),
        (format!("fluid 24 h, {FLUID_SERVICES} services"), fluid, setup.fluid_outcome),
        (
            format!("fluid 24 h, {FLUID_SERVICES} services, both layers scaling"),
            fluid_scaling,
            setup.fluid_scaling_outcome,
        ),
    ] {
        let us = secs * 1e6 / outcome.events as f64;
        println!(
            "{name}: {secs:.3} s, {} events, {:.2} M events/s, {us:.3} µs/event = {:.1}x the bare heap's {bare_us:.4}",
            outcome.events,
            outcome.events as f64 / secs / 1e6,
            us / bare_us,
        );
    }
    println!(
        "queue, {} requests, 100 one-worker targets, rho 0.8: ecsim {queue:.3} s ({} events), hand-written loop \
         {hand:.3} s: {:.2}x",
        setup.queue_requests,
        setup.queue_outcome.events,
        queue / hand
    );
}

/// Services of the doubling fluid runs, and what each simulates.
const DOUBLINGS: [u32; 5] = [25, 50, 100, 200, 400];
const DOUBLING_DURATION: &str = "1h";

/// The fluid run at doubling sizes (services, targets and instances alike), medians of
/// `DOUBLING_REPS` rounds, each round running every size once (so a machine that slows down for
/// a while slows every size alike): linear cost doubles the time per doubling.
#[allow(clippy::disallowed_methods, reason = "a benchmark measures wall-clock time; no simulation reads it")]
fn print_fluid_doublings() {
    let scenarios: Vec<Scenario> = DOUBLINGS.iter().map(|&n| fluid_scenario_of(n, DOUBLING_DURATION)).collect();
    let mut times = vec![Vec::with_capacity(DOUBLING_REPS); DOUBLINGS.len()];
    for _ in 0..DOUBLING_REPS {
        for ((scenario, n), times) in scenarios.iter().zip(DOUBLINGS).zip(&mut times) {
            let start = Instant::now();
            assert_eq!(run(black_box(scenario)).running, n * FLUID_TASKS, "every task must be running");
            times.push(start.elapsed().as_secs_f64());
        }
    }
    let mut previous: Option<f64> = None;
    for (n, times) in DOUBLINGS.into_iter().zip(times) {
        let secs = median(times);
        let target_steps = f64::from(n * FLUID_TASKS) * 3600.0;
        let slope = previous.map_or_else(|| "-".to_string(), |p| format!("{:.2}", secs / p));
        println!(
            "fluid {DOUBLING_DURATION}, {n} services ({} targets): {secs:.3} s, {:.3} µs per target-step; \
             time({n}) / time({}) = {slope}",
            n * FLUID_TASKS,
            secs * 1e6 / target_steps,
            n / 2
        );
        if let Some(p) = previous.filter(|p| secs / p > LINEAR_DOUBLING) {
            println!("  not linear: a doubling cost {:.2}x (linear is 2, quadratic 4)", secs / p);
        }
        previous = Some(secs);
    }
}

/// Rounds of the doublings: their runs are short (10 to 200 ms), so a median of three moved by
/// a tenth between runs of the bench on this shared machine.
const DOUBLING_REPS: usize = 7;

/// The most a doubling of the fluid run may multiply its time by and still count as linear
/// (caches grow with the cluster; quadratic is 4).
const LINEAR_DOUBLING: f64 = 2.5;

fn main() {
    let full = benchmark_mode();
    let setup = Setup::new(full);
    let mut criterion = Criterion::default().configure_from_args();
    bench(&mut criterion, &setup);
    criterion.final_summary();
    if full {
        print_figures(&setup);
        print_fluid_doublings();
    }
}
