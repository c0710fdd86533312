//! The file-backed recorder: streams metrics.csv, breakdown.csv and events.jsonl as the run goes,
//! and keeps the per-interval task counts the chart needs (one point per service per interval, so
//! memory grows with simulated time, never with the number of events or requests).
//!
//! On a calendar (the scenario's `start_time:`), every line also says its instant as an ISO 8601
//! UTC timestamp, `time_utc`, beside its seconds: a column after `time_s` in both CSV files, a
//! field after `time` in events.jsonl. Without one, the files are exactly as they were before
//! calendars existed.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use crate::engine::{Calendar, SimTime};
use crate::metrics::COLUMNS;
use crate::record::{Breakdown, Dimension, LogEvent, MetricsRow, Recorder};

use super::by_name::ByName;
use super::OutputError;

/// Counts of one layer over time: (seconds, actual, desired): a service's running and desired
/// tasks, or the cluster's registered and desired instances.
pub type CountSeries = Vec<(f64, u32, u32)>;

/// What the charts draw, kept as the rows stream by: one point per interval.
#[derive(Clone, Debug, Default)]
pub struct ChartSeries {
    /// Per service, in the order services first appear.
    pub services: ByName<CountSeries>,
    /// The cluster's instances (every service's row of an instant repeats them: kept once).
    pub instances: CountSeries,
}

/// The paths a [`FileRecorder`] writes.
pub struct RecorderFiles {
    pub metrics: PathBuf,
    pub breakdown: PathBuf,
    pub events: PathBuf,
}

pub struct FileRecorder {
    metrics: csv::Writer<BufWriter<File>>,
    breakdown: csv::Writer<BufWriter<File>>,
    events: BufWriter<File>,
    /// Each service's stops by reason at the previous instant: breakdown.csv's `stopped` counts
    /// are the interval's, the breakdown's since the start.
    stopped_before: BTreeMap<(String, String), u32>,
    series: ChartSeries,
    /// The buffer a metrics cell is formatted into.
    cell: String,
    calendar: Calendar,
    /// The first write error, reported when the run ends.
    error: Option<OutputError>,
    paths: RecorderFiles,
}

impl FileRecorder {
    /// Opens the files; `calendar` says whether lines carry a `time_utc`.
    pub fn create(paths: RecorderFiles, calendar: Calendar) -> Result<Self, OutputError> {
        let open = |path: &PathBuf| {
            File::create(path).map(BufWriter::new).map_err(|source| OutputError::Io { path: path.clone(), source })
        };
        let csv_with = |path: &PathBuf, header: &mut dyn Iterator<Item = &str>| {
            let mut w = csv::Writer::from_writer(open(path)?);
            w.write_record(header).map_err(|source| OutputError::Csv { path: path.clone(), source })?;
            Ok::<_, OutputError>(w)
        };
        let utc: &[&str] = if calendar.is_set() { &[TIME_UTC] } else { &[] };
        let mut metrics_header =
            ["time_s"].into_iter().chain(utc.iter().copied()).chain(["service"]).chain(COLUMNS.iter().map(|c| c.name));
        let metrics = csv_with(&paths.metrics, &mut metrics_header)?;
        let mut breakdown_header = BREAKDOWN_HEADER[..1].iter().chain(utc).chain(&BREAKDOWN_HEADER[1..]).copied();
        let breakdown = csv_with(&paths.breakdown, &mut breakdown_header)?;
        let events = File::create(&paths.events)
            .map(|f| BufWriter::with_capacity(EVENTS_BUFFER, f))
            .map_err(|source| OutputError::Io { path: paths.events.clone(), source })?;
        Ok(FileRecorder {
            metrics,
            breakdown,
            events,
            stopped_before: BTreeMap::new(),
            series: ChartSeries::default(),
            cell: String::new(),
            calendar,
            error: None,
            paths,
        })
    }

