//! What a run costs: EC2 instance time and Fargate task time, billed per second with a 60 s
//! minimum at the catalog's prices or the scenario's `pricing:`; per interval in metrics.csv and in
//! total in the summary, which must agree (aws-behaviour.md §2.4, §3.2).

use std::collections::BTreeMap;

use crate::common::ReplaceOnce;
use crate::common::{run, scenario};
use ecsim::engine::{SimDuration, SimTime};
use ecsim::metrics::Summary;
use ecsim::output::{write_run, RunOptions};
use ecsim::record::MetricsRow;
use ecsim::scenario::load_str;

/// Catalog prices used in the hand computations below (src/catalog).
const M5_LARGE: f64 = 0.096;
/// Fargate x86, 0.5 vCPU / 1 GB: 0.5 × $0.04048 + 1 × $0.004445 = $0.024685 an hour.
const HALF_VCPU_ONE_GB: f64 = 0.5 * 0.04048 + 0.004445;

/// Two m5.large instances and nothing else.
fn two_m5_large(duration: &str, pricing: &str) -> String {
    format!(
        r#"
duration: {duration}
zones: [us-east-1a, us-east-1b]
capacity_providers:
  ec2: {{ auto_scaling_group: {{ instance_type: m5.large, desired_capacity: 2 }} }}
{pricing}"#
    )
}

/// One 0.5 vCPU / 1 GB task of service `api` on `provider`, with constant timings: PROVISIONING
/// 10 s, so its image pull (and its bill) starts at 10 s; PENDING 25 s (a 21 s pull: 20 s + 100 MB
/// at 100 MB/s, then a 4 s start), RUNNING at 35 s. At `stop_at` the desired count drops to 0 and the task
/// stops: STOPPING 5 s (its stop time), DEPROVISIONING 6 s (ENI release), STOPPED 11 s later.
fn one_fargate_task(provider: &str, platform: &str, stop_at: &str, pricing: &str) -> String {
    format!(
        r#"
duration: 1h
zones: [us-east-1a]
metrics: {{ interval: 10s }}
timing:
  fargate_provisioning: 10s
  fargate_image_pull: {{ latency: 20s, throughput_mb_per_s: 100 }}
  eni_attachment: 6s
task_definitions:
  api:
    cpu: 512
    memory: 1024
    network_mode: awsvpc
    {platform}
    container_definitions:
      - {{ name: api, image: api:1, image_size_mb: 100, start_time: 4s, stop_time: 5s }}
services:
  api: {{ task_definition: api, desired_count: 1, capacity_provider_strategy: [{{ capacity_provider: {provider} }}] }}
actions:
  - {{ at: {stop_at}, update_service: {{ service: api, desired_count: 0 }} }}
{pricing}"#
    )
}

/// The run's summary, checking on the way that the task was billed from 10 s to `stopped_s`.
fn fargate_summary(yaml: &str, stopped_s: f64) -> Summary {
    let (_, summary, rec) = run(&scenario(yaml));
    assert_eq!(rec.entered("api-1", "PENDING"), Some(10.0), "billing starts with the image pull");
    assert_eq!(rec.entered("api-1", "STOPPED"), Some(stopped_s));
    assert_eq!(summary.cost_usd.ec2, 0.0);
    assert_eq!(summary.services[0].fargate_cost_usd, summary.cost_usd_total, "the only service pays it all");
    summary
}

#[test]
fn two_instances_for_an_hour() {
    let (_, summary, _) = run(&scenario(&two_m5_large("1h", "")));
    // 2 m5.large × 1 h × $0.096 = $0.192.
    assert_eq!(summary.cost_usd.ec2, 0.192);
    assert_eq!(summary.cost_usd_total, 0.192);
    assert_eq!((summary.cost_usd.fargate, summary.cost_usd.fargate_spot), (0.0, 0.0));
}

#[test]
fn an_instance_is_billed_at_least_a_minute() {
    let (_, summary, _) = run(&scenario(&two_m5_large("30s", "")));
    // 30 s run, 60 s billed: 2 × $0.096 × 60 / 3600 = $0.0032.
    assert_eq!(summary.cost_usd.ec2, 0.0032);
}

#[test]
fn a_fargate_task_is_billed_from_its_image_pull_to_stopped() {
    let summary = fargate_summary(&one_fargate_task("FARGATE", "", "1789s", ""), 1800.0);
    // Scaled in at 1789 s, STOPPED at 1789 + 5 + 6 = 1800 s: billed 1800 − 10 = 1790 s.
    // $0.024685 × 1790 / 3600 = $0.01227393… → $0.012274.
    assert_eq!(summary.cost_usd.fargate, 0.012274);
    assert!((summary.cost_usd.fargate - HALF_VCPU_ONE_GB * 1790.0 / 3600.0).abs() < 1e-6);
    assert_eq!(summary.cost_usd.fargate_spot, 0.0);
}

