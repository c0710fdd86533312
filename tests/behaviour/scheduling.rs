//! Daemon services, standalone tasks (RunTask) and scale-in.

use std::collections::BTreeMap;

use crate::common::{run, scenario};
use ecsim::record::EventKind;
use ecsim::task::{Placement, StopCode, TaskOwner, TaskStatus};

const FLEET: &str = r#"
duration: 30m
zones: [us-east-1a, us-east-1b, us-east-1c]
task_definitions:
  agent: { container_definitions: [{ name: agent, image: agent, cpu: 128, memory: 256 }] }
  web: { container_definitions: [{ name: web, image: web, cpu: 512, memory: 1024 }] }
  batch: { container_definitions: [{ name: job, image: job, cpu: 1024, memory: 2048, start_time: 1s }] }
capacity_providers:
  ec2: { auto_scaling_group: { instance_type: m5.large, desired_capacity: 3 } }
"#;

#[test]
fn a_daemon_runs_one_task_per_instance_and_is_placed_first() {
    // web alone would take all of each instance's CPU (4 x 512 = 2048); the daemon goes first.
    let yaml = format!(
        "{FLEET}services:\n  agent: {{ task_definition: agent, scheduling_strategy: DAEMON }}\n  web: {{ task_definition: web, desired_count: 12 }}\n"
    );
    let (world, summary, rec) = run(&scenario(&yaml));
    let agent = summary.services.iter().find(|s| s.name == "agent").unwrap();
    assert_eq!((agent.desired_count, agent.running_at_end), (3, 3));
    for inst in world.instances() {
        let daemons = world.tasks().iter().filter(|t| {
            t.placement == Placement::Instance(inst.id)
                && t.owner == TaskOwner::Service(ecsim::ids::ServiceId::from_index(0))
        });
        assert_eq!(daemons.count(), 1, "one agent on {}", inst.label());
    }
    let first_started = rec.messages(EventKind::ServiceTasksStarted)[0];
    assert!(first_started.starts_with("service agent has started 3 tasks"), "{first_started}");
    // 2048 - 128 = 1920 CPU units left per instance: three web tasks each, 9 of 12.
    let web = summary.services.iter().find(|s| s.name == "web").unwrap();
    assert_eq!(web.running_at_end, 9);
}

#[test]
fn standalone_tasks_run_their_work_then_stop_and_are_not_replaced() {
    let yaml = format!("{FLEET}tasks:\n  nightly: {{ task_definition: batch, count: 4, at: 5m, run_time: 10m }}\n");
    let (world, summary, rec) = run(&scenario(&yaml));
    let run_task = rec.messages(EventKind::RunTask);
    assert_eq!(
        run_task,
        ["run-task nightly started 4 of 4 tasks: (task nightly-1) (task nightly-2) (task nightly-3) (task nightly-4)."]
    );
    for t in world.tasks() {
        // Started at 300 s: pull 2 s + 100 MB / 50 MB/s = 4 s, start 1 s → RUNNING at 305 s;
        // 10 min of work → the essential container exits at 905 s.
        assert_eq!(t.started_at.map(|s| s.as_secs_f64()), Some(305.0));
        assert_eq!(t.stop_code, Some(StopCode::EssentialContainerExited));
        assert_eq!(t.status, TaskStatus::Stopped);
    }
    assert_eq!(world.tasks().len(), 4, "standalone tasks are never replaced");
    assert!(summary.services.is_empty());
}

#[test]
fn run_task_reports_the_tasks_it_could_not_place() {
    // Each m5.large takes one 1024-unit job alongside nothing else: 2 per instance, 6 in all.
    let yaml = format!("{FLEET}tasks:\n  big: {{ task_definition: batch, count: 8 }}\n");
    let (world, _, rec) = run(&scenario(&yaml));
    assert_eq!(world.tasks().len(), 6);
    assert!(
        rec.messages(EventKind::RunTask)[0].ends_with("Failures: RESOURCE:CPU (2 tasks)."),
        "{}",
        rec.messages(EventKind::RunTask)[0]
    );
}

#[test]
fn scale_in_with_binpack_frees_the_emptiest_instance_first() {
    let yaml = format!(
        "{FLEET}services:\n  web: {{ task_definition: web, desired_count: 5, placement_strategy: [{{ type: binpack, field: cpu }}] }}\nactions:\n  - {{ at: 10m, update_service: {{ service: web, desired_count: 4 }} }}\n"
    );
    let (world, summary, rec) = run(&scenario(&yaml));
    // binpack puts 4 tasks on i-00001 and 1 on i-00002; scale-in stops the one on i-00002, whose
    // instance is left with the most free CPU.
    let stopped: Vec<_> =
        world.tasks().iter().filter(|t| t.stop_code == Some(StopCode::ServiceSchedulerInitiated)).collect();
    assert_eq!(stopped.len(), 1);
    assert_eq!(stopped[0].placement, Placement::Instance(ecsim::ids::InstanceId::from_index(1)));
    assert_eq!(summary.services[0].running_at_end, 4);
    assert_eq!(rec.messages(EventKind::ServiceUpdated), ["service web desired count changed from 5 to 4."]);
    assert!(rec.messages(EventKind::ServiceTasksStopped)[0].starts_with("service web has stopped 1 running tasks"));
}

#[test]
fn scale_in_with_the_default_spread_keeps_zones_balanced() {
    let yaml = format!(
        "{FLEET}services:\n  web: {{ task_definition: web, desired_count: 6 }}\nactions:\n  - {{ at: 10m, update_service: {{ service: web, desired_count: 3 }} }}\n"
    );
    let (world, _, _) = run(&scenario(&yaml));
    let mut per_zone = BTreeMap::new();
    for t in world.tasks().iter().filter(|t| t.status == TaskStatus::Running) {
        if let Placement::Instance(i) = t.placement {
            *per_zone.entry(world.instances().get(i).zone.map(|z| z.index()).unwrap()).or_insert(0) += 1;
        }
    }
    assert_eq!(per_zone, BTreeMap::from([(0, 1), (1, 1), (2, 1)]));
}

#[test]
fn a_service_waiting_for_room_places_as_soon_as_a_standalone_task_frees_it() {
    // Six 1024-unit jobs fill the three m5.large; web asks for a task at 1 min and cannot place
    // it (retries at 90 s, 150 s, 270 s, 510 s, 990 s). The jobs' room frees at their end, about
    // 665 s: web places then, not at its next retry.
    let yaml = format!(
        "{FLEET}services:\n  web: {{ task_definition: web, desired_count: 0 }}\n\
         tasks:\n  big: {{ task_definition: batch, count: 6, run_time: 11m }}\n\
         actions:\n  - {{ at: 1m, update_service: {{ service: web, desired_count: 1 }} }}\n"
    );
    let (_, _, rec) = run(&scenario(&yaml));
    assert!(!rec.messages(EventKind::ServiceTaskPlacementFailure).is_empty(), "web waited for room");
    let freed = (1..=6).filter_map(|i| rec.entered(&format!("big-{i}"), "STOPPED")).fold(f64::MAX, f64::min);
    let placed = rec.entered("web-1", "PROVISIONING").expect("web placed its task");
    assert!((freed..freed + 1.0).contains(&placed), "room freed at {freed} s, web placed at {placed} s");
}
