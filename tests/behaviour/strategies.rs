//! Placement strategies and constraints behave as AWS documents them (aws-behaviour.md §4).

use std::collections::BTreeMap;

use crate::common::ReplaceOnce;
use crate::common::{run, scenario};
use ecsim::ids::InstanceId;
use ecsim::record::EventKind;
use ecsim::task::{Placement, TaskStatus};
use ecsim::world::World;

/// A cluster of `instances` m5.large (2048 CPU units, 7985 MiB) over three zones, one service.
fn cluster(instances: u32, desired: u32, task: &str, service_extra: &str) -> String {
    format!(
        r#"
duration: 10m
zones: [us-east-1a, us-east-1b, us-east-1c]
task_definitions:
  t:
    container_definitions: [{{ name: t, image: t, {task} }}]
capacity_providers:
  ec2: {{ auto_scaling_group: {{ instance_type: m5.large, desired_capacity: {instances} }} }}
services:
  s: {{ task_definition: t, desired_count: {desired}, launch_type: EC2, {service_extra} }}
"#
    )
}

/// Running tasks per instance index.
fn per_instance(world: &World) -> BTreeMap<usize, usize> {
    let mut counts = BTreeMap::new();
    for t in world.tasks().iter().filter(|t| t.status == TaskStatus::Running) {
        if let Placement::Instance(i) = t.placement {
            *counts.entry(i.index()).or_insert(0) += 1;
        }
    }
    counts
}

/// Running tasks per zone name.
fn per_zone(world: &World) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for t in world.tasks().iter().filter(|t| t.status == TaskStatus::Running) {
        if let Placement::Instance(i) = t.placement {
            *counts.entry(world.instances().get(i).attributes["ecs.availability-zone"].clone()).or_insert(0) += 1;
        }
    }
    counts
}

#[test]
fn binpack_on_memory_packs_onto_the_fewest_instances() {
    // 2000 MiB tasks on 7985 MiB instances: 3 fit per instance, so 7 tasks need 3 instances of 6.
    let yaml = cluster(6, 7, "memory: 2000", "placement_strategy: [{ type: binpack, field: memory }]");
    let (world, _, _) = run(&scenario(&yaml));
    let used = per_instance(&world);
    assert_eq!(used.len(), 3, "{used:?}");
    assert_eq!(used.values().copied().collect::<Vec<_>>(), [3, 3, 1]);
}

#[test]
fn the_default_spreads_over_zones_then_instances() {
    let (world, _, _) = run(&scenario(&cluster(6, 6, "memory: 256", "")));
    assert!(per_instance(&world).values().all(|n| *n == 1), "{:?}", per_instance(&world));
}

#[test]
fn spread_by_zone_then_binpack_keeps_zones_within_one_task_and_packs_inside_them() {
    let yaml = cluster(
        6,
        7,
        "memory: 2000",
        r#"placement_strategy: [{ type: spread, field: "attribute:ecs.availability-zone" }, { type: binpack, field: memory }]"#,
    );
    let (world, _, _) = run(&scenario(&yaml));
    let zones = per_zone(&world);
    let (min, max) = (zones.values().min().unwrap(), zones.values().max().unwrap());
    assert!(max - min <= 1, "zones within one task: {zones:?}");
    // Inside each zone (two instances each) binpack fills one instance before the other: 3 instances used.
    assert_eq!(per_instance(&world).len(), 3, "{:?}", per_instance(&world));
}

#[test]
fn spread_by_instance_type_balances_over_types() {
    let yaml = r#"
duration: 10m
zones: [us-east-1a]
task_definitions:
  t: { container_definitions: [{ name: t, image: t, memory: 128 }] }
capacity_providers:
  big: { auto_scaling_group: { instance_type: m5.xlarge, desired_capacity: 1 } }
  small: { auto_scaling_group: { instance_type: t3.large, desired_capacity: 3 } }
services:
  s:
    task_definition: t
    desired_count: 4
    launch_type: EC2
    placement_strategy: [{ type: spread, field: "attribute:ecs.instance-type" }]
"#;
    let (world, _, _) = run(&scenario(yaml));
    let mut by_type = BTreeMap::new();
    for (i, n) in per_instance(&world) {
        *by_type.entry(world.instances().get(InstanceId::from_index(i)).type_name()).or_insert(0) += n;
    }
    assert_eq!(by_type, BTreeMap::from([("m5.xlarge", 2), ("t3.large", 2)]));
}

