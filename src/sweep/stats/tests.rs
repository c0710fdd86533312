//! Tests of the sweep statistics: each figure checked against a hand calculation written above
//! its assert.

use super::*;

/// `|actual − expected| ≤ tol`, with both in the failure message.
fn close(actual: f64, expected: f64, tol: f64) {
    assert!((actual - expected).abs() <= tol, "{actual} is not within {tol} of {expected}");
}

const DATA: [f64; 8] = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0];

#[test]
fn describe_a_fixed_data_set() {
    let d = describe(&DATA, 0.95).unwrap();
    assert_eq!(d.n, 8);
    // Sum 40 over 8 values.
    close(d.mean, 5.0, 1e-12);
    // Squared deviations 9+1+1+1+0+0+4+16 = 32, so sd = √(32/7) = 2.138090.
    close(d.sd.unwrap(), 2.138090, 1e-6);
    // se = 2.138090/√8 = 0.755929; half-width = t(0.975, 7)·se = 2.364624·0.755929 = 1.787488,
    // so the interval is 5 ± 1.787488 = (3.212512, 6.787488).
    let (lo, hi) = d.ci.unwrap();
    close(lo, 3.212512, 1e-4);
    close(hi, 6.787488, 1e-4);
    // Even count: the mean of the 4th and 5th sorted values, (4 + 5)/2.
    close(d.median, 4.5, 1e-12);
    assert_eq!((d.min, d.max), (2.0, 9.0));
}

#[test]
fn describe_is_the_same_whatever_the_seed_order() {
    // Same values shuffled: the order statistics are identical and the sums are exact here.
    let shuffled = [9.0, 4.0, 5.0, 2.0, 7.0, 4.0, 5.0, 4.0];
    assert_eq!(describe(&shuffled, 0.95), describe(&DATA, 0.95));
}

#[test]
fn describe_without_enough_values() {
    assert_eq!(describe(&[], 0.95), None);
    // One seed: a mean, but no spread and no interval.
    let one = describe(&[3.5], 0.95).unwrap();
    assert_eq!((one.n, one.mean, one.median, one.min, one.max), (1, 3.5, 3.5, 3.5, 3.5));
    assert_eq!((one.sd, one.ci), (None, None));
    // Identical values: sd 0, an interval of zero width at the mean.
    let same = describe(&[2.0, 2.0, 2.0], 0.95).unwrap();
    assert_eq!((same.sd, same.ci), (Some(0.0), Some((2.0, 2.0))));
}

#[test]
fn describe_refuses_non_finite_values_and_confidences() {
    assert_eq!(describe(&[1.0, f64::NAN], 0.95), None);
    assert_eq!(describe(&[1.0, f64::INFINITY], 0.95), None);
    // Values near f64::MAX: the sum overflows.
    assert_eq!(describe(&[f64::MAX, f64::MAX], 0.95), None);
    // The mean (0) exists but the squared deviations overflow: no sd, no interval.
    let wide = describe(&[f64::MAX, -f64::MAX], 0.95).unwrap();
    assert_eq!((wide.mean, wide.sd, wide.ci), (0.0, None, None));
    for confidence in [0.0, 1.0, 1.5, -0.5, f64::NAN, 1.0 - 1e-17] {
        let d = describe(&DATA, confidence).unwrap();
        assert!(d.sd.is_some() && d.ci.is_none(), "confidence {confidence}");
    }
}

#[test]
fn paired_difference_that_excludes_zero() {
    let p = paired(&[10.0, 12.0, 11.0, 13.0], &[8.0, 11.0, 9.0, 12.0], 0.95).unwrap();
    assert_eq!(p.n, 4);
    // Differences [2, 1, 2, 1]: mean 1.5.
    close(p.mean_diff, 1.5, 1e-12);
    // Deviations ±0.5: sd = √(4·0.25/3) = √(1/3) = 0.577350.
    close(p.sd_diff.unwrap(), 0.577350, 1e-6);
    // Half-width t(0.975, 3)·0.577350/√4 = 3.182446·0.288675 = 0.918693: (0.581307, 2.418693).
    let (lo, hi) = p.ci.unwrap();
    close(lo, 0.581307, 1e-4);
    close(hi, 2.418693, 1e-4);
    assert!(p.excludes_zero);
    // Means 46/4 = 11.5 and 40/4 = 10: ratio 1.15.
    close(p.ratio.unwrap(), 1.15, 1e-12);
}

#[test]
fn paired_difference_that_includes_zero() {
    let p = paired(&[10.0, 10.0, 12.0, 12.0], &[8.0, 11.0, 11.0, 12.0], 0.95).unwrap();
    // Differences [2, −1, 1, 0]: mean 0.5; deviations 1.5, −1.5, 0.5, −0.5 square to 5 in all,
    // sd = √(5/3) = 1.290994; half-width 3.182446·1.290994/2 = 2.054260: (−1.554260, 2.554260).
    close(p.mean_diff, 0.5, 1e-12);
    let (lo, hi) = p.ci.unwrap();
    close(lo, -1.554260, 1e-4);
    close(hi, 2.554260, 1e-4);
    assert!(!p.excludes_zero);
    // Means 44/4 = 11 and 42/4 = 10.5: ratio 22/21 = 1.047619.
    close(p.ratio.unwrap(), 1.047619, 1e-6);
}

