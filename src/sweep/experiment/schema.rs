//! The experiment file as written: serde types, unknown fields are errors.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_yaml::{Mapping, Value};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawExperiment {
    /// The experiment's name (the key also tells an experiment file from a scenario).
    pub experiment: String,
    /// The base scenario: a path relative to this file, or the scenario itself, inline.
    pub base: Value,
    /// A count (seeds 1 to N) or a list of seeds (read in validation, which words its errors).
    #[serde(default)]
    pub seeds: Option<Value>,
    /// The variant the others are compared with (default: the first).
    #[serde(default)]
    pub baseline: Option<String>,
    /// Left out of every measure, e.g. `10m`.
    #[serde(default)]
    pub warm_up: Option<String>,
    /// Of the confidence intervals (default 0.95).
    #[serde(default)]
    pub confidence: Option<f64>,
    #[serde(default)]
    pub variants: Vec<RawVariant>,
    #[serde(default)]
    pub axes: Vec<RawAxis>,
    /// Service level objectives by service.
    #[serde(default)]
    pub slo: BTreeMap<String, RawSlo>,
    #[serde(default)]
    pub objective: Option<RawObjective>,
    #[serde(default)]
    pub over_time: Option<RawOverTime>,
    /// Wanted half-widths of the confidence intervals, by measure: a note says how many seeds
    /// would give them when the sweep's do not.
    #[serde(default)]
    pub half_width: BTreeMap<String, Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawVariant {
    pub name: String,
    /// Scenario path → new value (a scalar or a whole block).
    #[serde(default)]
    pub set: Mapping,
    /// Scenario paths to remove.
    #[serde(default)]
    pub unset: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAxis {
    pub name: String,
    /// One path and its values...
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default)]
    pub values: Option<Vec<Value>>,
    /// ...or named levels, each a set of overrides.
    #[serde(default)]
    pub levels: Option<Vec<RawVariant>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSlo {
    #[serde(default)]
    pub p99: Option<String>,
    /// `0.1%`.
    #[serde(default)]
    pub error_rate: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawObjective {
    pub minimize: String,
    /// Measure → `"<= 300ms"`.
    #[serde(default)]
    pub subject_to: BTreeMap<String, Value>,
    /// The latency measure of the Pareto front (default `p99`).
    #[serde(default)]
    pub against: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOverTime {
    /// A metrics.csv column.
    pub metric: String,
    #[serde(default)]
    pub service: Option<String>,
}
