//! A calendar for simulated time 0 (`start_time:`): cron schedules read the real calendar from
//! it, daily and weekly patterns its time of day and day of the week, a timestamped trace plays
//! its sample at start_time at time 0, and every output says its instants in UTC. Without one,
//! outputs stay as they were (the results test compares the committed ones byte for byte).

use std::fs;
use std::process::Command;

use crate::common::{run, scenario, Memory, ReplaceOnce};
use crate::routing::web;
use ecsim::engine::{SimDuration, SimTime};
use ecsim::record::EventKind;

/// A Fargate service `web` of 2 tasks, `autoscaling` spliced into it, `top` at the top level.
fn fargate(duration: &str, top: &str, autoscaling: &str) -> String {
    format!(
        r#"
duration: {duration}
zones: [us-east-1a]
metrics: {{ interval: 1h }}
{top}
task_definitions:
  web: {{ cpu: 256, memory: 512, network_mode: awsvpc, container_definitions: [{{ name: app, image: app }}] }}
services:
  web:
    task_definition: web
    desired_count: 2
    launch_type: FARGATE
    autoscaling:
      min_capacity: 1
      max_capacity: 10
      scheduled:
{autoscaling}
"#
    )
}

/// (seconds, "desired a → b") of every scaling activity.
fn changes(rec: &Memory) -> Vec<(f64, String)> {
    rec.events
        .iter()
        .filter(|e| e.kind == EventKind::ScalingActivity)
        .map(|e| (e.time.as_secs_f64(), e.message.rsplit("; ").next().unwrap_or_default().to_string()))
        .collect()
}

const HOUR: f64 = 3600.0;
const DAY: f64 = 24.0 * HOUR;

#[test]
fn cron_reads_the_day_of_the_week_from_start_time() {
    let monday_nine = "        - { cron: \"0 9 * * MON\", min_capacity: 3 }";
    // Wednesday 4 March 2026, 00:00 UTC: the first Monday 09:00 is 5 days and 9 hours in.
    let (_, _, rec) = run(&scenario(&fargate("6d", "start_time: 2026-03-04T00:00:00Z", monday_nine)));
    assert_eq!(changes(&rec), [(5.0 * DAY + 9.0 * HOUR, "desired 2 → 3".to_string())]);
    // 01:00 in Paris (+01:00) is midnight UTC: the same calendar.
    let (_, _, paris) = run(&scenario(&fargate("6d", "start_time: 2026-03-04T01:00:00+01:00", monday_nine)));
    assert_eq!(changes(&paris), changes(&rec));
    // Without a start time, time 0 is a Monday 00:00, as before: 9 hours in.
    let (_, _, before) = run(&scenario(&fargate("6d", "", monday_nine)));
    assert_eq!(changes(&before), [(9.0 * HOUR, "desired 2 → 3".to_string())]);
}

#[test]
fn cron_follows_month_lengths_and_the_month_field_from_an_end_of_month_start() {
    let actions = "        - { cron: \"0 0 1 * *\", max_capacity: 1 }\n        - { cron: \"0 6 1 MAR *\", min_capacity: 4, max_capacity: 4 }";
    // Saturday 31 January 2026, 12:00 UTC. 1 February 00:00 is 12 h in (max 1: 2 → 1); February
    // 2026 has 28 days, so 1 March 00:00 is 12 h + 28 d in (max 1 again: nothing to change) and
    // the March-only action at 06:00 comes 6 h later: 1 → 4.
    let (_, _, rec) = run(&scenario(&fargate("30d", "start_time: 2026-01-31T12:00:00Z", actions)));
    let march = 12.0 * HOUR + 28.0 * DAY;
    let expected = [
        (12.0 * HOUR, "desired 2 → 1"),
        (march, "desired 1 stays within the bounds"),
        (march + 6.0 * HOUR, "desired 1 → 4"),
    ];
    assert_eq!(changes(&rec), expected.map(|(t, m)| (t, m.to_string())));
}

