//! Experiments: `ecsim sweep` runs variants × seeds, in parallel, sharded or not, with the same
//! measures as single runs, common random numbers, and statistics that tell variants apart.

use crate::common::ReplaceOnce;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sweep")
}

fn ecsim(args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_ecsim")).args(args).current_dir(fixtures()).output().unwrap();
    assert!(out.status.success(), "ecsim {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out
}

fn sweep(experiment: &str, out: &Path, extra: &[&str]) {
    let mut args = vec!["sweep", experiment, "--out", out.to_str().unwrap()];
    args.extend(extra);
    ecsim(&args);
}

/// runs.csv as (variant, seed) → measure name → cell.
fn runs(folder: &Path) -> BTreeMap<(String, u64), BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(folder.join("runs.csv")).unwrap();
    let headers = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            let cells = headers.iter().zip(rec.iter()).skip(2).map(|(h, v)| (h.to_string(), v.to_string())).collect();
            ((rec[0].to_string(), rec[1].parse().unwrap()), cells)
        })
        .collect()
}

/// Every file of a folder, by relative path, with its bytes.
fn files(folder: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![folder.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(p.strip_prefix(folder).unwrap().display().to_string(), fs::read(&p).unwrap());
            }
        }
    }
    out
}

fn summary(folder: &Path) -> serde_json::Value {
    serde_json::from_str(&fs::read_to_string(folder.join("summary.json")).unwrap()).unwrap()
}

#[test]
fn a_sweep_measures_what_single_runs_with_the_same_overrides_and_seeds_measure() {
    let tmp = tempfile::tempdir().unwrap();
    sweep("tasks.yaml", &tmp.path().join("sweep"), &[]);
    let swept = runs(&tmp.path().join("sweep"));
    assert_eq!(swept.len(), 20, "2 variants × 10 seeds");
    let four = [
        "services.web.desired_count=4",
        "services.web.autoscaling.min_capacity=4",
        "services.web.autoscaling.max_capacity=4",
    ];
    for ((variant, seed), cells) in &swept {
        let dir = tmp.path().join(format!("{variant}-{seed}"));
        let seed_arg = seed.to_string();
        let mut args = vec!["run", "web.yaml", "--seed", &seed_arg, "--out", dir.to_str().unwrap()];
        if variant == "four" {
            for s in &four {
                args.extend(["--set", s]);
            }
        }
        ecsim(&args);
        let measures: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(dir.join("measures.json")).unwrap()).unwrap();
        // The single run has no warm-up, so compare what a warm-up does not change: the run-wide
        // measures of the single run are the sweep's at warm-up 0; here, the counts of tasks.
        for name in ["tasks_peak", "instances_peak", "steady_state", "capacity_waits"] {
            let single = measures["measures"][name].as_f64();
            let sweep: Option<f64> = cells[name].parse().ok();
            assert_eq!(single, sweep, "{variant} seed {seed}: {name}");
        }
    }
}

#[test]
fn a_sweep_without_warm_up_gives_every_measure_of_the_single_run() {
    let tmp = tempfile::tempdir().unwrap();
    let experiment = tmp.path().join("e.yaml");
    let base = fixtures().join("web.yaml");
    fs::write(
        &experiment,
        format!("experiment: same\nbase: {}\nseeds: [3, 4]\nvariants:\n  - name: four\n    set: {{ services.web.desired_count: 4, services.web.autoscaling.max_capacity: 4, services.web.autoscaling.min_capacity: 4 }}\n", base.display()),
    )
    .unwrap();
    sweep(experiment.to_str().unwrap(), &tmp.path().join("sweep"), &[]);
    let swept = runs(&tmp.path().join("sweep"));
    for seed in [3u64, 4] {
        let dir = tmp.path().join(format!("run-{seed}"));
        let s = seed.to_string();
        ecsim(&[
            "run",
            "web.yaml",
            "--seed",
            &s,
            "--out",
            dir.to_str().unwrap(),
            "--set",
            "services.web.desired_count=4",
            "--set",
            "services.web.autoscaling.max_capacity=4",
            "--set",
            "services.web.autoscaling.min_capacity=4",
        ]);
        let measures: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(dir.join("measures.json")).unwrap()).unwrap();
        for (name, cell) in &swept[&("four".to_string(), seed)] {
            if name == "error" {
                continue;
            }
            let single = measures["measures"][name.as_str()].as_f64();
            assert_eq!(single, cell.parse::<f64>().ok(), "seed {seed}: {name}");
        }
    }
}

