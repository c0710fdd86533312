use super::*;
use crate::engine::{SimDuration, SimTime};

fn at(d: SimDuration) -> SimTime {
    SimTime::ZERO + d
}

fn mins(m: u64) -> SimTime {
    at(SimDuration::from_mins(m))
}

fn hours(h: u64) -> SimTime {
    mins(h * 60)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9 * b.abs().max(1.0)
}

#[test]
fn constant_is_the_same_everywhere_and_never_negative() {
    assert_eq!(Rate::constant(200.0).at(SimTime::ZERO, 1), 200.0);
    assert_eq!(Rate::constant(200.0).at(hours(1000), 9), 200.0);
    assert_eq!(Rate::constant(-5.0).at(SimTime::ZERO, 1), 0.0);
    assert_eq!(Rate::constant(f64::NAN).at(SimTime::ZERO, 1), 0.0);
}

#[test]
fn step_changes_at_its_instant() {
    let r = Rate::from(Step { before: 100.0, after: 400.0, at: hours(2) });
    assert_eq!(r.at(SimTime::from_micros(hours(2).as_micros() - 1), 0), 100.0);
    assert_eq!(r.at(hours(2), 0), 400.0);
    assert_eq!(r.at(hours(9), 0), 400.0);
}

#[test]
fn ramp_is_linear_between_start_and_end() {
    let r = Rate::from(Ramp { from: 100.0, to: 800.0, start: hours(1), end: hours(2) });
    assert_eq!(r.at(SimTime::ZERO, 0), 100.0);
    // A quarter of the way: 100 + 700 × 15/60 = 275.
    assert!(close(r.at(mins(75), 0), 275.0));
    assert_eq!(r.at(hours(2), 0), 800.0);
    assert_eq!(r.at(hours(5), 0), 800.0);
}

#[test]
fn spike_rises_holds_and_falls() {
    let m = SimDuration::from_mins;
    let r = Rate::from(Spike { base: 100.0, peak: 1000.0, at: hours(3), rise: m(5), hold: m(10), fall: m(5) });
    assert_eq!(r.at(mins(179), 0), 100.0);
    assert_eq!(r.at(hours(3), 0), 100.0);
    // Two of five rise minutes: 100 + 900 × 2/5 = 460.
    assert!(close(r.at(mins(182), 0), 460.0));
    assert_eq!(r.at(mins(185), 0), 1000.0);
    assert_eq!(r.at(mins(194), 0), 1000.0);
    // One of five fall minutes: 1000 − 900 × 1/5 = 820.
    assert!(close(r.at(mins(196), 0), 820.0));
    assert_eq!(r.at(mins(200), 0), 100.0);
}

#[test]
fn a_spike_without_rise_or_fall_is_a_rectangle() {
    let r = Rate::from(Spike {
        base: 10.0,
        peak: 50.0,
        at: hours(1),
        rise: SimDuration::ZERO,
        hold: SimDuration::from_mins(1),
        fall: SimDuration::ZERO,
    });
    assert_eq!(r.at(hours(1), 0), 50.0);
    assert_eq!(r.at(mins(61), 0), 10.0);
}

#[test]
fn diurnal_peaks_at_peak_at_and_bottoms_twelve_hours_later() {
    let r = Rate::from(Diurnal { low: 200.0, high: 1500.0, peak_at: SimDuration::from_mins(14 * 60) });
    assert!(close(r.at(hours(14), 0), 1500.0));
    // 02:00 is twelve hours from the peak: the low.
    assert!(close(r.at(hours(2), 0), 200.0));
    // 20:00 is a quarter day from the peak: cos(π/2) = 0, so halfway: (200 + 1500) / 2 = 850.
    assert!(close(r.at(hours(20), 0), 850.0));
    // The next day repeats.
    assert!(close(r.at(hours(38), 0), 1500.0));
}

