//! The command line: clap types stop here and become calls into the library.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::engine::SimDuration;
use crate::output::{catalog_notes, catalog_text, summary_table, write_run, CatalogFormat, CatalogSection, RunOptions};
use crate::scenario::{self, LoadError};

#[derive(Parser)]
#[command(name = "ecsim", version, about = "A deterministic discrete-event simulator of AWS ECS clusters")]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Simulate a scenario and write metrics, events, a summary and charts to a folder.
    Run {
        /// The scenario file (YAML).
        scenario: PathBuf,
        /// Master seed (overrides the scenario's `seed`).
        #[arg(long)]
        seed: Option<u64>,
        /// Output folder [default: out/<scenario name>].
        #[arg(long)]
        out: Option<PathBuf>,
        /// Simulated time to run, e.g. `2h` (overrides the scenario's `duration`).
        #[arg(long, value_parser = parse_duration)]
        duration: Option<SimDuration>,
        /// Log why each task went to its instance: what was filtered out, by which rule, and the
        /// strategy values that made the chosen instance win (TASK_PLACEMENT events).
        #[arg(long)]
        explain_placement: bool,
    },
    /// Check a scenario and print every problem found.
    Validate {
        /// The scenario file (YAML).
        scenario: PathBuf,
    },
    /// Print the instance types and Fargate sizes the simulator knows, with prices and their dates.
    Catalog {
        /// Only this part [default: both; csv needs one].
        #[arg(value_enum)]
        section: Option<SectionArg>,
        /// `table` for reading; `csv` and `json` for spreadsheets and scripts (the price notes then
        /// go to stderr).
        #[arg(long, value_enum, default_value_t = FormatArg::Table)]
        format: FormatArg,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum SectionArg {
    Instances,
    Fargate,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FormatArg {
    Table,
    Csv,
    Json,
}

fn parse_duration(text: &str) -> Result<SimDuration, String> {
    match humantime::parse_duration(text) {
        Ok(d) if !d.is_zero() => Ok(d.into()),
        Ok(_) => Err("must be greater than 0s".into()),
        Err(e) => Err(format!("{e}; write a number with a unit, e.g. `90s`, `5m`, `2h`")),
    }
}

/// Exit codes: 0 success, 1 invalid scenario, 2 any other error.
pub fn main(cli: Cli) -> ExitCode {
    let result = match cli.command {
        Command::Validate { scenario } => validate(&scenario),
        Command::Catalog { section, format } => catalog(section, format),
        Command::Run { scenario, seed, out, duration, explain_placement } => {
            run(&scenario, (seed, duration), out, RunOptions { explain_placement })
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Invalid(report)) => {
            eprintln!("{report}");
            ExitCode::from(1)
        }
        Err(Failure::Other(e)) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

enum Failure {
    Invalid(String),
    Other(anyhow::Error),
}

impl From<LoadError> for Failure {
    fn from(e: LoadError) -> Self {
        match e {
            LoadError::Invalid(report) => {
                let n = report.diagnostics.len();
                Failure::Invalid(format!("{report}\n{n} problem{} found", if n == 1 { "" } else { "s" }))
            }
            other => Failure::Other(other.into()),
        }
    }
}

fn validate(path: &Path) -> Result<(), Failure> {
    scenario::load(path)?;
    println!("ok");
    Ok(())
}

fn catalog(section: Option<SectionArg>, format: FormatArg) -> Result<(), Failure> {
    let section = section.map(|s| match s {
        SectionArg::Instances => CatalogSection::Instances,
        SectionArg::Fargate => CatalogSection::Fargate,
    });
    let text = catalog_text(
        section,
        match format {
            FormatArg::Table => CatalogFormat::Table,
            FormatArg::Csv => CatalogFormat::Csv,
            FormatArg::Json => CatalogFormat::Json,
        },
    )
    .map_err(|e| Failure::Other(e.into()))?;
    if format != FormatArg::Table {
        eprint!("{}", catalog_notes());
    }
    // Output piped into `head` closes early; that is not an error.
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Failure::Other(e.into())),
        _ => Ok(()),
    }
}

/// The files a run wrote, data before charts: what the folder holds, so the list never goes stale.
fn output_files(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .map(|entries| entries.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    names.sort_by_key(|n| {
        (
            n.ends_with(".png") || n.ends_with(".svg"),
            FIRST.iter().position(|f| f == n).unwrap_or(FIRST.len()),
            n.clone(),
        )
    });
    names
}

/// The data files in the order a reader wants them; the rest follow by name.
const FIRST: [&str; 5] = ["metrics.csv", "events.jsonl", "summary.json", "run.json", "scenario.yaml"];

fn run(
    path: &Path,
    (seed, duration): (Option<u64>, Option<SimDuration>),
    out: Option<PathBuf>,
    options: RunOptions,
) -> Result<(), Failure> {
    let (mut scenario, bytes) = scenario::load(path)?;
    if let Some(seed) = seed {
        scenario.seed = seed;
    }
    if let Some(duration) = duration {
        scenario.duration = duration;
    }
    let out = out.unwrap_or_else(|| Path::new("out").join(&scenario.name));
    let file_name = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
    let report = write_run(&scenario, (&file_name, &bytes), &out, options).map_err(|e| Failure::Other(e.into()))?;
    println!("{}", summary_table(&report.summary));
    println!("\noutputs in {}/: {}", report.folder.display(), output_files(&report.folder).join(", "));
    Ok(())
}
