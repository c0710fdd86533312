//! The command line: clap types stop here and become calls into the library.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::sweep::run::Shard;

mod import;
mod labs;
mod shard_env;
mod sweep;

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
        /// Simulated time to run, e.g. `2h` (overrides the scenario's `duration`, checked as the
        /// file's is: a fault or action after the new end is reported).
        #[arg(long)]
        duration: Option<String>,
        /// Log why each task went to its instance: what was filtered out, by which rule, and the
        /// strategy values that made the chosen instance win (TASK_PLACEMENT events).
        #[arg(long)]
        explain_placement: bool,
        /// Override one setting of the scenario, `PATH=VALUE` (repeatable), e.g.
        /// `--set services.web.desired_count=8`; VALUE is YAML. Checked like the file.
        #[arg(long = "set", value_name = "PATH=VALUE")]
        set: Vec<String>,
        /// Run even if the run's estimated size is past the budget (about 10^9 requests simulated
        /// one by one, 10^9 fluid steps, or 1 GiB of output).
        #[arg(long)]
        force: bool,
    },
    /// Run every variant of an experiment on every seed, in parallel, and compare them.
    Sweep {
        /// The experiment file (YAML with `experiment:`, `base:`, `variants:` or `axes:`).
        experiment: PathBuf,
        /// Output folder [default: out/<experiment name>].
        #[arg(long)]
        out: Option<PathBuf>,
        /// Runs at once, and threads for the statistics and charts after them [default: the number
        /// of cores].
        #[arg(long)]
        jobs: Option<usize>,
        /// Run only shard I of N (1-based), e.g. `--shard 2/4`; merge the shards' folders with
        /// `ecsim merge`.
        #[arg(long, value_parser = parse_shard, conflicts_with = "shard_from_env")]
        shard: Option<Shard>,
        /// Take the shard from the batch engine's environment: JOB_COMPLETION_INDEX with
        /// ECSIM_SHARDS (Kubernetes Indexed Job), AWS_BATCH_JOB_ARRAY_INDEX with ECSIM_SHARDS
        /// (AWS Batch array job), SLURM_ARRAY_TASK_ID with SLURM_ARRAY_TASK_COUNT (Slurm).
        #[arg(long)]
        shard_from_env: bool,
        /// Also write every run's own folder (metrics, events, charts) under runs/.
        #[arg(long)]
        keep_runs: bool,
        /// Run even if a run's estimated size is past the budget (see `ecsim run --force`).
        #[arg(long)]
        force: bool,
    },
    /// Merge the folders of `ecsim sweep --shard` into the folder an unsharded sweep writes.
    Merge {
        /// The shard folders, in any order.
        #[arg(required = true)]
        shards: Vec<PathBuf>,
        /// The merged folder.
        #[arg(long)]
        out: PathBuf,
        /// The experiment file, if not where the shards were run from.
        #[arg(long)]
        experiment: Option<PathBuf>,
    },
    /// Compare run folders or sweep folders side by side.
    Compare {
        /// Run folders (`ecsim run`) or sweep folders (`ecsim sweep`).
        #[arg(required = true)]
        folders: Vec<PathBuf>,
    },
    /// Remake report.html (and the timeline and traffic charts of a run) of an output folder from
    /// its files, without rerunning.
    Report {
        /// A run folder (`ecsim run`) or a sweep folder (`ecsim sweep`, `ecsim merge`).
        folder: PathBuf,
    },
    /// Check a scenario and print every problem found.
    Validate {
        /// The scenario file (YAML).
        scenario: PathBuf,
    },
    /// Write a scenario from what AWS already describes, on standard output.
    Import {
        #[command(subcommand)]
        source: ImportSource,
    },
    /// List the teaching labs, or run one: `ecsim labs run NN [--out DIR]`.
    Labs(labs::LabsArgs),
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

