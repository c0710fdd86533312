//! Faults that hit capacity: EC2 instances terminated, impaired or drained, an availability zone
//! lost, Spot capacity reclaimed; and what ECS and the Auto Scaling groups do about them.

use std::collections::BTreeMap;

use crate::common::{run, scenario, Memory};
use ecsim::capacity::InstanceStatus;
use ecsim::ids::InstanceId;
use ecsim::record::{EventKind, LogEvent};
use ecsim::sim::Simulation;
use ecsim::task::{Placement, StopCode, Task, TaskStatus};
use ecsim::world::World;

/// Three m5.large (2048 CPU units each), one per zone, full with six 1024-unit `web` tasks; an
/// instance launch takes 60 s and a lost instance is noticed after 30 s. `extra` is appended.
fn full_cluster(extra: &str) -> String {
    format!(
        r#"
duration: 30m
zones: [us-east-1a, us-east-1b, us-east-1c]
timing: {{ instance_launch: 60s, instance_loss_detection: 30s, impaired_instance_tolerance: 3m }}
task_definitions:
  web: {{ container_definitions: [{{ name: web, image: web, cpu: 1024, memory: 512, start_time: 1s, stop_time: 5s }}] }}
capacity_providers:
  ec2: {{ auto_scaling_group: {{ instance_type: m5.large, desired_capacity: 3 }} }}
services:
  web: {{ task_definition: web, desired_count: 6, capacity_provider_strategy: [{{ capacity_provider: ec2 }}] }}
{extra}"#
    )
}

fn task<'w>(world: &'w World, label: &str) -> &'w Task {
    world.tasks().iter().find(|t| world.task_label(t.id) == label).unwrap_or_else(|| panic!("no task {label}"))
}

fn on_instance(world: &World, label: &str) -> Vec<String> {
    world
        .tasks()
        .iter()
        .filter(|t| matches!(t.placement, Placement::Instance(i) if world.instances().get(i).label() == label))
        .map(|t| world.task_label(t.id))
        .collect()
}

fn events_of(rec: &Memory, kind: EventKind) -> Vec<&LogEvent> {
    rec.events.iter().filter(|e| e.kind == kind).collect()
}

/// Seconds at which `instance` registered.
fn registered_at(rec: &Memory, instance: &str) -> Option<f64> {
    events_of(rec, EventKind::ContainerInstanceRegistered)
        .into_iter()
        .find(|e| e.instance.as_deref() == Some(instance))
        .map(|e| e.time.as_secs_f64())
}

fn terminated_at(rec: &Memory, instance: &str) -> Option<f64> {
    events_of(rec, EventKind::InstanceTerminated)
        .into_iter()
        .find(|e| e.instance.as_deref() == Some(instance))
        .map(|e| e.time.as_secs_f64())
}

fn secs(t: Option<ecsim::engine::SimTime>) -> Option<f64> {
    t.map(|t| t.as_secs_f64())
}

