//! Task health (aws-behaviour.md §1.3, §6.2): container health checks at run time, the grace
//! period, replacement of unhealthy tasks, out-of-memory kills and launch-failure throttling
//! (§6.3).

use crate::common::ReplaceOnce;
use crate::common::{run, scenario, Memory};
use ecsim::ids::TaskId;
use ecsim::record::EventKind;
use ecsim::task::{StopCode, TaskStatus};

/// One m5.large and a service `web` of `desired` tasks whose container has `container` spliced
/// in; `service` adds service fields. Containers start in 1 s; images pull in 4 s.
fn cluster(desired: u32, container: &str, service: &str) -> String {
    format!(
        r#"
duration: 20m
zones: [us-east-1a]
task_definitions:
  web: {{ container_definitions: [{{ name: app, image: app, cpu: 256, memory: 512{container} }}] }}
capacity_providers:
  ec2: {{ auto_scaling_group: {{ instance_type: m5.large, desired_capacity: 1 }} }}
services:
  web: {{ task_definition: web, desired_count: {desired}, capacity_provider_strategy: [{{ capacity_provider: ec2 }}]{service} }}
"#
    )
}

const CHECK: &str = r#", health_check: { command: [CMD-SHELL, "curl -f localhost"], interval: 10s, retries: 3 }"#;

fn health_changes(rec: &Memory, task: &str) -> Vec<(f64, String)> {
    rec.events
        .iter()
        .filter(|e| e.kind == EventKind::TaskHealthChange && e.task.as_deref() == Some(task))
        .map(|e| (e.time.as_secs_f64(), e.message.clone()))
        .collect()
}

#[test]
fn a_passing_health_check_makes_the_task_healthy_at_its_first_check() {
    let (world, summary, rec) = run(&scenario(&cluster(1, CHECK, "")));
    // RUNNING at 5 s (4 s pull + 1 s start); first check one interval later.
    assert_eq!(rec.entered("web-1", "RUNNING"), Some(5.0));
    assert_eq!(health_changes(&rec, "web-1"), [(15.0, "task web-1 health status is HEALTHY".to_string())]);
    // With a health check, the service is steady once the task is HEALTHY (not 40 s after RUNNING).
    assert_eq!(summary.services[0].first_steady_state_s, Some(15.0));
    assert_eq!(world.tasks().get(TaskId::from_index(0)).health, ecsim::task::Health::Healthy);
}

#[test]
fn an_unhealthy_task_is_replaced_while_it_still_runs() {
    let container = format!("{CHECK}, behaviour: {{ passes_health_checks: false }}");
    let (_, summary, rec) = run(&scenario(&cluster(1, &container, "")));
    // RUNNING at 5 s; checks at 15, 25, 35 s fail: UNHEALTHY at 35 s.
    assert_eq!(health_changes(&rec, "web-1"), [(35.0, "task web-1 health status is UNHEALTHY".to_string())]);
    // Its replacement starts at once while web-1 keeps running (maximumPercent 200 leaves room
    // for 2): the image is on the instance, so web-2 is RUNNING at 36 s and UNHEALTHY at 66 s.
    let started = rec.messages(EventKind::ServiceTasksStarted);
    assert_eq!(started[1], "service web has started 1 tasks: (task web-2).");
    assert_eq!(rec.entered("web-2", "PROVISIONING"), Some(35.0));
    // Now both are unhealthy and no room is left: ECS stops one at a time, the older first.
    assert_eq!(rec.entered("web-1", "DEACTIVATING"), Some(66.0));
    let reasons: Vec<_> = summary.services[0].stop_reasons.keys().collect();
    assert_eq!(reasons, ["Task failed container health checks"]);
}

