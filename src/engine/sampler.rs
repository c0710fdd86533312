//! Random durations: the typed distributions a scenario writes (`2s`, `{ uniform: { min: 1s, max: 3s } }`,
//! `{ lognormal: { median: 20ms, sigma: 0.5 } }`...), built once and checked at load time, then sampled
//! from a stream. Draws are rounded to whole microseconds and never negative.

use rand_distr::{Distribution, Exp, LogNormal, Normal, Uniform};

use super::{SimDuration, StreamRng};

/// A distribution of durations, ready to sample.
#[derive(Clone, Debug)]
pub enum DurationDist {
    Constant(SimDuration),
    /// Seconds between `min` and `max`.
    Uniform {
        min: f64,
        max: f64,
        dist: Uniform<f64>,
    },
    Exponential {
        mean: f64,
        dist: Exp<f64>,
    },
    /// Truncated at zero: a negative draw becomes zero.
    Normal(Normal<f64>),
    /// `mu` and `sigma` of the underlying normal, in log-seconds.
    LogNormal {
        mu: f64,
        sigma: f64,
        dist: LogNormal<f64>,
    },
}

/// Why a distribution's parameters were rejected; the message is written for the scenario's author.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct DistError(pub String);

impl DurationDist {
    pub fn constant(value: SimDuration) -> Self {
        DurationDist::Constant(value)
    }

    pub fn uniform(min: SimDuration, max: SimDuration) -> Result<Self, DistError> {
        if min > max {
            return Err(DistError(format!("min ({min}) must be <= max ({max})")));
        }
        if min == max {
            return Ok(DurationDist::Constant(min));
        }
        let (min, max) = (min.as_secs_f64(), max.as_secs_f64());
        Uniform::new_inclusive(min, max)
            .map(|dist| DurationDist::Uniform { min, max, dist })
            .map_err(|e| DistError(e.to_string()))
    }

    pub fn exponential(mean: SimDuration) -> Result<Self, DistError> {
        if mean.is_zero() {
            return Err(DistError("mean must be greater than 0".into()));
        }
        let mean = mean.as_secs_f64();
        Exp::new(1.0 / mean).map(|dist| DurationDist::Exponential { mean, dist }).map_err(|e| DistError(e.to_string()))
    }

    pub fn normal(mean: SimDuration, std_dev: SimDuration) -> Result<Self, DistError> {
        Normal::new(mean.as_secs_f64(), std_dev.as_secs_f64())
            .map(DurationDist::Normal)
            .map_err(|e| DistError(e.to_string()))
    }

    /// The largest log-normal sigma accepted: the mean is then e^12.5 ≈ 270,000 times the
    /// median, far past any latency or lifetime worth simulating; beyond it draws overflow.
    pub const MAX_SIGMA: f64 = 5.0;

    /// Log-normal given by its median (e^mu) and sigma, the way latency distributions are usually described.
    pub fn lognormal(median: SimDuration, sigma: f64) -> Result<Self, DistError> {
        if median.is_zero() {
            return Err(DistError("median must be greater than 0".into()));
        }
        if !(sigma.is_finite() && sigma >= 0.0) {
            return Err(DistError(format!("sigma ({sigma}) must be a finite number >= 0")));
        }
        if sigma > Self::MAX_SIGMA {
            let factor = (sigma * sigma / 2.0).exp();
            return Err(DistError(format!(
                "sigma ({sigma}) is above {}: the mean would be {factor:.3e} times the median, and draws overflow",
                Self::MAX_SIGMA
            )));
        }
        let mu = median.as_secs_f64().ln();
        LogNormal::new(mu, sigma)
            .map(|dist| DurationDist::LogNormal { mu, sigma, dist })
            .map_err(|e| DistError(e.to_string()))
    }

    /// The mean, in seconds (of the distribution as sampled: a normal is truncated at zero).
    pub fn mean_secs(&self) -> f64 {
        self.moments().0
    }

    /// The squared coefficient of variation, variance / mean²: 0 for a constant, 1 for an
    /// exponential. Queueing formulas for non-exponential service times need it.
    pub fn scv(&self) -> f64 {
        let (mean, variance) = self.moments();
        if mean > 0.0 {
            variance / (mean * mean)
        } else {
            0.0
        }
    }

    /// Mean and variance in seconds (²), from the distribution's parameters.
    fn moments(&self) -> (f64, f64) {
        match self {
            DurationDist::Constant(d) => (d.as_secs_f64(), 0.0),
            DurationDist::Uniform { min, max, .. } => ((min + max) / 2.0, (max - min).powi(2) / 12.0),
            DurationDist::Exponential { mean, .. } => (*mean, mean * mean),
            DurationDist::Normal(d) => truncated_normal_moments(d.mean(), d.std_dev()),
            DurationDist::LogNormal { mu, sigma, .. } => {
                let sigma2 = sigma * sigma;
                let mean = (mu + sigma2 / 2.0).exp();
                (mean, (sigma2.exp() - 1.0) * mean * mean)
            }
        }
    }