#[test]
fn jobs_and_shards_do_not_change_a_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let one = tmp.path().join("one");
    sweep("tasks.yaml", &one, &["--jobs", "1"]);
    let two = tmp.path().join("two");
    sweep("tasks.yaml", &two, &["--jobs", "2"]);
    assert_eq!(files(&one), files(&two), "--jobs 1 and --jobs 2");
    let mut shards = Vec::new();
    for i in 1..=4 {
        let dir = tmp.path().join(format!("shard-{i}"));
        sweep("tasks.yaml", &dir, &["--shard", &format!("{i}/4")]);
        shards.push(dir);
    }
    let merged = tmp.path().join("merged");
    // Shards in any order.
    let mut args = vec!["merge", "--out", merged.to_str().unwrap()];
    args.extend(shards.iter().rev().map(|s| s.to_str().unwrap()));
    ecsim(&args);
    assert_eq!(files(&one), files(&merged), "4 shards merged");

    let missing = Command::new(env!("CARGO_BIN_EXE_ecsim"))
        .args([
            "merge",
            "--out",
            tmp.path().join("bad").to_str().unwrap(),
            shards[0].to_str().unwrap(),
            shards[0].to_str().unwrap(),
            shards[1].to_str().unwrap(),
        ])
        .current_dir(fixtures())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert_eq!(missing.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("shard 1/4 is given twice"), "{stderr}");
    assert!(stderr.contains("missing shards 3/4, 4/4"), "{stderr}");
}

#[test]
fn more_tasks_give_a_lower_p99_that_the_paired_interval_tells_apart() {
    let tmp = tempfile::tempdir().unwrap();
    sweep("tasks.yaml", &tmp.path().join("s"), &[]);
    let s = summary(&tmp.path().join("s"));
    let four = &s["variants"][1];
    assert_eq!(four["name"], "four");
    let p99 = &four["against_baseline"]["p99"];
    assert_eq!(p99["n"], 10);
    assert_eq!(p99["differs"], true, "{p99}");
    let (lo, hi) = (p99["ci"][0].as_f64().unwrap(), p99["ci"][1].as_f64().unwrap());
    // ρ = 0.6 on two one-worker tasks against 0.3 on four: M/M/1's p99 is ln(100)/(μ−λ), 92 ms
    // against 66 ms per task, so the difference is well below 0 on every seed.
    assert!(hi < 0.0 && lo < hi, "p99 difference interval [{lo}, {hi}]");
    assert_eq!(four["against_baseline"]["cost_per_day"]["mean_difference"], 0.0, "same instances, same cost");
}

#[test]
fn variants_differing_only_in_policy_see_the_same_requests_on_each_seed() {
    let tmp = tempfile::tempdir().unwrap();
    sweep("policies.yaml", &tmp.path().join("p"), &[]);
    let r = runs(&tmp.path().join("p"));
    for seed in 1..=3u64 {
        let a = &r[&("target-50".to_string(), seed)]["requests"];
        let b = &r[&("target-70".to_string(), seed)]["requests"];
        assert_eq!(a, b, "seed {seed}: common random numbers give the same arrivals");
    }
    let counts: std::collections::BTreeSet<_> =
        (1..=3u64).map(|s| r[&("target-50".to_string(), s)]["requests"].clone()).collect();
    assert_eq!(counts.len(), 3, "different seeds draw different arrivals: {counts:?}");
}

#[test]
fn every_problem_of_an_experiment_is_reported_at_once() {
    let out = Command::new(env!("CARGO_BIN_EXE_ecsim"))
        .args(["sweep", "broken.yaml", "--out", "/nonexistent/never-written"])
        .current_dir(fixtures())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!(String::from_utf8_lossy(&out.stderr));
}

