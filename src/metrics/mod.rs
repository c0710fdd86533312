//! The readers of the world: per-interval metric rows ([`sample`]), the summary figures and the
//! bill of a run. They read the world and hand rows to a [`crate::record::Recorder`]; the
//! vocabulary they record with is `crate::record`, which the domains log through too.

mod breakdown;
mod columns;
mod cost;
mod decimal;
mod sample;
mod summary;

pub use breakdown::breakdowns;
pub use columns::{column_named, first_non_finite, Column, Format, COLUMNS};
pub use cost::{bill, cost_of_run, round_usd, Bill, Pricing};
pub use decimal::write_fixed;
pub use sample::{next_sample, sample, SampleAt};
pub use summary::{DeploymentSummary, ServiceSummary, Summary, TrafficShiftSummary, TrafficSummary};