/// The rate of the first traffic source of `web` with `rate`, and `top` at the top level.
fn source_rate(rate: &str, top: &str) -> ecsim::traffic::rate::Rate {
    let s = scenario(&web(1, rate, "", top));
    s.traffic.sources[0].rate.clone()
}

fn at(hours: f64) -> SimTime {
    SimTime::ZERO + SimDuration::from_secs_f64(hours * HOUR)
}

#[test]
fn weekly_and_diurnal_patterns_read_the_time_of_day_and_weekday_of_a_saturday_1430_start() {
    let saturday = "start_time: 2026-03-07T14:30:00Z";
    let weekly = source_rate("{ weekly: { weekday: 100, weekend: 10 } }", saturday);
    // Saturday 14:30 → Monday 00:00 is 9.5 h + 24 h = 33.5 h: weekend until then, then weekdays
    // for five days, then the weekend again from Saturday 00:00 (33.5 h + 5 d).
    assert_eq!(weekly.at(at(0.0), 1), 10.0);
    assert_eq!(weekly.at(second_before(at(33.5)), 1), 10.0);
    assert_eq!(weekly.at(at(33.5), 1), 100.0);
    assert_eq!(weekly.at(second_before(at(33.5 + 5.0 * 24.0)), 1), 100.0);
    assert_eq!(weekly.at(at(33.5 + 5.0 * 24.0), 1), 10.0);
    // The same pattern without start_time: time 0 is Monday 00:00.
    let monday = source_rate("{ weekly: { weekday: 100, weekend: 10 } }", "");
    assert_eq!((monday.at(at(0.0), 1), monday.at(at(5.0 * 24.0), 1)), (100.0, 10.0));

    // A diurnal peak at 14:30 is at time 0; its low twelve hours later; a peak at 20:30 comes 6 h in.
    let diurnal = source_rate("{ diurnal: { low: 0, high: 100, peak_at: 14h30m } }", saturday);
    assert_eq!((diurnal.at(at(0.0), 1), diurnal.at(at(12.0), 1)), (100.0, 0.0));
    let evening = source_rate("{ diurnal: { low: 0, high: 100, peak_at: 20h30m } }", saturday);
    assert!((evening.at(at(6.0), 1) - 100.0).abs() < 1e-9);
    // Midway (3 h before the peak, a quarter day): (1 + cos(π/2)) / 2 = half.
    assert!((evening.at(at(0.0), 1) - 50.0).abs() < 1e-9, "{}", evening.at(at(0.0), 1));

    // Averages cut at the shifted midnights: the mean over Sunday 12:00 → Monday 12:00 (21.5 h
    // to 45.5 h) is half weekend, half weekday: (10 + 100) / 2.
    assert!((weekly.mean_over(at(21.5), at(45.5), 1) - 55.0).abs() < 1e-9);
}

/// A second before `t`.
fn second_before(t: SimTime) -> SimTime {
    SimTime::from_micros(t.as_micros() - 1_000_000)
}

/// `web` replaying `trace.csv` (minutes 14:00 to 14:29 of 5 March 2024, 100 + m requests in
/// minute m) in the fluid fidelity, with `top` at the top level: the requests it played.
fn replayed(dir: &std::path::Path, trace: &str, top: &str) -> Result<f64, String> {
    let rows: Vec<String> = (0..30).map(|m| format!("2024-03-05 14:{m:02}:00,{}", 100 + m)).collect();
    fs::write(dir.join("trace.csv"), format!("Timestamp,Sum\n{}\n", rows.join("\n"))).unwrap();
    let yaml = web(4, trace, "", top).replace_once("sources: [", "fidelity: fluid\n  sources: [");
    let path = dir.join("replay.yaml");
    fs::write(&path, yaml).unwrap();
    let (scenario, _) = ecsim::scenario::load(&path).map_err(|e| e.to_string())?;
    let (_, summary, _) = run(&scenario);
    let traffic = summary.services[0].traffic.clone().unwrap();
    Ok(traffic.requests + traffic.elb_503)
}

