//! A sweep's cost: 200 runs of the quickstart cluster (4 variants of `services.web.desired_count` ×
//! 50 seeds), each over a simulated day (the quickstart's own 30 minutes take 0.2 ms a run: 200 of
//! them are less work than drawing the sweep's charts, so they would time the charts, not the
//! sweep), through `write_sweep` at `--jobs 1` and `--jobs 2`, against the same 200 runs measured
//! one after another with nothing around them, in the same process.
//!
//! - **jobs 1 / jobs 2**: `ecsim::output::sweep::write_sweep` as `ecsim sweep` calls it, the
//!   folder written to a temporary directory (runs.csv, series.csv, variants.csv, summary.json,
//!   comparison.md and the charts), no progress display.
//! - **bare runs**: `ecsim::sweep::run::measure` over `plan(&experiment, None)`, one thread, no
//!   folder: what the sweep would cost if it were only its simulations.
//! - **bare runs on two threads**: the same, every other run on a second thread: the most two
//!   jobs can gain on this machine (two vCPUs of a shared host rarely give 2x), the reference
//!   for the `--jobs 2` speed-up.
//!
//! In benchmark mode (`cargo bench --bench sweep`) each is timed `ROUNDS` times, alternating, and
//! the medians are printed with the speed-up (jobs 1 / jobs 2) and the sweep's overhead over the
//! bare runs. Nothing is asserted: machines are noisy. Under `cargo test --benches` it runs a
//! 4 × 2 experiment once, to check that the bench still builds and runs.

mod common;

use common::{benchmark_mode, median};
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Instant;

use ecsim::output::sweep::{write_sweep, Progress, SweepOptions};
use ecsim::sweep::aggregate::{compare, RunRow, Setup};
use ecsim::sweep::experiment::{self, Experiment};
use ecsim::sweep::run::{measure, plan, run_all, scenario_of, worker_pool, RunKey};

const DESIRED_COUNTS: [u32; 4] = [4, 6, 8, 10];
const ROUNDS: usize = 7;
/// Simulated time of each run.
const DURATION: &str = "24h";

/// The bench experiment, written to `dir`: quickstart with the web service at each desired count.
fn experiment_file(dir: &Path, seeds: u32) -> PathBuf {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/quickstart.yaml");
    let variants: String = DESIRED_COUNTS
        .iter()
        .map(|n| format!("  - name: web-{n}\n    set: {{ duration: {DURATION}, services.web.desired_count: {n} }}\n"))
        .collect();
    let yaml = format!("experiment: sweep-bench\nbase: {}\nseeds: {seeds}\nvariants:\n{variants}", base.display());
    let path = dir.join("sweep-bench.yaml");
    std::fs::write(&path, yaml).expect("the temporary directory is writable");
    path
}

/// Runs the whole sweep at `jobs` into `out`; returns how many runs failed.
fn sweep(experiment: &Experiment, out: &Path, jobs: usize) -> usize {
    let options = SweepOptions { jobs, shard: None, keep_runs: false };
    let quiet = |_: RunKey| {};
    let report = write_sweep(experiment, out, options, Progress { started: &quiet, finished: &quiet })
        .expect("the sweep folder is written");
    report.failed.len()
}

/// The same runs, one after another, measured in memory and nothing else.
fn bare(experiment: &Experiment) {
    for key in plan(experiment, None) {
        measure_bare(experiment, key);
    }
}

/// One run of the plan, measured in memory and nothing else.
fn measure_bare(experiment: &Experiment, key: RunKey) {
    black_box(measure(&scenario_of(experiment, key), &experiment.variants[key.variant].spec, None));
}

/// The bare runs split over two threads, every other run each: the machine's own speed-up for two
/// independent streams of this work, with nothing of the sweep around them.
fn bare_on_two_threads(experiment: &Experiment) {
    let keys = plan(experiment, None);
    std::thread::scope(|scope| {
        for first in [0, 1] {
            let keys = &keys;
            scope.spawn(move || {
                for &key in keys.iter().skip(first).step_by(2) {
                    measure_bare(experiment, key);
                }
            });
        }
    });
}

