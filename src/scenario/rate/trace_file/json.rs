//! CloudWatch JSON trace files, as the AWS CLI writes them:
//! - `aws cloudwatch get-metric-data`: `{"MetricDataResults": [{"Id", "Label", "Timestamps",
//!   "Values"}]}`, newest first. With several results, `id:` names the one to play;
//! - `aws cloudwatch get-metric-statistics`: `{"Label", "Datapoints": [{"Timestamp", "Sum",
//!   "Average", ...}]}`, in any order. `statistic:` names the statistic to play (`Sum`,
//!   `Average`, `SampleCount`, `Minimum`, `Maximum`, or an extended one such as `p99`), or the
//!   only one present.
//!
//! Timestamps are ISO 8601 text (or Unix seconds); problems are located by datapoint (1-based).

use std::collections::BTreeSet;
use std::io::BufRead;

use serde_json::Value;

use super::{diagnostic, read_problem, value, Found};
use crate::scenario::diagnostics::{shown, suggestion, Diagnostic};
use crate::scenario::path::Path;
use crate::scenario::rate::schema::{RawTrace, TraceRows};
use crate::traffic::rate::Sample;

const SHAPE_HINT: &str = "give the output of `aws cloudwatch get-metric-data` (`MetricDataResults`) or \
                          `get-metric-statistics` (`Datapoints`)";
const NO_DATAPOINTS: &str = "the query returned no datapoints: widen its time range";

pub(super) fn parse(
    text: &mut dyn BufRead,
    file: &str,
    trace: &RawTrace,
    path: &Path,
) -> Result<TraceRows, Vec<Diagnostic>> {
    let document: Value = match serde_json::from_reader(text) {
        Ok(v) => v,
        Err(e) if e.is_io() => {
            let io = std::io::Error::from(e);
            return Err(vec![read_problem(file, path, None, &io)]);
        }
        Err(e) => {
            let message = format!("not readable JSON: {e}");
            return Err(vec![diagnostic(Some(file), path, Some(e.line()), message, SHAPE_HINT)]);
        }
    };
    let wrong =
        |field: &str, message: String, hint: &str| vec![diagnostic(None, &path.field(field), None, message, hint)];
    let unused = |field: &str, what: &str, used: bool| {
        used.then(|| wrong(field, format!("`{file}` is {what}, which has no `{field}`"), "remove the field"))
    };
    let mut found = Found::new();
    if let Some(results) = document.get("MetricDataResults").and_then(Value::as_array) {
        if let Some(e) = unused("statistic", "GetMetricData output", trace.statistic.is_some())
            .or_else(|| unused("time_column", "GetMetricData output", trace.time_column.is_some()))
            .or_else(|| unused("value_column", "GetMetricData output", trace.value_column.is_some()))
        {
            return Err(e);
        }
        let ids: Vec<&str> = results.iter().filter_map(|r| r.get("Id").and_then(Value::as_str)).collect();
        let result = match (&trace.id, results.len()) {
            (None, 1) => &results[0],
            (None, _) => {
                let message = format!("`{file}` has {} results (ids {})", results.len(), listed(&ids));
                return Err(wrong("id", message, "name the one to play, e.g. `id: m1`"));
            }
            (Some(id), _) => match results.iter().find(|r| r.get("Id").and_then(Value::as_str) == Some(id)) {
                Some(r) => r,
                None => {
                    let message = format!("`{file}` has no result with id `{}`", shown(id));
                    return Err(wrong("id", message, &suggestion(id, ids.iter().copied())));
                }
            },
        };
        let empty = Vec::new();
        let times = result.get("Timestamps").and_then(Value::as_array).unwrap_or(&empty);
        let values = result.get("Values").and_then(Value::as_array).unwrap_or(&empty);
        if times.len() != values.len() {
            let message = format!("`{file}` has {} timestamps and {} values", times.len(), values.len());
            return Err(vec![diagnostic(Some(file), path, None, message, "the two lists must pair up")]);
        }
        for (i, (t, v)) in times.iter().zip(values).enumerate() {
            datapoint(&mut found, i + 1, t, Some(v), "`Values`", file, path);
        }
    } else if let Some(points) = document.get("Datapoints").and_then(Value::as_array) {
        if let Some(e) = unused("id", "GetMetricStatistics output", trace.id.is_some())
            .or_else(|| unused("time_column", "GetMetricStatistics output", trace.time_column.is_some()))
            .or_else(|| unused("value_column", "GetMetricStatistics output", trace.value_column.is_some()))
        {
            return Err(e);
        }
        let present: BTreeSet<&str> = points.iter().flat_map(statistics).map(|(name, _)| name).collect();
        let statistic = match (&trace.statistic, present.len()) {
            (Some(s), _) if present.contains(s.as_str()) || present.is_empty() => s.as_str(),
            (Some(s), _) => {
                let message = format!("`{file}` has no statistic `{}`; it has {}", shown(s), listed(&present));
                return Err(wrong("statistic", message, &suggestion(s, present.iter().copied())));
            }
            (None, 0 | 1) => present.first().copied().unwrap_or("Sum"),
            (None, _) => {
                let message = format!("`{file}` has several statistics: {}", listed(&present));
                let hint = format!("name the one to play, e.g. `statistic: {}`", present.first().unwrap_or(&"Sum"));
                return Err(wrong("statistic", message, &hint));
            }
        };
        let column = format!("`{statistic}`");
        for (i, point) in points.iter().enumerate() {
            let time = point.get("Timestamp").unwrap_or(&Value::Null);
            let v = statistics(point).find(|(name, _)| *name == statistic).map(|(_, v)| v);
            datapoint(&mut found, i + 1, time, v, &column, file, path);
        }
    } else {
        let message = format!("`{file}` is JSON, but not CloudWatch output");
        return Err(vec![diagnostic(Some(file), path, None, message, SHAPE_HINT)]);
    }
    found.finish(file, path, "datapoint", NO_DATAPOINTS)
}

