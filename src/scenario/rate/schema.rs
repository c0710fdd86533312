//! `rate:` as written: a number (requests per second) or one tagged pattern, which may nest other
//! rates. Numbers stay signed floats here so that validation can say what is wrong with them;
//! durations stay text for [`Checker::duration`](super::validate).

use std::fmt;

use serde::de::{self, value::MapAccessDeserializer, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

use crate::scenario::values::Scalar;
use crate::traffic::rate::{Missing, Sample, TraceValues, Weekday};

/// A rate: `200`, or `{ diurnal: { low: 200, high: 1500, peak_at: 14h } }` and the like.
#[derive(Debug)]
pub(crate) enum RawRate {
    Number(f64),
    Tagged(Box<TaggedRate>),
}

/// The patterns a rate can name. Every nested rate may again be a number or a pattern.
#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub(crate) enum TaggedRate {
    Constant(f64),
    Step(RawStep),
    Ramp(RawRamp),
    Spike(RawSpike),
    Diurnal(RawDiurnal),
    Weekly(RawWeekly),
    Noise(RawNoise),
    Sum(Vec<RawRate>),
    Product(Vec<RawRate>),
    Clip(RawClip),
    Trace(RawTrace),
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawStep {
    pub before: f64,
    pub after: f64,
    pub at: Scalar,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRamp {
    pub from: f64,
    pub to: f64,
    pub start: Scalar,
    pub end: Scalar,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSpike {
    pub base: f64,
    pub peak: f64,
    pub at: Scalar,
    /// Defaults to `0s` (a jump).
    pub rise: Option<Scalar>,
    /// Defaults to `0s`.
    pub hold: Option<Scalar>,
    /// Defaults to `0s` (a drop).
    pub fall: Option<Scalar>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawDiurnal {
    pub low: f64,
    pub high: f64,
    /// Time of day of the peak, e.g. `14h` or `13h30m`.
    pub peak_at: Scalar,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawWeekly {
    pub weekday: RawRate,
    pub weekend: RawRate,
    /// The day of the week simulated time 0 falls on; Monday by default, `start_time:`'s day with one
    /// (a different one is an error).
    pub first_day: Option<Weekday>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawNoise {
    pub of: RawRate,
    /// Standard deviation as a fraction of `of`, e.g. `0.1`.
    pub relative: f64,
    /// How long one random factor lasts; `1m` (CloudWatch's period) by default.
    pub every: Option<Scalar>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawClip {
    pub of: RawRate,
    /// Defaults to 0.
    pub min: Option<f64>,
    /// No upper limit by default.
    pub max: Option<f64>,
}

/// `trace:` — replay of a CSV or CloudWatch JSON file, maybe compressed (see `trace_file`).
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTrace {
    /// Relative to the scenario file's directory.
    pub file: String,
    /// Header of the timestamp column; the first column by default.
    pub time_column: Option<String>,
    /// Header of the value column; the second column by default.
    pub value_column: Option<String>,
    /// The GetMetricData result to play (its `Id`) when the file has several.
    pub id: Option<String>,
    /// The GetMetricStatistics statistic to play (`Sum`, `Average`, `p99`...) when the file has several.
    pub statistic: Option<String>,
    /// `count` (per sample) or `rate` (per second). `count` by default for a traffic source's
    /// rate, `rate` for a `load:` or a custom metric (a CPU % or a queue depth is not a count).
    pub values: Option<TraceValues>,
    /// The period each sample covers; the most common gap between timestamps by default. A file of
    /// one number per line needs it: sample `i` is at `i × step`.
    pub step: Option<Scalar>,
    /// A timestamp (or offset) of the file that becomes trace time 0; its first sample by default.
    pub start: Option<Scalar>,
    /// Multiplies every rate; 1 by default.
    pub scale: Option<f64>,
    /// Simulated time at which trace time 0 plays; `0s` by default.
    pub shift: Option<Scalar>,
    /// Start over at the end; `false` by default.
    #[serde(rename = "loop")]
    pub looping: Option<bool>,
    /// `zero` (the default) or `hold`.
    pub missing: Option<Missing>,
    /// The file's rows, filled by `trace_file::load_traces` before validation.
    #[serde(skip)]
    pub loaded: TraceLoad,
}

/// What reading a trace's file gave.
#[derive(Debug, Default)]
pub(crate) enum TraceLoad {
    /// `load_traces` did not run (a bug in the caller; validation says so).
    #[default]
    NotRead,
    /// Reading or parsing failed, and `load_traces` reported why.
    Failed,
    Read(TraceRows),
}

/// A trace file's samples, sorted by time, with where each came from.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct TraceRows {
    /// The file as the scenario writes it.
    pub file: String,
    pub samples: Vec<Sample>,
    /// `lines[i]` is the 1-based line (CSV) or datapoint (JSON) of `samples[i]`.
    pub lines: Vec<usize>,
    /// What `lines` count: `line` or `datapoint`.
    pub position: &'static str,
}

struct RateVisitor;

impl<'de> Visitor<'de> for RateVisitor {
    type Value = RawRate;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(
            "requests per second such as `200`, or a pattern such as `{ diurnal: { low: 200, high: 1500, peak_at: 14h } }`",
        )
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawRate, E> {
        Ok(RawRate::Number(v as f64))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawRate, E> {
        Ok(RawRate::Number(v as f64))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<RawRate, E> {
        Ok(RawRate::Number(v))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawRate, A::Error> {
        TaggedRate::deserialize(MapAccessDeserializer::new(map)).map(|t| RawRate::Tagged(Box::new(t)))
    }
}

impl Serialize for RawRate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            RawRate::Number(v) => s.serialize_f64(*v),
            RawRate::Tagged(t) => t.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for RawRate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(RateVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(yaml: &str) -> Result<RawRate, String> {
        serde_yaml::from_str(yaml).map_err(|e| e.to_string())
    }

    #[test]
    fn a_number_is_a_constant_and_patterns_nest() {
        assert!(matches!(parse("200").unwrap(), RawRate::Number(v) if v == 200.0));
        assert!(matches!(parse("12.5").unwrap(), RawRate::Number(v) if v == 12.5));
        let nested = parse("{ sum: [ 100, { clip: { of: { noise: { of: 50, relative: 0.1 } }, max: 80 } } ] }");
        let Ok(RawRate::Tagged(tagged)) = nested else { panic!("{nested:?}") };
        assert!(matches!(*tagged, TaggedRate::Sum(ref parts) if parts.len() == 2));
    }

    #[test]
    fn a_trace_reads_its_options() {
        let yaml = "{ trace: { file: t.csv, time_column: Timestamp, value_column: Sum, values: count, step: 1m,
                   scale: 1.5, shift: 2h, loop: true, missing: hold } }";
        let Ok(RawRate::Tagged(tagged)) = parse(yaml) else { panic!() };
        let TaggedRate::Trace(t) = *tagged else { panic!() };
        assert_eq!((t.file.as_str(), t.looping, t.scale), ("t.csv", Some(true), Some(1.5)));
        assert!(matches!(t.loaded, TraceLoad::NotRead));
    }

    #[test]
    fn unknown_fields_and_patterns_are_errors() {
        assert!(parse("{ ramp: { from: 1, to: 2, start: 1h, end: 2h, slope: 3 } }").unwrap_err().contains("slope"));
        assert!(parse("{ sawtooth: { low: 1 } }").unwrap_err().contains("unknown variant `sawtooth`"));
        assert!(parse("fast").unwrap_err().contains("requests per second"));
    }
}
