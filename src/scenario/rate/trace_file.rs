//! Reading the CSV files of `trace:` rates, so that a CloudWatch or ELB export replays as it is.
//!
//! A trace file has a header row, a time column and a value column (the first two columns unless
//! named); other columns are ignored, fields may be quoted and rows may be in any order (CloudWatch's
//! GetMetricData returns the newest first), so they are sorted by time. A time cell is one of:
//! - a timestamp, `2024-03-05 14:00:00` or ISO 8601 `2024-03-05T14:00:00Z`, with optional
//!   fractional seconds, `Z`, ` UTC` or an offset such as `+01:00`; converted to UTC, so a file
//!   that crosses a daylight-saving change stays evenly spaced. Without an offset a timestamp is
//!   read as UTC. Minutes-only (`2024-03-05 14:00`) and date-only (`2024-03-05`) forms are
//!   accepted for hourly and daily exports;
//! - a number of seconds (Unix time, or an offset from any origin);
//! - a duration offset such as `90s` or `1h30m`.
//!
//! A value cell is a number >= 0, or empty for a missing sample. Every problem names the file and
//! its 1-based line.

use crate::scenario::path::Path;
use std::time::UNIX_EPOCH;

use super::schema::{RawRate, RawTrace, TaggedRate, TraceLoad, TraceRows};
use crate::scenario::companion;
use crate::scenario::diagnostics::{shown, suggestion, Diagnostic};
use crate::traffic::rate::Sample;

pub(crate) const TIME_HINT: &str = "write a timestamp (`2024-03-05 14:00:00`, `2024-03-05T14:00:00Z`, \
                         `2024-03-05T14:00:00+01:00`), seconds (`3600`) or a duration (`1h`)";
/// More problems than this in one file are summed up in one line: the file is likely not a trace.
const MAX_PROBLEMS: usize = 10;

/// Reads the file of every `trace:` in `raw` (relative to `base`, the scenario's directory) into
/// its node; `yaml_path` is where `raw` is in the scenario, e.g. `traffic[0].rate`.
pub(crate) fn load_traces(raw: &mut RawRate, yaml_path: &Path, base: &std::path::Path, problems: &mut Vec<Diagnostic>) {
    let RawRate::Tagged(tagged) = raw else { return };
    match tagged.as_mut() {
        TaggedRate::Weekly(w) => {
            load_traces(&mut w.weekday, &yaml_path.field("weekly").field("weekday"), base, problems);
            load_traces(&mut w.weekend, &yaml_path.field("weekly").field("weekend"), base, problems);
        }
        TaggedRate::Noise(n) => load_traces(&mut n.of, &yaml_path.field("noise").field("of"), base, problems),
        TaggedRate::Clip(c) => load_traces(&mut c.of, &yaml_path.field("clip").field("of"), base, problems),
        TaggedRate::Sum(parts) => load_all(parts, &yaml_path.field("sum"), base, problems),
        TaggedRate::Product(parts) => load_all(parts, &yaml_path.field("product"), base, problems),
        TaggedRate::Trace(t) => load_one(t, &yaml_path.field("trace"), base, problems),
        TaggedRate::Constant(_)
        | TaggedRate::Step(_)
        | TaggedRate::Ramp(_)
        | TaggedRate::Spike(_)
        | TaggedRate::Diurnal(_) => {}
    }
}

fn load_all(parts: &mut [RawRate], path: &Path, base: &std::path::Path, problems: &mut Vec<Diagnostic>) {
    for (i, part) in parts.iter_mut().enumerate() {
        load_traces(part, &path.index(i), base, problems);
    }
}