#[test]
fn a_terminated_instance_takes_its_tasks_with_it_and_its_group_replaces_it() {
    let (world, summary, rec) =
        run(&scenario(&full_cluster("faults: [{ at: 10m, terminate_instances: { instance: i-00002 } }]")));
    // The default spread (zone, then instance) puts web-2 and web-5 in us-east-1b, on i-00002.
    assert_eq!(on_instance(&world, "i-00002"), ["web-2", "web-5"]);
    for label in ["web-2", "web-5"] {
        let t = task(&world, label);
        assert_eq!(secs(t.stopped_at), Some(600.0), "{label} stops at the termination, with no SIGTERM wait");
        assert_eq!(t.stop_code, Some(StopCode::TerminationNotice));
        assert_eq!(t.stopped_reason.as_deref(), Some("Host EC2 (instance i-00002) terminated."));
    }
    for label in ["web-1", "web-3", "web-4", "web-6"] {
        assert_eq!(task(&world, label).status, TaskStatus::Running, "{label} is untouched");
    }
    assert_eq!(terminated_at(&rec, "i-00002"), Some(600.0));
    assert_eq!(world.instances().get(InstanceId::from_index(1)).status, InstanceStatus::Inactive);
    // The other instances are full: the two replacements cannot be placed until capacity comes.
    let failures = events_of(&rec, EventKind::ServiceTaskPlacementFailure);
    assert!(failures.iter().any(|e| e.time.as_secs_f64() == 600.0));
    // The group notices the loss 30 s later (630 s) and launches into the zone with the fewest of
    // its instances, us-east-1b; the instance registers 60 s after that: 600 + 30 + 60 = 690 s.
    let launches = events_of(&rec, EventKind::AsgInstanceLaunched);
    assert_eq!(launches.len(), 1);
    assert_eq!(launches[0].time.as_secs_f64(), 630.0);
    assert!(launches[0].message.contains("in us-east-1b"), "{}", launches[0].message);
    assert_eq!(registered_at(&rec, "i-00004"), Some(690.0));
    // Every service reconciles on the registration: web-7 and web-8 go on the new instance at
    // 690 s and run after the image pull (2 s + 100 MB / 50 MB/s = 4 s) and start (1 s): 695 s.
    assert_eq!(on_instance(&world, "i-00004"), ["web-7", "web-8"]);
    for label in ["web-7", "web-8"] {
        assert_eq!(secs(Some(task(&world, label).created_at)), Some(690.0));
        assert_eq!(rec.entered(label, "RUNNING"), Some(695.0));
    }
    assert_eq!(summary.services[0].running_at_end, 6);
    assert_eq!(summary.instances, 3, "three instances are registered at the end");
    assert_eq!(rec.rows.last().map(|r| r.instances), Some(3));
}

#[test]
fn an_impaired_instance_takes_no_tasks_and_is_replaced_after_the_tolerance() {
    let faults = "faults:\n  - { at: 10m, impair_instances: { instance: i-00002 } }\n  - { at: 650s, crash_tasks: { task: web-2 } }\n";
    let (world, summary, rec) = run(&scenario(&full_cluster(faults)));
    // web-2 crashes on the impaired instance at 650 s and frees its 1024 CPU units there, but the
    // disconnected agent takes no task: no task is ever created on i-00002 after the impairment.
    assert!(world
        .tasks()
        .iter()
        .filter(|t| t.placement == Placement::Instance(world.instances().get(InstanceId::from_index(1)).id))
        .all(|t| t.created_at.as_secs_f64() < 600.0));
    let failed: Vec<f64> = events_of(&rec, EventKind::ServiceTaskPlacementFailure)
        .iter()
        .map(|e| e.time.as_secs_f64())
        .filter(|t| (650.0..780.0).contains(t))
        .collect();
    assert!(!failed.is_empty(), "the replacement of web-2 cannot be placed while i-00002 is impaired");
    let disconnected = events_of(&rec, EventKind::ContainerInstanceStateChange);
    assert_eq!(disconnected[0].time.as_secs_f64(), 600.0);
    assert!(disconnected[0].message.contains("agent disconnected"), "{}", disconnected[0].message);
    // The group tolerates the impairment 3 minutes: it terminates i-00002 at 600 + 180 = 780 s
    // (web-5 stops with it) and launches the replacement at once, which registers at 840 s.
    assert_eq!(terminated_at(&rec, "i-00002"), Some(780.0));
    assert_eq!(secs(task(&world, "web-5").stopped_at), Some(780.0));
    let launches = events_of(&rec, EventKind::AsgInstanceLaunched);
    assert_eq!(launches.iter().map(|e| e.time.as_secs_f64()).collect::<Vec<_>>(), [780.0]);
    assert_eq!(registered_at(&rec, "i-00004"), Some(840.0));
    assert_eq!(on_instance(&world, "i-00004").len(), 2);
    assert_eq!(summary.services[0].running_at_end, 6);
}

/// Three m5.large, one per zone, with six 512-unit `web` tasks (two each, room for two more), and
/// a Fargate service of three tasks; zone us-east-1b goes down at 10 min for 20 min.
const AZ_OUTAGE: &str = r#"
duration: 45m
zones: [us-east-1a, us-east-1b, us-east-1c]
timing: { instance_launch: 60s, instance_loss_detection: 30s, termination_drain_timeout: 2m }
task_definitions:
  web: { container_definitions: [{ name: web, image: web, cpu: 512, memory: 512, start_time: 1s }] }
  api:
    cpu: 256
    memory: 512
    network_mode: awsvpc
    container_definitions: [{ name: api, image: api, start_time: 1s }]