#[test]
fn the_grace_period_keeps_a_slow_starter_alive() {
    // Ready after 100 s; UNHEALTHY at 35 s (see above) but HEALTHY at the check at 105 s, which
    // is within a 120 s grace period from RUNNING at 5 s: ECS ignores the failures.
    let container = format!("{CHECK}, behaviour: {{ ready_after: 100s }}");
    let (_, summary, rec) = run(&scenario(&cluster(1, &container, ", health_check_grace_period: 120s")));
    assert_eq!(
        health_changes(&rec, "web-1"),
        [
            (35.0, "task web-1 health status is UNHEALTHY".to_string()),
            (105.0, "task web-1 health status is HEALTHY".to_string())
        ]
    );
    assert_eq!(summary.services[0].tasks_started, 1, "nothing was replaced");
    assert_eq!(summary.services[0].first_steady_state_s, Some(105.0));
}

#[test]
fn with_maximum_100_unhealthy_tasks_are_stopped_one_at_a_time() {
    let container = format!("{CHECK}, behaviour: {{ ready_after: 100s }}");
    let service = ", deployment_configuration: { minimum_healthy_percent: 50, maximum_percent: 100 }";
    let (_, _, rec) = run(&scenario(&cluster(2, &container, service)));
    // Both turn UNHEALTHY at 35 s. No room to start a replacement beside 2 tasks: web-1 is
    // stopped first and its replacement starts at once; web-2 waits until web-1 has stopped.
    let stops = rec.messages(EventKind::ServiceTasksStopped);
    assert_eq!(
        stops[..2],
        [
            "service web has stopped 1 running tasks: (task web-1).",
            "service web has stopped 1 running tasks: (task web-2)."
        ]
    );
    assert_eq!(rec.entered("web-1", "DEACTIVATING"), Some(35.0));
    assert_eq!(rec.entered("web-3", "PROVISIONING"), Some(35.0));
    let web1_stopped = rec.entered("web-1", "STOPPED").expect("web-1 stopped");
    assert!(rec.entered("web-2", "DEACTIVATING").expect("web-2 stopped") >= web1_stopped);
}

#[test]
fn standalone_tasks_keep_running_when_unhealthy() {
    let yaml = cluster(0, &format!("{CHECK}, behaviour: {{ passes_health_checks: false }}"), "")
        + "tasks:\n  batch: { task_definition: web, count: 1, launch_type: EC2 }\n";
    let (world, _, rec) = run(&scenario(&yaml));
    assert_eq!(health_changes(&rec, "batch-1"), [(35.0, "task batch-1 health status is UNHEALTHY".to_string())]);
    let batch = world.tasks().iter().find(|t| t.status != TaskStatus::Stopped).expect("batch-1 runs");
    assert_eq!(batch.status, TaskStatus::Running);
}

#[test]
fn a_container_over_its_memory_limit_is_killed() {
    // Hard limit 512 MiB; 256 MiB at start growing 512 MiB an hour: over the limit after 30 min.
    let container = ", behaviour: { memory: { baseline: 256, growth_per_hour: 512 } }";
    let yaml = cluster(1, container, "").replace_once("duration: 20m", "duration: 40m");
    let (world, summary, rec) = run(&scenario(&yaml));
    // RUNNING at 5 s → killed at 5 s + 30 min.
    let stopping = rec.entered("web-1", "STOPPING").expect("web-1 was killed");
    assert_eq!(rec.entered("web-1", "DEACTIVATING"), Some(1805.0));
    assert!(stopping >= 1805.0);
    let web1 = world.tasks().get(TaskId::from_index(0));
    assert_eq!(web1.stop_code, Some(StopCode::EssentialContainerExited));
    assert_eq!(web1.stopped_reason.as_deref(), Some("OutOfMemoryError: Container killed due to memory usage"));
    assert_eq!(web1.exited, Some(("app".to_string(), 137)));
    assert_eq!(summary.services[0].running_at_end, 1, "the service replaced it");
}

