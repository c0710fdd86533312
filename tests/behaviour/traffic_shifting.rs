//! ECS's traffic-shifting deployments (aws-behaviour.md §6a): blue/green, canary and linear,
//! with deployment alarms and their rollback.

use crate::common::ReplaceOnce;
use crate::common::{run, scenario, Memory};
use ecsim::ids::ServiceId;
use ecsim::metrics::Summary;
use ecsim::record::EventKind;

/// One m5.4xlarge (16 vCPU: room for both revisions), a service `web` of 4 one-vCPU tasks behind
/// `web-blue`, with `web-green` as its alternate target group on the same listener, 50 requests
/// a second of 20 ms, and `v2` deployed at 10 minutes. Health checks every 5 s with 2 passes for
/// a new target and no deregistration delay, so a target is healthy 5–10 s after RUNNING and
/// leaves at once. `config` is spliced into `deployment_configuration`, `v2` into v2's task
/// definition, `extra` at the end.
fn service(config: &str, v2: &str, extra: &str) -> String {
    format!(
        r#"
duration: 60m
zones: [us-east-1a]
timing: {{ ec2_image_pull: {{ latency: 2s, throughput_mb_per_s: 1000 }} }}
task_definitions:
  v1: {{ cpu: 1024, container_definitions: [{{ name: app, image: app:1, memory: 512, start_time: 1s }}] }}
  v2: {{ cpu: 1024, container_definitions: [{{ name: app, image: app:2, memory: 512, start_time: 1s }}] }}
  v2-small: {{ cpu: 128, container_definitions: [{{ name: app, image: app:2, memory: 512, start_time: 1s }}] }}
  v2-small-slow: {{ cpu: 128, container_definitions: [{{ name: app, image: app:3, memory: 512, start_time: 60s }}] }}
capacity_providers:
  ec2: {{ auto_scaling_group: {{ instance_type: m5.4xlarge, desired_capacity: 1 }} }}
load_balancers:
  web-alb:
    target_groups:
      web-blue: {{ deregistration_delay: 0s, health_check: {{ interval: 5s, timeout: 2s, healthy_threshold: 2 }} }}
      web-green: {{ weight: 0, deregistration_delay: 0s, health_check: {{ interval: 5s, timeout: 2s, healthy_threshold: 2 }} }}
services:
  web:
    task_definition: v1
    desired_count: 4
    capacity_provider_strategy: [{{ capacity_provider: ec2 }}]
    load_balancer: web-blue
    alternate_target_group: web-green
    deployment_configuration: {{ {config} }}
    requests: {{ cpu_time: {{ exponential: {{ mean: 20ms }} }} }}
traffic:
  sources: [{{ to: web-alb, rate: 50 }}]
actions:
  - {{ at: 10m, deploy: {{ service: web, task_definition: v2{v2} }} }}
{extra}
"#
    )
}

/// (seconds, message) of the events of `kind`.
fn said(rec: &Memory, kind: EventKind) -> Vec<(f64, String)> {
    rec.events.iter().filter(|e| e.kind == kind).map(|e| (e.time.as_secs_f64(), e.message.clone())).collect()
}

/// (seconds, status) of the lifecycle stages.
fn stages(rec: &Memory) -> Vec<(f64, &'static str)> {
    rec.events
        .iter()
        .filter(|e| e.kind == EventKind::ServiceDeploymentLifecycleStage)
        .map(|e| (e.time.as_secs_f64(), e.status.unwrap_or("")))
        .collect()
}

/// The deployment `id`'s traffic shifts: (seconds, percent).
fn shifts(summary: &Summary, id: &str) -> Vec<(f64, f64)> {
    let d = summary.deployments.iter().find(|d| d.id == id).expect("the deployment is in the summary");
    d.traffic_shifts.iter().map(|s| (s.at_s, s.percent)).collect()
}

fn state<'a>(summary: &'a Summary, id: &str) -> &'a str {
    summary.deployments.iter().find(|d| d.id == id).map_or("", |d| d.state.as_str())
}