    /// Flushes both files; returns the first error met during the run, if any.
    pub fn finish(mut self) -> Result<ChartSeries, OutputError> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        self.metrics.flush().map_err(|source| OutputError::Io { path: self.paths.metrics.clone(), source })?;
        self.breakdown.flush().map_err(|source| OutputError::Io { path: self.paths.breakdown.clone(), source })?;
        self.events.flush().map_err(|source| OutputError::Io { path: self.paths.events.clone(), source })?;
        Ok(self.series)
    }

    fn keep_first_error(&mut self, e: OutputError) {
        self.error.get_or_insert(e);
    }
}

/// events.jsonl's write buffer: a large run logs tens of megabytes, a line of about 200 bytes per
/// task state change; each event is serialized straight into it (no intermediate `String`), and a
/// megabyte per write call keeps the system calls out of the run's profile.
const EVENTS_BUFFER: usize = 1 << 20;

/// breakdown.csv's columns: one count a line; the cluster's lines have an empty `service`. On a
/// calendar, [`TIME_UTC`] comes after `time_s`.
pub const BREAKDOWN_HEADER: [&str; 5] = ["time_s", "service", "dimension", "key", "value"];

/// The column (and events.jsonl field) of an instant as an ISO 8601 UTC timestamp, on a calendar.
pub const TIME_UTC: &str = "time_utc";

impl FileRecorder {
    /// One line of metrics.csv, its numbers formatted into one reused buffer.
    fn write_metrics_row(&mut self, row: &MetricsRow) -> Result<(), csv::Error> {
        for cell in self.time_cells(row.time) {
            self.metrics.write_field(cell)?;
        }
        self.metrics.write_field(&row.service)?;
        for c in COLUMNS {
            self.cell.clear();
            if let Some(x) = (c.value)(row) {
                c.format.write_into(x, &mut self.cell);
            }
            self.metrics.write_field(&self.cell)?;
        }
        self.metrics.write_record(None::<&[u8]>)
    }

    /// `t`'s first cells: its seconds, then, on a calendar, its timestamp.
    fn time_cells(&self, t: SimTime) -> Vec<String> {
        // `{:.3}` by integer arithmetic where exact: the standard library's exact formatting
        // fell back to big numbers for most instants (a row of metrics.csv and of breakdown.csv).
        let mut seconds = String::with_capacity(16);
        crate::metrics::write_fixed(t.as_secs_f64(), 3, &mut seconds);
        let mut cells = vec![seconds];
        cells.extend(self.calendar.utc(t));
        cells
    }
}

impl Recorder for FileRecorder {
    fn wants_breakdown(&self) -> bool {
        true
    }

    fn breakdown(&mut self, b: &Breakdown) {
        let time = self.time_cells(b.time);
        let service = b.service.as_deref().unwrap_or("");
        for c in &b.counts {
            let value = if c.dimension == Dimension::Stopped {
                let before = self.stopped_before.insert((service.to_string(), c.key.clone()), c.value);
                c.value - before.unwrap_or(0).min(c.value)
            } else {
                c.value
            };
            if value == 0 {
                continue;
            }
            let value = value.to_string();
            let rest = [service, c.dimension.as_str(), c.key.as_str(), &value];
            let record = time.iter().map(String::as_str).chain(rest);
            if let Err(source) = self.breakdown.write_record(record) {
                self.keep_first_error(OutputError::Csv { path: self.paths.breakdown.clone(), source });
            }
        }
    }

    fn event(&mut self, event: &LogEvent) {
        let utc = self.calendar.utc(event.time);
        let written = serde_json::to_writer(&mut self.events, &event.line(utc.as_deref()))
            .map_err(std::io::Error::from)
            .and_then(|()| self.events.write_all(b"\n"));
        if let Err(source) = written {
            self.keep_first_error(OutputError::Io { path: self.paths.events.clone(), source });
        }
    }

    fn row(&mut self, row: &MetricsRow) {
        let t = row.time.as_secs_f64();
        if let Err(source) = self.write_metrics_row(row) {
            self.keep_first_error(OutputError::Csv { path: self.paths.metrics.clone(), source });
        }
        let point = (t, row.running, row.desired);
        self.series.services.entry(&row.service, Vec::new).push(point);
        if self.series.instances.last().is_none_or(|last| last.0 < t) {
            self.series.instances.push((t, row.instances, row.instances_desired));
        }
    }
}