#[test]
fn paired_edge_cases() {
    assert_eq!(paired(&[], &[], 0.95), None);
    assert_eq!(paired(&[1.0, 2.0], &[1.0], 0.95), None);
    assert_eq!(paired(&[1.0, f64::NAN], &[1.0, 2.0], 0.95), None);
    assert_eq!(paired(&[f64::INFINITY], &[f64::INFINITY], 0.95), None);
    // One seed: a difference (3 − 1 = 2) but no interval, so nothing is excluded.
    let one = paired(&[3.0], &[1.0], 0.95).unwrap();
    assert_eq!((one.mean_diff, one.ci, one.excludes_zero), (2.0, None, false));
    // Baseline mean (1 − 1)/2 = 0: no ratio.
    assert_eq!(paired(&[2.0, 3.0], &[1.0, -1.0], 0.95).unwrap().ratio, None);
    // Every seed 1 better: an interval of zero width at 1, which excludes 0; equal runs do not.
    assert!(paired(&[2.0, 3.0, 4.0], &[1.0, 2.0, 3.0], 0.95).unwrap().excludes_zero);
    assert!(!paired(&[2.0, 3.0], &[2.0, 3.0], 0.95).unwrap().excludes_zero);
}

#[test]
fn seeds_needed_for_a_target_half_width() {
    // n = 17: t(0.975, 16)·10/√17 = 2.119905·2.425356 = 5.1415 > 5;
    // n = 18: t(0.975, 17)·10/√18 = 2.109816·2.357023 = 4.9729 ≤ 5. So 18.
    assert_eq!(seeds_needed(10.0, 5.0, 0.95), Some(18));
    // No spread: the fewest seeds that give an interval.
    assert_eq!(seeds_needed(0.0, 1.0, 0.95), Some(2));
    // Half-width ≥ t(0.975, 1)·sd/√2 = 12.706205·1/1.414214 = 8.984705 already at 2 seeds.
    assert_eq!(seeds_needed(1.0, 9.0, 0.95), Some(2));
    // (1.96·10⁶/10⁻³)² ≈ 4·10¹⁸ seeds: beyond the cap.
    assert_eq!(seeds_needed(1e6, 1e-3, 0.95), None);
    for (sd, half_width, confidence) in
        [(-1.0, 1.0, 0.95), (f64::NAN, 1.0, 0.95), (1.0, 0.0, 0.95), (1.0, f64::INFINITY, 0.95), (1.0, 1.0, 1.0)]
    {
        assert_eq!(seeds_needed(sd, half_width, confidence), None, "{sd} {half_width} {confidence}");
    }
}

#[test]
fn seeds_needed_bisection_matches_trying_every_n() {
    for (sd, half_width, confidence) in [(10.0, 5.0, 0.95), (10.0, 2.0, 0.95), (10.0, 1.0, 0.99), (3.0, 2.0, 0.8)] {
        let scan =
            (2..=MAX_SEEDS_NEEDED).find(|&n| interval_half_width(sd, n, confidence).is_some_and(|h| h <= half_width));
        assert_eq!(seeds_needed(sd, half_width, confidence), scan, "{sd} {half_width} {confidence}");
    }
}

#[test]
fn confidence_mean_meets_a_threshold() {
    // At the sample mean (5) the t statistic is 0 and the t CDF is 1/2, in either direction.
    close(confidence_mean_meets(&DATA, 5.0, true).unwrap(), 0.5, 1e-12);
    close(confidence_mean_meets(&DATA, 5.0, false).unwrap(), 0.5, 1e-12);
    // The upper end of the 95% two-sided interval (6.787488, above) is the 97.5% one-sided
    // upper bound: the mean is at most 6.787488 with confidence 0.975.
    close(confidence_mean_meets(&DATA, 6.787488, true).unwrap(), 0.975, 1e-6);
    close(confidence_mean_meets(&DATA, 3.212512, false).unwrap(), 0.975, 1e-6);
}

#[test]
fn confidence_mean_meets_is_monotone_and_the_directions_add_to_one() {
    let mut previous = (0.0, 1.0);
    for step in 0..=40 {
        let threshold = f64::from(step) * 0.25;
        let at_most = confidence_mean_meets(&DATA, threshold, true).unwrap();
        let at_least = confidence_mean_meets(&DATA, threshold, false).unwrap();
        assert!(at_most >= previous.0 && at_least <= previous.1, "threshold {threshold}");
        close(at_most + at_least, 1.0, 1e-12);
        previous = (at_most, at_least);
    }
    // Infinite thresholds are certain either way.
    assert_eq!(confidence_mean_meets(&DATA, f64::INFINITY, true), Some(1.0));
    assert_eq!(confidence_mean_meets(&DATA, f64::NEG_INFINITY, true), Some(0.0));
}

