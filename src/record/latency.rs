//! Response-time percentiles without keeping a record per request: an HDR histogram (3
//! significant digits, 1 µs to 1 hour) per service per interval, and one for the whole run.
//! Memory is fixed whatever the number of requests, and none is taken until more than
//! [`SPARSE_BUCKETS`] distinct buckets are counted: a histogram of these bounds is about 190 KB,
//! a service behind no load balancer never records one (5,000 such services held 1.9 GB of
//! empty histograms), and one fed by the fluid model's few points rarely needs one.

use hdrhistogram::Histogram;

use crate::engine::SimDuration;

/// The largest response time tracked: longer ones count as this (no request waits an hour: the
/// load balancer's idle timeout is at most 4000 s).
const MAX_MICROS: u64 = 3_600_000_000;
const SIGNIFICANT_DIGITS: u8 = 3;

/// Distinct response-time buckets kept as a list before a histogram is taken: the fluid model
/// records a few dozen per interval, and a 190 KB histogram per service and interval to absorb
/// and clear cost a tenth of a large fluid run.
const SPARSE_BUCKETS: usize = 512;

/// A histogram of response times: a short sorted list of HDR buckets while few are used, the HDR
/// histogram itself beyond. Both give the same percentiles, mean and maximum (the list reads
/// them the way the histogram does, bucket by bucket in ascending order).
#[derive(Clone, Debug, Default)]
pub struct Latencies {
    histogram: Option<Box<Histogram<u64>>>,
    /// (lowest value of the bucket, count), by bucket, while there is no histogram.
    sparse: Vec<(u64, u64)>,
    /// A cleared histogram kept for the next time the list overflows: an interval histogram that
    /// once needed one goes back to the list when cleared (absorbing and clearing a whole
    /// histogram every interval cost a seventh of a day of 50 scaling services), without
    /// allocating 190 KB anew each time.
    spare: Option<Box<Histogram<u64>>>,
}

/// An empty histogram of the bounds every [`Latencies`] shares.
fn empty() -> Box<Histogram<u64>> {
    Box::new(Histogram::new_with_bounds(1, MAX_MICROS, SIGNIFICANT_DIGITS).expect("valid static bounds"))
}