#[test]
fn on_a_clock_ahead_daily_and_weekly_shapes_shift_and_the_others_do_not() {
    // Time 0 at 14:30 on a Friday: the weekend starts 9.5 h in, the 14:30 peak is at once.
    let ahead = SimDuration::from_mins(14 * 60 + 30);
    let weekly =
        Rate::from(Weekly { weekday: Rate::constant(10.0), weekend: Rate::constant(3.0), first_day: Weekday::Friday });
    let weekly = weekly.on_clock(ahead);
    assert_eq!(weekly.at(mins(9 * 60 + 29), 0), 10.0);
    assert_eq!(weekly.at(mins(9 * 60 + 30), 0), 3.0);
    let peak = Rate::from(Diurnal { low: 0.0, high: 100.0, peak_at: ahead }).on_clock(ahead);
    assert!(close(peak.at(SimTime::ZERO, 0), 100.0) && close(peak.at(hours(12), 0), 0.0));
    // A step reads simulated time, clock or not.
    let step = Rate::from(Step { before: 1.0, after: 2.0, at: hours(1) }).on_clock(ahead);
    assert_eq!((step.at(mins(59), 0), step.at(hours(1), 0)), (1.0, 2.0));
    // The mean over 9 h to 10 h cuts at the shifted midnight (9.5 h): half of each.
    assert!(close(weekly.mean_over(hours(9), hours(10), 0), 6.5));
    // No clock ahead leaves the rate as it was.
    assert!(matches!(Rate::constant(1.0).on_clock(SimDuration::ZERO).node, Node::Constant(_)));
}

#[test]
fn weekly_picks_weekend_on_saturday_and_sunday() {
    let weekly =
        |first_day| Rate::from(Weekly { weekday: Rate::constant(10.0), weekend: Rate::constant(3.0), first_day });
    let monday = weekly(Weekday::Monday);
    assert_eq!(monday.at(hours(4 * 24 + 23), 0), 10.0); // Friday 23:00
    assert_eq!(monday.at(hours(5 * 24), 0), 3.0); // Saturday 00:00
    assert_eq!(monday.at(hours(6 * 24 + 23), 0), 3.0); // Sunday 23:00
    assert_eq!(monday.at(hours(7 * 24), 0), 10.0); // Monday again
    assert_eq!(weekly(Weekday::Saturday).at(SimTime::ZERO, 0), 3.0);
    assert_eq!(weekly(Weekday::Sunday).at(hours(24), 0), 10.0);
}

#[test]
fn sum_product_and_clip_compose() {
    let ramp = Rate::from(Ramp { from: 0.0, to: 100.0, start: SimTime::ZERO, end: hours(1) });
    let sum = Rate::sum(vec![Rate::constant(50.0), ramp.clone()]);
    // 50 + 100 × 30/60 = 100.
    assert!(close(sum.at(mins(30), 0), 100.0));
    let product = Rate::product(vec![ramp.clone(), Rate::constant(1.5)]);
    // 1.5 × 100 × 20/60 = 50.
    assert!(close(product.at(mins(20), 0), 50.0));
    let clipped = Rate::clip(ramp, 20.0, Some(60.0));
    assert_eq!(clipped.at(SimTime::ZERO, 0), 20.0);
    assert!(close(clipped.at(mins(30), 0), 50.0));
    assert_eq!(clipped.at(hours(1), 0), 60.0);
    assert_eq!(Rate::sum(vec![]).at(SimTime::ZERO, 0), 0.0);
    assert_eq!(Rate::product(vec![]).at(SimTime::ZERO, 0), 1.0);
    assert_eq!(Rate::clip(Rate::constant(5.0), 0.0, None).at(SimTime::ZERO, 0), 5.0);
}

#[test]
fn overflowing_compositions_stay_finite() {
    let huge = Rate::product(vec![Rate::constant(f64::MAX), Rate::constant(10.0)]);
    assert!(huge.at(SimTime::ZERO, 0).is_finite());
    assert!(huge.upper_bound().is_finite());
}

fn noise(relative: f64, stream: u64) -> Rate {
    Rate::from(Noise { of: Rate::constant(100.0), relative, every: SimDuration::from_mins(1), stream })
}

