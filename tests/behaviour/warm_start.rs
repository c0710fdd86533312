//! Starting a run from a describe-services snapshot: `runningCount` tasks are RUNNING, healthy and
//! serving at time 0, `pendingCount` tasks are launching; the scheduler then keeps the desired
//! count as usual.

use ecsim::record::EventKind;
use ecsim::scenario::{load_str, Scenario};
use ecsim::task::{Health, TaskStatus};

use crate::common::{run, scenario, Memory, ReplaceOnce};

/// The snapshot of tests/fixtures/services/describe-web.json (desired 4, running 3, pending 1,
/// Fargate, behind web-tg, 90 s grace period) receiving 50 requests per second, with `extra`
/// written beside the import.
fn snapshot(extra: &str) -> Scenario {
    let yaml = format!(
        r#"
duration: 5m
zones: [us-east-1a, us-east-1b]
metrics: {{ interval: 10s }}
task_definitions:
  web: {{ import: taskdefs/fargate-web.json }}
load_balancers:
  alb: {{ target_groups: {{ web-tg: {{}} }} }}
services:
  web:
    import: services/describe-web.json
    requests: {{ cpu_time: {{ exponential: {{ mean: 20ms }} }} }}{extra}
traffic:
  sources: [{{ to: alb, rate: 50 }}]
"#
    );
    load_str(&yaml, "tests/fixtures/s.yaml", "s").unwrap_or_else(|e| panic!("{e}"))
}

fn at_zero(rec: &Memory, kind: EventKind) -> Vec<&str> {
    rec.events.iter().filter(|e| e.kind == kind && e.time.as_secs_f64() == 0.0).map(|e| e.message.as_str()).collect()
}

#[test]
fn a_snapshot_starts_with_its_running_tasks_serving_and_its_pending_ones_launching() {
    let s = snapshot("");
    assert_eq!((s.services[0].running_count, s.services[0].pending_count), (3, 1), "read from the JSON");
    let (world, summary, rec) = run(&s);
    for task in ["web-1", "web-2", "web-3"] {
        assert_eq!(rec.entered(task, "RUNNING"), Some(0.0), "{task} runs from the start");
        assert_eq!(rec.entered(task, "PROVISIONING"), None, "{task} never went through the start-up statuses");
    }
    assert_eq!(rec.entered("web-4", "PROVISIONING"), Some(0.0), "the pending task launches at time 0");
    assert!(rec.entered("web-4", "RUNNING").is_some_and(|t| t > 0.0));
    assert_eq!(
        at_zero(&rec, EventKind::ServiceUpdated),
        ["service web starts the run from its snapshot: 3 tasks RUNNING, 1 PENDING."]
    );
    // The first interval: three healthy targets serve every request, no 503 for want of one.
    let first = rec.rows.iter().find(|r| r.time.as_secs_f64() == 10.0).expect("a row at 10 s");
    let traffic = first.traffic.as_ref().expect("behind a load balancer");
    assert_eq!(traffic.healthy_hosts, 3);
    assert_eq!(traffic.elb_5xx() + traffic.target_5xx, 0.0, "{traffic:?}");
    assert!((traffic.requests - 500.0).abs() < 100.0, "≈ 50/s for 10 s: {traffic:?}");
    // Their health checks passed before time 0: HEALTHY at once, with no event.
    let web1 = world.tasks().iter().find(|t| t.ordinal == 1).unwrap();
    assert_eq!(web1.health, Health::Healthy);
    assert!(rec.events.iter().all(|e| !(e.kind == EventKind::TaskHealthChange && e.task.as_deref() == Some("web-1"))));
    // Fargate bills the running tasks from time 0: three tasks for the first 10 s.
    assert!(first.service_fargate_cost > 0.0);
    let svc = &summary.services[0];
    assert_eq!((svc.running_at_start, svc.tasks_started, svc.running_at_end), (3, 1, 4));
    assert_eq!(svc.traffic.as_ref().unwrap().elb_503, 0.0);
}