#[test]
fn a_timestamped_trace_plays_its_sample_at_start_time_at_time_0() {
    let dir = tempfile::tempdir().unwrap();
    let trace = "{ trace: { file: trace.csv } }";
    // The run lasts 10 minutes. From its first sample: minutes 0-9, Σ (100 + m) = 1045.
    let first = replayed(dir.path(), trace, "").unwrap();
    assert!((first - 1045.0).abs() < 0.01, "{first}");
    // From start_time 14:10: minutes 10-19, Σ (100 + m) = 1145.
    let aligned = replayed(dir.path(), trace, "start_time: 2024-03-05T14:10:00Z").unwrap();
    assert!((aligned - 1145.0).abs() < 0.01, "{aligned}");
    // In Berlin's winter time, 15:15 is 14:15 UTC: minutes 15-24, Σ = 1195.
    let berlin = replayed(dir.path(), trace, "start_time: 2024-03-05T15:15:00+01:00").unwrap();
    assert!((berlin - 1195.0).abs() < 0.01, "{berlin}");
    // An explicit `start:` is the file time played at time 0, start_time or not: minutes 20-29.
    let started = "{ trace: { file: trace.csv, start: 2024-03-05 14:20:00 } }";
    let explicit = replayed(dir.path(), started, "start_time: 2024-03-05T14:10:00Z").unwrap();
    assert!((explicit - 1245.0).abs() < 0.01, "{explicit}");
}

#[test]
fn a_trace_that_does_not_cover_start_time_says_its_span() {
    let dir = tempfile::tempdir().unwrap();
    let message =
        replayed(dir.path(), "{ trace: { file: trace.csv } }", "start_time: 2024-03-05T15:00:00Z").unwrap_err();
    insta::assert_snapshot!(message.trim_end().replace(&dir.path().display().to_string(), "DIR"), @r"
    DIR/replay.yaml:20: traffic.sources[0].rate.trace.file: `trace.csv` does not cover `start_time: 2024-03-05T15:00:00Z`: its first sample is at 2024-03-05T14:00:00Z, its last at 2024-03-05T14:29:00Z (ending 2024-03-05T14:30:00Z)
      hint: give a `start_time:` within the file's span, or a `start:` (a time of the file) to play it from
    ");
}

/// Runs `ecsim` with `args` in `dir`; its exit code and stderr.
fn ecsim(dir: &std::path::Path, args: &[&str]) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_ecsim")).args(args).current_dir(dir).output().unwrap();
    (out.status.code(), String::from_utf8(out.stderr).unwrap())
}

