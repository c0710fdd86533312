//! A task's way from PROVISIONING to RUNNING and back to STOPPED, with the configured timings.

use crate::common::{run, scenario};
use ecsim::ids::TaskId;
use ecsim::task::TaskStatus;

const FARGATE_CONSTANT_TIMING: &str = r#"
duration: 10m
zones: [us-east-1a]
timing:
  fargate_provisioning: 10s
  fargate_image_pull: { latency: 5s, throughput_mb_per_s: 20 }
task_definitions:
  app:
    cpu: 256
    memory: 512
    network_mode: awsvpc
    container_definitions:
      - { name: app, image: app:1, image_size_mb: 400, start_time: 3s }
services:
  app: { task_definition: app, desired_count: 1, launch_type: FARGATE }
"#;

#[test]
fn a_fargate_task_runs_after_provisioning_pull_and_start() {
    let (world, _, rec) = run(&scenario(FARGATE_CONSTANT_TIMING));
    // PROVISIONING 10 s; PENDING = pull (5 s + 400 MB / 20 MB/s = 25 s) + start 3 s = 28 s;
    // ACTIVATING takes no time without a load balancer. RUNNING at 10 + 28 = 38 s.
    assert_eq!(rec.entered("app-1", "PROVISIONING"), Some(0.0));
    assert_eq!(rec.entered("app-1", "PENDING"), Some(10.0));
    assert_eq!(rec.entered("app-1", "ACTIVATING"), Some(38.0));
    assert_eq!(rec.entered("app-1", "RUNNING"), Some(38.0));
    assert_eq!(world.tasks().get(TaskId::from_index(0)).status, TaskStatus::Running);
}

#[test]
fn statuses_follow_ecs_order_on_the_way_up_and_down() {
    let yaml = format!("{FARGATE_CONSTANT_TIMING}faults: [{{ at: 5m, stop_tasks: {{ service: app }} }}]\n");
    let (_, _, rec) = run(&scenario(&yaml));
    let first: Vec<_> =
        rec.events.iter().filter(|e| e.task.as_deref() == Some("app-1")).filter_map(|e| e.status).collect();
    assert_eq!(
        first,
        ["PROVISIONING", "PENDING", "ACTIVATING", "RUNNING", "DEACTIVATING", "STOPPING", "DEPROVISIONING", "STOPPED"]
    );
}

#[test]
fn a_second_task_on_an_instance_reuses_the_pulled_image() {
    let yaml = r#"
duration: 10m
zones: [us-east-1a]
timing: { ec2_image_pull: { latency: 2s, throughput_mb_per_s: 50 } }
task_definitions:
  web:
    container_definitions: [{ name: web, image: web:1, image_size_mb: 100, memory: 256, start_time: 1s }]
capacity_providers:
  ec2: { auto_scaling_group: { instance_type: m5.large, desired_capacity: 1 } }
services:
  web: { task_definition: web, desired_count: 1, launch_type: EC2 }
faults: [{ at: 5m, stop_tasks: { service: web } }]
"#;
    let (_, _, rec) = run(&scenario(yaml));
    // First task: pull 2 s + 100 MB / 50 MB/s = 4 s, start 1 s → RUNNING at 5 s.
    assert_eq!(rec.entered("web-1", "RUNNING"), Some(5.0));
    // Its replacement at 300 s finds the image on the instance: start 1 s only.
    assert_eq!(rec.entered("web-2", "PROVISIONING"), Some(300.0));
    assert_eq!(rec.entered("web-2", "RUNNING"), Some(301.0));
}

#[test]
fn a_container_slower_than_its_stop_timeout_is_killed_at_the_timeout() {
    let yaml = r#"
duration: 10m
zones: [us-east-1a]
task_definitions:
  slow:
    container_definitions:
      - { name: slow, image: slow:1, memory: 256, stop_time: 5m, stop_timeout: 30s }
capacity_providers:
  ec2: { auto_scaling_group: { instance_type: m5.large, desired_capacity: 1 } }
services:
  slow: { task_definition: slow, desired_count: 1 }
faults: [{ at: 2m, stop_tasks: { service: slow } }]
"#;
    let (_, _, rec) = run(&scenario(yaml));
    // SIGTERM at 120 s; the process would take 5 min, SIGKILL comes after the 30 s stop timeout.
    assert_eq!(rec.entered("slow-1", "STOPPING"), Some(120.0));
    assert_eq!(rec.entered("slow-1", "STOPPED"), Some(150.0));
}

#[test]
fn a_scaled_in_task_is_deregistered_as_it_enters_deactivating_and_drains_until_nothing_is_in_flight() {
    // sim/transitions.rs: entering DEACTIVATING deregisters the target, and DEACTIVATING lasts
    // until the drain completes, the deregistration delay (300 s) at most. The scale-in at 60 s
    // stops one of the two tasks; with no traffic nothing is in flight, so the ALB completes the
    // deregistration at once and the task goes STOPPING at 60 s, not 360 s.
    let action = "actions: [{ at: 60s, update_service: { service: web, desired_count: 1 } }]";
    let (_, _, rec) = run(&scenario(&crate::routing::web(2, "0", "deregistration_delay: 300s", action)));
    let deactivating = rec.events.iter().find(|e| e.status == Some("DEACTIVATING"));
    let stopped = deactivating.and_then(|e| e.task.clone()).expect("the scale-in stops a task");
    let story: Vec<(f64, String)> = rec
        .events
        .iter()
        .filter(|e| e.task.as_deref() == Some(&stopped) && e.time.as_secs_f64() >= 60.0)
        .map(|e| (e.time.as_secs_f64(), e.status.map_or(e.message.clone(), str::to_string)))
        .collect();
    let at = |what: &str| story.iter().position(|(_, s)| s.contains(what)).unwrap_or(usize::MAX);
    assert!(at("DEACTIVATING") < at("deregistered 1 targets"), "{story:?}");
    assert!(at("deregistered 1 targets") < at("STOPPING"), "{story:?}");
    let stopping = story.iter().find(|(_, s)| s == "STOPPING").map(|(t, _)| *t);
    assert_eq!(stopping, Some(60.0), "nothing in flight: no wait for the deregistration delay: {story:?}");
    assert!(at("STOPPING") < at("STOPPED") && at("STOPPED") < usize::MAX, "{story:?}");
}
