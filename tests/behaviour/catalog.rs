//! `ecsim catalog`: instance types and Fargate sizes with prices, as a table, csv and json.

use std::process::{Command, Output};

fn ecsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ecsim")).args(args).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs `ecsim catalog ARGS`, checks it succeeded, and returns (stdout, stderr).
fn catalog(args: &[&str]) -> (String, String) {
    let out = ecsim(&[&["catalog"], args].concat());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    (text(&out.stdout), text(&out.stderr))
}

/// The table line that starts with `first` (then a space), split on whitespace.
fn row<'a>(table: &'a str, first: &str) -> Vec<&'a str> {
    let line = table.lines().find(|l| l.starts_with(&format!("{first} "))).unwrap_or_else(|| panic!("no {first} row"));
    line.split_whitespace().collect()
}

const INSTANCE_HEADER: [&str; 12] = [
    "type",
    "architecture",
    "vcpus",
    "speed",
    "memory_gib",
    "registered_cpu_units",
    "registered_memory_mib",
    "max_enis",
    "awsvpc_tasks",
    "awsvpc_tasks_trunk",
    "price_per_hour_usd",
    "price_per_day_usd",
];

const FARGATE_HEADER: [&str; 7] = [
    "cpu_units",
    "memory_mib",
    "vcpus",
    "memory_gb",
    "price_per_hour_x86_usd",
    "price_per_hour_arm64_usd",
    "price_per_hour_spot_x86_usd",
];

#[test]
fn the_table_shows_everything_with_the_price_dates() {
    let (stdout, stderr) = catalog(&[]);
    assert_eq!(stderr, "");
    let first = stdout.lines().next().unwrap();
    assert!(first.starts_with("Prices: USD, us-east-1, Linux on-demand."), "{first}");
    assert!(first.contains("2026-07-20") && first.contains("March-June 2026"), "{first}");
    assert!(stdout.contains("the 70% discount is an assumption"), "{stdout}");
    assert!(stdout.contains("EC2 instance types (70)"), "{stdout}");
    assert!(stdout.contains("Fargate task sizes (74)"), "{stdout}");
    // type, arch, vCPU, speed, GiB, CPU units, memory MiB, ENIs, awsvpc, trunk, $/hour, $/day.
    assert_eq!(
        row(&stdout, "m5.large"),
        ["m5.large", "x86_64", "2", "1.00", "8", "2048", "7985", "3", "2", "10", "0.0960", "2.30"]
    );
    assert_eq!(
        row(&stdout, "t3.nano"),
        ["t3.nano", "x86_64", "2", "1.00", "0.5", "2048", "499", "2", "1", "–", "0.0052", "0.12"]
    );
    assert_eq!(row(&stdout, "m6g.large")[1], "arm64");
    // Per-vCPU speeds, ecsim's default: 3.4 / 3.1 GHz for c5, 2.5 / 3.1 GHz for Graviton2.
    assert_eq!(row(&stdout, "c5.xlarge")[3], "1.10");
    assert_eq!(row(&stdout, "m6g.large")[3], "0.81");
    assert!(stdout.contains("Per-vCPU speed 1.00"), "{stdout}");
    assert_eq!(
        row(&stdout, "r5.4xlarge"),
        ["r5.4xlarge", "x86_64", "16", "1.00", "128", "16384", "127760", "8", "7", "60", "1.0080", "24.19"]
    );
    // CPU units, memory MiB, vCPU, GB, x86, ARM, Spot: 0.25 x 0.04048 + 0.5 x 0.004445 = 0.0123425.
    assert!(stdout
        .lines()
        .any(|l| l.split_whitespace().eq(["256", "512", "0.25", "0.5", "0.0123", "0.0099", "0.0037"])));
}

#[test]
fn one_section_as_a_table() {
    let (instances, _) = catalog(&["instances"]);
    assert!(instances.starts_with("Prices: "));
    assert!(instances.contains("m5.large") && !instances.contains("Fargate task sizes"));
    let (fargate, _) = catalog(&["fargate", "--format", "table"]);
    assert!(fargate.contains("Fargate task sizes (74)") && !fargate.contains("m5.large"));
    // 1 vCPU / 2 GB: 0.04048 + 2 x 0.004445 = 0.04937; ARM 0.0395; Spot 0.014811.
    let one = fargate.lines().find(|l| l.split_whitespace().take(2).eq(["1024", "2048"])).unwrap();
    assert_eq!(one.split_whitespace().collect::<Vec<_>>(), ["1024", "2048", "1", "2", "0.0494", "0.0395", "0.0148"]);
}

