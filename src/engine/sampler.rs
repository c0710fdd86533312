//! Random durations: the typed distributions a scenario writes (`2s`, `{ uniform: { min: 1s, max: 3s } }`,
//! `{ lognormal: { median: 20ms, sigma: 0.5 } }`...), built once and checked at load time, then sampled
//! from a stream. Draws are rounded to whole microseconds and never negative.

use rand_distr::{Distribution, Exp, LogNormal, Normal, Uniform};

use super::{SimDuration, StreamRng};

/// A distribution of durations, ready to sample.
#[derive(Clone, Debug)]
pub enum DurationDist {
    Constant(SimDuration),
    Uniform(Uniform<f64>),
    Exponential(Exp<f64>),
    /// Truncated at zero: a negative draw becomes zero.
    Normal(Normal<f64>),
    LogNormal(LogNormal<f64>),
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
        Uniform::new_inclusive(min.as_secs_f64(), max.as_secs_f64())
            .map(DurationDist::Uniform)
            .map_err(|e| DistError(e.to_string()))
    }

    pub fn exponential(mean: SimDuration) -> Result<Self, DistError> {
        if mean.is_zero() {
            return Err(DistError("mean must be greater than 0".into()));
        }
        Exp::new(1.0 / mean.as_secs_f64()).map(DurationDist::Exponential).map_err(|e| DistError(e.to_string()))
    }

    pub fn normal(mean: SimDuration, std_dev: SimDuration) -> Result<Self, DistError> {
        Normal::new(mean.as_secs_f64(), std_dev.as_secs_f64())
            .map(DurationDist::Normal)
            .map_err(|e| DistError(e.to_string()))
    }

    /// Log-normal given by its median (e^mu) and sigma, the way latency distributions are usually described.
    pub fn lognormal(median: SimDuration, sigma: f64) -> Result<Self, DistError> {
        if median.is_zero() {
            return Err(DistError("median must be greater than 0".into()));
        }
        if !(sigma.is_finite() && sigma >= 0.0) {
            return Err(DistError(format!("sigma ({sigma}) must be a finite number >= 0")));
        }
        LogNormal::new(median.as_secs_f64().ln(), sigma)
            .map(DurationDist::LogNormal)
            .map_err(|e| DistError(e.to_string()))
    }

    pub fn sample(&self, rng: &mut StreamRng) -> SimDuration {
        let secs = match self {
            DurationDist::Constant(d) => return *d,
            DurationDist::Uniform(d) => d.sample(rng),
            DurationDist::Exponential(d) => d.sample(rng),
            DurationDist::Normal(d) => d.sample(rng),
            DurationDist::LogNormal(d) => d.sample(rng),
        };
        SimDuration::from_secs_f64(secs)
    }
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