#[test]
fn a_fargate_task_stopped_after_20_seconds_is_billed_a_minute() {
    // Scaled in at 19 s while still PENDING: STOPPING 5 s, DEPROVISIONING 6 s, STOPPED at 30 s,
    // 20 s after its pull began. Billed 60 s: $0.024685 × 60 / 3600 = $0.000411416… → $0.000411.
    let yaml = one_fargate_task("FARGATE", "", "19s", "");
    let summary = fargate_summary(&yaml, 30.0);
    assert_eq!(summary.cost_usd.fargate, 0.000411);

    // Per interval (10 s rows): the seconds it ran where it ran, the minimum's other 40 s in the
    // interval where it stopped. Billed by row 10 s: 0 s (the pull starts at 10 s); by 20 s: 10 s;
    // by 30 s: 20 s run + 40 s = 60 s; no more later. Rows are differences of those running totals
    // rounded to 6 decimals: 10 s = $0.0000685694… → $0.000069, 60 s → $0.000411, so the rows are
    // $0.000069 and $0.000411 − $0.000069 = $0.000342.
    let (_, _, rec) = run(&scenario(&yaml));
    let costs: Vec<f64> = rec.rows.iter().take(5).map(|r| r.service_fargate_cost).collect();
    assert_eq!(costs, [0.0, 0.0, 0.000069, 0.000342, 0.0]);
    assert!(rec.rows.iter().all(|r| r.service_fargate_cost == r.cluster_cost.fargate));
}

#[test]
fn a_task_still_running_at_the_end_is_billed_its_minimum_then() {
    // Pull from 10 s, the run ends at 40 s: 30 s run, 60 s billed. Rows every 15 s and at the end:
    // row 0: 0 s; 15: 5 s; 30: 15 s; 40 (the end): 10 s + the minimum's other 30 s.
    let yaml = one_fargate_task("FARGATE", "", "39s", "")
        .replace_once("duration: 1h", "duration: 40s")
        .replace_once("metrics: { interval: 10s }", "metrics: { interval: 15s }");
    let yaml = yaml.replace_once("  - { at: 39s, update_service: { service: api, desired_count: 0 } }\n", "  []\n");
    let (_, summary, rec) = run(&scenario(&yaml));
    let times: Vec<f64> = rec.rows.iter().map(|r| r.time.as_secs_f64()).collect();
    assert_eq!(times, [0.0, 15.0, 30.0, 40.0], "a last row at the end of the run");
    // Billed by each row: 0 s, 5 s ($0.0000342… → $0.000034), 20 s ($0.000137138… → $0.000137),
    // 60 s ($0.000411); the rows are the differences.
    let costs: Vec<f64> = rec.rows.iter().map(|r| r.cluster_cost.total()).collect();
    assert_eq!(costs, [0.0, 0.000034, 0.000103, 0.000274]);
    // $0.024685 × 60 / 3600 = $0.000411416… → $0.000411.
    assert_eq!(summary.cost_usd.fargate, 0.000411);
}

#[test]
fn fargate_spot_is_billed_at_the_discount() {
    // $0.01227393… × (1 − 0.70) = $0.00368217… → $0.003682.
    let summary = fargate_summary(&one_fargate_task("FARGATE_SPOT", "", "1789s", ""), 1800.0);
    assert_eq!(summary.cost_usd.fargate_spot, 0.003682);
    assert_eq!(summary.cost_usd.fargate, 0.0);
    // With the scenario's discount: $0.01227393… × (1 − 0.65) = $0.00429587… → $0.004296.
    let pricing = "pricing: { fargate_spot_discount: 0.65 }";
    let summary = fargate_summary(&one_fargate_task("FARGATE_SPOT", "", "1789s", pricing), 1800.0);
    assert_eq!(summary.cost_usd.fargate_spot, 0.004296);
}

