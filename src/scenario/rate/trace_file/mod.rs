//! Reading the files of `trace:` rates, so that a CloudWatch, ELB or public-dataset export replays
//! as it is.
//!
//! A trace file is read as a stream ([`stream`]): plain, or gzip, bzip2 or zstd compressed
//! (recognised by its first bytes), never held whole in memory. Its decompressed text is, by
//! content:
//! - JSON (first character `{`): the output of `aws cloudwatch get-metric-data` or
//!   `get-metric-statistics` ([`json`]);
//! - otherwise CSV ([`csv`]): with a header row, whose time and value columns are the first two
//!   unless named; without one (the first row parses as data), a time and a value column; or one
//!   number per line, sample `i` at `i × step` (the NASA-HTTP per-second format).
//!
//! Rows may come in any order (GetMetricData returns the newest first), so they are sorted by
//! time; two at the same time are an error. Times are read by [`time::parse_time`]. A value is a
//! number >= 0, or empty for a missing sample. Every problem names the file and its 1-based line
//! (or datapoint), the trace's YAML path and a hint; at most [`MAX_PROBLEMS`] per file.

mod csv;
mod json;
pub(crate) mod stream;
mod time;
mod zstd_frames;

use crate::scenario::path::Path;

use super::schema::{RawRate, RawTrace, TaggedRate, TraceLoad, TraceRows};
use crate::scenario::diagnostics::Diagnostic;
use crate::scenario::TraceFile;
use crate::traffic::rate::Sample;

pub(crate) use time::{is_calendar_time, parse_time, show_time, TIME_HINT};

/// More problems than this in one file are summed up in one line: the file is likely not a trace.
const MAX_PROBLEMS: usize = 10;
/// The most samples a trace keeps: a year and more at one a second (each costs 24 bytes here).
pub(crate) const MAX_SAMPLES: usize = 1 << 25;

/// Reads the file of every `trace:` in `raw` (relative to `base`, the scenario's directory) into
/// its node; `yaml_path` is where `raw` is in the scenario, e.g. `traffic[0].rate`. Every file
/// read is added to `files` (once per path).
pub(crate) fn load_traces(
    raw: &mut RawRate,
    yaml_path: &Path,
    base: &std::path::Path,
    problems: &mut Vec<Diagnostic>,
    files: &mut Vec<TraceFile>,
) {
    let RawRate::Tagged(tagged) = raw else { return };
    let mut nested = |rate: &mut RawRate, path: Path| load_traces(rate, &path, base, problems, files);
    match tagged.as_mut() {
        TaggedRate::Weekly(w) => {
            nested(&mut w.weekday, yaml_path.field("weekly").field("weekday"));
            nested(&mut w.weekend, yaml_path.field("weekly").field("weekend"));
        }
        TaggedRate::Noise(n) => nested(&mut n.of, yaml_path.field("noise").field("of")),
        TaggedRate::Clip(c) => nested(&mut c.of, yaml_path.field("clip").field("of")),
        TaggedRate::Sum(parts) => {
            for (i, part) in parts.iter_mut().enumerate() {
                nested(part, yaml_path.field("sum").index(i));
            }
        }
        TaggedRate::Product(parts) => {
            for (i, part) in parts.iter_mut().enumerate() {
                nested(part, yaml_path.field("product").index(i));
            }
        }
        TaggedRate::Trace(t) => load_one(t, &yaml_path.field("trace"), base, problems, files),
        TaggedRate::Constant(_)
        | TaggedRate::Step(_)
        | TaggedRate::Ramp(_)
        | TaggedRate::Spike(_)
        | TaggedRate::Diurnal(_) => {}
    }
}

fn load_one(
    trace: &mut RawTrace,
    path: &Path,
    base: &std::path::Path,
    problems: &mut Vec<Diagnostic>,
    files: &mut Vec<TraceFile>,
) {
    let resolved = base.join(&trace.file);
    let unreadable = |why: String, hint: &str| {
        let message = format!("cannot read `{}`: {why}", resolved.display());
        vec![diagnostic(None, &path.field("file"), None, message, hint)]
    };
    let result = match stream::open(&resolved) {
        Ok(mut opened) => {
            let parsed = parse_trace(&mut opened.text, &trace.file, trace, path);
            match (parsed, opened.finish()) {
                (Ok(rows), Ok(sha256)) => {
                    if !files.iter().any(|f| f.path == trace.file) {
                        files.push(TraceFile { path: trace.file.clone(), sha256 });
                    }
                    Ok(rows)
                }
                (Err(found), _) => Err(found),
                (Ok(_), Err(e)) => Err(unreadable(e.to_string(), "check that the file is whole")),
            }
        }
        Err(e) => {
            let hint = match e.hint {
                Some(hint) => hint,
                None if e.not_found => "trace paths are relative to the scenario file's directory",
                None => "check that the path names the trace's file",
            };
            Err(unreadable(e.why, hint))
        }
    };
    trace.loaded = match result {
        Ok(rows) => TraceLoad::Read(rows),
        Err(found) => {
            problems.extend(found);
            TraceLoad::Failed
        }
    };
}

