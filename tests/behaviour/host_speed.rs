//! Instance types differ in per-vCPU speed: a request's `cpu_time` (its work at speed 1.0, an
//! m5) takes `cpu_time / speed` on its task's host, in both fidelities; `speed:` overrides.

use crate::common::{run, scenario};
use ecsim::metrics::TrafficSummary;
use ecsim::scenario::load_str;

/// One 1-vCPU task on one instance of `itype` (or on Fargate), 2 requests/s of `cpu_time` each,
/// for 10 minutes: a lightly loaded server, so a request's latency is its service time.
fn web(itype: &str, cpu_time: &str, fidelity: &str, extra: &str, seed: u64) -> TrafficSummary {
    web_run(itype, cpu_time, fidelity, extra, seed).0
}

/// [`web`]'s summary and its mean CPU utilization (percent) once the target is healthy.
fn web_run(itype: &str, cpu_time: &str, fidelity: &str, extra: &str, seed: u64) -> (TrafficSummary, f64) {
    let (_, summary, rec) = run(&scenario(&yaml(itype, cpu_time, fidelity, extra, seed)));
    let cpu: Vec<f64> = rec
        .rows
        .iter()
        .filter(|r| r.time.as_secs_f64() > 60.0)
        .filter_map(|r| r.traffic.as_ref()?.cpu_utilization)
        .collect();
    let traffic = summary.services[0].traffic.clone().expect("the service serves traffic");
    (traffic, cpu.iter().sum::<f64>() / cpu.len() as f64)
}

fn yaml(itype: &str, cpu_time: &str, fidelity: &str, extra: &str, seed: u64) -> String {
    let (provider, strategy) = if itype == "fargate" {
        (String::new(), "FARGATE")
    } else {
        (format!("capacity_providers:\n  ec2: {{ auto_scaling_group: {{ instance_type: {itype}, desired_capacity: 1 }} }}\n"), "ec2")
    };
    format!(
        r#"
duration: 10m
seed: {seed}
zones: [us-east-1a]
task_definitions:
  web: {{ cpu: 1024, memory: 2048, network_mode: awsvpc, container_definitions: [{{ name: app, image: app, memory: 1024 }}] }}
{provider}load_balancers:
  web-alb: {{ target_groups: {{ web-tg: {{ health_check: {{ interval: 5s, timeout: 2s }} }} }} }}
services:
  web:
    task_definition: web
    desired_count: 1
    capacity_provider_strategy: [{{ capacity_provider: {strategy} }}]
    load_balancer: web-tg
    requests: {{ cpu_time: {cpu_time} }}
traffic:
  fidelity: {fidelity}
  sources: [{{ to: web-alb, rate: 2 }}]
{extra}
"#
    )
}

fn p50(s: &TrafficSummary) -> f64 {
    s.response_time_p50_s.expect("requests were answered")
}

fn p99(s: &TrafficSummary) -> f64 {
    s.response_time_p99_s.expect("requests were answered")
}

#[test]
fn a_constant_request_takes_cpu_time_over_the_host_speed() {
    // 100 ms of m5 work: 100 ms on an m5.large (speed 1.00), 100 / 1.10 = 90.9 ms on a c5.xlarge,
    // 100 / 0.81 = 123.5 ms on an m6g.large. At 2/s, 1 vCPU is 25% busy at most and most
    // requests run alone, so the median is the service time (the histogram keeps 3 digits).
    // Both fidelities' mean is processor sharing's s / (1 − ρ) with s = 100 ms / speed and
    // ρ = 2/s × s (insensitive to the shape of the work): m5 0.1 / 0.8 = 125 ms; c5 90.9 / 0.818
    // = 111 ms; m6g 123.5 / 0.753 = 164 ms. (The fluid model's percentiles come from a fitted
    // law, not the constant's, so its median is not compared.)
    for (itype, speed) in [("m5.large", 1.0), ("c5.xlarge", 1.1), ("m6g.large", 0.81)] {
        let service = 0.100 / speed;
        let requests = web(itype, "100ms", "requests", "", 1);
        let took = p50(&requests);
        assert!((took - service).abs() < 0.02 * service, "{itype}: requests p50 {took} vs {service}");
        let mean = service / (1.0 - 2.0 * service);
        let response_mean = |s: TrafficSummary| s.response_time_mean_s.expect("requests were answered");
        // Over five seeds (a seed's 1200 requests leave the mean ±5% noisy).
        let requests = (1..=5).map(|seed| response_mean(web(itype, "100ms", "requests", "", seed))).sum::<f64>() / 5.0;
        let fluid = response_mean(web(itype, "100ms", "fluid", "", 1));
        assert!((requests - mean).abs() < 0.04 * mean, "{itype} requests: mean {requests} vs {mean}");
        assert!((fluid - mean).abs() < 0.02 * mean, "{itype} fluid: mean {fluid} vs {mean}");
    }
    // Fargate runs at 1.0 by default.
    let fargate = p50(&web("fargate", "100ms", "requests", "", 1));
    assert!((fargate - 0.100).abs() < 0.002, "Fargate p50 {fargate}");
}

