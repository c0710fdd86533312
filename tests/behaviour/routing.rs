//! The Application Load Balancer (aws-behaviour.md §9): targets receive requests only once
//! healthy, drain for the deregistration delay, the group fails open when every target is
//! unhealthy and answers 503 when none is registered; least outstanding requests beats round
//! robin on uneven requests.

use crate::common::ReplaceOnce;
use crate::common::{run, scenario, Memory};
use ecsim::record::EventKind;

/// One m5.xlarge and a service `web` of `desired` 1-vCPU tasks behind `web-alb`'s target group
/// `web-tg` (`tg` spliced into its settings), receiving `rate` requests per second; metrics every
/// 10 s. Images pull in 4 s and containers start in 1 s, so tasks are RUNNING at 5 s.
pub fn web(desired: u32, rate: &str, tg: &str, extra: &str) -> String {
    format!(
        r#"
duration: 10m
zones: [us-east-1a]
metrics: {{ interval: 10s }}
task_definitions:
  web: {{ cpu: 1024, container_definitions: [{{ name: app, image: app, memory: 1024 }}] }}
capacity_providers:
  ec2: {{ auto_scaling_group: {{ instance_type: m5.4xlarge, desired_capacity: 1 }} }}
load_balancers:
  web-alb: {{ target_groups: {{ web-tg: {{ {tg} }} }} }}
services:
  web:
    task_definition: web
    desired_count: {desired}
    capacity_provider_strategy: [{{ capacity_provider: ec2 }}]
    load_balancer: web-tg
    requests: {{ cpu_time: {{ exponential: {{ mean: 20ms }} }} }}
traffic:
  sources: [{{ to: web-alb, rate: {rate} }}]
{extra}
"#
    )
}

/// Seconds at which `task`'s target turned `state`.
fn target_turned(rec: &Memory, task: &str, state: &str) -> Option<f64> {
    rec.events
        .iter()
        .find(|e| e.kind == EventKind::TargetHealthChange && e.task.as_deref() == Some(task) && e.status == Some(state))
        .map(|e| e.time.as_secs_f64())
}

fn column(rec: &Memory, f: impl Fn(&ecsim::record::TrafficRow) -> f64) -> Vec<(f64, f64)> {
    rec.rows.iter().filter_map(|r| r.traffic.as_ref().map(|t| (r.time.as_secs_f64(), f(t)))).collect()
}

#[test]
fn a_new_target_gets_requests_only_once_it_passes_its_health_checks() {
    // RUNNING at 5 s, registered then; the first check comes within one interval (10 s). A new
    // target needs one pass by default (the ALB guide's wording)...
    let (_, _, rec) = run(&scenario(&web(1, "20", "health_check: { interval: 10s }", "")));
    let healthy = target_turned(&rec, "web-1", "healthy").expect("the target turns healthy");
    assert!((5.0..=15.0).contains(&healthy), "healthy at {healthy}");
    // ...or the healthy threshold's three passes: between 25 s and 35 s.
    let tg = "health_check: { interval: 10s, timeout: 5s, healthy_threshold: 3, initial_checks: healthy_threshold }";
    let (_, summary, rec) = run(&scenario(&web(1, "20", tg, "")));
    let healthy = target_turned(&rec, "web-1", "healthy").expect("the target turns healthy");
    assert!((25.0..=35.0).contains(&healthy), "healthy at {healthy}");
    // Until then every request is answered 503 by the load balancer, and none reaches a target.
    for (t, requests) in column(&rec, |t| t.requests) {
        if t <= healthy.floor() - 10.0 {
            assert_eq!(requests, 0.0, "no request reaches the target before it is healthy (row at {t})");
        }
    }
    let before: f64 = column(&rec, |t| t.elb_503).iter().map(|(_, n)| n).sum();
    // 20 requests/s for about `healthy` seconds.
    assert!((before - 20.0 * healthy).abs() < 0.15 * 20.0 * healthy, "{before} 503s before {healthy}s");
    let traffic = summary.services[0].traffic.as_ref().unwrap();
    // The rest of the 10 minutes: 20/s × (600 − healthy) s ≈ 11400.
    assert!((traffic.requests - 20.0 * (600.0 - healthy)).abs() < 400.0, "{traffic:?}");
    assert_eq!(traffic.elb_502 + traffic.elb_504 + traffic.target_5xx, 0.0);
}