/// The buckets' arithmetic (which values are equivalent), from an empty histogram of the bounds.
fn buckets() -> &'static Histogram<u64> {
    static BUCKETS: std::sync::OnceLock<Box<Histogram<u64>>> = std::sync::OnceLock::new();
    BUCKETS.get_or_init(empty)
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
            self.record_micros(took.as_micros().clamp(1, MAX_MICROS), weight);
        }
    }

    fn record_micros(&mut self, micros: u64, weight: u64) {
        if let Some(h) = self.histogram.as_mut() {
            h.saturating_record_n(micros, weight);
            return;
        }
        let bucket = buckets().lowest_equivalent(micros);
        match self.sparse.binary_search_by_key(&bucket, |(b, _)| *b) {
            Ok(i) => self.sparse[i].1 = self.sparse[i].1.saturating_add(weight),
            Err(i) if self.sparse.len() < SPARSE_BUCKETS => self.sparse.insert(i, (bucket, weight)),
            Err(_) => self.histogram_mut().saturating_record_n(micros, weight),
        }
    }

    /// The histogram, taken now if the list held the responses so far (they move into it).
    fn histogram_mut(&mut self) -> &mut Histogram<u64> {
        let (sparse, spare) = (&mut self.sparse, &mut self.spare);
        self.histogram.get_or_insert_with(|| {
            let mut h = spare.take().unwrap_or_else(empty);
            for (b, n) in sparse.drain(..) {
                h.saturating_record_n(b, n);
            }
            h
        })
    }

    pub fn is_empty(&self) -> bool {
        self.histogram.as_ref().map_or(self.sparse.is_empty(), |h| h.is_empty())
    }

    /// p50, p90, p99 and max; `None` with nothing recorded (CloudWatch reports no data point).
    pub fn percentiles(&self) -> Option<Percentiles> {
        let secs = |micros: u64| micros as f64 / 1e6;
        if let Some(h) = self.histogram.as_ref() {
            return (!h.is_empty()).then(|| Percentiles {
                p50: secs(h.value_at_quantile(0.50)),
                p90: secs(h.value_at_quantile(0.90)),
                p99: secs(h.value_at_quantile(0.99)),
                max: secs(h.max()),
            });
        }
        let (&(last, _), total) = (self.sparse.last()?, self.total());
        // As `Histogram::value_at_quantile`: the first bucket whose running count reaches
        // ceil(q × total), read as its highest value.
        let at = |q: f64| {
            let target = ((q * total as f64).ceil() as u64).max(1);
            let mut running = 0;
            let bucket = self.sparse.iter().find(|(_, n)| {
                running += n;
                running >= target
            });
            buckets().highest_equivalent(bucket.map_or(last, |(b, _)| *b))
        };
        Some(Percentiles {
            p50: secs(at(0.50)),
            p90: secs(at(0.90)),
            p99: secs(at(0.99)),
            max: secs(buckets().highest_equivalent(last)),
        })
    }

    fn total(&self) -> u64 {
        self.sparse.iter().fold(0u64, |t, (_, n)| t.saturating_add(*n))
    }

    /// Mean response time in seconds (`None` when empty).
    pub fn mean(&self) -> Option<f64> {
        if let Some(h) = self.histogram.as_ref() {
            return (!h.is_empty()).then(|| h.mean() / 1e6);
        }
        let total = self.total();
        // As `Histogram::mean`: each bucket's median value, weighted, in ascending order.
        let mean = self
            .sparse
            .iter()
            .fold(0.0_f64, |sum, (b, n)| sum + buckets().median_equivalent(*b) as f64 * *n as f64 / total as f64);
        (total > 0).then_some(mean / 1e6)
    }

    /// Adds every response of `other` (the run's histogram gathers each interval's).
    pub fn absorb(&mut self, other: &Latencies) {
        match other.histogram.as_ref() {
            // Both share the same bounds, so adding cannot fail.
            Some(theirs) if !theirs.is_empty() => {
                let _ = self.histogram_mut().add(theirs.as_ref());
            }
            Some(_) => {}
            None => self.absorb_sparse(&other.sparse),
        }
    }

    /// Adds a list of buckets: merged with this list in one pass while the two hold at most
    /// [`SPARSE_BUCKETS`] distinct buckets, else into the histogram (the same counts as
    /// recording each bucket in turn). A search of the run's list per bucket of every interval
    /// missed the caches once hundreds of services each kept one: a doubling of the fluid run
    /// past 200 services cost 3.4x instead of 2.
    fn absorb_sparse(&mut self, theirs: &[(u64, u64)]) {
        if self.histogram.is_none() {
            let union = union_len(&self.sparse, theirs);
            if union <= SPARSE_BUCKETS {
                merge_into(&mut self.sparse, theirs, union);
                return;
            }
        }
        let h = self.histogram_mut();
        for &(b, n) in theirs {
            h.saturating_record_n(b, n);
        }
    }

    pub fn clear(&mut self) {
        if let Some(mut h) = self.histogram.take() {
            h.reset();
            self.spare = Some(h);
        }
        self.sparse.clear();
    }
}

/// How many distinct buckets two sorted lists of buckets hold together.
fn union_len(a: &[(u64, u64)], b: &[(u64, u64)]) -> usize {
    let (mut i, mut j, mut shared) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => (i, j, shared) = (i + 1, j + 1, shared + 1),
        }
    }
    a.len() + b.len() - shared
}