#[test]
fn blue_green_shifts_all_traffic_at_once_bakes_then_stops_blue() {
    let (world, summary, rec) = run(&scenario(&service("strategy: BLUE_GREEN, bake_time: 5m", "", "")));
    let shifted = shifts(&summary, "ecs-svc/2");
    assert_eq!(shifted.len(), 1, "one shift: {shifted:?}");
    let (t, percent) = shifted[0];
    // Green's 4 tasks start at 600 s: PENDING, a 2 s pull and a 1 s start put them RUNNING at
    // about 603 s; two passes 5 s apart make each target healthy within 603 + 10 s.
    assert_eq!(percent, 100.0);
    assert!((603.0..=615.0).contains(&t), "shifted at {t}");
    // While green scaled up, both revisions ran: 8 tasks.
    let both = rec.rows.iter().filter(|r| r.time.as_secs_f64() > 600.0 && r.time.as_secs_f64() < t);
    assert!(both.clone().all(|r| r.running + r.pending == 8), "blue keeps its 4 tasks while green starts 4");
    let st = stages(&rec);
    assert_eq!(st.iter().map(|(_, s)| *s).collect::<Vec<_>>(), ["PRODUCTION_TRAFFIC_SHIFT", "BAKE_TIME", "CLEAN_UP"]);
    assert!((st[1].0 - t).abs() < 1e-3, "the bake time starts with the shift");
    assert!((st[2].0 - (t + 300.0)).abs() < 1e-3, "and lasts bake_time: blue's tasks stop 5 minutes later");
    assert_eq!(state(&summary, "ecs-svc/2"), "COMPLETED");
    let done = said(&rec, EventKind::ServiceDeploymentCompleted);
    let completed = done.iter().find(|(_, m)| m.contains("ecs-svc/2")).map(|(t, _)| *t).expect("completed");
    assert!(completed >= t + 300.0 && completed < t + 340.0, "completes once blue is gone: {completed}");
    // From the deployment on, every request was answered: traffic only ever went to healthy
    // targets (before the first tasks were healthy, at the start, the ALB answered 503).
    let failed: f64 = rec
        .rows
        .iter()
        .filter(|r| r.time.as_secs_f64() > 600.0)
        .filter_map(|r| r.traffic.as_ref())
        .map(|t| t.target_5xx + t.elb_5xx())
        .sum();
    assert_eq!(failed, 0.0);
    let tasks =
        world.tasks().of(&world.services().get(ServiceId::from_index(0)).tasks).map(|t| t.task_definition.index());
    assert!(tasks.clone().all(|td| td == 1), "only v2 is left");
    assert_eq!(tasks.count(), 4);
}

#[test]
fn the_next_deployment_shifts_back_to_the_first_target_group() {
    let extra = "  - { at: 30m, deploy: { service: web, task_definition: v1 } }";
    let (_, summary, rec) = run(&scenario(&service("strategy: BLUE_GREEN", "", extra)));
    assert_eq!(state(&summary, "ecs-svc/2"), "COMPLETED");
    assert_eq!(state(&summary, "ecs-svc/3"), "COMPLETED");
    let shifted: Vec<String> =
        said(&rec, EventKind::ServiceDeploymentTrafficShifted).into_iter().map(|(_, m)| m).collect();
    assert_eq!(shifted.len(), 2, "{shifted:?}");
    assert!(shifted[0].contains("100.0% to target group web-green"), "{}", shifted[0]);
    assert!(shifted[1].contains("100.0% to target group web-blue"), "the groups swapped roles: {}", shifted[1]);
}

