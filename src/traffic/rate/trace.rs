//! Trace replay: a recorded series of counts or rates (a CloudWatch or ELB export) played back as
//! a piecewise-constant rate.
//!
//! Rules where CloudWatch is silent, chosen so that an export replays without editing:
//! - Each sample covers one `step` from its timestamp: a count becomes `count / step` requests per
//!   second over that step, so the integral of the rate equals the sum of the counts.
//! - A period without a row, or a row whose value cell is empty, is *missing*. CloudWatch writes
//!   no datapoint for a period in which a load balancer saw no request, so by default a missing
//!   period is 0 ([`Missing::Zero`]); [`Missing::Hold`] keeps the last known rate instead (for
//!   gauges with collection gaps), using the first known rate before any.
//! - Trace time 0 is the `start` timestamp when given, else the first sample; samples before
//!   `start` are skipped. Trace time 0 plays at simulated time `shift`; before it the rate is 0.
//! - The trace lasts from trace time 0 to the end of its last sample. Past it the rate is 0, or,
//!   with looping, the trace starts over (its length is the period).

use std::collections::BTreeMap;

use crate::engine::{SimDuration, SimTime};

/// One row of a trace file: its time in microseconds on the file's own clock (since the Unix epoch
/// for timestamps, or an offset) and its value, `None` for an empty cell.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sample {
    pub time: i64,
    pub value: Option<f64>,
}

/// What a trace's values are.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TraceValues {
    /// Requests per sample (CloudWatch's `Sum` of `RequestCount`).
    #[default]
    Count,
    /// Requests per second.
    Rate,
}

/// What a missing sample (an empty cell, or a period with no row) plays as.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Missing {
    #[default]
    Zero,
    Hold,
}

/// How to play samples back.
#[derive(Clone, Debug, PartialEq)]
pub struct TraceSpec {
    /// Trace time 0 on the file's clock; the first sample's time when `None`.
    pub start: Option<i64>,
    /// The period each sample covers.
    pub step: SimDuration,
    pub values: TraceValues,
    pub missing: Missing,
    /// Multiplies every rate.
    pub scale: f64,
    /// When trace time 0 plays.
    pub shift: SimDuration,
    pub looping: bool,
}

/// Why samples cannot be played back with a spec; indices are into the samples.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TraceError {
    Empty,
    ZeroStep,
    /// Sample `index + 1` is not after sample `index`.
    Unordered {
        index: usize,
    },
    /// Sample `index + 1` comes `gap` after sample `index`, before the step ends.
    StepTooLong {
        index: usize,
        gap: SimDuration,
    },
    /// `start` is at or after the end of the last sample.
    StartAfterEnd,
}

/// A piecewise-constant rate: `rates[i]` from `breaks[i]` until the next break (µs of trace time).
#[derive(Clone, Debug, PartialEq)]
pub struct Trace {
    breaks: Vec<u64>,
    rates: Vec<f64>,
    length: SimDuration,
    shift: SimDuration,
    looping: bool,
}

/// The sampling step of sorted samples: their most common gap (the smallest of equally common
/// ones), so that a few missing rows do not change it. `None` for fewer than two samples.
pub fn infer_step(samples: &[Sample]) -> Option<SimDuration> {
    let mut counts: BTreeMap<u64, usize> = BTreeMap::new();
    for pair in samples.windows(2) {
        let gap = pair[1].time.saturating_sub(pair[0].time);
        if let Ok(gap @ 1..) = u64::try_from(gap) {
            *counts.entry(gap).or_default() += 1;
        }
    }
    // Ascending gaps: `max_by_key` keeps the last maximum, so reverse to keep the smallest.
    counts.into_iter().rev().max_by_key(|(_, n)| *n).map(|(gap, _)| SimDuration::from_micros(gap))
}

