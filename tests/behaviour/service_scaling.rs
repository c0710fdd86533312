//! Service auto scaling (aws-behaviour.md §7): step scaling reproduces AWS's worked example,
//! cooldowns hold scale-in back until a scale-out cancels them, capacity stays within its
//! bounds, scheduled actions move it at once, target tracking follows its alarms' datapoints,
//! scale-in waits for deployments, and missing data scales nothing.
//!
//! Every scenario runs on Fargate with constant timings: PROVISIONING 10 s, a 21 s image pull,
//! a 4 s start: tasks are RUNNING at 35 s and count as healthy 40 s later (no health check), so
//! the first deployment is COMPLETED at 75 s. Policies are evaluated every minute from 60 s on
//! the datapoint of the minute just ended.

use crate::common::ReplaceOnce;
use crate::common::{run, scenario, Memory};
use ecsim::ids::ServiceId;
use ecsim::record::EventKind;

/// A service `web` of `desired` 1-vCPU tasks on Fargate, with `service` spliced into it and
/// `top` at the top level.
fn web(duration: &str, desired: u32, service: &str, top: &str) -> String {
    format!(
        r#"
duration: {duration}
zones: [us-east-1a, us-east-1b]
timing:
  fargate_provisioning: 10s
  fargate_image_pull: {{ latency: 20s, throughput_mb_per_s: 100 }}
  eni_attachment: 6s
task_definitions:
  web:
    cpu: 1024
    memory: 2048
    network_mode: awsvpc
    container_definitions: [{{ name: app, image: app:1, image_size_mb: 100, start_time: 4s, stop_time: 5s }}]
  web-slow:
    cpu: 1024
    memory: 2048
    network_mode: awsvpc
    container_definitions: [{{ name: app, image: app:2, image_size_mb: 60000, start_time: 4s, stop_time: 5s }}]
services:
  web:
    task_definition: web
    desired_count: {desired}
    launch_type: FARGATE
{service}
{top}
"#
    )
}

/// (seconds, message) of every scaling activity.
fn activities(rec: &Memory) -> Vec<(f64, String)> {
    rec.events
        .iter()
        .filter(|e| e.kind == EventKind::ScalingActivity)
        .map(|e| (e.time.as_secs_f64(), e.message.clone()))
        .collect()
}

/// The "desired a → b" of each activity, with its time.
fn changes(rec: &Memory) -> Vec<(f64, String)> {
    activities(rec).into_iter().map(|(t, m)| (t, m.rsplit("; ").next().unwrap_or_default().to_string())).collect()
}

fn owned(v: &[(f64, &str)]) -> Vec<(f64, String)> {
    v.iter().map(|(t, s)| (*t, s.to_string())).collect()
}

