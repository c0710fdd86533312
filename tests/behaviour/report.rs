//! report.html, the timeline and traffic charts and breakdown.csv, as a user opens them: one
//! self-contained page per run with a panel per thing that happened, an events table that lists
//! the run's events, and `ecsim report DIR` remaking exactly what the run wrote.

use std::fs;
use std::path::Path;
use std::process::Command;

fn ecsim(args: &[&str], dir: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ecsim")).args(args).current_dir(dir).output().unwrap()
}

fn run_into(scenario_yaml: &str, dir: &Path) -> std::path::PathBuf {
    fs::write(dir.join("lab.yaml"), scenario_yaml).unwrap();
    let out = ecsim(&["run", "lab.yaml", "--out", "out"], dir);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    dir.join("out")
}

/// A scenario of `services` copies of a small web service behind an ALB with fluid traffic, a
/// crash and a deployment whose new revision runs out of memory.
fn lab(duration: &str, services: usize) -> String {
    let mut yaml = format!(
        "name: report-lab\nseed: 3\nduration: {duration}\nzones: [us-east-1a, us-east-1b]\nmetrics: {{ interval: 60s }}\n\
task_definitions:\n  web:\n    cpu: 512\n    memory: 1024\n    network_mode: awsvpc\n    container_definitions:\n      \
- {{ name: app, image: web:1, port_mappings: [{{ container_port: 8080 }}] }}\n  web-oom:\n    cpu: 512\n    memory: 1024\n    \
network_mode: awsvpc\n    container_definitions:\n      - name: app\n        image: web:2\n        port_mappings: [{{ container_port: 8080 }}]\n        \
behaviour: {{ memory: {{ baseline: 900, growth_per_hour: 2000 }} }}\n\
capacity_providers:\n  ec2:\n    auto_scaling_group: {{ instance_type: m5.2xlarge, desired_capacity: {} }}\n\
load_balancers:\n",
        services.max(2)
    );
    for i in 0..services {
        yaml.push_str(&format!("  alb{i}: {{ target_groups: {{ tg{i}: {{ deregistration_delay: 30s }} }} }}\n"));
    }
    yaml.push_str("services:\n");
    for i in 0..services {
        yaml.push_str(&format!(
            "  web{i}:\n    task_definition: web\n    desired_count: 2\n    capacity_provider_strategy: [{{ capacity_provider: ec2 }}]\n    \
load_balancer: tg{i}\n    requests: {{ cpu_time: 20ms }}\n"
        ));
    }
    yaml.push_str("traffic:\n  fidelity: fluid\n  sources:\n");
    for i in 0..services {
        yaml.push_str(&format!("    - {{ to: alb{i}, rate: 20 }}\n"));
    }
    yaml.push_str("faults:\n  - { at: 10m, crash_tasks: { service: web0, count: 1 } }\n");
    yaml.push_str("actions:\n  - { at: 20m, deploy: { service: web0, task_definition: web-oom } }\n");
    yaml
}

#[test]
fn a_run_writes_a_self_contained_report_with_its_panels_and_events() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_into(&lab("1h", 2), dir.path());
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    // Self-contained: nothing to fetch (the only URL is SVG's namespace).
    let without_namespace = html.replace("http://www.w3.org/2000/svg", "");
    for outside in ["http://", "https://", "<link", "src=", "@import"] {
        assert!(!without_namespace.contains(outside), "report.html refers outside itself: {outside}");
    }
    for section in ["service web0", "service web1", "cluster", "cost", "summary", "events"] {
        assert!(html.contains(&format!("<h2>{section}</h2>")), "no section {section}");
    }
    for panel in [
        "web0: requests",
        "web0: response time",
        "web0: 5xx responses",
        "web0: targets",
        "web0: tasks",
        "web0: tasks by task definition",
        "web0: tasks by Availability Zone",
        "web0: utilization",
        "cluster: instances by Availability Zone",
        "cluster: capacity by provider",
        "cluster: reservation",
        "cost rate",
    ] {
        assert!(html.contains(&format!("data-title=\"{panel}\"")), "no panel {panel}");
    }
    assert!(html.contains("data-series=\"p50|p90|p99\""), "the latency panel draws p50, p90 and p99");
    assert!(html.contains("data-series=\"web|web-oom\""), "tasks by revision name both task definitions");
    // The events table lists every event of the log, in its order.
    let events = fs::read_to_string(out.join("events.jsonl")).unwrap();
    let rows = html.matches("<tr class=\"event\"").count();
    assert_eq!(rows, events.lines().count());
    // The summary table is the terminal's, and the cards say the cost.
    let summary: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let total = summary["cost_usd_total"].as_f64().unwrap();
    assert!(html.contains(&format!("${total:.4}")), "the cost card says ${total:.4}");
    assert!(html.contains("instances: 2   cost:"), "the summary is the terminal's table");
    for file in ["timeline.png", "timeline.svg", "traffic.png", "traffic.svg", "breakdown.csv"] {
        assert!(out.join(file).is_file(), "no {file}");
    }
}

