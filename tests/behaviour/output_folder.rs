//! The output folder never loses data (README "Outputs"): a rerun replaces only what ecsim
//! wrote, a trailing `/` names the same folder, folders and `.partial` folders that are not
//! ecsim's are refused untouched, and an interrupted run leaves no `.partial` behind.

use std::fs;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

fn ecsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ecsim")).args(args).current_dir(env!("CARGO_MANIFEST_DIR")).output().unwrap()
}

fn run_into(out: &str) -> Output {
    ecsim(&["run", "scenarios/quickstart.yaml", "--out", out])
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn a_rerun_into_the_same_folder_with_a_trailing_slash_replaces_it() {
    let tmp = tempfile::tempdir().unwrap();
    let out = format!("{}/", tmp.path().join("qs").display());
    for attempt in 0..2 {
        let done = run_into(&out);
        assert_eq!(done.status.code(), Some(0), "run {attempt}: {}", text(&done.stderr));
    }
    let folder = tmp.path().join("qs");
    assert!(folder.join("metrics.csv").is_file() && folder.join(".ecsim").is_file());
    assert!(!tmp.path().join("qs.partial").exists() && !tmp.path().join("qs.old").exists());
    let marker = fs::read_to_string(folder.join(".ecsim")).unwrap();
    assert!(marker.lines().any(|l| l == "summary.json"), "the marker lists what ecsim wrote:\n{marker}");
}

#[test]
fn a_users_files_beside_the_outputs_survive_a_rerun() {
    let tmp = tempfile::tempdir().unwrap();
    let folder = tmp.path().join("qs");
    assert_eq!(run_into(folder.to_str().unwrap()).status.code(), Some(0));
    fs::write(folder.join("notes.md"), "what I saw").unwrap();
    fs::create_dir(folder.join("plots")).unwrap();
    fs::write(folder.join("plots/mine.png"), "png").unwrap();
    let again = run_into(folder.to_str().unwrap());
    assert_eq!(again.status.code(), Some(0), "{}", text(&again.stderr));
    assert_eq!(fs::read_to_string(folder.join("notes.md")).unwrap(), "what I saw");
    assert_eq!(fs::read_to_string(folder.join("plots/mine.png")).unwrap(), "png");
    assert!(folder.join("summary.json").is_file());
}

#[test]
fn a_folder_with_a_users_run_json_is_not_taken_for_an_output() {
    let tmp = tempfile::tempdir().unwrap();
    let folder = tmp.path().join("mine");
    fs::create_dir_all(folder.join("run.json")).unwrap();
    fs::write(folder.join("run.json/data.txt"), "keep").unwrap();
    fs::write(folder.join("thesis.tex"), "keep too").unwrap();
    let out = run_into(folder.to_str().unwrap());
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("is not an ecsim output folder"), "{}", text(&out.stderr));
    assert_eq!(fs::read_to_string(folder.join("run.json/data.txt")).unwrap(), "keep");
    assert_eq!(fs::read_to_string(folder.join("thesis.tex")).unwrap(), "keep too");
}

#[test]
fn a_users_partial_folder_is_never_deleted() {
    let tmp = tempfile::tempdir().unwrap();
    let partial = tmp.path().join("qs.partial");
    fs::create_dir(&partial).unwrap();
    fs::write(partial.join("draft.txt"), "mine").unwrap();
    let out = run_into(tmp.path().join("qs").to_str().unwrap());
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("ecsim did not make it"), "{}", text(&out.stderr));
    assert_eq!(fs::read_to_string(partial.join("draft.txt")).unwrap(), "mine");
}

#[test]
fn an_output_of_ecsim_before_the_marker_is_replaced_keeping_what_is_not_ecsims() {
    let tmp = tempfile::tempdir().unwrap();
    let folder = tmp.path().join("legacy");
    fs::create_dir(&folder).unwrap();
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("results/quickstart");
    for entry in fs::read_dir(&committed).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            fs::copy(&path, folder.join(path.file_name().unwrap())).unwrap();
        }
    }
    fs::remove_file(folder.join(".ecsim")).ok();
    fs::write(folder.join("notes.txt"), "mine").unwrap();
    let out = run_into(folder.to_str().unwrap());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(fs::read_to_string(folder.join("notes.txt")).unwrap(), "mine");
    assert!(folder.join(".ecsim").is_file());
}

#[test]
fn an_interrupted_run_leaves_no_partial_folder() {
    let tmp = tempfile::tempdir().unwrap();
    // A day of 2,000 requests a second at request level: long enough to interrupt.
    let scenario = tmp.path().join("long.yaml");
    fs::write(
        &scenario,
        r#"
duration: 24h
zones: [us-east-1a]
task_definitions:
  web: { cpu: 1024, container_definitions: [{ name: app, image: app, memory: 512 }] }
capacity_providers:
  ec2: { auto_scaling_group: { instance_type: m5.4xlarge, desired_capacity: 2 } }
load_balancers:
  alb: { target_groups: { tg: {} } }
services:
  web: { task_definition: web, desired_count: 8, capacity_provider_strategy: [{ capacity_provider: ec2 }], load_balancer: tg }
traffic:
  sources: [{ to: alb, rate: 2000 }]
"#,
    )
    .unwrap();
    let folder = tmp.path().join("long");
    let child = Command::new(env!("CARGO_BIN_EXE_ecsim"))
        .args(["run", scenario.to_str().unwrap(), "--out", folder.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let partial = tmp.path().join("long.partial");
    // Up to a minute (3000 × 20 ms) for the run to start writing.
    for _ in 0..3000 {
        if partial.join("metrics.csv").exists() {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(partial.exists(), "the run started writing");
    let killed = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(killed.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("interrupted: 1 unfinished output folder(s) removed"));
    assert!(!partial.exists(), "the staging folder is removed");
    assert!(!folder.exists(), "and nothing looks like a finished output");
}
