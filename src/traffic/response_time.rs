//! The response-time law of one task's requests in the fluid model (see
//! [`queueing`](super::queueing), which builds it from the stationary chain): its mean, survival
//! function, quantiles and the mean of the answers a timeout lets through.

/// The response-time law: `shift + S + W`, where `S` (time in service) has mean `service`, and
/// with probability `wait_prob` the request first waits an exponential time of mean `wait_given`.
/// `S` is exponential (exact for M/M/c FIFO, hence M/M/1: exponential of rate μ − λ) unless
/// requests share vCPUs: then a balanced-means hyperexponential whose branch of mean
/// `service / (2·slow)` has probability `slow`, of the squared coefficient of variation the
/// sharing gives (see [`Response::shared`]); `shift` is the mean I/O wait, spent before any of
/// it, plus in overload the deterministic fluid wait.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Response {
    shift: f64,
    service: f64,
    wait_prob: f64,
    wait_given: f64,
    slow: f64,
}

/// Relative difference of two rates below which the hypoexponential uses its equal-rates limit,
/// where the general formula would cancel catastrophically.
const SAME_RATE: f64 = 1e-6;
/// The highest quantile computed: the survival function is not resolved below this.
const MAX_P: f64 = 1.0 - 1e-12;
/// `e^(−x)` is exactly 0 in f64 for `x` above about 745.2; so is `(1 + x)·e^(−x)`.
const UNDERFLOW: f64 = 760.0;

impl Response {
    pub(super) const ZERO: Response = Response { shift: 0.0, service: 0.0, wait_prob: 0.0, wait_given: 0.0, slow: 0.0 };

    /// From the mean wait over all requests (`wait`), not only those that wait.
    pub(super) fn new(shift: f64, service: f64, wait_prob: f64, wait: f64) -> Self {
        let wait_given = if wait_prob > 0.0 { wait / wait_prob } else { 0.0 };
        Response { shift, service, wait_prob, wait_given, slow: 0.0 }
    }

    /// The time in service when an arrival shares the vCPUs with probability `share`: M/M/1
    /// processor sharing's sojourn has squared coefficient of variation `(2 + ρ)/(2 − ρ)`, ρ
    /// being the chance an arrival finds the server busy; `share` stands for ρ (σ for round
    /// robin's regular arrivals, Erlang C for a pool). Matched by a balanced-means
    /// hyperexponential: `slow = (1 − √((v − 1)/(v + 1)))/2`.
    pub(super) fn shared(self, share: f64) -> Self {
        let share = share.clamp(0.0, 1.0);
        if share.is_nan() || share <= 0.0 {
            return self;
        }
        let v = (2.0 + share) / (2.0 - share);
        Response { slow: (1.0 - ((v - 1.0) / (v + 1.0)).sqrt()) / 2.0, ..self }
    }

    /// The time in service's exponential branches: (probability, mean).
    fn branches(&self) -> impl Iterator<Item = (f64, f64)> {
        let fast = 1.0 - self.slow;
        let split = self.slow > 0.0;
        let (m_fast, m_slow) =
            if split { (self.service / (2.0 * fast), self.service / (2.0 * self.slow)) } else { (self.service, 0.0) };
        [(fast, m_fast), (self.slow, m_slow)].into_iter().filter(|&(p, _)| p > 0.0)
    }

    pub(super) fn mean(&self) -> f64 {
        self.shift + self.service + self.wait_prob * self.wait_given
    }

    /// The mean of `T` given `T ≤ timeout` (the whole mean without a timeout):
    /// `(E[T] − E[T; T > τ]) / (1 − S(τ))`, with `E[T; T > τ] = τ·S(τ) + ∫_τ^∞ S(t) dt`.
    pub(super) fn answered_mean(&self, timeout: Option<f64>) -> f64 {
        let Some(tau) = timeout else { return self.mean() };
        let tail = self.survival(tau);
        if tail <= 0.0 {
            return self.mean();
        }
        if tail >= 1.0 {
            return tau;
        }
        let beyond = tau * tail + self.integrated_survival(tau);
        ((self.mean() - beyond) / (1.0 - tail)).clamp(0.0, tau)
    }

    /// `∫_t^∞ P(T > u) du` for `t ≥ shift`: each exponential part's tail integrates to its mean
    /// times its tail.
    fn integrated_survival(&self, t: f64) -> f64 {
        let u = (t - self.shift).max(0.0);
        self.branches().map(|(p, m)| p * self.integrated_branch(m, u)).sum()
    }

