//! The file-backed recorder: streams metrics.csv and events.jsonl as the run goes, and keeps the
//! per-interval task counts the chart needs (one point per service per interval, so memory grows
//! with simulated time, never with the number of events or requests).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use crate::metrics::{LogEvent, MetricsRow, Percentiles, Recorder};
use crate::traffic::TrafficRow;

use super::OutputError;

/// The cost columns are USD billed in the interval that ends at the row's time (since the previous
/// row); the `cluster_` ones are the cluster's, repeated on each service's row of an instant, so a
/// cluster total sums one row per time.
///
/// The traffic columns (from `requests` on) are empty for a service without a load balancer;
/// response times are empty in an interval where no target answered, and utilizations where no
/// task ran (CloudWatch publishes no data point then).
const METRICS_HEADER: [&str; 34] = [
    "time_s",
    "service",
    "desired",
    "running",
    "pending",
    "stopped_total",
    "cpu_reserved",
    "memory_reserved",
    "instances",
    "instances_desired",
    "instances_launching",
    "capacity_provider_reservation_pct",
    "cluster_cpu_reservation_pct",
    "cluster_memory_reservation_pct",
    "service_fargate_cost_usd",
    "cluster_ec2_cost_usd",
    "cluster_fargate_cost_usd",
    "cluster_fargate_spot_cost_usd",
    "cluster_cost_usd",
    "requests",
    "requests_per_target",
    "response_time_p50_s",
    "response_time_p90_s",
    "response_time_p99_s",
    "response_time_max_s",
    "target_5xx",
    "elb_5xx",
    "elb_502",
    "elb_503",
    "elb_504",
    "healthy_hosts",
    "unhealthy_hosts",
    "cpu_utilization_pct",
    "memory_utilization_pct",
];

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
        metrics.write_record(METRICS_HEADER).map_err(|e| OutputError::Csv { path: metrics_path.clone(), source: e })?;
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
        let mut record = vec![
            format!("{t:.3}"),
            row.service.clone(),
            row.desired.to_string(),
            row.running.to_string(),
            row.pending.to_string(),
            row.stopped_total.to_string(),
            row.cpu_reserved.to_string(),
            row.memory_reserved.to_string(),
            row.instances.to_string(),
            row.instances_desired.to_string(),
            row.instances_launching.to_string(),
            row.capacity_provider_reservation.map_or_else(String::new, |r| format!("{r:.1}")),
            format!("{:.2}", row.cluster_cpu_reservation),
            format!("{:.2}", row.cluster_memory_reservation),
            usd(row.service_fargate_cost),
            usd(row.cluster_cost.ec2),
            usd(row.cluster_cost.fargate),
            usd(row.cluster_cost.fargate_spot),
            usd(row.cluster_cost.total()),
        ];
        record.extend(traffic_columns(row.traffic.as_ref()));
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

/// The traffic columns of a row, empty without a load balancer.
fn traffic_columns(traffic: Option<&TrafficRow>) -> Vec<String> {
    let Some(t) = traffic else { return vec![String::new(); 15] };
    let seconds =
        |f: fn(&Percentiles) -> f64| t.response_time.as_ref().map_or(String::new(), |p| format!("{:.6}", f(p)));
    let pct = |v: Option<f64>| v.map_or(String::new(), |v| format!("{v:.2}"));
    vec![
        count(t.requests),
        format!("{:.3}", t.requests_per_target),
        seconds(|p| p.p50),
        seconds(|p| p.p90),
        seconds(|p| p.p99),
        seconds(|p| p.max),
        count(t.target_5xx),
        count(t.elb_5xx()),
        count(t.elb_502),
        count(t.elb_503),
        count(t.elb_504),
        t.healthy_hosts.to_string(),
        t.unhealthy_hosts.to_string(),
        pct(t.cpu_utilization),
        pct(t.memory_utilization),
    ]
}

/// A count: whole in the `requests` fidelity, fractional (3 decimals) in the `fluid` one.
fn count(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.3}")
    }
}

/// Dollars with 6 decimals: a fixed format, identical everywhere, fine enough that a second of the
/// cheapest instance (t3.nano, $0.0052/h ≈ $0.0000014/s) still shows.
fn usd(x: f64) -> String {
    format!("{x:.6}")
}