fn load_one(trace: &mut RawTrace, path: &Path, base: &std::path::Path, problems: &mut Vec<Diagnostic>) {
    let resolved = base.join(&trace.file);
    let result = match companion::read_text(&resolved) {
        Ok(text) => parse_trace(&text, &trace.file, trace, path),
        Err(e) => {
            let hint = match e.hint {
                Some(hint) => hint,
                None if e.not_found => "trace paths are relative to the scenario file's directory",
                None => "check that the path names the trace's CSV file",
            };
            let message = format!("cannot read `{}`: {}", resolved.display(), e.why);
            Err(vec![diagnostic(None, &path.field("file"), None, message, hint)])
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

/// Parses the CSV `text` of `file` (named as the scenario writes it) with the columns `trace`
/// selects; `path` is the trace's place in the scenario, for problems with the column names.
pub(crate) fn parse_trace(text: &str, file: &str, trace: &RawTrace, path: &Path) -> Result<TraceRows, Vec<Diagnostic>> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(text.as_bytes());
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|h| h.trim_start_matches('\u{feff}').to_string()).collect(),
        Err(e) => return Err(vec![csv_problem(file, path, &e)]),
    };
    let time = column(&headers, trace.time_column.as_deref(), 0, file, &path.field("time_column"));
    let value = column(&headers, trace.value_column.as_deref(), 1, file, &path.field("value_column"));
    let (time, value) = match (time, value) {
        (Ok(t), Ok(v)) => (t, v),
        (t, v) => return Err(t.err().into_iter().chain(v.err()).collect()),
    };
    let names = (headers[time].as_str(), headers[value].as_str());
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for record in reader.records() {
        match record {
            Ok(r) if r.len() != headers.len() => {
                let line = r.position().map_or(0, |p| p.line() as usize);
                let message = format!("this row has {} cell(s); the header row has {}", r.len(), headers.len());
                problems.push(diagnostic(Some(file), path, Some(line), message, "every row needs one cell per column"));
            }
            Ok(r) => {
                let line = r.position().map_or(0, |p| p.line() as usize);
                match row(r.get(time), r.get(value), names) {
                    Ok(sample) => rows.push((sample, line)),
                    Err((message, hint)) => problems.push(diagnostic(Some(file), path, Some(line), message, hint)),
                }
            }
            Err(e) => problems.push(csv_problem(file, path, &e)),
        }
    }
    if rows.is_empty() && problems.is_empty() {
        let message = format!("`{file}` has no samples");
        return Err(vec![diagnostic(Some(file), path, Some(1), message, "add rows below the header row")]);
    }
    rows.sort_by_key(|(sample, line)| (sample.time, *line));
    for pair in rows.windows(2) {
        if pair[0].0.time == pair[1].0.time {
            let message = format!("the same time as line {}", pair[0].1);
            problems.push(diagnostic(Some(file), path, Some(pair[1].1), message, "remove one of the two rows"));
        }
    }
    if problems.is_empty() {
        let (samples, lines) = rows.into_iter().unzip();
        return Ok(TraceRows { file: file.to_string(), samples, lines });
    }
    Err(capped(problems, file, path))
}

/// The index of the column `name` (or of column `default` when the scenario names none).
fn column(
    headers: &[String],
    name: Option<&str>,
    default: usize,
    file: &str,
    path: &Path,
) -> Result<usize, Diagnostic> {
    let Some(name) = name else {
        return if default < headers.len() {
            Ok(default)
        } else {
            let message = format!("`{file}` has {} column(s); a trace needs a time and a value", headers.len());
            let hint = "the header row should name at least two columns, e.g. `Timestamp,Sum`";
            Err(diagnostic(Some(file), path, Some(1), message, hint))
        };
    };
    headers.iter().position(|h| h == name).ok_or_else(|| {
        let message = format!("`{file}` has no column `{}`", shown(name));
        // Only names that look like column names are offered: the first line of a file that is
        // not a trace at all must not be quoted back.
        let names = headers.iter().map(String::as_str).filter(|h| looks_like_a_name(h));
        let hint = match names.clone().count() {
            0 => "the file's first line names no columns: is it a CSV file with a header row?".to_string(),
            _ => suggestion(name, names),
        };
        diagnostic(None, path, None, message, &hint)
    })
}

/// A header cell short and plain enough to be a column's name (`Timestamp`, `Sum`, `2xx count`).
fn looks_like_a_name(header: &str) -> bool {
    (1..=64).contains(&header.len())
        && header.chars().all(|c| c.is_alphanumeric() || matches!(c, ' ' | '_' | '-' | '.' | '(' | ')' | '/' | '%'))
}

