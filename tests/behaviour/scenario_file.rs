//! Scenario files: AWS's value forms and the documented defaults.

use crate::common::scenario;
use crate::common::ReplaceOnce;
use ecsim::engine::SimDuration;
use ecsim::service::{CapacitySource, LaunchType};
use ecsim::task::NetworkMode;

const MINIMAL: &str = r#"
duration: 1h
zones: [us-east-1a]
task_definitions:
  t:
    cpu: "0.5 vCPU"
    memory: "2 GB"
    container_definitions: [{ name: app, image: app }]
services:
  s: { task_definition: t, desired_count: 1 }
"#;

#[test]
fn aws_cpu_and_memory_strings_are_read_as_units_and_mib() {
    let td = &scenario(MINIMAL).task_definitions[0];
    assert_eq!((td.cpu, td.memory), (Some(512), Some(2048)));
}

#[test]
fn omitted_fields_take_the_documented_defaults() {
    let s = scenario(MINIMAL);
    assert_eq!((s.name.as_str(), s.seed, s.metrics_interval), ("test", 1, SimDuration::from_secs(60)));
    let td = &s.task_definitions[0];
    assert_eq!(td.network_mode, NetworkMode::Bridge);
    let c = &td.containers[0];
    assert!(c.essential);
    assert_eq!((c.cpu, c.image_size_mb, c.stop_timeout), (0, 100.0, SimDuration::from_secs(30)));
    // No launch type, no strategy, no cluster default strategy: ECS uses launch type EC2.
    assert_eq!(s.services[0].capacity, CapacitySource::LaunchType(LaunchType::Ec2));
    let backoff = s.timing.launch_backoff;
    assert_eq!(
        (backoff.first, backoff.factor, backoff.max),
        (SimDuration::from_secs(30), 2.0, SimDuration::from_mins(15))
    );
    // Services roll out with AWS's defaults, no circuit breaker and no grace period.
    let svc = &s.services[0];
    assert_eq!((svc.deployment.minimum_healthy_percent, svc.deployment.maximum_percent), (100, 200));
    assert_eq!((svc.deployment.circuit_breaker, svc.health_check_grace_period), (None, SimDuration::ZERO));
}

#[test]
fn the_cluster_default_strategy_applies_to_services_without_one() {
    let yaml = MINIMAL
        .replace_once("services:", "default_capacity_provider_strategy: [{ capacity_provider: FARGATE }]\nservices:");
    let yaml = yaml.replace_once("container_definitions:", "network_mode: awsvpc\n    container_definitions:");
    let s = scenario(&yaml);
    assert!(matches!(&s.services[0].capacity, CapacitySource::Strategy(items) if items.len() == 1));
}