#[test]
fn noise_is_a_pure_function_of_seed_stream_and_bucket() {
    let r = noise(0.1, 7);
    // Within a bucket the value is constant; evaluation order does not matter.
    let late = r.at(mins(500), 3);
    assert_eq!(r.at(mins(3), 3), r.at(mins(3) + SimDuration::from_secs(59), 3));
    assert_eq!(r.at(mins(500), 3), late);
    assert_ne!(r.at(mins(3), 3), r.at(mins(4), 3));
    // Another seed or another stream draws other values.
    assert_ne!(r.at(mins(3), 3), r.at(mins(3), 4));
    assert_ne!(r.at(mins(3), 3), noise(0.1, 8).at(mins(3), 3));
    // No noise is the base.
    assert_eq!(noise(0.0, 7).at(mins(3), 3), 100.0);
}

#[test]
fn noise_averages_to_its_base_with_the_requested_spread() {
    let r = noise(0.1, 1);
    let n = 20_000;
    let values: Vec<f64> = (0..n).map(|i| r.at(mins(i), 42)).collect();
    let mean = values.iter().sum::<f64>() / n as f64;
    let sd = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt();
    // Standard error of the mean: 100 × 0.1 / √20000 ≈ 0.07, so ±0.35 is five of them.
    assert!((mean - 100.0).abs() < 0.35, "mean {mean}");
    // The spread is relative × base = 10 (±5%).
    assert!((sd - 10.0).abs() < 0.5, "sd {sd}");
    // Never above the bound: 100 × (1 + 0.1 × 4) = 140.
    assert_eq!(r.upper_bound(), 140.0);
    assert!(values.iter().all(|v| (0.0..=140.0).contains(v)));
}

#[test]
fn upper_bounds_cover_every_shape() {
    let spike = Rate::from(Spike {
        base: 10.0,
        peak: 90.0,
        at: hours(1),
        rise: SimDuration::ZERO,
        hold: SimDuration::from_mins(1),
        fall: SimDuration::ZERO,
    });
    let sum = Rate::sum(vec![spike, Rate::from(Diurnal { low: 5.0, high: 20.0, peak_at: SimDuration::ZERO })]);
    // 90 + 20.
    assert_eq!(sum.upper_bound(), 110.0);
    assert_eq!(Rate::clip(sum, 0.0, Some(100.0)).upper_bound(), 100.0);
}

#[test]
fn means_over_an_interval_are_the_integral_over_its_length() {
    // A step from 100 to 400 at 2 h, over 1 h 30 min .. 2 h 30 min: half of each, 250.
    let step = Rate::from(Step { before: 100.0, after: 400.0, at: hours(2) });
    assert!(close(step.mean_over(mins(90), mins(150), 1), 250.0));
    // A ramp 100 → 800 over 1 h .. 2 h, from 0 to 2 h: (100 × 1 h + 450 × 1 h) / 2 h = 275.
    let ramp = Rate::from(Ramp { from: 100.0, to: 800.0, start: hours(1), end: hours(2) });
    assert!(close(ramp.mean_over(SimTime::ZERO, hours(2), 1), 275.0));
    // A daily cosine over a whole day is its middle, (200 + 1500) / 2 = 850; over the six hours
    // around its peak, 850 + 650 × sin(π/4) / (π/4) = 1435.2.
    let diurnal = Rate::from(Diurnal { low: 200.0, high: 1500.0, peak_at: SimDuration::from_mins(14 * 60) });
    assert!((diurnal.mean_over(SimTime::ZERO, hours(24), 1) - 850.0).abs() < 1e-6);
    let around_peak = 850.0 + 650.0 * (std::f64::consts::FRAC_PI_4).sin() / std::f64::consts::FRAC_PI_4;
    assert!((diurnal.mean_over(hours(11), hours(17), 1) - around_peak).abs() < 1e-3);
    // An empty interval is the rate at its instant.
    assert_eq!(step.mean_over(hours(3), hours(3), 1), 400.0);
}
