//! Statistics of a sweep's measures. Every variant of a sweep runs on the same seeds, and each
//! measure (cost, a latency percentile, …) gives one `f64` per seed; these functions turn such
//! slices into the figures a sweep reports: means with t intervals, paired differences against a
//! baseline, how many seeds a target precision needs, the confidence that a goal is met, the
//! Pareto front of two measures, and quantiles for medians and bands.
//!
//! # Contract
//!
//! - **Pure.** Functions of their arguments only: no I/O, no state.
//! - **Total: no panic, no NaN.** Any input is accepted (an empty slice, one value, NaN,
//!   infinities, a confidence outside (0, 1)). A figure the input does not define is `None`: the
//!   whole result when nothing can be said, one field when only that figure is missing (no spread
//!   from a single seed). Every `f64` returned is finite.
//! - **Non-finite values are refused, not skipped.** A measure that is NaN or infinite for one
//!   seed makes the result `None`: dropping the seed would silently change n, and a paired
//!   comparison would no longer compare the same seeds. Likewise a sum that overflows gives `None`.
//! - **Deterministic.** Sums run once through the slice in its order (no parallel or pairwise
//!   reductions) and sorts are total, so the same slices give bit-identical results.
//! - **Student's t comes from statrs** ([`StudentsT`], available without statrs' default
//!   features): no quantile is typed in from a table.
//!
//! # Conventions
//!
//! - Standard deviations are sample standard deviations (divisor n − 1).
//! - `confidence` is the two-sided coverage of an interval, in (0, 1) exclusive, e.g. 0.95. The
//!   interval of a mean is `mean ± t((1 + confidence) / 2, n − 1) · sd / √n`.
//! - Quantiles interpolate linearly between order statistics (type 7, the default of R and
//!   numpy); the median is quantile 0.5.
//! - Paired comparisons take the variant's and the baseline's values in the same seed order. The
//!   sweep runs both on the same seeds (common random numbers), so the per-seed differences cancel
//!   the noise the seeds share and their interval is much narrower than that of two separate means.

use std::cmp::Ordering;

use statrs::distribution::{ContinuousCDF, StudentsT};

/// The most seeds [`seeds_needed`] proposes: a precision that needs more gives `None`.
pub const MAX_SEEDS_NEEDED: usize = 100_000;

/// Descriptive statistics of one measure of one variant over its seeds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Describe {
    /// Number of values (seeds).
    pub n: usize,
    /// Arithmetic mean.
    pub mean: f64,
    /// Sample standard deviation (divisor n − 1); `None` when n < 2.
    pub sd: Option<f64>,
    /// Two-sided t interval of the mean at the requested confidence; `None` when n < 2 or the
    /// confidence is not in (0, 1).
    pub ci: Option<(f64, f64)>,
    /// Median (quantile 0.5, the mean of the two middle values when n is even).
    pub median: f64,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
}

/// Describes `values` (one per seed): mean, sample sd, t interval of the mean at `confidence`,
/// median, min and max.
///
/// `None` when `values` is empty, holds a non-finite value, or its sum overflows.
pub fn describe(values: &[f64], confidence: f64) -> Option<Describe> {
    let sorted = sorted_finite(values)?;
    let mean = mean(values)?;
    let sd = sample_sd(values, mean);
    let ci = sd.and_then(|sd| interval(mean, sd, values.len(), confidence));
    Some(Describe {
        n: values.len(),
        mean,
        sd,
        ci,
        median: quantile_sorted(&sorted, 0.5)?,
        min: *sorted.first()?,
        max: *sorted.last()?,
    })
}

