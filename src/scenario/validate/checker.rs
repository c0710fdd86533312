//! The diagnostics collector, and the parsing of values every part of a scenario uses.

use crate::engine::{Calendar, DurationDist, SimDuration};
use crate::scenario::diagnostics::Diagnostic;
use crate::scenario::path::Path;
use crate::scenario::values::{RawDistribution, Scalar, TaggedDistribution};

const DURATION_HINT: &str = "write a number with a unit: `250ms`, `90s`, `5m`, `2h` or `1h30m`";

/// Collects every problem found; each check returns `None` where it reported one.
#[derive(Default)]
pub struct Checker {
    diagnostics: Vec<Diagnostic>,
    /// The scenario's own instance types (`instance_types:`), checked first of all, by name.
    pub defined_instance_types: std::collections::BTreeMap<String, &'static crate::catalog::InstanceType>,
    /// Names the scenario defines under `instance_types:` badly (already reported there), so a use
    /// of one is not reported again as unknown.
    pub rejected_instance_types: std::collections::BTreeSet<String>,
    /// Notes for the run that are not problems, each `path: message`.
    notes: Vec<String>,
    /// The run's duration once it is known (checks of what plays during the run use it).
    pub run_end: Option<SimDuration>,
    /// The run's calendar (`start_time:`), read before the checks that need dates.
    pub calendar: Calendar,
}

impl Checker {
    /// Something the run should say without failing, e.g. that a trace is cut at the run's end.
    pub fn note(&mut self, path: &Path, message: &str) {
        self.notes.push(format!("{path}: {message}"));
    }

    pub fn take_notes(&mut self) -> Vec<String> {
        std::mem::take(&mut self.notes)
    }

    /// An instance type by name: the catalog's, else one the scenario defines.
    pub fn instance_type(&self, name: &str) -> Option<&'static crate::catalog::InstanceType> {
        crate::catalog::instance_type(name).or_else(|| self.defined_instance_types.get(name).copied())
    }

    pub fn error(&mut self, path: &Path, message: &str, hint: Option<&str>) {
        self.diagnostics.push(Diagnostic {
            file: None,
            path: path.to_string(),
            line: None,
            message: message.to_string(),
            hint: hint.map(str::to_string),
        });
    }

    /// How many problems were found so far (to tell whether a group of checks passed).
    pub fn error_count(&self) -> usize {
        self.diagnostics.len()
    }

    pub fn into_result(self) -> Result<(), Vec<Diagnostic>> {
        if self.diagnostics.is_empty() {
            Ok(())
        } else {
            Err(self.diagnostics)
        }
    }

    /// A duration such as `250ms`, `90s`, `5m`, `2h`, `1h 30m`.
    pub fn duration(&mut self, path: &Path, raw: &Scalar) -> Option<SimDuration> {
        let text = raw.0.trim();
        if is_months_shorthand(text) {
            let minutes = text.replace('M', "m");
            let hint = format!("write `{minutes}` for minutes, or the months out (`30 months`)");
            self.error(path, &format!("`{text}` is months (`M`), almost never meant"), Some(&hint));
            return None;
        }
        if text.parse::<f64>().is_ok() {
            self.error(path, &format!("`{text}` has no unit"), Some(&format!("{DURATION_HINT}, e.g. `{text}s`")));
            return None;
        }
        match humantime::parse_duration(text) {
            Ok(d) => Some(d.into()),
            Err(e) => {
                let why = match e {
                    humantime::DurationError::UnknownUnit { unit, .. } => format!("unknown unit `{unit}`"),
                    humantime::DurationError::NumberOverflow => "too large".to_string(),
                    _ => "expected a number followed by a unit".to_string(),
                };
                self.error(path, &format!("`{text}` is not a duration: {why}"), Some(DURATION_HINT));
                None
            }
        }
    }

    /// A duration of at least `min`: below it the run would be events or rows without end
    /// (`what` says why it matters).
    pub fn at_least(&mut self, path: &Path, d: SimDuration, min: SimDuration, what: &str) -> bool {
        if d < min {
            let shown = if d < SimDuration::from_millis(1) { format!("{}µs", d.as_micros()) } else { d.to_string() };
            let message = format!("{shown} is below ecsim's minimum of {min}: {what}");
            self.error(path, &message, Some(&format!("e.g. `{min}`")));
        }
        d >= min
    }

    /// Reports a zero duration where only a positive one makes sense.
    pub fn positive(&mut self, path: &Path, d: SimDuration) -> bool {
        if d.is_zero() {
            self.error(path, "must be greater than 0s", None);
        }
        !d.is_zero()
    }

    /// A random duration: a constant or one of the named distributions.
    pub fn distribution(&mut self, path: &Path, raw: &RawDistribution) -> Option<DurationDist> {
        let built = match raw {
            RawDistribution::Constant(v) => return self.duration(path, v).map(DurationDist::constant),
            RawDistribution::Tagged(TaggedDistribution::Constant(v)) => {
                return self.duration(&path.field("constant"), v).map(DurationDist::constant)
            }
            RawDistribution::Tagged(TaggedDistribution::Uniform { min, max }) => {
                let min = self.duration(&path.field("uniform").field("min"), min);
                let max = self.duration(&path.field("uniform").field("max"), max);
                DurationDist::uniform(min?, max?)
            }
            RawDistribution::Tagged(TaggedDistribution::Exponential { mean }) => {
                DurationDist::exponential(self.duration(&path.field("exponential").field("mean"), mean)?)
            }
            RawDistribution::Tagged(TaggedDistribution::Normal { mean, std_dev }) => {
                let mean = self.duration(&path.field("normal").field("mean"), mean);
                let std_dev = self.duration(&path.field("normal").field("std_dev"), std_dev);
                DurationDist::normal(mean?, std_dev?)
            }
            RawDistribution::Tagged(TaggedDistribution::Lognormal { median, sigma }) => {
                DurationDist::lognormal(self.duration(&path.field("lognormal").field("median"), median)?, *sigma)
            }
        };
        built.map_err(|e| self.error(path, &e.0, None)).ok()
    }

    /// An integer within `[min, max]`, e.g. a count that must not be negative.
    pub fn int_in(&mut self, path: &Path, value: i64, min: i64, max: i64) -> Option<u32> {
        if value < min || value > max {
            let range =
                if max >= i64::from(u32::MAX) { format!(">= {min}") } else { format!("between {min} and {max}") };
            self.error(path, &format!("{value} is out of range: must be {range}"), None);
            return None;
        }
        u32::try_from(value).ok()
    }

    /// A non-negative count.
    pub fn count(&mut self, path: &Path, value: i64) -> Option<u32> {
        self.int_in(path, value, 0, i64::from(u32::MAX))
    }
}

