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
//! - **Student's t comes from statrs** (`StudentsT`, available without statrs' default features):
//!   no quantile is typed in from a table. The `t` submodule keeps statrs to where it is exact and
//!   total (it panics on some arguments and hangs beyond 10⁸ degrees of freedom).
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
//!   the noise the seeds share, and their interval can be much narrower than two separate means'.

mod t;

use std::cmp::Ordering;

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
        t::cdf(margin / se, (n - 1) as f64)
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

/// Several quantiles of `values` at once (one sort): the 10–90% bands of a sweep take three at
/// every metrics sample. `None` as [`quantile`] gives it for any of them.
pub fn quantiles<const N: usize>(values: &[f64], qs: [f64; N]) -> Option<[f64; N]> {
    let sorted = sorted_finite(values)?;
    let mut out = [0.0; N];
    for (o, q) in out.iter_mut().zip(qs) {
        *o = quantile_sorted(&sorted, q)?;
    }
    Some(out)
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
    // Unstable is exact here: total_cmp orders every f64, so equal elements are identical.
    sorted.sort_unstable_by(f64::total_cmp);
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
    let t = t::quantile((1.0 + confidence) / 2.0, (n - 1) as f64)?;
    finite(t * sd / (n as f64).sqrt())
}

/// `Some(x)` when `x` is finite.
fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

#[cfg(test)]
mod tests;
