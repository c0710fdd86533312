//! `requests.io_wait`: time a request waits without using CPU (for a database, say) before its CPU
//! work. It adds to the response time and not to CPU; with workers, a request holds its worker
//! through it, so a worker pool serves at most `workers / (io_wait + cpu_time)` requests a second
//! (Little's law: busy workers = λ·(io_wait + cpu_time)).

use crate::common::{run, scenario};
use ecsim::metrics::TrafficSummary;
use ecsim::scenario::load_str;

/// One task of 2 vCPUs (task-level cpu) on an m5.large, `rate` requests/s for 6 minutes.
fn yaml(rate: f64, requests: &str, fidelity: &str) -> String {
    format!(
        r#"
duration: 6m
seed: 5
zones: [us-east-1a]
metrics: {{ interval: 60s }}
task_definitions:
  web: {{ cpu: 2048, network_mode: awsvpc, container_definitions: [{{ name: app, image: app, memory: 1024 }}] }}
capacity_providers:
  ec2: {{ auto_scaling_group: {{ instance_type: m5.large, desired_capacity: 1 }} }}
load_balancers:
  web-alb: {{ target_groups: {{ web-tg: {{ health_check: {{ interval: 5s, timeout: 2s }} }} }} }}
services:
  web:
    task_definition: web
    desired_count: 1
    capacity_provider_strategy: [{{ capacity_provider: ec2 }}]
    load_balancer: web-tg
    requests: {requests}
traffic:
  fidelity: {fidelity}
  sources: [{{ to: web-alb, rate: {rate} }}]
"#
    )
}

/// The run's summary, its mean CPU utilization and requests answered per second after the
/// first two minutes.
fn web(rate: f64, requests: &str, fidelity: &str) -> (TrafficSummary, f64, f64) {
    let (_, summary, rec) = run(&scenario(&yaml(rate, requests, fidelity)));
    let rows: Vec<_> =
        rec.rows.iter().filter(|r| r.time.as_secs_f64() > 120.0).filter_map(|r| r.traffic.clone()).collect();
    let mean = |xs: Vec<f64>| xs.iter().sum::<f64>() / xs.len() as f64;
    let cpu = mean(rows.iter().filter_map(|r| r.cpu_utilization).collect());
    let answered = mean(rows.iter().map(|r| (r.requests - r.target_5xx - r.elb_5xx()) / 60.0).collect());
    (summary.services[0].traffic.clone().expect("it serves traffic"), cpu, answered)
}

#[test]
fn io_wait_adds_to_the_response_time_and_not_to_the_cpu() {
    // 10 requests/s of 10 ms CPU: 50 ms of I/O wait makes a lone request take 60 ms; CPU stays
    // 10 × 10 ms = 0.1 vCPU, 5 % of 2 vCPUs.
    for fidelity in ["requests", "fluid"] {
        let (plain, plain_cpu, _) = web(10.0, "{ cpu_time: 10ms }", fidelity);
        let (waiting, cpu, _) = web(10.0, "{ cpu_time: 10ms, io_wait: 50ms }", fidelity);
        let mean = |s: &TrafficSummary| s.response_time_mean_s.unwrap();
        let added = mean(&waiting) - mean(&plain);
        assert!((added - 0.050).abs() < 0.001, "{fidelity}: io_wait added {added} s");
        assert!((cpu - 5.0).abs() < 0.3 && (cpu - plain_cpu).abs() < 0.2, "{fidelity}: CPU {cpu}% vs {plain_cpu}%");
    }
    // A distribution, as cpu_time: its mean is added.
    let (waiting, _, _) = web(10.0, "{ cpu_time: 10ms, io_wait: { exponential: { mean: 30ms } } }", "requests");
    let mean = waiting.response_time_mean_s.unwrap();
    assert!((mean - 0.040).abs() < 0.003, "exponential io_wait mean response {mean}");
}

#[test]
fn workers_held_through_io_wait_cap_the_throughput_by_littles_law() {
    // 2 workers, 40 ms of I/O wait and 10 ms of CPU: a worker is held 50 ms a request, so the
    // pool serves 2 / 0.05 = 40/s of the 100/s offered (the rest find the queue full: 503s)
    // and uses 40 × 10 ms = 0.4 vCPU, 20 % of 2. Without the wait the same pool serves all
    // 100/s (capacity 2 / 0.01 = 200/s). The queue is long enough for the fluid model's
    // blocking (the infinite queue's tail beyond it) to be near the finite queue's: with 4
    // places it would serve 36/s.
    let held = "{ cpu_time: 10ms, io_wait: 40ms, workers: 2, queue: 50 }";
    for fidelity in ["requests", "fluid"] {
        let (summary, cpu, answered) = web(100.0, held, fidelity);
        assert!((answered - 40.0).abs() < 1.5, "{fidelity}: answered {answered}/s");
        assert!((cpu - 20.0).abs() < 1.0, "{fidelity}: CPU {cpu}%");
        assert!(summary.target_5xx > 0.0, "{fidelity}: a full queue refuses");
        let (summary, _, answered) = web(100.0, "{ cpu_time: 10ms, workers: 2, queue: 50 }", fidelity);
        let refused = summary.target_5xx / summary.requests;
        assert!(
            (answered - 100.0).abs() < 3.0 && refused < 0.01,
            "{fidelity}: {answered}/s, {refused} refused without io_wait"
        );
    }
}

#[test]
fn a_bad_io_wait_is_rejected_with_its_path() {
    let err = load_str(&yaml(1.0, "{ cpu_time: 10ms, io_wait: -5ms }", "requests"), "bad.yaml", "bad")
        .map(|_| ())
        .unwrap_err()
        .to_string();
    assert!(err.contains("services.web.requests.io_wait"), "{err}");
}
