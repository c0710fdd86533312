//! Observations of a run: the event log, per-interval metric rows, and the summary figures. The
//! domain hands observations to a [`Recorder`]; `output` implements it with files, so the model
//! itself never does I/O.

mod columns;
mod cost;
mod sample;
mod summary;

pub use columns::{column_named, Column, Format, COLUMNS};
pub use cost::{bill, cost_of_run, round_usd, Bill, Pricing};
pub use sample::{next_sample, sample, SampleAt};
pub use summary::{DeploymentSummary, ServiceSummary, Summary, TrafficSummary};
