//! Experiment files: a base scenario, variants of it (listed, or the cartesian product of
//! `axes`), seeds, SLOs, an objective. [`load`] checks everything at once, every variant as a
//! full scenario, before anything runs; problems read `file:line: path: message` with a hint,
//! like a scenario's.
//!
//! Reads the experiment file and its base scenario (the only input I/O outside `scenario`).

mod schema;
mod validate;

use std::fmt;
use std::path::{Path, PathBuf};

use crate::engine::SimDuration;
use crate::scenario::{Override, Scenario, ScenarioError};

use super::measures::{MeasureSpec, Slo};

pub use validate::{from_str, parse_constraint};

/// A validated experiment, ready to run.
pub struct Experiment {
    pub name: String,
    /// The experiment file as given, and its bytes.
    pub file: String,
    pub bytes: Vec<u8>,
    /// The base scenario's file (the experiment's own when inline) and its bytes.
    pub base_file: String,
    pub base_bytes: Vec<u8>,
    pub seeds: Vec<u64>,
    pub variants: Vec<Variant>,
    /// Index of the variant the others are compared with.
    pub baseline: usize,
    /// Of every confidence interval, e.g. 0.95.
    pub confidence: f64,
    pub warm_up: SimDuration,
    pub slos: Vec<Slo>,
    pub objective: Option<Objective>,
    /// Wanted confidence-interval half-widths: (measure index, half-width in its unit).
    pub half_widths: Vec<(usize, f64)>,
    /// The metrics.csv column followed over time, and the service it is read from.
    pub over_time: Option<(String, String)>,
}

/// One variant: its name, the overrides that make it (as written), its validated scenario and
/// what its runs measure.
pub struct Variant {
    pub name: String,
    pub overrides: Vec<Override>,
    pub scenario: Scenario,
    pub spec: MeasureSpec,
}

/// `minimize` a measure `subject_to` constraints; `against` is the latency measure of the Pareto
/// front.
#[derive(Clone, Debug, PartialEq)]
pub struct Objective {
    pub minimize: usize,
    pub constraints: Vec<Constraint>,
    pub against: usize,
}

/// A bound on a measure's mean, e.g. `p99 <= 0.3`.
#[derive(Clone, Debug, PartialEq)]
pub struct Constraint {
    pub measure: usize,
    pub at_most: bool,
    pub strict: bool,
    pub bound: f64,
    /// As written, for tables (`<= 300ms`).
    pub text: String,
}

impl Constraint {
    /// Whether `x` meets the bound.
    pub fn holds(&self, x: f64) -> bool {
        match (self.at_most, self.strict) {
            (true, false) => x <= self.bound,
            (true, true) => x < self.bound,
            (false, false) => x >= self.bound,
            (false, true) => x > self.bound,
        }
    }
}

/// The folder a variant's runs go to with `--keep-runs`: letters, digits, `.`, `-` and `_` kept,
/// anything else `_`, and no leading `.` (so no name is `.`, `..` or hidden). Validation refuses
/// two variants with one folder name.
pub fn folder_name(variant: &str) -> String {
    let mut name: String = variant
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' })
        .collect();
    if name.starts_with('.') {
        name.replace_range(..1, "_");
    }
    name
}

/// Why an experiment could not be loaded.
#[derive(Debug)]
pub enum ExperimentError {
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// Every problem found, by file: the experiment's, the base's, each variant's.
    Invalid(Vec<(String, ScenarioError)>),
}

impl ExperimentError {
    pub fn problems(&self) -> usize {
        match self {
            ExperimentError::Io { .. } => 1,
            ExperimentError::Invalid(all) => all.iter().map(|(_, e)| e.diagnostics.len()).sum(),
        }
    }
}

impl fmt::Display for ExperimentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExperimentError::Io { path, source } => write!(f, "cannot read {}: {source}", path.display()),
            ExperimentError::Invalid(all) => {
                for (i, (context, e)) in all.iter().enumerate() {
                    if i > 0 {
                        writeln!(f)?;
                    }
                    if !context.is_empty() {
                        writeln!(f, "{context}:")?;
                    }
                    write!(f, "{e}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for ExperimentError {}

/// Reads and validates the experiment at `path`.
pub fn load(path: &Path) -> Result<Experiment, ExperimentError> {
    let bytes = std::fs::read(path).map_err(|source| ExperimentError::Io { path: path.to_path_buf(), source })?;
    let file = path.display().to_string();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let read_base = |relative: &str| -> Result<(String, Vec<u8>), String> {
        let full = path.parent().unwrap_or(Path::new("")).join(relative);
        std::fs::read(&full).map(|b| (full.display().to_string(), b)).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => format!("cannot read `{}`: no such file", full.display()),
            _ => format!("cannot read `{}`: {e}", full.display()),
        })
    };
    from_str(&text, &file, &read_base).map(|mut e| {
        e.bytes = bytes;
        e
    })
}