#[test]
fn tasks_that_never_start_are_retried_ever_more_slowly() {
    let (_, summary, rec) = run(&scenario(&cluster(1, ", behaviour: { starts: false }", "")));
    let starts: Vec<f64> =
        rec.events.iter().filter(|e| e.kind == EventKind::ServiceTasksStarted).map(|e| e.time.as_secs_f64()).collect();
    // The first task fails as its container starts, at 5 s (4 s pull, 1 s start); later ones 1 s
    // after launch (the image is cached). After each, the scheduler waits 30, 60, 120, 240, 480 s:
    // 0 → 5 + 30 = 35 → 36 + 60 = 96 → 97 + 120 = 217 → 218 + 240 = 458 → 459 + 480 = 939.
    assert_eq!(starts, [0.0, 35.0, 96.0, 217.0, 458.0, 939.0]);
    assert_eq!(
        rec.messages(EventKind::ServiceTaskStartThrottled),
        ["service web is unable to consistently start tasks successfully."]
    );
    assert_eq!(summary.services[0].running_at_end, 0);
}

#[test]
fn a_new_task_definition_resets_launch_throttling() {
    let yaml = cluster(1, ", behaviour: { starts: false }", "").replace_once(
        "capacity_providers:",
        "  good: { container_definitions: [{ name: app, image: app, cpu: 256, memory: 512 }] }\ncapacity_providers:",
    ) + "actions:\n  - { at: 400s, deploy: { service: web, task_definition: good } }\n";
    let (_, summary, rec) = run(&scenario(&yaml));
    // Launches were held back until 458 s; the deployment at 400 s starts a task at once.
    let at_deploy: Vec<_> = rec
        .events
        .iter()
        .filter(|e| e.kind == EventKind::ServiceTasksStarted && e.time.as_secs_f64() == 400.0)
        .collect();
    assert_eq!(at_deploy.len(), 1);
    assert_eq!(summary.services[0].running_at_end, 1);
}

#[test]
fn a_task_that_stops_answering_is_stopped_once_its_replacement_is_healthy() {
    let yaml = cluster(2, CHECK, "") + "faults:\n  - { at: 5m, fail_health_checks: { task: web-1 } }\n";
    let (world, summary, rec) = run(&scenario(&yaml));
    // From 300 s every check of web-1 fails: UNHEALTHY after 3 × 10 s, at 330 s.
    assert_eq!(health_changes(&rec, "web-1")[1], (330.0, "task web-1 health status is UNHEALTHY".to_string()));
    // Its replacement web-3 starts at once (the image is cached: RUNNING at 331 s) and is HEALTHY
    // at its first check, 341 s; only then is web-1 stopped.
    assert_eq!(rec.entered("web-3", "PROVISIONING"), Some(330.0));
    assert_eq!(health_changes(&rec, "web-3"), [(341.0, "task web-3 health status is HEALTHY".to_string())]);
    assert_eq!(rec.entered("web-1", "DEACTIVATING"), Some(341.0));
    let web1 = world.tasks().get(TaskId::from_index(0));
    assert_eq!(web1.stopped_reason.as_deref(), Some("Task failed container health checks"));
    assert_eq!((summary.services[0].running_at_end, summary.services[0].tasks_started), (2, 3));
}

#[test]
fn a_hanging_health_check_takes_its_timeout_before_it_fails() {
    // timeout 50 s, interval 5 s, retries 3 (the user's figures). From 300 s web-1's program
    // stops answering. Probes that fail at once make it UNHEALTHY after 3 × 5 s = 15 s; probes
    // that hang are killed at their 50 s timeout and the next starts 5 s later: 3 × (5 + 50) s
    // = 165 s, at 465 s.
    let check =
        r#", health_check: { command: [CMD-SHELL, "curl -f localhost"], interval: 5s, timeout: 50s, retries: 3 }"#;
    let unhealthy_at = |probes: &str| {
        let yaml = cluster(2, check, "")
            + &format!("faults:\n  - {{ at: 5m, fail_health_checks: {{ task: web-1{probes} }} }}\n");
        let (_, _, rec) = run(&scenario(&yaml));
        let changes = health_changes(&rec, "web-1");
        assert_eq!(changes[1].1, "task web-1 health status is UNHEALTHY");
        changes[1].0
    };
    assert_eq!(unhealthy_at(""), 315.0);
    assert_eq!(unhealthy_at(", probes: fail_fast"), 315.0);
    assert_eq!(unhealthy_at(", probes: hang"), 465.0);
}
