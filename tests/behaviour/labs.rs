//! The teaching labs (scenarios/labs/): each lab's lesson holds, as numbers and events of its
//! run's outputs, so a change that breaks a lesson fails here and names the lab and the lesson.
//! Every test runs its lab as a student does, `ecsim labs run NN --out DIR`, and reads the files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

mod lessons_01_05;
mod lessons_06_13;

/// One lab's output folder, read back.
pub(super) struct Lab {
    pub(super) id: &'static str,
    _folder: tempfile::TempDir,
    pub(super) dir: PathBuf,
    pub(super) events: Vec<Value>,
    pub(super) summary: Value,
}

/// Runs `ecsim labs run <number>` into a temporary folder.
pub(super) fn run(id: &'static str) -> Lab {
    let folder = tempfile::tempdir().unwrap();
    let dir = folder.path().join(id);
    let number = id.split('-').next().unwrap();
    let out =
        Command::new(env!("CARGO_BIN_EXE_ecsim")).args(["labs", "run", number, "--out"]).arg(&dir).output().unwrap();
    assert!(out.status.success(), "lab {id} does not run: {}", String::from_utf8_lossy(&out.stderr));
    // A sweep lab's folder has no events.jsonl: its summary.json is the comparison's.
    let events = match std::fs::read_to_string(dir.join("events.jsonl")) {
        Ok(text) => text.lines().map(|l| serde_json::from_str(l).unwrap()).collect(),
        Err(_) => Vec::new(),
    };
    let summary = serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap();
    Lab { id, _folder: folder, dir, events, summary }
}

impl Lab {
    /// Events of `kind`, in order.
    pub(super) fn of(&self, kind: &str) -> Vec<&Value> {
        self.events.iter().filter(|e| e["type"] == kind).collect()
    }

    /// The first event of `kind` whose message holds `text`.
    pub(super) fn first(&self, kind: &str, text: &str) -> Option<&Value> {
        self.of(kind).into_iter().find(|e| message(e).contains(text))
    }

    /// When `task` entered `status`.
    pub(super) fn entered(&self, task: &str, status: &str) -> Option<f64> {
        self.events.iter().find(|e| e["task"] == task && e["status"] == status).map(time)
    }

    /// The instance `task` was placed on.
    pub(super) fn instance_of(&self, task: &str) -> String {
        let e = self.events.iter().find(|e| e["task"] == task && e["instance"].is_string());
        e.map(|e| e["instance"].as_str().unwrap().to_string()).unwrap_or_default()
    }

    /// The tasks of `service` ever started, in order.
    pub(super) fn tasks_of(&self, service: &str) -> Vec<String> {
        let started = self.of("SERVICE_TASKS_STARTED").into_iter().filter(|e| e["service"] == service);
        started.flat_map(tasks_in).collect()
    }

    /// A CSV of the folder as rows of (column → cell).
    pub(super) fn csv(&self, file: &str) -> Vec<BTreeMap<String, String>> {
        let mut reader = csv::Reader::from_path(self.dir.join(file)).unwrap();
        let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
        reader.records().map(|r| header.iter().cloned().zip(r.unwrap().iter().map(String::from)).collect()).collect()
    }

    /// metrics.csv's rows of `service`.
    pub(super) fn metrics(&self, service: &str) -> Vec<BTreeMap<String, String>> {
        self.csv("metrics.csv").into_iter().filter(|r| r["service"] == service).collect()
    }

    /// summary.json's entry of `service`.
    pub(super) fn service(&self, name: &str) -> &Value {
        self.summary["services"].as_array().unwrap().iter().find(|s| s["name"] == name).unwrap()
    }

    /// The lesson holds, or the test fails naming the lab and the lesson.
    pub(super) fn lesson(&self, holds: bool, lesson: &str) {
        assert!(holds, "lab {}: the lesson broke: {lesson}", self.id);
    }
}