#[test]
fn a_canary_shifts_its_percent_then_the_rest_after_its_bake_time() {
    let config = "strategy: CANARY, canary_configuration: { canary_percent: 10, canary_bake_time: 10m }, bake_time: 2m";
    let (_, summary, rec) = run(&scenario(&service(config, "", "")));
    let shifted = shifts(&summary, "ecs-svc/2");
    assert_eq!(shifted.iter().map(|(_, p)| *p).collect::<Vec<_>>(), [10.0, 100.0]);
    assert!((shifted[1].0 - shifted[0].0 - 600.0).abs() < 1e-3, "the canary bakes 10 minutes: {shifted:?}");
    let st = stages(&rec);
    let clean_up = st.iter().find(|(_, s)| *s == "CLEAN_UP").map_or(0.0, |(t, _)| *t);
    assert!((clean_up - shifted[1].0 - 120.0).abs() < 1e-3, "then the deployment bakes 2 minutes: {clean_up}");
    assert_eq!(state(&summary, "ecs-svc/2"), "COMPLETED");
}

#[test]
fn linear_steps_every_step_bake_time_and_the_last_step_stops_at_100() {
    let config = "strategy: LINEAR, linear_configuration: { step_percent: 30, step_bake_time: 2m }";
    let (_, summary, rec) = run(&scenario(&service(config, "", "")));
    let shifted = shifts(&summary, "ecs-svc/2");
    assert_eq!(shifted.iter().map(|(_, p)| *p).collect::<Vec<_>>(), [30.0, 60.0, 90.0, 100.0]);
    let gaps: Vec<f64> = shifted.windows(2).map(|w| w[1].0 - w[0].0).collect();
    assert!(gaps.iter().all(|g| (g - 120.0).abs() < 1e-3), "a step every 2 minutes: {gaps:?}");
    // No step bake after 100 %, and a bake time of 0 (the default): blue stops at once.
    let clean_up = stages(&rec).iter().find(|(_, s)| *s == "CLEAN_UP").map_or(0.0, |(t, _)| *t);
    assert!((clean_up - shifted[3].0).abs() < 1e-3, "{clean_up} vs {shifted:?}");
}

/// A latency alarm on the service: TargetResponseTime above 30 ms for 2 of 2 minutes (it is
/// 21–24 ms a minute before any deployment).
const LATENCY_ALARM: &str = "alarms:
  web-latency:
    service: web
    metric: target_response_time
    evaluation_periods: 2
    comparison: greater_than_threshold
    threshold: 0.03";

#[test]
fn a_slow_canary_is_caught_by_its_latency_alarm_and_rolled_back() {
    // v2-small has an eighth of a vCPU: its requests take 8 × 20 ms = 160 ms. 10 % of 50 req/s
    // on its 4 tasks is 1.25 req/s each (ρ = 0.2): ~200 ms there, and the service's average
    // rises from ~22 ms towards 0.9 × 22 + 0.1 × 200 ≈ 40 ms, above the 30 ms threshold.
    let config = "strategy: CANARY, canary_configuration: { canary_percent: 10, canary_bake_time: 10m }, \
                  alarms: { alarm_names: [web-latency], enable: true, rollback: true }";
    let yaml = service(config, "-small", LATENCY_ALARM);
    let (world, summary, rec) = run(&scenario(&yaml));
    let canary = shifts(&summary, "ecs-svc/2");
    assert_eq!(canary.iter().map(|(_, p)| *p).collect::<Vec<_>>(), [10.0, 0.0], "10 %, then back: {canary:?}");
    let failed = said(&rec, EventKind::ServiceDeploymentFailed);
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert!(failed[0].1.contains("alarm web-latency is in ALARM"), "{}", failed[0].1);
    assert!(failed[0].0 - canary[0].0 <= 180.0, "caught within the alarm's 2 minutes (and the minute's tick)");
    assert!((canary[1].0 - failed[0].0).abs() < 1e-3, "traffic goes back as the deployment fails");
    assert_eq!(state(&summary, "ecs-svc/2"), "FAILED");
    let rollback = summary.deployments.iter().find(|d| d.id == "ecs-svc/3").expect("a rollback deployment");
    assert_eq!((rollback.rollback_of.as_deref(), rollback.state.as_str()), (Some("ecs-svc/2"), "COMPLETED"));
    let v1 = world.task_definitions().iter().position(|d| d.family == "v1").expect("v1");
    let left: Vec<usize> = world
        .tasks()
        .of(&world.services().get(ServiceId::from_index(0)).tasks)
        .map(|t| t.task_definition.index())
        .collect();
    assert_eq!(left, vec![v1; 4], "the v1 tasks kept serving and are all that is left");
}