/// `30M`: humantime reads a capital `M` as months.
fn is_months_shorthand(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.iter().enumerate().any(|(i, b)| {
        *b == b'M'
            && i > 0
            && (bytes[i - 1].is_ascii_digit() || bytes[i - 1] == b' ')
            && bytes.get(i + 1).is_none_or(|n| !n.is_ascii_alphabetic())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scalar(s: &str) -> Scalar {
        Scalar(s.to_string())
    }

    #[test]
    fn durations_read_human_units() {
        let mut c = Checker::default();
        assert_eq!(c.duration(&Path::root("d"), &scalar("250ms")), Some(SimDuration::from_millis(250)));
        assert_eq!(c.duration(&Path::root("d"), &scalar("5m")), Some(SimDuration::from_mins(5)));
        assert_eq!(c.duration(&Path::root("d"), &scalar("1h 30m")), Some(SimDuration::from_mins(90)));
        assert!(c.into_result().is_ok());
    }

    #[test]
    fn a_bare_number_or_garbage_is_an_error_with_a_hint() {
        let mut c = Checker::default();
        assert_eq!(c.duration(&Path::root("a"), &scalar("30")), None);
        assert_eq!(c.duration(&Path::root("b"), &scalar("ten minutes")), None);
        let diags = c.into_result().unwrap_err();
        assert_eq!(diags[0].message, "`30` has no unit");
        assert!(diags[0].hint.as_deref().unwrap().contains("`30s`"));
        assert_eq!(diags[1].message, "`ten minutes` is not a duration: expected a number followed by a unit");
    }

    #[test]
    fn counts_reject_negatives() {
        let mut c = Checker::default();
        assert_eq!(c.count(&Path::root("n"), -1), None);
        assert_eq!(c.count(&Path::root("n"), 3), Some(3));
        assert_eq!(c.into_result().unwrap_err()[0].message, "-1 is out of range: must be >= 0");
    }
}