#[test]
fn csv_has_a_header_row_and_one_record_per_entry() {
    let (stdout, stderr) = catalog(&["instances", "--format", "csv"]);
    assert!(stderr.starts_with("Prices: USD, us-east-1"), "the notes go beside the data: {stderr}");
    let mut reader = csv::Reader::from_reader(stdout.as_bytes());
    assert_eq!(reader.headers().unwrap(), &csv::StringRecord::from(INSTANCE_HEADER.to_vec()));
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), 70);
    assert_eq!(&records[0][0], "t3.nano", "catalog order");
    let m5 = records.iter().find(|r| &r[0] == "m5.large").unwrap();
    assert_eq!(
        m5,
        &csv::StringRecord::from(vec![
            "m5.large", "x86_64", "2", "1.00", "8", "2048", "7985", "3", "2", "10", "0.0960", "2.30"
        ])
    );
    let t3 = records.iter().find(|r| &r[0] == "t3.large").unwrap();
    assert_eq!(&t3[9], "", "not trunk-capable: an empty cell, not a dash");

    let (stdout, _) = catalog(&["fargate", "--format", "csv"]);
    let mut reader = csv::Reader::from_reader(stdout.as_bytes());
    assert_eq!(reader.headers().unwrap(), &csv::StringRecord::from(FARGATE_HEADER.to_vec()));
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), 74);
    assert_eq!(records[0], csv::StringRecord::from(vec!["256", "512", "0.25", "0.5", "0.0123", "0.0099", "0.0037"]));
    let sizes: Vec<(u32, u32)> = records.iter().map(|r| (r[0].parse().unwrap(), r[1].parse().unwrap())).collect();
    assert!(sizes.windows(2).all(|w| w[0] < w[1]), "ascending by (cpu, memory)");
}

#[test]
fn json_is_arrays_of_objects_with_numeric_prices() {
    let (stdout, stderr) = catalog(&["instances", "--format", "json"]);
    assert!(stderr.contains("assumption"));
    let instances: Vec<serde_json::Value> = serde_json::from_str(&stdout).unwrap();
    assert_eq!(instances.len(), 70);
    for object in &instances {
        let keys: Vec<&str> = object.as_object().unwrap().keys().map(String::as_str).collect();
        let mut expected = INSTANCE_HEADER.to_vec();
        expected.sort_unstable();
        assert_eq!(keys, expected, "every object has every column");
    }
    let m5 = instances.iter().find(|o| o["type"] == "m5.large").unwrap();
    assert_eq!(m5["vcpus"], 2);
    assert_eq!(m5["registered_memory_mib"], 7985);
    assert_eq!(m5["price_per_hour_usd"].as_f64(), Some(0.096));
    assert_eq!(m5["price_per_day_usd"].as_f64(), Some(2.3));
    assert_eq!(m5["awsvpc_tasks_trunk"], 10);
    let t3 = instances.iter().find(|o| o["type"] == "t3.medium").unwrap();
    assert!(t3["awsvpc_tasks_trunk"].is_null());

    let (stdout, _) = catalog(&["fargate", "--format", "json"]);
    let fargate: Vec<serde_json::Value> = serde_json::from_str(&stdout).unwrap();
    assert_eq!(fargate.len(), 74);
    assert_eq!(fargate[0]["cpu_units"], 256);
    assert_eq!(fargate[0]["memory_gb"].as_f64(), Some(0.5));
    assert_eq!(fargate[0]["price_per_hour_x86_usd"].as_f64(), Some(0.0123));
    assert_eq!(fargate[0]["price_per_hour_spot_x86_usd"].as_f64(), Some(0.0037));
}

#[test]
fn json_of_everything_holds_both_arrays() {
    let (stdout, _) = catalog(&["--format", "json"]);
    let all: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(all["instances"].as_array().map(Vec::len), Some(70));
    assert_eq!(all["fargate"].as_array().map(Vec::len), Some(74));
}

#[test]
fn output_is_deterministic() {
    for format in ["table", "csv", "json"] {
        assert_eq!(catalog(&["fargate", "--format", format]), catalog(&["fargate", "--format", format]));
    }
}

#[test]
fn csv_needs_a_section() {
    let out = ecsim(&["catalog", "--format", "csv"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).starts_with("error: csv holds one table"), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty());
}

#[test]
fn unknown_arguments_are_usage_errors() {
    let out = ecsim(&["catalog", "spot"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("invalid value 'spot'") && err.contains("[possible values: instances, fargate]"), "{err}");
    assert!(out.stdout.is_empty());

    let out = ecsim(&["catalog", "--format", "xml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("[possible values: table, csv, json]"), "{}", text(&out.stderr));
}
