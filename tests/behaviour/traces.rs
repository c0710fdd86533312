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

/// The problems of loading the `web` scenario replaying `rate` from `dir`.
fn load_problems(dir: &std::path::Path, rate: &str) -> String {
    let path = dir.join("replay.yaml");
    fs::write(&path, web(1, rate, "", "")).unwrap();
    match ecsim::scenario::load(&path) {
        Err(e) => e.to_string(),
        Ok(_) => panic!("{rate} must not load"),
    }
}

#[test]
fn a_trace_that_is_not_a_regular_file_is_refused_without_reading_it() {
    let dir = tempfile::tempdir().unwrap();
    // /dev/zero used to be read for 2 GB before "check the file's permissions"; a FIFO blocked.
    let zero = load_problems(dir.path(), "{ trace: { file: /dev/zero } }");
    assert!(zero.contains("cannot read `/dev/zero`: not a regular file"), "{zero}");
    fs::create_dir(dir.path().join("traces")).unwrap();
    let folder = load_problems(dir.path(), "{ trace: { file: traces } }");
    assert!(folder.contains("traces`: a folder"), "{folder}");
    let made = std::process::Command::new("mkfifo").arg(dir.path().join("fifo.csv")).status();
    if made.is_ok_and(|s| s.success()) {
        let fifo = load_problems(dir.path(), "{ trace: { file: fifo.csv } }");
        assert!(fifo.contains("fifo.csv`: not a regular file"), "{fifo}");
    }
}

#[test]
fn trace_rows_must_match_the_header_and_file_content_is_never_echoed_at_length() {
    let dir = tempfile::tempdir().unwrap();
    let huge = "9".repeat(200_000) + "x";
    let text = format!("Timestamp,Sum\n2024-03-05 14:00:00,10\n2024-03-05 14:01:00\n2024-03-05 14:02:00,1,2\n2024-03-05 14:03:00,{huge}\n");
    fs::write(dir.path().join("trace.csv"), text).unwrap();
    let report = load_problems(dir.path(), "{ trace: { file: trace.csv } }");
    assert!(
        report.contains("trace.csv:3: traffic.sources[0].rate.trace: this row has 1 cell(s); the header row has 2"),
        "{report}"
    );
    assert!(report.contains("trace.csv:4: traffic.sources[0].rate.trace: this row has 3 cell(s)"), "{report}");
    assert!(report.contains("… (200001 characters)` in column `Sum` is not a number"), "{report}");
    assert!(report.len() < 2_000, "the 200 KB cell is not echoed: {} bytes", report.len());
    // A file that is not a trace (a password file, say): its first line is not offered as a name.
    fs::write(dir.path().join("shadow.csv"), "root:$6$Xy1ab$secrethash:19000:0:99999:7:::\n").unwrap();
    let report = load_problems(dir.path(), "{ trace: { file: shadow.csv, value_column: Sum } }");
    assert!(report.contains("has no column `Sum`"), "{report}");
    assert!(!report.contains("secret") && !report.contains("root"), "{report}");
}

