//! Reading a run folder back: run.json, summary.json, metrics.csv, breakdown.csv and
//! events.jsonl, as the report needs them. The report is made from the files alone, so that
//! `ecsim report DIR` remakes exactly what the run made, and a folder of an older ecsim (no
//! breakdown.csv) still gets a report, without the panels that need what it lacks.
//!
//! Memory stays bounded by the run's sampled time, not its events: events.jsonl is streamed, and
//! only the events the timeline draws and the table lists (at most [`TABLE_ROWS`]) are kept.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use serde::Deserialize;

use crate::engine::Calendar;
use crate::metrics::Summary;
use crate::record::Dimension;

use super::super::by_name::ByName;
use super::super::recorder::TIME_UTC;
use super::super::OutputError;

/// The most events the report's table lists; a run with more lists the notable ones first (see
/// [`is_routine`]) and says how many it left out.
pub const TABLE_ROWS: usize = 10_000;
/// Of those, the most routine ones (task and target state changes).
const ROUTINE_ROWS: usize = 2_000;

/// What run.json says of the run.
#[derive(Clone, Debug, Deserialize)]
pub struct RunInfo {
    pub ecsim_version: String,
    pub scenario: String,
    pub seed: u64,
    /// The date of simulated time 0, ISO 8601 UTC, when the scenario gave one.
    #[serde(default)]
    pub start_time: Option<String>,
    pub duration_s: f64,
    pub metrics_interval_s: f64,
}

/// One line of events.jsonl.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct EventLine {
    pub time: f64,
    /// The instant on the run's calendar, ISO 8601 UTC, when it has one.
    #[serde(default)]
    pub time_utc: Option<String>,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub service: Option<String>,
    #[serde(default)]
    pub task: Option<String>,
    #[serde(default)]
    pub instance: Option<String>,
    #[serde(default)]
    pub zone: Option<String>,
    #[serde(default)]
    pub capacity_provider: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    pub message: String,
}

impl EventLine {
    /// A stopped task's reason, from ECS's "(stopCode CODE: reason)".
    pub fn stopped_reason(&self) -> Option<&str> {
        if self.kind != "TASK_STATE_CHANGE" || self.status.as_deref() != Some("STOPPED") {
            return None;
        }
        let rest = &self.message[self.message.find("(stopCode ")? + "(stopCode ".len()..];
        // The stop code's parenthesis closes where its depth returns to zero: a reason may hold
        // parentheses of its own ("Scaling activity initiated by (deployment ecs-svc/4)").
        let mut depth = 1;
        let end = rest
            .char_indices()
            .find(|&(_, c)| {
                depth += match c {
                    '(' => 1,
                    ')' => -1,
                    _ => 0,
                };
                depth == 0
            })
            .map_or(rest.len(), |(i, _)| i);
        let inside = &rest[..end];
        Some(inside.split_once(": ").map_or(inside, |(_, reason)| reason))
    }
}

/// Events that happen all the time in a healthy run: listed after the notable ones when the table
/// cannot list them all.
pub fn is_routine(kind: &str) -> bool {
    matches!(
        kind,
        "TASK_STATE_CHANGE"
            | "TASK_HEALTH_CHANGE"
            | "TARGET_HEALTH_CHANGE"
            | "SERVICE_TARGETS_CHANGED"
            | "TASK_PLACEMENT"
            | "CONTAINER_INSTANCE_REGISTERED"
    )
}

/// One service's rows of metrics.csv, by column.
#[derive(Clone, Debug, Default)]
pub struct ServiceMetrics {
    pub name: String,
    pub times: Vec<f64>,
    /// Each column's cells, NaN where the cell is empty: half the memory of `Option<f64>` (a
    /// day of 500 services is 29 million cells).
    columns: BTreeMap<String, Vec<f64>>,
}

/// One column of a service's metrics: a cell per row, `None` where it is empty.
#[derive(Clone, Copy, Debug)]
pub struct Column<'a>(&'a [f64]);

impl Column<'_> {
    pub fn get(&self, row: usize) -> Option<f64> {
        self.0.get(row).copied().filter(|v| !v.is_nan())
    }

    pub fn iter(&self) -> impl Iterator<Item = Option<f64>> + '_ {
        self.0.iter().map(|&v| Some(v).filter(|v| !v.is_nan()))
    }
}

impl ServiceMetrics {
    /// The column's values, one per row; `None` if the file has no such column.
    pub fn column(&self, name: &str) -> Option<Column<'_>> {
        self.columns.get(name).map(|v| Column(v))
    }

    /// `(time, value)` of the rows where the column has a value.
    pub fn points(&self, name: &str) -> Vec<(f64, f64)> {
        let Some(values) = self.column(name) else { return Vec::new() };
        self.times.iter().zip(values.iter()).filter_map(|(&t, v)| v.map(|v| (t, v))).collect()
    }

    /// Whether the column has a value in any row.
    pub fn has(&self, name: &str) -> bool {
        self.column(name).is_some_and(|v| v.iter().any(|v| v.is_some()))
    }
}

