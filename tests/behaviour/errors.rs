//! Bad input: `ecsim validate` exits 1 and reports every problem at once as
//! `file:line: path: message` with a hint.

use std::process::Command;

use crate::common::ReplaceOnce;
use ecsim::scenario::load_str;
use proptest::prelude::*;

const VALID: &str = r#"name: demo
duration: 1h
zones: [us-east-1a, us-east-1b]
task_definitions:
  web:
    container_definitions:
      - { name: web, image: web:1, memory: 256 }
  api:
    cpu: 512
    memory: 1024
    network_mode: awsvpc
    container_definitions:
      - { name: api, image: api:1 }
capacity_providers:
  ec2: { auto_scaling_group: { instance_type: m5.large, desired_capacity: 2 } }
services:
  web: { task_definition: web, desired_count: 2 }
  api: { task_definition: api, desired_count: 1, launch_type: FARGATE }
faults:
  - { at: 10m, stop_tasks: { service: web, count: 1 } }
"#;

/// What `ecsim validate bad.yaml` prints for `VALID` with one substitution applied; it must exit 1.
fn report(from: &str, to: &str) -> String {
    assert!(VALID.contains(from), "the test's substitution must apply: {from}");
    validate_report(&VALID.replacen(from, to, 1))
}

/// Runs `ecsim validate bad.yaml` on `text`, asserts exit code 1, returns the report without its
/// closing "N problems found" line.
fn validate_report(text: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.yaml"), text).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_ecsim"))
        .args(["validate", "bad.yaml"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let (report, count) = stderr.trim_end().rsplit_once('\n').unwrap_or(("", &stderr));
    assert!(count.ends_with("found"), "{stderr}");
    report.to_string()
}

#[test]
fn the_valid_base_scenario_loads() {
    load_str(VALID, "ok.yaml", "ok").unwrap();
}

#[test]
fn deployment_configuration_out_of_range() {
    let bad =
        "web: { task_definition: web, desired_count: 2, deployment_configuration: { minimum_healthy_percent: 150, \
               maximum_percent: 50, deployment_circuit_breaker: { enable: false, rollback: true } }, \
               health_check_grace_period: 10 }";
    insta::assert_snapshot!(report("web: { task_definition: web, desired_count: 2 }", bad), @"
    bad.yaml:17: services.web.deployment_configuration.deployment_circuit_breaker.rollback: rollback needs the circuit breaker enabled
      hint: set `enable: true`
    bad.yaml:17: services.web.deployment_configuration.maximum_percent: 50 is out of range: must be between 100 and 10000
    bad.yaml:17: services.web.deployment_configuration.minimum_healthy_percent: 150 is out of range: must be between 0 and 100
    bad.yaml:17: services.web.health_check_grace_period: `10` has no unit
      hint: write a number with a unit: `250ms`, `90s`, `5m`, `2h` or `1h30m`, e.g. `10s`
    ");
}

#[test]
fn container_behaviour_mistakes() {
    let bad = "{ name: web, image: web:1, memory: 256, behaviour: { exit_code: 3, memory: { baseline: lots } } }";
    insta::assert_snapshot!(report("{ name: web, image: web:1, memory: 256 }", bad), @r#"
    bad.yaml:7: task_definitions.web.container_definitions[0].behaviour.exit_code: an exit code needs `exits_after`
      hint: e.g. `exits_after: 45s, exit_code: 1`
    bad.yaml:7: task_definitions.web.container_definitions[0].behaviour.memory.baseline: `lots` is not a memory amount
      hint: write MiB, e.g. `256`, or `"1 GB"`
    "#);
}

#[test]
fn deploy_actions_are_checked_against_the_service() {
    let actions = "actions:\n  - { at: 5m, deploy: { service: api, task_definition: wbe } }\n  \
                   - { at: 6m, deploy: { service: api, task_definition: web } }\n  \
                   - { at: 7m, deploy: { service: web, task_definition: web }, update_service: { service: web, desired_count: 1 } }\nfaults:";
    insta::assert_snapshot!(report("faults:", actions), @"
    bad.yaml:20: actions[0].deploy.task_definition: unknown task definition `wbe`
      hint: did you mean `web`?
    bad.yaml:22: actions[2]: an action has exactly one kind
      hint: split it into two entries at the same time
    bad.yaml:5: task_definitions.web: Fargate requires task-level `cpu` and `memory` (actions[1].deploy deploys it to service `api`, which runs it on Fargate)
      hint: e.g. `cpu: 256` and `memory: 512`
    bad.yaml:5: task_definitions.web.network_mode: Fargate requires network_mode awsvpc (actions[1].deploy deploys it to service `api`, which runs it on Fargate)
      hint: set `network_mode: awsvpc`
    ");
}

#[test]
fn launch_backoff_must_grow() {
    let timing = "timing: { launch_backoff: { first: 10m, factor: 0.5, max: 1m } }\nfaults:";
    insta::assert_snapshot!(report("faults:", timing), @"
    bad.yaml:19: timing.launch_backoff.factor: 0.5 must be a number >= 1
      hint: 2 doubles the delay each time
    bad.yaml:19: timing.launch_backoff.max: 1m is shorter than `first` (10m)
    ");
}

#[test]
fn unknown_field() {
    insta::assert_snapshot!(report("desired_count: 2", "desired_cnt: 2"), @"
    bad.yaml:17: services.web.desired_cnt: unknown field `desired_cnt`, expected one of `import`, `task_definition`, `desired_count`, `running_count`, `pending_count`, `scheduling_strategy`, `launch_type`, `capacity_provider_strategy`, `placement_strategy`, `placement_constraints`, `deployment_configuration`, `health_check_grace_period`, `availability_zone_rebalancing`, `load_balancer`, `alternate_target_group`, `requests`, `autoscaling`, `load`
      hint: did you mean `desired_count`?
    ");
}

#[test]
fn bad_duration() {
    insta::assert_snapshot!(report("duration: 1h", "duration: 90"), @r"
    bad.yaml:2: duration: `90` has no unit
      hint: write a number with a unit: `250ms`, `90s`, `5m`, `2h` or `1h30m`, e.g. `90s`
    ");
    insta::assert_snapshot!(report("at: 10m", "at: 10 minuts"), @r"
    bad.yaml:20: faults[0].at: `10 minuts` is not a duration: unknown unit `minuts`
      hint: write a number with a unit: `250ms`, `90s`, `5m`, `2h` or `1h30m`
    ");
}

#[test]
fn invalid_fargate_size_names_the_nearest_valid_sizes() {
    insta::assert_snapshot!(report("memory: 1024", "memory: 8192"), @"
    bad.yaml:9: task_definitions.api.cpu: cpu 512 with memory 8192 is not a valid Fargate task size (service `api` runs it on Fargate)
      hint: nearest valid sizes: cpu 1024 / memory 8192 (1 vCPU / 8 GB); cpu 2048 / memory 8192 (2 vCPU / 8 GB); cpu 2048 / memory 9216 (2 vCPU / 9 GB)
    ");
}

#[test]
fn unknown_task_definition_reference() {
    insta::assert_snapshot!(report("task_definition: web,", "task_definition: wbe,"), @"
    bad.yaml:17: services.web.task_definition: unknown task definition `wbe`
      hint: did you mean `web`?
    ");
}

#[test]
fn negative_count() {
    insta::assert_snapshot!(report("desired_count: 2", "desired_count: -2"), @"bad.yaml:17: services.web.desired_count: -2 is out of range: must be between 0 and 5000");
}

#[test]
fn every_problem_is_reported_at_once_sorted_by_path() {
    let text = VALID
        .replacen("desired_count: 2", "desired_count: -1", 1)
        .replacen("instance_type: m5.large", "instance_type: m5.lrage", 1)
        .replacen("service: web, count: 1", "service: webb, count: 1", 1)
        .replacen("duration: 1h", "duration: 0s", 1);
    insta::assert_snapshot!(validate_report(&text), @"
    bad.yaml:15: capacity_providers.ec2.auto_scaling_group.instance_type: unknown instance type `m5.lrage`
      hint: did you mean `m5.large`?
    bad.yaml:2: duration: must be greater than 0s
    bad.yaml:20: faults[0].stop_tasks.service: unknown service `webb`
      hint: did you mean `web`?
    bad.yaml:17: services.web.desired_count: -1 is out of range: must be between 0 and 5000
    ");
}

#[test]
fn cross_field_rules() {
    insta::assert_snapshot!(report("launch_type: FARGATE", "launch_type: FARGATE, capacity_provider_strategy: [{ capacity_provider: ec2 }]"), @"
    bad.yaml:18: services.api: `launch_type` and `capacity_provider_strategy` are mutually exclusive
      hint: keep one of them
    ");
    insta::assert_snapshot!(report("network_mode: awsvpc", "network_mode: bridge"), @r"
    bad.yaml:11: task_definitions.api.network_mode: Fargate requires network_mode awsvpc (service `api` runs it on Fargate)
      hint: set `network_mode: awsvpc`
    ");
    insta::assert_snapshot!(report("{ name: web, image: web:1, memory: 256 }", "{ name: web, image: web:1 }"), @r"
    bad.yaml:7: task_definitions.web.container_definitions[0]: container `web` has no memory and the task has no task-level memory
      hint: set `memory` or `memory_reservation` on the container, or `memory` on the task definition
    ");
}

#[test]
fn yaml_syntax_and_type_errors_are_located() {
    insta::assert_snapshot!(report("zones: [us-east-1a, us-east-1b]", "zones: [us-east-1a, us-east-1b"), @"
    bad.yaml:4: zones: did not find expected ',' or ']', while parsing a flow sequence at line 3 column 8
      hint: YAML syntax: check brackets, quotes and indentation around this line
    ");
    insta::assert_snapshot!(report("network_mode: awsvpc", "network_mode: awsvcp"), @"
    bad.yaml:11: task_definitions.api.network_mode: unknown variant `awsvcp`, expected one of `bridge`, `host`, `awsvpc`, `none`
      hint: did you mean `awsvpc`?
    ");
    insta::assert_snapshot!(report("{ at: 10m, stop_tasks:", "{ at: 10m, stop_task:"), @"
    bad.yaml:20: faults[0].stop_task: unknown field `stop_task`, expected one of `at`, `every`, `from`, `until`, `stop_tasks`, `crash_tasks`, `fail_health_checks`, `terminate_instances`, `impair_instances`, `drain_instances`, `az_outage`, `spot_interruption`
      hint: did you mean `stop_tasks`?
    ");
}

#[test]
fn odd_documents_are_rejected_not_panicked_on() {
    let empty_zones = VALID.replace_once("desired_capacity: 2 }", "desired_capacity: 2, availability_zones: [] }");
    let odd =
        ["", "---", "[]", "duration: [1, 2]", "zones: 3", "services: { a: 1 }", "\u{0}", "a: &x [*x]", &empty_zones];
    for text in odd {
        assert!(load_str(text, "x.yaml", "x").is_err(), "{text:?} should be rejected");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Cutting a piece out of a valid scenario, or splicing in random text, gives a scenario or a
    /// report: never a panic.
    #[test]
    fn mangled_scenarios_never_panic(start in 0usize..VALID.len(), len in 0usize..40, junk in "\\PC{0,12}") {
        let start = (0..=start).rev().find(|i| VALID.is_char_boundary(*i)).unwrap_or(0);
        let end = (start + len).min(VALID.len());
        let end = (end..=VALID.len()).find(|i| VALID.is_char_boundary(*i)).unwrap_or(VALID.len());
        let text = format!("{}{junk}{}", &VALID[..start], &VALID[end..]);
        if let Err(e) = load_str(&text, "m.yaml", "m") {
            prop_assert!(!e.diagnostics.is_empty());
        }
    }
}

/// `VALID` with its fault replaced by `fault` (a flow mapping on the fault's line).
fn fault_report(fault: &str) -> String {
    report("{ at: 10m, stop_tasks: { service: web, count: 1 } }", fault)
}

#[test]
fn instance_fault_targets() {
    insta::assert_snapshot!(fault_report("{ at: 10m, terminate_instances: { provider: ec3 } }"), @"
    bad.yaml:20: faults[0].terminate_instances.provider: unknown capacity provider `ec3`
      hint: did you mean `ec2`?
    ");
    insta::assert_snapshot!(fault_report("{ at: 10m, terminate_instances: { provider: FARGATE } }"), @"
    bad.yaml:20: faults[0].terminate_instances.provider: `FARGATE` has no EC2 instances
      hint: name an Auto Scaling group provider: `ec2`
    ");
    insta::assert_snapshot!(fault_report("{ at: 10m, impair_instances: { zone: us-east-1c } }"), @"
    bad.yaml:20: faults[0].impair_instances.zone: `us-east-1c` is not a zone of the cluster
      hint: did you mean `us-east-1a`?
    ");
    insta::assert_snapshot!(fault_report("{ at: 10m, drain_instances: { count: 2, instance: i-00001 } }"), @"bad.yaml:20: faults[0].drain_instances: give one of `count`, `fraction` or `instance`");
    insta::assert_snapshot!(fault_report("{ at: 10m, drain_instances: { instance: web-1 } }"), @"
    bad.yaml:20: faults[0].drain_instances.instance: `web-1` is not an EC2 instance name
      hint: instances are named i-<n> in the order they register, e.g. `i-00003`, as in events.jsonl
    ");
    insta::assert_snapshot!(fault_report("{ at: 10m, drain_instances: { instance: i-00001, zone: us-east-1a } }"), @"
    bad.yaml:20: faults[0].drain_instances: `instance` names one instance: it takes no `provider` or `zone`
      hint: drop `provider` and `zone`, or pick with `count` or `fraction` instead
    ");
    insta::assert_snapshot!(fault_report("{ at: 10m, terminate_instances: { fraction: 0, for: 5m } }"), @"
    bad.yaml:20: faults[0].terminate_instances.for: `for` only applies to `drain_instances` and `az_outage`
      hint: an instance stays terminated: its group launches a replacement
    bad.yaml:20: faults[0].terminate_instances.fraction: 0 must be above 0 and at most 1
      hint: e.g. `fraction: 0.5` for half the instances
    ");
}

#[test]
fn durations_of_drains_and_outages_must_be_positive() {
    insta::assert_snapshot!(fault_report("{ at: 10m, drain_instances: { count: 1, for: 0s } }"), @"bad.yaml:20: faults[0].drain_instances.for: must be greater than 0s");
    insta::assert_snapshot!(fault_report("{ at: 10m, az_outage: { zone: us-east-1b, for: 30 } }"), @"
    bad.yaml:20: faults[0].az_outage.for: `30` has no unit
      hint: write a number with a unit: `250ms`, `90s`, `5m`, `2h` or `1h30m`, e.g. `30s`
    ");
    insta::assert_snapshot!(fault_report("{ at: 10m, az_outage: { zone: us-east-1d, for: 30m } }"), @"
    bad.yaml:20: faults[0].az_outage.zone: `us-east-1d` is not a zone of the cluster
      hint: did you mean `us-east-1a`?
    ");
}

#[test]
fn spot_interruptions_need_spot_capacity() {
    insta::assert_snapshot!(fault_report("{ at: 10m, spot_interruption: { provider: ec2 } }"), @"
    bad.yaml:20: faults[0].spot_interruption.provider: capacity provider `ec2` has On-Demand instances: they get no Spot interruptions
      hint: set `purchase_option: spot` in capacity_providers.ec2.auto_scaling_group
    ");
    insta::assert_snapshot!(fault_report("{ at: 10m, spot_interruption: { provider: FARGATE } }"), @"
    bad.yaml:20: faults[0].spot_interruption.provider: FARGATE is On-Demand capacity: it has no Spot interruptions
      hint: use `provider: FARGATE_SPOT`, or an Auto Scaling group provider with `purchase_option: spot`
    ");
    insta::assert_snapshot!(fault_report("{ at: 10m, spot_interruption: { provider: FARGATE_SPT, count: 2 } }"), @"
    bad.yaml:20: faults[0].spot_interruption.provider: unknown capacity provider `FARGATE_SPT`
      hint: did you mean `FARGATE_SPOT`?
    ");
    insta::assert_snapshot!(fault_report("{ at: 10m, spot_interruption: { provider: FARGATE_SPOT, count: 1, fraction: 0.5 } }"), @"bad.yaml:20: faults[0].spot_interruption: give one of `count` or `fraction`");
    insta::assert_snapshot!(fault_report("{ at: 10m, spot_interruption: { provider: FARGATE_SPOT, unavailable_for: 0s } }"), @"bad.yaml:20: faults[0].spot_interruption.unavailable_for: must be greater than 0s");
    insta::assert_snapshot!(report("desired_capacity: 2 }", "desired_capacity: 2, ecs_enable_spot_instance_draining: true }"), @"
    bad.yaml:15: capacity_providers.ec2.auto_scaling_group.ecs_enable_spot_instance_draining: Spot instance draining needs Spot instances
      hint: add `purchase_option: spot`, or drop the setting
    ");
    insta::assert_snapshot!(report("desired_capacity: 2 }", "desired_capacity: 2, purchase_option: spto }"), @"
    bad.yaml:15: capacity_providers.ec2.auto_scaling_group.purchase_option: unknown variant `spto`, expected `on_demand` or `spot`
      hint: did you mean `spot`?
    ");
}

#[test]
fn only_health_check_failures_say_how_probes_fail() {
    insta::assert_snapshot!(fault_report("{ at: 10m, crash_tasks: { service: web, probes: hang } }"), @"
    bad.yaml:20: faults[0].crash_tasks.probes: only a health check failure has `probes`
      hint: remove `probes`
    ");
    insta::assert_snapshot!(fault_report("{ at: 10m, fail_health_checks: { service: web, probes: hung } }"), @"
    bad.yaml:20: faults[0].fail_health_checks.probes: unknown variant `hung`, expected `fail_fast` or `hang`
      hint: did you mean `hang`?
    ");
}

#[test]
fn a_fault_has_one_kind() {
    insta::assert_snapshot!(fault_report("{ at: 10m, az_outage: { zone: us-east-1b }, drain_instances: {} }"), @"
    bad.yaml:20: faults[0]: a fault has exactly one kind
      hint: split it into one entry per kind
    ");
    insta::assert_snapshot!(fault_report("{ at: 10m }"), @"
    bad.yaml:20: faults[0]: a fault needs a kind
      hint: add one of `stop_tasks`, `crash_tasks`, `fail_health_checks`, `terminate_instances`, `impair_instances`, `drain_instances`, `az_outage` or `spot_interruption`
    ");
}

#[test]
fn fleet_timing_knobs() {
    insta::assert_snapshot!(report("duration: 1h", "duration: 1h\ntiming: { instance_launch: { uniform: { min: 90s, max: 60s } }, instance_loss_detection: soon }"), @"
    bad.yaml:3: timing.instance_launch: min (1m30s) must be <= max (1m)
    bad.yaml:3: timing.instance_loss_detection: `soon` is not a duration: expected a number followed by a unit
      hint: write a number with a unit: `250ms`, `90s`, `5m`, `2h` or `1h30m`
    ");
}

#[test]
fn traffic_problems_are_all_reported_with_aws_ranges() {
    let traffic = r#"  web: { task_definition: web, desired_count: 2, load_balancer: web-gt, requests: { cpu_time: 20, workers: 0 } }
  api: { task_definition: api, desired_count: 1, launch_type: FARGATE, requests: { cpu_time: 5ms } }
load_balancers:
  alb:
    idle_timeout: 0s
    target_groups:
      web-tg:
        algorithm: least_outstanding_requests
        slow_start: 10s
        deregistration_delay: 2h
        health_check: { interval: 5s, timeout: 6s, healthy_threshold: 11 }
traffic:
  sources:
    - { to: albb, rate: { diurnal: { low: 500, high: 100, peak_at: 14h } } }
"#;
    let text = VALID.replacen(
        "  web: { task_definition: web, desired_count: 2 }\n  api: { task_definition: api, desired_count: 1, launch_type: FARGATE }\n",
        traffic,
        1,
    );
    insta::assert_snapshot!(validate_report(&text));
}

#[test]
fn target_group_health_checks_and_thresholds_are_checked() {
    let traffic = r#"  web: { task_definition: web, desired_count: 2, load_balancer: web-tg }
  api: { task_definition: api, desired_count: 1, launch_type: FARGATE }
load_balancers:
  alb:
    target_groups:
      web-tg: { health_check: { matcher: "200-600", path: health, port: 70000 } }
      web-tg-2:
        target_group_health:
          unhealthy_state_routing: { minimum_healthy_targets: { count: 3, percentage: 150 } }
          dns_failover: { minimum_healthy_targets: { count: 2 } }
      web-tg-3:
        target_group_health:
          unhealthy_state_routing: { minimum_healthy_targets: { count: 3 } }
          dns_failover: { minimum_healthy_targets: { count: 2, percentage: some } }
      web-tg-4:
        target_group_health:
          unhealthy_state_routing: { minimum_healthy_targets: { count: 3 } }
          dns_failover: { minimum_healthy_targets: { count: 2 } }
"#;
    let services = "  web: { task_definition: web, desired_count: 2 }\n  api: { task_definition: api, desired_count: 1, launch_type: FARGATE }\n";
    let text = VALID.replace_once(services, traffic);
    insta::assert_snapshot!(validate_report(&text), @"
    bad.yaml:25: load_balancers.alb.target_groups.web-tg-2.target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage: 150 is out of range: must be between 1 and 100
    bad.yaml:30: load_balancers.alb.target_groups.web-tg-3.target_group_health.dns_failover.minimum_healthy_targets.percentage: `some` is not a number
      hint: write a number or `off`
    bad.yaml:34: load_balancers.alb.target_groups.web-tg-4.target_group_health.dns_failover: the DNS failover threshold must be at least the unhealthy state routing one
      hint: AWS requires it, so that DNS fails over at or before routing fails open
    bad.yaml:22: load_balancers.alb.target_groups.web-tg.health_check.matcher: `600` is not an HTTP code from 200 to 499
      hint: write codes as AWS does: `200`, `200,202` or `200-299`
    bad.yaml:22: load_balancers.alb.target_groups.web-tg.health_check.path: `health` must begin with `/` and be at most 1024 characters
    bad.yaml:22: load_balancers.alb.target_groups.web-tg.health_check.port: `70000` is not a port
      hint: write `traffic-port` or a number from 1 to 65535
    ");
}

#[test]
fn bad_autoscaling() {
    let bad = r#"api:
    task_definition: api
    desired_count: 1
    launch_type: FARGATE
    load: { cpu: -5 }
    autoscaling:
      min_capacity: 5
      max_capacity: 2
      target_tracking:
        - { metric: cpu_utilisation, target: 60 }
        - { metric: memory, target: 0, scale_in_threshold_factor: 1.5 }
      step_scaling:
        - name: out
          alarm: { metric: { custom: queue_dept }, period: 90s, evaluation_periods: 2, datapoints_to_alarm: 3, comparison: greater_than_threshold, threshold: 50 }
          adjustment_type: change_in_capacity
          min_adjustment_magnitude: 2
          steps: [ { lower: 0, upper: 10, adjustment: 1 }, { lower: 15, adjustment: 3 } ]
      scheduled:
        - { cron: "0 25 * * *", min_capacity: 3 }
        - { at: 2h, cron: "0 9 * * *", max_capacity: 4 }
        - { at: 10m }
custom_metrics:
  queue_depth: 10"#;
    insta::assert_snapshot!(report("api: { task_definition: api, desired_count: 1, launch_type: FARGATE }", bad), @r#"
    bad.yaml:25: services.api.autoscaling.max_capacity: min_capacity (5) must be <= max_capacity (2)
    bad.yaml:36: services.api.autoscaling.scheduled[0].cron: `0 25 * * *` is not a cron expression: Component error: Number out of bounds.
      hint: five fields, UTC, e.g. `0 9 * * MON-FRI` (minute hour day-of-month month day-of-week)
    bad.yaml:37: services.api.autoscaling.scheduled[1]: a scheduled action needs exactly one of `at` and `cron`
      hint: e.g. `at: 2h` or `cron: "0 9 * * *"`
    bad.yaml:38: services.api.autoscaling.scheduled[2]: a scheduled action sets `min_capacity`, `max_capacity` or both
    bad.yaml:31: services.api.autoscaling.step_scaling[0].alarm.datapoints_to_alarm: 3 is out of range: must be between 1 and 2
    bad.yaml:31: services.api.autoscaling.step_scaling[0].alarm.metric.custom: unknown custom metric `queue_dept`
      hint: did you mean `queue_depth`?
    bad.yaml:31: services.api.autoscaling.step_scaling[0].alarm.period: 1m30s is not a whole number of minutes
      hint: CloudWatch periods here are multiples of 1m, e.g. `1m` or `5m`
    bad.yaml:33: services.api.autoscaling.step_scaling[0].min_adjustment_magnitude: not allowed with this adjustment type
      hint: MinAdjustmentMagnitude applies only to `percent_change_in_capacity`
    bad.yaml:34: services.api.autoscaling.step_scaling[0].steps: steps must not leave gaps or overlap: step 0 does not end where the next begins
      hint: bounds are relative to the alarm threshold, e.g. `[ { lower: 0, upper: 10, adjustment: 1 }, { lower: 10, adjustment: 3 } ]`
    bad.yaml:27: services.api.autoscaling.target_tracking[0].metric: unknown metric `cpu_utilisation`
      hint: expected one of `cpu`, `memory`, `alb_request_count_per_target`, `request_count`, `target_response_time`, `requests_in_flight` (or `{ custom: <name> }` for a `custom_metrics:` entry)
    bad.yaml:28: services.api.autoscaling.target_tracking[1].metric: the service publishes no MemoryUtilization
      hint: add `load: { memory: <pattern> }` to the service, or put it behind a load balancer
    bad.yaml:28: services.api.autoscaling.target_tracking[1].scale_in_threshold_factor: 1.5 must be in (0, 1]
      hint: AlarmLow fires below target × factor; AWS's alarms suggest 0.9
    bad.yaml:28: services.api.autoscaling.target_tracking[1].target: 0 must be a number > 0
      hint: e.g. `target: 60` for 60 % CPU
    bad.yaml:22: services.api.load.cpu: -5 is out of range: must be between 0 and 1e9
      hint: a load is the service's total demand: CPU units (1024 = one vCPU busy) or MiB, e.g. `512`
    "#);
}

#[test]
fn a_group_s_own_scaling_policies() {
    let policies = "scaling_policies: { target_tracking: [ { metric: cpu, target: 50 } ] } }";
    // ECS scales a group with managed scaling; a fixed-size group has no bounds to scale in.
    let managed = format!("ec2: {{ managed_scaling: {{}}, auto_scaling_group: {{ instance_type: m5.large, min_size: 1, max_size: 4, {policies} }}");
    insta::assert_snapshot!(report("ec2: { auto_scaling_group: { instance_type: m5.large, desired_capacity: 2 } }", &managed), @"
    bad.yaml:15: capacity_providers.ec2.auto_scaling_group.scaling_policies: a group with managed scaling cannot have its own scaling policies
      hint: ECS owns its scaling policy (target tracking on CapacityProviderReservation): remove `scaling_policies`, or `managed_scaling`
    ");
    let fixed = format!("desired_capacity: 2, {policies}");
    insta::assert_snapshot!(report("desired_capacity: 2 }", &fixed), @"
    bad.yaml:15: capacity_providers.ec2.auto_scaling_group.scaling_policies: scaling policies need the group's `min_size` and `max_size`
      hint: add `min_size` and `max_size`: the policies move the desired capacity between them
    ");
    // A group reads its CPU and the cluster's reservations; a service reads neither reservation.
    let unknown = "min_size: 1, max_size: 4, scaling_policies: { step_scaling: [ { name: up, alarm: { metric: memory_reservaton, comparison: greater_than_threshold, threshold: 75 }, adjustment_type: change_in_capacity, steps: [ { lower: 0, adjustment: 1 } ] } ] } }";
    insta::assert_snapshot!(report("desired_capacity: 2 }", unknown), @"
    bad.yaml:15: capacity_providers.ec2.auto_scaling_group.scaling_policies.step_scaling[0].alarm.metric: unknown metric `memory_reservaton`
      hint: did you mean `memory_reservation`? (or `{ custom: <name> }` for a `custom_metrics:` entry)
    ");
    // A group's bounds are its sizes.
    let bounds = "min_size: 1, max_size: 4, scaling_policies: { min_capacity: 1, target_tracking: [ { metric: cpu, target: 50 } ] } }";
    insta::assert_snapshot!(report("desired_capacity: 2 }", bounds), @"
    bad.yaml:15: capacity_providers.ec2.auto_scaling_group.scaling_policies.min_capacity: a group's scaling policies take no bounds of their own
      hint: give the group's `min_size` and `max_size`: they are its policies' bounds
    ");
    let service = "desired_count: 1, launch_type: FARGATE, autoscaling: { min_capacity: 1, max_capacity: 3, target_tracking: [ { metric: cpu_reservation, target: 50 } ] } }";
    insta::assert_snapshot!(report("desired_count: 1, launch_type: FARGATE }", service), @"
    bad.yaml:18: services.api.autoscaling.target_tracking[0].metric: unknown metric `cpu_reservation`
      hint: expected one of `cpu`, `memory`, `alb_request_count_per_target`, `request_count`, `target_response_time`, `requests_in_flight` (or `{ custom: <name> }` for a `custom_metrics:` entry)
    ");
}

#[test]
fn inputs_that_would_run_without_end_are_refused_at_validation() {
    // Each of these validated before and then ran until killed (issue 15).
    let yaml = r#"
duration: 30M
zones: [us-east-1a]
metrics: { interval: 1ms }
task_definitions:
  t: { container_definitions: [{ name: app, image: app, cpu: 256, memory: 256 }] }
capacity_providers:
  ec2: { auto_scaling_group: { instance_type: m5.large, desired_capacity: 1 } }
load_balancers:
  alb: { target_groups: { tg: {} } }
services:
  web: { task_definition: t, desired_count: 1, capacity_provider_strategy: [{ capacity_provider: ec2 }], load_balancer: tg }
traffic:
  fidelity: fluid
  step: 1us
  sources: [{ to: alb, rate: 10 }]
faults:
  - { every: 0s, crash_tasks: { service: web, count: 1 } }
  - { every: { constant: 0s }, crash_tasks: { service: web, count: 1 } }
  - { every: { uniform: { min: 0s, max: 0s } }, crash_tasks: { service: web, count: 1 } }
  - { every: 1us, crash_tasks: { service: web, count: 1 } }
"#;
    let err = ecsim::scenario::load_str(yaml, "bad.yaml", "bad").expect_err("refused").to_string();
    for expected in [
        "bad.yaml:2: duration: `30M` is months (`M`), almost never meant",
        "write `30m` for minutes, or the months out (`30 months`)",
        "metrics.interval: 1ms is below ecsim's minimum of 1s",
        "traffic.step: 1µs is below ecsim's minimum of 10ms",
        "faults[0].every: 0µs is below ecsim's minimum of 1s",
        "faults[1].every: 0µs is below ecsim's minimum of 1s",
        "faults[2].every: 0µs is below ecsim's minimum of 1s",
        "faults[3].every: 1µs is below ecsim's minimum of 1s",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in:\n{err}");
    }
    // Months written out are what they say.
    let months = yaml.replace("duration: 30M", "duration: 1 month");
    let err = ecsim::scenario::load_str(&months, "bad.yaml", "bad").expect_err("still refused").to_string();
    assert!(!err.contains("duration"), "{err}");
}

#[test]
fn a_name_written_twice_is_a_problem_naming_both_lines() {
    // YAML keeps the last of two equal keys silently: two services `web`, two task definitions
    // `t` and a field written twice are each one problem, with the first line in the message.
    let yaml = "duration: 10m
zones: [us-east-1a]
task_definitions:
  t: { container_definitions: [{ name: app, image: app, cpu: 256, memory: 256 }] }
  t: { container_definitions: [{ name: app, image: app2, cpu: 256, memory: 256 }] }
capacity_providers:
  ec2: { auto_scaling_group: { instance_type: m5.large, desired_capacity: 1 } }
services:
  web: { task_definition: t, desired_count: 1, capacity_provider_strategy: [{ capacity_provider: ec2 }] }
  api: { task_definition: t, desired_count: 1, desired_count: 3 }
  web: { task_definition: t, desired_count: 2 }
";
    let err = ecsim::scenario::load_str(yaml, "dup.yaml", "dup").expect_err("refused").to_string();
    for expected in [
        "dup.yaml:5: task_definitions.t: `t` is written twice in the same map (first on line 4)",
        "dup.yaml:11: services.web: `web` is written twice in the same map (first on line 9)",
        "dup.yaml:10: services.api.desired_count: `desired_count` is written twice in the same map (first on line 10)",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in:\n{err}");
    }
    assert_eq!(err.matches("written twice").count(), 3, "once each, nothing under a repeated key:\n{err}");
    assert!(!err.contains("duplicate field"), "serde's copy of the same problem is left out:\n{err}");
}

#[test]
fn values_that_would_overflow_into_nan_or_inf_are_refused() {
    let yaml = "duration: 10m
zones: [us-east-1a]
task_definitions:
  t: { container_definitions: [{ name: app, image: app, cpu: 256, memory: 256, start_time: { lognormal: { median: 1s, sigma: 50 } } }] }
capacity_providers:
  ec2: { auto_scaling_group: { instance_type: m5.large, desired_capacity: 1 } }
pricing: { instance_types: { m5.large: 1e308 } }
";
    let err = ecsim::scenario::load_str(yaml, "big.yaml", "big").expect_err("refused").to_string();
    assert!(err.contains("sigma (50) is above 5"), "{err}");
    assert!(err.contains("pricing.instance_types.m5.large: 100000000"), "{err}");
    assert!(err.contains("must be a number greater than 0 and at most 10000"), "{err}");
}

#[test]
fn a_file_that_is_not_utf8_names_the_line_and_a_line_break_never_splits_a_message() {
    let tmp = tempfile::tempdir().unwrap();
    let latin1 = tmp.path().join("latin1.yaml");
    std::fs::write(&latin1, b"duration: 10m\nzones: [us-east-1a]\nname: \"caf\xe9\"\n").unwrap();
    let err = ecsim::scenario::load(&latin1).map(|_| ()).unwrap_err().to_string();
    assert!(err.contains("latin1.yaml:3: .: the file is not UTF-8 text"), "{err}");
    let yaml =
        "duration: 10m\nzones: [us-east-1a]\nservices:\n  web: { task_definition: \"a\\nb\", desired_count: 1 }\n";
    let err = ecsim::scenario::load_str(yaml, "nl.yaml", "nl").expect_err("refused").to_string();
    assert!(err.contains("nl.yaml:4: services.web.task_definition: unknown task definition `a\\nb`"), "{err}");
    assert_eq!(err.lines().filter(|l| l.starts_with("nl.yaml:")).count(), 1, "one line:\n{err}");
    assert!(err.lines().all(|l| l.starts_with("nl.yaml:") || l.starts_with("  hint:")), "nothing split:\n{err}");
}

#[test]
fn every_structural_problem_is_reported_at_once() {
    // Three misspelt fields in three places, a value of the wrong type and a distribution of two
    // kinds: five problems from one run, each on its own line, none made up by the others.
    let text = VALID
        .replacen("desired_count: 2", "desird_count: 2", 1)
        .replacen("desired_count: 1", "desired_cnt: 1", 1)
        .replacen("network_mode: awsvpc", "network_mod: awsvpc", 1)
        .replacen("duration: 1h", "duration: [1h]", 1)
        .replacen("memory: 256 }", "memory: 256, stop_time: { uniform: { min: 1s, max: 2s }, fixed: 1s } }", 1);
    let report = validate_report(&text);
    for expected in [
        "bad.yaml:2: duration: invalid type: sequence",
        "bad.yaml:7: task_definitions.web.container_definitions[0].stop_time: this takes one entry naming its kind, but has 2: `uniform`, `fixed`",
        "bad.yaml:11: task_definitions.api.network_mod: unknown field `network_mod`",
        "bad.yaml:17: services.web.desird_count: unknown field `desird_count`",
        "bad.yaml:18: services.api.desired_cnt: unknown field `desired_cnt`",
    ] {
        assert!(report.contains(expected), "missing {expected:?} in:\n{report}");
    }
    assert_eq!(report.lines().filter(|l| l.starts_with("bad.yaml:")).count(), 5, "{report}");
    assert!(!report.contains("missing field"), "taking a bad node out is not a problem of its own:\n{report}");
}

#[test]
fn runaway_nesting_and_alias_bombs_are_refused_at_once() {
    let deep = format!("duration: 1m\nservices: {}{}\n", "[".repeat(30_000), "]".repeat(30_000));
    let mut bomb = vec!["duration: 1m".to_string(), "zones: &z [a, b, c, d, e, f, g, h, i, j]".into()];
    for i in 1..8 {
        let refs = vec![if i == 1 { "*z".to_string() } else { format!("*m{}", i - 1) }; 10];
        bomb.push(format!("m{i}: &m{i} [{}]", refs.join(", ")));
    }
    let bomb = bomb.join("\n");
    for (text, expected) in [(&deep, "bad.yaml:2: .: brackets"), (&bomb, "once its aliases are expanded")] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("bad.yaml"), text).unwrap();
        // Both the file as it is, and as a document that `--set` changes (a YAML tree, where
        // aliases used to be expanded without bound).
        for args in [&["validate", "bad.yaml"][..], &["run", "bad.yaml", "--set", "seed=2", "--out", "out"][..]] {
            let out = Command::new(env!("CARGO_BIN_EXE_ecsim")).args(args).current_dir(dir.path()).output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
            assert!(stderr.contains(expected), "{args:?}: {stderr}");
            assert!(!dir.path().join("out").exists());
        }
    }
}

#[test]
fn counts_past_the_ecs_service_quotas_are_refused() {
    // A group of 100,000 instances, or 20,000 services, validated and then exhausted memory.
    let huge = report("desired_capacity: 2", "desired_capacity: 100000");
    assert!(
        huge.contains("capacity_providers: the Auto Scaling groups may grow to 100000 instances (100000 in all): a cluster holds at most 5000 container instances"),
        "{huge}"
    );
    let external = VALID.replacen(
        "services:",
        "external_instances:\n  edge: { count: 4999, cpu: 2048, memory: 4096 }\nservices:",
        1,
    );
    let both = validate_report(&external);
    assert!(both.contains("external_instances: the external fleets register 4999 instances (5001 in all)"), "{both}");
    let many: String = (0..5_001).map(|i| format!("  s{i}: {{ task_definition: web, desired_count: 0 }}\n")).collect();
    let services = VALID.replacen("services:\n", &format!("services:\n{many}"), 1);
    let err = load_str(&services, "many.yaml", "many").expect_err("refused").to_string();
    assert!(err.contains("services: 5003 services: a cluster holds at most 5000"), "{err}");
}

#[test]
fn an_instance_type_missing_from_the_catalog_names_the_nearest_and_how_to_add_one() {
    // A size the family lacks: the family's sizes, nearest first.
    let big = report("instance_type: m5.large", "instance_type: m4.16xlarge");
    insta::assert_snapshot!(big, @"
    bad.yaml:15: capacity_providers.ec2.auto_scaling_group.instance_type: unknown instance type `m4.16xlarge`
      hint: the catalog lacks this type; nearest in the same family: `m4.4xlarge`, `m4.2xlarge`, `m4.xlarge`, `m4.large` (`ecsim catalog instances` lists all 70); use one of them or define it under the scenario's top-level `instance_types:` with its AWS figures: `instance_types: { NAME: { vcpus, memory_mib, max_enis, ipv4_per_eni, trunk_task_limit (null: cannot trunk), price_per_hour, architecture (x86_64 or arm64), speed (1.0 = an m5's vCPU) } }`
    ");
    // A family the catalog lacks: the same size in other families.
    let other = report("instance_type: m5.large", "instance_type: x2iedn.xlarge");
    insta::assert_snapshot!(other, @"
    bad.yaml:15: capacity_providers.ec2.auto_scaling_group.instance_type: unknown instance type `x2iedn.xlarge`
      hint: the catalog lacks this type; the same size in other families: `t3.xlarge`, `t4g.xlarge`, `m4.xlarge`, `m5.xlarge`, `m6i.xlarge`, `m7i.xlarge` and 9 more (`ecsim catalog instances` lists all 70); use one of them or define it under the scenario's top-level `instance_types:` with its AWS figures: `instance_types: { NAME: { vcpus, memory_mib, max_enis, ipv4_per_eni, trunk_task_limit (null: cannot trunk), price_per_hour, architecture (x86_64 or arm64), speed (1.0 = an m5's vCPU) } }`
    ");
    // Nothing like a type: where the list is.
    let nothing = report("instance_type: m5.large", "instance_type: quantum");
    insta::assert_snapshot!(nothing, @"
    bad.yaml:15: capacity_providers.ec2.auto_scaling_group.instance_type: unknown instance type `quantum`
      hint: use a type `ecsim catalog instances` lists (the catalog has 70) or define it under the scenario's top-level `instance_types:` with its AWS figures: `instance_types: { NAME: { vcpus, memory_mib, max_enis, ipv4_per_eni, trunk_task_limit (null: cannot trunk), price_per_hour, architecture (x86_64 or arm64), speed (1.0 = an m5's vCPU) } }`
    ");
}

#[test]
fn a_scenario_defined_instance_type_is_checked_field_by_field() {
    let defined = "instance_types:\n  x9.large: { vcpus: 0, memory_mib: 8192, max_enis: 3, ipv4_per_eni: 10, \
                   trunk_task_limit: 1, price_per_hour: -1, architecture: sparc, speed: 0 }\n  \
                   m5.large: { vcpus: 2, memory_mib: 8192, max_enis: 3, ipv4_per_eni: 10, price_per_hour: 0.1, \
                   architecture: x86_64, speed: 1 }\ncapacity_providers:";
    let text = VALID.replacen("capacity_providers:", defined, 1).replacen(
        "instance_type: m5.large",
        "instance_type: x9.large",
        1,
    );
    insta::assert_snapshot!(validate_report(&text), @"
    bad.yaml:16: instance_types.m5.large: `m5.large` is already in the catalog
      hint: the catalog has m5.large (price 0.096, speed 1); change those with `pricing.instance_types` and `speed.instance_types`
    bad.yaml:15: instance_types.x9.large.architecture: unknown architecture `sparc`
      hint: expected `x86_64` or `arm64`
    bad.yaml:15: instance_types.x9.large.price_per_hour: -1 is not a price: must be a number greater than 0 and at most 10000
      hint: USD per instance-hour, on-demand
    bad.yaml:15: instance_types.x9.large.speed: 0 is not a speed: must be greater than 0 and at most 100
      hint: per-vCPU speed relative to an m5 (1.0); `ecsim catalog instances` shows the catalog's
    bad.yaml:15: instance_types.x9.large.trunk_task_limit: 1 is out of range: must be between 2 and 120
    bad.yaml:15: instance_types.x9.large.vcpus: 0 is out of range: must be between 1 and 1024
    ");
    let unknown_key = VALID.replacen(
        "capacity_providers:",
        "instance_types:\n  x9.large: { vcpus: 2, memory_mib: 8192, max_enis: 3, ipv4_per_eni: 10, price_per_hour: 0.1, \
         architecture: x86_64, speed: 1, gpus: 1 }\ncapacity_providers:",
        1,
    );
    insta::assert_snapshot!(validate_report(&unknown_key), @"
    bad.yaml:15: instance_types.x9.large.gpus: unknown field `gpus`, expected one of `vcpus`, `memory_mib`, `max_enis`, `ipv4_per_eni`, `trunk_task_limit`, `price_per_hour`, `architecture`, `speed`
      hint: did you mean `vcpus`?
    ");
}