/// One data row's sample, or what is wrong with it.
fn row(
    time: Option<&str>,
    value: Option<&str>,
    (time_name, value_name): (&str, &str),
) -> Result<Sample, (String, &'static str)> {
    let time = match time.filter(|t| !t.is_empty()) {
        None => return Err((format!("no time in column `{time_name}`"), "every row needs a time")),
        Some(t) => {
            parse_time(t).ok_or_else(|| (format!("`{}` in column `{time_name}` is not a time", shown(t)), TIME_HINT))?
        }
    };
    let value = match value.filter(|v| !v.is_empty()) {
        None => None,
        Some(v) => match v.parse::<f64>() {
            Ok(n) if n.is_finite() && n >= 0.0 => Some(n),
            _ => {
                let message = format!("`{}` in column `{value_name}` is not a number >= 0", shown(v));
                return Err((message, "write a count or rate such as `1250` or `20.5`, or leave the cell empty"));
            }
        },
    };
    Ok(Sample { time, value })
}

/// A time cell in microseconds (see the module documentation for the forms).
pub(crate) fn parse_time(text: &str) -> Option<i64> {
    let text = text.trim();
    if let Ok(seconds) = text.parse::<f64>() {
        let us = (seconds * 1e6).round();
        return (us.is_finite() && us.abs() < 9e18).then_some(us as i64);
    }
    parse_timestamp(text).or_else(|| {
        let d = humantime::parse_duration(text).ok()?;
        i64::try_from(d.as_micros()).ok()
    })
}

/// An RFC 3339-like timestamp in microseconds since the Unix epoch, UTC.
fn parse_timestamp(text: &str) -> Option<i64> {
    let (local, offset_secs) = split_offset(text)?;
    let full = match local.len() {
        10 => format!("{local} 00:00:00"),
        16 => format!("{local}:00"),
        _ => local.to_string(),
    };
    let utc = humantime::parse_rfc3339_weak(&full).ok()?.duration_since(UNIX_EPOCH).ok()?;
    i64::try_from(utc.as_micros()).ok()?.checked_sub(offset_secs * 1_000_000)
}

/// Splits a trailing `Z`, ` UTC` or `±HH:MM` / `±HHMM` / `±HH` offset from a timestamp
/// (humantime reads UTC only), giving the offset in seconds east of UTC.
fn split_offset(text: &str) -> Option<(&str, i64)> {
    if let Some(local) = text.strip_suffix('Z').or_else(|| text.strip_suffix('z')).or_else(|| text.strip_suffix(" UTC"))
    {
        return Some((local, 0));
    }
    // The date has dashes too: only look for a sign in the time of day.
    let Some(sign_at) = text.get(11..).and_then(|time| time.rfind(['+', '-'])).map(|i| i + 11) else {
        return Some((text, 0));
    };
    let digits: String = text[sign_at + 1..].chars().filter(|c| *c != ':').collect();
    if !digits.chars().all(|c| c.is_ascii_digit()) || !matches!(digits.len(), 2 | 4) {
        return None;
    }
    let hours: i64 = digits[..2].parse().ok()?;
    let minutes: i64 = digits.get(2..).filter(|m| !m.is_empty()).map_or(Some(0), |m| m.parse().ok())?;
    let sign = if text[sign_at..].starts_with('-') { -1 } else { 1 };
    Some((text[..sign_at].trim_end(), sign * (hours * 3600 + minutes * 60)))
}

fn csv_problem(file: &str, path: &Path, e: &csv::Error) -> Diagnostic {
    let line = e.position().map(|p| p.line() as usize);
    let message = match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "a field is not UTF-8 text".to_string(),
        _ => format!("not a readable CSV row: {e}"),
    };
    diagnostic(Some(file), path, line, message, "the file should be comma-separated values with a header row")
}

/// The first [`MAX_PROBLEMS`] problems, and one line for the rest.
fn capped(mut problems: Vec<Diagnostic>, file: &str, path: &Path) -> Vec<Diagnostic> {
    if problems.len() > MAX_PROBLEMS {
        let more = problems.len() - MAX_PROBLEMS;
        problems.truncate(MAX_PROBLEMS);
        let message = format!("and {more} more problem(s) in `{file}`");
        problems.push(diagnostic(Some(file), path, None, message, "check that this is the right file and columns"));
    }
    problems
}

fn diagnostic(file: Option<&str>, path: &Path, line: Option<usize>, message: String, hint: &str) -> Diagnostic {
    Diagnostic { file: file.map(str::to_string), path: path.to_string(), line, message, hint: Some(hint.to_string()) }
}

#[cfg(test)]
#[path = "trace_file_tests.rs"]
mod tests;
