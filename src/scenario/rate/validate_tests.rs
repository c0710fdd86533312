use super::*;
use crate::scenario::diagnostics::Diagnostic;
use crate::scenario::rate::trace_file::parse_trace;

/// `traffic[0].rate`.
fn source_rate() -> Path {
    Path::root("traffic").index(0).field("rate")
}

fn raw(yaml: &str) -> RawRate {
    serde_yaml::from_str(yaml).unwrap()
}

fn build(yaml: &str) -> Result<Rate, Vec<Diagnostic>> {
    let mut c = Checker::default();
    let rate = check(&mut c, &source_rate(), &raw(yaml));
    c.into_result().map(|()| rate.expect("no problem, so a rate"))
}

/// Every problem as `path: message`.
fn problems(yaml: &str) -> Vec<String> {
    build(yaml).unwrap_err().into_iter().map(|d| format!("{}: {}", d.path, d.message)).collect()
}

fn mins(m: u64) -> SimTime {
    SimTime::ZERO + SimDuration::from_mins(m)
}

#[test]
fn every_form_builds() {
    assert_eq!(build("200").unwrap().at(mins(0), 1), 200.0);
    assert_eq!(build("{ constant: 200 }").unwrap().at(mins(0), 1), 200.0);
    assert_eq!(build("{ step: { before: 100, after: 400, at: 2h } }").unwrap().at(mins(120), 1), 400.0);
    // Halfway up the ramp: (100 + 800) / 2.
    assert_eq!(build("{ ramp: { from: 100, to: 800, start: 1h, end: 2h } }").unwrap().at(mins(90), 1), 450.0);
    let spike = build("{ spike: { base: 100, peak: 1000, at: 3h, rise: 5m, hold: 10m, fall: 5m } }").unwrap();
    assert_eq!(spike.at(mins(190), 1), 1000.0);
    assert_eq!(build("{ diurnal: { low: 200, high: 1500, peak_at: 14h } }").unwrap().at(mins(14 * 60), 1), 1500.0);
    let weekly = build("{ weekly: { weekday: 10, weekend: { constant: 2 }, first_day: saturday } }").unwrap();
    assert_eq!((weekly.at(mins(0), 1), weekly.at(mins(2 * 24 * 60), 1)), (2.0, 10.0));
    let noisy = build("{ noise: { of: 100, relative: 0.1, every: 1m } }").unwrap();
    assert!((50.0..150.0).contains(&noisy.at(mins(7), 1)));
    // 100 + 2 × 50, clipped to 150.
    let composed = build("{ clip: { of: { sum: [ 100, { product: [ 2, 50 ] } ] }, min: 0, max: 150 } }").unwrap();
    assert_eq!(composed.at(mins(0), 1), 150.0);
}

#[test]
fn noise_streams_follow_the_path() {
    let yaml = "{ noise: { of: 100, relative: 0.2 } }";
    let at = |source: usize| {
        let mut c = Checker::default();
        let path = Path::root("traffic").index(source).field("rate");
        check(&mut c, &path, &raw(yaml)).unwrap().at(mins(3), 7)
    };
    assert_eq!(at(0), at(0));
    assert_ne!(at(0), at(1));
}

#[test]
fn rates_must_be_finite_and_not_negative() {
    assert_eq!(problems("-5"), ["traffic[0].rate: -5 is out of range: must be between 0 and 1e9"]);
    assert_eq!(
        problems("{ sum: [ 1, { constant: -1 } ] }"),
        ["traffic[0].rate.sum[1].constant: -1 is out of range: must be between 0 and 1e9"]
    );
    assert_eq!(problems("{ product: [] }"), ["traffic[0].rate.product: needs at least one rate"]);
}

#[test]
fn pattern_parameters_are_checked() {
    assert_eq!(
        problems("{ ramp: { from: 1, to: 2, start: 2h, end: 1h } }"),
        ["traffic[0].rate.ramp.end: the ramp must end after it starts: end (1h) <= start (2h)"]
    );
    assert_eq!(
        problems("{ diurnal: { low: 1500, high: 200, peak_at: 25h } }"),
        [
            "traffic[0].rate.diurnal.peak_at: `25h` is not a time of day: must be below 24h",
            "traffic[0].rate.diurnal: low (1500) must be <= high (200)",
        ]
    );
    assert_eq!(problems("{ clip: { of: 5, min: 10, max: 2 } }"), ["traffic[0].rate.clip: min (10) must be <= max (2)"]);
    assert_eq!(
        problems("{ spike: { base: 1, peak: 2, at: 1h } }"),
        ["traffic[0].rate.spike: a spike needs a width: `rise`, `hold` and `fall` are all 0s"]
    );
    assert_eq!(
        problems("{ noise: { of: 1, relative: 1.5, every: 0s } }"),
        [
            "traffic[0].rate.noise.relative: 1.5 is out of range: must be between 0 and 1",
            "traffic[0].rate.noise.every: must be greater than 0s",
        ]
    );
    assert_eq!(problems("{ step: { before: 1, after: 2, at: 90 } }"), ["traffic[0].rate.step.at: `90` has no unit"]);
}