capacity_providers:
  ec2: { auto_scaling_group: { instance_type: m5.large, desired_capacity: 3 } }
services:
  web: { task_definition: web, desired_count: 6, capacity_provider_strategy: [{ capacity_provider: ec2 }] }
  api: { task_definition: api, desired_count: 3, launch_type: FARGATE }
faults:
  - { at: 10m, az_outage: { zone: us-east-1b, for: 20m } }
"#;

/// The zone a task runs in.
fn zone_of(world: &World, t: &Task) -> Option<String> {
    let zone = match t.placement {
        Placement::Instance(i) => world.instances().get(i).zone,
        Placement::Fargate { zone, .. } => Some(zone),
        Placement::AwaitingCapacity(_) => None,
    };
    zone.map(|z| world.zone_name(z).to_string())
}

#[test]
fn an_az_outage_loses_the_zone_and_the_group_rebalances_when_it_returns() {
    let s = scenario(AZ_OUTAGE);
    let mut rec = Memory::default();
    let mut sim = Simulation::new(&s, &mut rec, false);
    let zone_b = ecsim::ids::ZoneId::from_index(1);
    let mut checked = 0;
    while let Some(now) = sim.step() {
        let world = sim.world();
        if world.fleet().is_zone_down(zone_b) {
            for t in world.tasks().iter().filter(|t| t.created_at == now) {
                assert_ne!(
                    zone_of(world, t).as_deref(),
                    Some("us-east-1b"),
                    "{} placed in the down zone",
                    world.task_label(t.id)
                );
                checked += 1;
            }
            assert!(world.registered_instances().all(|i| i.zone != Some(zone_b)));
        }
    }
    let world = sim.world().clone();
    drop(sim);
    assert!(checked >= 3, "replacements were placed during the outage ({checked})");
    // At 600 s i-00002 (us-east-1b) is lost with its two web tasks, and so is the api task there.
    assert_eq!(terminated_at(&rec, "i-00002"), Some(600.0));
    let in_b: Vec<&Task> = world
        .tasks()
        .iter()
        .filter(|t| zone_of(&world, t).as_deref() == Some("us-east-1b") && t.created_at.as_secs_f64() < 600.0)
        .collect();
    assert_eq!(in_b.len(), 3, "two web tasks and one api task ran in us-east-1b");
    for t in in_b {
        assert_eq!(secs(t.stopped_at), Some(600.0), "{}", world.task_label(t.id));
        assert_eq!(t.stop_code, Some(StopCode::TerminationNotice));
    }
    let api = world
        .tasks()
        .iter()
        .find(|t| matches!(t.placement, Placement::Fargate { .. }) && t.stopped_at.is_some())
        .unwrap();
    assert_eq!(
        api.stopped_reason.as_deref(),
        Some("Fargate capacity in availability zone us-east-1b became unavailable.")
    );
    let outage: Vec<f64> = events_of(&rec, EventKind::AzOutageStarted).iter().map(|e| e.time.as_secs_f64()).collect();
    assert_eq!(outage, [600.0]);
    // Noticed at 630 s, the replacement goes to the zone with the fewest instances that is up:
    // us-east-1a and us-east-1c tie with one each, the first listed wins; it registers at 690 s.
    assert_eq!(registered_at(&rec, "i-00004"), Some(690.0));
    assert_eq!(world.instances().get(InstanceId::from_index(3)).zone, Some(ecsim::ids::ZoneId::from_index(0)));
    // Back at 1800 s: zones hold a 2, b 0, c 1. The group launches first into us-east-1b
    // (registered at 1800 + 60 = 1860 s), then takes one out of us-east-1a, the zone with the most:
    // i-00001 (launched at 0 s, 1740 s from its next instance hour) rather than i-00004 (launched
    // at 630 s, 2370 s from it). It drains, and is terminated by the 2 min drain timeout at the
    // latest: 1860 + 120 = 1980 s.
    let ended: Vec<f64> = events_of(&rec, EventKind::AzOutageEnded).iter().map(|e| e.time.as_secs_f64()).collect();
    assert_eq!(ended, [1800.0]);
    assert_eq!(registered_at(&rec, "i-00005"), Some(1860.0));
    assert_eq!(world.instances().get(InstanceId::from_index(4)).zone, Some(zone_b));
    let drained = events_of(&rec, EventKind::ContainerInstanceStateChange)
        .into_iter()
        .find(|e| e.status == Some("DRAINING"))
        .expect("the rebalancing drains an instance first");
    assert_eq!((drained.time.as_secs_f64(), drained.instance.as_deref()), (1860.0, Some("i-00001")));
    let gone = terminated_at(&rec, "i-00001").expect("i-00001 is terminated");
    assert!((1860.0..=1980.0).contains(&gone), "{gone}");
    let mut per_zone: BTreeMap<String, u32> = BTreeMap::new();
    for i in world.registered_instances() {
        *per_zone.entry(world.zone_name(i.zone.unwrap()).to_string()).or_default() += 1;
    }
    assert_eq!(per_zone.values().copied().collect::<Vec<_>>(), [1, 1, 1], "{per_zone:?}");
    let running = world.tasks().iter().filter(|t| t.status == TaskStatus::Running).count();
    assert_eq!(running, 9, "both services are back to their desired counts");
}

