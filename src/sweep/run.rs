//! Running an experiment: every (variant, seed) pair, in parallel, results in input order.
//!
//! The plan is variant-major (every seed of the first variant, then the next); a run's index in
//! it is its identity. Results are collected in plan order whatever the number of threads, and
//! each run is a pure function of its scenario and seed, so the output never depends on `--jobs`.
//! A shard `i/n` takes the runs whose index is `i` modulo `n` (so every shard gets a share of every
//! variant), and merging shards restores plan order.

use std::panic::{catch_unwind, AssertUnwindSafe};

use rayon::prelude::*;

use super::experiment::Experiment;
use super::measures::{MeasureRecorder, MeasureSpec, RunMeasures};
use crate::record::Recorder;
use crate::scenario::Scenario;
use crate::sim::Simulation;

/// One run of the plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct RunKey {
    /// Position in the plan.
    pub index: usize,
    pub variant: usize,
    pub seed: u64,
}

/// A deterministic subset of the plan: shard `index` of `count` (0-based).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl Shard {
    pub fn contains(self, run: usize) -> bool {
        run % self.count == self.index
    }
}

/// Every run of `experiment`, in plan order, or only those of `shard`.
pub fn plan(experiment: &Experiment, shard: Option<Shard>) -> Vec<RunKey> {
    let seeds = &experiment.seeds;
    (0..experiment.variants.len())
        .flat_map(|v| seeds.iter().map(move |&seed| (v, seed)))
        .enumerate()
        .map(|(index, (variant, seed))| RunKey { index, variant, seed })
        .filter(|k| shard.is_none_or(|s| s.contains(k.index)))
        .collect()
}

/// The scenario of one run: its variant's, with the run's seed.
pub fn scenario_of(experiment: &Experiment, key: RunKey) -> Scenario {
    let mut scenario = experiment.variants[key.variant].scenario.clone();
    scenario.seed = key.seed;
    scenario
}

/// Simulates `scenario` and measures it by `spec`, passing every observation to `inner` too (a
/// run folder's files), if given.
pub fn measure(scenario: &Scenario, spec: &MeasureSpec, inner: Option<&mut dyn Recorder>) -> RunMeasures {
    let mut recorder = MeasureRecorder::new(spec, inner);
    let (world, summary) = Simulation::new(scenario, &mut recorder, false).run();
    recorder.finish(&world, &summary)
}

/// What became of one run: its measures, or why it failed.
pub type Outcome = Result<RunMeasures, String>;

/// Runs `keys` on the threads of `pool` with `run` (which measures one run: in memory, or writing
/// its folder too), calling `started` and `finished` as each begins and ends (from any thread; for
/// a progress display). A run that panics is reported as a failed outcome; the others go on.
pub fn run_all(
    experiment: &Experiment,
    keys: &[RunKey],
    pool: &rayon::ThreadPool,
    run: &(dyn Fn(RunKey, &Scenario, &MeasureSpec) -> Outcome + Sync),
    started: &(dyn Fn(RunKey) + Sync),
    finished: &(dyn Fn(RunKey) + Sync),
) -> Vec<Outcome> {
    let one = |&key: &RunKey| {
        started(key);
        let variant = &experiment.variants[key.variant];
        let scenario = scenario_of(experiment, key);
        let outcome = catch_unwind(AssertUnwindSafe(|| run(key, &scenario, &variant.spec)))
            .unwrap_or_else(|panic| Err(panic_message(&*panic)));
        finished(key);
        outcome
    };
    // One thread takes the runs in plan order; more take them one at a time as they come free.
    if pool.current_num_threads() <= 1 {
        return pool.install(|| keys.iter().map(one).collect());
    }
    pool.install(|| keys.par_iter().with_max_len(1).map(one).collect())
}

/// `jobs` worker threads (at least one): a sweep runs everything in one such pool, its runs (and
/// each kept run's report and charts) and then its statistics and charts, so that it uses no more
/// threads than `--jobs` says.
pub fn worker_pool(jobs: usize) -> Result<rayon::ThreadPool, String> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(jobs.max(1))
        .build()
        .map_err(|e| format!("cannot start {jobs} worker threads: {e}"))
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    let text = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown cause".into());
    format!("the simulation stopped unexpectedly: {text} (please report this with the experiment file)")
}