/// Paired differences variant − baseline, seed by seed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Paired {
    /// Number of pairs (seeds).
    pub n: usize,
    /// Mean of the per-seed differences (equal to mean(variant) − mean(baseline)).
    pub mean_diff: f64,
    /// Sample standard deviation of the differences; `None` when n < 2. Feed it to
    /// [`seeds_needed`] to size a sweep that resolves the difference.
    pub sd_diff: Option<f64>,
    /// Paired-t interval of the mean difference; `None` when n < 2 or the confidence is not in
    /// (0, 1).
    pub ci: Option<(f64, f64)>,
    /// mean(variant) / mean(baseline); `None` when the baseline's mean is 0 (or the ratio overflows).
    pub ratio: Option<f64>,
    /// The interval lies strictly on one side of 0: the variant differs from the baseline at this
    /// confidence. `false` without an interval. An interval of zero width away from 0 (every seed
    /// gives the same non-zero difference) counts as excluding 0.
    pub excludes_zero: bool,
}

/// Compares `variant` with `baseline` seed by seed; both slices must list the same seeds in the
/// same order.
///
/// `None` when the lengths differ, the slices are empty, a value is not finite, or a difference
/// or sum overflows.
pub fn paired(variant: &[f64], baseline: &[f64], confidence: f64) -> Option<Paired> {
    if variant.len() != baseline.len() {
        return None;
    }
    // A non-finite value on either side makes its difference non-finite, which `describe` refuses.
    let diffs: Vec<f64> = variant.iter().zip(baseline).map(|(v, b)| v - b).collect();
    let d = describe(&diffs, confidence)?;
    let ratio = match (mean(variant), mean(baseline)) {
        (Some(v), Some(b)) if b != 0.0 => finite(v / b),
        _ => None,
    };
    let excludes_zero = d.ci.is_some_and(|(lo, hi)| lo > 0.0 || hi < 0.0);
    Some(Paired { n: d.n, mean_diff: d.mean, sd_diff: d.sd, ci: d.ci, ratio, excludes_zero })
}

/// The fewest seeds (at least 2) for which the t interval's half-width,
/// `t((1 + confidence) / 2, n − 1) · sd / √n`, is at most `half_width`, taking `sd` (a sample sd
/// from a pilot sweep) as the true spread.
///
/// The half-width decreases with n (both the t quantile and 1/√n do), so the smallest n is found
/// by bisection over 2..=[`MAX_SEEDS_NEEDED`] rather than by trying every n in turn.
///
/// `None` when more than [`MAX_SEEDS_NEEDED`] seeds would be needed, when `sd` is negative or not
/// finite, when `half_width` is not positive and finite, or when the confidence is not in (0, 1).
/// An `sd` of 0 needs 2 seeds, the fewest that give an interval.
pub fn seeds_needed(sd: f64, half_width: f64, confidence: f64) -> Option<usize> {
    if !(sd.is_finite() && sd >= 0.0 && half_width.is_finite() && half_width > 0.0) {
        return None;
    }
    let fits = |n: usize| interval_half_width(sd, n, confidence).map(|h| h <= half_width);
    if fits(2)? {
        return Some(2);
    }
    if !fits(MAX_SEEDS_NEEDED)? {
        return None;
    }
    // Invariant: `lo` seeds are too few, `hi` seeds are enough.
    let (mut lo, mut hi) = (2, MAX_SEEDS_NEEDED);
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if fits(mid)? {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    Some(hi)
}

/// One-sided confidence that the true mean is at most `threshold` (`at_most`), or at least
/// `threshold` (`!at_most`), judging from `values` (one per seed).
///
/// For `at_most` it is the t CDF, with n − 1 degrees of freedom, of
/// `(threshold − mean) / (sd / √n)`: the confidence level whose one-sided upper bound of the mean
/// is exactly `threshold` (and for `!at_most`, of `(mean − threshold) / (sd / √n)`). It is 0.5
/// when the threshold is the sample mean, grows towards 1 as the threshold moves past the mean in
/// the goal's direction, and the two directions add up to 1.
///
/// With one value, or no spread, there is no t distribution: the result is 1.0 if the mean meets
/// the threshold (inclusively) and 0.0 if not.
///
/// `None` when `values` is empty or holds a non-finite value, or `threshold` is NaN.
pub fn confidence_mean_meets(values: &[f64], threshold: f64, at_most: bool) -> Option<f64> {
    if threshold.is_nan() || !values.iter().all(|v| v.is_finite()) {
        return None;
    }
    let mean = mean(values)?;
    let n = values.len();
    let se = sample_sd(values, mean).map_or(0.0, |sd| sd / (n as f64).sqrt());
    if se > 0.0 {
        let margin = if at_most { threshold - mean } else { mean - threshold };
        t_cdf(margin / se, (n - 1) as f64)
    } else {
        let meets = if at_most { mean <= threshold } else { mean >= threshold };
        Some(if meets { 1.0 } else { 0.0 })
    }
}

/// Indices of the Pareto front of `points`, both coordinates to be minimised: the points no
/// other point dominates (is ≤ in both coordinates and < in at least one).
///
/// Sorted by the first coordinate, then by index. Duplicates dominate each other in neither
/// coordinate, so all copies of a front point are on the front. A point with a NaN coordinate is
/// never on the front (and dominates nothing); infinities are ordinary ordered values.
pub fn pareto_front(points: &[(f64, f64)]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..points.len()).filter(|&i| !points[i].0.is_nan() && !points[i].1.is_nan()).collect();
    // No NaN is left, so `partial_cmp` always answers; it takes -0.0 and 0.0 as equal, like `==`.
    let cmp = |a: f64, b: f64| a.partial_cmp(&b).unwrap_or(Ordering::Equal);
    order.sort_by(|&a, &b| cmp(points[a].0, points[b].0).then(cmp(points[a].1, points[b].1)).then(a.cmp(&b)));

    let mut front = Vec::new();
    // The smallest second coordinate among points with a strictly smaller first coordinate.
    let mut best_before: Option<f64> = None;
    let mut start = 0;
    while let Some(&first) = order.get(start) {
        // A group of points sharing the first coordinate; the sort puts its smallest y first.
        let (x, min_y) = points[first];
        let len = order[start..].iter().take_while(|&&i| points[i].0 == x).count();
        if best_before.is_none_or(|best| min_y < best) {
            front.extend(order[start..start + len].iter().copied().filter(|&i| points[i].1 == min_y));
        }
        best_before = Some(best_before.map_or(min_y, |best| best.min(min_y)));
        start += len;
    }
    front
}