/// The task of `web-1`, `web-2` that the scale-in stopped.
fn scaled_in(rec: &Memory) -> &'static str {
    ["web-1", "web-2"].into_iter().find(|t| rec.entered(t, "DEACTIVATING").is_some()).expect("one task stopped")
}

#[test]
fn a_stopped_task_drains_until_its_last_request_ends_then_stops() {
    let tg = "deregistration_delay: 45s";
    let extra = "actions: [{ at: 3m, update_service: { service: web, desired_count: 1 } }]";
    let (_, _, rec) = run(&scenario(&web(2, "50", tg, extra)));
    let stopped = scaled_in(&rec);
    // Scale-in at 180 s: the task is deregistered and DEACTIVATING while its in-flight requests
    // finish. At 25/s per task of 20 ms each, about 0.5 are in flight and the last ends within
    // tens of milliseconds: ECS moves on then, not at the delay's end (225 s).
    assert_eq!(rec.entered(stopped, "DEACTIVATING"), Some(180.0));
    let stopping = rec.entered(stopped, "STOPPING").unwrap();
    assert!((180.0..181.0).contains(&stopping), "STOPPING at {stopping}");
    let messages = rec.messages(EventKind::ServiceTargetsChanged);
    assert!(messages.contains(&"(service web) deregistered 1 targets in (target-group web-tg)"), "{messages:?}");
    // Nothing was lost: in-flight requests finished during the drain, new ones went to the other.
    let traffic = |f: fn(&ecsim::record::TrafficRow) -> f64| column(&rec, f).iter().map(|(_, n)| n).sum::<f64>();
    assert_eq!(traffic(|t| t.elb_502), 0.0);
    let after: Vec<_> = rec.rows.iter().filter(|r| r.time.as_secs_f64() > 240.0).collect();
    assert!(after.iter().all(|r| r.traffic.as_ref().unwrap().healthy_hosts == 1));
}

#[test]
fn a_target_with_nothing_in_flight_completes_its_deregistration_at_once() {
    // No traffic at all: at the scale-in (180 s) the target has no request in flight, so the
    // ALB completes the deregistration at once and the default 300 s delay is not waited out.
    let extra = "actions: [{ at: 3m, update_service: { service: web, desired_count: 1 } }]";
    let (_, _, rec) = run(&scenario(&web(2, "0", "", extra)));
    let stopped = scaled_in(&rec);
    assert_eq!(rec.entered(stopped, "DEACTIVATING"), Some(180.0));
    assert_eq!(rec.entered(stopped, "STOPPING"), Some(180.0));
}

#[test]
fn requests_outliving_the_deregistration_delay_keep_the_drain_to_its_end_and_fail() {
    // Requests of 100 s of CPU each (processor sharing, no timeout before 1000 s), one a second:
    // at the scale-in dozens are in flight on each task, none can finish within the 45 s delay.
    let tg = "deregistration_delay: 45s";
    let extra = "actions: [{ at: 3m, update_service: { service: web, desired_count: 1 } }]";
    let yaml = web(2, "1", tg, extra)
        .replace_once("{ exponential: { mean: 20ms } }", "100s")
        .replace_once("web-alb: {", "web-alb: { idle_timeout: 1000s,");
    let (_, summary, rec) = run(&scenario(&yaml));
    let stopped = scaled_in(&rec);
    assert_eq!(rec.entered(stopped, "STOPPING"), Some(225.0));
    // What was still in flight at SIGTERM failed with 502.
    assert!(summary.services[0].traffic.as_ref().unwrap().elb_502 > 10.0);
}

