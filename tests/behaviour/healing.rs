//! The service scheduler replaces stopped tasks and returns to its desired count.

use crate::common::{run, scenario};
use ecsim::record::EventKind;

const TWO_SERVICES: &str = include_str!("../../scenarios/quickstart.yaml");

#[test]
fn stopped_tasks_are_replaced_and_the_service_returns_to_steady_state() {
    let (_, summary, rec) = run(&scenario(TWO_SERVICES));
    let faults = rec.messages(EventKind::FaultInjected);
    assert_eq!(faults.len(), 1);
    assert!(faults[0].starts_with("fault injection: stopping 2 of 6 running tasks of service web"), "{}", faults[0]);

    // Two web tasks stop at 10 min and two new ones start at the same instant.
    let started_at_fault: Vec<_> = rec
        .events
        .iter()
        .filter(|e| e.kind == EventKind::ServiceTasksStarted && e.time.as_secs_f64() == 600.0)
        .map(|e| e.message.as_str())
        .collect();
    assert_eq!(started_at_fault, ["service web has started 2 tasks: (task web-7) (task web-8)."]);
    let stopped: Vec<_> = rec.events.iter().filter(|e| e.status == Some("STOPPED")).collect();
    assert_eq!(stopped.len(), 2);
    assert!(stopped.iter().all(|e| e.message.contains("stopCode UserInitiated")));

    // Steady state is reached twice by web: at start-up and after healing.
    let steady: Vec<_> = rec
        .events
        .iter()
        .filter(|e| e.kind == EventKind::ServiceSteadyState && e.service.as_deref() == Some("web"))
        .map(|e| e.time.as_secs_f64())
        .collect();
    assert_eq!(steady.len(), 2);
    // The replacements start in under 20 s and count as healthy 40 s after RUNNING (no health check).
    assert!(steady[1] > 640.0 && steady[1] < 660.0, "healed at {}", steady[1]);

    let web = summary.services.iter().find(|s| s.name == "web").unwrap();
    assert_eq!((web.running_at_end, web.tasks_started, web.tasks_stopped), (6, 8, 2));
    let last_rows: Vec<_> = rec.rows.iter().rev().take(2).collect();
    assert!(last_rows.iter().all(|r| r.running == r.desired), "every service ends at its desired count");
}

#[test]
fn stopping_more_tasks_than_are_running_stops_them_all() {
    let yaml = r#"
duration: 5m
zones: [us-east-1a]
task_definitions:
  t: { cpu: 256, memory: 512, network_mode: awsvpc, container_definitions: [{ name: t, image: t }] }
services:
  s: { task_definition: t, desired_count: 2, launch_type: FARGATE }
faults: [{ at: 2m, stop_tasks: { service: s, count: 5 } }]
"#;
    let (_, summary, rec) = run(&scenario(yaml));
    assert!(rec.messages(EventKind::FaultInjected)[0].starts_with("fault injection: stopping 2 of 2 running tasks"));
    assert_eq!(summary.services[0].tasks_stopped, 2);
    assert_eq!(summary.services[0].running_at_end, 2);
}