#[test]
fn step_scaling_reproduces_aws_worked_example() {
    // The metric: 50 until 5m, 60 until 10m, 70 until 15m, 40 until 20m, then 30.
    let top = r#"
custom_metrics:
  queue_depth:
    sum:
      - 30
      - { spike: { base: 0, peak: 20, at: 0s, hold: 5m } }
      - { spike: { base: 0, peak: 30, at: 5m, hold: 5m } }
      - { spike: { base: 0, peak: 40, at: 10m, hold: 5m } }
      - { spike: { base: 0, peak: 10, at: 15m, hold: 5m } }
"#;
    let service = r#"
    autoscaling:
      min_capacity: 1
      max_capacity: 20
      step_scaling:
        - name: out
          alarm: { metric: { custom: queue_depth }, statistic: average, period: 1m, evaluation_periods: 1, datapoints_to_alarm: 1, comparison: greater_than_or_equal_to_threshold, threshold: 50 }
          adjustment_type: percent_change_in_capacity
          cooldown: 300s
          steps: [ { lower: 0, upper: 10, adjustment: 0 }, { lower: 10, upper: 20, adjustment: 10 }, { lower: 20, adjustment: 30 } ]
        - name: in
          alarm: { metric: { custom: queue_depth }, comparison: less_than_or_equal_to_threshold, threshold: 50 }
          adjustment_type: percent_change_in_capacity
          cooldown: 300s
          steps: [ { lower: -10, upper: 0, adjustment: 0 }, { lower: -20, upper: -10, adjustment: -10 }, { upper: -20, adjustment: -30 } ]
"#;
    let (world, _, rec) = run(&scenario(&web("25m", 10, service, top)));
    // 0-5m: metric 50 breaches both alarms on their zero steps ([0, 10) and (-10, 0]): no change.
    // 6m (minute 5 at 60): breach +10 → [10, 20) → +10 % of 10 = 1.0 → 1: 10 → 11. The
    //   scale-out cooldown (300 s) keeps 10 as the base: 7-10m ask 11 again, which is no more.
    // 11m (minute 10 at 70, cooldown over): breach +20 → [20, ∞) → +30 % of 11 = 3.3 → 3: 14.
    // 16m (minute 15 at 40): breach -10 → (-20, -10] → -10 % of 14 = -1.4 → -1: 13. The
    //   scale-in cooldown blocks 17-20m.
    // 21m (minute 20 at 30): breach -20 → (-∞, -20] → -30 % of 13 = -3.9 → -3: 10; blocked after.
    let expected = owned(&[
        (360.0, "desired 10 → 11"),
        (660.0, "desired 11 → 14"),
        (960.0, "desired 14 → 13"),
        (1260.0, "desired 13 → 10"),
    ]);
    assert_eq!(changes(&rec), expected, "{:#?}", activities(&rec));
    let msgs = activities(&rec);
    assert!(msgs[0].1.contains("queue_depth 60.0 >= 50") && msgs[0].1.contains("[10, 20)"), "{}", msgs[0].1);
    assert!(msgs[3].1.contains("(-inf, -20]") && msgs[3].1.contains("PercentChangeInCapacity -30"), "{}", msgs[3].1);
    assert_eq!(world.services().get(ServiceId::from_index(0)).desired_count, 10);
}

/// A scale-in policy (metric < 20: -1, cooldown 10m) and a scale-out policy (metric > 80: +2,
/// cooldown 1m) on `queue_depth`.
const IN_AND_OUT: &str = r#"
    autoscaling:
      min_capacity: 1
      max_capacity: 20
      step_scaling:
        - name: in
          alarm: { metric: { custom: queue_depth }, comparison: less_than_threshold, threshold: 20 }
          adjustment_type: change_in_capacity
          cooldown: 10m
          steps: [ { upper: 0, adjustment: -1 } ]
        - name: out
          alarm: { metric: { custom: queue_depth }, comparison: greater_than_threshold, threshold: 80 }
          adjustment_type: change_in_capacity
          cooldown: 1m
          steps: [ { lower: 0, adjustment: 2 } ]
"#;

#[test]
fn a_scale_in_cooldown_blocks_scale_in_until_a_scale_out_cancels_it() {
    // 50 until 3m, 10 until 6m, 90 until 7m, then 10.
    let top = r#"
custom_metrics:
  queue_depth:
    sum:
      - 10
      - { spike: { base: 0, peak: 40, at: 0s, hold: 3m } }
      - { spike: { base: 0, peak: 80, at: 6m, hold: 1m } }
"#;
    let (_, _, rec) = run(&scenario(&web("12m", 6, IN_AND_OUT, top)));
    // 4m: minute 3 at 10 → -1: 6 → 5; the scale-in cooldown runs to 14m, so 5m and 6m do nothing.
    // 7m: minute 6 at 90 → +2: 5 → 7, which ends the scale-in cooldown.
    // 8m: minute 7 at 10 → -1: 7 → 6 at once (without the cancel: not before 14m); then its new
    //   cooldown blocks 9-12m.
    let expected = owned(&[(240.0, "desired 6 → 5"), (420.0, "desired 5 → 7"), (480.0, "desired 7 → 6")]);
    assert_eq!(changes(&rec), expected, "{:#?}", activities(&rec));
}