pub(super) fn time(e: &Value) -> f64 {
    e["time"].as_f64().unwrap()
}

pub(super) fn message(e: &Value) -> &str {
    e["message"].as_str().unwrap_or("")
}

pub(super) fn num(cell: &str) -> f64 {
    cell.parse().unwrap_or(f64::NAN)
}

/// The task names an event lists, `(task web-7) (task web-8)` → `web-7`, `web-8`.
pub(super) fn tasks_in(e: &Value) -> Vec<String> {
    message(e).split("(task ").skip(1).filter_map(|s| s.split(')').next()).map(String::from).collect()
}

/// breakdown.csv's count of (`service`, `dimension`, `key`) at `time_s` (a missing line is 0).
pub(super) fn breakdown(lab: &Lab, time_s: f64, service: &str, dimension: &str, key: &str) -> f64 {
    let rows = lab.csv("breakdown.csv");
    let row = rows.iter().find(|r| {
        num(&r["time_s"]) == time_s && r["service"] == service && r["dimension"] == dimension && r["key"] == key
    });
    row.map_or(0.0, |r| num(&r["value"]))
}

/// `ecsim labs run` writes to out/NN-name by default, from any directory, and names what it does
/// not know.
#[test]
fn labs_run_writes_out_nn_name_from_any_directory_and_refuses_an_unknown_lab() {
    let cwd = tempfile::tempdir().unwrap();
    let ecsim = || {
        let mut c = Command::new(env!("CARGO_BIN_EXE_ecsim"));
        c.current_dir(cwd.path());
        c
    };
    let out = ecsim().args(["labs", "run", "3"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("outputs in out/03-ports-and-enis/"), "{stdout}");
    assert!(stdout.contains("the lab's questions: scenarios/labs/03-ports-and-enis/README.md"), "{stdout}");
    assert!(cwd.path().join("out/03-ports-and-enis/report.html").is_file());
    let by_name = ecsim().args(["labs", "run", "ports-and-enis", "--out", "again"]).output().unwrap();
    assert!(by_name.status.success());
    assert_eq!(
        std::fs::read(cwd.path().join("again/events.jsonl")).unwrap(),
        std::fs::read(cwd.path().join("out/03-ports-and-enis/events.jsonl")).unwrap(),
        "a lab is found by its name as by its number"
    );
    let unknown = ecsim().args(["labs", "run", "99"]).output().unwrap();
    assert_eq!(unknown.status.code(), Some(2));
    let stderr = String::from_utf8(unknown.stderr).unwrap();
    assert!(stderr.contains("no lab `99`: the labs are 01-healing, 02-placement"), "{stderr}");
}

/// The lab folders and the labs `ecsim labs` lists are the same set.
#[test]
fn every_lab_folder_is_listed_and_every_listed_lab_runs_from_its_folder() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut folders: Vec<String> = std::fs::read_dir(root.join("scenarios/labs"))
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    folders.sort();
    let out = Command::new(env!("CARGO_BIN_EXE_ecsim")).arg("labs").output().unwrap();
    assert!(out.status.success());
    let listing = String::from_utf8(out.stdout).unwrap();
    let listed: Vec<String> = listing
        .lines()
        .take_while(|l| !l.is_empty())
        .map(|l| {
            let mut words = l.split_whitespace();
            format!("{}-{}", words.next().unwrap(), words.next().unwrap())
        })
        .collect();
    assert_eq!(listed, folders, "`ecsim labs` lists every folder of scenarios/labs/, in order");
    assert!(folders.len() >= 12, "the course has at least 12 labs: {folders:?}");
    for folder in &folders {
        let readme = std::fs::read_to_string(root.join("scenarios/labs").join(folder).join("README.md")).unwrap();
        for part in ["<details>", "## Try this", "report.html"] {
            assert!(readme.contains(part), "{folder}/README.md has no `{part}`");
        }
    }
}