/// A Fargate Spot service whose containers take longer than the notice to stop.
fn fargate_spot(desired: u32, fault: &str) -> String {
    format!(
        r#"
duration: 40m
zones: [us-east-1a, us-east-1b]
metrics: {{ interval: 10s }}
task_definitions:
  api:
    cpu: 256
    memory: 512
    network_mode: awsvpc
    container_definitions: [{{ name: api, image: api, start_time: 1s, stop_time: 200s, stop_timeout: 120s }}]
services:
  api: {{ task_definition: api, desired_count: {desired}, capacity_provider_strategy: [{{ capacity_provider: FARGATE_SPOT }}] }}
faults: [{fault}]
"#
    )
}

#[test]
fn a_fargate_spot_interruption_warns_stops_the_task_within_two_minutes_and_replaces_it_on_spot() {
    let (world, summary, rec) =
        run(&scenario(&fargate_spot(2, "{ at: 10m, spot_interruption: { provider: FARGATE_SPOT, count: 1 } }")));
    let warnings = events_of(&rec, EventKind::SpotInterruptionWarning);
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0].time.as_secs_f64(), 600.0);
    let victim = task(&world, warnings[0].task.as_deref().unwrap());
    assert_eq!(victim.stop_code, Some(StopCode::TerminationNotice));
    assert_eq!(victim.stopped_reason.as_deref(), Some("Your Spot Task was interrupted."));
    // SIGTERM at 600 s; the container would take 200 s but is killed at its 120 s stop timeout,
    // and releasing the ENI would take 2-6 s more: the notice ends at 600 + 120 = 720 s, and the
    // task is gone then.
    assert_eq!(secs(victim.stopped_at), Some(720.0));
    // The scheduler replaces it at once, on FARGATE_SPOT: never on FARGATE.
    assert!(world.tasks().iter().all(|t| matches!(t.placement, Placement::Fargate { spot: true, .. })));
    assert_eq!(world.tasks().iter().filter(|t| t.created_at.as_secs_f64() == 600.0).count(), 1);
    assert_eq!(summary.services[0].running_at_end, 2);
}

#[test]
fn without_spot_capacity_a_one_task_fargate_spot_service_stays_down_until_it_returns() {
    let fault = "{ at: 10m, spot_interruption: { provider: FARGATE_SPOT, count: 1, unavailable_for: 10m } }";
    let (world, _, rec) = run(&scenario(&fargate_spot(1, fault)));
    // No Spot capacity from 600 s to 600 + 600 = 1200 s: the replacement fails to place, with no
    // fallback to FARGATE, and the service runs no task.
    let failures = events_of(&rec, EventKind::ServiceTaskPlacementFailure);
    assert!(failures.iter().all(|e| (600.0..1200.0).contains(&e.time.as_secs_f64())));
    assert!(!failures.is_empty());
    let down: Vec<u32> =
        rec.rows.iter().filter(|r| (600.0..=1200.0).contains(&r.time.as_secs_f64())).map(|r| r.running).collect();
    assert_eq!(down.len(), 61, "rows every 10 s from 600 s to 1200 s");
    assert!(down.iter().all(|r| *r == 0), "{down:?}");
    let back: Vec<f64> =
        events_of(&rec, EventKind::SpotCapacityAvailable).iter().map(|e| e.time.as_secs_f64()).collect();
    assert_eq!(back, [1200.0]);
    // The replacement is started the moment capacity returns, on FARGATE_SPOT, and runs after
    // provisioning (at most 15 s) and the image pull (5 s + 100 MB / 12 MB/s = 13.3 s) and start
    // (1 s): by 1230 s at the latest.
    let replacement = task(&world, "api-2");
    assert_eq!(secs(Some(replacement.created_at)), Some(1200.0));
    assert!(matches!(replacement.placement, Placement::Fargate { spot: true, .. }));
    assert!(rec.entered("api-2", "RUNNING").is_some_and(|t| t <= 1230.0));
    assert_eq!(world.tasks().len(), 2, "no task was ever started on FARGATE");
}

