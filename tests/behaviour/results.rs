//! The committed example outputs in results/ are what this version of ecsim produces.

use std::fs;
use std::path::Path;
use std::process::Command;

#[test]
fn committed_results_match_a_fresh_run() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for entry in fs::read_dir(root.join("results")).unwrap() {
        let committed = entry.unwrap().path();
        let elsewhere = ["experiments", "labs", "screenshots"];
        if !committed.is_dir() || elsewhere.iter().any(|e| committed.ends_with(e)) {
            continue;
        }
        let name = committed.file_name().unwrap().to_string_lossy().into_owned();
        let scenario = root.join("scenarios").join(format!("{name}.yaml"));
        let fresh = tempfile::tempdir().unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_ecsim"))
            .args(["run", scenario.to_str().unwrap(), "--out"])
            .arg(fresh.path().join(&name))
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let regenerate = format!("cargo run --release -- run scenarios/{name}.yaml --out results/{name}");
        assert_same_files(&committed, &fresh.path().join(&name), &regenerate);
    }
}

/// The committed sweep folders in results/experiments/ are what `ecsim sweep` writes today, byte
/// for byte (the sweep runs from the repository's root, as the README's command does).
#[test]
fn committed_experiment_results_match_a_fresh_sweep() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for entry in fs::read_dir(root.join("results/experiments")).unwrap() {
        let committed = entry.unwrap().path();
        let name = committed.file_name().unwrap().to_string_lossy().into_owned();
        let fresh = tempfile::tempdir().unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_ecsim"))
            .args(["sweep", &format!("scenarios/experiments/{name}.yaml"), "--out"])
            .arg(fresh.path().join(&name))
            .current_dir(root)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let regenerate =
            format!("cargo run --release -- sweep scenarios/experiments/{name}.yaml --out results/experiments/{name}");
        assert_same_files(&committed, &fresh.path().join(&name), &regenerate);
    }
}

/// The committed outputs of every teaching lab in results/labs/ are what `ecsim labs run` writes
/// today, byte for byte (a sweep lab's folder included), and every lab has them.
#[test]
fn committed_lab_results_match_a_fresh_run() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut labs: Vec<String> = fs::read_dir(root.join("scenarios/labs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    labs.sort();
    let committed: Vec<String> = fs::read_dir(root.join("results/labs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    for lab in &labs {
        assert!(
            committed.contains(lab),
            "results/labs/{lab} is missing: `cargo run --release -- labs run {lab} --out results/labs/{lab}`"
        );
        let fresh = tempfile::tempdir().unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_ecsim"))
            .args(["labs", "run", lab, "--out"])
            .arg(fresh.path().join(lab))
            .output()
            .unwrap();
        assert!(out.status.success(), "{lab}: {}", String::from_utf8_lossy(&out.stderr));
        let regenerate = format!("cargo run --release -- labs run {lab} --out results/labs/{lab}");
        assert_same_files(&root.join("results/labs").join(lab), &fresh.path().join(lab), &regenerate);
    }
}

/// Every file of `committed` is byte-identical in `fresh`.
fn assert_same_files(committed: &Path, fresh: &Path, regenerate: &str) {
    for file in fs::read_dir(committed).unwrap() {
        let file = file.unwrap().path();
        assert_finite(&file);
        let fresh_file = fresh.join(file.file_name().unwrap());
        assert!(
            fs::read(&file).ok() == fs::read(&fresh_file).ok(),
            "{} is stale: regenerate with `{regenerate}`",
            file.display()
        );
    }
}

/// No number a user reads is NaN or infinite: the tables and JSON of every committed output hold
/// none (a JSON float that is not finite would be written `null`, a CSV one `NaN` or `inf`).
fn assert_finite(file: &Path) {
    let Some(ext) = file.extension().and_then(|e| e.to_str()) else { return };
    if !matches!(ext, "csv" | "json" | "jsonl" | "md") {
        return;
    }
    let text = fs::read_to_string(file).unwrap();
    for (n, line) in text.lines().enumerate() {
        let cells = line.split([',', ' ', ':', '|', '[', ']', '{', '}']).map(str::trim);
        let bad =
            cells.filter(|c| matches!(c.to_ascii_lowercase().as_str(), "nan" | "inf" | "-inf" | "infinity")).count();
        assert_eq!(bad, 0, "{}:{}: a number that is not finite: {line}", file.display(), n + 1);
    }
}
