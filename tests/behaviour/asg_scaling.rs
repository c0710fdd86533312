//! An Auto Scaling group's own scaling policies (aws-behaviour.md §8), the classic pattern of
//! ECS clusters before capacity providers: step scaling on the cluster's MemoryReservation,
//! target tracking on ASGAverageCPUUtilization with warming instances holding scale-in back and
//! counting toward the next scale-out, and validation of what cannot be combined.
//!
//! Groups of m5.large (2048 CPU units, 7985 MiB registered) in one zone; launches take exactly
//! 60 s; the initial fleet registers at 0 s. Policies are evaluated every minute from 60 s on the
//! datapoint of the minute just ended.

use crate::common::ReplaceOnce;
use crate::common::{run, scenario, Memory};
use ecsim::record::EventKind;
use ecsim::scenario::load_str;

/// A group `ec2` with `group` spliced into it, and a service `s` of `count` tasks of `t` on it.
fn cluster(duration: &str, task: &str, group: &str, count: u32, extra: &str) -> String {
    format!(
        r#"
duration: {duration}
zones: [us-east-1a]
timing: {{ instance_launch: 60s }}
task_definitions:
  t: {{ container_definitions: [{{ name: t, image: t, {task}, start_time: 1s }}] }}
capacity_providers:
  ec2:
    auto_scaling_group:
      instance_type: m5.large
{group}
services:
  s:
    task_definition: t
    desired_count: {count}
    capacity_provider_strategy: [{{ capacity_provider: ec2 }}]
{extra}"#
    )
}

/// (seconds, message) of every event of `kind`.
fn timed(rec: &Memory, kind: EventKind) -> Vec<(f64, String)> {
    rec.events.iter().filter(|e| e.kind == kind).map(|e| (e.time.as_secs_f64(), e.message.clone())).collect()
}

fn first_time(rec: &Memory, kind: EventKind) -> Option<f64> {
    rec.events.iter().find(|e| e.kind == kind).map(|e| e.time.as_secs_f64())
}

const MEMORY_STEPS: &str = r#"      min_size: 1
      max_size: 4
      default_instance_warmup: 60s
      scaling_policies:
        step_scaling:
          - name: memory-high
            alarm: { metric: memory_reservation, comparison: greater_than_threshold, threshold: 75 }
            adjustment_type: change_in_capacity
            steps: [ { lower: 0, adjustment: 1 } ]
          - name: memory-low
            alarm: { metric: memory_reservation, comparison: less_than_threshold, threshold: 40 }
            adjustment_type: change_in_capacity
            steps: [ { upper: 0, adjustment: -1 } ]"#;

#[test]
fn step_scaling_on_memory_reservation_adds_an_instance_for_tasks_that_did_not_fit() {
    let action = "actions: [{ at: 10m, update_service: { service: s, desired_count: 4 } }]\n";
    let yaml = cluster("20m", "cpu: 256, memory: 2400", MEMORY_STEPS, 2, action);
    let (world, _, rec) = run(&scenario(&yaml));
    // 0 s: one instance (min 1), two tasks: 4800 / 7985 = 60.1 % — neither alarm.
    // 600 s: desired 4. A third task fits (7200 / 7985 = 90.2 %), the fourth (9600 MiB) does not:
    // without managed scaling it fails to place at once.
    let failure = first_time(&rec, EventKind::ServiceTaskPlacementFailure).expect("the fourth task fails to place");
    assert_eq!(failure, 600.0);
    assert_eq!(rec.entered("s-3", "PENDING"), Some(600.0));
    // 600 s, the tick of the same instant: the reservation is read at the end of the minute,
    // changes of that instant included (as metrics.csv reads it), so minute 9's datapoint is
    // already 90.2 % > 75, 1 of 1: ALARM, +1 instance.
    let alarms = timed(&rec, EventKind::AlarmStateChange);
    let high = alarms.iter().find(|(_, m)| m.contains("memory-high changed from OK to ALARM")).expect("high alarm");
    assert_eq!(high.0, 600.0, "{alarms:#?}");
    assert!(high.1.contains("MemoryReservation [90.2] > 75"), "{}", high.1);
    let changes = timed(&rec, EventKind::AsgDesiredCapacityChanged);
    assert_eq!(
        changes,
        [(
            600.0,
            "alarm StepScaling-asg/ec2-memory-high in ALARM: MemoryReservation 90.2 > 75 for 1 datapoints; step \
             [0, +inf) (+15.2 from the threshold): ChangeInCapacity +1; Auto Scaling group ec2 desired 1 → 2."
                .to_string()
        )]
    );
    // In that order: the placement failure, the alarm, the group's change.
    let index = |kind: EventKind| rec.events.iter().position(|e| e.kind == kind);
    let (fail, alarm, change) = (
        index(EventKind::ServiceTaskPlacementFailure),
        rec.events.iter().position(|e| e.kind == EventKind::AlarmStateChange && e.message.contains("to ALARM")),
        index(EventKind::AsgDesiredCapacityChanged),
    );
    assert!(fail < alarm && alarm < change, "{fail:?} {alarm:?} {change:?}");
    // Launched at 600 s, registered at 660 s: the fourth task is placed then. Minute 10 reads
    // 7200 / 15970 = 45.1 % (the task is placed after the tick of that instant), then 9600 /
    // 15970 = 60.1 %: the high alarm goes back to OK, the low one never fires, nothing else scales.
    let registered = timed(&rec, EventKind::ContainerInstanceRegistered);
    assert_eq!(registered.iter().map(|(t, _)| *t).collect::<Vec<_>>(), [0.0, 660.0]);
    assert_eq!(rec.entered("s-4", "PENDING"), Some(660.0));
    assert!(alarms.iter().all(|(_, m)| !m.contains("memory-low changed from OK to ALARM")), "{alarms:#?}");
    assert_eq!(world.providers().iter().find_map(|p| p.auto_scaling_group()).map(|g| g.desired_capacity), Some(2));
    assert!(rec.messages(EventKind::ScalingActivity).is_empty(), "a group's change is logged once, by the group");
}