/// Two Spot m5.large, one per zone, with four 512-unit `web` tasks; a Spot interruption at 10 min.
fn ec2_spot(draining: bool) -> String {
    format!(
        r#"
duration: 30m
zones: [us-east-1a, us-east-1b]
timing: {{ instance_launch: 60s, instance_loss_detection: 30s }}
task_definitions:
  web: {{ container_definitions: [{{ name: web, image: web, cpu: 512, memory: 512, start_time: 1s }}] }}
capacity_providers:
  spot:
    auto_scaling_group: {{ instance_type: m5.large, desired_capacity: 2, purchase_option: spot, ecs_enable_spot_instance_draining: {draining} }}
services:
  web: {{ task_definition: web, desired_count: 4, capacity_provider_strategy: [{{ capacity_provider: spot }}] }}
faults: [{{ at: 10m, spot_interruption: {{ provider: spot, count: 1 }} }}]
"#
    )
}

/// The instance a Spot interruption warned, and the labels of the tasks on it at the warning.
fn spot_victim(world: &World, rec: &Memory) -> (String, Vec<String>) {
    let warnings = events_of(rec, EventKind::SpotInterruptionWarning);
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0].time.as_secs_f64(), 600.0);
    let victim = warnings[0].instance.clone().unwrap();
    let tasks =
        on_instance(world, &victim).into_iter().filter(|l| task(world, l).created_at.as_secs_f64() < 600.0).collect();
    (victim, tasks)
}

#[test]
fn with_spot_draining_the_instance_drains_at_the_notice_and_is_terminated_two_minutes_later() {
    let (world, summary, rec) = run(&scenario(&ec2_spot(true)));
    let (victim, tasks) = spot_victim(&world, &rec);
    assert_eq!(tasks.len(), 2);
    let draining = events_of(&rec, EventKind::ContainerInstanceStateChange);
    assert_eq!(draining[0].instance.as_deref(), Some(victim.as_str()));
    assert_eq!((draining[0].time.as_secs_f64(), draining[0].status), (600.0, Some("DRAINING")));
    // The notice is two minutes: terminated at 720 s; every task that was on it is stopped by then.
    assert_eq!(terminated_at(&rec, &victim), Some(720.0));
    for label in &tasks {
        assert!(secs(task(&world, label).stopped_at).is_some_and(|t| t <= 720.0), "{label}");
    }
    // The Spot group notices the loss at 750 s and its replacement registers at 810 s.
    assert_eq!(registered_at(&rec, "i-00003"), Some(810.0));
    let registration = events_of(&rec, EventKind::ContainerInstanceRegistered).into_iter().last().unwrap();
    assert!(registration.message.contains("m5.large Spot"), "{}", registration.message);
    assert_eq!(summary.services[0].running_at_end, 4);
}

#[test]
fn without_spot_draining_tasks_run_until_the_instance_is_terminated() {
    let (world, _, rec) = run(&scenario(&ec2_spot(false)));
    let (victim, tasks) = spot_victim(&world, &rec);
    assert!(events_of(&rec, EventKind::ContainerInstanceStateChange).iter().all(|e| e.status != Some("DRAINING")));
    assert_eq!(terminated_at(&rec, &victim), Some(720.0));
    for label in &tasks {
        let t = task(&world, label);
        // RUNNING through the notice, STOPPED with the host at 720 s.
        assert_eq!(rec.entered(label, "DEACTIVATING"), None, "{label} got no SIGTERM");
        assert_eq!(secs(t.stopped_at), Some(720.0), "{label}");
        assert_eq!(t.stopped_reason, Some(format!("Host EC2 (instance {victim}) terminated.")));
    }
}