#[test]
fn the_same_service_started_cold_answers_503_until_its_first_target_is_healthy() {
    let (_, warm, _) = run(&snapshot(""));
    let (_, cold, rec) = run(&snapshot("\n    running_count: 0\n    pending_count: 0"));
    let cold_traffic = cold.services[0].traffic.as_ref().unwrap();
    assert!(cold_traffic.elb_503 > 100.0, "no target for the first ~30 s: {cold_traffic:?}");
    assert_eq!(cold.services[0].tasks_started, 4);
    assert_eq!(cold.services[0].running_at_start, 0);
    assert!(at_zero(&rec, EventKind::ServiceUpdated).is_empty(), "no snapshot, nothing said");
    assert!(warm.services[0].first_steady_state_s < cold.services[0].first_steady_state_s);
    assert!(warm.cost_usd.fargate > cold.cost_usd.fargate, "the warm tasks bill from time 0");
}

#[test]
fn a_snapshot_at_its_desired_count_is_steady_at_time_zero() {
    let (_, summary, rec) = run(&snapshot("\n    pending_count: 0\n    desired_count: 3"));
    assert_eq!(summary.services[0].first_steady_state_s, Some(0.0));
    assert_eq!(summary.services[0].tasks_started, 0);
    assert!(rec.messages(EventKind::ServiceTasksStarted).is_empty());
}

#[test]
fn a_snapshot_above_its_desired_count_is_scaled_in_at_once() {
    let (_, summary, rec) = run(&snapshot("\n    running_count: 5\n    pending_count: 0\n    desired_count: 2"));
    let stopped = at_zero(&rec, EventKind::ServiceTasksStopped);
    assert_eq!(stopped.len(), 1, "{stopped:?}");
    assert!(stopped[0].starts_with("service web has stopped 3 running tasks"), "{stopped:?}");
    assert_eq!((summary.services[0].running_at_end, summary.services[0].tasks_started), (2, 0));
}

/// One m5.large (2 vCPU) and 1-vCPU tasks: `running` of them at time 0, `desired` wanted.
fn ec2(running: u32, desired: u32, extra: &str) -> String {
    format!(
        r#"
duration: 10m
zones: [us-east-1a]
task_definitions:
  web: {{ cpu: 1024, memory: 1024, container_definitions: [{{ name: app, image: app }}] }}
  agent: {{ container_definitions: [{{ name: agent, image: agent, cpu: 128, memory: 128 }}] }}
capacity_providers:
  ec2: {{ auto_scaling_group: {{ instance_type: m5.large, desired_capacity: 1 }} }}
default_capacity_provider_strategy: [{{ capacity_provider: ec2 }}]
services:
  web: {{ task_definition: web, desired_count: {desired}, running_count: {running} }}{extra}
"#
    )
}

#[test]
fn running_tasks_that_find_no_room_are_said_and_not_carried_over() {
    let (_, summary, rec) = run(&scenario(&ec2(3, 3, "")));
    assert_eq!(rec.entered("web-1", "RUNNING"), Some(0.0));
    assert_eq!(rec.entered("web-2", "RUNNING"), Some(0.0));
    assert!(at_zero(&rec, EventKind::ServiceUpdated).contains(
        &"service web could place only 2 of its snapshot's 3 running tasks at time 0; the other 1 are not carried \
          over, and the scheduler starts what the desired count still needs."
    ));
    let failures = at_zero(&rec, EventKind::ServiceTaskPlacementFailure);
    assert!(failures[0].contains("insufficient CPU"), "{failures:?}");
    let svc = &summary.services[0];
    assert_eq!((svc.running_at_start, svc.running_at_end), (2, 2));
}