#[test]
fn capacity_stays_within_min_and_max_and_says_so_once() {
    // 0 until 2m, 90 until 8m (scale-out +5 past a 1m cooldown), then 0 (scale-in -10).
    let top = r#"
custom_metrics:
  queue_depth: { spike: { base: 0, peak: 90, at: 2m, hold: 6m } }
"#;
    let service = r#"
    autoscaling:
      min_capacity: 2
      max_capacity: 8
      step_scaling:
        - name: out
          alarm: { metric: { custom: queue_depth }, comparison: greater_than_threshold, threshold: 80 }
          adjustment_type: change_in_capacity
          cooldown: 1m
          steps: [ { lower: 0, adjustment: 5 } ]
        - name: in
          alarm: { metric: { custom: queue_depth }, comparison: less_than_threshold, threshold: 20 }
          adjustment_type: change_in_capacity
          cooldown: 1m
          steps: [ { upper: 0, adjustment: -10 } ]
"#;
    let (world, _, rec) = run(&scenario(&web("14m", 4, service, top)));
    // 1m: metric 0 asks -10, but the service's first deployment is still in progress (it
    //   completes at 75 s): scale-in suspended, said once.
    // 2m: 4 - 10 → 2 (clamped to the minimum).
    // 3m: minute 2 at 90 → 2 + 5 = 7; 4m: 7 + 5 = 12 → 8 (max); 5m-8m: at max, said once.
    // 9m: minute 8 at 0 → 8 - 10 → 2 (min); then at min, said once (10m-14m).
    let expected = owned(&[
        (120.0, "desired 4 → 2"),
        (180.0, "desired 2 → 7"),
        (240.0, "desired 7 → 8"),
        (540.0, "desired 8 → 2"),
    ]);
    assert_eq!(changes(&rec), expected, "{:#?}", activities(&rec));
    let blocked: Vec<(f64, &str)> = rec
        .events
        .iter()
        .filter(|e| e.kind == EventKind::ScalingBlocked)
        .map(|e| (e.time.as_secs_f64(), e.message.as_str()))
        .collect();
    assert_eq!(blocked.len(), 3, "{blocked:#?}");
    assert!(blocked[0].0 == 60.0 && blocked[0].1.contains("scale-in is suspended"), "{blocked:#?}");
    assert!(blocked[1].0 == 300.0 && blocked[1].1.contains("maximum capacity"), "{blocked:#?}");
    assert!(blocked[2].0 == 600.0 && blocked[2].1.contains("minimum capacity"), "{blocked:#?}");
    assert_eq!(world.services().get(ServiceId::from_index(0)).desired_count, 2);
}

#[test]
fn a_scheduled_action_moves_the_desired_count_at_once_ignoring_cooldowns() {
    // 90 from 3m to 6m: the scale-out policy adds 1 at 4m and starts a 10-minute cooldown.
    let top = r#"
custom_metrics:
  queue_depth: { spike: { base: 0, peak: 90, at: 3m, hold: 3m } }
"#;
    let service = r#"
    autoscaling:
      min_capacity: 1
      max_capacity: 20
      step_scaling:
        - name: out
          alarm: { metric: { custom: queue_depth }, comparison: greater_than_threshold, threshold: 80 }
          adjustment_type: change_in_capacity
          cooldown: 10m
          steps: [ { lower: 0, adjustment: 1 } ]
      scheduled:
        - { name: morning, at: 5m, min_capacity: 6 }
        - { name: evening, cron: "15 0 * * *", min_capacity: 1, max_capacity: 3 }
"#;
    let (world, _, rec) = run(&scenario(&web("20m", 2, service, top)));
    // 4m: +1: 2 → 3. 5m: the new minimum 6 applies at once, cooldown or not: 3 → 6.
    // 00:15 (time 0 is Monday 00:00 UTC): max 3: 6 → 3.
    let expected = owned(&[(240.0, "desired 2 → 3"), (300.0, "desired 3 → 6"), (900.0, "desired 6 → 3")]);
    assert_eq!(changes(&rec), expected, "{:#?}", activities(&rec));
    assert!(
        activities(&rec)[1].1.starts_with("scheduled action morning (at 00:05:00.000)"),
        "{:?}",
        activities(&rec)[1]
    );
    assert!(activities(&rec)[2].1.contains("cron(15 0 * * *)"), "{:?}", activities(&rec)[2]);
    assert_eq!(world.services().get(ServiceId::from_index(0)).desired_count, 3);
}

