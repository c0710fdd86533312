//! CSV trace files, read record by record from a stream: with a header row (the time and value
//! columns are the first two unless `time_column:` / `value_column:` name them; other columns
//! are ignored; fields may be quoted); without one, when the first row already parses as data
//! (time, value); or one number per line, sample `i` at `i × step:` (header row optional).

use std::io::BufRead;

use super::{diagnostic, read_problem, value, Found};
use crate::scenario::diagnostics::{shown, suggestion, Diagnostic};
use crate::scenario::path::Path;
use crate::scenario::rate::schema::{RawTrace, TraceRows};
use crate::traffic::rate::Sample;

const NO_ROWS: &str = "add rows of a time and a value (or one value per line with `step:`)";

/// Where the time of a row comes from.
enum Times {
    /// A column, by index.
    Column(usize),
    /// None: the `n`-th data row is at `n × step` (µs).
    Counted { step: i64, next: i64 },
}

pub(super) fn parse(
    text: &mut dyn BufRead,
    file: &str,
    trace: &RawTrace,
    path: &Path,
) -> Result<TraceRows, Vec<Diagnostic>> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).trim(csv::Trim::All).from_reader(text);
    let mut record = csv::StringRecord::new();
    match reader.read_record(&mut record) {
        Ok(true) => {}
        Ok(false) => return Found::new().finish(file, path, "line", NO_ROWS),
        Err(e) => return Err(vec![csv_problem(file, path, &e)]),
    }
    let first: Vec<String> = record
        .iter()
        .enumerate()
        .map(|(i, c)| if i == 0 { c.trim_start_matches('\u{feff}') } else { c }.to_string())
        .collect();
    let step = trace.step.as_ref().and_then(|s| humantime::parse_duration(s.0.trim()).ok());
    let step = step.and_then(|d| i64::try_from(d.as_micros()).ok()).filter(|us| *us > 0);
    let header = !is_data(&first);
    let width = first.len();
    let (times, value_at, names) = if header {
        layout_with_header(&first, trace, step, file, path)?
    } else {
        layout_without_header(&first, trace, step, file, path)?
    };
    let mut found = Found::new();
    let width_hint =
        if header { "every row needs one cell per column" } else { "every row needs as many cells as the first" };
    let of = if header { "the header row" } else { "the first row" };
    let mut times = times;
    let mut take = |r: &csv::StringRecord, line: usize, found: &mut Found| -> bool {
        if r.len() != width {
            let message = format!("this row has {} cell(s); {of} has {width}", r.len());
            found.problem(diagnostic(Some(file), path, Some(line), message, width_hint));
            return true;
        }
        match row(r, &mut times, value_at, (&names.0, &names.1)) {
            Ok(sample) => found.sample(sample, line, file, path, "line"),
            Err((message, hint)) => {
                found.problem(diagnostic(Some(file), path, Some(line), message, hint));
                true
            }
        }
    };
    let mut going = header || take(&csv::StringRecord::from(first), 1, &mut found);
    while going {
        match reader.read_record(&mut record) {
            Ok(true) => going = take(&record, record.position().map_or(0, |p| p.line() as usize), &mut found),
            Ok(false) => break,
            Err(e) => {
                // A broken stream (a damaged compressed file) cannot be read past.
                going = !matches!(e.kind(), csv::ErrorKind::Io(_));
                found.problem(csv_problem(file, path, &e));
            }
        }
    }
    found.finish(file, path, "line", NO_ROWS)
}

/// Whether a first row is data rather than column names: one number, or a time and a number (or
/// an empty value).
fn is_data(cells: &[String]) -> bool {
    match cells {
        [only] => only.parse::<f64>().is_ok(),
        [time, value, ..] => super::parse_time(time).is_some() && (value.is_empty() || value.parse::<f64>().is_ok()),
        [] => false,
    }
}

type Layout = (Times, usize, (String, String));