/// The sweep without its folder: the same runs on a one-thread pool, kept in plan order, and the
/// statistics computed from them (what `write_sweep` does before it writes files).
fn engine(experiment: &Experiment) {
    let keys = plan(experiment, None);
    let quiet = |_: RunKey| {};
    let run = |_: RunKey, scenario: &ecsim::scenario::Scenario, spec: &_| Ok(measure(scenario, spec, None));
    let pool = worker_pool(1).expect("a thread");
    let outcomes = run_all(experiment, &keys, &pool, &run, &quiet, &quiet);
    let rows: Vec<RunRow> = keys
        .iter()
        .zip(outcomes)
        .map(|(k, result)| RunRow { index: k.index, variant: k.variant, seed: k.seed, result })
        .collect();
    // On the same one thread, as `--jobs 1` computes them.
    black_box(pool.install(|| compare(&Setup::of(experiment), &rows)));
}

#[allow(clippy::disallowed_methods, reason = "a benchmark measures wall-clock time; no simulation reads it")]
fn seconds(f: impl FnOnce()) -> f64 {
    let start = Instant::now();
    f();
    start.elapsed().as_secs_f64()
}

fn main() {
    let full = benchmark_mode();
    let tmp = tempfile::tempdir().expect("a temporary directory");
    // The committed experiment in benchmark mode; a 4 x 2 one written like it otherwise.
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/sweep-day.yaml");
    let path = if full { committed } else { experiment_file(tmp.path(), 2) };
    let experiment = experiment::load(&path).unwrap_or_else(|e| panic!("the bench experiment is valid:\n{e}"));
    let runs = plan(&experiment, None).len();
    let rounds = if full { ROUNDS } else { 1 };
    let mut secs: [Vec<f64>; 5] = Default::default();
    let mut failed = 0;
    for round in 0..rounds {
        for k in 0..5 {
            let which = (round + k) % 5;
            let out = tmp.path().join(format!("out-{which}-{round}"));
            secs[which].push(seconds(|| match which {
                0 => failed += sweep(&experiment, &out, 1),
                1 => failed += sweep(&experiment, &out, 2),
                2 => bare(&experiment),
                3 => engine(&experiment),
                _ => bare_on_two_threads(&experiment),
            }));
        }
    }
    let fastest = secs.clone().map(|xs| xs.into_iter().fold(f64::INFINITY, f64::min));
    let [jobs1, jobs2, runs_alone, engine_only, runs_on_two] = secs.map(median);
    let per_run = |s: f64| s * 1000.0 / runs as f64;
    println!(
        "sweep/{runs} runs of the quickstart cluster over {DURATION} ({} variants x {} seeds), median of {rounds}:",
        experiment.variants.len(),
        experiment.seeds.len()
    );
    println!("  jobs 1:    {jobs1:.3} s ({:.2} ms a run)", per_run(jobs1));
    println!("  jobs 2:    {jobs2:.3} s ({:.2} ms a run)", per_run(jobs2));
    println!(
        "  bare runs: {runs_alone:.3} s ({:.2} ms a run; measure() one after another, no folder)",
        per_run(runs_alone)
    );
    println!(
        "  bare runs on two threads: {runs_on_two:.3} s: this machine's own speed-up for two streams of the work {:.2}x",
        runs_alone / runs_on_two
    );
    println!(
        "  speed-up jobs 1 / jobs 2: {:.2}x ({:.0}% of the machine's)",
        jobs1 / jobs2,
        (jobs1 / jobs2) / (runs_alone / runs_on_two) * 100.0
    );
    println!(
        "  sweep overhead (jobs 1 - bare) / bare: {:+.1}% ({:+.1} ms: pool, folder, tables, summary, charts)",
        (jobs1 - runs_alone) / runs_alone * 100.0,
        (jobs1 - runs_alone) * 1000.0
    );
    println!(
        "  of which the engine (pool, plan order, statistics; no files): {:+.1}% ({:+.1} ms); the folder (tables, summary, charts, a fixed cost): {:+.1} ms",
        (engine_only - runs_alone) / runs_alone * 100.0,
        (engine_only - runs_alone) * 1000.0,
        (jobs1 - engine_only) * 1000.0
    );
    let [f1, f2, fb, fe, ft] = fastest;
    println!(
        "  fastest of {rounds} (the least disturbed round of each): jobs 1 {f1:.3} s, jobs 2 {f2:.3} s, bare {fb:.3} s, engine {fe:.3} s, bare on two threads {ft:.3} s: speed-up {:.2}x (the machine's {:.2}x), overhead {:+.1}% (engine {:+.1}%)",
        f1 / f2,
        fb / ft,
        (f1 - fb) / fb * 100.0,
        (fe - fb) / fb * 100.0
    );
    if failed > 0 {
        println!("  warning: {failed} runs failed; the figures are not comparable");
    }
}
