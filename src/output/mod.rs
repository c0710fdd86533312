//! Writing a run to disk: one folder with metrics.csv, breakdown.csv, events.jsonl, summary.json,
//! run.json, the scenario file, charts and report.html. Files are written into a staging folder that replaces the output
//! folder only when everything is written, so a failed run never leaves files that look complete.

mod by_name;
mod catalog;
pub mod chart;
mod folder;
mod html;
mod recorder;
mod run;
pub mod sweep;

pub use catalog::{catalog_notes, catalog_text, CatalogError, CatalogFormat, CatalogSection};
pub use folder::rewrite_in_place;
pub use folder::{remove_open_staging, RunFolder};
pub use html::{read_run, write_report, RunFiles, RUN_VIEWS, TABLE_ROWS};
pub use recorder::FileRecorder;
pub use run::{summary_table, write_run, write_run_measured, OutputError, RunOptions, RunReport};