#[test]
fn target_tracking_on_cpu_scales_out_after_3_minutes_and_in_after_15() {
    // Demand in CPU units over the service: 2048 (4 tasks at 50 %) until 5m, 3072 (75 %) until
    // 12m, then 1536.
    let service = r#"
    load:
      cpu: { sum: [ 1536, { spike: { base: 0, peak: 512, at: 0s, hold: 5m } }, { spike: { base: 0, peak: 1536, at: 5m, hold: 7m } } ] }
    autoscaling:
      min_capacity: 1
      max_capacity: 20
      target_tracking:
        - { metric: cpu, target: 50 }
"#;
    let (world, _, rec) = run(&scenario(&web("30m", 4, service, "")));
    // Minutes 5, 6, 7 at 3072 / 4096 = 75 % > 50: AlarmHigh (3 of 3) at 8m; ceil(4 × 75 / 50) = 6.
    // Then 3072 / 6144 = 50 %: neither alarm. From 12m: 1536 / 6144 = 25 % < 45 (0.9 × 50) for
    // minutes 12-26: AlarmLow (15 of 15) at 27m; ceil(6 × 25 / 50) = 3.
    let expected = owned(&[(480.0, "desired 4 → 6"), (1620.0, "desired 6 → 3")]);
    assert_eq!(changes(&rec), expected, "{:#?}", activities(&rec));
    let first = &activities(&rec)[0].1;
    assert!(
        first.starts_with(
            "alarm TargetTracking-service/default/web-AlarmHigh in ALARM: CPUUtilization 75.0 > 50 for 3 datapoints"
        ),
        "{first}"
    );
    assert!(activities(&rec)[1].1.contains("AlarmLow in ALARM: CPUUtilization 25.0 < 45 for 15 datapoints"));
    assert_eq!(world.services().get(ServiceId::from_index(0)).desired_count, 3);
}

#[test]
fn scale_in_is_suspended_while_a_deployment_is_in_progress() {
    // 10 (scale-in wanted) from 3m; at 2m a deployment starts whose image takes 10 minutes to pull.
    let top = r#"
custom_metrics:
  queue_depth: { step: { before: 50, after: 10, at: 3m } }
actions:
  - { at: 2m, deploy: { service: web, task_definition: web-slow } }
"#;
    let (_, _, rec) = run(&scenario(&web("25m", 6, IN_AND_OUT, top)));
    let blocked: Vec<_> = rec.messages(EventKind::ScalingBlocked);
    assert_eq!(blocked.len(), 1, "{blocked:#?}");
    assert!(blocked[0].contains("is in a deployment, during which scale-in is suspended"), "{}", blocked[0]);
    let completed = rec
        .events
        .iter()
        .filter(|e| e.kind == EventKind::ServiceDeploymentCompleted)
        .map(|e| e.time.as_secs_f64())
        .next_back()
        .expect("the deployment completes");
    // 2m + 10 s provisioning + 620 s pull + 4 s start + 40 s to count as healthy ≈ 13m.
    assert!(completed > 700.0, "completed at {completed}");
    let acts = changes(&rec);
    // The first scale-in comes at the first tick after the deployment completed.
    assert_eq!(acts[0].1, "desired 6 → 5", "{acts:#?}");
    assert_eq!(acts[0].0, (completed / 60.0).floor() * 60.0 + 60.0, "{acts:#?}");
}

#[test]
fn missing_data_scales_nothing() {
    // Desired 0: no task runs, so no CPUUtilization datapoint is ever published, however high
    // the demand; the alarms stay INSUFFICIENT_DATA and nothing scales.
    let service = r#"
    load: { cpu: 5000 }
    autoscaling:
      min_capacity: 0
      max_capacity: 10
      target_tracking:
        - { metric: cpu, target: 50 }
"#;
    let (world, _, rec) = run(&scenario(&web("20m", 0, service, "")));
    assert!(activities(&rec).is_empty(), "{:#?}", activities(&rec));
    assert!(rec.messages(EventKind::AlarmStateChange).is_empty());
    assert_eq!(world.services().get(ServiceId::from_index(0)).desired_count, 0);
    assert!(world.metric_store().is_empty());
}