/// A datapoint's statistics: its numeric fields, and those of `ExtendedStatistics`.
fn statistics(point: &Value) -> impl Iterator<Item = (&str, &Value)> {
    let own = point.as_object().into_iter().flatten().filter(|(k, v)| v.is_number() && k.as_str() != "Timestamp");
    let extended = point.get("ExtendedStatistics").and_then(Value::as_object).into_iter().flatten();
    own.chain(extended).map(|(k, v)| (k.as_str(), v))
}

fn datapoint(found: &mut Found, at: usize, time: &Value, v: Option<&Value>, column: &str, file: &str, path: &Path) {
    let time = match time {
        Value::String(t) => super::parse_time(t).ok_or_else(|| format!("`{}` is not a time", shown(t))),
        Value::Number(n) => {
            n.as_f64().and_then(|s| super::parse_time(&s.to_string())).ok_or_else(|| format!("{n} is not a time"))
        }
        _ => Err("no timestamp".to_string()),
    };
    let v = match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => value(&n.to_string(), column),
        Some(other) => Err((format!("{other} in {column} is not a number"), "")),
    };
    match (time, v) {
        (Ok(time), Ok(value)) => {
            found.sample(Sample { time, value }, at, file, path, "datapoint");
        }
        // JSON has no useful line: the datapoint's place says where.
        (Err(message), _) => {
            found.problem(diagnostic(Some(file), path, None, format!("datapoint {at}: {message}"), super::TIME_HINT));
        }
        (_, Err((message, _))) => {
            let message = format!("datapoint {at}: {message}");
            found.problem(diagnostic(Some(file), path, None, message, "a value is a number >= 0"));
        }
    }
}

fn listed<'a>(names: impl IntoIterator<Item = &'a &'a str>) -> String {
    names.into_iter().map(|n| format!("`{}`", shown(n))).collect::<Vec<_>>().join(", ")
}