#[test]
fn distinct_instance_never_colocates_tasks_of_the_group() {
    let yaml = cluster(3, 5, "memory: 128", "placement_constraints: [{ type: distinctInstance }]");
    let (world, summary, rec) = run(&scenario(&yaml));
    assert!(per_instance(&world).values().all(|n| *n == 1));
    assert_eq!(summary.services[0].running_at_end, 3);
    let failure = rec.messages(EventKind::ServiceTaskPlacementFailure)[0];
    assert!(
        failure.contains(
            "already runs a task of this group (distinctInstance). Instances 3 filtered out (3 distinctInstance)."
        ),
        "{failure}"
    );
}

#[test]
fn member_of_keeps_tasks_on_matching_instances() {
    let yaml = r#"
duration: 10m
zones: [us-east-1a, us-east-1b]
task_definitions:
  t: { container_definitions: [{ name: t, image: t, memory: 128 }] }
capacity_providers:
  general: { auto_scaling_group: { instance_type: m5.large, desired_capacity: 2, attributes: { stack: prod } } }
  burst: { auto_scaling_group: { instance_type: t3.large, desired_capacity: 2, attributes: { stack: dev } } }
services:
  s:
    task_definition: t
    desired_count: 6
    launch_type: EC2
    placement_constraints:
      - { type: memberOf, expression: "attribute:ecs.instance-type =~ m5.* and attribute:stack == prod" }
"#;
    let (world, _, _) = run(&scenario(yaml));
    let placed: Vec<_> = per_instance(&world)
        .into_keys()
        .map(|i| world.instances().get(InstanceId::from_index(i)).type_name())
        .collect();
    assert_eq!(placed, ["m5.large", "m5.large"]);
}

#[test]
fn a_task_definition_arm64_platform_only_lands_on_arm_instances() {
    let yaml = r#"
duration: 10m
zones: [us-east-1a]
task_definitions:
  t:
    runtime_platform: { cpu_architecture: ARM64 }
    container_definitions: [{ name: t, image: t, memory: 128 }]
capacity_providers:
  x86: { auto_scaling_group: { instance_type: m5.large, desired_capacity: 2 } }
  arm: { auto_scaling_group: { instance_type: m6g.large, desired_capacity: 1 } }
services:
  s: { task_definition: t, desired_count: 2, launch_type: EC2 }
"#;
    let (world, _, _) = run(&scenario(yaml));
    let types: Vec<_> = per_instance(&world)
        .into_keys()
        .map(|i| world.instances().get(InstanceId::from_index(i)).type_name())
        .collect();
    assert_eq!(types, ["m6g.large"]);
}

#[test]
fn awsvpc_tasks_per_m5_large_are_enis_minus_one_or_the_trunk_limit() {
    let yaml = |trunking: bool| {
        cluster(1, 12, "memory: 64", "")
            .replace_once("    container_definitions", "    network_mode: awsvpc\n    container_definitions")
            .replace_once("desired_capacity: 1 }", &format!("desired_capacity: 1, eni_trunking: {trunking} }}"))
    };
    // m5.large: 3 ENIs, one is the instance's own → 2 tasks; with ENI trunking, 10.
    let (_, plain, _) = run(&scenario(&yaml(false)));
    assert_eq!(plain.services[0].running_at_end, 2);
    let (_, trunked, _) = run(&scenario(&yaml(true)));
    assert_eq!(trunked.services[0].running_at_end, 10);
}

