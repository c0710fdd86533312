//! `task_definitions: { api: { import: taskdefs/api.json } }` reads an AWS task definition JSON file
//! unmodified: register-task-definition input or describe-task-definition output.

use std::path::Path;

use ecsim::record::EventKind;
use ecsim::scenario::{load, load_str, Scenario};
use ecsim::task::{NetworkMode, TaskDefinition};

use crate::common::run;
use crate::common::ReplaceOnce;

const SCENARIO: &str = "tests/fixtures/import-scenario.yaml";

fn imported() -> Scenario {
    load(Path::new(SCENARIO)).unwrap_or_else(|e| panic!("{e}")).0
}

fn definition<'a>(scenario: &'a Scenario, family: &str) -> &'a TaskDefinition {
    scenario.task_definitions.iter().find(|td| td.family == family).unwrap()
}

/// A container's (name, cpu, memory, memory_reservation, essential).
type Container<'a> = (&'a str, u32, Option<u32>, Option<u32>, bool);

fn containers(td: &TaskDefinition) -> Vec<Container<'_>> {
    td.containers.iter().map(|c| (c.name.as_str(), c.cpu, c.memory, c.memory_reservation, c.essential)).collect()
}

/// (container port, host port) of every mapping of the task.
fn ports(td: &TaskDefinition) -> Vec<(u16, Option<u16>)> {
    td.containers.iter().flat_map(|c| &c.port_mappings).map(|p| (p.container_port, p.host_port)).collect()
}

/// What loading `yaml` as a scenario in tests/fixtures (so `taskdefs/` resolves) reports.
fn errors(yaml: &str) -> String {
    match load_str(yaml, "tests/fixtures/bad.yaml", "bad") {
        Ok(_) => panic!("the scenario must be invalid"),
        Err(e) => e.to_string(),
    }
}

/// A valid scenario around one imported definition run on Fargate.
fn with_import(task_definition: &str) -> String {
    format!(
        "duration: 1h\nzones: [us-east-1a]\ntask_definitions:\n{task_definition}\nservices:\n  \
         api: {{ task_definition: api, desired_count: 1, launch_type: FARGATE }}\n"
    )
}

#[test]
fn imported_definitions_keep_aws_values() {
    let s = imported();
    let families: Vec<&str> = s.task_definitions.iter().map(|td| td.family.as_str()).collect();
    assert_eq!(families, ["metrics-agent", "reports", "resizer", "shop", "web"], "named by the scenario's keys");

    // (a) Fargate web service: "512" / "1024" strings, awsvpc, healthCheck and secrets.
    let web = definition(&s, "web");
    assert_eq!((web.cpu, web.memory, web.network_mode), (Some(512), Some(1024), NetworkMode::Awsvpc));
    assert_eq!(containers(web), [("web", 0, None, None, true)]);
    assert_eq!(web.containers[0].image, "123456789012.dkr.ecr.us-east-1.amazonaws.com/web-frontend:4.2.0");
    assert_eq!(ports(web), [(8080, Some(8080))]);
    assert_eq!(web.containers[0].stop_timeout.as_secs_f64(), 30.0);

    // (b) EC2 bridge: app + nginx sidecar, dynamic (0) and static host ports, soft limits.
    let shop = definition(&s, "shop");
    assert_eq!((shop.cpu, shop.memory, shop.network_mode), (None, None, NetworkMode::Bridge));
    assert_eq!(containers(shop), [("app", 512, Some(1024), Some(512), true), ("nginx", 128, None, Some(128), true)]);
    assert_eq!(ports(shop), [(3000, None), (80, Some(80))]);
    assert_eq!((shop.reserved_cpu(), shop.reserved_memory()), (640, 640));

    // (c) describe-task-definition output: host mode binds the container port on the instance.
    let agent = definition(&s, "metrics-agent");
    assert_eq!((agent.cpu, agent.memory, agent.network_mode), (None, None, NetworkMode::Host));
    assert_eq!(containers(agent), [("node-exporter", 256, Some(512), None, true)]);
    assert_eq!(ports(agent), [(9100, Some(9100))]);
    assert_eq!(agent.containers[0].stop_timeout.as_secs_f64(), 10.0);

    // (d) Fargate ARM64 with AWS's unit strings.
    let resizer = definition(&s, "resizer");
    assert_eq!((resizer.cpu, resizer.memory, resizer.network_mode), (Some(1024), Some(2048), NetworkMode::Awsvpc));
    assert_eq!(ports(resizer), [(9000, None)]);

    // (e) batch worker: no ports, a non-essential sidecar, a long stop timeout.
    let reports = definition(&s, "reports");
    assert_eq!((reports.cpu, reports.memory, reports.network_mode), (Some(1024), Some(2048), NetworkMode::Bridge));
    assert_eq!(containers(reports), [("worker", 896, Some(1792), None, true), ("statsd", 128, None, Some(256), false)]);
    assert!(ports(reports).is_empty());
    let stop_timeouts: Vec<f64> = reports.containers.iter().map(|c| c.stop_timeout.as_secs_f64()).collect();
    assert_eq!(stop_timeouts, [120.0, 5.0]);
}