#[test]
fn a_new_services_targets_registered_together_do_not_enter_slow_start() {
    // Four 1-vCPU tasks RUNNING together at 5 s, registered on an empty target group, at 120
    // requests/s of 20 ms (50/s each at most). AWS: targets registered together on an empty
    // group do not enter slow start, so the run is the one without slow start, request for
    // request. (Before, the later three ramped over 60 s while the first took the excess: p99 in
    // tens of seconds.)
    let p99 = |tg: &str| {
        let (_, summary, rec) = run(&scenario(&web(4, "120", tg, "")));
        assert!(["web-1", "web-2", "web-3", "web-4"].iter().all(|t| rec.entered(t, "RUNNING") == Some(5.0)));
        let t = summary.services[0].traffic.clone().unwrap();
        (t.requests, t.response_time_p99_s.unwrap())
    };
    let (plain, slow) =
        (p99("health_check: { interval: 10s }"), p99("health_check: { interval: 10s }, slow_start: 60s"));
    assert_eq!(slow, plain);
    assert!(slow.1 < 1.0, "p99 {}s", slow.1);
}

#[test]
fn a_redirect_fails_a_200_matcher_and_the_task_is_replaced_for_elb_health_checks() {
    // ECS's WordPress example: the application answers its health check with a 301 redirect.
    // The default matcher (200) fails it: 2 failures 10 s apart make the target unhealthy, and
    // ECS replaces the task, saying it failed the ELB health checks.
    let redirecting = |tg: &str| {
        web(1, "20", tg, "").replace_once("memory: 1024 }", "memory: 1024, behaviour: { health_check_response: 301 } }")
    };
    let (_, summary, rec) = run(&scenario(&redirecting("health_check: { interval: 10s }")));
    assert!(target_turned(&rec, "web-1", "healthy").is_none());
    let unhealthy = target_turned(&rec, "web-1", "unhealthy").expect("the redirect fails the checks");
    // RUNNING at 5 s, first check within 10 s, the second 10 s later: 15 s to 25 s.
    assert!((15.0..=25.0).contains(&unhealthy), "unhealthy at {unhealthy}");
    let reasons = &summary.services[0].stop_reasons;
    assert!(reasons.contains_key("Task failed ELB health checks in (target-group web-tg)"), "{reasons:?}");
    assert!(!reasons.keys().any(|r| r.contains("container health checks")), "{reasons:?}");
    // A matcher of 200-399 takes the redirect: healthy at the first check, nothing replaced.
    let tg = r#"health_check: { interval: 10s, matcher: "200-399", path: /wp-login.php, port: traffic-port }"#;
    let (_, summary, rec) = run(&scenario(&redirecting(tg)));
    assert!(target_turned(&rec, "web-1", "healthy").is_some_and(|t| t <= 15.0));
    assert_eq!(summary.services[0].tasks_started, 1);
}

#[test]
fn with_a_load_balancer_and_a_container_check_a_new_task_is_healthy_once_both_pass() {
    // v2 adds a container health check every 30 s; the target group checks every 5 s. At the
    // deployment (2 m) web-2 starts; its target passes within 5 s of RUNNING, its container
    // check only at its first check, 30 s after RUNNING. With minimumHealthyPercent 100, web-1
    // may stop only once web-2 counts as healthy: when both checks pass.
    let check = r#"health_check: { command: [CMD-SHELL, "curl -f localhost"], interval: 30s, retries: 3 }"#;
    let v2 =
        format!("  v2: {{ cpu: 1024, container_definitions: [{{ name: app, image: app, memory: 1024, {check} }}] }}\n");
    let extra = "actions: [{ at: 2m, deploy: { service: web, task_definition: v2 } }]";
    let yaml = web(1, "20", "health_check: { interval: 5s, timeout: 2s }", extra)
        .replace_once("capacity_providers:", &format!("{v2}capacity_providers:"));
    let (_, _, rec) = run(&scenario(&yaml));
    let running = rec.entered("web-2", "RUNNING").unwrap();
    let target = target_turned(&rec, "web-2", "healthy").unwrap();
    assert!(target <= running + 5.0, "target healthy at {target}, RUNNING at {running}");
    let healthy = rec
        .events
        .iter()
        .find(|e| e.kind == EventKind::TaskHealthChange && e.task.as_deref() == Some("web-2"))
        .map(|e| (e.time.as_secs_f64(), e.message.as_str()));
    assert_eq!(healthy, Some((running + 30.0, "task web-2 health status is HEALTHY")));
    // Before, web-1 stopped as soon as the target passed, before the container was HEALTHY.
    assert_eq!(rec.entered("web-1", "DEACTIVATING"), Some(running + 30.0));
}