#[test]
fn without_rollback_a_failed_canary_stays_where_it_failed() {
    let config = "strategy: CANARY, canary_configuration: { canary_percent: 10, canary_bake_time: 10m }, \
                  alarms: { alarm_names: [web-latency], enable: true, rollback: false }";
    let (_, summary, _) = run(&scenario(&service(config, "-small", LATENCY_ALARM)));
    assert_eq!(state(&summary, "ecs-svc/2"), "FAILED");
    assert_eq!(shifts(&summary, "ecs-svc/2").iter().map(|(_, p)| *p).collect::<Vec<_>>(), [10.0]);
    assert!(summary.deployments.iter().all(|d| d.id != "ecs-svc/3"), "no rollback");
}

#[test]
fn a_rolling_update_watched_by_an_alarm_rolls_back_too() {
    // One task at a time (maximumPercent 125), each a minute to start: the update takes over 4
    // minutes, and the slow tasks serving beside the old ones raise the latency within 2.
    let config = "maximum_percent: 125, alarms: { alarm_names: [web-latency], enable: true, rollback: true }";
    let yaml =
        service(config, "-small-slow", LATENCY_ALARM).replace_once("    alternate_target_group: web-green\n", "");
    let (_, summary, rec) = run(&scenario(&yaml));
    assert_eq!(state(&summary, "ecs-svc/2"), "FAILED");
    assert_eq!(said(&rec, EventKind::ServiceDeploymentRolledBack).len(), 1);
    assert!(shifts(&summary, "ecs-svc/2").is_empty(), "a rolling update shifts no listener weights");
}

#[test]
fn every_strategy_problem_is_reported_at_once() {
    let yaml = r#"
duration: 10m
zones: [us-east-1a]
task_definitions:
  t: { cpu: 256, container_definitions: [{ name: app, image: app, memory: 256 }] }
capacity_providers:
  ec2: { auto_scaling_group: { instance_type: m5.large, desired_capacity: 1 } }
load_balancers:
  a: { target_groups: { a-blue: {}, a-green: { weight: 0 } } }
  b: { target_groups: { b-blue: {} } }
services:
  no-alternate:
    task_definition: t
    desired_count: 1
    load_balancer: a-blue
    deployment_configuration: { strategy: BLUE_GREEN }
  other-balancer:
    task_definition: t
    desired_count: 1
    load_balancer: a-green
    alternate_target_group: b-blue
    deployment_configuration:
      strategy: CANARY
      canary_configuration: { canary_percent: 0.05 }
      deployment_circuit_breaker: { enable: true, rollback: true }
      bake_time: 90s
      alarms: { alarm_names: [latncy], enable: true, rollback: true }
  linear-daemon:
    task_definition: t
    scheduling_strategy: DAEMON
    deployment_configuration: { strategy: LINEAR, linear_configuration: { step_percent: 2 } }
alarms:
  latency: { metric: target_response_time, comparison: greater_than_threshold, threshold: 0.1 }
"#;
    let err = ecsim::scenario::load_str(yaml, "bad.yaml", "bad").expect_err("invalid").to_string();
    for expected in [
        "services.no-alternate: a BLUE_GREEN deployment needs an `alternate_target_group`",
        "services.other-balancer.alternate_target_group: `b-blue` is not on the service's load balancer",
        "canary_configuration.canary_percent: 0.05 is not a percent from 0.1 to 100 in steps of 0.1",
        "deployment_circuit_breaker: ECS's circuit breaker is for rolling updates only, not CANARY",
        "bake_time: 1m30s is not a whole number of minutes",
        "alarm_names[0]: unknown alarm `latncy`",
        "did you mean `latency`?",
        "services.linear-daemon.deployment_configuration.strategy: a DAEMON service runs one task per instance",
        "alarms.latency: an alarm of `alarms:` needs a `service`",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in:\n{err}");
    }
}