/// Two m5.large full with four 1024-unit tasks whose 1000 MB image takes 22 s to pull, and a
/// standalone task pinned to i-00001; i-00001 is drained at 10 s for 5 min.
const DRAIN: &str = r#"
duration: 20m
zones: [us-east-1a, us-east-1b]
task_definitions:
  web: { container_definitions: [{ name: web, image: web, image_size_mb: 1000, cpu: 1024, memory: 512, start_time: 1s }] }
  job: { container_definitions: [{ name: job, image: job, image_size_mb: 1000, memory: 128, start_time: 1s }] }
capacity_providers:
  ec2: { auto_scaling_group: { instance_type: m5.large, desired_capacity: 2 } }
services:
  web: { task_definition: web, desired_count: 4, launch_type: EC2 }
tasks:
  report:
    task_definition: job
    launch_type: EC2
    placement_constraints: [{ type: memberOf, expression: "ec2InstanceId == i-00001" }]
faults:
  - { at: 10s, drain_instances: { instance: i-00001, for: 5m } }
"#;

#[test]
fn a_drained_instance_takes_no_tasks_stops_its_pending_service_tasks_and_comes_back() {
    let (world, _, rec) = run(&scenario(DRAIN));
    // web-1 and web-3 are on i-00001, PENDING until 2 s + 1000 MB / 50 MB/s + 1 s = 23 s: the drain
    // at 10 s stops them at once.
    assert_eq!(on_instance(&world, "i-00001")[..3], ["web-1", "web-3", "report-1"]);
    for label in ["web-1", "web-3"] {
        let t = task(&world, label);
        assert_eq!(rec.entered(label, "STOPPING"), Some(10.0));
        assert_eq!(t.stop_code, Some(StopCode::ServiceSchedulerInitiated));
        assert_eq!(t.stopped_reason.as_deref(), Some("Task stopped because the container instance is draining"));
    }
    // The standalone task is left alone: RUNNING at 23 s, still running at the end.
    assert_eq!(rec.entered("report-1", "RUNNING"), Some(23.0));
    assert_eq!(task(&world, "report-1").status, TaskStatus::Running);
    // Nothing is placed on i-00001 while it drains (i-00002 is full, so the replacements fail)...
    let states: Vec<(f64, Option<&str>)> = events_of(&rec, EventKind::ContainerInstanceStateChange)
        .iter()
        .map(|e| (e.time.as_secs_f64(), e.status))
        .collect();
    assert_eq!(states, [(10.0, Some("DRAINING")), (310.0, Some("ACTIVE"))]);
    assert!(world.tasks().iter().all(|t| !(10.0..310.0).contains(&t.created_at.as_secs_f64())));
    assert!(events_of(&rec, EventKind::ServiceTaskPlacementFailure).iter().any(|e| e.time.as_secs_f64() == 10.0));
    // ...and when it is ACTIVE again at 10 + 300 = 310 s the service places both replacements there.
    assert_eq!(on_instance(&world, "i-00001")[3..], ["web-5", "web-6"]);
    assert_eq!(secs(Some(task(&world, "web-5").created_at)), Some(310.0));
    assert_eq!(world.instances().get(InstanceId::from_index(0)).status, InstanceStatus::Active);
}

/// Every kind of capacity fault, repeated at random.
const EVERYTHING: &str = r#"
duration: 3h
zones: [us-east-1a, us-east-1b, us-east-1c]
task_definitions:
  web: { container_definitions: [{ name: web, image: web, cpu: 256, memory: 512, start_time: { uniform: { min: 1s, max: 3s } } }] }
  api:
    cpu: 256
    memory: 512
    network_mode: awsvpc
    container_definitions: [{ name: api, image: api, start_time: 2s }]
capacity_providers:
  ec2: { auto_scaling_group: { instance_type: m5.large, desired_capacity: 3 } }
  spot: { auto_scaling_group: { instance_type: c5.large, desired_capacity: 2, purchase_option: spot, ecs_enable_spot_instance_draining: true } }
