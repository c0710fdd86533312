//! `traffic.step` longer than a minute: a step sends the requests its pattern does (the rate's
//! mean over the step, not a sample of it), the fluid fidelity's work lands in the minutes it
//! happened in (so one-minute alarms see it), and no request reaches a target before it turns
//! healthy. Results agree with a one-second step.

use std::fs;

use crate::common::ReplaceOnce;
use crate::common::{run, scenario, Memory};
use crate::routing::web;
use ecsim::metrics::TrafficSummary;
use ecsim::record::EventKind;

/// The routing tests' `web` service (`desired` 1-vCPU tasks, 20 ms exponential CPU time) under
/// `rate`, in the fluid fidelity with `step`, for `duration`; `service` is spliced into the
/// service's settings.
fn fluid(desired: u32, rate: &str, step: &str, duration: &str, service: &str) -> String {
    web(desired, rate, "health_check: { interval: 10s }", "")
        .replace_once("duration: 10m", &format!("duration: {duration}"))
        .replace_once("sources: [", &format!("fidelity: fluid\n  step: {step}\n  sources: ["))
        .replace_once(
            "    requests: { cpu_time: { exponential: { mean: 20ms } } }",
            &format!("    requests: {{ cpu_time: {{ exponential: {{ mean: 20ms }} }} }}\n{service}"),
        )
}

fn traffic(summary: &ecsim::metrics::Summary) -> TrafficSummary {
    summary.services[0].traffic.clone().unwrap()
}

#[test]
fn a_long_step_replays_every_request_of_a_per_second_trace() {
    // 30 minutes of one-second counts that vary within every 5-minute step: 20 + (7i mod 13).
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("Timestamp,Sum\n");
    let mut total = 0.0;
    for i in 0..1800u32 {
        let count = 20 + (7 * i) % 13;
        total += f64::from(count);
        csv.push_str(&format!("{i},{count}\n"));
    }
    fs::write(dir.path().join("trace.csv"), csv).unwrap();
    for step in ["1s", "5m", "7m"] {
        let yaml = fluid(2, "{ trace: { file: trace.csv } }", step, "30m", "");
        let path = dir.path().join("replay.yaml");
        fs::write(&path, yaml).unwrap();
        let (scenario, _) = ecsim::scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
        let (_, summary, _) = run(&scenario);
        let t = traffic(&summary);
        // Every request of the trace arrives (served, or 503 before a target is healthy). The
        // midpoint of each step used to stand for the whole step: 0.5 % or more lost or added.
        let played = t.requests + t.elb_503;
        assert!((played - total).abs() < 1e-6 * total, "step {step}: played {played} of {total}");
    }
}

/// When the first AlarmHigh scale-out happened, and the run's error rate.
fn scale_out(rec: &Memory) -> Option<f64> {
    rec.events
        .iter()
        .find(|e| e.kind == EventKind::ScalingActivity && e.message.contains("AlarmHigh"))
        .map(|e| e.time.as_secs_f64())
}

#[test]
fn a_five_minute_step_scales_out_on_a_flash_crowd_like_a_one_second_step() {
    // 2 tasks of 1 vCPU (capacity 2 / 0.02 = 100 requests/s) get 20/s, then 80/s from 5 min:
    // 80 % CPU against a 60 % target. Every minute from 5 min is above it, so AlarmHigh has its
    // 3 of 3 at 8 min, whatever the step. With a 5-minute step, all of a step's work used to
    // land in its last minute: one datapoint above 60 in five, and no scale-out ever.
    let autoscaling = "    autoscaling:
      min_capacity: 2
      max_capacity: 10
      target_tracking: [{ metric: cpu, target: 60 }]";
    let rate = "{ step: { before: 20, after: 80, at: 5m } }";
    let (_, fine_summary, fine) = run(&scenario(&fluid(2, rate, "1s", "20m", autoscaling)));
    let (_, long_summary, long) = run(&scenario(&fluid(2, rate, "5m", "20m", autoscaling)));
    let (at_fine, at_long) = (scale_out(&fine).expect("1 s step scales out"), scale_out(&long));
    assert!((470.0..=490.0).contains(&at_fine), "1 s step scaled out at {at_fine} s");
    assert_eq!(at_long, Some(at_fine), "5 m step scaled out at {at_long:?} s, 1 s step at {at_fine} s");
    // The same requests, and errors within a tenth of a point.
    let (f, l) = (traffic(&fine_summary), traffic(&long_summary));
    assert!((f.requests - l.requests).abs() < 0.01 * f.requests, "{f:?} vs {l:?}");
    assert!((f.error_rate_pct - l.error_rate_pct).abs() < 0.1, "{f:?} vs {l:?}");
}

#[test]
fn a_long_first_step_sends_nothing_to_targets_before_they_are_healthy() {
    // 50 requests/s; the targets turn healthy at their first check, 5-15 s after RUNNING at 5 s.
    // Until the first one does, every request is a 503, whatever the step: the first 5-minute
    // step used to send its whole 300 s to the targets healthy at its end, and no 503 at all.
    let (_, fine, rec) = run(&scenario(&fluid(2, "50", "1s", "10m", "")));
    let (_, long, _) = run(&scenario(&fluid(2, "50", "5m", "10m", "")));
    let healthy = rec
        .events
        .iter()
        .find(|e| e.kind == EventKind::TargetHealthChange && e.status == Some("healthy"))
        .map(|e| e.time.as_secs_f64())
        .unwrap();
    let (f, l) = (traffic(&fine), traffic(&long));
    // 50/s × the seconds before the first healthy target (the 1 s step rounds up to its second).
    assert!((l.elb_503 - 50.0 * healthy).abs() < 1e-6 * 50.0 * healthy, "{} 503s, healthy at {healthy}", l.elb_503);
    assert!((f.elb_503 - l.elb_503).abs() <= 50.0, "1 s step {} vs 5 m step {}", f.elb_503, l.elb_503);
}