#[test]
fn every_output_says_its_instants_in_utc_on_a_calendar() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("web.yaml"), web(2, "20", "", "")).unwrap();
    // Set from the command line, as an experiment's variant would: the generic override.
    let (code, stderr) =
        ecsim(dir.path(), &["run", "web.yaml", "--out", "out", "--set", "start_time=2026-03-07T14:30:00+01:00"]);
    assert_eq!(code, Some(0), "{stderr}");
    let read = |name: &str| fs::read_to_string(dir.path().join("out").join(name)).unwrap();
    let json = |name: &str| serde_json::from_str::<serde_json::Value>(&read(name)).unwrap();
    // 14:30 at +01:00 is 13:30 UTC.
    assert_eq!(json("run.json")["start_time"], "2026-03-07T13:30:00Z");
    assert_eq!(json("summary.json")["start_time"], "2026-03-07T13:30:00Z");

    // Each event's time_utc is start_time plus its seconds.
    let events = read("events.jsonl");
    let lines: Vec<serde_json::Value> = events.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(events.starts_with("{\"time\":0.0,\"time_utc\":\"2026-03-07T13:30:00.000Z\","), "{events:.200}");
    let later = lines.iter().find(|e| e["time"].as_f64().unwrap() > 5.0).unwrap();
    let start = chrono::DateTime::parse_from_rfc3339("2026-03-07T13:30:00Z").unwrap();
    let ms = (later["time"].as_f64().unwrap() * 1000.0).round() as i64;
    let expected = start + chrono::TimeDelta::milliseconds(ms);
    assert_eq!(chrono::DateTime::parse_from_rfc3339(later["time_utc"].as_str().unwrap()).unwrap(), expected, "{later}");

    // metrics.csv and breakdown.csv: time_utc beside time_s; rows every 10 s.
    let metrics = read("metrics.csv");
    let mut rows = metrics.lines();
    assert!(rows.next().unwrap().starts_with("time_s,time_utc,service,desired,"));
    assert!(rows.next().unwrap().starts_with("0.000,2026-03-07T13:30:00.000Z,web,2,"));
    assert!(rows.next().unwrap().starts_with("10.000,2026-03-07T13:30:10.000Z,web,"));
    let breakdown = read("breakdown.csv");
    assert!(breakdown.starts_with("time_s,time_utc,service,dimension,key,value\n0.000,2026-03-07T13:30:00.000Z,web,"));

    // The report reads the files back: the start in its header, UTC times in the events table
    // and on the time axis (13:30 is a round time of day: 13:30:00, then every minute).
    let report = read("report.html");
    for text in [
        "2026-03-07 13:30:00",
        "UTC time of day",
        "2026-03-07 13:30:00.000",
        "13:32:00",
        "data-start=",
        "function utc(",
    ] {
        assert!(report.contains(text), "no {text:?} in report.html");
    }
    // `ecsim report` remakes it from the folder alone, identically.
    let (code, stderr) = ecsim(dir.path(), &["report", "out"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(read("report.html"), report);
}

#[test]
fn without_a_calendar_no_output_has_a_date() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("web.yaml"), web(2, "20", "", "")).unwrap();
    let (code, stderr) = ecsim(dir.path(), &["run", "web.yaml", "--out", "out"]);
    assert_eq!(code, Some(0), "{stderr}");
    for name in ["run.json", "summary.json", "events.jsonl", "metrics.csv", "breakdown.csv", "report.html"] {
        let text = fs::read_to_string(dir.path().join("out").join(name)).unwrap();
        let dated = ["time_utc", "start_time", "data-start", "function utc("];
        assert!(!dated.iter().any(|d| text.contains(d)), "{name}");
    }
}

#[test]
fn a_bad_start_time_or_a_first_day_that_disagrees_is_an_error_with_the_accepted_forms() {
    let dir = tempfile::tempdir().unwrap();
    let weekly = "{ weekly: { weekday: 100, weekend: 10, first_day: monday } }";
    let bad = web(1, weekly, "", "").replace_once("duration: 10m", "duration: 10m\nstart_time: 2026-03-07 25:00");
    fs::write(dir.path().join("bad.yaml"), bad).unwrap();
    let (code, stderr) = ecsim(dir.path(), &["validate", "bad.yaml"]);
    assert_eq!(code, Some(1), "{stderr}");
    insta::assert_snapshot!(stderr.trim_end(), @r"
    bad.yaml:3: start_time: `2026-03-07 25:00` is not a date and time
      hint: write an RFC 3339 date and time, in UTC or with an offset: `2026-03-02T09:00:00Z`, `2026-03-02T10:00:00+01:00` or a date alone, `2026-03-02` (midnight UTC)
    1 problem found
    ");
    // 7 March 2026 is a Saturday.
    let saturday = web(1, weekly, "", "").replace_once("duration: 10m", "duration: 10m\nstart_time: 2026-03-07");
    fs::write(dir.path().join("bad.yaml"), saturday).unwrap();
    let (code, stderr) = ecsim(dir.path(), &["validate", "bad.yaml"]);
    assert_eq!(code, Some(1), "{stderr}");
    insta::assert_snapshot!(stderr.trim_end(), @r"
    bad.yaml:20: traffic.sources[0].rate.weekly.first_day: `first_day: monday` disagrees with `start_time: 2026-03-07T00:00:00Z`, a saturday
      hint: leave `first_day` out: with a `start_time`, the calendar gives the day of the week
    1 problem found
    ");
}