#[test]
fn udp_and_tcp_on_the_same_host_port_do_not_clash() {
    let task = r#"memory: 64, port_mappings: [{ container_port: 53, host_port: 53, protocol: udp }]"#;
    let (_, summary, _) = run(&scenario(&cluster(1, 2, task, "")));
    assert_eq!(summary.services[0].running_at_end, 1, "one udp/53 per instance");
    let tcp_too = cluster(1, 1, task, "").replace_once(
        "task_definitions:",
        "task_definitions:\n  dns-tcp: { container_definitions: [{ name: d, image: d, memory: 64, port_mappings: [{ container_port: 53, host_port: 53 }] }] }",
    ) + "  tcp: { task_definition: dns-tcp, desired_count: 1, launch_type: EC2 }\n";
    let (_, summary, _) = run(&scenario(&tcp_too));
    assert!(summary.services.iter().all(|s| s.running_at_end == 1), "tcp/53 and udp/53 share the instance");
}

#[test]
fn base_and_weight_1_to_4_split_10_tasks_2_and_8() {
    let yaml = r#"
duration: 5m
zones: [us-east-1a]
task_definitions:
  t: { container_definitions: [{ name: t, image: t, memory: 64 }] }
capacity_providers:
  a: { auto_scaling_group: { instance_type: m5.4xlarge, desired_capacity: 1 } }
  b: { auto_scaling_group: { instance_type: m5.4xlarge, desired_capacity: 1 } }
services:
  s:
    task_definition: t
    desired_count: 10
    capacity_provider_strategy: [{ capacity_provider: a, weight: 1 }, { capacity_provider: b, weight: 4 }]
"#;
    let (world, _, _) = run(&scenario(yaml));
    assert_eq!(per_instance(&world), BTreeMap::from([(0, 2), (1, 8)]));
}

#[test]
fn explanations_say_what_was_filtered_and_why_the_instance_won() {
    let s = scenario(&cluster(3, 2, "memory: 5000", "placement_strategy: [{ type: binpack, field: memory }]"));
    let mut memory = crate::common::Memory::default();
    ecsim::sim::Simulation::new(&s, &mut memory, true).run();
    let explained = memory.messages(EventKind::TaskPlacement);
    assert_eq!(explained.len(), 2);
    // 7985 - 5000 = 2985 MiB left on the first instance; the second task cannot fit there.
    assert_eq!(explained[0], "placed on i-00001 (us-east-1a, m5.large): 3 candidates, none filtered out; binpack memory: 2985 MiB left (least)");
    assert_eq!(
        explained[1],
        "placed on i-00002 (us-east-1b, m5.large): 2 candidates, 1 filtered out (1 memory); binpack memory: 2985 MiB left (least)"
    );
}

#[test]
fn a_malformed_expression_is_a_load_error_pointing_at_the_token() {
    let yaml = cluster(
        1,
        1,
        "memory: 64",
        r#"placement_constraints: [{ type: memberOf, expression: "attribute:ecs.instance-type == " }]"#,
    );
    let err = ecsim::scenario::load_str(&yaml, "bad.yaml", "bad").unwrap_err().to_string();
    assert!(err.starts_with("bad.yaml:10: services.s.placement_constraints[0].expression: "), "{err}");
    assert!(err.contains("hint: attribute:ecs.instance-type == \n"), "{err}");
}

#[test]
fn repeated_placement_failures_are_throttled_up_to_15_minutes() {
    let yaml = cluster(1, 2, "memory: 6000", "").replace_once("duration: 10m", "duration: 2h");
    let (_, summary, rec) = run(&scenario(&yaml));
    let failures: Vec<f64> = rec
        .events
        .iter()
        .filter(|e| e.kind == EventKind::ServiceTaskPlacementFailure)
        .map(|e| e.time.as_secs_f64())
        .collect();
    // Retries after 30 s, then 60, 120, 240, 480, 900 (the cap), 900...
    assert_eq!(&failures[..7], [0.0, 30.0, 90.0, 210.0, 450.0, 930.0, 1830.0]);
    assert_eq!(summary.services[0].placement_failures as usize, failures.len());
    let throttled = rec.messages(EventKind::ServiceTaskStartThrottled);
    assert_eq!(throttled, ["service s is unable to consistently start tasks successfully."]);
}
