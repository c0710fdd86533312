//! Writing a run to disk: one folder with metrics.csv, events.jsonl, summary.json, run.json, the
//! scenario file, and charts. Files are written into a staging folder that replaces the output
//! folder only when everything is written, so a failed run never leaves files that look complete.

mod catalog;
pub mod chart;
mod folder;
mod recorder;
mod report;
pub mod sweep;

pub use catalog::{catalog_notes, catalog_text, CatalogError, CatalogFormat, CatalogSection};
pub use folder::{remove_open_staging, RunFolder};
pub use recorder::FileRecorder;
pub use report::{summary_table, write_run, write_run_measured, OutputError, RunOptions, RunReport};