    /// [`Response::integrated_survival`] for a time in service exponential of mean `m1`.
    fn integrated_branch(&self, m1: f64, u: f64) -> f64 {
        let m2 = self.wait_given;
        let served = m1 * exp_tail(m1, u);
        let waited = if m1 > 0.0 && m2 > 0.0 && (1.0 / m1 - 1.0 / m2).abs() > SAME_RATE / m1.min(m2) {
            // ∫ (r2 e^(−r1 u) − r1 e^(−r2 u)) / (r2 − r1) = (m1·r2 e^(−r1 u) − m2·r1 e^(−r2 u)) / (r2 − r1).
            let (r1, r2) = (1.0 / m1, 1.0 / m2);
            (m1 * r2 * (-r1 * u).exp() - m2 * r1 * (-r2 * u).exp()) / (r2 - r1)
        } else if m1 > 0.0 && m2 > 0.0 {
            // Erlang-2 of rate r: ∫ (1 + r u) e^(−r u) = (2 + r u) e^(−r u) / r.
            let r = 1.0 / m1;
            (2.0 + r * u) * (-r * u).exp() / r
        } else {
            let m = m1.max(m2);
            m * exp_tail(m, u)
        };
        (1.0 - self.wait_prob) * served + self.wait_prob * waited
    }

    /// `P(T > t)`.
    pub(super) fn survival(&self, t: f64) -> f64 {
        self.tail_and_density(t).0
    }

    /// `P(T > t)` and the density of `T` at `t` (`−dS/dt`, for Newton's steps in
    /// [`Response::quantile`]), from the same exponentials.
    fn tail_and_density(&self, t: f64) -> (f64, f64) {
        let u = t - self.shift;
        if u < 0.0 {
            return (1.0, 0.0);
        }
        // Beyond UNDERFLOW of its longest mean every exponential part is exactly 0 in f64: a
        // timeout of a minute on millisecond requests costs no exponentials.
        let longest = self.branches().fold(self.wait_given, |m, (_, b)| m.max(b));
        if longest.is_finite() && u > UNDERFLOW * longest {
            return (0.0, 0.0);
        }
        let w = self.wait_prob;
        let branch = |m: f64| {
            let ((served, served_density), (waited, waited_density)) =
                (exp_parts(m, u), sum_of_exp_parts(m, self.wait_given, u));
            ((1.0 - w) * served + w * waited, (1.0 - w) * served_density + w * waited_density)
        };
        // Summed as `Iterator::sum` sums floats (from −0.0).
        self.branches().fold((-0.0, -0.0), |(tail, density), (p, m)| {
            let (t, d) = branch(m);
            (tail + p * t, density + p * d)
        })
    }

    /// The `p`-quantile: the `t` where `P(T > t) = 1 − p`, by Newton's method on `ln P(T > t)`
    /// (a straight line for an exponential, nearly one for these mixtures: a handful of steps)
    /// inside a bracket every evaluation narrows, bisecting whenever Newton would leave it.
    pub(super) fn quantile(&self, p: f64) -> f64 {
        let scale = self.service + self.wait_given;
        if !(p > 0.0 && scale > 0.0 && scale.is_finite()) {
            return self.shift;
        }
        let target = 1.0 - p.min(MAX_P);
        let (mut lo, mut hi) = (0.0f64, f64::INFINITY);
        // An exponential of the whole mean's quantile: exact for one branch without a wait.
        let mut u = -scale * target.ln();
        for _ in 0..QUANTILE_ITERATIONS {
            let (tail, density) = self.tail_and_density(self.shift + u);
            if tail > target {
                lo = u;
            } else {
                hi = u;
            }
            // Newton on ln S: u − (ln S − ln target) / (d ln S / du), with d ln S / du = −f / S.
            let newton = if tail > 0.0 && density > 0.0 { u + tail * (tail / target).ln() / density } else { f64::NAN };
            if (newton - u).abs() <= QUANTILE_TOLERANCE * u {
                return self.shift + newton.clamp(lo, hi);
            }
            let next = if newton > lo && newton < hi {
                newton
            } else if hi.is_finite() {
                0.5 * (lo + hi)
            } else {
                2.0 * u.max(scale)
            };
            if hi.is_finite() && hi - lo <= QUANTILE_TOLERANCE * hi {
                return self.shift + hi;
            }
            u = next;
        }
        self.shift + u
    }
}