/// A NASA-HTTP-style per-second trace, one count per line and gzip-compressed under a plain name:
/// 30 minutes of it, of which a 10-minute run plays the first 600 seconds, says so, and records
/// the file's hash.
#[test]
fn a_compressed_count_per_line_trace_replays_what_fits_in_the_run_and_says_what_was_cut() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let counts: Vec<u32> = (0..1800).map(|s| 20 + (s * 13) % 17).collect();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    for c in &counts {
        writeln!(gz, "{c}").unwrap();
    }
    let bytes = gz.finish().unwrap();
    fs::write(dir.path().join("nasa.txt"), &bytes).unwrap();
    let rate = "{ trace: { file: nasa.txt, step: 1s } }";
    let yaml = web(4, rate, "", "").replace_once("sources: [", "fidelity: fluid\n  sources: [");
    let path = dir.path().join("replay.yaml");
    fs::write(&path, yaml).unwrap();
    let (scenario, _) = ecsim::scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
    let (_, summary, _) = run(&scenario);
    let traffic = summary.services[0].traffic.clone().unwrap();
    let expected: f64 = counts[..600].iter().map(|c| f64::from(*c)).sum();
    let played = traffic.requests + traffic.elb_503;
    assert!((played - expected).abs() < 0.01, "played {played} of {expected}");
    // The CLI says what was cut and run.json records it with the file's hash.
    let out = dir.path().join("run");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_ecsim"))
        .args(["run", "--out"])
        .arg(&out)
        .arg(&path)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let note = "traffic.sources[0].rate.trace: `nasa.txt` plays 10m of its 30m; the last 20m are past the end of the run (10m) and do not play";
    assert!(stderr.contains(&format!("note: {note}")), "{stderr}");
    let info: serde_json::Value = serde_json::from_str(&fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    use sha2::Digest;
    let sha256: String = sha2::Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(info["traces"], serde_json::json!([{ "file": "nasa.txt", "sha256": sha256 }]));
    assert_eq!(info["notes"], serde_json::json!([note]));
    // A sweep says it too, naming the variants it is about.
    let experiment = dir.path().join("sweep.yaml");
    let variants = "variants:\n  - { name: short, set: { seed: 1 } }\n  - { name: whole, set: { duration: 30m } }\n";
    fs::write(&experiment, format!("experiment: cut\nbase: replay.yaml\nseeds: [1]\n{variants}")).unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_ecsim"))
        .args(["sweep", "--out"])
        .arg(dir.path().join("sweep"))
        .arg(&experiment)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains(&format!("note (short): {note}")), "{stderr}");
    assert_eq!(stderr.matches("note").count(), 1, "the whole trace plays in `whole`: {stderr}");
}

#[test]
fn a_trace_window_that_plays_nothing_names_the_file_its_span_and_a_fix() {
    let dir = tempfile::tempdir().unwrap();
    let (csv, _) = cloudwatch_export();
    fs::write(dir.path().join("trace.csv"), csv).unwrap();
    // A week after the file's first sample: past its end.
    let report = load_problems(dir.path(), "{ trace: { file: trace.csv, start: '2024-03-12 14:00:00' } }");
    assert!(report.contains("traffic.sources[0].rate.trace.start: `start: 2024-03-12T14:00:00Z` is after the last sample of `trace.csv` ends: the trace plays nothing (the file spans 2024-03-05T14:00:00Z to 2024-03-05T14:30:00Z, 30m)"), "{report}");
    assert!(report.contains("leave `start:` out"), "{report}");
    // `7d` is a time on the file's clock: 1970-01-08, long before its first sample, which would
    // play after the run is over.
    let report = load_problems(dir.path(), "{ trace: { file: trace.csv, start: 7d } }");
    assert!(report.contains("traffic.sources[0].rate.trace.start: the first sample of `trace.csv` plays at 474734h, when the run is over (10m): the trace plays nothing"), "{report}");
    assert!(report.contains("`trace.csv` spans 2024-03-05T14:00:00Z to 2024-03-05T14:30:00Z (30m)"), "{report}");
}

#[test]
fn a_cloudwatch_get_metric_data_json_replays_its_request_total() {
    let dir = tempfile::tempdir().unwrap();
    // Newest first, as the AWS CLI prints it.
    let minutes: Vec<u32> = (0..10).rev().collect();
    let times: Vec<String> = minutes.iter().map(|m| format!("\"2024-03-05T14:{m:02}:00+00:00\"")).collect();
    let values: Vec<String> = minutes.iter().map(|m| format!("{}.0", 600 + 60 * m)).collect();
    let json = format!(
        "{{\"MetricDataResults\": [{{\"Id\": \"m1\", \"Label\": \"RequestCount\", \"Timestamps\": [{}], \"Values\": [{}], \"StatusCode\": \"Complete\"}}], \"Messages\": []}}",
        times.join(", "),
        values.join(", ")
    );
    fs::write(dir.path().join("requests.json"), json).unwrap();
    let yaml = web(4, "{ trace: { file: requests.json } }", "", "")
        .replace_once("sources: [", "fidelity: fluid\n  sources: [");
    let path = dir.path().join("replay.yaml");
    fs::write(&path, yaml).unwrap();
    let (scenario, _) = ecsim::scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
    assert!(scenario.notes.is_empty(), "{:?}", scenario.notes);
    let (_, summary, _) = run(&scenario);
    let traffic = summary.services[0].traffic.clone().unwrap();
    let expected: f64 = (0..10).map(|m| f64::from(600 + 60 * m)).sum();
    let played = traffic.requests + traffic.elb_503;
    assert!((played - expected).abs() < 0.01, "played {played} of {expected}");
}
