//! `services: { web: { import: services/web.json } }` reads an ECS service as the AWS CLI takes
//! and prints it (create-service input, describe-services output), with the fields written beside
//! `import:` merged over it.

use ecsim::scenario::{load_str, Scenario};
use ecsim::service::{CapacitySource, SchedulingStrategy};

use crate::common::run;

/// A scenario in tests/fixtures (so `services/` and `taskdefs/` resolve) with `services` written
/// under `services:`.
fn scenario(services: &str) -> String {
    format!(
        r#"
duration: 30m
zones: [us-east-1a, us-east-1b]
task_definitions:
  web: {{ import: taskdefs/fargate-web.json }}
  worker: {{ cpu: 256, memory: 512, container_definitions: [{{ name: w, image: w }}] }}
capacity_providers:
  ec2: {{ auto_scaling_group: {{ instance_type: m5.large, desired_capacity: 2 }} }}
default_capacity_provider_strategy: [{{ capacity_provider: ec2 }}]
load_balancers:
  alb: {{ target_groups: {{ web-tg: {{}} }} }}
services:
{services}
"#
    )
}

fn load(yaml: &str) -> Result<Scenario, String> {
    load_str(yaml, "tests/fixtures/s.yaml", "s").map_err(|e| e.to_string())
}

#[test]
fn create_service_input_maps_onto_the_service() {
    let s = load(&scenario("  web: { import: services/create-web.json }")).unwrap_or_else(|e| panic!("{e}"));
    let web = &s.services[0];
    assert_eq!(web.name, "web");
    assert_eq!(s.task_definitions[web.task_definition.index()].family, "web", "the ARN's family names the definition");
    assert_eq!(web.desired_count, 4);
    assert_eq!(web.scheduling_strategy, SchedulingStrategy::Replica);
    let CapacitySource::Strategy(items) = &web.capacity else { panic!("{:?}", web.capacity) };
    let items: Vec<(u32, u32)> = items.iter().map(|i| (i.base, i.weight)).collect();
    assert_eq!(items, [(2, 1), (0, 3)], "FARGATE base 2 weight 1, FARGATE_SPOT weight 3");
    let d = &web.deployment;
    assert_eq!((d.maximum_percent, d.minimum_healthy_percent), (200, 50));
    assert!(d.circuit_breaker.is_some_and(|b| b.rollback), "{:?}", d.circuit_breaker);
    assert_eq!(web.health_check_grace_period.as_secs_f64(), 90.0);
    assert!(web.target_group.is_some(), "registered with web-tg from the target group ARN");
    // It runs: four tasks on Fargate behind the target group.
    let (_, summary, _) = run(&s);
    assert_eq!(summary.services[0].running_at_end, 4);
}

#[test]
fn describe_services_output_picks_the_service_by_name_and_written_fields_win() {
    let yaml = scenario("  worker:\n    import: services/describe.json\n    desired_count: 5");
    let s = load(&yaml).unwrap_or_else(|e| panic!("{e}"));
    let worker = &s.services[0];
    assert_eq!(worker.desired_count, 5, "the scenario's desired count replaces the file's 3");
    assert_eq!(worker.placement_strategy.len(), 2, "spread by zone, then binpack on memory");
    let (_, summary, _) = run(&s);
    assert_eq!(summary.services[0].running_at_end, 5);
}

#[test]
fn problems_point_into_the_json_file_or_at_the_written_field() {
    let dir = tempfile::tempdir().unwrap();
    let bad = r#"{
    "serviceName": "web",
    "taskDefinition": "web:1",
    "desiredCount": 2,
    "deploymentConfiguration": { "maximumPercent": 200, "minimumHealthyPrecent": 50 }
}
"#;
    std::fs::write(dir.path().join("bad.json"), bad).unwrap();
    let file = dir.path().join("s.yaml");
    let yaml =
        scenario("  web:\n    import: bad.json").replace("taskdefs/fargate-web.json", "../taskdefs/missing.json");
    let shown = file.display().to_string();
    let report = load_str(&yaml, &shown, "s").map(|_| ()).unwrap_err().to_string();
    let json = dir.path().join("bad.json").display().to_string();
    assert!(
        report.contains(&format!(
            "{json}:5: deploymentConfiguration.minimumHealthyPrecent: `minimumHealthyPrecent` is not a field of `deploymentConfiguration`"
        )),
        "{report}"
    );
    assert!(report.contains("did you mean `minimumHealthyPercent`?"), "{report}");
    // A written field's problem is the scenario's.
    std::fs::write(
        dir.path().join("ok.json"),
        r#"{"serviceName": "web", "taskDefinition": "worker:1", "desiredCount": 2}"#,
    )
    .unwrap();
    let yaml = scenario("  web:\n    import: ok.json\n    desired_count: -1")
        .replace("taskdefs/fargate-web.json", "../x.json");
    let report = load_str(&yaml, &shown, "s").map(|_| ()).unwrap_err().to_string();
    assert!(report.contains("s.yaml:15: services.web.desired_count: -1 is out of range"), "{report}");
}

#[test]
fn controllers_and_balancers_ecsim_does_not_simulate_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            r#"{"serviceName": "web", "taskDefinition": "worker", "deploymentController": {"type": "CODE_DEPLOY"}}"#,
            "the `CODE_DEPLOY` deployment controller is not simulated",
        ),
        (
            r#"{"serviceName": "web", "taskDefinition": "worker", "loadBalancers": [{"loadBalancerName": "classic", "containerName": "w", "containerPort": 80}]}"#,
            "a Classic Load Balancer is not simulated",
        ),
        (
            r#"{"serviceName": "web", "taskDefinition": "worker", "loadBalancers": [{"targetGroupArn": "a"}, {"targetGroupArn": "b"}]}"#,
            "2 target groups: ecsim registers a service's tasks with one",
        ),
    ];
    for (json, expected) in cases {
        std::fs::write(dir.path().join("svc.json"), json).unwrap();
        let file = dir.path().join("s.yaml").display().to_string();
        let yaml =
            scenario("  web: { import: svc.json, desired_count: 1 }").replace("taskdefs/fargate-web.json", "x.json");
        let report = load_str(&yaml, &file, "s").map(|_| ()).unwrap_err().to_string();
        assert!(report.contains(expected), "{json}: {report}");
    }
}
