//! Rolling deployments (aws-behaviour.md §6.4) and the deployment circuit breaker (§6.5).

use crate::common::ReplaceOnce;
use crate::common::{run, scenario, Memory};
use ecsim::ids::ServiceId;
use ecsim::record::EventKind;
use ecsim::service::RolloutState;
use ecsim::task::TaskStatus;
use ecsim::world::World;

/// `instances` m5.large (2048 CPU units each) and a service `web` of 256-unit tasks, so each
/// instance has room for 8; `v2` is deployed at 5 minutes. `deployment` and `v2` are spliced in.
fn cluster(instances: u32, desired: u32, deployment: &str, v2: &str) -> String {
    format!(
        r#"
duration: 30m
zones: [us-east-1a]
task_definitions:
  v1: {{ container_definitions: [{{ name: app, image: app:1, cpu: 256, memory: 256 }}] }}
  v2: {{ container_definitions: [{{ name: app, image: app:2, cpu: 256, memory: 256{v2} }}] }}
capacity_providers:
  ec2: {{ auto_scaling_group: {{ instance_type: m5.large, desired_capacity: {instances} }} }}
services:
  web:
    task_definition: v1
    desired_count: {desired}
    capacity_provider_strategy: [{{ capacity_provider: ec2 }}]
    deployment_configuration: {{ {deployment} }}
actions:
  - {{ at: 5m, deploy: {{ service: web, task_definition: v2 }} }}
"#
    )
}

/// Events of `kind` from `from` seconds on.
fn after(rec: &Memory, kind: EventKind, from: f64) -> Vec<(f64, String)> {
    rec.events
        .iter()
        .filter(|e| e.kind == kind && e.time.as_secs_f64() >= from)
        .map(|e| (e.time.as_secs_f64(), e.message.clone()))
        .collect()
}

/// How many live tasks of each task definition the service ends with.
fn revisions_running(world: &World) -> Vec<(String, usize)> {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for t in world.tasks().iter().filter(|t| t.status == TaskStatus::Running && t.desired_running) {
        let family = world.task_definition(t.task_definition).family.clone();
        match counts.iter_mut().find(|(f, _)| *f == family) {
            Some((_, n)) => *n += 1,
            None => counts.push((family, 1)),
        }
    }
    counts
}

#[test]
fn six_tasks_with_room_for_eight_deploy_in_rounds_of_two() {
    let (world, summary, rec) = run(&scenario(&cluster(1, 6, "", "")));
    // Defaults 100/200: nothing may stop until replacements are healthy, and only 8 - 6 = 2 fit,
    // so each round starts 2 new tasks, waits until they are healthy, stops 2 old ones.
    let started: Vec<String> = after(&rec, EventKind::ServiceTasksStarted, 300.0).into_iter().map(|e| e.1).collect();
    assert_eq!(
        started,
        [
            "service web has started 2 tasks: (task web-7) (task web-8).",
            "service web has started 2 tasks: (task web-9) (task web-10).",
            "service web has started 2 tasks: (task web-11) (task web-12).",
        ]
    );
    let stopped = after(&rec, EventKind::ServiceTasksStopped, 300.0);
    assert_eq!(stopped.len(), 3);
    assert!(stopped.iter().all(|(_, m)| m.contains("has stopped 2 running tasks")), "{stopped:?}");
    // Each round's stops come after the round's new tasks counted as healthy (40 s after RUNNING).
    assert!(stopped[0].0 >= 340.0, "{stopped:?}");
    assert_eq!(revisions_running(&world), [("v2".to_string(), 6)]);
    let deployment = &summary.deployments[1];
    assert_eq!((deployment.id.as_str(), deployment.state.as_str()), ("ecs-svc/2", "COMPLETED"));
    assert_eq!((deployment.tasks_started, deployment.tasks_replaced), (6, 6));
}

#[test]
fn a_lower_minimum_healthy_percent_deploys_faster() {
    let duration = |deployment: &str| {
        let (_, summary, _) = run(&scenario(&cluster(1, 6, deployment, "")));
        summary.deployments[1].duration_s.expect("the deployment completes")
    };
    let (full, half) = (duration(""), duration("minimum_healthy_percent: 50"));
    assert!(half < full, "min 50 took {half} s, min 100 took {full} s");
    // Min 50 stops ceil(6 × 0.5) = 3 old tasks at once and starts 2, then 3 as room frees:
    // two rounds of health waits instead of three.
    let (_, _, rec) = run(&scenario(&cluster(1, 6, "minimum_healthy_percent: 50", "")));
    let first_stop = &after(&rec, EventKind::ServiceTasksStopped, 300.0)[0];
    assert_eq!(first_stop.0, 300.0);
    assert!(first_stop.1.contains("has stopped 3 running tasks"), "{first_stop:?}");
}

