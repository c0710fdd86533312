//! Many targets: the fluid fidelity models how the routing algorithm shapes each target's
//! arrivals (round robin's every n-th request, least outstanding requests' pooling; see
//! `src/traffic/routed_arrivals.rs`), so its mean and p99 response times agree with the request
//! fidelity's for 1, 10 and 100 targets under both algorithms, at light to heavy load.

use crate::common::ReplaceOnce;
use crate::common::{run, scenario};
use crate::routing::web;

/// Mean CPU time of a request, seconds: 20 ms up to 10 targets, 2 ms per target beyond, so
/// that 10 or 100 one-vCPU targets at 90 % load take 450 requests/s and the request fidelity
/// stays quick in a debug build.
fn cpu_time_s(targets: u32) -> f64 {
    0.002 * f64::from(targets.max(10))
}

/// `targets` one-vCPU tasks (processor sharing, exponential CPU time of [`cpu_time_s`]) on
/// m5.4xlarge hosts (speed 1.0) behind a target group with `algorithm`, at utilization `rho`.
/// Traffic starts at 60 s, once every target is healthy, and runs for about `requests`
/// requests: (mean, p99) response time in seconds.
fn response(targets: u32, algorithm: &str, rho: f64, requests: f64, seed: u64, fidelity: &str) -> (f64, f64) {
    let cpu_time = cpu_time_s(targets);
    let rate = rho * f64::from(targets) / cpu_time;
    let minutes = (requests / rate / 60.0).ceil();
    let ramp = format!("{{ ramp: {{ from: 0, to: {rate:.6}, start: 59s, end: 60s }} }}");
    let tg = format!("algorithm: {algorithm}, health_check: {{ interval: 5s, timeout: 2s, healthy_threshold: 2 }}");
    let hosts = targets.div_ceil(16);
    let yaml = web(targets, &ramp, &tg, "")
        .replace_once("duration: 10m", &format!("duration: {}s\nseed: {seed}", 60.0 + 60.0 * minutes))
        .replace_once("metrics: { interval: 10s }", "metrics: { interval: 60s }")
        .replace_once("desired_capacity: 1", &format!("desired_capacity: {hosts}"))
        .replace_once("mean: 20ms", &format!("mean: {}ms", cpu_time * 1000.0))
        .replace_once("sources: [", &format!("fidelity: {fidelity}\n  sources: ["));
    let (_, summary, _) = run(&scenario(&yaml));
    let t = summary.services[0].traffic.clone().unwrap();
    // Every request reaches a healthy target; the 60 s idle timeout cuts a far tail at most.
    assert!(t.elb_503 + t.target_5xx + t.elb_504 < 1e-4 * t.requests, "{t:?}");
    (t.response_time_mean_s.unwrap(), t.response_time_p99_s.unwrap())
}

/// The documented tolerance: mean within 10 % (20 % for least outstanding requests at 90 %
/// load, where the pooled queue understates join-the-shortest-queue), p99 within 20 %.
fn tolerance(algorithm: &str, rho: f64) -> (f64, f64) {
    let pooled_near_full = algorithm == "least_outstanding_requests" && rho > 0.8;
    (if pooled_near_full { 0.20 } else { 0.10 }, 0.20)
}

/// Fluid against the request fidelity (averaged over `seeds`) for 1, 10 and 100 targets at 30,
/// 60 and 90 % load, each run about `requests` requests long; fails on any case out of
/// [`tolerance`], naming them all; prints the README's table lines.
fn agreement(algorithm: &str, seeds: u64, requests: f64) {
    let mut lines = Vec::new();
    let mut failures = Vec::new();
    for targets in [1, 10, 100] {
        for rho in [0.3, 0.6, 0.9] {
            let (fm, fp) = response(targets, algorithm, rho, requests, 1, "fluid");
            let runs: Vec<(f64, f64)> =
                (1..=seeds).map(|seed| response(targets, algorithm, rho, requests, seed, "requests")).collect();
            let rm = runs.iter().map(|r| r.0).sum::<f64>() / seeds as f64;
            let rp = runs.iter().map(|r| r.1).sum::<f64>() / seeds as f64;
            let (dm, dp) = (fm / rm - 1.0, fp / rp - 1.0);
            let line = format!(
                "| {algorithm} | {targets} | {rho} | {:.1} / {:.1} ms ({:+.1} %) | {:.0} / {:.0} ms ({:+.1} %) |",
                fm * 1e3,
                rm * 1e3,
                100.0 * dm,
                fp * 1e3,
                rp * 1e3,
                100.0 * dp
            );
            let (mean_tolerance, p99_tolerance) = tolerance(algorithm, rho);
            if dm.abs() > mean_tolerance || dp.abs() > p99_tolerance {
                failures.push(line.clone());
            }
            lines.push(line);
        }
    }
    println!("{}", lines.join("\n"));
    assert!(failures.is_empty(), "fluid / requests out of tolerance:\n{}", failures.join("\n"));
}

#[test]
fn round_robin_agrees_for_1_10_and_100_targets() {
    agreement("round_robin", 2, 15_000.0);
}

#[test]
fn least_outstanding_requests_agrees_for_1_10_and_100_targets() {
    agreement("least_outstanding_requests", 2, 15_000.0);
}

#[test]
fn more_targets_in_turn_wait_less_and_a_pool_least() {
    // At 60 % load on one vCPU each: one target waits as M/M/1 (s/(1 − ρ) = 50 ms); ten in turn
    // get every tenth request and wait far less; ten least-outstanding ones hardly wait at all.
    // The fluid model used to give all three the same 50 ms.
    let mean = |targets, algorithm| response(targets, algorithm, 0.6, 20_000.0, 1, "fluid").0;
    let (one, turn, pool) = (mean(1, "round_robin"), mean(10, "round_robin"), mean(10, "least_outstanding_requests"));
    assert!((one - 0.050).abs() < 0.005, "{one}");
    assert!(turn < 0.7 * one && pool < 0.8 * turn && pool > 0.020, "{one} {turn} {pool}");
}

#[test]
#[ignore = "slow in a debug build: the README's table (three seeds, longer runs); run with --release"]
fn agreement_table() {
    // Each call prints its lines (`--nocapture` to see them).
    agreement("round_robin", 3, 200_000.0);
    agreement("least_outstanding_requests", 3, 200_000.0);
}