/// breakdown.csv: per (service or cluster, dimension), each key's values by time.
#[derive(Clone, Debug, Default)]
pub struct Breakdowns {
    /// By service, dimension and key: the value at each time.
    lines: BTreeMap<String, BTreeMap<Dimension, BTreeMap<String, Values>>>,
}

/// One breakdown line's values by time key, in the order read: the file's lines come in time
/// order, so this is sorted (a B-tree per line was most of a large report's memory).
#[derive(Clone, Debug, Default)]
struct Values(Vec<(i64, f64)>);

impl Values {
    fn insert(&mut self, time: i64, value: f64) {
        match self.0.last_mut() {
            Some(last) if last.0 == time => last.1 = value,
            Some(last) if last.0 > time => match self.0.binary_search_by_key(&time, |&(t, _)| t) {
                Ok(i) => self.0[i].1 = value,
                Err(i) => self.0.insert(i, (time, value)),
            },
            _ => self.0.push((time, value)),
        }
    }

    fn get(&self, time: i64) -> Option<f64> {
        self.0.binary_search_by_key(&time, |&(t, _)| t).ok().map(|i| self.0[i].1)
    }
}

/// A time as the key breakdown.csv and metrics.csv share (milliseconds).
fn time_key(t: f64) -> i64 {
    (t * 1000.0).round() as i64
}

impl Breakdowns {
    /// Each key of `dimension` for `service` (`""`: the cluster), with a value at every time of
    /// `times` (0 where the file has none: it writes no zero).
    pub fn series(&self, service: &str, dimension: Dimension, times: &[f64]) -> Vec<(String, Vec<(f64, f64)>)> {
        let Some(keys) = self.lines.get(service).and_then(|d| d.get(&dimension)) else { return Vec::new() };
        keys.iter()
            .map(|(key, values)| {
                let points = times.iter().map(|&t| (t, values.get(time_key(t)).unwrap_or(0.0))).collect();
                (key.clone(), points)
            })
            .collect()
    }
}

/// Everything the report reads from a run folder.
#[derive(Clone, Debug)]
pub struct RunFiles {
    pub info: RunInfo,
    pub summary: Summary,
    /// By service, in metrics.csv's order.
    pub metrics: Vec<ServiceMetrics>,
    /// `None` for a folder without breakdown.csv (written by an ecsim before it).
    pub breakdown: Option<Breakdowns>,
    /// The events the table lists and the timeline draws, in time order.
    pub events: Vec<EventLine>,
    /// How many events of each type the run logged (all of them, listed or not).
    pub event_counts: BTreeMap<String, u64>,
}

impl RunFiles {
    /// The run's calendar, from run.json's `start_time` (none for a run without one, or a folder
    /// of an older ecsim).
    pub fn calendar(&self) -> Calendar {
        self.info.start_time.as_deref().and_then(Calendar::parse).unwrap_or(Calendar::NONE)
    }

    /// How many events the table leaves out.
    pub fn events_left_out(&self) -> u64 {
        self.event_counts.values().sum::<u64>() - self.events.len() as u64
    }
}

fn bad(path: &Path, message: impl Into<String>) -> OutputError {
    OutputError::BadRunFile { path: path.to_path_buf(), message: message.into() }
}

