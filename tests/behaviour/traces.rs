//! Trace replay: a CloudWatch export of an ALB's RequestCount, read without preprocessing, plays
//! back the requests it counts; a broken file is reported with its name and line.

use std::fs;

use crate::common::run;
use crate::common::ReplaceOnce;
use crate::routing::web;

/// A CloudWatch console "Download CSV" of `RequestCount` (Sum, 1-minute periods): newest first,
/// quoted header, one period without a datapoint (14:03, played as 0) — 30 minutes in all.
fn cloudwatch_export() -> (String, f64) {
    let mut rows = Vec::new();
    let mut total = 0.0;
    for minute in 0..30 {
        if minute == 3 {
            continue;
        }
        let count = 1200 + 37 * ((minute * 7) % 11);
        total += f64::from(count);
        rows.push(format!("2024-03-05 14:{minute:02}:00,{count}.0,\"RequestCount\""));
    }
    rows.reverse();
    (format!("\"Timestamp\",\"Sum\",\"Label\"\n{}\n", rows.join("\n")), total)
}

/// The `web` scenario of the routing tests, 30 minutes long, replaying `trace.csv` written next
/// to it, at `fidelity`.
fn replay(dir: &std::path::Path, fidelity: &str) -> ecsim::metrics::TrafficSummary {
    let rate = "{ trace: { file: trace.csv, time_column: Timestamp, value_column: Sum } }";
    let yaml = web(4, rate, "", "")
        .replace_once("duration: 10m", "duration: 30m")
        .replace_once("sources: [", &format!("fidelity: {fidelity}\n  sources: ["));
    let path = dir.join("replay.yaml");
    fs::write(&path, yaml).unwrap();
    let (scenario, _) = ecsim::scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
    let (_, summary, _) = run(&scenario);
    summary.services[0].traffic.clone().unwrap()
}

#[test]
fn a_cloudwatch_export_replays_its_request_total() {
    let dir = tempfile::tempdir().unwrap();
    let (csv, total) = cloudwatch_export();
    fs::write(dir.path().join("trace.csv"), csv).unwrap();
    // Every request of the trace arrives: served, or answered 503 while no target was healthy.
    let fluid = replay(dir.path(), "fluid");
    let played = fluid.requests + fluid.elb_503;
    assert!((played - total).abs() < 0.01, "fluid played {played} of {total}");
    // Request by request the count is Poisson around the total: within 3 sd (√36 700 ≈ 190).
    let requests = replay(dir.path(), "requests");
    let played = requests.requests + requests.elb_503;
    assert!((played - total).abs() < 3.0 * total.sqrt(), "requests played {played} of {total}");
}

#[test]
fn a_broken_trace_names_its_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("trace.csv"), "Timestamp,Sum\n2024-03-05 14:00:00,10\nnoon,12\n").unwrap();
    let rate = "{ trace: { file: trace.csv } }";
    let path = dir.path().join("replay.yaml");
    fs::write(&path, web(1, rate, "", "")).unwrap();
    let message = match ecsim::scenario::load(&path) {
        Err(e) => e.to_string(),
        Ok(_) => panic!("a broken trace must not load"),
    };
    assert!(message.contains("trace.csv:3:"), "{message}");
    assert!(message.contains("noon"), "{message}");
}
