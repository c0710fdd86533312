//! A sweep's folder: runs.csv, variants.csv, over-time.csv, summary.json, comparison.md, charts, and
//! sweep.json (what the sweep ran: the experiment's and base's hashes, its variants and seeds,
//! the shard). Written into a staging folder and swapped in at the end, like a run's.
//!
//! A shard's folder holds only its runs.csv, series.csv (every run's over-time metric) and
//! sweep.json. Every statistic is computed from values exactly as those files read back (measures
//! rounded as runs.csv writes them, series in round-trip form), so a merge of shards and the
//! unsharded sweep compute the same numbers and write byte-identical folders.

mod charts;
mod comparison;
mod folders;
mod tables;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::run::{sha256_hex, write_json, write_run_measured};
use super::{OutputError, RunFolder, RunOptions};
use crate::sweep::aggregate::{self, trim, Comparison, RunRow, Setup};
use crate::sweep::experiment::{folder_name, Experiment};
use crate::sweep::measures::MEASURES;
use crate::sweep::run::{measure, plan, run_all, worker_pool, RunKey, Shard};

pub use comparison::markdown;
pub use folders::{compare, merge, FolderError};

/// How a sweep runs and what it keeps.
#[derive(Clone, Copy, Debug)]
pub struct SweepOptions {
    pub jobs: usize,
    pub shard: Option<Shard>,
    /// Write every run's own folder under `runs/`.
    pub keep_runs: bool,
}

/// Called as each run starts and ends, from any worker thread.
pub struct Progress<'a> {
    pub started: &'a (dyn Fn(RunKey) + Sync),
    pub finished: &'a (dyn Fn(RunKey) + Sync),
}

/// What a sweep wrote.
pub struct SweepReport {
    pub folder: PathBuf,
    /// The tables as Markdown (`None` for a shard, which only holds its runs).
    pub comparison: Option<String>,
    /// Runs that failed: (variant, seed, why).
    pub failed: Vec<(String, u64, String)>,
}

/// sweep.json: what a sweep (or shard) folder holds. No wall-clock time: reruns are identical.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepInfo {
    pub ecsim_version: String,
    pub experiment: String,
    /// The experiment file as given on the command line (merge reads it again).
    pub experiment_file: String,
    pub experiment_sha256: String,
    pub base_file: String,
    pub base_sha256: String,
    pub variants: Vec<String>,
    pub seeds: Vec<u64>,
    /// Runs in the whole plan.
    pub runs: usize,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub shard: Option<ShardInfo>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardInfo {
    /// 1-based, as `--shard I/N` writes it.
    pub index: usize,
    pub count: usize,
}

impl SweepInfo {
    pub fn of(experiment: &Experiment, shard: Option<Shard>) -> SweepInfo {
        SweepInfo {
            ecsim_version: env!("CARGO_PKG_VERSION").into(),
            experiment: experiment.name.clone(),
            experiment_file: experiment.file.clone(),
            experiment_sha256: sha256_hex(&experiment.bytes),
            base_file: experiment.base_file.clone(),
            base_sha256: sha256_hex(&experiment.base_bytes),
            variants: experiment.variants.iter().map(|v| v.name.clone()).collect(),
            seeds: experiment.seeds.clone(),
            runs: experiment.variants.len() * experiment.seeds.len(),
            shard: shard.map(|s| ShardInfo { index: s.index + 1, count: s.count }),
        }
    }
}