    pub fn sample(&self, rng: &mut StreamRng) -> SimDuration {
        let secs = match self {
            DurationDist::Constant(d) => return *d,
            DurationDist::Uniform { dist, .. } => dist.sample(rng),
            DurationDist::Exponential { dist, .. } => dist.sample(rng),
            DurationDist::Normal(d) => d.sample(rng),
            DurationDist::LogNormal { dist, .. } => dist.sample(rng),
        };
        SimDuration::from_secs_f64(secs)
    }
}

/// Mean and variance of max(0, X) for X ~ Normal(m, s): draws below zero become zero.
fn truncated_normal_moments(m: f64, s: f64) -> (f64, f64) {
    if s == 0.0 {
        let v = m.max(0.0);
        return (v, 0.0);
    }
    let z = m / s;
    let pdf = (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt();
    let cdf = 0.5 * (1.0 + libm::erf(z / std::f64::consts::SQRT_2));
    let mean = m * cdf + s * pdf;
    let second = (m * m + s * s) * cdf + m * s * pdf;
    (mean, (second - mean * mean).max(0.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::RngStreams;

    fn secs(s: f64) -> SimDuration {
        SimDuration::from_secs_f64(s)
    }

    fn mean_of(dist: &DurationDist, n: u64) -> f64 {
        let mut rng = RngStreams::new(1).stream(0, 0);
        (0..n).map(|_| dist.sample(&mut rng).as_secs_f64()).sum::<f64>() / n as f64
    }

    #[test]
    fn sample_means_match_the_parameters() {
        // 50,000 draws: the standard error is under 0.5% of the mean for each of these.
        let n = 50_000;
        let exp = DurationDist::exponential(secs(90.0)).unwrap();
        assert!((mean_of(&exp, n) - 90.0).abs() < 90.0 * 0.02);
        let uni = DurationDist::uniform(secs(1.0), secs(3.0)).unwrap();
        assert!((mean_of(&uni, n) - 2.0).abs() < 0.02);
        // Log-normal mean = median * e^(sigma^2 / 2) = 20 ms * e^0.125 = 22.66 ms.
        let logn = DurationDist::lognormal(secs(0.020), 0.5).unwrap();
        assert!((mean_of(&logn, n) - 0.02266).abs() < 0.02266 * 0.02);
    }

    #[test]
    fn moments_match_the_draws() {
        let n = 100_000;
        let cases = [
            DurationDist::constant(secs(2.0)),
            DurationDist::uniform(secs(1.0), secs(3.0)).unwrap(),
            DurationDist::exponential(secs(0.5)).unwrap(),
            DurationDist::normal(secs(1.0), secs(2.0)).unwrap(),
            DurationDist::lognormal(secs(0.02), 1.0).unwrap(),
        ];
        for dist in cases {
            let mut rng = RngStreams::new(7).stream(0, 0);
            let draws: Vec<f64> = (0..n).map(|_| dist.sample(&mut rng).as_secs_f64()).collect();
            let mean = draws.iter().sum::<f64>() / n as f64;
            let var = draws.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
            assert!((dist.mean_secs() - mean).abs() <= 0.02 * mean + 1e-6, "{dist:?}: mean {mean}");
            let scv = if mean > 0.0 { var / (mean * mean) } else { 0.0 };
            // Log-normal sigma 1: scv = e - 1 = 1.718; sample variances of heavy tails wander more.
            assert!((dist.scv() - scv).abs() <= 0.1 * dist.scv().max(0.1), "{dist:?}: scv {scv} vs {}", dist.scv());
        }
    }

    #[test]
    fn normal_draws_are_truncated_at_zero() {
        let dist = DurationDist::normal(secs(1.0), secs(5.0)).unwrap();
        let mut rng = RngStreams::new(3).stream(0, 0);
        let draws: Vec<_> = (0..1000).map(|_| dist.sample(&mut rng)).collect();
        assert!(draws.iter().any(|d| d.is_zero()), "some draws fall below zero and are clamped");
    }

    #[test]
    fn bad_parameters_are_rejected_with_a_reason() {
        assert!(DurationDist::uniform(secs(3.0), secs(1.0)).unwrap_err().0.contains("min"));
        assert!(DurationDist::exponential(SimDuration::ZERO).is_err());
        assert!(DurationDist::lognormal(secs(1.0), -1.0).unwrap_err().0.contains("sigma"));
        assert!(DurationDist::lognormal(SimDuration::ZERO, 0.5).is_err());
    }
}