#[test]
fn arm64_tasks_are_billed_at_arm_prices() {
    // ARM: 0.5 × $0.03238 + 1 × $0.00356 = $0.01975 an hour; × 1790 / 3600 = $0.00982013… → $0.009820.
    let platform = "runtime_platform: { cpu_architecture: ARM64 }";
    let summary = fargate_summary(&one_fargate_task("FARGATE", platform, "1789s", ""), 1800.0);
    assert_eq!(summary.cost_usd.fargate, 0.00982);
    // The ARM override applies to it, the x86 one does not.
    let pricing = "pricing: { fargate: { vcpu_hour: 1 }, fargate_arm: { gb_hour: 0.01 } }";
    let summary = fargate_summary(&one_fargate_task("FARGATE", platform, "1789s", pricing), 1800.0);
    // (0.5 × $0.03238 + 1 × $0.01) × 1790 / 3600 = $0.02619 × 1790 / 3600 = $0.01302225 → $0.013022.
    assert_eq!(summary.cost_usd.fargate, 0.013022);
}

#[test]
fn price_overrides_change_the_bill_by_their_ratio() {
    // m5.large at $0.12 instead of $0.096: 1.25 × $0.192 = $0.24.
    let (_, summary, _) = run(&scenario(&two_m5_large("1h", "pricing: { instance_types: { m5.large: 0.12 } }")));
    assert_eq!(summary.cost_usd.ec2, 0.24);
    assert!((summary.cost_usd.ec2 / (2.0 * M5_LARGE) - 0.12 / M5_LARGE).abs() < 1e-9);
    // An override of another type leaves m5.large at the catalog's price.
    let (_, summary, _) = run(&scenario(&two_m5_large("1h", "pricing: { instance_types: { c5.large: 1 } }")));
    assert_eq!(summary.cost_usd.ec2, 0.192);

    // Fargate at $0.05 per vCPU-hour and $0.01 per GB-hour: 0.5 × 0.05 + 0.01 = $0.035 an hour,
    // × 1790 / 3600 = $0.01740277… → $0.017403, i.e. 0.035 / 0.024685 times the catalog's bill.
    let pricing = "pricing: { fargate: { vcpu_hour: 0.05, gb_hour: 0.01 } }";
    let summary = fargate_summary(&one_fargate_task("FARGATE", "", "1789s", pricing), 1800.0);
    assert_eq!(summary.cost_usd.fargate, 0.017403);
    assert!((summary.cost_usd.fargate / 0.012274 - 0.035 / HALF_VCPU_ONE_GB).abs() < 1e-4);
}

/// Σ of every interval's cost, per service and for the cluster (whose columns repeat on each
/// service's row of an instant, so one row per instant counts).
fn interval_sums(rows: &[MetricsRow]) -> (BTreeMap<String, f64>, [f64; 4]) {
    let mut services = BTreeMap::new();
    let mut cluster = [0.0; 4];
    let mut last_time = None;
    for r in rows {
        *services.entry(r.service.clone()).or_insert(0.0) += r.service_fargate_cost;
        if last_time != Some(r.time) {
            let c = r.cluster_cost;
            for (sum, x) in cluster.iter_mut().zip([c.ec2, c.fargate, c.fargate_spot, c.total()]) {
                *sum += x;
            }
            last_time = Some(r.time);
        }
    }
    (services, cluster)
}

/// Rows are differences of running totals rounded to the micro-dollar, so they add up to the
/// summary's rounded figures exactly (1e-9 only absorbs the float sum's last bits), well within
/// the 1e-6 that rounding each row on its own could not promise.
fn assert_intervals_add_up_to_the_summary(rows: &[MetricsRow], summary: &Summary) {
    let (services, cluster) = interval_sums(rows);
    let c = &summary.cost_usd;
    for (sum, total) in cluster.iter().zip([c.ec2, c.fargate, c.fargate_spot, summary.cost_usd_total]) {
        assert!((sum - total).abs() < 1e-9, "Σ intervals {sum} != summary {total}");
    }
    for s in &summary.services {
        assert!((services[&s.name] - s.fargate_cost_usd).abs() < 1e-9, "{}: {services:?}", s.name);
    }
}

#[test]
fn interval_costs_add_up_to_the_summary_total() {
    // The quickstart: EC2 and Fargate and Fargate Spot, tasks stopped by a fault and replaced.
    let mut quickstart = scenario(include_str!("../../scenarios/quickstart.yaml"));
    let (_, summary, rec) = run(&quickstart);
    assert!(summary.cost_usd.ec2 > 0.0 && summary.cost_usd.fargate > 0.0 && summary.cost_usd.fargate_spot > 0.0);
    assert_intervals_add_up_to_the_summary(&rec.rows, &summary);

    // 1800 s is not a whole number of 7 s intervals: a last row at the end bills the tail.
    quickstart.metrics_interval = SimDuration::from_secs(7);
    let (_, summary, rec) = run(&quickstart);
    assert_eq!(rec.rows.last().map(|r| r.time), Some(SimTime::ZERO + SimDuration::from_secs(1800)));
    assert_intervals_add_up_to_the_summary(&rec.rows, &summary);

    // Short-lived tasks: the minimum's remainders land in the rows where tasks stop.
    let (_, summary, rec) = run(&scenario(&one_fargate_task("FARGATE_SPOT", "", "19s", "")));
    assert_intervals_add_up_to_the_summary(&rec.rows, &summary);
}