fn layout_with_header(
    headers: &[String],
    trace: &RawTrace,
    step: Option<i64>,
    file: &str,
    path: &Path,
) -> Result<Layout, Vec<Diagnostic>> {
    if headers.len() == 1 && trace.time_column.is_none() {
        let value = column(headers, trace.value_column.as_deref(), 0, file, &path.field("value_column"));
        return match (step, value) {
            (_, Err(e)) => Err(vec![e]),
            (Some(step), Ok(v)) => Ok((Times::Counted { step, next: 0 }, v, (String::new(), quoted(&headers[v])))),
            (None, _) if trace.step.is_some() => Err(Vec::new()), // validation reports the step
            (None, _) => {
                let message = format!("`{file}` has 1 column(s); a trace needs a time and a value");
                let hint = "the header row should name at least two columns, e.g. `Timestamp,Sum`; \
                            for one count per line give the period, e.g. `step: 1s`";
                Err(vec![diagnostic(Some(file), path, Some(1), message, hint)])
            }
        };
    }
    let time = column(headers, trace.time_column.as_deref(), 0, file, &path.field("time_column"));
    let value = column(headers, trace.value_column.as_deref(), 1, file, &path.field("value_column"));
    match (time, value) {
        (Ok(t), Ok(v)) => Ok((Times::Column(t), v, (quoted(&headers[t]), quoted(&headers[v])))),
        (t, v) => Err(t.err().into_iter().chain(v.err()).collect()),
    }
}

fn layout_without_header(
    first: &[String],
    trace: &RawTrace,
    step: Option<i64>,
    file: &str,
    path: &Path,
) -> Result<Layout, Vec<Diagnostic>> {
    let named: Vec<Diagnostic> = [("time_column", &trace.time_column), ("value_column", &trace.value_column)]
        .into_iter()
        .filter_map(|(field, name)| {
            let name = name.as_deref()?;
            let message =
                format!("`{file}` has no header row (its first line is data), so it has no column `{}`", shown(name));
            Some(diagnostic(
                None,
                &path.field(field),
                None,
                message,
                "remove the field, or add a header row to the file",
            ))
        })
        .collect();
    if !named.is_empty() {
        return Err(named);
    }
    if first.len() >= 2 {
        return Ok((Times::Column(0), 1, ("column 1".into(), "column 2".into())));
    }
    match step {
        Some(step) => Ok((Times::Counted { step, next: 0 }, 0, (String::new(), "column 1".into()))),
        None if trace.step.is_some() => Err(Vec::new()), // validation reports the step
        None => {
            let message = format!("`{file}` has one number per line and no times");
            let hint = "give the period of a line, e.g. `step: 1s` (sample i plays at i × step)";
            Err(vec![diagnostic(None, &path.field("step"), None, message, hint)])
        }
    }
}

fn quoted(name: &str) -> String {
    format!("column `{name}`")
}

/// One data row's sample, or what is wrong with it; `names` say the columns in messages.
fn row(
    cells: &csv::StringRecord,
    times: &mut Times,
    value_at: usize,
    (time_name, value_name): (&str, &str),
) -> Result<Sample, (String, &'static str)> {
    let value = value(&cells[value_at], value_name);
    let time = match times {
        Times::Column(at) => match &cells[*at] {
            "" => return Err((format!("no time in {time_name}"), "every row needs a time")),
            t => super::parse_time(t)
                .ok_or_else(|| (format!("`{}` in {time_name} is not a time", shown(t)), super::TIME_HINT))?,
        },
        Times::Counted { step, next } => {
            let time = *next;
            *next = next.saturating_add(*step);
            time
        }
    };
    Ok(Sample { time, value: value? })
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

fn csv_problem(file: &str, path: &Path, e: &csv::Error) -> Diagnostic {
    let line = e.position().map(|p| p.line() as usize);
    match e.kind() {
        csv::ErrorKind::Io(io) => read_problem(file, path, line, io),
        csv::ErrorKind::Utf8 { .. } => {
            diagnostic(Some(file), path, line, "a field is not UTF-8 text".into(), "save the file as UTF-8")
        }
        _ => {
            let message = format!("not a readable CSV row: {e}");
            diagnostic(Some(file), path, line, message, "the file should be comma-separated values")
        }
    }
}