const CPU_TRACKING: &str = r#"      min_size: 2
      max_size: 10
      desired_capacity: 2
      default_instance_warmup: 5m
      scaling_policies:
        target_tracking:
          - { metric: cpu, target: 40, scale_in_datapoints: 3 }"#;

#[test]
fn target_tracking_on_cpu_scales_out_proportionally_and_waits_for_warming_instances_to_scale_in() {
    // 8 tasks of 512 units fill the two instances (4096 units). Demand over the service: 1024
    // units until 6m, 3072 until 10m, then 512; it uses demand / 4096 reserved of each task.
    let load = "    load: { cpu: { sum: [ 512, { spike: { base: 0, peak: 512, at: 0s, hold: 6m } }, \
                { spike: { base: 0, peak: 2560, at: 6m, hold: 4m } } ] } }\n";
    let yaml = cluster("17m", "cpu: 512, memory: 256", CPU_TRACKING, 8, "").replace_once(
        "    capacity_provider_strategy: [{ capacity_provider: ec2 }]\n",
        &format!("    capacity_provider_strategy: [{{ capacity_provider: ec2 }}]\n{load}"),
    );
    let (world, _, rec) = run(&scenario(&yaml));
    // The initial instances registered at 0 s are not newly launched: no warm-up, datapoints
    // from minute 0 on.
    // Minutes 6, 7, 8: 3072 / (2 × 2048) = 75 % > 40: AlarmHigh (3 of 3) at 540 s;
    // ceil(2 ready × 75 / 40) = ceil(3.75) = 4.
    // Minute 9 is still 75 % over the two ready instances, but the two launched ones count toward
    // desired: ceil(3.75) = 4 is not more than 4, nothing more.
    // Minutes 10-12: 512 / 4096 = 12.5 % < 36 (0.9 × 40): AlarmLow (3 of 3) at 780 s, but the new
    // instances (registered at 600 s) warm up until 900 s: scale-in waits.
    // 900 s: minute 14 over the four ready instances: 512 / 8192 = 6.25 %; ceil(4 × 6.25 / 40) =
    // 1, clamped to the minimum 2.
    let changes = timed(&rec, EventKind::AsgDesiredCapacityChanged);
    let times: Vec<f64> = changes.iter().map(|(t, _)| *t).collect();
    assert_eq!(times, [540.0, 900.0], "{changes:#?}");
    assert_eq!(
        changes[0].1,
        "alarm TargetTracking-asg/ec2-AlarmHigh in ALARM: ASGAverageCPUUtilization 75.0 > 40 for 3 datapoints; \
         Auto Scaling group ec2 desired 2 → 4."
    );
    assert!(
        changes[1].1.starts_with("alarm TargetTracking-asg/ec2-AlarmLow in ALARM: ASGAverageCPUUtilization 6.2 < 36")
            && changes[1].1.ends_with("Auto Scaling group ec2 desired 4 → 2."),
        "{}",
        changes[1].1
    );
    let low = timed(&rec, EventKind::AlarmStateChange)
        .into_iter()
        .find(|(_, m)| m.contains("AlarmLow changed from OK to ALARM"))
        .expect("the low alarm fires");
    assert_eq!(low.0, 780.0, "{}", low.1);
    assert!(low.1.contains("[12.5, 12.5, 12.5]"), "{}", low.1);
    assert_eq!(world.providers().iter().find_map(|p| p.auto_scaling_group()).map(|g| g.desired_capacity), Some(2));
}

#[test]
fn the_metric_store_stays_bounded_and_publishes_only_what_is_read() {
    let yaml = cluster("3h", "cpu: 512, memory: 256", CPU_TRACKING, 8, "");
    let (world, _, _) = run(&scenario(&yaml));
    // Only the group's CPU is read, and its alarms look back 3 minutes (3 of 3 both): at most 3
    // datapoints are kept, however long the run.
    assert!(world.metric_store().len() <= 3, "{}", world.metric_store().len());
}