#[test]
fn keep_runs_writes_every_run_folder_and_compare_reads_them() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("kept");
    sweep("policies.yaml", &out, &["--keep-runs"]);
    for variant in ["target-50", "target-70"] {
        for seed in 1..=3 {
            let run = out.join("runs").join(variant).join(format!("seed-{seed}"));
            assert!(run.join("metrics.csv").is_file() && run.join("measures.json").is_file(), "{}", run.display());
        }
    }
    let without = tmp.path().join("plain");
    sweep("policies.yaml", &without, &[]);
    assert!(!without.join("runs").exists(), "no run folders unless asked");
    assert_eq!(fs::read(out.join("runs.csv")).unwrap(), fs::read(without.join("runs.csv")).unwrap());

    // Two run folders of one seed and a sweep folder, side by side.
    let a = out.join("runs/target-50/seed-1");
    let b = out.join("runs/target-70/seed-1");
    let compared = ecsim(&["compare", a.to_str().unwrap(), b.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&compared.stdout);
    assert!(text.contains("| seed-1 "), "{text}");
    assert!(text.contains("## Against `seed-1`"), "{text}");
    let swept = ecsim(&["compare", without.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&swept.stdout);
    assert!(text.contains("target-70") && text.contains("paired by seed"), "{text}");
}

#[test]
fn a_failed_run_is_reported_with_its_variant_and_seed_and_the_others_are_kept() {
    let experiment = ecsim::sweep::experiment::load(&fixtures().join("policies.yaml")).unwrap();
    let keys = ecsim::sweep::run::plan(&experiment, None);
    let quiet = |_: ecsim::sweep::run::RunKey| {};
    let run = |key: ecsim::sweep::run::RunKey, scenario: &ecsim::scenario::Scenario, spec: &_| {
        assert!(key.index != 4, "a bug in the simulation");
        Ok(ecsim::sweep::run::measure(scenario, spec, None))
    };
    let pool = ecsim::sweep::run::worker_pool(2).unwrap();
    let outcomes = ecsim::sweep::run::run_all(&experiment, &keys, &pool, &run, &quiet, &quiet);
    assert_eq!(outcomes.len(), 6);
    for (key, outcome) in keys.iter().zip(&outcomes) {
        match outcome {
            Err(e) => {
                assert_eq!((key.index, key.variant, key.seed), (4, 1, 2), "variant target-70, seed 2");
                assert!(e.contains("a bug in the simulation"), "{e}");
            }
            Ok(m) => assert!(m.values.iter().any(Option::is_some)),
        }
    }
    assert_eq!(outcomes.iter().filter(|o| o.is_err()).count(), 1);
}

#[test]
fn a_bad_set_on_the_command_line_is_reported_like_a_bad_file() {
    let out = Command::new(env!("CARGO_BIN_EXE_ecsim"))
        .args([
            "run",
            "web.yaml",
            "--set",
            "services.web.desired_cont=4",
            "--set",
            "services.api.desired_count=1",
            "--set",
            "nonsense",
        ])
        .current_dir(fixtures())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("command line: --set #3: `nonsense` is not PATH=VALUE"), "{stderr}");
    let out = Command::new(env!("CARGO_BIN_EXE_ecsim"))
        .args(["run", "web.yaml", "--set", "services.web.desired_cont=4", "--set", "services.wbe.desired_count=1"])
        .current_dir(fixtures())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("`services.wbe` does not exist in the scenario") && stderr.contains("did you mean `web`?"),
        "{stderr}"
    );
    assert!(
        stderr.contains("unknown field `desired_cont`") && stderr.contains("did you mean `desired_count`?"),
        "{stderr}"
    );
}