/// Quantile `q` (in [0, 1]) of `values`, sorted or not, interpolating linearly between order
/// statistics (type 7, the default of R and numpy): with the values sorted as x₀ ≤ … ≤ xₙ₋₁ and
/// h = q·(n − 1), it is x⌊h⌋ + (h − ⌊h⌋)·(x⌊h⌋₊₁ − x⌊h⌋).
///
/// `None` when `values` is empty or holds a non-finite value, or `q` is outside [0, 1] or NaN.
pub fn quantile(values: &[f64], q: f64) -> Option<f64> {
    quantile_sorted(&sorted_finite(values)?, q)
}

/// [`quantile`] of values already sorted ascending and finite.
fn quantile_sorted(sorted: &[f64], q: f64) -> Option<f64> {
    if !(0.0..=1.0).contains(&q) {
        return None;
    }
    let last = sorted.len().checked_sub(1)?;
    let h = q * last as f64;
    let below = h.floor();
    let frac = h - below;
    // 0 ≤ below ≤ last, since 0 ≤ q ≤ 1.
    let a = *sorted.get(below as usize)?;
    let b = sorted.get(below as usize + 1).copied().unwrap_or(a);
    let step = b - a;
    let value = if step.is_finite() { a + frac * step } else { (1.0 - frac) * a + frac * b };
    finite(value)
}

