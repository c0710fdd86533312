//! Response-time percentiles without keeping a record per request: an HDR histogram (3
//! significant digits, 1 µs to 1 hour) per service per interval, and one for the whole run.
//! Memory is fixed whatever the number of requests, and none is taken until a first response is
//! counted: a histogram of these bounds is about 190 KB, and a service behind no load balancer
//! never records one (5,000 such services held 1.9 GB of empty histograms).

use hdrhistogram::Histogram;

use crate::engine::SimDuration;

/// The largest response time tracked: longer ones count as this (no request waits an hour: the
/// load balancer's idle timeout is at most 4000 s).
const MAX_MICROS: u64 = 3_600_000_000;
const SIGNIFICANT_DIGITS: u8 = 3;

/// A histogram of response times.
#[derive(Clone, Debug, Default)]
pub struct Latencies {
    histogram: Option<Box<Histogram<u64>>>,
}

/// An empty histogram of the bounds every [`Latencies`] shares.
fn empty() -> Box<Histogram<u64>> {
    Box::new(Histogram::new_with_bounds(1, MAX_MICROS, SIGNIFICANT_DIGITS).expect("valid static bounds"))
}

/// Percentiles of one histogram, in seconds.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Percentiles {
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub max: f64,
}

impl Latencies {
    /// Counts `weight` responses that took `took` (a request-level run records each with weight 1;
    /// the fluid model records points of a distribution with their share of the requests).
    pub fn record(&mut self, took: SimDuration, weight: u64) {
        if weight > 0 {
            let micros = took.as_micros().clamp(1, MAX_MICROS);
            self.histogram.get_or_insert_with(empty).saturating_record_n(micros, weight);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.histogram.as_ref().is_none_or(|h| h.is_empty())
    }

    /// p50, p90, p99 and max; `None` with nothing recorded (CloudWatch reports no data point).
    pub fn percentiles(&self) -> Option<Percentiles> {
        let secs = |micros: u64| micros as f64 / 1e6;
        let h = self.histogram.as_ref().filter(|h| !h.is_empty())?;
        Some(Percentiles {
            p50: secs(h.value_at_quantile(0.50)),
            p90: secs(h.value_at_quantile(0.90)),
            p99: secs(h.value_at_quantile(0.99)),
            max: secs(h.max()),
        })
    }

    /// Mean response time in seconds (`None` when empty).
    pub fn mean(&self) -> Option<f64> {
        self.histogram.as_ref().filter(|h| !h.is_empty()).map(|h| h.mean() / 1e6)
    }

    /// Adds every response of `other` (the run's histogram gathers each interval's).
    pub fn absorb(&mut self, other: &Latencies) {
        // Both share the same bounds, so adding cannot fail.
        if let Some(theirs) = other.histogram.as_ref().filter(|h| !h.is_empty()) {
            let _ = self.histogram.get_or_insert_with(empty).add(theirs.as_ref());
        }
    }

    pub fn clear(&mut self) {
        if let Some(h) = self.histogram.as_mut() {
            h.reset();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_of_a_known_set() {
        let mut l = Latencies::default();
        // 1..=100 ms, once each: p50 = 50 ms, p90 = 90 ms, p99 = 99 ms, max = 100 ms (to 3 digits).
        for ms in 1..=100 {
            l.record(SimDuration::from_millis(ms), 1);
        }
        let p = l.percentiles().unwrap();
        assert!((p.p50 - 0.050).abs() < 0.0001, "{p:?}");
        assert!((p.p90 - 0.090).abs() < 0.0001, "{p:?}");
        assert!((p.p99 - 0.099).abs() < 0.0001, "{p:?}");
        assert!((p.max - 0.100).abs() < 0.0001, "{p:?}");
    }

    #[test]
    fn weights_count_as_many_responses_and_empty_has_no_point() {
        let mut l = Latencies::default();
        assert_eq!(l.percentiles(), None);
        l.record(SimDuration::from_millis(10), 98);
        l.record(SimDuration::from_secs(2), 2);
        // 98 of 100 took 10 ms: p90 is 10 ms, p99 falls in the 2 s responses.
        let p = l.percentiles().unwrap();
        assert!((p.p90 - 0.010).abs() < 1e-4 && (p.p99 - 2.0).abs() < 0.002, "{p:?}");
        let mut run = Latencies::default();
        run.absorb(&l);
        l.clear();
        assert!(l.is_empty() && !run.is_empty());
    }
}
