use super::*;

const MIN: i64 = 60_000_000;

fn samples(rows: &[(i64, Option<f64>)]) -> Vec<Sample> {
    rows.iter().map(|&(m, value)| Sample { time: 1_700_000_000_000_000 + m * MIN, value }).collect()
}

fn spec() -> TraceSpec {
    TraceSpec {
        start: None,
        step: SimDuration::from_mins(1),
        values: TraceValues::Count,
        missing: Missing::Zero,
        scale: 1.0,
        shift: SimDuration::ZERO,
        looping: false,
    }
}

fn at_min(trace: &Trace, m: u64) -> f64 {
    trace.at(SimTime::ZERO + SimDuration::from_secs(m * 60))
}

/// ∫ rate dt over one pass, in requests.
fn integral(trace: &Trace) -> f64 {
    let segments: Vec<(SimDuration, f64)> = trace.segments().collect();
    let ends = segments.iter().skip(1).map(|(b, _)| *b).chain([trace.length()]);
    segments.iter().zip(ends).map(|((b, r), e)| r * e.saturating_sub(*b).as_secs_f64()).sum()
}

#[test]
fn counts_become_rates_per_step_and_keep_their_total() {
    let s = samples(&[(0, Some(600.0)), (1, Some(1200.0)), (2, Some(300.0))]);
    let t = Trace::from_samples(&s, &spec()).unwrap();
    // 600 requests in a minute: 10 per second.
    assert_eq!(at_min(&t, 0), 10.0);
    assert_eq!(at_min(&t, 1), 20.0);
    assert_eq!(at_min(&t, 2), 5.0);
    assert_eq!(at_min(&t, 3), 0.0);
    assert_eq!(t.length(), SimDuration::from_mins(3));
    // 600 + 1200 + 300 requests.
    assert!((integral(&t) - 2100.0).abs() < 1e-9);
}

#[test]
fn rates_play_as_written_scaled_and_shifted() {
    let s = samples(&[(0, Some(10.0)), (1, Some(20.0))]);
    let t = Trace::from_samples(
        &s,
        &TraceSpec { values: TraceValues::Rate, scale: 1.5, shift: SimDuration::from_mins(120), ..spec() },
    )
    .unwrap();
    assert_eq!(at_min(&t, 119), 0.0);
    // 10 × 1.5.
    assert_eq!(at_min(&t, 120), 15.0);
    assert_eq!(at_min(&t, 121), 30.0);
    assert_eq!(at_min(&t, 122), 0.0);
}

#[test]
fn missing_periods_and_cells_are_zero_or_hold_the_last_rate() {
    // Minute 1 has an empty cell, minutes 3-4 have no row.
    let s = samples(&[(0, Some(60.0)), (1, None), (2, Some(120.0)), (5, Some(180.0))]);
    let zero = Trace::from_samples(&s, &spec()).unwrap();
    let rates: Vec<f64> = (0..7).map(|m| at_min(&zero, m)).collect();
    assert_eq!(rates, [1.0, 0.0, 2.0, 0.0, 0.0, 3.0, 0.0]);
    // The counts that exist are all played: 60 + 120 + 180.
    assert!((integral(&zero) - 360.0).abs() < 1e-9);
    let hold = Trace::from_samples(&s, &TraceSpec { missing: Missing::Hold, ..spec() }).unwrap();
    let rates: Vec<f64> = (0..7).map(|m| at_min(&hold, m)).collect();
    assert_eq!(rates, [1.0, 1.0, 2.0, 2.0, 2.0, 3.0, 0.0]);
}

#[test]
fn hold_before_the_first_known_value_uses_it() {
    let s = samples(&[(0, None), (1, Some(60.0))]);
    let t = Trace::from_samples(&s, &TraceSpec { missing: Missing::Hold, ..spec() }).unwrap();
    assert_eq!(at_min(&t, 0), 1.0);
}

#[test]
fn looping_repeats_the_trace_with_its_length_as_period() {
    let s = samples(&[(0, Some(60.0)), (1, Some(120.0))]);
    let t = Trace::from_samples(&s, &TraceSpec { looping: true, shift: SimDuration::from_mins(1), ..spec() }).unwrap();
    let rates: Vec<f64> = (0..6).map(|m| at_min(&t, m)).collect();
    // Nothing before the shift, then 1, 2, 1, 2...
    assert_eq!(rates, [0.0, 1.0, 2.0, 1.0, 2.0, 1.0]);
}

#[test]
fn start_skips_earlier_samples_or_adds_a_missing_lead_in() {
    let s = samples(&[(0, Some(60.0)), (1, Some(120.0)), (2, Some(180.0))]);
    let later = Trace::from_samples(&s, &TraceSpec { start: Some(s[1].time), ..spec() }).unwrap();
    assert_eq!((at_min(&later, 0), at_min(&later, 1), at_min(&later, 2)), (2.0, 3.0, 0.0));
    // Starting mid-sample keeps the rest of it: 30s of minute 0, then minute 1 from 30s on.
    let mid = Trace::from_samples(&s, &TraceSpec { start: Some(s[0].time + MIN / 2), ..spec() }).unwrap();
    assert_eq!(mid.at(SimTime::ZERO), 1.0);
    assert_eq!(mid.at(SimTime::ZERO + SimDuration::from_secs(30)), 2.0);
    assert_eq!(mid.length(), SimDuration::from_secs(150));
    let earlier = Trace::from_samples(&s, &TraceSpec { start: Some(s[0].time - 2 * MIN), ..spec() }).unwrap();
    assert_eq!((at_min(&earlier, 1), at_min(&earlier, 2)), (0.0, 1.0));
    let after = TraceSpec { start: Some(s[2].time + MIN), ..spec() };
    assert_eq!(Trace::from_samples(&s, &after), Err(TraceError::StartAfterEnd));
}

#[test]
fn the_step_is_the_most_common_gap() {
    // Gaps 5, 5, 10 (a missing row), 5 minutes.
    let s = samples(&[(0, None), (5, None), (10, None), (20, None), (25, None)]);
    assert_eq!(infer_step(&s), Some(SimDuration::from_mins(5)));
    // Ties go to the smaller gap.
    assert_eq!(infer_step(&samples(&[(0, None), (1, None), (3, None)])), Some(SimDuration::from_mins(1)));
    assert_eq!(infer_step(&samples(&[(0, None)])), None);
}

#[test]
fn a_step_longer_than_a_gap_or_unordered_samples_are_rejected() {
    let s = samples(&[(0, Some(1.0)), (5, Some(1.0)), (6, Some(1.0))]);
    let long = TraceSpec { step: SimDuration::from_mins(5), ..spec() };
    assert_eq!(
        Trace::from_samples(&s, &long),
        Err(TraceError::StepTooLong { index: 1, gap: SimDuration::from_mins(1) })
    );
    let unordered = samples(&[(1, Some(1.0)), (0, Some(1.0))]);
    assert_eq!(Trace::from_samples(&unordered, &spec()), Err(TraceError::Unordered { index: 0 }));
    assert_eq!(Trace::from_samples(&[], &spec()), Err(TraceError::Empty));
}