#[derive(Subcommand)]
enum ImportSource {
    /// A CloudFormation template (YAML or JSON): its ECS services, task definitions, capacity
    /// providers, Auto Scaling groups, target groups and Application Auto Scaling policies.
    Cloudformation {
        /// The template file.
        template: PathBuf,
        /// A parameter's value (`--param DesiredCount=4`; `AWS::Region=eu-west-1` for the region);
        /// parameters not given take their `Default`.
        #[arg(long = "param", value_name = "NAME=VALUE", value_parser = import::parameter)]
        params: Vec<(String, String)>,
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

fn parse_shard(text: &str) -> Result<Shard, String> {
    let (i, n) = text.split_once('/').ok_or("write the shard as I/N, e.g. `2/4`")?;
    let (i, n): (usize, usize) = (
        i.trim().parse().map_err(|_| format!("`{i}` is not a shard number"))?,
        n.trim().parse().map_err(|_| format!("`{n}` is not a shard count"))?,
    );
    if n == 0 || i == 0 || i > n {
        return Err(format!("shard {i}/{n}: I must be from 1 to N"));
    }
    Ok(Shard { index: i - 1, count: n })
}

/// `ecsim report DIR`: the folder's views remade in place.
fn report(folder: &std::path::Path) -> Result<(), Failure> {
    let written = crate::output::write_report(folder).map_err(|e| Failure::Other(e.into()))?;
    say(&format!("wrote {} in {}/\n", written.join(", "), folder.display()))
}

/// Exit codes: 0 success, 1 invalid scenario, 2 any other error.
pub fn main(cli: Cli) -> ExitCode {
    // Ctrl-C or a kill: no half-written `.partial` folder is left behind (exit 130, the shell's
    // code for an interrupt). A handler that cannot be installed leaves the default behaviour.
    let _ = ctrlc::set_handler(|| {
        let removed = crate::output::remove_open_staging();
        eprintln!("interrupted: {removed} unfinished output folder(s) removed");
        std::process::exit(130);
    });
    let result = match cli.command {
        Command::Validate { scenario } => validate(&scenario),
        Command::Catalog { section, format } => catalog(section, format),
        Command::Import { source: ImportSource::Cloudformation { template, params } } => {
            import::cloudformation(&template, &params)
        }
        Command::Run { scenario, seed, out, duration, explain_placement, set, force } => {
            run(&scenario, (seed, duration), out, RunOptions { explain_placement }, (&set, force))
        }
        Command::Sweep { experiment, out, jobs, shard, shard_from_env, keep_runs, force } => {
            let shard = if shard_from_env {
                shard_env::from_env().map(Some).map_err(|e| Failure::Other(anyhow::anyhow!(e)))
            } else {
                Ok(shard)
            };
            shard.and_then(|shard| sweep::sweep(&experiment, out, jobs, shard, (keep_runs, force)))
        }
        Command::Merge { shards, out, experiment } => sweep::merge(&shards, &out, experiment.as_deref()),
        Command::Compare { folders } => sweep::compare(&folders),
        Command::Report { folder } => report(&folder),
        Command::Labs(args) => labs::labs(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Invalid(report)) => {
            eprintln!("{report}");
            ExitCode::from(1)
        }
        Err(Failure::Other(e)) => {
            eprintln!("error: {}", message(&e));
            ExitCode::from(2)
        }
    }
}

/// An error and its causes, each said once: most of the library's errors already quote their
/// source (`cannot read x: No such file`), which `{:#}` would repeat.
fn message(e: &anyhow::Error) -> String {
    let mut text = e.to_string();
    for cause in e.chain().skip(1) {
        let cause = cause.to_string();
        if !text.contains(&cause) {
            text = format!("{text}: {cause}");
        }
    }
    text
}

pub(crate) enum Failure {
    Invalid(String),
    Other(anyhow::Error),
}

impl From<LoadError> for Failure {
    fn from(e: LoadError) -> Self {
        match e {
            LoadError::Invalid(report) => Failure::invalid(&report, report.diagnostics.len()),
            other => Failure::Other(other.into()),
        }
    }
}

impl Failure {
    /// An invalid input's report (exit 1), closed by how many problems it lists.
    fn invalid(report: &dyn std::fmt::Display, problems: usize) -> Failure {
        let s = if problems == 1 { "" } else { "s" };
        Failure::Invalid(format!("{report}\n{problems} problem{s} found"))
    }
}

fn validate(path: &Path) -> Result<(), Failure> {
    let (scenario, _) = scenario::load(path)?;
    for note in &scenario.notes {
        eprintln!("note: {note}");
    }
    say("ok\n")
}

/// Writes to standard output. A reader that closed the pipe early (`| head -1`) is not an
/// error: the command stops there with success; any other failure (a full disk behind `>`) is
/// an error, exit 2.
pub(crate) fn say(text: &str) -> Result<(), Failure> {
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        Err(e) => Err(Failure::Other(anyhow::anyhow!("cannot write to standard output: {e}"))),
        Ok(()) => Ok(()),
    }
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
    say(&text)
}

/// Refuses (exit 1) the runs of `file` whose estimated size is past the budget: each named (a
/// sweep's variant; empty for a single run), with what is over and what would bring it under.
pub(crate) fn within_budget(file: &str, runs: &[(String, &scenario::Scenario)]) -> Result<(), Failure> {
    let mut lines = Vec::new();
    for (name, scenario) in runs {
        for over in crate::sim::estimate(scenario).over_budget() {
            let run = if name.is_empty() { "this run".to_string() } else { format!("variant `{name}`") };
            lines.push(format!("{file}: {run} is too large: {over}"));
        }
    }
    if lines.is_empty() {
        return Ok(());
    }
    let n = lines.len();
    lines.push("  hint: pass --force to run it anyway".into());
    Err(Failure::invalid(&lines.join("\n"), n))
}

/// Loads the scenario at `path` changed by `--set PATH=VALUE` overrides, validated as a whole.
fn load_with_sets(path: &Path, set: &[(String, String)]) -> Result<(scenario::Scenario, Vec<u8>), Failure> {
    let mut overrides = Vec::new();
    let mut problems = Vec::new();
    for (flag, text) in set {
        let origin = scenario::Origin { file: "command line".into(), line: None, path: flag.clone() };
        match scenario::parse_assignment(text) {
            Ok((path, value)) => overrides.push(scenario::Override { path, value: Some(value), origin }),
            Err(message) => problems.push(scenario::Diagnostic {
                file: Some(origin.file),
                path: origin.path,
                line: None,
                message,
                hint: None,
            }),
        }
    }
    if !problems.is_empty() {
        return Err(LoadError::Invalid(scenario::ScenarioError::new(path.display().to_string(), problems)).into());
    }
    Ok(scenario::load_overridden(path, &overrides)?)
}

/// The files a run wrote (the marker aside), data before charts: what the folder holds, so the list never goes stale.
fn output_files(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .map(|entries| entries.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    // The `.ecsim` marker is ecsim's own bookkeeping, not an output to open.
    names.retain(|n| !n.starts_with('.'));
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
const FIRST: [&str; 7] =
    ["report.html", "metrics.csv", "breakdown.csv", "events.jsonl", "summary.json", "run.json", "scenario.yaml"];

fn run(
    path: &Path,
    (seed, duration): (Option<u64>, Option<String>),
    out: Option<PathBuf>,
    options: RunOptions,
    (set, force): (&[String], bool),
) -> Result<(), Failure> {
    // `--duration` is one more override, so it is validated with the whole scenario.
    let mut set: Vec<(String, String)> =
        set.iter().enumerate().map(|(i, text)| (format!("--set #{}", i + 1), text.clone())).collect();
    if let Some(duration) = duration {
        set.push(("--duration".into(), format!("duration={duration}")));
    }
    let (mut scenario, bytes) = if set.is_empty() { scenario::load(path)? } else { load_with_sets(path, &set)? };
    if let Some(seed) = seed {
        scenario.seed = seed;
    }
    for note in &scenario.notes {
        eprintln!("note: {note}");
    }
    if !force {
        within_budget(&path.display().to_string(), &[(String::new(), &scenario)])?;
    }
    let out = out.unwrap_or_else(|| Path::new("out").join(&scenario.name));
    let file_name = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
    let report = write_run(&scenario, (&file_name, &bytes), &out, options).map_err(|e| Failure::Other(e.into()))?;
    say(&format!("{}\n", summary_table(&report.summary)))?;
    say(&format!("\noutputs in {}/: {}\n", report.folder.display(), output_files(&report.folder).join(", ")))?;
    Ok(())
}
