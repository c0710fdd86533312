//! The determinism promise: same scenario and seed, byte-identical outputs.

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::common::ReplaceOnce;
use crate::common::{run, scenario};

fn ecsim_run(out: &Path, extra: &[&str]) {
    let status = Command::new(env!("CARGO_BIN_EXE_ecsim"))
        .args(["run", "scenarios/quickstart.yaml", "--out"])
        .arg(out)
        .args(extra)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("ecsim runs");
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
}

fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut all: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), fs::read(&p).unwrap()))
        .collect();
    all.sort();
    all
}

#[test]
fn the_same_seed_gives_byte_identical_output_folders() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    ecsim_run(&a, &[]);
    ecsim_run(&b, &[]);
    let (fa, fb) = (files(&a), files(&b));
    let names: Vec<_> = fa.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            ".ecsim",
            "breakdown.csv",
            "capacity.png",
            "capacity.svg",
            "events.jsonl",
            "measures.json",
            "metrics.csv",
            "report.html",
            "run.json",
            "scenario.yaml",
            "summary.json",
            "tasks.png",
            "tasks.svg",
            "timeline.png",
            "timeline.svg"
        ]
    );
    for ((name, x), (_, y)) in fa.iter().zip(&fb) {
        assert!(x == y, "{name} differs between two runs with the same seed");
    }
}

#[test]
fn different_seeds_draw_different_timings_and_fault_victims() {
    let base = scenario(include_str!("../../scenarios/quickstart.yaml"));
    let mut other = base.clone();
    other.seed += 1;
    let (_, _, a) = run(&base);
    let (_, _, b) = run(&other);
    let times = |m: &crate::common::Memory| m.events.iter().map(|e| e.time).collect::<Vec<_>>();
    assert_ne!(times(&a), times(&b), "start-up times are drawn from the seed");
    let victims = |seed: u64| {
        let mut s = base.clone();
        s.seed = seed;
        let (_, _, m) = run(&s);
        m.messages(ecsim::record::EventKind::FaultInjected)[0].to_string()
    };
    let distinct: std::collections::BTreeSet<_> = (1..=6).map(victims).collect();
    assert!(distinct.len() > 1, "the tasks a fault stops depend on the seed");
}

#[test]
fn the_seed_flag_overrides_the_scenario_and_is_recorded() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    ecsim_run(&out, &["--seed", "7", "--duration", "15m"]);
    let run_json = fs::read_to_string(out.join("run.json")).unwrap();
    assert!(run_json.contains("\"seed\": 7"), "{run_json}");
    assert!(run_json.contains("\"duration_s\": 900.0"), "{run_json}");
    let last = fs::read_to_string(out.join("metrics.csv")).unwrap().lines().last().unwrap().to_string();
    assert!(last.starts_with("900.000,"), "{last}");
}

#[test]
fn traffic_runs_repeat_exactly_in_both_fidelities_and_a_seed_changes_the_arrivals() {
    let lab = include_str!("../../scenarios/web-traffic.yaml").replace_once("duration: 45m", "duration: 22m");
    for fidelity in ["requests", "fluid"] {
        let yaml = lab.replace_once("fidelity: requests", &format!("fidelity: {fidelity}"));
        let (_, a, ra) = run(&scenario(&yaml));
        let (_, b, rb) = run(&scenario(&yaml));
        assert_eq!(a, b, "{fidelity}: summaries differ");
        assert_eq!(ra.rows, rb.rows, "{fidelity}: metrics differ");
        assert_eq!(ra.events, rb.events, "{fidelity}: events differ");
    }
    // Another seed: other arrivals, so another request count (request fidelity).
    let (_, a, _) = run(&scenario(&lab));
    let (_, b, _) = run(&scenario(&lab.replace_once("seed: 7", "seed: 8")));
    assert_ne!(a.services[0].traffic, b.services[0].traffic);
}
