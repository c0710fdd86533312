//! With managed scaling, tasks that do not fit wait in PROVISIONING for capacity, and are stopped
//! when none comes in time (aws-behaviour.md §4.4).

use crate::common::{run, scenario};
use ecsim::record::EventKind;
use ecsim::task::{Placement, StopCode, TaskStatus};

/// One m5.large (2048 CPU units) and a service of 1024-unit tasks: 2 fit, the rest must wait.
fn cluster(managed_scaling: bool, extra: &str) -> String {
    let managed = if managed_scaling { ", managed_scaling: {}" } else { "" };
    format!(
        r#"
duration: 45m
zones: [us-east-1a]
task_definitions:
  t: {{ container_definitions: [{{ name: t, image: t, cpu: 1024, memory: 512, start_time: 1s }}] }}
capacity_providers:
  ec2: {{ auto_scaling_group: {{ instance_type: m5.large, desired_capacity: 1 }}{managed} }}
services:
  s: {{ task_definition: t, desired_count: 4, capacity_provider_strategy: [{{ capacity_provider: ec2 }}] }}
{extra}"#
    )
}

#[test]
fn tasks_wait_in_provisioning_then_stop_when_no_capacity_comes() {
    let (world, summary, rec) = run(&scenario(&cluster(true, "")));
    assert!(rec.messages(EventKind::ServiceTaskPlacementFailure).is_empty(), "waiting is not a placement failure");
    // s-3 and s-4 wait from 0 s; after the 30 min timeout they stop and s-5, s-6 wait in their place.
    for label in ["s-3", "s-4"] {
        assert_eq!(rec.entered(label, "PROVISIONING"), Some(0.0));
        assert_eq!(rec.entered(label, "PENDING"), None, "{label} never got capacity");
        assert_eq!(rec.entered(label, "DEPROVISIONING"), Some(1800.0));
    }
    let timed_out: Vec<_> = world.tasks().iter().filter(|t| t.stop_code == Some(StopCode::TaskFailedToStart)).collect();
    assert_eq!(timed_out.len(), 2);
    assert_eq!(
        timed_out[0].stopped_reason.as_deref(),
        Some("Capacity provider ec2 had no capacity for the task within 30m")
    );
    let waiting: Vec<_> = world
        .tasks()
        .iter()
        .filter(|t| matches!(t.placement, Placement::AwaitingCapacity(_)) && t.status == TaskStatus::Provisioning)
        .collect();
    assert_eq!(waiting.len(), 2);
    assert_eq!(summary.services[0].running_at_end, 2);
    let last = rec.rows.last().unwrap();
    assert_eq!((last.running, last.pending), (2, 2), "waiting tasks count as pending");
}

#[test]
fn a_waiting_task_takes_the_room_a_stopped_task_leaves() {
    let fault = "faults: [{ at: 10m, stop_tasks: { service: s, count: 1 } }]\n";
    let (_, _, rec) = run(&scenario(&cluster(true, fault)));
    // The stopped task leaves STOPPED at 600 s + stop 1 s; s-3, the oldest waiting task, is placed
    // then (a new replacement, s-5, joins the queue).
    let placed = rec.messages(EventKind::TaskPlacement);
    assert_eq!(placed, ["task s-3 placed on i-00001 after waiting 10m1s in PROVISIONING for capacity"]);
    assert_eq!(rec.entered("s-3", "PENDING"), Some(601.0));
    assert_eq!(rec.entered("s-4", "DEPROVISIONING"), Some(1800.0), "s-4 still times out");
}

#[test]
fn without_managed_scaling_the_service_reports_a_placement_failure() {
    let (world, _, rec) = run(&scenario(&cluster(false, "")));
    assert!(!rec.messages(EventKind::ServiceTaskPlacementFailure).is_empty());
    assert_eq!(world.tasks().len(), 2);
}
