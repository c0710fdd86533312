//! External (ECS Anywhere) instances: a fixed fleet with given resources, no Auto Scaling group,
//! no zone, reached only by launch type EXTERNAL.

use crate::common::ReplaceOnce;
use crate::common::{run, scenario};
use ecsim::task::{Placement, TaskStatus};

const ONPREM: &str = r#"
duration: 10m
zones: [us-east-1a]
external_instances:
  rack1: { count: 2, cpu: "4 vCPU", memory: "8 GB", attributes: { site: dc1 } }
task_definitions:
  app:
    requires_compatibilities: [EXTERNAL, EC2]
    container_definitions: [{ name: app, image: app, cpu: 1024, memory: 1024 }]
capacity_providers:
  ec2: { auto_scaling_group: { instance_type: m5.large, desired_capacity: 1 } }
services:
  onprem: { task_definition: app, desired_count: 9, launch_type: EXTERNAL }
  cloud: { task_definition: app, desired_count: 1, launch_type: EC2 }
"#;

#[test]
fn external_instances_take_only_external_tasks_up_to_what_they_registered() {
    let (world, summary, rec) = run(&scenario(ONPREM));
    let external: Vec<_> = world.instances().iter().filter(|i| i.is_external()).collect();
    assert_eq!(external.len(), 2);
    assert_eq!(external[0].label(), "mi-00002", "external instances are SSM managed instances");
    assert_eq!((external[0].registered_cpu, external[0].registered_memory), (4096, 8192));
    assert_eq!(external[0].attributes.get("site").map(String::as_str), Some("dc1"));
    assert!(!external[0].attributes.contains_key("ecs.availability-zone"));
    // 4096 CPU units each: 4 tasks of 1024 per instance, 8 of the 9 desired.
    let onprem = summary.services.iter().find(|s| s.name == "onprem").unwrap();
    assert_eq!(onprem.running_at_end, 8);
    for t in world.tasks().iter().filter(|t| t.status == TaskStatus::Running) {
        let Placement::Instance(i) = t.placement else { panic!("every task here is on an instance") };
        let on_external = world.instances().get(i).is_external();
        assert_eq!(on_external, world.task_label(t.id).starts_with("onprem"), "{}", world.task_label(t.id));
    }
    assert!(rec.events.iter().any(|e| e.message.starts_with("container instance mi-00003 (external, fleet rack1)")));
    // External instances are the owner's machines: only the EC2 instance is billed.
    assert!(summary.cost_usd.ec2 > 0.0 && summary.cost_usd.ec2 < 0.02, "{}", summary.cost_usd.ec2);
}

#[test]
fn external_launch_needs_an_external_compatible_definition_without_awsvpc() {
    let without = ONPREM.replace_once("requires_compatibilities: [EXTERNAL, EC2]", "requires_compatibilities: [EC2]");
    let err = ecsim::scenario::load_str(&without, "x.yaml", "x").unwrap_err().to_string();
    assert!(err.contains("services.onprem.task_definition: task definition `app` is not compatible with EXTERNAL (requires_compatibilities: [EC2])"), "{err}");
    let awsvpc =
        ONPREM.replace_once("    container_definitions", "    network_mode: awsvpc\n    container_definitions");
    let err = ecsim::scenario::load_str(&awsvpc, "x.yaml", "x").unwrap_err().to_string();
    assert!(err.contains("external instances do not run awsvpc tasks"), "{err}");
}

#[test]
fn a_declared_compatibility_list_must_include_the_launch_type_used() {
    let fargate_only =
        ONPREM.replace_once("requires_compatibilities: [EXTERNAL, EC2]", "requires_compatibilities: [EXTERNAL]");
    let err = ecsim::scenario::load_str(&fargate_only, "x.yaml", "x").unwrap_err().to_string();
    assert!(err.contains("services.cloud.task_definition: task definition `app` is not compatible with EC2"), "{err}");
}

#[test]
fn task_entries_are_held_to_the_same_compatibility_rules() {
    let batch = "  batch: { requires_compatibilities: [FARGATE], cpu: 256, memory: 512, network_mode: awsvpc, container_definitions: [{ name: b, image: b }] }\ncapacity_providers:";
    let yaml = ONPREM.replace_once("capacity_providers:", batch)
        + "tasks:\n  job: { task_definition: batch, launch_type: EC2 }\n";
    let err = ecsim::scenario::load_str(&yaml, "x.yaml", "x").unwrap_err().to_string();
    assert!(err.contains("tasks.job.task_definition: task definition `batch` is not compatible with EC2 (requires_compatibilities: [FARGATE])"), "{err}");
}