#[test]
fn a_scenario_of_imported_definitions_runs_every_service_to_its_desired_count() {
    let scenario = imported();
    let (_, summary, rec) = run(&scenario);
    assert_eq!(summary.services.len(), 5);
    for s in &summary.services {
        assert_eq!((s.name.as_str(), s.running_at_end), (s.name.as_str(), s.desired_count), "{s:?}");
        assert_eq!(s.placement_failures, 0, "{s:?}");
    }
    let steady: Vec<_> = rec.events.iter().filter(|e| e.kind == EventKind::ServiceSteadyState).collect();
    assert!(steady.len() >= 5, "every service reaches steady state");
}

#[test]
fn a_misspelt_field_is_an_error_in_the_json_file_with_a_suggestion() {
    let report = errors(&with_import("  api: { import: taskdefs/malformed.json }"));
    insta::assert_snapshot!(report, @"
    tests/fixtures/taskdefs/malformed.json:7: containerDefinitions[0].memroy: `memroy` is not a field of an AWS container definition
      hint: did you mean `memory`?
    ");
}

#[test]
fn a_wrong_enum_value_suggests_the_intended_one() {
    let report = errors(&with_import("  api: { import: taskdefs/wrong-network-mode.json }"));
    insta::assert_snapshot!(report, @"
    tests/fixtures/taskdefs/wrong-network-mode.json:3: networkMode: unknown variant `awsvcp`, expected one of `bridge`, `host`, `awsvpc`, `none`
      hint: did you mean `awsvpc`?
    ");
}

/// Loads `yaml` (in tests/fixtures, so `taskdefs/` resolves) or panics with its problems.
fn valid(yaml: &str) -> Scenario {
    load_str(yaml, "tests/fixtures/ok.yaml", "ok").unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn fields_written_beside_import_merge_over_the_file() {
    // fargate-web.json: task cpu "512", memory "1024", one container `web` of cpu 0, port 8080.
    let yaml = with_import(
        "  api:\n    import: taskdefs/fargate-web.json\n    cpu: 1024\n    memory: 2048\n    container_definitions:\n      \
         - { name: web, behaviour: { exits_after: 10m, exit_code: 137 } }\n      \
         - { name: envoy, image: envoy:1.30, cpu: 128, memory: 128, essential: false }",
    );
    let scenario = valid(&yaml);
    let api = definition(&scenario, "api");
    assert_eq!((api.cpu, api.memory), (Some(1024), Some(2048)), "the scenario's task size replaces the file's");
    assert_eq!(api.network_mode, NetworkMode::Awsvpc, "what the scenario does not write is the file's");
    assert_eq!(containers(api), [("web", 0, None, None, true), ("envoy", 128, Some(128), None, false)]);
    let web = &api.containers[0];
    assert_eq!(web.image, "123456789012.dkr.ecr.us-east-1.amazonaws.com/web-frontend:4.2.0", "the file's image");
    assert_eq!(ports(api), [(8080, Some(8080))], "the file's port mappings");
    // The written behaviour takes effect: the task crashes at 10 minutes with the OOM code.
    let (_, summary, _) = run(&scenario);
    let stops = &summary.services[0].stop_reasons;
    assert!(stops.keys().any(|r| r.contains("exited")), "the crash the override adds happens: {stops:?}");
}

#[test]
fn a_problem_in_a_written_field_is_reported_in_the_scenario_the_rest_in_the_file() {
    // The written cpu is not a Fargate size: the scenario's line 6, not the file's.
    let report = errors(&with_import("  api:\n    import: taskdefs/fargate-web.json\n    cpu: 300"));
    assert!(report.contains("tests/fixtures/bad.yaml:6: task_definitions.api.cpu:"), "{report}");
    assert!(!report.contains("fargate-web.json"), "{report}");
    // A written behaviour's problem and a new container without its image are the scenario's too.
    let yaml = with_import(
        "  api:\n    import: taskdefs/fargate-web.json\n    container_definitions:\n      \
         - { name: web, behaviour: { exit_code: 999 } }\n      - { name: envoy }",
    );
    let report = errors(&yaml);
    assert!(
        report.contains("tests/fixtures/bad.yaml:7: task_definitions.api.container_definitions[0].behaviour"),
        "{report}"
    );
    assert!(
        report.contains(
            "tests/fixtures/bad.yaml:8: task_definitions.api.container_definitions[1]: missing field `image`"
        ),
        "{report}"
    );
    assert!(!report.contains("fargate-web.json"), "nothing in the file is wrong: {report}");
}

#[test]
fn a_missing_file_is_reported_at_the_import() {
    let report = errors(&with_import("  api: { import: taskdefs/missing.json }"));
    insta::assert_snapshot!(report, @"
    tests/fixtures/bad.yaml:4: task_definitions.api.import: cannot read `tests/fixtures/taskdefs/missing.json`: no such file
      hint: `import` paths are relative to the scenario file's directory
    ");
}

#[test]
fn import_problems_come_with_the_scenarios_own_and_nothing_misleading() {
    // The failed import is not also an "unknown task definition" for what runs it, and still counts
    // for "did you mean"; the scenario's other problems are reported in the same pass.
    let yaml = with_import("  api: { import: taskdefs/malformed.json }")
        .replace_once("desired_count: 1", "desired_count: -1")
        + "  web: { task_definition: apj, desired_count: 1, launch_type: FARGATE }\n"
        + "tasks:\n  once: { task_definition: api, launch_type: FARGATE }\n";
    let report = errors(&yaml);
    assert!(report.contains("tests/fixtures/taskdefs/malformed.json:7: containerDefinitions[0].memroy: "), "{report}");
    assert!(report.contains("tests/fixtures/bad.yaml:6: services.api.desired_count: "), "{report}");
    assert!(!report.contains("services.api.task_definition") && !report.contains("tasks.once"), "{report}");
    assert!(
        report.contains(
            "bad.yaml:7: services.web.task_definition: unknown task definition `apj`\n  hint: did you mean `api`?"
        ),
        "{report}"
    );
}

#[test]
fn validation_problems_in_an_imported_definition_point_into_its_file() {
    // The EC2 bridge definition run on Fargate: no task-level size, and bridge networking. The
    // problems are reported in ec2-bridge.json, at AWS's field names.
    let report = errors(&with_import("  api: { import: taskdefs/ec2-bridge.json }"));
    insta::assert_snapshot!(report, @"
    tests/fixtures/bad.yaml:6: services.api.task_definition: task definition `api` is not compatible with FARGATE (requires_compatibilities: [EC2])
      hint: add FARGATE to the task definition's requires_compatibilities
    tests/fixtures/taskdefs/ec2-bridge.json:1: .: Fargate requires task-level `cpu` and `memory` (service `api` runs it on Fargate)
      hint: e.g. `cpu: 256` and `memory: 512`
    tests/fixtures/taskdefs/ec2-bridge.json:4: networkMode: Fargate requires network_mode awsvpc (service `api` runs it on Fargate)
      hint: set `network_mode: awsvpc`
    ");
}

#[test]
fn a_run_records_the_hash_of_every_imported_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_ecsim"))
        .args(["run", SCENARIO, "--out"])
        .arg(&out)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
    let run: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    let imports = run["imports"].as_array().unwrap();
    assert_eq!(imports.len(), 5);
    let first = &imports[0];
    let file = first["file"].as_str().unwrap();
    assert!(file.starts_with("taskdefs/") && file.ends_with(".json"), "{file}");
    let text = std::fs::read(std::path::Path::new("tests/fixtures").join(file)).unwrap();
    use sha2::Digest;
    let expected: String = sha2::Sha256::digest(&text).iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(first["sha256"].as_str().unwrap(), expected);
}