#[test]
fn scaling_runs_are_deterministic() {
    let service = r#"
    load: { cpu: { noise: { of: 3000, relative: 0.3 } } }
    autoscaling:
      min_capacity: 1
      max_capacity: 20
      target_tracking:
        - { metric: cpu, target: 50, scale_in_cooldown: 60s }
"#;
    let s = scenario(&web("1h", 2, service, ""));
    let (_, _, a) = run(&s);
    let (_, _, b) = run(&s);
    assert!(!activities(&a).is_empty());
    assert_eq!(a.events, b.events);
}

#[test]
fn target_tracking_on_requests_per_target_scales_a_service_behind_a_load_balancer() {
    // 2 tasks behind an ALB get 20 requests/s: 600 requests per target per minute, above a target
    // of 300. AlarmHigh needs 3 datapoints above 300: the first minutes with healthy targets.
    let yaml =
        behind_alb(2, "20", "- { metric: alb_request_count_per_target, target: 300 }\n- { metric: cpu, target: 90 }")
            .replace_once("duration: 10m", "duration: 12m");
    let (world, _, rec) = run(&scenario(&yaml));
    let acts = activities(&rec);
    // ~1200 requests a minute over 2 healthy targets ≈ 600 per target: ceil(2 × 600 / 300) = 4
    // (Poisson arrivals: 3 to 5).
    assert!(!acts.is_empty(), "no scaling");
    assert!(acts[0].1.contains("RequestCountPerTarget"), "{acts:#?}");
    let to = world.services().get(ServiceId::from_index(0)).desired_count;
    assert!((3..=5).contains(&to), "{acts:#?}");
    // CPU at 20 ms × 20/s over 2 vCPUs ≈ 20 %: the cpu policy never asks a scale-out, and the
    // request policy's scale-in needs 15 minutes: nothing else happened.
    assert_eq!(acts.len(), 1, "{acts:#?}");
    let cpu = world.metric_store().statistic(
        ecsim::autoscaling::metric::MetricKey {
            dimension: ecsim::autoscaling::metric::Dimension::Service(0),
            name: ecsim::autoscaling::metric::MetricName::CpuUtilization,
        },
        10,
        1,
        ecsim::autoscaling::metric::Statistic::Average,
    );
    let cpu = cpu.expect("a CPU datapoint for minute 10");
    // 20/s × 20 ms = 0.4 vCPU of work over 3-5 tasks of 1 vCPU: 8-14 %.
    assert!((5.0..=20.0).contains(&cpu), "{cpu}");
}

#[test]
fn target_tracking_scales_a_service_out_of_zero_on_one_datapoint() {
    // A queue-worker service at 0 tasks (min 0) tracking a queue depth of 10 per task; 40
    // messages wait from 2m on. From zero AWS scales out on one datapoint, not AlarmHigh's 3 of 3:
    // minute 2's point (40 > 10), published at 180 s, takes it to 1 task, the smallest step (it
    // waited for minutes 2, 3 and 4, until 300 s, before). The next scale-out, from 1 task, needs
    // 3 of 3 points again.
    let top = "custom_metrics:\n  queue_depth: { spike: { base: 0, peak: 40, at: 2m, hold: 1h } }\n";
    let service = r#"
    autoscaling:
      min_capacity: 0
      max_capacity: 10
      target_tracking:
        - { metric: { custom: queue_depth }, target: 10, scale_out_cooldown: 0s }
"#;
    let (_, _, rec) = run(&scenario(&web("8m", 0, service, top)));
    let activity = activities(&rec);
    assert_eq!(changes(&rec).first(), Some(&(180.0, "desired 0 → 1".to_string())), "{activity:#?}");
    assert!(activity[0].1.contains("queue_depth 40.0 > 10 for 1 datapoints"), "{}", activity[0].1);
    let alarms = rec.messages(EventKind::AlarmStateChange);
    assert!(alarms.iter().any(|m| m.contains("(1 of 1 datapoints breaching, 1 needed)")), "{alarms:#?}");
    // From 1 task (RUNNING by then) AlarmHigh needs 3 of 3 again: minutes 2, 3, 4 at 300 s →
    // ceil(1 × 40 / 10) = 4 (the depth is a scripted series: it does not fall with more tasks).
    assert_eq!(changes(&rec).get(1), Some(&(300.0, "desired 1 → 4".to_string())), "{activity:#?}");
    assert!(activity[1].1.contains("for 3 datapoints"), "{}", activity[1].1);
}