services:
  web: { task_definition: web, desired_count: 8, capacity_provider_strategy: [{ capacity_provider: ec2, weight: 1 }, { capacity_provider: spot, weight: 1 }] }
  api:
    task_definition: api
    desired_count: 4
    capacity_provider_strategy: [{ capacity_provider: FARGATE, base: 1, weight: 1 }, { capacity_provider: FARGATE_SPOT, weight: 1 }]
faults:
  - { every: { exponential: { mean: 40m } }, terminate_instances: { provider: ec2 } }
  - { every: { exponential: { mean: 50m } }, impair_instances: { fraction: 0.2 } }
  - { every: { exponential: { mean: 30m } }, drain_instances: { count: 1, for: 5m } }
  - { at: 1h, az_outage: { zone: us-east-1c, for: 25m } }
  - { every: { exponential: { mean: 20m } }, spot_interruption: { provider: FARGATE_SPOT, fraction: 0.5, unavailable_for: 3m } }
  - { every: { exponential: { mean: 35m } }, spot_interruption: { provider: spot, count: 1 } }
"#;

#[test]
fn capacity_faults_are_deterministic() {
    let s = scenario(EVERYTHING);
    let (_, a_summary, a) = run(&s);
    let (_, b_summary, b) = run(&s);
    assert!(a.events.len() > 200, "a busy run ({} events)", a.events.len());
    for kind in [EventKind::InstanceTerminated, EventKind::SpotInterruptionWarning, EventKind::AzOutageEnded] {
        assert!(!events_of(&a, kind).is_empty(), "{kind:?} happened");
    }
    assert!(a.events == b.events, "the same seed gives the same event log");
    assert_eq!(a.rows, b.rows);
    assert_eq!(a_summary, b_summary);
    let mut other = s.clone();
    other.seed += 1;
    let (_, _, c) = run(&other);
    assert!(a.events != c.events, "another seed draws other victims and times");
}

#[test]
fn no_task_is_ever_placed_on_an_instance_that_does_not_take_tasks() {
    for seed in 1..=5 {
        let mut s = scenario(EVERYTHING);
        s.seed = seed;
        let mut rec = Memory::default();
        let mut sim = Simulation::new(&s, &mut rec, false);
        let mut placed = 0;
        while let Some(now) = sim.step() {
            let world = sim.world();
            for t in world.tasks().iter().filter(|t| t.created_at == now) {
                if let Placement::Instance(i) = t.placement {
                    let instance = world.instances().get(i);
                    // Placed in this event: the instance was ACTIVE with its agent connected then,
                    // and an event never changes an instance after placing on it.
                    assert!(
                        instance.accepts_tasks(),
                        "seed {seed}: {} placed on {}",
                        world.task_label(t.id),
                        instance.label()
                    );
                    placed += 1;
                }
            }
        }
        assert!(placed > 10, "seed {seed}: {placed} placements checked");
    }
}

#[test]
fn terminated_and_spot_instances_are_billed_for_the_time_they_ran() {
    // One on-demand m5.large ($0.096/h) terminated at 30 min and one Spot m5.large (60 % off:
    // $0.0384/h) for the whole hour; the replacement launches at 30 min + 60 s (noticed) and bills
    // from its launch, not its registration: 60 min - 31 min = 29 min.
    let yaml = r#"
duration: 1h
zones: [us-east-1a]
timing: { instance_launch: 60s }
task_definitions:
  web: { container_definitions: [{ name: web, image: web, memory: 256 }] }
capacity_providers:
  od: { auto_scaling_group: { instance_type: m5.large, desired_capacity: 1 } }
  sp: { auto_scaling_group: { instance_type: m5.large, desired_capacity: 1, purchase_option: spot } }
services:
  web: { task_definition: web, desired_count: 1, capacity_provider_strategy: [{ capacity_provider: od }] }
faults: [{ at: 30m, terminate_instances: { provider: od } }]
"#;
    let (_, summary, _) = run(&scenario(yaml));
    // 0.096 × 30/60 + 0.096 × 29/60 + 0.0384 × 1 = 0.048 + 0.0464 + 0.0384 = 0.1328
    assert!((summary.cost_usd.ec2 - 0.1328).abs() < 1e-6, "{}", summary.cost_usd.ec2);
}