fn open(path: &Path) -> Result<File, OutputError> {
    File::open(path).map_err(|source| OutputError::Io { path: path.to_path_buf(), source })
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, OutputError> {
    serde_json::from_reader(BufReader::new(open(path)?)).map_err(|e| bad(path, e.to_string()))
}

/// Reads the run folder `dir`.
pub fn read_run(dir: &Path) -> Result<RunFiles, OutputError> {
    let info = read_json(&dir.join("run.json"))?;
    let summary = read_json(&dir.join("summary.json"))?;
    // The three large files are independent: read side by side (a day of 500 services has
    // 130 MB of metrics and 124 MB of breakdown), errors reported in this order.
    let breakdown_path = dir.join("breakdown.csv");
    let (metrics, (breakdown, events)) = rayon::join(
        || read_metrics(&dir.join("metrics.csv")),
        || {
            rayon::join(
                || breakdown_path.is_file().then(|| read_breakdown(&breakdown_path)).transpose(),
                || read_events(&dir.join("events.jsonl")),
            )
        },
    );
    let (metrics, breakdown, (events, event_counts)) = (metrics?, breakdown?, events?);
    Ok(RunFiles { info, summary, metrics, breakdown, events, event_counts })
}

fn read_metrics(path: &Path) -> Result<Vec<ServiceMetrics>, OutputError> {
    let mut reader = csv::Reader::from_reader(BufReader::new(open(path)?));
    let csv_error = |e: csv::Error| OutputError::Csv { path: path.to_path_buf(), source: e };
    let headers = reader.headers().map_err(csv_error)?.clone();
    // On a calendar, `time_utc` comes between the two; the seconds are what the report reads.
    let service_at = 1 + usize::from(headers.get(1) == Some(TIME_UTC));
    if headers.get(0) != Some("time_s") || headers.get(service_at) != Some("service") {
        return Err(bad(path, "the first two columns must be time_s and service (with time_utc between them)"));
    }
    let names: Vec<&str> = headers.iter().skip(service_at + 1).collect();
    // Each service's times and columns in header order while reading.
    let mut services: ByName<(Vec<f64>, Vec<Vec<f64>>)> = ByName::default();
    // Bytes, not strings: the cells are numbers and one name, checked as they are read (a
    // StringRecord validated every row's UTF-8 whole first).
    let mut record = csv::ByteRecord::new();
    let mut line = 1usize; // the header's
    while reader.read_byte_record(&mut record).map_err(csv_error)? {
        line += 1;
        let number = |i: usize| -> Result<Option<f64>, OutputError> {
            let cell = record.get(i).unwrap_or(b"");
            if cell.is_empty() {
                return Ok(None);
            }
            let parsed = std::str::from_utf8(cell).ok().and_then(|s| s.parse::<f64>().ok());
            parsed.filter(|v| !v.is_nan()).map(Some).ok_or_else(|| {
                let cell = String::from_utf8_lossy(cell);
                let column = headers.get(i).unwrap_or("?");
                bad(path, format!("line {line}: column {column}: {cell:?} is not a number"))
            })
        };
        let time = number(0)?.ok_or_else(|| bad(path, format!("line {line}: no time_s")))?;
        let name = std::str::from_utf8(record.get(service_at).unwrap_or(b""))
            .map_err(|_| bad(path, format!("line {line}: the service name is not UTF-8")))?;
        let (times, columns) = services.entry(name, || (Vec::new(), vec![Vec::new(); names.len()]));
        times.push(time);
        for (k, column) in columns.iter_mut().enumerate() {
            column.push(number(service_at + 1 + k)?.unwrap_or(f64::NAN));
        }
    }
    Ok(services
        .into_vec()
        .into_iter()
        .map(|(name, (mut times, mut columns))| {
            // The growth slack of a day of rows would stay with the report to its end.
            columns.iter_mut().for_each(Vec::shrink_to_fit);
            times.shrink_to_fit();
            let columns = names.iter().map(|n| n.to_string()).zip(columns).collect();
            ServiceMetrics { name, times, columns }
        })
        .collect())
}

fn read_breakdown(path: &Path) -> Result<Breakdowns, OutputError> {
    let mut reader = csv::Reader::from_reader(BufReader::new(open(path)?));
    let csv_error = |e: csv::Error| OutputError::Csv { path: path.to_path_buf(), source: e };
    // On a calendar, `time_utc` follows `time_s`: the other columns are one further right.
    let skip = usize::from(reader.headers().map_err(csv_error)?.get(1) == Some(TIME_UTC));
    let mut services: ByName<BTreeMap<Dimension, BTreeMap<String, Values>>> = ByName::default();
    let mut record = csv::StringRecord::new();
    let mut line = 1usize; // the header's
    while reader.read_record(&mut record).map_err(csv_error)? {
        line += 1;
        let field = |i: usize| record.get(if i == 0 { 0 } else { i + skip }).unwrap_or("");
        let here = || format!("line {line}");
        let time: f64 = field(0).parse().map_err(|_| bad(path, format!("{}: time_s {:?}", here(), field(0))))?;
        let Some(dimension) = Dimension::parse(field(2)) else {
            // A dimension of a later ecsim: not drawn, not an error.
            continue;
        };
        let value: f64 = field(4).parse().map_err(|_| bad(path, format!("{}: value {:?}", here(), field(4))))?;
        let keys = services.entry(field(1), BTreeMap::new).entry(dimension).or_default();
        let values = match keys.get_mut(field(3)) {
            Some(values) => values,
            None => keys.entry(field(3).to_string()).or_default(),
        };
        values.insert(time_key(time), value);
    }
    let mut lines: BTreeMap<_, _> = services.into_vec().into_iter().collect();
    for values in lines.values_mut().flat_map(|d: &mut BTreeMap<_, _>| d.values_mut()).flat_map(BTreeMap::values_mut) {
        values.0.shrink_to_fit();
    }
    Ok(Breakdowns { lines })
}

/// The events to keep (notable ones first, then routine ones, each up to its share of
/// [`TABLE_ROWS`]) in time order, and the count of every type.
fn read_events(path: &Path) -> Result<(Vec<EventLine>, BTreeMap<String, u64>), OutputError> {
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    let (mut notable, mut routine) = (Vec::new(), Vec::new());
    for (i, line) in BufReader::new(open(path)?).lines().enumerate() {
        let line = line.map_err(|source| OutputError::Io { path: path.to_path_buf(), source })?;
        if line.trim().is_empty() {
            continue;
        }
        let event: EventLine = serde_json::from_str(&line).map_err(|e| bad(path, format!("line {}: {e}", i + 1)))?;
        *counts.entry(event.kind.clone()).or_insert(0) += 1;
        let (list, cap) = if is_routine(&event.kind) && event.stopped_reason().is_none() {
            (&mut routine, ROUTINE_ROWS)
        } else {
            (&mut notable, TABLE_ROWS - ROUTINE_ROWS)
        };
        if list.len() < cap {
            list.push((i, event));
        }
    }
    let mut all: Vec<(usize, EventLine)> = notable.into_iter().chain(routine).collect();
    all.sort_by_key(|(i, _)| *i);
    Ok((all.into_iter().map(|(_, e)| e).collect(), counts))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(kind: &str, status: Option<&str>, message: &str) -> EventLine {
        EventLine {
            time: 1.0,
            time_utc: None,
            kind: kind.into(),
            service: None,
            task: None,
            instance: None,
            zone: None,
            capacity_provider: None,
            status: status.map(str::to_string),
            message: message.into(),
        }
    }

    #[test]
    fn a_stopped_task_says_why() {
        let oom = event(
            "TASK_STATE_CHANGE",
            Some("STOPPED"),
            "task shop-9 is STOPPED (stopCode EssentialContainerExited: OutOfMemoryError: Container killed due to memory usage); container shop exited with code 137",
        );
        assert_eq!(oom.stopped_reason(), Some("OutOfMemoryError: Container killed due to memory usage"));
        let scaled = "task web-3 is STOPPED (stopCode ServiceSchedulerInitiated: Scaling activity initiated by (deployment ecs-svc/4))";
        let scaled = event("TASK_STATE_CHANGE", Some("STOPPED"), scaled);
        assert_eq!(scaled.stopped_reason(), Some("Scaling activity initiated by (deployment ecs-svc/4)"));
        assert_eq!(event("TASK_STATE_CHANGE", Some("RUNNING"), "task x is RUNNING").stopped_reason(), None);
    }

    #[test]
    fn metrics_and_breakdown_are_read_whatever_the_order_of_their_services() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let metrics = dir.path().join("metrics.csv");
        // s3 appears only at 60 s, and the services change order there.
        std::fs::write(
            &metrics,
            "time_s,service,running,requests\n0,s1,2,\n0,s2,3,5\n60,s2,4,7\n60,s3,1,\n60,s1,2,1.5\n",
        )
        .expect("written");
        let read = read_metrics(&metrics).expect("a valid file");
        let names: Vec<&str> = read.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["s1", "s2", "s3"]);
        assert_eq!(read[0].points("requests"), [(60.0, 1.5)], "an empty cell is no point");
        assert_eq!(read[1].points("running"), [(0.0, 3.0), (60.0, 4.0)]);
        assert_eq!(read[2].times, [60.0]);
        assert!(read[0].has("requests") && !read[2].has("requests") && read[2].column("nothing").is_none());
        std::fs::write(&metrics, "time_s,service,running\n0,s1,2\n60,s1,NaN\n").expect("written");
        let error = read_metrics(&metrics).expect_err("NaN is no number").to_string();
        assert!(error.contains("line 3: column running: \"NaN\" is not a number"), "{error}");

        let breakdown = dir.path().join("breakdown.csv");
        let lines =
            "time_s,service,dimension,key,value\n0,s1,zone,a,1\n0,s2,zone,a,2\n60,s2,zone,a,3\n60,s1,zone,b,4\n";
        std::fs::write(&breakdown, lines).expect("written");
        let read = read_breakdown(&breakdown).expect("a valid file");
        let times = [0.0, 60.0];
        let s1 = read.series("s1", Dimension::Zone, &times);
        assert_eq!(
            s1,
            [("a".to_string(), vec![(0.0, 1.0), (60.0, 0.0)]), ("b".to_string(), vec![(0.0, 0.0), (60.0, 4.0)])]
        );
        assert_eq!(read.series("s2", Dimension::Zone, &times), [("a".to_string(), vec![(0.0, 2.0), (60.0, 3.0)])]);
    }
}