#[test]
fn the_timeline_shows_the_crash_the_deployment_and_the_oom_kills() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_into(&lab("1h", 1), dir.path());
    let svg = fs::read_to_string(out.join("timeline.svg")).unwrap();
    for lane in ["fault injected", "deployment started", "stopped: OutOfMemoryError"] {
        assert!(svg.contains(lane), "the timeline has no lane {lane:?}");
    }
    // breakdown.csv: the OOM stops, in the intervals they happened, and tasks per revision.
    let breakdown = fs::read_to_string(out.join("breakdown.csv")).unwrap();
    assert!(breakdown.starts_with("time_s,service,dimension,key,value\n"));
    let oom: u32 = breakdown
        .lines()
        .filter(|l| l.contains(",stopped,OutOfMemoryError"))
        .map(|l| l.rsplit(',').next().unwrap().parse::<u32>().unwrap())
        .sum();
    let summary: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let reasons = &summary["services"][0]["stop_reasons"];
    let expected: u64 = reasons
        .as_object()
        .unwrap()
        .iter()
        .filter(|(k, _)| k.starts_with("OutOfMemoryError"))
        .map(|(_, v)| v.as_u64().unwrap())
        .sum();
    assert!(expected > 0, "the lab's new revision must run out of memory: {reasons}");
    assert_eq!(u64::from(oom), expected, "the intervals' stops add up to the run's");
    assert!(breakdown.contains(",web0,task_definition,web-oom,"));
}

#[test]
fn ecsim_report_remakes_the_same_report_and_keeps_what_is_yours() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_into(&lab("30m", 1), dir.path());
    let before = fs::read(out.join("report.html")).unwrap();
    let timeline = fs::read(out.join("timeline.svg")).unwrap();
    fs::write(out.join("notes.txt"), "mine").unwrap();
    fs::write(out.join("report.html"), "an older report").unwrap();
    let made = ecsim(&["report", "out"], dir.path());
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    assert_eq!(fs::read(out.join("report.html")).unwrap(), before, "byte-identical to the run's");
    assert_eq!(fs::read(out.join("timeline.svg")).unwrap(), timeline);
    assert_eq!(fs::read_to_string(out.join("notes.txt")).unwrap(), "mine");
    assert!(!dir.path().join("out.partial").exists(), "nothing half-written is left");

    // A folder of an older ecsim, without breakdown.csv, still gets a report, without the
    // panels that need it.
    fs::remove_file(out.join("breakdown.csv")).unwrap();
    let made = ecsim(&["report", "out"], dir.path());
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("data-title=\"web0: tasks\"") && !html.contains("tasks by task definition"));
}

#[test]
fn ecsim_report_refuses_a_folder_it_did_not_write() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("mine")).unwrap();
    fs::write(dir.path().join("mine/report.html"), "my own page").unwrap();
    let out = ecsim(&["report", "mine"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("mine is not a run or sweep folder of ecsim's"), "{stderr}");
    assert_eq!(fs::read_to_string(dir.path().join("mine/report.html")).unwrap(), "my own page");
}

/// A day of 50 services behind load balancers (each on its own m5.2xlarge: three awsvpc tasks
/// fit one), each with its eight panels, and 10,000 events: about 4.5 MB (3.4 MB of charts,
/// 1.1 MB of events table). Long in a debug build: `.ci/run` runs it in release.
#[test]
#[ignore = "long: .ci/run runs it with --release --ignored"]
fn the_report_of_a_day_of_fifty_services_stays_small() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_into(&lab("24h", 50), dir.path());
    let size = fs::metadata(out.join("report.html")).unwrap().len();
    assert!(size < 5_000_000, "report.html is {size} bytes");
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert_eq!(html.matches("<figure class=\"panel\"").count(), 1 + 50 * 8 + 4 + 1, "every panel is there");
}
