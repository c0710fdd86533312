//! `ecsim sweep`, `merge` and `compare`: experiment files in, sweep folders out, with a progress
//! bar on a terminal (runs done, ETA, the slowest variant so far) and the comparison printed.

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::{say, Failure};
use crate::output::sweep::{
    compare as compare_folders, merge as merge_shards, write_sweep, Progress, SweepOptions, SweepReport,
};
use crate::sweep::experiment::{self, Experiment, ExperimentError};
use crate::sweep::run::{RunKey, Shard};

impl From<ExperimentError> for Failure {
    fn from(e: ExperimentError) -> Self {
        match e {
            ExperimentError::Invalid(_) => Failure::invalid(&e, e.problems()),
            other => Failure::Other(anyhow::anyhow!("{other}")),
        }
    }
}

/// Wall time per variant so far, for "slowest variant" (display only: never in an output file).
struct Timing {
    started: Vec<Option<Instant>>,
    per_variant: Vec<(Duration, u32)>,
}

pub fn sweep(
    path: &Path,
    out: Option<PathBuf>,
    jobs: Option<usize>,
    shard: Option<Shard>,
    flags: (bool, bool),
) -> Result<(), Failure> {
    sweep_loaded(experiment::load(path)?, out, jobs, shard, flags)
}

/// [`sweep`] of an experiment already loaded (`ecsim labs run` loads its own).
pub fn sweep_loaded(
    experiment: Experiment,
    out: Option<PathBuf>,
    jobs: Option<usize>,
    shard: Option<Shard>,
    (keep_runs, force): (bool, bool),
) -> Result<(), Failure> {
    print_notes(&experiment.variants.iter().map(|v| (v.name.as_str(), &v.scenario.notes[..])).collect::<Vec<_>>());
    if !force {
        // Every variant's scenario is what a run of it simulates (the seed changes only noise).
        let runs: Vec<(String, &crate::scenario::Scenario)> =
            experiment.variants.iter().map(|v| (v.name.clone(), &v.scenario)).collect();
        super::within_budget(&experiment.file, &runs)?;
    }
    let out = out.unwrap_or_else(|| Path::new("out").join(&experiment.name));
    let jobs = jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())).max(1);
    let total = crate::sweep::run::plan(&experiment, shard).len();
    let bar = if std::io::stdout().is_terminal() {
        ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr())
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} runs, {elapsed} elapsed, ETA {eta} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let timing = Mutex::new(Timing {
        started: vec![None; experiment.variants.len() * experiment.seeds.len()],
        per_variant: vec![(Duration::ZERO, 0); experiment.variants.len()],
    });
    let names: Vec<&str> = experiment.variants.iter().map(|v| v.name.as_str()).collect();
    #[allow(clippy::disallowed_methods)] // Reason: the progress display's wall clock, never written to a file.
    let started = |key: RunKey| {
        if let Ok(mut t) = timing.lock() {
            t.started[key.index] = Some(Instant::now());
        }
    };
    let finished = |key: RunKey| {
        if let Ok(mut t) = timing.lock() {
            if let Some(s) = t.started[key.index] {
                let slot = &mut t.per_variant[key.variant];
                slot.0 += s.elapsed();
                slot.1 += 1;
            }
            let slowest = t
                .per_variant
                .iter()
                .enumerate()
                .filter(|(_, (_, n))| *n > 0)
                .map(|(v, (d, n))| (d.as_secs_f64() / f64::from(*n), v))
                .max_by(|a, b| a.0.total_cmp(&b.0));
            if let Some((secs, v)) = slowest {
                bar.set_message(format!("slowest: {} ({secs:.2} s a run)", names[v]));
            }
        }
        bar.inc(1);
    };
    let options = SweepOptions { jobs, shard, keep_runs };
    let report = write_sweep(&experiment, &out, options, Progress { started: &started, finished: &finished })
        .map_err(|e| Failure::Other(e.into()))?;
    bar.finish_and_clear();
    print_report(&report, total, shard)
}

fn print_report(report: &SweepReport, total: usize, shard: Option<Shard>) -> Result<(), Failure> {
    if let Some(md) = &report.comparison {
        say(&format!("{md}\n"))?;
    }
    for (variant, seed, why) in &report.failed {
        eprintln!("error: variant `{variant}`, seed {seed}: {why}");
    }
    let what = match shard {
        Some(s) => format!("shard {}/{}: {total} runs (merge the shards with `ecsim merge`)", s.index + 1, s.count),
        None => format!("{total} runs"),
    };
    say(&format!("{what} in {}/\n", report.folder.display()))?;
    if report.failed.is_empty() {
        Ok(())
    } else {
        Err(Failure::Other(anyhow::anyhow!(
            "{} of {total} runs failed; the others are in the folder",
            report.failed.len()
        )))
    }
}

pub fn merge(shards: &[PathBuf], out: &Path, experiment: Option<&Path>) -> Result<(), Failure> {
    let report = merge_shards(shards, out, experiment).map_err(|e| match e {
        crate::output::sweep::FolderError::Experiment(e) => Failure::from(e),
        other => Failure::Other(other.into()),
    })?;
    if let Some(md) = &report.comparison {
        say(&format!("{md}\n"))?;
    }
    say(&format!("merged {} shards into {}/\n", shards.len(), report.folder.display()))?;
    Ok(())
}

pub fn compare(folders: &[PathBuf]) -> Result<(), Failure> {
    let md = compare_folders(folders).map_err(|e| Failure::Other(e.into()))?;
    say(&format!("{md}\n"))
}

/// The variants' scenario notes (a trace cut to the run, say) on standard error, as `run` prints
/// its scenario's: each once, naming the variants it is about unless it is about every one.
fn print_notes(variants: &[(&str, &[String])]) {
    let mut seen: Vec<&String> = Vec::new();
    for (_, notes) in variants {
        for note in notes.iter() {
            if seen.contains(&note) {
                continue;
            }
            seen.push(note);
            let having: Vec<&str> = variants.iter().filter(|(_, n)| n.contains(note)).map(|(v, _)| *v).collect();
            if having.len() == variants.len() {
                eprintln!("note: {note}");
            } else {
                eprintln!("note ({}): {note}", having.join(", "));
            }
        }
    }
}
