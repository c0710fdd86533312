//! Rate patterns: a number or a tagged pattern in the YAML, a [`Rate`](crate::traffic::rate::Rate)
//! out. A traffic source's `rate`, a service's `load:` (`cpu`, `memory`) and every
//! `custom_metrics:` series take one; the patterns themselves live in `traffic::rate`.
//!
//! Three steps, in the order `load` runs them:
//! - `schema`: the rate as written (a number, or one of `constant`, `step`, `ramp`, `spike`,
//!   `diurnal`, `weekly`, `noise`, `sum`, `product`, `clip`, `trace`, which may nest other rates);
//!   unknown fields and patterns are parse errors;
//! - `trace_file`: [`load_traces`] reads the CSV file of every `trace:` (relative to the scenario
//!   file) into its node before validation, each problem with the file and line;
//! - `validate`: [`check`] checks every parameter with its path
//!   (`traffic[0].rate.sum[1].ramp.end`), reporting through the scenario validator's `Checker`,
//!   and builds the `Rate`.
//!
//! The rest of `scenario` uses only [`RawRate`], [`load_traces`] and [`check`].

mod schema;
mod trace_file;
mod validate;

pub(crate) use schema::RawRate;
pub(crate) use trace_file::load_traces;
pub(crate) use validate::check;