/// Four tasks of 50 requests/s each at 90/s; from 2 m two of them fail their target health
/// checks (unhealthy by 2 m 30 s; a grace period longer than the run keeps ECS from replacing
/// them). `health` is the target group's `target_group_health`.
fn half_unhealthy(health: &str) -> Memory {
    let tg = format!("health_check: {{ interval: 10s, unhealthy_threshold: 2 }}, target_group_health: {health}");
    let extra = "faults: [{ at: 2m, fail_health_checks: { service: web, count: 2 } }]";
    let yaml = web(4, "90", &tg, extra)
        .replace_once("load_balancer: web-tg", "load_balancer: web-tg\n    health_check_grace_period: 1h");
    run(&scenario(&yaml)).2
}

#[test]
fn below_the_unhealthy_state_routing_threshold_the_group_fails_open_to_every_target() {
    let late = |rec: &Memory| -> Vec<ecsim::record::TrafficRow> {
        rec.rows.iter().filter(|r| r.time.as_secs_f64() >= 180.0).filter_map(|r| r.traffic.clone()).collect()
    };
    // Default (a count of 1): 2 healthy targets remain, so only they take requests: 45/s each
    // of 50/s, 90 % busy, and the tail grows (p99 of an M/M/1-PS at 90 %: seconds).
    let plain = half_unhealthy("{}");
    // A count of 3: 2 healthy is below it, so the group fails open and all 4 share the load
    // (45 % busy; p99 around a tenth of a second).
    let open = half_unhealthy("{ unhealthy_state_routing: { minimum_healthy_targets: { count: 3 } } }");
    for rows in [late(&plain), late(&open)] {
        assert!(rows.iter().all(|t| (t.healthy_hosts, t.unhealthy_hosts) == (2, 2) && t.elb_503 == 0.0));
    }
    let worst = |rows: Vec<ecsim::record::TrafficRow>| {
        rows.iter().filter_map(|t| t.response_time.map(|p| p.p99)).fold(0.0, f64::max)
    };
    let (plain, open) = (worst(late(&plain)), worst(late(&open)));
    assert!(open < 0.5 && plain > 2.0 * open, "worst p99: failing open {open}s, default {plain}s");
}

#[test]
fn below_the_dns_failover_threshold_requests_fail_over_as_503() {
    // DNS failover at 3 healthy targets: once 2 of 4 are unhealthy the load balancer's name
    // fails over to what ecsim does not simulate: every request is a 503 (90/s × 10 s a row).
    let rec = half_unhealthy("{ dns_failover: { minimum_healthy_targets: { count: 3 } } }");
    for row in rec.rows.iter().filter(|r| r.time.as_secs_f64() >= 180.0) {
        let t = row.traffic.as_ref().unwrap();
        assert_eq!(t.requests, 0.0, "{t:?}");
        assert!((t.elb_503 - 900.0).abs() < 4.0 * 30.0, "{t:?}");
    }
    // Before the fault, 4 healthy targets meet it: nothing is refused.
    let early: f64 = rec
        .rows
        .iter()
        .filter(|r| (60.0..120.0).contains(&r.time.as_secs_f64()))
        .map(|r| r.traffic.as_ref().unwrap().elb_503)
        .sum();
    assert_eq!(early, 0.0);
}

