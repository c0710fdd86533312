//! The file-backed recorder: streams metrics.csv and events.jsonl as the run goes, and keeps the
//! per-interval task counts the chart needs (one point per service per interval, so memory grows
//! with simulated time, never with the number of events or requests).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use crate::metrics::COLUMNS;
use crate::record::{LogEvent, MetricsRow, Recorder};

use super::OutputError;

/// Counts of one layer over time: (seconds, actual, desired): a service's running and desired
/// tasks, or the cluster's registered and desired instances.
pub type CountSeries = Vec<(f64, u32, u32)>;

/// What the charts draw, kept as the rows stream by: one point per interval.
#[derive(Clone, Debug, Default)]
pub struct ChartSeries {
    /// Per service, in the order services first appear.
    pub services: Vec<(String, CountSeries)>,
    /// The cluster's instances (every service's row of an instant repeats them: kept once).
    pub instances: CountSeries,
}

pub struct FileRecorder {
    metrics: csv::Writer<BufWriter<File>>,
    events: BufWriter<File>,
    series: ChartSeries,
    /// The first write error, reported when the run ends.
    error: Option<OutputError>,
    metrics_path: PathBuf,
    events_path: PathBuf,
}

impl FileRecorder {
    pub fn create(metrics_path: PathBuf, events_path: PathBuf) -> Result<Self, OutputError> {
        let open = |path: &PathBuf| {
            File::create(path).map(BufWriter::new).map_err(|source| OutputError::Io { path: path.clone(), source })
        };
        let mut metrics = csv::Writer::from_writer(open(&metrics_path)?);
        let header = ["time_s", "service"].into_iter().chain(COLUMNS.iter().map(|c| c.name));
        metrics.write_record(header).map_err(|e| OutputError::Csv { path: metrics_path.clone(), source: e })?;
        let events = open(&events_path)?;
        Ok(FileRecorder { metrics, events, series: ChartSeries::default(), error: None, metrics_path, events_path })
    }

    /// Flushes both files; returns the first error met during the run, if any.
    pub fn finish(mut self) -> Result<ChartSeries, OutputError> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        self.metrics.flush().map_err(|source| OutputError::Io { path: self.metrics_path.clone(), source })?;
        self.events.flush().map_err(|source| OutputError::Io { path: self.events_path.clone(), source })?;
        Ok(self.series)
    }

    fn keep_first_error(&mut self, e: OutputError) {
        self.error.get_or_insert(e);
    }
}

impl Recorder for FileRecorder {
    fn event(&mut self, event: &LogEvent) {
        let written = serde_json::to_writer(&mut self.events, event)
            .map_err(std::io::Error::from)
            .and_then(|()| self.events.write_all(b"\n"));
        if let Err(source) = written {
            self.keep_first_error(OutputError::Io { path: self.events_path.clone(), source });
        }
    }

    fn row(&mut self, row: &MetricsRow) {
        let t = row.time.as_secs_f64();
        let mut record = vec![format!("{t:.3}"), row.service.clone()];
        record.extend(COLUMNS.iter().map(|c| (c.value)(row).map_or_else(String::new, |x| c.format.write(x))));
        if let Err(source) = self.metrics.write_record(&record) {
            self.keep_first_error(OutputError::Csv { path: self.metrics_path.clone(), source });
        }
        let point = (t, row.running, row.desired);
        match self.series.services.iter_mut().find(|(name, _)| *name == row.service) {
            Some((_, points)) => points.push(point),
            None => self.series.services.push((row.service.clone(), vec![point])),
        }
        if self.series.instances.last().is_none_or(|last| last.0 < t) {
            self.series.instances.push((t, row.instances, row.instances_desired));
        }
    }
}