#[test]
fn a_metric_exactly_at_the_target_adds_no_task() {
    // 3 tasks behind an ALB get 50 requests/s in fluid traffic: 3000 requests a minute, exactly
    // 1000 per target, on a target of 1000 (AlarmHigh on 1 datapoint, to see every minute). Adding
    // up one-second fluid steps gives 1000.0000000000003 in some minutes: that float noise is
    // "1000.0 > 1000" to an alarm and ceil(3 × 1.0000000000000003) = 4 tasks to the formula. Read
    // at ecsim's datapoint precision (10⁻⁶) it is 1000, on the target: nothing scales.
    let yaml = behind_alb(3, "50", "- { metric: alb_request_count_per_target, target: 1000, scale_out_datapoints: 1 }")
        .replace_once("traffic:\n", "traffic:\n  fidelity: fluid\n");
    let (world, _, rec) = run(&scenario(&yaml));
    assert!(activities(&rec).is_empty(), "{:#?}", activities(&rec));
    assert_eq!(world.services().get(ServiceId::from_index(0)).desired_count, 3);
    let key = ecsim::autoscaling::metric::MetricKey {
        dimension: ecsim::autoscaling::metric::Dimension::Service(0),
        name: ecsim::autoscaling::metric::MetricName::RequestCountPerTarget,
    };
    let average = ecsim::autoscaling::metric::Statistic::Average;
    // Minutes 2 and 5 summed to 1000.0000000000003 and 1000.0000000000006 before.
    for minute in 1..10 {
        assert_eq!(world.metric_store().statistic(key, minute, 1, average), Some(1000.0), "minute {minute}");
    }
}

#[test]
fn a_service_without_requests_publishes_no_request_count_and_keeps_its_tasks() {
    // 4 tasks behind an ALB that gets no request for 25 minutes. ELB publishes no
    // RequestCountPerTarget datapoint for a minute without requests, so AlarmLow (15 of 15 below
    // 0.9 × 100) never has its datapoints and nothing scales in (it used to read 0 and scale
    // 4 → 1 at ~17 min).
    let yaml = behind_alb(4, "0", "- { metric: alb_request_count_per_target, target: 100 }")
        .replace_once("duration: 10m", "duration: 25m");
    let (world, _, rec) = run(&scenario(&yaml));
    assert!(activities(&rec).is_empty(), "{:#?}", activities(&rec));
    assert_eq!(world.services().get(ServiceId::from_index(0)).desired_count, 4);
    let key = ecsim::autoscaling::metric::MetricKey {
        dimension: ecsim::autoscaling::metric::Dimension::Service(0),
        name: ecsim::autoscaling::metric::MetricName::RequestCountPerTarget,
    };
    let average = ecsim::autoscaling::metric::Statistic::Average;
    assert_eq!(world.metric_store().statistic(key, 20, 15, average), None, "no datapoint without requests");
}

/// The routing tests' `web` service of `desired` tasks behind an ALB at `rate` requests a second,
/// health-checked every 10 s, scaled between 1 and 10 tasks by the target tracking `policies`
/// (YAML list items, one a line).
fn behind_alb(desired: u32, rate: &str, policies: &str) -> String {
    let policies: String = policies.lines().map(|p| format!("\n        {p}")).collect();
    crate::routing::web(desired, rate, "health_check: { interval: 10s }", "").replace_once(
        "    requests: { cpu_time: { exponential: { mean: 20ms } } }",
        &format!(
            "    requests: {{ cpu_time: {{ exponential: {{ mean: 20ms }} }} }}\n    autoscaling:\n      min_capacity: 1\n      max_capacity: 10\n      target_tracking:{policies}"
        ),
    )
}