/// Merges the sorted list `theirs` into the sorted list `mine` in place, from the back, counts
/// of a shared bucket added; `union` is [`union_len`] of the two.
fn merge_into(mine: &mut Vec<(u64, u64)>, theirs: &[(u64, u64)], union: usize) {
    let (mut i, mut j, mut k) = (mine.len(), theirs.len(), union);
    mine.resize(union, (0, 0));
    while j > 0 {
        k -= 1;
        let (b, n) = theirs[j - 1];
        match mine[..i].last().map(|&(own, _)| own.cmp(&b)) {
            Some(std::cmp::Ordering::Greater) => {
                mine[k] = mine[i - 1];
                i -= 1;
            }
            Some(std::cmp::Ordering::Equal) => {
                mine[k] = (b, mine[i - 1].1.saturating_add(n));
                (i, j) = (i - 1, j - 1);
            }
            _ => {
                mine[k] = (b, n);
                j -= 1;
            }
        }
    }
    debug_assert_eq!(i, k, "the rest of `mine` is already in place");
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

    #[test]
    fn the_short_list_reads_exactly_as_the_histogram_does() {
        // Up to SPARSE_BUCKETS distinct buckets stay a list; the same responses recorded in a
        // histogram from the start give the same figures, and so does the list once it spills.
        for distinct in [1u64, 7, 100, SPARSE_BUCKETS as u64, SPARSE_BUCKETS as u64 + 40] {
            let mut sparse = Latencies::default();
            let mut full = Latencies { histogram: Some(empty()), ..Latencies::default() };
            for k in 0..distinct {
                let took = SimDuration::from_micros(1 + k * k * 37 % 2_000_003);
                let weight = 1 + (k * 7919) % 13;
                sparse.record(took, weight);
                full.record(took, weight);
            }
            assert_eq!(sparse.histogram.is_some(), distinct > SPARSE_BUCKETS as u64);
            assert_eq!(sparse.percentiles(), full.percentiles(), "{distinct} buckets");
            assert_eq!(sparse.mean(), full.mean(), "{distinct} buckets");
            let (mut a, mut b) = (Latencies::default(), Latencies::default());
            a.absorb(&sparse);
            b.absorb(&full);
            assert_eq!((a.percentiles(), a.mean()), (b.percentiles(), b.mean()));
        }
    }

    #[test]
    fn a_cleared_interval_goes_back_to_the_list_and_reuses_its_histogram() {
        let mut l = Latencies::default();
        for k in 0..=SPARSE_BUCKETS as u64 {
            l.record(SimDuration::from_micros(1000 + 10 * k), 1);
        }
        assert!(l.histogram.is_some());
        l.clear();
        assert!(l.histogram.is_none() && l.spare.is_some() && l.is_empty() && l.percentiles().is_none());
        // A few responses stay a list; an overflow takes the kept histogram, emptied.
        l.record(SimDuration::from_millis(5), 3);
        assert!(l.histogram.is_none() && l.sparse.len() == 1);
        for k in 0..=SPARSE_BUCKETS as u64 {
            l.record(SimDuration::from_micros(1000 + 10 * k), 1);
        }
        assert!(l.histogram.is_some() && l.spare.is_none());
        let mut fresh = Latencies::default();
        fresh.record(SimDuration::from_millis(5), 3);
        for k in 0..=SPARSE_BUCKETS as u64 {
            fresh.record(SimDuration::from_micros(1000 + 10 * k), 1);
        }
        assert_eq!((l.percentiles(), l.mean()), (fresh.percentiles(), fresh.mean()));
    }

    proptest::proptest! {
        /// Absorbing a list merges it: the same figures, and the same switch to a histogram,
        /// as recording its buckets one by one into the receiving list (values below 20 ms,
        /// about 4,000 buckets: many shared, and lists on both sides of the switch).
        #[test]
        fn absorbing_a_list_is_recording_its_buckets(
            mine in proptest::collection::vec((1u64..20_000, 1u64..50), 0..600),
            // At most SPARSE_BUCKETS points: the absorbed one stays a list (a histogram is added whole).
            theirs in proptest::collection::vec((1u64..20_000, 1u64..50), 0..=SPARSE_BUCKETS),
        ) {
            let fill = |points: &[(u64, u64)]| {
                let mut l = Latencies::default();
                for &(micros, n) in points {
                    l.record(SimDuration::from_micros(micros), n);
                }
                l
            };
            let (mut merged, other) = (fill(&mine), fill(&theirs));
            proptest::prop_assert!(other.histogram.is_none());
            let mut one_by_one = merged.clone();
            merged.absorb(&other);
            for &(b, n) in &other.sparse {
                one_by_one.record_micros(b, n);
            }
            proptest::prop_assert_eq!(merged.histogram.is_some(), one_by_one.histogram.is_some());
            proptest::prop_assert_eq!(&merged.sparse, &one_by_one.sparse);
            proptest::prop_assert_eq!(merged.percentiles(), one_by_one.percentiles());
            proptest::prop_assert_eq!(merged.mean(), one_by_one.mean());
        }
    }
}