#[test]
fn a_daemon_snapshot_runs_on_the_first_instances_and_the_scheduler_covers_the_rest() {
    let yaml = ec2(0, 0, "\n  agent: { task_definition: agent, scheduling_strategy: DAEMON, running_count: 2 }")
        .replace_once("desired_capacity: 1", "desired_capacity: 3");
    let (world, summary, rec) = run(&scenario(&yaml));
    let agent = summary.services.iter().find(|s| s.name == "agent").unwrap();
    assert_eq!((agent.running_at_start, agent.tasks_started, agent.running_at_end), (2, 1, 3));
    assert_eq!(rec.entered("agent-1", "RUNNING"), Some(0.0));
    assert!(rec.entered("agent-3", "PROVISIONING").is_some(), "the third instance's is a new task");
    let on: Vec<_> = world.tasks().iter().filter(|t| t.status == TaskStatus::Running).map(|t| t.placement).collect();
    let distinct: std::collections::BTreeSet<_> = on.iter().map(|p| format!("{p:?}")).collect();
    assert_eq!(distinct.len(), 3, "one per instance: {on:?}");
}

#[test]
fn snapshot_counts_are_checked() {
    let yaml = ec2(0, 1, "\n  agent: { task_definition: agent, scheduling_strategy: DAEMON, pending_count: 1 }")
        .replace_once("running_count: 0", "running_count: -2, pending_count: 6000");
    let report = load_str(&yaml, "s.yaml", "s").map(|_| ()).unwrap_err().to_string();
    assert!(report.contains("services.web.running_count: -2 is out of range: must be between 0 and 5000"), "{report}");
    assert!(report.contains("services.web.pending_count: 6000 is out of range"), "{report}");
    assert!(
        report.contains("services.agent.pending_count: a DAEMON service's pending tasks are not carried into the run"),
        "{report}"
    );
    assert!(report.contains("give its `running_count` only"), "{report}");
}

#[test]
fn a_daemon_snapshot_imports_its_running_count_only() {
    let dir = tempfile::tempdir().unwrap();
    let json = r#"{"services": [{"serviceName": "agent", "taskDefinition": "agent:3", "schedulingStrategy": "DAEMON",
        "runningCount": 1, "pendingCount": 1, "launchType": "EC2"}], "failures": []}"#;
    std::fs::write(dir.path().join("agent.json"), json).unwrap();
    let yaml = ec2(0, 0, "\n  agent: { import: agent.json }");
    let file = dir.path().join("s.yaml");
    let s = load_str(&yaml, &file.display().to_string(), "s").unwrap_or_else(|e| panic!("{e}"));
    let agent = s.services.iter().find(|x| x.name == "agent").unwrap();
    assert_eq!((agent.running_count, agent.pending_count), (1, 0));
}

#[test]
fn a_warm_start_replays_byte_for_byte() {
    let events = |rec: Memory| rec.events.iter().map(|e| format!("{e:?}")).collect::<Vec<_>>();
    let (_, a, ra) = run(&snapshot(""));
    let (_, b, rb) = run(&snapshot(""));
    assert_eq!(a, b);
    assert_eq!(events(ra), events(rb));
}

#[test]
fn a_running_task_that_fails_its_health_checks_is_replaced_with_its_grace_period_long_over() {
    let check = r#"image: app, health_check: { command: [CMD-SHELL, "curl -f localhost"], interval: 10s, retries: 3 }, behaviour: { passes_health_checks: false } }"#;
    let yaml = ec2(1, 1, "")
        .replace_once("image: app }", check)
        .replace_once("running_count: 1 }", "running_count: 1, health_check_grace_period: 5m }");
    let (_, _, rec) = run(&scenario(&yaml));
    let unhealthy =
        rec.events.iter().find(|e| e.kind == EventKind::TaskHealthChange && e.task.as_deref() == Some("web-1"));
    assert_eq!(unhealthy.map(|e| e.time.as_secs_f64()), Some(30.0), "three failed checks, 10 s apart");
    // Its replacement starts at once: the 5 min grace period of a task that ran before the run
    // is over (a task started in the run would wait until 5 min after its RUNNING).
    assert_eq!(rec.entered("web-2", "PROVISIONING"), Some(30.0));
}