#[test]
fn a_group_ecs_scales_cannot_have_its_own_policies() {
    let yaml = cluster("10m", "cpu: 256, memory: 256", CPU_TRACKING, 1, "")
        .replace_once("  ec2:\n", "  ec2:\n    managed_scaling: {}\n");
    let err = load_str(&yaml, "test.yaml", "test").expect_err("managed scaling and own policies conflict").to_string();
    assert!(err.contains("capacity_providers.ec2.auto_scaling_group.scaling_policies"), "{err}");
    assert!(err.contains("a group with managed scaling cannot have its own scaling policies"), "{err}");
    assert!(err.contains("ECS owns its scaling policy"), "{err}");
}

#[test]
fn the_initial_fleet_is_not_newly_launched_and_does_not_warm_up() {
    // One instance at 0 s (min 1, no `default_instance_warmup`: 300 s for new instances) and four
    // tasks of 2400 MiB: three fit (7200 / 7985 = 90.2 %), the fourth fails to place. The
    // instance is the initial fleet, not a launch: minute 0's datapoint, published at 60 s, is
    // 90.2 % > 75 and the step adds an instance at once. (It waited for 300 s of warm-up before.)
    let group = MEMORY_STEPS.replace_once("      default_instance_warmup: 60s\n", "");
    let (_, _, rec) = run(&scenario(&cluster("10m", "cpu: 256, memory: 2400", &group, 4, "")));
    let changes = timed(&rec, EventKind::AsgDesiredCapacityChanged);
    assert_eq!(changes.first().map(|(t, _)| *t), Some(60.0), "{changes:#?}");
    assert!(changes[0].1.ends_with("Auto Scaling group ec2 desired 1 → 2."), "{}", changes[0].1);
    // The new instance registers at 120 s and does warm up: the memory-low alarm cannot take it
    // away before 120 + 300 = 420 s, and the fourth task runs on it.
    assert_eq!(rec.entered("s-4", "PENDING"), Some(120.0));
}

#[test]
fn a_simple_scaling_policy_waits_out_the_default_cooldown_between_activities() {
    // One instance, four tasks of 2400 MiB (three fit an m5.large: 90.2 % MemoryReservation),
    // and a simple policy adding 1 instance while MemoryReservation > 75, with the default
    // cooldown (300 s):
    // - 60 s: minute 0 is 90.2 %: +1 (1 → 2); the fourth task runs on it from 120 s (60.1 %).
    // - 600 s: desired 7: six fit two instances (14400 / 15970 = 90.2 %): ALARM, the cooldown
    //   from 60 s is long over: +1 (2 → 3), cooling down until 900 s.
    // - 660 s: desired 12: nine fit three instances (90.2 %), the alarm stays in ALARM, but no
    //   simple policy acts before 900 s: +1 (3 → 4), and not again before 1200 s, although twelve
    //   tasks fill the four (90.2 %): +1 (4 → 5), then 72.1 % and OK. Simple scaling ignores the
    //   warm-up (the instance registered at 660 s still warms up at 900 s).
    let group = r#"      min_size: 1
      max_size: 6
      scaling_policies:
        simple_scaling:
          - name: memory-high
            alarm: { metric: memory_reservation, comparison: greater_than_threshold, threshold: 75 }
            adjustment_type: change_in_capacity
            scaling_adjustment: 1"#;
    let actions = "actions:\n  - { at: 10m, update_service: { service: s, desired_count: 7 } }\n  - { at: 11m, update_service: { service: s, desired_count: 12 } }\n";
    let (_, _, rec) = run(&scenario(&cluster("20m", "cpu: 256, memory: 2400", group, 4, actions)));
    let changes = timed(&rec, EventKind::AsgDesiredCapacityChanged);
    let times: Vec<f64> = changes.iter().map(|(t, _)| *t).collect();
    assert_eq!(times, [60.0, 600.0, 900.0, 1200.0], "{changes:#?}");
    assert!(changes[0].1.contains("SimpleScaling-asg/ec2-memory-high"), "{}", changes[0].1);
    assert!(changes[0].1.ends_with("Auto Scaling group ec2 desired 1 → 2."), "{}", changes[0].1);
}

#[test]
fn simple_scaling_is_a_groups_only() {
    let service = "    autoscaling:\n      min_capacity: 1\n      max_capacity: 4\n      simple_scaling:\n        - { name: up, alarm: { metric: cpu, comparison: greater_than_threshold, threshold: 70 }, adjustment_type: change_in_capacity, scaling_adjustment: 1 }\n";
    let yaml = cluster("10m", "cpu: 256, memory: 256", "      min_size: 1\n      max_size: 2", 1, "").replace_once(
        "    capacity_provider_strategy: [{ capacity_provider: ec2 }]\n",
        &format!("    capacity_provider_strategy: [{{ capacity_provider: ec2 }}]\n    load: {{ cpu: 512 }}\n{service}"),
    );
    let err = load_str(&yaml, "test.yaml", "test").expect_err("a service has no simple scaling").to_string();
    assert!(
        err.contains("services.s.autoscaling.simple_scaling: simple scaling policies are EC2 Auto Scaling's"),
        "{err}"
    );
}