/// The values sorted ascending, or `None` when empty or holding a non-finite value.
fn sorted_finite(values: &[f64]) -> Option<Vec<f64>> {
    if values.is_empty() || !values.iter().all(|v| v.is_finite()) {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    Some(sorted)
}

/// Arithmetic mean, summed in slice order; `None` when empty or not finite.
fn mean(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut sum = 0.0;
    for &v in values {
        sum += v;
    }
    finite(sum / values.len() as f64)
}

/// Sample standard deviation around `mean` (two passes, summed in slice order); `None` when
/// fewer than 2 values or not finite.
fn sample_sd(values: &[f64], mean: f64) -> Option<f64> {
    if values.len() < 2 {
        return None;
    }
    let mut squares = 0.0;
    for &v in values {
        let d = v - mean;
        squares += d * d;
    }
    finite((squares / (values.len() - 1) as f64).sqrt())
}

/// The two-sided t interval `mean ± half-width`.
fn interval(mean: f64, sd: f64, n: usize, confidence: f64) -> Option<(f64, f64)> {
    let half = interval_half_width(sd, n, confidence)?;
    Some((finite(mean - half)?, finite(mean + half)?))
}

/// `t((1 + confidence) / 2, n − 1) · sd / √n`; `None` when n < 2 or the confidence is not in (0, 1).
fn interval_half_width(sd: f64, n: usize, confidence: f64) -> Option<f64> {
    if n < 2 || !(confidence > 0.0 && confidence < 1.0) {
        return None;
    }
    let t = t_quantile((1.0 + confidence) / 2.0, (n - 1) as f64)?;
    finite(t * sd / (n as f64).sqrt())
}

/// Quantile `p` of the standard t distribution with `df` degrees of freedom. statrs asserts
/// 0 ≤ p ≤ 1, so that is checked first; p = 1 (a confidence that rounds to 1) would be infinite.
fn t_quantile(p: f64, df: f64) -> Option<f64> {
    if !(p > 0.0 && p < 1.0) {
        return None;
    }
    let t = StudentsT::new(0.0, 1.0, df).ok()?;
    finite(t.inverse_cdf(p))
}

/// CDF at `x` of the standard t distribution with `df` degrees of freedom. statrs panics on a NaN
/// argument (its incomplete beta function refuses it), so that is checked first.
fn t_cdf(x: f64, df: f64) -> Option<f64> {
    if x.is_nan() {
        return None;
    }
    let t = StudentsT::new(0.0, 1.0, df).ok()?;
    finite(t.cdf(x))
}

/// `Some(x)` when `x` is finite.
fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `|actual − expected| ≤ tol`, with both in the failure message.
    fn close(actual: f64, expected: f64, tol: f64) {
        assert!((actual - expected).abs() <= tol, "{actual} is not within {tol} of {expected}");
    }

    const DATA: [f64; 8] = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0];

    #[test]
    fn statrs_gives_the_textbook_t_quantiles() {
        // Published two-sided 95% critical values: t(0.975, 3) = 3.182446, t(0.975, 7) = 2.364624,
        // t(0.975, 16) = 2.119905, t(0.975, 17) = 2.109816; with df → ∞ it tends to z = 1.959964.
        for (df, t) in [(3.0, 3.182446), (7.0, 2.364624), (16.0, 2.119905), (17.0, 2.109816), (1e6, 1.959964)] {
            close(t_quantile(0.975, df).unwrap(), t, 1e-6);
        }
    }

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
        // Means 44/4 = 11 and 40/4 = 10: ratio 1.1.
        close(p.ratio.unwrap(), 1.1, 1e-12);
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
            let scan = (2..=MAX_SEEDS_NEEDED)
                .find(|&n| interval_half_width(sd, n, confidence).is_some_and(|h| h <= half_width));
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
}
#[cfg(test)]
mod probe {
    use super::*;
    #[test]
    fn probe() {
        for df in [1.0, 2.0, 3.0, 7.0, 10.0, 30.0, 100.0, 1000.0, 10000.0, 99999.0, 1e6, 1e8] {
            for p in [0.95, 0.975, 0.995, 0.9995] {
                let q = t_quantile(p, df).unwrap();
                let back = t_cdf(q, df).unwrap();
                println!("df {df} p {p} q {q:.9} cdf(q) {back:.12}");
            }
        }
    }
}