#[test]
fn p50_and_p99_order_by_speed_over_seeds() {
    // Log-normal work (median 50 ms): every seed puts c5.xlarge < m5.large < m6g.large, and the
    // mean over five seeds of each ratio to m5 is near 1 / speed (the arrivals are the same
    // for each type on one seed: common random numbers).
    let cpu = "{ lognormal: { median: 50ms, sigma: 0.8 } }";
    let mut ratios = [(0.0, 0.0); 2];
    for seed in 1..=5 {
        let [c5, m5, m6g] = ["c5.xlarge", "m5.large", "m6g.large"].map(|t| web(t, cpu, "requests", "", seed));
        for q in [p50, p99] {
            assert!(q(&c5) < q(&m5) && q(&m5) < q(&m6g), "seed {seed}: {} {} {}", q(&c5), q(&m5), q(&m6g));
        }
        ratios[0].0 += p50(&c5) / p50(&m5) / 5.0;
        ratios[0].1 += p50(&m6g) / p50(&m5) / 5.0;
        ratios[1].0 += p99(&c5) / p99(&m5) / 5.0;
        ratios[1].1 += p99(&m6g) / p99(&m5) / 5.0;
    }
    // 1 / 1.10 = 0.909, 1 / 0.81 = 1.235; light queueing bends the ratios a few percent.
    for (c5, m6g) in ratios {
        assert!((c5 - 0.909).abs() < 0.05, "c5 / m5 {c5}");
        assert!((m6g - 1.235).abs() < 0.08, "m6g / m5 {m6g}");
    }
}

#[test]
fn an_override_changes_the_speed() {
    // speed 0.5: 50 ms of m5 work takes 100 ms; Fargate at 2.0 takes 25 ms.
    let overrides = "speed: { instance_types: { m6g.large: 0.5 }, fargate: 2.0 }";
    let m6g = p50(&web("m6g.large", "50ms", "requests", overrides, 1));
    assert!((m6g - 0.100).abs() < 0.002, "overridden m6g p50 {m6g}");
    let fargate = p50(&web("fargate", "50ms", "requests", overrides, 1));
    assert!((fargate - 0.025).abs() < 0.0005, "overridden Fargate p50 {fargate}");
}

#[test]
fn a_faster_host_uses_less_cpu_for_the_same_requests() {
    // 2/s of 100 ms m5 work on 1 vCPU: 20% on an m5, 20 / 1.10 = 18.2% on a c5.
    for fidelity in ["requests", "fluid"] {
        let (m5, c5) =
            (web_run("m5.large", "100ms", fidelity, "", 1).1, web_run("c5.xlarge", "100ms", fidelity, "", 1).1);
        assert!((m5 - 20.0).abs() < 1.5, "{fidelity}: m5 CPU {m5}%");
        assert!((c5 / m5 - 1.0 / 1.1).abs() < 0.01, "{fidelity}: CPU m5 {m5}%, c5 {c5}%");
    }
}

#[test]
fn bad_speeds_are_rejected_with_their_path() {
    let extra = "speed: { instance_types: { m6g.larg: 0.9, m5.large: 0 }, fargate: -1 }";
    let yaml = yaml("m5.large", "100ms", "requests", extra, 1);
    let err = load_str(&yaml, "bad.yaml", "bad").map(|_| ()).unwrap_err().to_string();
    assert!(err.contains("speed.instance_types.m6g.larg: unknown instance type"), "{err}");
    assert!(err.contains("m6g.large"), "did you mean: {err}");
    assert!(err.contains("speed.instance_types.m5.large: 0 is not a speed"), "{err}");
    assert!(err.contains("speed.fargate: -1 is not a speed"), "{err}");
}
