//! The traffic sources' arrivals: a source's requests are a Poisson process whose count over a
//! run has the rate's integral for mean and variance, at any rate.

use crate::common::ReplaceOnce;
use crate::common::{run, scenario};
use crate::routing::web;

/// Requests a source at `rate`/s sends in `secs` seconds on `seed`, counted at the load balancer:
/// the service has no task, so each one is answered 503 (no event per request but its arrival).
fn arrivals(rate: u32, secs: u32, seed: u64) -> f64 {
    let yaml = web(0, &rate.to_string(), "", "")
        .replace_once("duration: 10m", &format!("duration: {secs}s\nseed: {seed}"))
        .replace_once("metrics: { interval: 10s }", "metrics: { interval: 60s }");
    let (_, summary, _) = run(&scenario(&yaml));
    let traffic = summary.services[0].traffic.clone().unwrap();
    traffic.requests + traffic.elb_503
}

#[test]
fn arrival_counts_are_poisson_at_ten_thousand_a_second() {
    // 10,000/s for 20 s over 8 seeds: 1.6 million requests, Poisson, so the total has mean and
    // variance 1.6e6 (sd 1265). Rounding each gap up to the microsecond (mean gap 100 µs) lost
    // 0.5 µs a gap: 0.5 %, 8,000 requests short, over 6 sd.
    let seeds = 1..=8;
    let total: f64 = seeds.clone().map(|seed| arrivals(10_000, 20, seed)).sum();
    let expect = 10_000.0 * 20.0 * seeds.count() as f64;
    let sd = expect.sqrt();
    assert!((total - expect).abs() < 4.0 * sd, "{total} requests, expected {expect} ± {}", 4.0 * sd);
}