#[test]
fn the_objective_picks_the_cheapest_variant_within_its_bounds_and_notes_missing_precision() {
    let tmp = tempfile::tempdir().unwrap();
    sweep("tasks.yaml", &tmp.path().join("o"), &[]);
    let s = summary(&tmp.path().join("o"));
    let objective = &s["objective"];
    // Same cost; only `four` keeps its mean p99 (about 103 ms) within 150 ms (`two`: about 180).
    assert_eq!(objective["best"], "four", "{objective}");
    assert_eq!(objective["variants"][0]["meets"], false);
    assert_eq!(objective["variants"][1]["meets"], true);
    assert!(objective["variants"][1]["confidence"].as_f64().unwrap() > 0.95);
    assert_eq!(objective["variants"][1]["pareto"], true);
    // A ±1 ms interval of p99 needs more than 10 seeds: the note says how many.
    let notes: Vec<&str> = s["notes"].as_array().unwrap().iter().map(|n| n.as_str().unwrap()).collect();
    assert!(
        notes.iter().any(|n| n.starts_with("two: the 95% interval of p99 is ±") && n.contains("needs about")),
        "{notes:?}"
    );
    let md = fs::read_to_string(tmp.path().join("o/comparison.md")).unwrap();
    assert!(md.contains("**four** is the best variant that meets every constraint"), "{md}");
}

#[test]
fn axes_make_a_grid_of_readable_variants_and_a_base_may_be_inline() {
    let tmp = tempfile::tempdir().unwrap();
    let base = fs::read_to_string(fixtures().join("web.yaml")).unwrap();
    let inline: String = base.lines().filter(|l| !l.starts_with('#')).map(|l| format!("  {l}\n")).collect();
    let experiment = format!(
        "experiment: grid\nseeds: [5]\nbase:\n{inline}axes:\n  - name: count\n    path: services.web.desired_count\n    values: [2, 3]\n  - name: queue\n    path: services.web.requests.queue\n    values: [10, 1000]\n"
    );
    let file = tmp.path().join("grid.yaml");
    fs::write(&file, &experiment).unwrap();
    sweep(file.to_str().unwrap(), &tmp.path().join("g"), &[]);
    let names: Vec<String> = runs(&tmp.path().join("g")).keys().map(|(v, _)| v.clone()).collect();
    assert_eq!(names, ["count=2,queue=10", "count=2,queue=1000", "count=3,queue=10", "count=3,queue=1000"]);

    // A problem in the inline base points at its line in the experiment file.
    let broken = experiment.replace_once("desired_count: 2\n", "desired_count: -2\n");
    fs::write(&file, &broken).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_ecsim")).args(["sweep", file.to_str().unwrap()]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let line = broken.lines().position(|l| l.contains("desired_count: -2")).unwrap() + 1;
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains(&format!("grid.yaml:{line}: services.web.desired_count")), "line {line}: {stderr}");
}

#[test]
fn the_readme_lists_every_measure() {
    let readme = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    for m in &ecsim::sweep::measures::MEASURES {
        assert!(readme.contains(&format!("| `{}` |", m.name)), "README's measures table lacks `{}`", m.name);
    }
}

#[test]
fn a_variant_without_what_the_experiment_measures_is_refused_before_anything_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("e.yaml");
    let base = fixtures().join("web.yaml");
    let experiment = format!(
        "experiment: e\nbase: {}\nvariants:\n  - name: base\n  - name: \"a b\"\n  - name: a_b\n  - name: renamed\n    set:\n      services: {{ api: {{ task_definition: web, desired_count: 1, capacity_provider_strategy: [{{ capacity_provider: ec2 }}], load_balancer: tg }} }}\n  - name: empty\n    unset: [services.web]\nslo:\n  web: {{ p99: 100ms, error_rate: 0% }}\n",
        base.display()
    );
    fs::write(&file, experiment).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_ecsim")).args(["sweep", file.to_str().unwrap()]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    for expected in [
        "variant `renamed`: it has no service `web`, which `slo` judges",
        "variant `empty`: it has no services",
        "variants `a b` and `a_b` would share the folder `runs/a_b`",
        "slo.web.error_rate: expected a percent above 0 and at most 100",
    ] {
        assert!(stderr.contains(expected), "missing {expected:?} in:\n{stderr}");
    }
}
