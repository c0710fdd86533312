//! Deterministic fuzzing, bounded in time so it runs in CI: mutated scenarios (every shipped lab),
//! mutated AWS task definition JSON and random trace CSV files are read as a user's files would
//! be. Whatever the input: no panic, an answer within a time bound, and every scenario that is
//! accepted and small enough to run here runs to its end within its size estimate.
//!
//! Raise `PROPTEST_CASES` for a longer hunt; proptest keeps what it finds under
//! tests/proptest-regressions/, and each minimised reproducer worth keeping becomes a test of its
//! own beside the guarantee it breaks (errors.rs, traces.rs, cli.rs, output_folder.rs).

use std::fs;
use std::path::Path;
use std::time::Duration;

use ecsim::scenario::{load, load_str, Scenario};
use ecsim::sim::{estimate, Simulation};
use proptest::prelude::*;

use crate::common::Memory;

/// Values a mutation puts in place of a scalar: limits, zeroes, units, YAML oddities.
const ODD_VALUES: &[&str] = &[
    "0",
    "-1",
    "1e308",
    "-1e308",
    "NaN",
    ".inf",
    "0s",
    "1us",
    "999999999",
    "4294967296",
    "[]",
    "{}",
    "null",
    "~",
    "\"\"",
    "\"\\n\"",
    "30M",
    "1 months",
    "2h",
    "100%",
    "*a",
    "&a x",
    "[*a]",
    "{ uniform: { min: 1s, max: 0s } }",
    "{ exponential: { mean: 0s } }",
    "true",
    "'",
    "\"",
    "[[[[",
    "x: y: z",
];

/// The shipped labs, as (file name, text).
fn labs() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut labs: Vec<(String, String)> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), fs::read_to_string(&p).unwrap()))
        .collect();
    labs.sort();
    labs
}

/// One mutation of a text: a line removed, doubled, or given an odd value; or random text spliced in.
#[derive(Clone, Debug)]
enum Mutation {
    Remove(usize),
    Double(usize),
    Value(usize, usize),
    Splice(usize, String),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<usize>().prop_map(Mutation::Remove),
        any::<usize>().prop_map(Mutation::Double),
        (any::<usize>(), 0..ODD_VALUES.len()).prop_map(|(l, v)| Mutation::Value(l, v)),
        (any::<usize>(), "\\PC{0,16}").prop_map(|(at, s)| Mutation::Splice(at, s)),
    ]
}

fn mutate(text: &str, mutations: &[Mutation]) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for m in mutations {
        if lines.is_empty() {
            break;
        }
        let n = lines.len();
        match m {
            Mutation::Remove(l) => {
                lines.remove(l % n);
            }
            Mutation::Double(l) => {
                let line = lines[l % n].clone();
                lines.insert(l % n, line);
            }
            Mutation::Value(l, v) => {
                let line = &mut lines[l % n];
                // The value after the last `: ` (a map entry), or the whole item after `- `.
                if let Some(at) = line.rfind(": ").or_else(|| line.find("- ")) {
                    line.truncate(at + 2);
                    line.push_str(ODD_VALUES[*v]);
                }
            }
            Mutation::Splice(at, s) => {
                let line = &mut lines[at % n];
                let mut i = at % (line.len() + 1);
                while !line.is_char_boundary(i) {
                    i -= 1;
                }
                line.insert_str(i, s);
            }
        }
    }
    lines.join("\n") + "\n"
}

/// Reading `text` gives an answer within the time bound; the scenario if it was accepted.
fn read_within_bound(text: &str, file: &str) -> Option<Scenario> {
    #[allow(clippy::disallowed_methods)] // Reason: the fuzzer's own time bound, never an output.
    let started = std::time::Instant::now();
    let result = load_str(text, file, "fuzz");
    let took = started.elapsed();
    assert!(took < Duration::from_secs(5), "{file}: validation took {took:?}");
    match result {
        Ok(s) => Some(s),
        Err(e) => {
            assert!(!e.diagnostics.is_empty(), "a refusal names at least one problem");
            None
        }
    }
}

/// Runs an accepted scenario that is small enough for a debug build, to its end, and checks that
/// it stayed within its estimate: the metrics rows, and the requests (at either fidelity) up to
/// Poisson noise.
fn run_within_estimate(scenario: &Scenario) {
    let e = estimate(scenario);
    if e.requests > 50_000.0 || e.fluid_steps > 50_000.0 || e.metrics_rows > 20_000.0 {
        return;
    }
    let mut memory = Memory::default();
    let (_, summary) = Simulation::new(scenario, &mut memory, false).run();
    assert!(memory.rows.len() as f64 <= e.metrics_rows, "{} rows, estimated {}", memory.rows.len(), e.metrics_rows);
    let requests: f64 = summary.services.iter().filter_map(|s| s.traffic.as_ref()).map(|t| t.requests).sum();
    let bound = e.offered * 1.2 + 6.0 * e.offered.sqrt() + 100.0;
    assert!(requests <= bound, "{requests} requests, estimated {}", e.offered);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn mutated_labs_are_answered_in_time_and_run_within_their_estimate(
        lab in any::<prop::sample::Index>(),
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        let labs = labs();
        let (file, text) = &labs[lab.index(labs.len())];
        let text = mutate(text, &mutations);
        if let Some(scenario) = read_within_bound(&text, file) {
            run_within_estimate(&scenario);
        }
    }

    #[test]
    fn mutated_task_definition_json_is_answered_not_panicked_on(
        pick in any::<prop::sample::Index>(),
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/taskdefs");
        let mut files: Vec<_> = fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
        files.sort();
        let json = mutate(&fs::read_to_string(&files[pick.index(files.len())]).unwrap(), &mutations);
        let tmp = tempfile::tempdir().unwrap();
        fs::write(tmp.path().join("td.json"), json).unwrap();
        let yaml = "duration: 10m\nzones: [us-east-1a]\ntask_definitions:\n  t: { import: td.json }\n\
                    capacity_providers:\n  ec2: { auto_scaling_group: { instance_type: m5.large, desired_capacity: 1 } }\n\
                    services:\n  s: { task_definition: t, desired_count: 1 }\n";
        fs::write(tmp.path().join("s.yaml"), yaml).unwrap();
        if let Err(ecsim::scenario::LoadError::Invalid(e)) = load(&tmp.path().join("s.yaml")) {
            prop_assert!(!e.diagnostics.is_empty());
        }
    }

    #[test]
    fn random_trace_files_are_answered_not_panicked_on(
        rows in prop::collection::vec(prop::collection::vec("[0-9:.TZ+ -]{0,22}|\\PC{0,8}", 0..4), 0..30),
        header in "[A-Za-z\"]{0,10}(,[A-Za-z\"]{0,10}){0,3}",
    ) {
        let tmp = tempfile::tempdir().unwrap();
        let csv: Vec<String> = rows.iter().map(|r| r.join(",")).collect();
        fs::write(tmp.path().join("trace.csv"), format!("{header}\n{}\n", csv.join("\n"))).unwrap();
        let yaml = crate::routing::web(1, "{ trace: { file: trace.csv } }", "", "");
        fs::write(tmp.path().join("s.yaml"), yaml).unwrap();
        match load(&tmp.path().join("s.yaml")) {
            Ok((scenario, _)) => run_within_estimate(&scenario),
            Err(ecsim::scenario::LoadError::Invalid(e)) => prop_assert!(!e.diagnostics.is_empty()),
            Err(e) => panic!("{e}"),
        }
    }
}