/// 14:00-14:05 of an ALB's RequestCount with 14:02 empty and 14:04 without a row: 3900 requests.
const EXPORT: &str = "Timestamp,Sum\n2024-03-05 14:00:00,600\n2024-03-05 14:01:00,1200\n2024-03-05 14:02:00,\n\
                      2024-03-05 14:03:00,1800\n2024-03-05 14:05:00,300\n";

/// A trace rate from `yaml` (a `trace:` body), its file already read from `text`.
fn trace_rate(text: &str, yaml: &str) -> Result<Rate, Vec<String>> {
    played_at(&source_rate(), text, yaml, None).0.map_err(|ds| ds.into_iter().map(|(d, _)| d).collect())
}

type Played = (Result<Rate, Vec<(String, String)>>, Vec<String>);

/// [`trace_rate`] at `path`, in a run of `run_end` when given; and the notes it left.
fn played_at(path: &Path, text: &str, yaml: &str, run_end: Option<SimDuration>) -> Played {
    let mut raw = raw(&format!("{{ trace: {yaml} }}"));
    let RawRate::Tagged(tagged) = &mut raw else { unreachable!() };
    let TaggedRate::Trace(t) = tagged.as_mut() else { unreachable!() };
    t.loaded = TraceLoad::Read(parse_trace(&mut text.as_bytes(), &t.file, t, &path.field("trace")).unwrap());
    let mut c = Checker::default();
    c.run_end = run_end;
    let rate = check(&mut c, path, &raw);
    let notes = c.take_notes();
    let rate = c.into_result().map(|()| rate.unwrap()).map_err(|ds| {
        ds.into_iter().map(|d| (format!("{}: {}", d.path, d.message), d.hint.unwrap_or_default())).collect()
    });
    (rate, notes)
}

#[test]
fn a_trace_that_plays_nothing_in_the_run_is_an_error_and_one_cut_short_says_by_how_much() {
    let run = Some(SimDuration::from_mins(4));
    let shifted = played_at(&source_rate(), EXPORT, "{ file: alb.csv, shift: 5m }", run).0.unwrap_err();
    assert_eq!(
        shifted,
        [(
            "traffic[0].rate.trace.shift: the trace starts playing at 5m (`shift:`), when the run is over (4m): it \
             plays nothing"
                .to_string(),
            "use a shift shorter than the run; `alb.csv` spans 2024-03-05T14:00:00Z to 2024-03-05T14:06:00Z (6m)"
                .to_string()
        )]
    );
    let early =
        played_at(&source_rate(), EXPORT, "{ file: alb.csv, start: '2024-03-05 13:00:00' }", run).0.unwrap_err();
    assert!(
        early[0].0.starts_with("traffic[0].rate.trace.start: the first sample of `alb.csv` plays at 1h"),
        "{early:?}"
    );
    assert!(early[0].1.contains("spans 2024-03-05T14:00:00Z to"), "{early:?}");
    // 6 minutes of trace in a 4-minute run: 2 are cut, and said.
    let (rate, notes) = played_at(&source_rate(), EXPORT, "{ file: alb.csv }", run);
    assert!(rate.is_ok());
    assert_eq!(
        notes,
        ["traffic[0].rate.trace: `alb.csv` plays 4m of its 6m; the last 2m are past the end of the run (4m) and do not play"]
    );
    // A loop is meant to repeat, and a trace that fits says nothing.
    assert!(played_at(&source_rate(), EXPORT, "{ file: alb.csv, loop: true }", run).1.is_empty());
    assert!(played_at(&source_rate(), EXPORT, "{ file: alb.csv }", Some(SimDuration::from_mins(6))).1.is_empty());
}