#[test]
fn every_target_unhealthy_fails_open_and_none_registered_answers_503() {
    let extra = "faults: [{ at: 2m, fail_health_checks: { service: web, count: 2 } }]";
    let tg = "health_check: { interval: 10s, unhealthy_threshold: 2 }";
    // A grace period longer than the run keeps ECS from replacing the failing tasks.
    let yaml = web(2, "50", tg, extra)
        .replace_once("load_balancer: web-tg", "load_balancer: web-tg\n    health_check_grace_period: 1h");
    let (_, summary, rec) = run(&scenario(&yaml));
    let late: Vec<_> = rec.rows.iter().filter(|r| r.time.as_secs_f64() >= 180.0).collect();
    for row in &late {
        let t = row.traffic.as_ref().unwrap();
        assert_eq!((t.healthy_hosts, t.unhealthy_hosts), (0, 2), "both unhealthy at {}", row.time);
        // Fail open: the load balancer still routes to them; nothing is refused.
        assert!(t.requests > 0.0 && t.elb_503 == 0.0, "{t:?}");
    }
    assert!(summary.services[0].traffic.as_ref().unwrap().requests > 20_000.0);

    let (_, summary, _) = run(&scenario(&web(0, "50", "", "")));
    // No target ever registers: every request of the 10 minutes is a 503 (50/s × 600 s ≈ 30000).
    let t = summary.services[0].traffic.as_ref().unwrap();
    assert_eq!(t.requests, 0.0);
    assert!((t.elb_503 - 30_000.0).abs() < 600.0, "{t:?}");
    assert_eq!(t.error_rate_pct, 100.0);
}

#[test]
fn least_outstanding_requests_beats_round_robin_on_uneven_requests() {
    // Ten 1-vCPU tasks, each one worker with a queue; request costs are lognormal with a heavy
    // tail (sigma 1.5: mean = 5 ms × e^1.125 ≈ 15.4 ms), at about 65% load (420/s × 15.4 ms /
    // 10 workers). Round robin queues requests behind a slow one; LOR sends them elsewhere.
    let p99 = |algorithm: &str| {
        let yaml = web(10, "420", &format!("algorithm: {algorithm}"), "").replace_once(
            "requests: { cpu_time: { exponential: { mean: 20ms } } }",
            "requests: { cpu_time: { lognormal: { median: 5ms, sigma: 1.5 } }, workers: 1 }",
        );
        let (_, summary, _) = run(&scenario(&yaml));
        summary.services[0].traffic.as_ref().unwrap().response_time_p99_s.unwrap()
    };
    let (rr, lor) = (p99("round_robin"), p99("least_outstanding_requests"));
    assert!(lor < 0.8 * rr, "p99 with LOR {lor}s vs round robin {rr}s");
}

#[test]
fn requests_piling_up_in_memory_get_the_task_killed_for_memory() {
    // One worker serves 50/s of 20 ms requests (capacity 50/s): at 80/s the queue grows by
    // ~30/s. Each in-flight request holds 10 MiB of the container's 1024 MiB, so past ~102 in
    // flight (a few seconds after the target turns healthy) the kernel kills the task.
    let yaml = web(1, "80", "health_check: { interval: 10s }", "").replace_once(
        "requests: { cpu_time: { exponential: { mean: 20ms } } }",
        "requests: { cpu_time: { exponential: { mean: 20ms } }, workers: 1, memory_per_request: 10 }",
    );
    let (_, summary, rec) = run(&scenario(&yaml));
    let reasons = &summary.services[0].stop_reasons;
    assert!(reasons.keys().any(|r| r.contains("OutOfMemoryError")), "{reasons:?}");
    let stopped = rec.messages(EventKind::TaskStateChange).into_iter().find(|m| m.contains("is STOPPED")).unwrap();
    assert!(stopped.contains("exited with code 137"), "{stopped}");
    // Its in-flight requests failed with 502; the service replaced it.
    let traffic = summary.services[0].traffic.as_ref().unwrap();
    assert!(traffic.elb_502 > 0.0, "{traffic:?}");
    assert!(summary.services[0].tasks_started > 1);
}