/// A deployment at 5 min with room for exactly `room` tasks of the service: what it does first.
fn first_moves(desired: u32, room: u32, deployment: &str) -> (Vec<String>, Vec<String>, Vec<String>) {
    // A filler service takes all but `room` slots of one instance.
    let yaml = cluster(1, desired, deployment, "").replace_once(
        "actions:",
        &format!(
            "  filler: {{ task_definition: v1, desired_count: {}, capacity_provider_strategy: [{{ capacity_provider: ec2 }}] }}\nactions:",
            8 - room
        ),
    );
    let (_, _, rec) = run(&scenario(&yaml));
    let at_deploy = |kind| {
        after(&rec, kind, 300.0)
            .into_iter()
            .filter(|(t, _)| *t == 300.0)
            .map(|(_, m)| m)
            .filter(|m: &String| m.starts_with("service web"))
            .collect::<Vec<_>>()
    };
    (
        at_deploy(EventKind::ServiceTasksStopped),
        at_deploy(EventKind::ServiceTasksStarted),
        at_deploy(EventKind::ServiceDeploymentBlocked),
    )
}

#[test]
fn desired_4_with_minimum_50_may_stop_2_first() {
    // ceil(4 × 50 / 100) = 2 must stay healthy: 2 of the 4 stop at once.
    let (stopped, started, _) = first_moves(4, 4, "minimum_healthy_percent: 50");
    assert_eq!(stopped.len(), 1);
    assert!(stopped[0].contains("has stopped 2 running tasks"), "{stopped:?}");
    assert!(started.is_empty(), "no room before the stops complete: {started:?}");
}

#[test]
fn desired_2_with_minimum_75_may_stop_none() {
    // ceil(2 × 75 / 100) = ceil(1.5) = 2: every task must stay healthy.
    let (stopped, _, _) = first_moves(2, 2, "minimum_healthy_percent: 75");
    assert!(stopped.is_empty(), "{stopped:?}");
}

#[test]
fn desired_4_with_maximum_200_may_start_4_extra() {
    // floor(4 × 200 / 100) = 8: 4 more may run beside the 4.
    let (stopped, started, _) = first_moves(4, 8, "maximum_percent: 200");
    assert_eq!(started, ["service web has started 4 tasks: (task web-5) (task web-6) (task web-7) (task web-8)."]);
    assert!(stopped.is_empty());
}

#[test]
fn desired_3_with_maximum_125_may_start_none() {
    // floor(3 × 125 / 100) = floor(3.75) = 3: no room above the desired count, and minimum
    // 100 % lets none stop: the deployment is stuck.
    let (stopped, started, blocked) = first_moves(3, 8, "maximum_percent: 125");
    assert!(stopped.is_empty() && started.is_empty(), "{stopped:?} {started:?}");
    assert_eq!(
        blocked,
        ["service web was unable to stop or start tasks during a deployment because of the service deployment \
          configuration. Update the minimumHealthyPercent or maximumPercent value and try again."]
    );
}

#[test]
fn desired_2_with_75_and_100_is_stuck() {
    // min ceil(1.5) = 2 = desired, max floor(2) = 2 = desired.
    let (stopped, started, blocked) = first_moves(2, 8, "minimum_healthy_percent: 75, maximum_percent: 100");
    assert!(stopped.is_empty() && started.is_empty());
    assert_eq!(blocked.len(), 1);
}

#[test]
fn maximum_100_replaces_one_task_at_a_time_within_the_minimum() {
    // Min 50, max 100, desired 4: 2 may stop, nothing may start beside the 4, so each stop is
    // followed by a start.
    let (world, summary, _) = run(&scenario(&cluster(1, 4, "minimum_healthy_percent: 50, maximum_percent: 100", "")));
    assert_eq!(revisions_running(&world), [("v2".to_string(), 4)]);
    assert_eq!(summary.deployments[1].state, "COMPLETED");
}

const BREAKER: &str = "deployment_circuit_breaker: { enable: true, rollback: true }";

#[test]
fn a_deploy_whose_containers_cannot_start_trips_the_breaker_and_rolls_back() {
    let (world, summary, rec) = run(&scenario(&cluster(1, 2, BREAKER, ", behaviour: { starts: false }")));
    // Desired 2: threshold max(ceil(1), 3) = 3 tasks that never reach RUNNING.
    let failed = rec.messages(EventKind::ServiceDeploymentFailed);
    assert_eq!(
        failed,
        ["service web (deployment ecs-svc/2) deployment failed: tasks failed to start (3 failures, threshold 3)."]
    );
    assert_eq!(
        rec.messages(EventKind::ServiceDeploymentRolledBack),
        ["service web deployment ecs-svc/2 rolled back: deployment ecs-svc/3 returns to task definition v1 of \
          deployment ecs-svc/1."]
    );
    // Minimum 100 % kept both v1 tasks running throughout; the rollback adopts them and completes.
    assert_eq!(revisions_running(&world), [("v1".to_string(), 2)]);
    let states: Vec<_> = summary.deployments.iter().map(|d| (d.id.as_str(), d.state.as_str())).collect();
    assert_eq!(states, [("ecs-svc/1", "COMPLETED"), ("ecs-svc/2", "FAILED"), ("ecs-svc/3", "COMPLETED")]);
    assert_eq!(summary.deployments[1].failed_to_start, 3);
    assert_eq!(summary.deployments[2].rollback_of.as_deref(), Some("ecs-svc/2"));
    let stopped_reasons = &summary.services[0].stop_reasons;
    assert!(stopped_reasons.keys().any(|r| r.starts_with("CannotStartContainerError")), "{stopped_reasons:?}");
}