/// Dollars as printed with 6 decimals, in whole micro-dollars.
fn micro_dollars(printed: &str) -> i64 {
    printed.replace('.', "").parse().unwrap_or_else(|e| panic!("`{printed}`: {e}"))
}

#[test]
fn the_written_metrics_add_up_to_summary_json_to_the_micro_dollar() {
    let yaml = include_str!("../../scenarios/quickstart.yaml");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("quickstart");
    write_run(&scenario(yaml), ("quickstart.yaml", yaml.as_bytes()), &out, RunOptions::default()).unwrap();
    let csv = std::fs::read_to_string(out.join("metrics.csv")).unwrap();
    let mut lines = csv.lines().map(|l| l.split(',').collect::<Vec<_>>());
    let header = lines.next().unwrap();
    let column = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (time, service, service_cost, total) =
        (column("time_s"), column("service"), column("service_fargate_cost_usd"), column("cluster_cost_usd"));
    let (mut per_service, mut cluster, mut last_time) = (BTreeMap::<String, i64>::new(), 0, None);
    for row in lines {
        assert!(row[service_cost].split('.').nth(1).is_some_and(|d| d.len() == 6), "6 decimals: {row:?}");
        *per_service.entry(row[service].to_string()).or_default() += micro_dollars(row[service_cost]);
        if last_time != Some(row[time]) {
            cluster += micro_dollars(row[total]);
            last_time = Some(row[time]);
        }
    }
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let in_json = |v: &serde_json::Value| (v.as_f64().unwrap() * 1e6).round() as i64;
    assert_eq!(cluster, in_json(&json["cost_usd_total"]));
    for s in json["services"].as_array().unwrap() {
        assert_eq!(per_service[s["name"].as_str().unwrap()], in_json(&s["fargate_cost_usd"]));
    }
}

/// The diagnostics of a scenario with `pricing` appended, one per line.
fn pricing_errors(pricing: &str) -> String {
    let yaml = format!("{}{pricing}", two_m5_large("1h", ""));
    load_str(&yaml, "bad.yaml", "bad").map(|_| ()).unwrap_err().to_string()
}

#[test]
fn invalid_prices_are_reported_with_path_and_hint() {
    let errors = pricing_errors(
        r#"pricing:
  instance_types: { m5.lrge: 0.1, m5.large: -1 }
  fargate: { vcpu_hour: 0, gb_hour: .nan }
  fargate_arm: { vcpu_hour: .inf }
  fargate_spot_discount: 1
"#,
    );
    assert_eq!(
        errors,
        "\
bad.yaml:8: pricing.fargate.gb_hour: NaN is not a price: must be a number greater than 0 and at most 10000
  hint: USD per GB-hour; the catalog's Linux/x86_64 price is 0.004445
bad.yaml:8: pricing.fargate.vcpu_hour: 0 is not a price: must be a number greater than 0 and at most 10000
  hint: USD per vCPU-hour; the catalog's Linux/x86_64 price is 0.04048
bad.yaml:9: pricing.fargate_arm.vcpu_hour: inf is not a price: must be a number greater than 0 and at most 10000
  hint: USD per vCPU-hour; the catalog's Linux/ARM64 price is 0.03238
bad.yaml:10: pricing.fargate_spot_discount: 1 is out of range: must be at least 0 and below 1
  hint: the fraction taken off Fargate's price: 0.65 makes Spot cost 35 % of on-demand (default 0.7)
bad.yaml:7: pricing.instance_types.m5.large: -1 is not a price: must be a number greater than 0 and at most 10000
  hint: USD per instance-hour; the catalog's price for m5.large is 0.096
bad.yaml:7: pricing.instance_types.m5.lrge: unknown instance type `m5.lrge`
  hint: did you mean `m5.large`?"
    );
}

#[test]
fn unknown_pricing_fields_are_errors() {
    let errors = pricing_errors("pricing: { fargate_spot_discont: 0.5 }\n");
    assert!(errors.starts_with("bad.yaml:6: pricing.fargate_spot_discont: unknown field"), "{errors}");
    assert!(errors.contains("hint: did you mean `fargate_spot_discount`?"), "{errors}");
}
