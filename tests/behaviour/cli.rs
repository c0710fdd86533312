//! The command line: exit codes, messages, and the output folder's safety.

use std::fs;
use std::process::{Command, Output};

fn ecsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ecsim")).args(args).current_dir(env!("CARGO_MANIFEST_DIR")).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn validate_says_ok_for_every_shipped_scenario() {
    for entry in fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yaml") {
            let out = ecsim(&["validate", path.to_str().unwrap()]);
            assert_eq!(out.status.code(), Some(0), "{}: {}", path.display(), text(&out.stderr));
            assert_eq!(text(&out.stdout), "ok\n");
        }
    }
}

#[test]
fn an_invalid_scenario_exits_1_with_every_problem() {
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("bad.yaml");
    fs::write(&bad, "duration: 5\nzones: []\n").unwrap();
    let out = ecsim(&["validate", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("bad.yaml:1: duration: `5` has no unit"), "{err}");
    assert!(err.contains("bad.yaml:2: zones: the cluster needs at least one availability zone"), "{err}");
    assert!(err.ends_with("2 problems found\n"), "{err}");
    let run = ecsim(&["run", bad.to_str().unwrap(), "--out", tmp.path().join("o").to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(1));
    assert!(!tmp.path().join("o").exists(), "an invalid scenario writes nothing");
}

#[test]
fn a_missing_file_exits_2() {
    let out = ecsim(&["run", "no/such/scenario.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.starts_with("error: cannot read scenario no/such/scenario.yaml"), "{err}");
    // The cause once, not once per layer that carries it.
    assert_eq!(err.matches("No such file or directory").count(), 1, "{err}");
}

#[test]
fn run_prints_a_summary_and_where_the_outputs_are() {
    let tmp = tempfile::tempdir().unwrap();
    let out_dir = tmp.path().join("qs");
    let out = ecsim(&["run", "scenarios/quickstart.yaml", "--out", out_dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.starts_with("quickstart: seed 42, 30m simulated"), "{stdout}");
    assert!(stdout.contains("web                        6       6       8       2"), "{stdout}");
    assert!(stdout.contains(&format!("outputs in {}/", out_dir.display())), "{stdout}");
    assert!(!tmp.path().join("qs.partial").exists(), "the staging folder is gone after success");
}

#[test]
fn a_folder_that_is_not_an_ecsim_output_is_never_replaced() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("precious.txt"), "keep me").unwrap();
    let out = ecsim(&["run", "scenarios/quickstart.yaml", "--out", tmp.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("is not an ecsim output folder"));
    assert_eq!(fs::read_to_string(tmp.path().join("precious.txt")).unwrap(), "keep me");
}

#[test]
fn the_duration_flag_is_checked_as_the_files_duration_is() {
    // Validated with the whole scenario (exit 1, the invalid-scenario code): a bad value, a
    // value that rounds to nothing, and a fault that the shorter run would silently drop.
    let out = ecsim(&["run", "scenarios/quickstart.yaml", "--duration", "soon"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("`soon` is not a duration") && err.contains("the value comes from `--duration`"), "{err}");
    let out = ecsim(&["run", "scenarios/quickstart.yaml", "--duration", "1ns"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("duration: must be greater than 0s"), "{}", text(&out.stderr));
    let out = ecsim(&["run", "scenarios/az-outage.yaml", "--duration", "5m"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("faults[0].at: 10m is after the end of the run (5m)"), "{}", text(&out.stderr));
}

#[test]
fn a_reader_that_stops_early_is_a_normal_stop_and_a_full_disk_an_error() {
    // `ecsim validate ... | head -0`: the pipe is closed before ecsim writes.
    let mut child = Command::new(env!("CARGO_BIN_EXE_ecsim"))
        .args(["validate", "scenarios/quickstart.yaml"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(!text(&out.stderr).contains("panicked"), "{}", text(&out.stderr));
    // `> /dev/full`: exit 2 with a message, no panic.
    let Ok(full) = fs::OpenOptions::new().write(true).open("/dev/full") else { return };
    let out = Command::new(env!("CARGO_BIN_EXE_ecsim"))
        .args(["validate", "scenarios/quickstart.yaml"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("cannot write to standard output"), "{}", text(&out.stderr));
}

#[test]
fn a_run_estimated_past_the_size_budget_is_refused_with_its_numbers_unless_forced() {
    // `duration: 30M` used to run for 913 simulated days and write 2.3 GB; written out as months
    // at a 1 s interval it is refused before anything runs, with what would bring it under.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let quickstart = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/quickstart.yaml");
    let args = ["run", quickstart, "--set", "duration=30 months", "--set", "metrics.interval=1s", "--out"];
    let refused = ecsim(&[&args[..], &[out.to_str().unwrap()]].concat());
    let stderr = text(&refused.stderr);
    assert_eq!(refused.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("this run is too large: it would write about 36.7 GiB of metrics"), "{stderr}");
    assert!(stderr.contains("use a longer `metrics.interval` or a shorter duration"), "{stderr}");
    assert!(stderr.contains("hint: pass --force to run it anyway"), "{stderr}");
    assert!(!out.exists(), "nothing is written");
    // A sweep checks each variant the same way.
    let experiment = tmp.path().join("big.yaml");
    let base = quickstart.replace('\\', "/");
    fs::write(
        &experiment,
        format!("experiment: big\nbase: {base}\nseeds: 2\nvariants:\n  - {{ name: small }}\n  - {{ name: long, set: {{ duration: 30 months, metrics.interval: 1s }} }}\n"),
    )
    .unwrap();
    let refused = ecsim(&["sweep", experiment.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    let stderr = text(&refused.stderr);
    assert_eq!(refused.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("variant `long` is too large"), "{stderr}");
    assert!(!stderr.contains("variant `small`"), "{stderr}");
    // Within budget, --force changes nothing.
    let forced = ecsim(&["run", quickstart, "--force", "--out", out.to_str().unwrap()]);
    assert_eq!(forced.status.code(), Some(0), "{}", text(&forced.stderr));
}

#[test]
fn a_file_that_is_not_a_scenario_says_what_it_is_and_what_uses_it() {
    // (file, what it is, what uses it): not "did you mean `duration`?" for `Description`.
    let cases = [
        (
            "tests/fixtures/taskdefs/fargate-web.json",
            "an AWS task definition",
            "{ import: tests/fixtures/taskdefs/fargate-web.json }",
        ),
        (
            "tests/fixtures/aws/service.json",
            "an ECS service in AWS's JSON",
            "{ import: tests/fixtures/aws/service.json }",
        ),
        ("tests/fixtures/aws/scaling-policy.json", "Application Auto Scaling JSON", "`autoscaling:`"),
        (
            "tests/fixtures/capacity/put-cluster-capacity-providers.json",
            "an ECS cluster's capacity providers",
            "`default_capacity_provider_strategy: { import: tests/fixtures/capacity/put-cluster-capacity-providers.json }`",
        ),
        (
            "tests/fixtures/aws/template.yaml",
            "an AWS CloudFormation template",
            "`ecsim import cloudformation tests/fixtures/aws/template.yaml > scenario.yaml`",
        ),
        ("tests/fixtures/aws/main.tf", "a Terraform configuration", "`aws_ecs_*` resources"),
        (
            "scenarios/experiments/capacity-plan.yaml",
            "an ecsim experiment",
            "`ecsim sweep scenarios/experiments/capacity-plan.yaml`",
        ),
    ];
    let tmp = tempfile::tempdir().unwrap();
    for (file, what, use_it) in cases {
        for command in ["validate", "run"] {
            let out_dir = tmp.path().join("out");
            let out =
                ecsim(&[command, file, "--out", out_dir.to_str().unwrap()][..if command == "run" { 4 } else { 2 }]);
            let err = text(&out.stderr);
            assert_eq!(out.status.code(), Some(1), "{command} {file}: {err}");
            assert!(err.contains(&format!("{file}: .: this is {what}")), "{command} {file}: {err}");
            assert!(err.contains(use_it), "{command} {file}: {err}");
            assert!(err.ends_with("1 problem found\n"), "{command} {file}: one problem, not the schema's: {err}");
            assert!(!err.contains("did you mean"), "{command} {file}: {err}");
            assert!(!out_dir.exists(), "{command} {file} wrote outputs");
        }
    }
}

#[test]
fn a_scenario_given_to_sweep_says_to_run_it() {
    let tmp = tempfile::tempdir().unwrap();
    let out = ecsim(&["sweep", "scenarios/quickstart.yaml", "--out", tmp.path().join("o").to_str().unwrap()]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("scenarios/quickstart.yaml: .: this is an ecsim scenario, not an ecsim experiment"), "{err}");
    assert!(err.contains("run it with `ecsim run scenarios/quickstart.yaml`"), "{err}");
    assert!(err.ends_with("1 problem found\n"), "{err}");
}

#[test]
fn a_trace_or_a_compressed_file_given_as_a_scenario_says_how_to_replay_it() {
    let tmp = tempfile::tempdir().unwrap();
    let csv = tmp.path().join("requests.csv");
    fs::write(&csv, "timestamp,requests\n2024-03-05 14:00:00,120\n2024-03-05 14:01:00,130\n").unwrap();
    let gz = tmp.path().join("requests.csv.gz");
    fs::write(&gz, [0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00]).unwrap();
    for (file, what) in [(&csv, "this is a trace"), (&gz, "this is a compressed file")] {
        let out = ecsim(&["validate", file.to_str().unwrap()]);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(err.contains(what), "{err}");
        assert!(err.contains(&format!("rate: {{ trace: {{ file: {} }} }}", file.display())), "{err}");
        assert!(err.ends_with("1 problem found\n"), "{err}");
    }
}