/// Parses the decompressed text of `file` (named as the scenario writes it) as `trace` says;
/// `path` is the trace's place in the scenario.
pub(crate) fn parse_trace(
    text: &mut dyn std::io::BufRead,
    file: &str,
    trace: &RawTrace,
    path: &Path,
) -> Result<TraceRows, Vec<Diagnostic>> {
    let head = match text.fill_buf() {
        Ok(head) => head,
        Err(e) => return Err(vec![read_problem(file, path, None, &e)]),
    };
    let first = head.iter().copied().find(|b| !(b.is_ascii_whitespace() || matches!(b, 0xef | 0xbb | 0xbf)));
    if first == Some(b'{') {
        json::parse(text, file, trace, path)
    } else {
        csv::parse(text, file, trace, path)
    }
}

/// Samples found in a file: sorts them by time and reports two at the same time.
struct Found {
    samples: Vec<Sample>,
    /// `lines[i]` is where `samples[i]` is in the file.
    lines: Vec<usize>,
    problems: Vec<Diagnostic>,
    /// Problems beyond [`MAX_PROBLEMS`], counted only.
    more: usize,
}

impl Found {
    fn new() -> Found {
        Found { samples: Vec::new(), lines: Vec::new(), problems: Vec::new(), more: 0 }
    }

    fn problem(&mut self, d: Diagnostic) {
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(d);
        } else {
            self.more += 1;
        }
    }

    /// Keeps a sample; `false` (with a problem) when the file has more than [`MAX_SAMPLES`].
    fn sample(&mut self, sample: Sample, at: usize, file: &str, path: &Path, position: &str) -> bool {
        if self.samples.len() == MAX_SAMPLES {
            let message = format!("`{file}` has more than {MAX_SAMPLES} samples (at {position} {at})");
            let line = (position == "line").then_some(at);
            self.problem(diagnostic(Some(file), path, line, message, "resample the trace to a coarser period"));
            return false;
        }
        self.samples.push(sample);
        self.lines.push(at);
        true
    }

    /// Sorts by time, then by place in the file. Files in time order, or in reverse time order
    /// (GetMetricData, CloudWatch's console) are put in order in place: only the others pay for
    /// a sorted copy.
    fn sort(&mut self) {
        if self.samples.windows(2).all(|w| w[0].time <= w[1].time) {
            return;
        }
        if self.samples.windows(2).all(|w| w[0].time > w[1].time) {
            self.samples.reverse();
            self.lines.reverse();
            return;
        }
        let mut rows: Vec<(Sample, usize)> = self.samples.drain(..).zip(self.lines.drain(..)).collect();
        rows.sort_by_key(|(sample, at)| (sample.time, *at));
        (self.samples, self.lines) = rows.into_iter().unzip();
    }

    /// The trace's rows, or every problem (`position` is `line` or `datapoint`).
    fn finish(
        mut self,
        file: &str,
        path: &Path,
        position: &'static str,
        hint: &str,
    ) -> Result<TraceRows, Vec<Diagnostic>> {
        if self.samples.is_empty() && self.problems.is_empty() {
            let message = format!("`{file}` has no samples");
            return Err(vec![diagnostic(Some(file), path, Some(1), message, hint)]);
        }
        self.sort();
        let mut same = Vec::new();
        for (i, pair) in self.samples.windows(2).enumerate() {
            if pair[0].time == pair[1].time {
                let (first, second) = (self.lines[i], self.lines[i + 1]);
                let (line, message) = match position {
                    "line" => (Some(second), format!("the same time as line {first}")),
                    _ => (None, format!("{position} {second} has the same time as {position} {first}")),
                };
                same.push(diagnostic(Some(file), path, line, message, "remove one of the two"));
            }
        }
        for d in same {
            self.problem(d);
        }
        if self.problems.is_empty() {
            let (samples, lines) = (self.samples, self.lines);
            return Ok(TraceRows { file: file.to_string(), samples, lines, position });
        }
        if self.more > 0 {
            let message = format!("and {} more problem(s) in `{file}`", self.more);
            self.problems.push(diagnostic(
                Some(file),
                path,
                None,
                message,
                "check that this is the right file and columns",
            ));
        }
        Err(self.problems)
    }
}

/// A value: a number >= 0, or `None` for an empty cell.
fn value(cell: &str, column: &str) -> Result<Option<f64>, (String, &'static str)> {
    if cell.is_empty() {
        return Ok(None);
    }
    match cell.parse::<f64>() {
        Ok(n) if n.is_finite() && n >= 0.0 => Ok(Some(n)),
        _ => {
            let message = format!("`{}` in {column} is not a number >= 0", crate::scenario::diagnostics::shown(cell));
            Err((message, "write a count or rate such as `1250` or `20.5`, or leave the cell empty"))
        }
    }
}

/// A failed read of the stream: a broken compressed file, or an I/O error.
fn read_problem(file: &str, path: &Path, line: Option<usize>, e: &std::io::Error) -> Diagnostic {
    let message = match e.kind() {
        std::io::ErrorKind::InvalidData | std::io::ErrorKind::UnexpectedEof => format!("`{file}` is damaged: {e}"),
        _ => format!("cannot read `{file}`: {e}"),
    };
    diagnostic(
        Some(file),
        path,
        line,
        message,
        "check that the file is whole (a compressed file cut short cannot be read)",
    )
}

fn diagnostic(file: Option<&str>, path: &Path, line: Option<usize>, message: String, hint: &str) -> Diagnostic {
    Diagnostic { file: file.map(str::to_string), path: path.to_string(), line, message, hint: Some(hint.to_string()) }
}

#[cfg(test)]
mod format_tests;
#[cfg(test)]
mod tests;
