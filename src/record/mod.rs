//! The vocabulary every module records with: the [`Recorder`] a run hands its observations to,
//! the event log's [`EventKind`]s and [`LogEvent`]s, a metrics row's shape and the latency
//! histograms. It sits under the domain modules (they log through it) and names none of them;
//! the readers of the world that fill rows and summaries are in `metrics`, and `output`
//! implements a recorder with files, so the model itself never does I/O.

mod breakdown;
mod event;
mod latency;
mod row;

pub use breakdown::{Breakdown, Count, Dimension};
pub use event::{EventKind, LogEvent};
pub use latency::{Latencies, Percentiles};
pub use row::{Cost, MetricsRow, TrafficRow};

use crate::engine::SimTime;

/// Receives observations as the run goes. Implementations must not fail the run: an output
/// error is kept and reported when the run ends.
pub trait Recorder {
    fn event(&mut self, event: &LogEvent);
    fn row(&mut self, row: &MetricsRow);
    /// The response times a service's targets gave in the interval that ends at `time`, just
    /// before its row: for recorders that merge intervals (an experiment's measures, which leave
    /// out a warm-up). Called only for services behind a load balancer; ignored by default.
    fn interval_latencies(&mut self, _time: SimTime, _service: &str, _latencies: &Latencies) {}
    /// Whether the recorder keeps [`Recorder::breakdown`]s: a run reads them off the world only
    /// for a recorder that does (an experiment's in-memory runs do not).
    fn wants_breakdown(&self) -> bool {
        false
    }
    /// The counts behind the rows of an instant, by dimension: each service's, then the
    /// cluster's, right after the instant's rows; only if [`Recorder::wants_breakdown`].
    fn breakdown(&mut self, _breakdown: &Breakdown) {}
}