#[test]
fn confidence_mean_meets_without_spread_or_values() {
    // One seed, or identical seeds: 1 if the mean meets the threshold (inclusive), else 0.
    assert_eq!(confidence_mean_meets(&[3.0], 3.0, true), Some(1.0));
    assert_eq!(confidence_mean_meets(&[3.0], 2.0, true), Some(0.0));
    assert_eq!(confidence_mean_meets(&[3.0], 2.0, false), Some(1.0));
    assert_eq!(confidence_mean_meets(&[4.0, 4.0], 4.0, false), Some(1.0));
    assert_eq!(confidence_mean_meets(&[], 1.0, true), None);
    assert_eq!(confidence_mean_meets(&[1.0, f64::NAN], 1.0, true), None);
    assert_eq!(confidence_mean_meets(&DATA, f64::NAN, true), None);
}

#[test]
fn pareto_front_of_a_hand_made_set() {
    let points = [
        (1.0, 5.0),      // 0: smallest x: front
        (2.0, 3.0),      // 1: front
        (2.0, 3.0),      // 2: duplicate of 1: neither dominates the other: front
        (2.0, 4.0),      // 3: same x as 1, larger y: dominated
        (3.0, 3.0),      // 4: same y as 1, larger x: dominated
        (4.0, 1.0),      // 5: front
        (f64::NAN, 0.0), // 6: NaN: never
        (0.5, f64::NAN), // 7: NaN: never (and dominates nothing)
        (1.0, 5.0),      // 8: duplicate of 0: front
        (5.0, 1.0),      // 9: dominated by 5
        (6.0, 0.5),      // 10: front
    ];
    // Sorted by x, then index: x = 1 (0, 8), x = 2 (1, 2), x = 4 (5), x = 6 (10).
    assert_eq!(pareto_front(&points), vec![0, 8, 1, 2, 5, 10]);
}

#[test]
fn pareto_front_edge_cases() {
    assert_eq!(pareto_front(&[]), Vec::<usize>::new());
    assert_eq!(pareto_front(&[(f64::NAN, f64::NAN), (1.0, f64::NAN)]), Vec::<usize>::new());
    assert_eq!(pareto_front(&[(7.0, 7.0)]), vec![0]);
    // -0.0 and 0.0 are the same point.
    assert_eq!(pareto_front(&[(0.0, 1.0), (-0.0, 1.0), (0.0, 2.0)]), vec![0, 1]);
    // Infinities are ordinary values: (∞, 0) is the only point with y = 0.
    assert_eq!(pareto_front(&[(1.0, 1.0), (f64::INFINITY, 0.0), (f64::INFINITY, 1.0)]), vec![0, 1]);
}

#[test]
fn pareto_front_matches_the_definition() {
    // A deterministic set on a small grid, so ties and duplicates are frequent.
    let mut state = 12345_u64;
    let mut next = || {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        f64::from(((state >> 33) % 6) as u32)
    };
    let points: Vec<(f64, f64)> = (0..60).map(|_| (next(), next())).collect();
    let dominates = |a: (f64, f64), b: (f64, f64)| a.0 <= b.0 && a.1 <= b.1 && (a.0 < b.0 || a.1 < b.1);
    let mut expected: Vec<usize> =
        (0..points.len()).filter(|&i| !points.iter().any(|&p| dominates(p, points[i]))).collect();
    expected.sort_by(|&a, &b| points[a].0.total_cmp(&points[b].0).then(a.cmp(&b)));
    assert_eq!(pareto_front(&points), expected);
}

#[test]
fn quantile_interpolates_linearly() {
    let values = [4.0, 1.0, 3.0, 2.0]; // unsorted on purpose
                                       // Sorted [1, 2, 3, 4], h = q·3. q = 0.5: h = 1.5, 2 + 0.5·(3 − 2) = 2.5.
    close(quantile(&values, 0.5).unwrap(), 2.5, 1e-12);
    // q = 0.1: h = 0.3, 1 + 0.3·(2 − 1) = 1.3.
    close(quantile(&values, 0.1).unwrap(), 1.3, 1e-12);
    // q = 0.9: h = 2.7, 3 + 0.7·(4 − 3) = 3.7.
    close(quantile(&values, 0.9).unwrap(), 3.7, 1e-12);
    // The ends are the extremes.
    assert_eq!((quantile(&values, 0.0), quantile(&values, 1.0)), (Some(1.0), Some(4.0)));
    // One value is every quantile.
    assert_eq!(quantile(&[7.0], 0.3), Some(7.0));
    // Extremes far apart: the step overflows but the quantile does not: 0.5·MAX − 0.5·MAX = 0.
    assert_eq!(quantile(&[-f64::MAX, f64::MAX], 0.5), Some(0.0));
}

#[test]
fn quantile_refuses_what_it_cannot_answer() {
    assert_eq!(quantile(&[], 0.5), None);
    assert_eq!(quantile(&[1.0, f64::NAN], 0.5), None);
    assert_eq!(quantile(&[1.0, f64::NEG_INFINITY], 0.5), None);
    for q in [-0.1, 1.1, f64::NAN] {
        assert_eq!(quantile(&[1.0, 2.0], q), None, "q {q}");
    }
}
