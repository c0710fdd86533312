//! Reading sweep and run folders back: `ecsim merge` (shards into the folder an unsharded sweep
//! writes) and `ecsim compare` (folders side by side).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{tables, write_folder, SweepInfo, SweepReport};
use crate::output::{OutputError, RunFolder};
use crate::sweep::aggregate::{compare as compare_rows, RunRow, Setup};
use crate::sweep::experiment::{self, Experiment};
use crate::sweep::measures::{RunMeasures, MEASURES};
use crate::sweep::run::plan;

/// Why folders could not be merged or compared.
#[derive(Debug, thiserror::Error)]
pub enum FolderError {
    #[error(transparent)]
    Output(#[from] OutputError),
    #[error("{0}")]
    Experiment(#[from] experiment::ExperimentError),
    #[error("{0}")]
    Mismatch(String),
}

fn read_info(folder: &Path) -> Result<SweepInfo, FolderError> {
    let path = folder.join("sweep.json");
    let text = std::fs::read_to_string(&path).map_err(|source| OutputError::Io { path: path.clone(), source })?;
    serde_json::from_str(&text)
        .map_err(|e| FolderError::Mismatch(format!("{} is not an ecsim sweep.json: {e}", path.display())))
}

/// Merges shard folders (any order) into `out`: exactly the folder `ecsim sweep` without
/// `--shard` writes. Every shard must be there once, all of one experiment and version.
pub fn merge(shards: &[PathBuf], out: &Path, experiment_file: Option<&Path>) -> Result<SweepReport, FolderError> {
    let infos: Vec<SweepInfo> = shards.iter().map(|s| read_info(s)).collect::<Result<_, _>>()?;
    let first = &infos[0];
    let mut problems = Vec::new();
    let mut by_index: BTreeMap<usize, Vec<&Path>> = BTreeMap::new();
    for (info, folder) in infos.iter().zip(shards) {
        let Some(shard) = info.shard else {
            problems.push(format!("{} is a whole sweep, not a shard", folder.display()));
            continue;
        };
        let same = (&info.experiment_sha256, &info.base_sha256, &info.ecsim_version, shard.count)
            == (&first.experiment_sha256, &first.base_sha256, &first.ecsim_version, first.shard.map_or(0, |s| s.count));
        if !same {
            problems.push(format!(
                "{} is shard {}/{} of another experiment, version or shard count than {}",
                folder.display(),
                shard.index,
                shard.count,
                shards[0].display()
            ));
        }
        by_index.entry(shard.index).or_default().push(folder);
    }
    let count = first.shard.map_or(0, |s| s.count);
    for (index, folders) in by_index.iter().filter(|(_, f)| f.len() > 1) {
        let names: Vec<String> = folders.iter().map(|f| f.display().to_string()).collect();
        problems.push(format!("shard {index}/{count} is given twice: {}", names.join(", ")));
    }
    let missing: Vec<String> =
        (1..=count).filter(|i| !by_index.contains_key(i)).map(|i| format!("{i}/{count}")).collect();
    if !missing.is_empty() {
        problems.push(format!("missing shard{} {}", if missing.len() == 1 { "" } else { "s" }, missing.join(", ")));
    }
    if !problems.is_empty() {
        return Err(FolderError::Mismatch(problems.join("\n")));
    }
    let path = experiment_file.map_or_else(|| PathBuf::from(&first.experiment_file), Path::to_path_buf);
    let mut experiment = experiment::load(&path).map_err(|e| match e {
        experiment::ExperimentError::Io { path, source } => FolderError::Mismatch(format!(
            "cannot read the shards' experiment {}: {source}; run `ecsim merge` where the shards were run, or give it with --experiment",
            path.display()
        )),
        other => FolderError::Experiment(other),
    })?;
    // The folder names the files as the shards saw them, wherever the experiment is read from now.
    (experiment.file, experiment.base_file) = (first.experiment_file.clone(), first.base_file.clone());
    let expected = SweepInfo::of(&experiment, None);
    if expected.experiment_sha256 != first.experiment_sha256 || expected.base_sha256 != first.base_sha256 {
        return Err(FolderError::Mismatch(format!(
            "{} (or its base scenario) changed since the shards ran: its hash differs from theirs",
            path.display()
        )));
    }
    let rows = merged_rows(&experiment, shards, &infos)?;
    Ok(write_folder(RunFolder::create(out)?, &experiment, &expected, &rows)?)
}

/// Every run of the plan, from the shard that ran it, in plan order.
fn merged_rows(experiment: &Experiment, shards: &[PathBuf], infos: &[SweepInfo]) -> Result<Vec<RunRow>, FolderError> {
    let mut found: BTreeMap<(String, u64), Result<RunMeasures, String>> = BTreeMap::new();
    for (folder, _) in shards.iter().zip(infos) {
        for (variant, seed, result) in tables::read_runs(folder)? {
            found.insert((variant, seed), result);
        }
    }
    plan(experiment, None)
        .into_iter()
        .map(|k| {
            let name = experiment.variants[k.variant].name.clone();
            let result = found.remove(&(name.clone(), k.seed)).ok_or_else(|| {
                FolderError::Mismatch(format!("no shard holds the run of variant `{name}`, seed {}", k.seed))
            })?;
            Ok(RunRow { index: k.index, variant: k.variant, seed: k.seed, result })
        })
        .collect()
}

/// Folders compared side by side: each run folder is a variant of one seed (named by its folder),
/// each sweep folder gives its variants (prefixed by the folder's name when there are several
/// folders). Seeds pair runs for the differences; the first variant is the baseline.
pub fn compare(folders: &[PathBuf]) -> Result<String, FolderError> {
    let mut names: Vec<String> = Vec::new();
    let mut rows: Vec<RunRow> = Vec::new();
    let mut seeds = 0;
    for folder in folders {
        let label =
            folder.file_name().map_or_else(|| folder.display().to_string(), |n| n.to_string_lossy().into_owned());
        if folder.join("sweep.json").exists() {
            let info = read_info(folder)?;
            seeds = seeds.max(info.seeds.len());
            for (variant, seed, result) in tables::read_runs(folder)? {
                let name = if folders.len() > 1 { format!("{label}:{variant}") } else { variant };
                let v = names.iter().position(|n| *n == name).unwrap_or_else(|| {
                    names.push(name);
                    names.len() - 1
                });
                rows.push(RunRow { index: rows.len(), variant: v, seed, result });
            }
        } else if folder.join("run.json").exists() {
            let (seed, values) = read_run_folder(folder)?;
            seeds = seeds.max(1);
            names.push(label);
            rows.push(RunRow {
                index: rows.len(),
                variant: names.len() - 1,
                seed,
                result: Ok(RunMeasures { values, series: Vec::new() }),
            });
        } else {
            return Err(FolderError::Mismatch(format!(
                "{} is neither a run folder (run.json) nor a sweep folder (sweep.json)",
                folder.display()
            )));
        }
    }
    if names.is_empty() {
        let listed: Vec<String> = folders.iter().map(|f| f.display().to_string()).collect();
        return Err(FolderError::Mismatch(format!("no runs to compare in {}", listed.join(", "))));
    }
    let setup =
        Setup { variants: names, baseline: 0, confidence: 0.95, seeds, objective: None, half_widths: Vec::new() };
    let comparison = compare_rows(&setup, &rows);
    let listed: Vec<String> = folders.iter().map(|f| format!("`{}`", f.display())).collect();
    let context = format!("{}; paired by seed against the first variant.", listed.join(", "));
    Ok(super::markdown("Comparison", &setup, &comparison, &context))
}

/// A run folder's seed (run.json) and measures (measures.json).
fn read_run_folder(folder: &Path) -> Result<(u64, Vec<Option<f64>>), FolderError> {
    let read = |name: &str| -> Result<serde_json::Value, FolderError> {
        let path = folder.join(name);
        let text = std::fs::read_to_string(&path).map_err(|source| OutputError::Io { path: path.clone(), source })?;
        serde_json::from_str(&text).map_err(|e| FolderError::Mismatch(format!("{}: {e}", path.display())))
    };
    let seed = read("run.json")?["seed"]
        .as_u64()
        .ok_or_else(|| FolderError::Mismatch(format!("{}: run.json has no seed", folder.display())))?;
    let measures = read("measures.json")?;
    let values = MEASURES.iter().map(|m| measures["measures"][m.name].as_f64()).collect();
    Ok((seed, values))
}