impl Trace {
    /// Plays `samples` (strictly increasing in time) back as `spec` says.
    pub fn from_samples(samples: &[Sample], spec: &TraceSpec) -> Result<Trace, TraceError> {
        let (first, last) = match (samples.first(), samples.last()) {
            (Some(f), Some(l)) => (f.time, l.time),
            _ => return Err(TraceError::Empty),
        };
        if spec.step.is_zero() {
            return Err(TraceError::ZeroStep);
        }
        if let Some(index) = samples.windows(2).position(|w| w[1].time <= w[0].time) {
            return Err(TraceError::Unordered { index });
        }
        let step = i64::try_from(spec.step.as_micros()).unwrap_or(i64::MAX);
        let origin = spec.start.unwrap_or(first);
        let end = last.saturating_add(step).saturating_sub(origin);
        if end <= 0 {
            return Err(TraceError::StartAfterEnd);
        }
        let per_second = match spec.values {
            TraceValues::Count => 1.0 / spec.step.as_secs_f64(),
            TraceValues::Rate => 1.0,
        };
        let rate_of = |v: f64| v * per_second * spec.scale;
        // `Hold` before any known value uses the first known one.
        let mut known = samples.iter().find_map(|s| s.value).map_or(0.0, rate_of);
        let missing = |known: f64| match spec.missing {
            Missing::Zero => 0.0,
            Missing::Hold => known,
        };
        let mut segments = vec![(first.min(origin) - origin, missing(known))];
        for (i, s) in samples.iter().enumerate() {
            if let Some(v) = s.value {
                known = rate_of(v);
            }
            segments.push((s.time - origin, s.value.map_or(missing(known), rate_of)));
            let Some(next) = samples.get(i + 1) else { break };
            let gap = next.time - s.time;
            if gap < step {
                return Err(TraceError::StepTooLong { index: i, gap: SimDuration::from_micros(gap.unsigned_abs()) });
            }
            if gap > step {
                segments.push((s.time + step - origin, missing(known)));
            }
        }
        Ok(Trace::from_segments(&segments, end.unsigned_abs(), spec))
    }

    /// Keeps what starts at or after trace time 0, plus the segment that covers time 0.
    fn from_segments(segments: &[(i64, f64)], length: u64, spec: &TraceSpec) -> Trace {
        let covering = segments.iter().rposition(|(begin, _)| *begin <= 0).unwrap_or(0);
        let (breaks, rates) = segments[covering..]
            .iter()
            .map(|(begin, rate)| ((*begin).max(0).unsigned_abs(), *rate))
            .filter(|(begin, _)| *begin < length)
            .unzip();
        Trace { breaks, rates, length: SimDuration::from_micros(length), shift: spec.shift, looping: spec.looping }
    }

    /// Requests per second at simulated time `t`.
    pub fn at(&self, t: SimTime) -> f64 {
        let Some(since) = t.as_micros().checked_sub(self.shift.as_micros()) else { return 0.0 };
        let length = self.length.as_micros().max(1);
        let u = match (self.looping, since >= length) {
            (true, _) => since % length,
            (false, true) => return 0.0,
            (false, false) => since,
        };
        let i = self.breaks.partition_point(|b| *b <= u);
        i.checked_sub(1).map_or(0.0, |i| self.rates[i])
    }

    /// The highest rate the trace plays.
    pub fn max_rate(&self) -> f64 {
        self.rates.iter().copied().fold(0.0, f64::max)
    }

    /// Pushes the simulated instants in `(a, b)` (microseconds) where the played rate changes:
    /// the trace's start, its samples' boundaries and its end, on every pass when it loops.
    pub(super) fn breaks(&self, (a, b): (u64, u64), out: &mut Vec<u64>) {
        let shift = self.shift.as_micros();
        let length = self.length.as_micros().max(1);
        let mut pass = a.saturating_sub(shift) / length;
        loop {
            let base = shift.saturating_add(pass.saturating_mul(length));
            if base >= b {
                break;
            }
            super::integral::keep(out, (a, b), base);
            let from = self.breaks.partition_point(|x| base + x <= a);
            let to = self.breaks.partition_point(|x| base + x < b);
            for x in &self.breaks[from..to] {
                super::integral::keep(out, (a, b), base + x);
            }
            super::integral::keep(out, (a, b), base.saturating_add(length));
            if !self.looping || out.len() >= super::integral::MAX_BREAKS {
                break;
            }
            pass += 1;
        }
    }

    /// How long one pass of the trace lasts.
    pub fn length(&self) -> SimDuration {
        self.length
    }

    /// The trace's segments: (trace time of the start, requests per second).
    pub fn segments(&self) -> impl Iterator<Item = (SimDuration, f64)> + '_ {
        self.breaks.iter().zip(&self.rates).map(|(b, r)| (SimDuration::from_micros(*b), *r))
    }
}

#[cfg(test)]
#[path = "trace_tests.rs"]
mod tests;