#[test]
fn a_load_or_custom_metric_trace_plays_its_values_as_levels_by_default() {
    let cpu = "Timestamp,CPUUtilization\n0,40\n60,55\n";
    let load = Path::root("services").key("web").field("load").field("cpu");
    assert_eq!(played_at(&load, cpu, "{ file: cpu.csv }", None).0.unwrap().at(mins(1), 1), 55.0);
    let metric = Path::root("custom_metrics").key("queue_depth");
    assert_eq!(played_at(&metric, cpu, "{ file: cpu.csv }", None).0.unwrap().at(mins(0), 1), 40.0);
    // A traffic source's trace counts requests per sample; any can say otherwise.
    assert_eq!(trace_rate(cpu, "{ file: cpu.csv }").unwrap().at(mins(1), 1), 55.0 / 60.0);
    assert_eq!(played_at(&load, cpu, "{ file: cpu.csv, values: count }", None).0.unwrap().at(mins(1), 1), 55.0 / 60.0);
}

#[test]
fn a_trace_of_counts_replays_its_total_at_the_inferred_step() {
    let rate = trace_rate(EXPORT, "{ file: alb.csv }").unwrap();
    let per_minute: Vec<f64> = (0..7).map(|m| rate.at(mins(m), 1)).collect();
    // 600 requests in a minute are 10 per second; empty and absent minutes are 0.
    assert_eq!(per_minute, [10.0, 20.0, 0.0, 30.0, 0.0, 5.0, 0.0]);
    // Integral of the rate, minute by minute: 60 s × Σ rates = 3900 requests.
    assert_eq!(per_minute.iter().map(|r| r * 60.0).sum::<f64>(), 3900.0);
}

#[test]
fn a_trace_scales_shifts_loops_and_holds() {
    let rate = trace_rate(EXPORT, "{ file: alb.csv, scale: 2, shift: 1h, loop: true, missing: hold }").unwrap();
    assert_eq!(rate.at(mins(59), 1), 0.0);
    // 600 / 60 × 2.
    assert_eq!(rate.at(mins(60), 1), 20.0);
    // 14:02 holds 14:01's 20 rps, doubled.
    assert_eq!(rate.at(mins(62), 1), 40.0);
    // The trace lasts 6 minutes, so minute 66 plays 14:00 again.
    assert_eq!(rate.at(mins(66), 1), 20.0);
    let from_start = trace_rate(EXPORT, "{ file: alb.csv, start: '2024-03-05T15:03:00+01:00', values: rate }").unwrap();
    assert_eq!(from_start.at(mins(0), 1), 1800.0);
}

#[test]
fn trace_options_are_checked_against_the_file() {
    assert_eq!(
        trace_rate(EXPORT, "{ file: alb.csv, step: 2m }").unwrap_err(),
        ["traffic[0].rate.trace.step: the step (2m) is longer than the 1m between lines 2 and 3 of `alb.csv`"]
    );
    assert_eq!(
        trace_rate(EXPORT, "{ file: alb.csv, start: '2024-03-06 00:00:00', scale: 0 }").unwrap_err(),
        ["traffic[0].rate.trace.scale: 0 is out of range: must be > 0",]
    );
    assert_eq!(
        trace_rate(EXPORT, "{ file: alb.csv, start: '2024-03-06 00:00:00' }").unwrap_err(),
        ["traffic[0].rate.trace.start: `start: 2024-03-06T00:00:00Z` is after the last sample of `alb.csv` ends: \
          the trace plays nothing (the file spans 2024-03-05T14:00:00Z to 2024-03-05T14:06:00Z, 6m)"]
    );
    assert_eq!(
        trace_rate("t,v\n0,1\n", "{ file: one.csv }").unwrap_err(),
        ["traffic[0].rate.trace.step: `one.csv` has one sample, so its step cannot be inferred",]
    );
    assert_eq!(trace_rate("t,v\n0,1\n", "{ file: one.csv, step: 5m }").unwrap().at(mins(4), 1), 1.0 / 300.0);
}

#[test]
fn a_trace_that_was_not_read_is_reported_and_a_failed_one_is_not_reported_twice() {
    assert_eq!(
        problems("{ trace: { file: t.csv, start: soon } }"),
        ["traffic[0].rate.trace.start: `soon` is not a time", "traffic[0].rate.trace.file: `t.csv` was not read",]
    );
    let mut failed = raw("{ trace: { file: t.csv } }");
    let RawRate::Tagged(tagged) = &mut failed else { unreachable!() };
    let TaggedRate::Trace(t) = tagged.as_mut() else { unreachable!() };
    t.loaded = TraceLoad::Failed;
    let mut c = Checker::default();
    assert!(check(&mut c, &source_rate(), &failed).is_none());
    assert_eq!(c.error_count(), 0);
}
