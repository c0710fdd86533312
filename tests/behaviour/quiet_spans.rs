//! The fluid fidelity's quiet spans (`src/traffic/quiet.rs`): a run of steps where nothing moves
//! is computed as one span, up to a minute. Against the same run with `quiet_tolerance: 0`
//! (every step computed): the same requests, errors and CPU in every metrics row, percentiles
//! within the tolerance, far fewer events; no merging at all where a queue is filling, where a
//! rate jumps within the minute, or while a target ramps up.

use crate::common::ReplaceOnce;
use crate::common::{run, scenario, Memory};
use crate::routing::web;
use ecsim::metrics::Summary;
use ecsim::record::TrafficRow;

/// The routing tests' `web` service (1-vCPU tasks, 20 ms exponential CPU time, metrics every
/// 10 s) with `desired` tasks under `rate` in the fluid fidelity for `duration`, merging quiet
/// steps at `tolerance` (`None`: the default).
fn fluid(desired: u32, rate: &str, duration: &str, tolerance: Option<f64>, tg: &str) -> String {
    let merging = tolerance.map_or(String::new(), |t| format!("  quiet_tolerance: {t}\n"));
    web(desired, rate, tg, "")
        .replace_once("duration: 10m", &format!("duration: {duration}"))
        .replace_once("sources: [", &format!("fidelity: fluid\n{merging}  sources: ["))
}

/// The run merged (default tolerance) and computed step by step.
fn both(desired: u32, rate: &str, duration: &str, tg: &str) -> [(Summary, Memory); 2] {
    [None, Some(0.0)].map(|t| {
        let (_, summary, rec) = run(&scenario(&fluid(desired, rate, duration, t, tg)));
        (summary, rec)
    })
}

fn rows(rec: &Memory) -> Vec<(f64, TrafficRow)> {
    rec.rows.iter().filter_map(|r| Some((r.time.as_secs_f64(), r.traffic.clone()?))).collect()
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * a.abs().max(b.abs()) + 1e-9
}

/// Every row's counts agree to float noise, its CPU to 0.1 %, its percentiles to 2 % (both runs
/// reuse a target group's response-time points while its load moves less than 1 %, which at
/// 70 % busy is up to 2 % of a p99, whichever step the points were computed at).
fn rows_agree(merged: &Memory, stepped: &Memory) {
    let (a, b) = (rows(merged), rows(stepped));
    assert_eq!(a.len(), b.len());
    for ((t, x), (_, y)) in a.iter().zip(&b) {
        for (what, u, v) in [
            ("requests", x.requests, y.requests),
            ("503", x.elb_503, y.elb_503),
            ("504", x.elb_504, y.elb_504),
            ("target 5xx", x.target_5xx, y.target_5xx),
        ] {
            assert!(close(u, v, 1e-9), "{what} at {t} s: {u} merged, {v} step by step");
        }
        let cpu = (x.cpu_utilization.unwrap_or(0.0), y.cpu_utilization.unwrap_or(0.0));
        assert!(close(cpu.0, cpu.1, 1e-3), "CPU at {t} s: {cpu:?}");
        if let (Some(p), Some(q)) = (x.response_time, y.response_time) {
            for (what, u, v) in [("p50", p.p50, q.p50), ("p90", p.p90, q.p90), ("p99", p.p99, q.p99)] {
                assert!(close(u, v, 0.02), "{what} at {t} s: {u} merged, {v} step by step");
            }
        } else {
            assert_eq!(x.response_time.is_some(), y.response_time.is_some(), "answers at {t} s");
        }
    }
}

