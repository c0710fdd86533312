//! Crash injection: scheduled and random faults, their targets, and what ECS does with the tasks.

use crate::common::{run, scenario, Memory};
use ecsim::record::EventKind;
use ecsim::task::{StopCode, TaskStatus};

/// A service of six tasks on three m5.large; `faults` is appended.
fn cluster(faults: &str) -> String {
    format!(
        r#"
duration: 4h
zones: [us-east-1a, us-east-1b, us-east-1c]
task_definitions:
  web: {{ container_definitions: [{{ name: nginx, image: nginx, memory: 256, start_time: 1s, stop_time: 20s }}] }}
capacity_providers:
  ec2: {{ auto_scaling_group: {{ instance_type: m5.large, desired_capacity: 3 }} }}
services:
  web: {{ task_definition: web, desired_count: 6 }}
faults:
{faults}"#
    )
}

fn fault_times(rec: &Memory) -> Vec<f64> {
    rec.events.iter().filter(|e| e.kind == EventKind::FaultInjected).map(|e| e.time.as_secs_f64()).collect()
}

#[test]
fn a_crash_stops_the_task_as_an_essential_container_exit_and_the_service_replaces_it() {
    let (world, summary, rec) =
        run(&scenario(&cluster("  - { at: 10m, crash_tasks: { task: web-2, exit_code: 137 } }\n")));
    let crashed = world.tasks().iter().find(|t| world.task_label(t.id) == "web-2").unwrap();
    assert_eq!(crashed.stop_code, Some(StopCode::EssentialContainerExited));
    assert_eq!(crashed.stopped_reason.as_deref(), Some("Essential container in task exited"));
    assert_eq!(crashed.exited, Some(("nginx".to_string(), 137)));
    // The only container already exited: no SIGTERM wait (its 20 s stop time does not apply).
    assert_eq!(rec.entered("web-2", "STOPPING"), Some(600.0));
    assert_eq!(rec.entered("web-2", "STOPPED"), Some(600.0));
    let stopped =
        rec.events.iter().find(|e| e.task.as_deref() == Some("web-2") && e.status == Some("STOPPED")).unwrap();
    assert!(stopped.message.ends_with("; container nginx exited with code 137"), "{}", stopped.message);
    assert_eq!(
        rec.messages(EventKind::FaultInjected),
        ["fault injection: crashing 1 of 6 running tasks of service web: (task web-2)."]
    );
    assert_eq!((summary.services[0].running_at_end, summary.services[0].tasks_started), (6, 7));
}

#[test]
fn a_fraction_of_running_tasks_rounds_up() {
    // 40% of 6 running tasks is 2.4: three are hit.
    let (world, _, _) = run(&scenario(&cluster("  - { at: 10m, crash_tasks: { service: web, fraction: 0.4 } }\n")));
    assert_eq!(world.tasks().iter().filter(|t| t.stop_code == Some(StopCode::EssentialContainerExited)).count(), 3);
}

#[test]
fn random_faults_fire_at_the_mean_rate_within_their_window() {
    // Exponential gaps with a 10 min mean between 1 h and 3 h: about 12 firings (Poisson, sd ~3.5).
    let yaml =
        cluster("  - { every: { exponential: { mean: 10m } }, from: 1h, until: 3h, crash_tasks: { service: web } }\n");
    let counts: Vec<usize> = (1..=20)
        .map(|seed| {
            let mut s = scenario(&yaml);
            s.seed = seed;
            let (_, _, rec) = run(&s);
            let times = fault_times(&rec);
            assert!(times.iter().all(|t| (3600.0..=10800.0).contains(t)), "{times:?}");
            times.len()
        })
        .collect();
    let mean = counts.iter().sum::<usize>() as f64 / counts.len() as f64;
    // Over 20 seeds the mean count has sd ~0.8: 12 ± 3 is a loose, safe bound.
    assert!((9.0..=15.0).contains(&mean), "mean firings {mean} from {counts:?}");
    assert!(counts.iter().collect::<std::collections::BTreeSet<_>>().len() > 1, "draws depend on the seed");
}

#[test]
fn each_fault_draws_from_its_own_stream() {
    let first = "  - { every: { exponential: { mean: 20m } }, stop_tasks: { service: web } }\n";
    let second = "  - { every: { exponential: { mean: 7m } }, crash_tasks: { service: web } }\n";
    let (_, _, alone) = run(&scenario(&cluster(first)));
    let (_, _, both) = run(&scenario(&cluster(&format!("{first}{second}"))));
    let stops = |rec: &Memory| -> Vec<f64> {
        rec.events
            .iter()
            .filter(|e| e.kind == EventKind::FaultInjected && e.message.contains("stopping"))
            .map(|e| e.time.as_secs_f64())
            .collect()
    };
    assert!(!stops(&alone).is_empty());
    assert_eq!(stops(&alone), stops(&both), "adding a fault must not move another fault's firings");
}

#[test]
fn healing_keeps_the_service_at_its_desired_count_under_random_faults() {
    let yaml = cluster("  - { every: { exponential: { mean: 5m } }, crash_tasks: { service: web, count: 2 } }\n");
    for seed in 1..=5 {
        let mut s = scenario(&yaml);
        s.seed = seed;
        let (world, _, rec) = run(&s);
        // Live tasks (RUNNING or starting) never exceed the desired count.
        assert!(rec.rows.iter().all(|r| r.running + r.pending <= r.desired));
        let running = world.tasks().iter().filter(|t| t.status == TaskStatus::Running).count();
        let since_last = 14_400.0 - fault_times(&rec).last().copied().unwrap_or(0.0);
        if since_last > 30.0 {
            assert_eq!(running, 6, "seed {seed}: back to desired {since_last} s after the last fault");
        }
    }
}

#[test]
fn fault_entries_are_validated() {
    let bad = [
        (
            "  - { at: 1m, every: 5m, crash_tasks: { service: web } }\n",
            "faults[0]: a fault fires `at` a time or `every` so often, not both",
        ),
        (
            "  - { at: 1m, crash_tasks: { service: web, fraction: 1.5 } }\n",
            "faults[0].crash_tasks.fraction: 1.5 must be above 0 and at most 1",
        ),
        ("  - { at: 1m, crash_tasks: { task: web } }\n", "faults[0].crash_tasks.task: `web` is not a task name"),
        ("  - { at: 1m, crash_tasks: { task: wbe-2 } }\n", "faults[0].crash_tasks.task: unknown service `wbe`"),
        (
            "  - { at: 1m, crash_tasks: { service: web, exit_code: 300 } }\n",
            "faults[0].crash_tasks.exit_code: 300 is out of range",
        ),
        (
            "  - { every: 5m, from: 2h, until: 1h, stop_tasks: { service: web } }\n",
            "faults[0].until: `until` must not come before `from`",
        ),
    ];
    for (fault, expected) in bad {
        let err = ecsim::scenario::load_str(&cluster(fault), "f.yaml", "f").unwrap_err().to_string();
        assert!(err.contains(expected), "{fault}: {err}");
    }
}