/// Runs `experiment` (or one shard of it) and writes its folder at `out`.
pub fn write_sweep(
    experiment: &Experiment,
    out: &Path,
    options: SweepOptions,
    progress: Progress,
) -> Result<SweepReport, OutputError> {
    let folder = RunFolder::create(out)?;
    let keys = plan(experiment, options.shard);
    let runs_dir = folder.file("runs");
    let in_memory = |_: RunKey, scenario: &crate::scenario::Scenario, spec: &_| Ok(measure(scenario, spec, None));
    let keeping = |key: RunKey, scenario: &crate::scenario::Scenario, spec: &_| {
        let dir = runs_dir.join(folder_name(&experiment.variants[key.variant].name)).join(format!("seed-{}", key.seed));
        let source = (experiment.base_file.as_str(), experiment.base_bytes.as_slice());
        write_run_measured(scenario, source, &dir, RunOptions::default(), spec)
            .map(|report| report.measures)
            .map_err(|e| e.to_string())
    };
    if options.keep_runs {
        std::fs::create_dir_all(&runs_dir).map_err(|source| OutputError::Io { path: runs_dir.clone(), source })?;
    }
    let runner: &(dyn Fn(RunKey, &crate::scenario::Scenario, &_) -> _ + Sync) =
        if options.keep_runs { &keeping } else { &in_memory };
    let pool = worker_pool(options.jobs)
        .map_err(|e| OutputError::Io { path: out.to_path_buf(), source: std::io::Error::other(e) })?;
    let outcomes = run_all(experiment, &keys, &pool, runner, progress.started, progress.finished);
    let rows: Vec<RunRow> = keys
        .iter()
        .zip(outcomes)
        .map(|(k, result)| RunRow { index: k.index, variant: k.variant, seed: k.seed, result })
        .collect();
    // The statistics and charts on the same threads as the runs.
    pool.install(|| write_folder(folder, experiment, &SweepInfo::of(experiment, options.shard), &rows))
}

/// Writes the runs (in plan order) and what is computed from them into `folder` and swaps it in:
/// a whole sweep's or a merge's folder, or, when `info` names a shard, only the shard's runs,
/// series and sweep.json.
fn write_folder(
    folder: RunFolder,
    experiment: &Experiment,
    info: &SweepInfo,
    rows: &[RunRow],
) -> Result<SweepReport, OutputError> {
    let names = &info.variants;
    tables::write_runs(&folder.file("runs.csv"), names, rows)?;
    if info.shard.is_some() {
        // What `merge` needs to draw the over-time bands of the whole sweep.
        let metric = experiment.over_time.as_ref().map_or("value", |(m, _)| m.as_str());
        tables::write_series(&folder.file("series.csv"), metric, names, rows)?;
    }
    write_json(&folder.file("sweep.json"), info)?;
    let failed = rows
        .iter()
        .filter_map(|r| r.result.as_ref().err().map(|e| (names[r.variant].clone(), r.seed, e.clone())))
        .collect();
    let comparison = match info.shard {
        Some(_) => None,
        None => Some(finish(&folder, experiment, rows)?),
    };
    if info.shard.is_none() {
        crate::output::html::write_sweep_report(folder.path(), folder.path())?;
    }
    Ok(SweepReport { folder: folder.commit()?, comparison, failed })
}

/// Writes what is computed from the runs (all of them, in plan order); returns the comparison as
/// Markdown. The rows hold exactly what runs.csv and a shard's series.csv read back to (measures
/// rounded as written, series in round-trip form), so a merge computes the same.
fn finish(folder: &RunFolder, experiment: &Experiment, rows: &[RunRow]) -> Result<String, OutputError> {
    let setup = Setup::of(experiment);
    let comparison = aggregate::compare(&setup, rows);
    // The charts are drawn while the tables and the Markdown are written: neither reads the other.
    let (written, drawn) = rayon::join(
        || -> Result<String, OutputError> {
            tables::write_variants(&folder.file("variants.csv"), &comparison)?;
            if let Some((metric, _)) = &experiment.over_time {
                tables::write_bands(&folder.file("over-time.csv"), metric, &comparison)?;
            }
            write_json(&folder.file("summary.json"), &summary_json(experiment, &setup, &comparison, rows))?;
            let context = context_line(experiment);
            let md = markdown(&format!("Experiment {}", experiment.name), &setup, &comparison, &context);
            std::fs::write(folder.file("comparison.md"), &md)
                .map_err(|source| OutputError::Io { path: folder.file("comparison.md"), source })?;
            Ok(md)
        },
        || charts::write_all(folder, experiment, &setup, &comparison, rows),
    );
    let md = written?;
    drawn?;
    Ok(md)
}

