//! `autoscaling: { import: [...] }` reads a service's Application Auto Scaling and CloudWatch alarm
//! JSON as the AWS CLI takes and prints it, with what is written beside `import:` merged over it.

use ecsim::autoscaling::Scalable;
use ecsim::scenario::{load_str, Scenario};

use crate::common::run;

const FILES: &str = "[scaling/register-scalable-target.json, scaling/cpu-target-tracking.json, \
                     scaling/describe-scaling-policies.json, scaling/memory-alarm.json, scaling/scheduled-action.json]";

/// A service `web` with `autoscaling` as given and a CPU load of `load` units over the run.
fn scenario(autoscaling: &str, load: &str) -> String {
    format!(
        r#"
duration: 40m
zones: [us-east-1a]
task_definitions:
  web: {{ cpu: 1024, memory: 2048, network_mode: awsvpc, container_definitions: [{{ name: web, image: web }}] }}
services:
  web:
    task_definition: web
    desired_count: 2
    launch_type: FARGATE
    load: {{ cpu: {load}, memory: 1024 }}
    autoscaling: {autoscaling}
"#
    )
}

fn load(yaml: &str) -> Result<Scenario, String> {
    load_str(yaml, "tests/fixtures/s.yaml", "s").map_err(|e| e.to_string())
}

#[test]
fn every_kind_of_file_maps_onto_the_services_autoscaling() {
    let s = load(&scenario(&format!("{{ import: {FILES} }}"), "1024")).unwrap_or_else(|e| panic!("{e}"));
    let target = s.autoscaling.targets.iter().find(|t| matches!(t.scalable, Scalable::Service(_))).unwrap();
    assert_eq!((target.target.min_capacity, target.target.max_capacity), (2, 10));
    assert_eq!(target.target_tracking.len(), 1, "the put-scaling-policy file");
    assert_eq!(target.target_tracking[0].target, 50.0);
    assert_eq!(target.step_scaling.len(), 1, "the describe-scaling-policies file, with its alarm");
    assert_eq!(target.step_scaling[0].policy.steps.len(), 2);
    assert_eq!(target.scheduled.len(), 1, "the put-scheduled-action file");
}

#[test]
fn an_imported_policy_scales_the_service_as_written_by_hand() {
    // 4 vCPU of demand over 2 one-vCPU tasks: 100 % CPU against a target of 50 % → 8 tasks.
    let imported = load(&scenario(
        "{ import: [scaling/register-scalable-target.json, scaling/cpu-target-tracking.json] }",
        "4096",
    ))
    .unwrap();
    let by_hand = load(&scenario(
        "{ min_capacity: 2, max_capacity: 10, target_tracking: [{ metric: cpu, target: 50, scale_out_cooldown: 60s, scale_in_cooldown: 300s }] }",
        "4096",
    ))
    .unwrap();
    let (a, b) = (run(&imported).1, run(&by_hand).1);
    assert_eq!(a.services[0].running_at_end, b.services[0].running_at_end);
    assert!(a.services[0].running_at_end >= 8, "{}", a.services[0].running_at_end);
}

#[test]
fn written_fields_win_and_problems_point_where_they_are() {
    // Written bounds replace the file's; a written policy is added after the imported ones.
    let s = load(&scenario(
        "{ import: [scaling/register-scalable-target.json, scaling/cpu-target-tracking.json], max_capacity: 4, \
         target_tracking: [{ metric: memory, target: 60 }] }",
        "1024",
    ))
    .unwrap();
    let t = &s.autoscaling.targets[0];
    assert_eq!((t.target.min_capacity, t.target.max_capacity), (2, 4));
    assert_eq!(t.target_tracking.len(), 2);
    // A written policy's problem is the scenario's line; a step policy without its alarm is the file's.
    let report = load(&scenario(
        "\n      import: [scaling/register-scalable-target.json, scaling/describe-scaling-policies.json]\n      \
         target_tracking: [{ metric: cpu, target: -5 }]",
        "1024",
    ))
    .unwrap_err();
    assert!(
        report.contains("tests/fixtures/scaling/describe-scaling-policies.json:5: ScalingPolicies[0].PolicyName: step scaling policy `memory-step-out` has no alarm among the imported files"),
        "{report}"
    );
    // A problem validation finds in an imported policy points at the policy in its file, and the
    // hint names the field in the scenario's terms.
    let no_memory = scenario(
        "{ import: [scaling/register-scalable-target.json, scaling/describe-scaling-policies.json, scaling/memory-alarm.json] }",
        "1024",
    )
    .replace(", memory: 1024", "");
    let report = load(&no_memory).unwrap_err();
    assert!(
        report.contains("tests/fixtures/scaling/describe-scaling-policies.json:3: ScalingPolicies[0]: the service publishes no MemoryUtilization"),
        "{report}"
    );
    assert!(
        report.contains("(`services.web.autoscaling.step_scaling[0].alarm.metric` in the scenario's terms)"),
        "{report}"
    );
    let report = load(&scenario(
        "\n      import: [scaling/register-scalable-target.json]\n      target_tracking: [{ metric: cpu, target: -5 }]",
        "1024",
    ))
    .unwrap_err();
    assert!(
        report.contains(
            "tests/fixtures/s.yaml:14: services.web.autoscaling.target_tracking[0].target: -5 must be a number > 0"
        ),
        "{report}"
    );
}