#[test]
fn a_deploy_that_crashes_after_running_trips_the_second_stage() {
    let v2 = ", behaviour: { exits_after: 20s, exit_code: 2 }";
    let (world, summary, rec) = run(&scenario(&cluster(1, 2, BREAKER, v2)));
    let failed = rec.messages(EventKind::ServiceDeploymentFailed);
    assert_eq!(failed.len(), 1);
    assert!(failed[0].contains("tasks failed health checks or exited"), "{failed:?}");
    assert_eq!(summary.deployments[1].failed_after_running, 3);
    assert_eq!(revisions_running(&world), [("v1".to_string(), 2)]);
}

#[test]
fn without_rollback_a_failed_deployment_stalls_with_the_old_tasks() {
    let breaker = "deployment_circuit_breaker: { enable: true, rollback: false }";
    let (world, summary, rec) = run(&scenario(&cluster(1, 1, breaker, ", behaviour: { starts: false }")));
    // Desired 1: the threshold is raised to 3.
    assert_eq!(summary.deployments[1].failed_to_start, 3);
    assert_eq!(summary.deployments[1].state, "FAILED");
    assert!(rec.messages(EventKind::ServiceDeploymentRolledBack).is_empty());
    assert_eq!(revisions_running(&world), [("v1".to_string(), 1)]);
    assert_eq!(world.services().get(ServiceId::from_index(0)).primary().state, RolloutState::Failed);
}

#[test]
fn daemon_deployments_replace_instance_by_instance_within_the_minimum() {
    let yaml = |min: u32| {
        format!(
            r#"
duration: 20m
zones: [us-east-1a]
task_definitions:
  v1: {{ container_definitions: [{{ name: agent, image: agent:1, cpu: 128, memory: 128 }}] }}
  v2: {{ container_definitions: [{{ name: agent, image: agent:2, cpu: 128, memory: 128 }}] }}
capacity_providers:
  ec2: {{ auto_scaling_group: {{ instance_type: m5.large, desired_capacity: 4 }} }}
services:
  agent:
    task_definition: v1
    scheduling_strategy: DAEMON
    capacity_provider_strategy: [{{ capacity_provider: ec2 }}]
    deployment_configuration: {{ minimum_healthy_percent: {min} }}
actions:
  - {{ at: 5m, deploy: {{ service: agent, task_definition: v2 }} }}
"#
        )
    };
    // Min 0 (the daemon default): all 4 old tasks stop at once.
    let (world, _, rec) = run(&scenario(&yaml(0)));
    let stops = after(&rec, EventKind::ServiceTasksStopped, 300.0);
    assert!(stops[0].1.contains("has stopped 4 running tasks"), "{stops:?}");
    assert_eq!(revisions_running(&world), [("v2".to_string(), 4)]);
    // Min 50: ceil(4 × 0.5) = 2 stay healthy, so 2 at a time.
    let (world, summary, rec) = run(&scenario(&yaml(50)));
    let stops = after(&rec, EventKind::ServiceTasksStopped, 300.0);
    assert!(stops.iter().all(|(_, m)| m.contains("has stopped 2 running tasks")), "{stops:?}");
    assert_eq!(revisions_running(&world), [("v2".to_string(), 4)]);
    assert_eq!(summary.deployments[1].state, "COMPLETED");
}

#[test]
fn a_deployment_that_completes_never_says_it_is_unable_to_stop_or_start_tasks() {
    // Desired 4, min 50 %, max 100 %: 2 old tasks stop, 2 new ones start in their place. While
    // those two are starting, nothing may start (4 in flight) nor stop (the 2 old ones left are
    // the healthy minimum) — until the new ones are healthy, when 2 more old ones stop. ECS's
    // "unable to stop or start tasks" is for a deployment that cannot progress at all; ecsim said
    // it at the first such look before, in a deployment that completes.
    let (_, summary, rec) = run(&scenario(&cluster(1, 4, "minimum_healthy_percent: 50, maximum_percent: 100", "")));
    assert_eq!(summary.deployments[1].state, "COMPLETED");
    assert_eq!(rec.messages(EventKind::ServiceDeploymentBlocked), Vec::<&str>::new());
    // The stuck configurations still say it, once (desired_3_with_maximum_125_may_start_none).
}