#[test]
fn a_steady_day_part_is_computed_a_minute_at_a_time_with_the_same_numbers() {
    // Four tasks ramping slowly from 40 % to 90 % busy over two hours, rows every 10 s (each row
    // closes the minute's span at its instant, so every row has its own work).
    let rate = "{ ramp: { from: 80, to: 180, start: 0s, end: 2h } }";
    let [(merged, m), (stepped, s)] = both(4, rate, "2h", "health_check: { interval: 30s }");
    let (x, y) = (merged.services[0].traffic.clone().unwrap(), stepped.services[0].traffic.clone().unwrap());
    assert!(close(x.requests, y.requests, 1e-9) && x.elb_503 == y.elb_503, "{x:?} vs {y:?}");
    for (u, v) in [(x.response_time_p50_s, y.response_time_p50_s), (x.response_time_p99_s, y.response_time_p99_s)] {
        assert!(close(u.unwrap(), v.unwrap(), 0.01), "{x:?} vs {y:?}");
    }
    rows_agree(&m, &s);
    // 7,200 steps, 720 rows and 960 health checks step by step; merged, a span per row.
    assert!(merged.events * 3 < stepped.events, "{} events merged, {} step by step", merged.events, stepped.events);
}

#[test]
fn a_filling_queue_or_an_overload_is_never_merged() {
    // 1.2x the capacity of two tasks: the queue grows until the timeout cuts it; no step rests
    // once a target serves (before, every request is a 503 whatever the span: those merge).
    let [(merged, m), (stepped, s)] = both(2, "120", "10m", "health_check: { interval: 30s }");
    assert_eq!(merged.services[0].traffic, stepped.services[0].traffic);
    let served = |rec: &Memory| rows(rec).into_iter().filter(|(_, r)| r.requests > 0.0).collect::<Vec<_>>();
    assert_eq!(served(&m), served(&s), "every row a target served in is the same");
}

#[test]
fn a_rate_that_jumps_within_a_minute_is_computed_step_by_step_there() {
    // 100/s, then 180/s from 30.5 minutes (90 % of four tasks): that minute's steps are each
    // computed (the jump would otherwise be averaged over the minute), and the rows around it
    // agree with the run computed step by step throughout.
    let rate = "{ step: { before: 100, after: 180, at: 1830s } }";
    let [(merged, m), (stepped, s)] = both(4, rate, "40m", "health_check: { interval: 30s }");
    rows_agree(&m, &s);
    let near = |rec: &Memory| {
        rows(rec).into_iter().find(|(t, _)| *t == 1840.0).and_then(|(_, r)| r.response_time).map(|p| p.p99)
    };
    assert!(close(near(&m).unwrap(), near(&s).unwrap(), 1e-3), "{:?} vs {:?}", near(&m), near(&s));
    assert!(merged.events < stepped.events);
}

#[test]
fn targets_ramping_up_under_slow_start_are_computed_step_by_step() {
    // A second task joins at 5 minutes and ramps its share over 3 minutes: its load moves every
    // step, so those steps are each computed; once it is at full weight the minutes merge.
    let tg = "health_check: { interval: 10s }, slow_start: 3m";
    let action = "actions: [{ at: 5m, update_service: { service: web, desired_count: 2 } }]";
    let yaml = |t: Option<f64>| format!("{}\n{action}\n", fluid(1, "30", "20m", t, tg));
    let (_, merged, m) = run(&scenario(&yaml(None)));
    let (_, stepped, s) = run(&scenario(&yaml(Some(0.0))));
    assert_eq!(merged.services[0].running_at_end, 2);
    rows_agree(&m, &s);
    assert!(merged.events < stepped.events);
}

#[test]
fn a_tolerance_out_of_range_is_refused_with_its_path() {
    for bad in ["0.2", "-0.01", ".nan"] {
        let yaml = web(1, "10", "", "").replace_once("sources: [", &format!("quiet_tolerance: {bad}\n  sources: ["));
        let err = ecsim::scenario::load_str(&yaml, "q.yaml", "q").unwrap_err().to_string();
        assert!(err.contains("traffic.quiet_tolerance") && err.contains("from 0 to 0.05"), "{bad}: {err}");
    }
}
