//! The fluid fidelity keeps a clock per load balancer (`src/traffic/quiet.rs`): what happens
//! behind one load balancer (targets registering, failing, a rate jumping) cuts only its own
//! spans. A service whose tasks share no instance with another's computes exactly the same
//! numbers whatever the other does; where tasks of two load balancers share a contended
//! instance, one's load still takes CPU from the other.

use crate::common::{run, scenario, Memory};
use ecsim::record::TrafficRow;

/// Two services, `steady` and `busy`, each behind its own load balancer and fed by its own
/// source (`busy`'s at `busy_rate`), for an hour in the fluid fidelity, `faults` spliced after. On Fargate (`on: fargate`) each task is alone on its host; on one
/// m5.large (`on: ec2`) the two services' tasks (container-level `cpu` only, so each may use the
/// idle vCPUs) share its two vCPUs.
fn two_services(on: &str, busy_rate: &str, faults: &str) -> String {
    let (capacity, cpu) = match on {
        "fargate" => ("FARGATE", "cpu: 1024, memory: 2048, network_mode: awsvpc,"),
        _ => ("ec2", ""),
    };
    let service = |name: &str| {
        format!(
            "  {name}: {{ task_definition: web, desired_count: 1, load_balancer: {name}-tg, \
             capacity_provider_strategy: [{{ capacity_provider: {capacity} }}], \
             requests: {{ cpu_time: {{ exponential: {{ mean: 10ms }} }} }} }}\n"
        )
    };
    let services = service("steady") + &service("busy");
    format!(
        r#"
duration: 1h
zones: [us-east-1a]
metrics: {{ interval: 60s }}
task_definitions:
  web: {{ {cpu} container_definitions: [{{ name: app, image: app, cpu: 512, memory: 1024 }}] }}
capacity_providers:
  ec2: {{ auto_scaling_group: {{ instance_type: m5.large, desired_capacity: 1 }} }}
load_balancers:
  steady-alb: {{ target_groups: {{ steady-tg: {{ health_check: {{ interval: 10s }} }} }} }}
  busy-alb: {{ target_groups: {{ busy-tg: {{ health_check: {{ interval: 10s }} }} }} }}
services:
{services}traffic:
  fidelity: fluid
  sources:
    - {{ to: steady-alb, rate: {{ ramp: {{ from: 40, to: 80, start: 0s, end: 1h }} }} }}
    - {{ to: busy-alb, rate: {busy_rate} }}
{faults}
"#
    )
}

/// Service `steady`'s traffic rows, by time.
fn steady_rows(rec: &Memory) -> Vec<(f64, TrafficRow)> {
    let rows = rec.rows.iter().filter(|r| r.service == "steady");
    rows.filter_map(|r| Some((r.time.as_secs_f64(), r.traffic.clone()?))).collect()
}

#[test]
fn a_service_alone_on_its_hosts_computes_the_same_whatever_another_load_balancer_sees() {
    let calm = two_services("fargate", "60", "");
    let churn = two_services(
        "fargate",
        "{ spike: { base: 60, peak: 120, at: 10m, rise: 30s, hold: 5m, fall: 1m } }",
        "faults:\n  - { at: 15m, crash_tasks: { service: busy, count: 1 } }\n  - { at: 30m, stop_tasks: { service: busy, count: 1 } }",
    );
    let (_, calm_summary, calm_rec) = run(&scenario(&calm));
    let (_, churn_summary, churn_rec) = run(&scenario(&churn));
    // The other service did go through it: replaced twice, its rate moving.
    let busy = |s: &ecsim::metrics::Summary| s.services.iter().find(|s| s.name == "busy").map(|s| s.tasks_started);
    assert_eq!(busy(&calm_summary), Some(1));
    assert_eq!(busy(&churn_summary), Some(3), "the crashed and the stopped task are replaced");
    let (a, b) = (steady_rows(&calm_rec), steady_rows(&churn_rec));
    assert_eq!((a.len(), b.len()), (61, 61), "a row a minute from 0 s to 1 h");
    assert!(a[1..].iter().all(|(_, r)| r.requests > 0.0 && r.response_time.is_some()));
    for ((t, x), (_, y)) in a.iter().zip(&b) {
        assert_eq!(x, y, "service steady at {t} s: alone, then beside the churn");
    }
}

#[test]
fn a_load_balancer_loading_a_shared_instance_takes_cpu_from_the_other() {
    // steady offers 0.4 to 0.8 vCPU; busy 0.6, or from 20 min 1.6: the two vCPUs are contended
    // then, and steady's requests share at most its water level instead of the whole instance.
    let calm = two_services("ec2", "60", "");
    let loaded = two_services("ec2", "{ step: { before: 60, after: 160, at: 20m } }", "");
    let (_, _, calm_rec) = run(&scenario(&calm));
    let (_, _, loaded_rec) = run(&scenario(&loaded));
    let p99 = |rec: &Memory, from: f64, to: f64| -> Vec<f64> {
        let rows = steady_rows(rec).into_iter().filter(|(t, _)| *t > from && *t <= to);
        rows.map(|(_, r)| r.response_time.expect("steady answers").p99).collect()
    };
    assert_eq!(p99(&calm_rec, 0.0, 1200.0), p99(&loaded_rec, 0.0, 1200.0), "the same until busy's rate rises");
    let (quiet, contended) = (p99(&calm_rec, 1260.0, 3600.0), p99(&loaded_rec, 1260.0, 3600.0));
    for (i, (q, c)) in quiet.iter().zip(&contended).enumerate() {
        assert!(c > &(q * 1.05), "minute {}: steady's p99 {c} s beside the load, {q} s without", 22 + i);
    }
}
