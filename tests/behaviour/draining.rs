//! The service scheduler and instances that leave: RUNNING tasks on a DRAINING instance are
//! replaced within the deployment bounds, daemon tasks go last (aws-behaviour.md §5.3, §6.6), and
//! Availability Zone rebalancing evens services out after a zone comes back (§4.5).

use crate::common::{run, scenario, Memory};
use ecsim::record::EventKind;
use ecsim::task::{Placement, TaskStatus};
use ecsim::world::World;

/// Two m5.large (2048 CPU units) in one zone; `web` (4 tasks of 256 units: one instance can hold
/// all 4 beside the daemon's 64)
/// and a daemon `agent`; i-00001 is drained at 5 min.
fn cluster(deployment: &str) -> String {
    format!(
        r#"
duration: 20m
zones: [us-east-1a]
task_definitions:
  web: {{ container_definitions: [{{ name: web, image: web, cpu: 256, memory: 512, stop_time: 5s }}] }}
  agent: {{ container_definitions: [{{ name: agent, image: agent, cpu: 64, memory: 64, stop_time: 1s }}] }}
capacity_providers:
  ec2: {{ auto_scaling_group: {{ instance_type: m5.large, desired_capacity: 2 }} }}
services:
  web:
    task_definition: web
    desired_count: 4
    capacity_provider_strategy: [{{ capacity_provider: ec2 }}]
    placement_strategy: [{{ type: spread, field: instanceId }}]
    deployment_configuration: {{ {deployment} }}
  agent: {{ task_definition: agent, scheduling_strategy: DAEMON, capacity_provider_strategy: [{{ capacity_provider: ec2 }}] }}
faults:
  - {{ at: 5m, drain_instances: {{ instance: i-00001 }} }}
"#
    )
}

fn on_instance(world: &World, label: &str, service: &str) -> usize {
    world
        .tasks()
        .iter()
        .filter(|t| t.status != TaskStatus::Stopped && world.task_label(t.id).starts_with(&format!("{service}-")))
        .filter(|t| matches!(t.placement, Placement::Instance(i) if world.instances().get(i).label() == label))
        .count()
}

fn time_of(rec: &Memory, kind: EventKind, needle: &str) -> Option<f64> {
    rec.events.iter().find(|e| e.kind == kind && e.message.contains(needle)).map(|e| e.time.as_secs_f64())
}

#[test]
fn tasks_on_a_draining_instance_are_replaced_before_they_stop() {
    let (world, _, rec) = run(&scenario(&cluster("")));
    // web-1 and web-3 run on i-00001 (spread by instance). Min 100 %: their replacements start on
    // i-00002 at once, and they stop only once the replacements count as healthy (40 s later).
    let started = time_of(&rec, EventKind::ServiceTasksStarted, "service web has started 2 tasks").unwrap();
    assert_eq!(started, 300.0);
    let stopped = time_of(&rec, EventKind::ServiceTasksStopped, "service web has stopped 2").unwrap();
    assert!(stopped >= 340.0, "stopped at {stopped}");
    assert_eq!((on_instance(&world, "i-00001", "web"), on_instance(&world, "i-00002", "web")), (0, 4));
    let web1 = world.tasks().iter().find(|t| world.task_label(t.id) == "web-1").unwrap();
    assert_eq!(web1.stopped_reason.as_deref(), Some("Container instance is draining"));
}

#[test]
fn the_daemon_task_leaves_a_draining_instance_last() {
    let (world, _, rec) = run(&scenario(&cluster("")));
    let agent = world
        .tasks()
        .iter()
        .find(|t| world.task_label(t.id).starts_with("agent-") && t.stop_code.is_some())
        .expect("the daemon task on i-00001 stopped");
    let agent_stopping = rec.entered(&world.task_label(agent.id), "DEACTIVATING").unwrap();
    let last_web_stopped = ["web-1", "web-3"].iter().map(|t| rec.entered(t, "STOPPED").unwrap()).fold(0.0, f64::max);
    assert!(agent_stopping >= last_web_stopped, "agent at {agent_stopping}, web gone at {last_web_stopped}");
    // One daemon task remains, on the ACTIVE instance.
    assert_eq!((on_instance(&world, "i-00001", "agent"), on_instance(&world, "i-00002", "agent")), (0, 1));
}

#[test]
fn a_minimum_and_maximum_of_100_percent_block_draining() {
    let (world, _, rec) = run(&scenario(&cluster("minimum_healthy_percent: 100, maximum_percent: 100")));
    // Nothing may stop (all 4 must stay healthy) and nothing may start beside the 4.
    assert_eq!(on_instance(&world, "i-00001", "web"), 2);
    assert_eq!(rec.messages(EventKind::ServiceDeploymentBlocked).len(), 1);
}

#[test]
fn a_fargate_service_rebalances_across_zones_after_an_outage() {
    let yaml = |rebalancing: &str| {
        format!(
            r#"
duration: 1h
zones: [us-east-1a, us-east-1b, us-east-1c]
task_definitions:
  api: {{ cpu: 256, memory: 512, network_mode: awsvpc, container_definitions: [{{ name: api, image: api }}] }}
services:
  api: {{ task_definition: api, desired_count: 3, launch_type: FARGATE{rebalancing} }}
faults:
  - {{ at: 10m, az_outage: {{ zone: us-east-1b, for: 20m }} }}
"#
        )
    };
    let zones = |world: &World| {
        let mut per_zone = [0; 3];
        for t in world.tasks().iter().filter(|t| t.status == TaskStatus::Running) {
            if let Placement::Fargate { zone, .. } = t.placement {
                per_zone[zone.index()] += 1;
            }
        }
        per_zone
    };
    // One task per zone; us-east-1b's is lost at 10 min and replaced in us-east-1a (fewest, first).
    let (world, _, rec) = run(&scenario(&yaml(", availability_zone_rebalancing: DISABLED")));
    assert_eq!(zones(&world), [2, 0, 1]);
    assert!(rec.messages(EventKind::ServiceRebalancingStarted).is_empty());
    // With rebalancing (the default), a task moves back once us-east-1b returns at 30 min.
    let (world, summary, rec) = run(&scenario(&yaml("")));
    assert_eq!(zones(&world), [1, 1, 1]);
    assert_eq!(time_of(&rec, EventKind::ServiceRebalancingStarted, "started rebalancing"), Some(1800.0));
    assert_eq!(rec.messages(EventKind::ServiceRebalancingCompleted).len(), 1);
    assert_eq!(summary.services[0].stop_reasons.get("Availability Zone rebalancing"), Some(&1));
}