fn context_line(e: &Experiment) -> String {
    let warm = if e.warm_up.is_zero() {
        "no warm-up".to_string()
    } else {
        format!("the first {} left out as warm-up", e.warm_up)
    };
    format!(
        "{} variants × {} seeds of `{}`, {:.0}% confidence intervals, {warm}; baseline `{}`.",
        e.variants.len(),
        e.seeds.len(),
        e.base_file,
        e.confidence * 100.0,
        e.variants[e.baseline].name
    )
}

/// Rounded for summary.json: two decimals more than runs.csv writes.
fn num(x: f64, decimals: usize) -> Value {
    trim(x, decimals + 2).parse::<f64>().map_or(Value::Null, |x| json!(x))
}

fn summary_json(e: &Experiment, setup: &Setup, c: &Comparison, rows: &[RunRow]) -> Value {
    let variants: Vec<Value> = c
        .variants
        .iter()
        .zip(&e.variants)
        .map(|(v, spec)| {
            let mut measures = serde_json::Map::new();
            let mut paired = serde_json::Map::new();
            for (m, def) in MEASURES.iter().enumerate() {
                let d = def.decimals;
                if let Some(s) = &v.measures[m] {
                    measures.insert(
                        def.name.into(),
                        json!({
                            "n": s.n, "mean": num(s.mean, d), "sd": s.sd.map(|x| num(x, d)),
                            "ci": s.ci.map(|(lo, hi)| [num(lo, d), num(hi, d)]),
                            "median": num(s.median, d), "min": num(s.min, d), "max": num(s.max, d),
                        }),
                    );
                }
                if let Some(p) = &v.paired[m] {
                    paired.insert(
                        def.name.into(),
                        json!({
                            "n": p.n, "mean_difference": num(p.mean_diff, d),
                            "ci": p.ci.map(|(lo, hi)| [num(lo, d), num(hi, d)]),
                            "ratio": p.ratio.map(|r| num(r, 4)), "differs": p.excludes_zero,
                        }),
                    );
                }
            }
            let overrides: Vec<Value> = spec
                .overrides
                .iter()
                .map(|o| match &o.value {
                    Some(v) => json!({ "set": o.path, "to": serde_yaml::to_string(v).unwrap_or_default().trim() }),
                    None => json!({ "unset": o.path }),
                })
                .collect();
            json!({ "name": v.name, "overrides": overrides, "runs": v.runs, "failed": v.failed, "measures": measures, "against_baseline": paired })
        })
        .collect();
    let objective = setup.objective.as_ref().zip(c.answer.as_ref()).map(|(o, a)| {
        json!({
            "minimize": MEASURES[o.minimize].name,
            "subject_to": o.constraints.iter().map(|k| format!("{} {}", MEASURES[k.measure].name, k.text)).collect::<Vec<_>>(),
            "best": a.best.map(|b| c.variants[b].name.clone()),
            "variants": a.feasibility.iter().map(|f| json!({
                "variant": c.variants[f.variant].name, "meets": f.meets,
                "confidence": f.confidence.map(|x| num(x, 4)), "seeds_meeting": f.seeds_meeting.0, "seeds": f.seeds_meeting.1,
                "pareto": a.pareto.contains(&f.variant),
            })).collect::<Vec<_>>(),
        })
    });
    let failed: Vec<Value> = rows
        .iter()
        .filter_map(|r| {
            r.result
                .as_ref()
                .err()
                .map(|err| json!({ "variant": c.variants[r.variant].name, "seed": r.seed, "error": err }))
        })
        .collect();
    json!({
        "experiment": e.name,
        "baseline": e.variants[e.baseline].name,
        "confidence": e.confidence,
        "warm_up_s": e.warm_up.as_secs_f64(),
        "seeds": e.seeds,
        "variants": variants,
        "objective": objective,
        "failed_runs": failed,
        "notes": c.notes,
    })
}