/// Newton's steps in [`Response::quantile`] stop when they move the quantile by less than this
/// fraction of it (a few units in the last place: far below the microsecond it is rounded to),
/// within at most this many evaluations (bisection alone needs about 64).
const QUANTILE_TOLERANCE: f64 = 1e-15;
const QUANTILE_ITERATIONS: u32 = 200;

/// `P(X > u)` for X exponential of the given mean (a zero mean is the constant 0), `u ≥ 0`.
fn exp_tail(mean: f64, u: f64) -> f64 {
    exp_parts(mean, u).0
}

/// `P(X > u)` and the density at `u ≥ 0` of X exponential of the given mean (a zero mean is the
/// constant 0: no density).
fn exp_parts(mean: f64, u: f64) -> (f64, f64) {
    if mean > 0.0 {
        let e = (-u / mean).exp();
        (e, e / mean)
    } else if u > 0.0 {
        (0.0, 0.0)
    } else {
        (1.0, 0.0)
    }
}

/// `P(X + Y > u)` and the density at `u` for independent exponentials of means `m1`, `m2`
/// (hypoexponential).
fn sum_of_exp_parts(m1: f64, m2: f64, u: f64) -> (f64, f64) {
    if !(m1 > 0.0 && m2 > 0.0) {
        return exp_parts(m1.max(m2), u);
    }
    let (r1, r2) = (1.0 / m1, 1.0 / m2);
    if (r1 - r2).abs() <= SAME_RATE * r1.max(r2) {
        // Erlang-2 limit: (1 + r·u)·e^(−r·u), density r²·u·e^(−r·u).
        let e = (-r1 * u).exp();
        return ((1.0 + r1 * u) * e, r1 * r1 * u * e);
    }
    let (e1, e2) = ((-r1 * u).exp(), (-r2 * u).exp());
    ((r2 * e1 - r1 * e2) / (r2 - r1), r1 * r2 * (e1 - e2) / (r2 - r1))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The quantile by plain bisection to an f64's resolution: what Newton must agree with.
    fn bisected(r: &Response, p: f64) -> f64 {
        let target = 1.0 - p.min(MAX_P);
        let mut hi = r.service + r.wait_given;
        while r.survival(r.shift + hi) > target {
            hi *= 2.0;
        }
        let mut lo = 0.0;
        for _ in 0..64 {
            let mid = 0.5 * (lo + hi);
            if r.survival(r.shift + mid) > target {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        r.shift + hi
    }

    #[test]
    fn newton_quantiles_are_the_bisection_s_to_the_microsecond_and_far_below() {
        let mut shapes = Vec::new();
        for shift in [0.0, 0.003, 1.5] {
            for service in [1e-4, 0.001, 0.08, 2.0] {
                for (wait_prob, wait) in [(0.0, 0.0), (0.2, 0.01), (0.9, 0.5), (0.5, 0.5 * service), (0.99, 30.0)] {
                    let plain = Response::new(shift, service, wait_prob, wait);
                    shapes.push(plain);
                    for share in [0.1, 0.6, 0.99] {
                        shapes.push(plain.shared(share));
                    }
                }
            }
        }
        let ps = [1e-6, 0.05, 0.5, 0.9, 0.99, 0.9995, 0.999_999, 1.0];
        for r in &shapes {
            for p in ps {
                let (newton, bisection) = (r.quantile(p), bisected(r, p));
                // Both are as exact as the survival function near 1 allows (a relative 1e-10 at p = 1e-6).
                assert!((newton - bisection).abs() <= 1e-9 * bisection, "{r:?} p{p}: {newton} vs {bisection}");
                let micros = |s: f64| crate::engine::SimDuration::from_secs_f64(s).as_micros();
                assert_eq!(micros(newton), micros(bisection), "{r:?} p{p}");
            }
        }
    }

    #[test]
    fn the_density_is_the_survival_s_slope() {
        let r = Response::new(0.002, 0.01, 0.4, 0.02).shared(0.5);
        for t in [0.003, 0.01, 0.05, 0.2] {
            let h = 1e-7;
            let slope = (r.survival(t - h) - r.survival(t + h)) / (2.0 * h);
            let density = r.tail_and_density(t).1;
            assert!((slope - density).abs() <= 1e-5 * density, "{t}: {slope} vs {density}");
        }
        assert_eq!(r.tail_and_density(0.001), (1.0, 0.0));
    }
}
