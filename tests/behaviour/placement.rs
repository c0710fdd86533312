//! Placement: tasks land where they fit, spread over zones, and never oversubscribe an instance.

use std::collections::BTreeMap;

use crate::common::ReplaceOnce;
use crate::common::{run, scenario, Memory};
use ecsim::record::EventKind;
use ecsim::sim::Simulation;
use ecsim::task::{Placement, TaskStatus};
use ecsim::world::World;
use proptest::prelude::*;

/// Checks that every instance holds exactly what its live tasks reserve, and no more than it has.
fn assert_no_oversubscription(world: &World) {
    for inst in world.instances() {
        let tasks: Vec<_> = world
            .tasks()
            .iter()
            .filter(|t| t.placement == Placement::Instance(inst.id) && t.status != TaskStatus::Stopped)
            .collect();
        let tds: Vec<_> = tasks.iter().map(|t| world.task_definition(t.task_definition)).collect();
        let cpu: u32 = tds.iter().map(|td| td.reserved_cpu()).sum();
        let memory: u32 = tds.iter().map(|td| td.reserved_memory()).sum();
        let enis = tds.iter().filter(|td| td.uses_eni()).count() as u32;
        assert_eq!((inst.reserved_cpu, inst.reserved_memory, inst.enis_in_use), (cpu, memory, enis));
        assert!(cpu <= inst.registered_cpu, "{} CPU {cpu} > {}", inst.label(), inst.registered_cpu);
        assert!(memory <= inst.registered_memory, "{} memory {memory} > {}", inst.label(), inst.registered_memory);
        assert!(enis <= inst.eni_limit);
        let mut ports: Vec<_> = tds.iter().flat_map(|td| td.static_host_ports()).collect();
        let n = ports.len();
        ports.sort();
        ports.dedup();
        assert_eq!(ports.len(), n, "a static host port is bound twice on {}", inst.label());
    }
}

/// Steps through a whole run, checking the invariant after every event.
fn check_every_event(yaml: &str) -> Memory {
    let s = scenario(yaml);
    let mut memory = Memory::default();
    let mut sim = Simulation::new(&s, &mut memory, false);
    while sim.step().is_some() {
        assert_no_oversubscription(sim.world());
    }
    drop(sim);
    memory
}

fn cluster(instance_type: &str, instances: u32, cpu: u32, memory: u32, desired: u32, network_mode: &str) -> String {
    format!(
        r#"
duration: 20m
zones: [us-east-1a, us-east-1b, us-east-1c]
task_definitions:
  t:
    network_mode: {network_mode}
    container_definitions: [{{ name: t, image: t, cpu: {cpu}, memory: {memory} }}]
capacity_providers:
  ec2: {{ auto_scaling_group: {{ instance_type: {instance_type}, desired_capacity: {instances} }} }}
services:
  s: {{ task_definition: t, desired_count: {desired}, launch_type: EC2 }}
faults:
  - {{ at: 5m, stop_tasks: {{ service: s, count: 3 }} }}
  - {{ at: 10m, stop_tasks: {{ service: s, count: 1 }} }}
"#
    )
}

#[test]
fn a_cluster_too_small_fills_up_without_oversubscribing_and_says_why() {
    // m5.large registers 2048 CPU units: three 1024-unit tasks per instance never fit, so 2 x 2 = 4
    // of the 6 tasks run and the service reports the shortfall.
    let memory = check_every_event(&cluster("m5.large", 2, 1024, 512, 6, "bridge"));
    let failures = memory.messages(EventKind::ServiceTaskPlacementFailure);
    assert!(!failures.is_empty());
    assert_eq!(
        failures[0],
        "service s was unable to place a task because no container instance met all of its requirements. \
         The closest matching container-instance i-00001 has insufficient CPU units available. \
         Instances 2 filtered out (2 CPU)."
    );
    assert!(memory.rows.iter().all(|r| r.running <= 4));
}

#[test]
fn tasks_spread_evenly_over_zones_and_instances() {
    let (world, _, _) = run(&scenario(&cluster("m5.large", 3, 256, 256, 6, "bridge")));
    let mut per_instance = BTreeMap::new();
    for t in world.tasks().iter().filter(|t| t.status == TaskStatus::Running) {
        if let Placement::Instance(i) = t.placement {
            *per_instance.entry(i.index()).or_insert(0) += 1;
        }
    }
    assert_eq!(per_instance, BTreeMap::from([(0, 2), (1, 2), (2, 2)]));
}

#[test]
fn awsvpc_tasks_are_limited_by_the_instance_enis() {
    // t3.large has 3 ENIs: the primary one is the instance's, so 2 awsvpc tasks fit per instance.
    let memory = check_every_event(&cluster("t3.large", 2, 128, 128, 5, "awsvpc"));
    assert!(memory.rows.iter().all(|r| r.running <= 4));
    assert!(memory.messages(EventKind::ServiceTaskPlacementFailure)[0].ends_with(
        "has no elastic network interface available for another awsvpc task. Instances 2 filtered out (2 ENI)."
    ));
}

#[test]
fn an_m4_large_cluster_runs_one_awsvpc_task_per_instance_trunking_or_not() {
    // m4.large has 2 ENIs [CNI]: the primary one is the instance's, so 1 awsvpc task per instance;
    // m4 is not in the ECS trunking table, so `eni_trunking: true` changes nothing.
    for trunking in [false, true] {
        let yaml = cluster("m4.large", 3, 128, 128, 5, "awsvpc")
            .replace_once("desired_capacity: 3 }", &format!("desired_capacity: 3, eni_trunking: {trunking} }}"));
        let memory = check_every_event(&yaml);
        assert!(memory.rows.iter().all(|r| r.running <= 3), "trunking {trunking}");
        assert!(memory.rows.iter().any(|r| r.running == 3), "trunking {trunking}");
        assert!(memory.messages(EventKind::ServiceTaskPlacementFailure)[0].ends_with(
            "has no elastic network interface available for another awsvpc task. Instances 3 filtered out (3 ENI)."
        ));
    }
}

#[test]
fn new_catalog_types_place_by_their_own_figures() {
    let running_at_end = |yaml: &str| run(&scenario(yaml)).1.services[0].running_at_end;
    let trunked = |itype: &str, desired: u32| {
        cluster(itype, 1, 64, 64, desired, "awsvpc")
            .replace_once("desired_capacity: 1 }", "desired_capacity: 1, eni_trunking: true }")
    };
    // c7g.large trunks to 10 awsvpc tasks; t4g.large cannot trunk: 3 ENIs - 1 = 2; c4.large has
    // 3 ENIs (unlike m4.large) but no trunking: 2.
    assert_eq!(running_at_end(&trunked("c7g.large", 12)), 10);
    assert_eq!(running_at_end(&trunked("t4g.large", 12)), 2);
    assert_eq!(running_at_end(&trunked("c4.large", 12)), 2);
    // r7g.large: 16 GiB registers 16384 x 7985 / 8192 = 15970 MiB, so three 5000 MiB tasks fit
    // where an m7g.large (8 GiB, 7985 MiB) fits one.
    assert_eq!(running_at_end(&cluster("r7g.large", 1, 256, 5000, 4, "bridge")), 3);
    assert_eq!(running_at_end(&cluster("m7g.large", 1, 256, 5000, 4, "bridge")), 1);
    // c4.large has 3.75 GiB: 3840 x 7985 / 8192 = 3742 MiB registered; 2 tasks of 1800 MiB fit,
    // 3 do not.
    assert_eq!(running_at_end(&cluster("c4.large", 1, 256, 1800, 3, "bridge")), 2);
}

#[test]
fn a_scenario_defined_instance_type_places_prices_and_speeds_like_a_catalog_one() {
    let defined = "instance_types:\n  x2iedn.xlarge: { vcpus: 4, memory_mib: 131072, max_enis: 4, ipv4_per_eni: 15, \
                   trunk_task_limit: null, price_per_hour: 0.83363, architecture: x86_64, speed: 1.13 }\n\
                   capacity_providers:";
    let yaml = cluster("x2iedn.xlarge", 2, 128, 30000, 9, "awsvpc").replace_once("capacity_providers:", defined);
    // 4 ENIs, the primary one the instance's: 3 awsvpc tasks each, 6 in all (memory allows 4 each).
    let memory = check_every_event(&yaml);
    assert!(memory.rows.iter().all(|r| r.running <= 6));
    assert!(memory.rows.iter().any(|r| r.running == 6));
    let s = scenario(&yaml);
    let (world, _, _) = run(&s);
    let inst = world.instances().iter().next().expect("an instance");
    assert_eq!(inst.type_name(), "x2iedn.xlarge");
    // 131072 x 7985 / 8192 = 127760 MiB registered, 4 x 1024 CPU units.
    assert_eq!((inst.registered_cpu, inst.registered_memory), (4096, 127_760));
    assert_eq!(s.speeds.instance(inst.instance_type.expect("an EC2 instance")), 1.13);
    // `pricing:` and `speed:` override it like a catalog type.
    let s = scenario(&(yaml + "pricing: { instance_types: { x2iedn.xlarge: 0.5 } }\nspeed: { instance_types: { x2iedn.xlarge: 2.0 } }\n"));
    assert_eq!(s.pricing.instance_types.get("x2iedn.xlarge"), Some(&0.5));
    assert_eq!(s.speeds.instance_types.get("x2iedn.xlarge"), Some(&2.0));
}

#[test]
fn a_static_host_port_allows_one_task_per_instance() {
    let yaml = cluster("m5.large", 2, 128, 128, 3, "bridge")
        .replace_once("memory: 128 }]", "memory: 128, port_mappings: [{ container_port: 80, host_port: 8080 }] }]");
    let memory = check_every_event(&yaml);
    assert!(memory.rows.iter().all(|r| r.running <= 2));
    assert!(memory.messages(EventKind::ServiceTaskPlacementFailure)[0].ends_with(
        "is already using a port required by your task (port 8080). Instances 2 filtered out (2 port 8080)."
    ));
}

#[test]
fn a_cluster_without_instances_reports_it() {
    let memory = check_every_event(&cluster("m5.large", 0, 256, 256, 1, "bridge"));
    assert!(memory.messages(EventKind::ServiceTaskPlacementFailure)[0]
        .ends_with("No Container Instances were found in your cluster."));
}

#[test]
fn capacity_provider_strategy_puts_the_base_first_then_splits_by_weight() {
    let yaml = r#"
duration: 5m
zones: [us-east-1a, us-east-1b]
task_definitions:
  t: { cpu: 256, memory: 512, network_mode: awsvpc, container_definitions: [{ name: t, image: t }] }
services:
  s:
    task_definition: t
    desired_count: 7
    capacity_provider_strategy:
      - { capacity_provider: FARGATE, base: 2, weight: 1 }
      - { capacity_provider: FARGATE_SPOT, weight: 4 }
"#;
    let (world, _, _) = run(&scenario(yaml));
    // 2 on FARGATE for the base; the other 5 split 1:4.
    let spot = world.tasks().iter().filter(|t| matches!(t.placement, Placement::Fargate { spot: true, .. })).count();
    assert_eq!((world.tasks().len() - spot, spot), (3, 4));
    // Fargate spreads the service over both zones.
    let in_a =
        world.tasks().iter().filter(|t| matches!(t.placement, Placement::Fargate { zone, .. } if zone.index() == 0));
    assert_eq!(in_a.count(), 4);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Whatever the fleet, the task size and the count, no instance is ever oversubscribed.
    #[test]
    fn no_instance_is_ever_oversubscribed(
        instances in 0u32..5,
        cpu in prop::sample::select(vec![0u32, 128, 256, 512, 1024, 2048]),
        memory in prop::sample::select(vec![128u32, 512, 2048, 4096, 8000]),
        desired in 0u32..20,
        itype in prop::sample::select(vec!["t3.micro", "t3.large", "m5.large", "c5.xlarge"]),
        awsvpc in any::<bool>(),
    ) {
        let mode = if awsvpc { "awsvpc" } else { "bridge" };
        check_every_event(&cluster(itype, instances, cpu, memory, desired, mode));
    }
}

/// Checks that every live task's instance satisfies the service's constraints: no two tasks of the
/// group on one instance under distinctInstance, and only m5 instances under the memberOf used below.
fn assert_constraints_hold(world: &World, distinct: bool, member_of_m5: bool) {
    let mut seen = std::collections::BTreeSet::new();
    for t in world.tasks().iter().filter(|t| t.status != TaskStatus::Stopped) {
        let Placement::Instance(i) = t.placement else { continue };
        if distinct {
            assert!(seen.insert(i), "distinctInstance broken on {}", world.instances().get(i).label());
        }
        if member_of_m5 {
            assert!(world.instances().get(i).type_name().starts_with("m5."));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    /// Whatever the strategies and constraints, no instance is oversubscribed and every constraint
    /// holds for every placed task, at every event.
    #[test]
    fn strategies_and_constraints_never_break_the_rules(
        per_type in (0u32..4, 0u32..4),
        memory in prop::sample::select(vec![128u32, 1024, 3000, 7000]),
        desired in 0u32..16,
        strategy in prop::sample::select(vec![
            "[]",
            "[{ type: binpack, field: memory }]",
            "[{ type: binpack, field: cpu }, { type: random }]",
            "[{ type: spread, field: instanceId }]",
            "[{ type: spread, field: \"attribute:ecs.availability-zone\" }, { type: binpack, field: memory }]",
            "[{ type: random }]",
        ]),
        distinct in any::<bool>(),
        member_of_m5 in any::<bool>(),
        scale_to in 0u32..16,
    ) {
        let mut constraints = vec![];
        if distinct { constraints.push("{ type: distinctInstance }".to_string()); }
        if member_of_m5 { constraints.push("{ type: memberOf, expression: \"attribute:ecs.instance-type =~ m5\\\\..*\" }".to_string()); }
        let yaml = format!(
            r#"
duration: 20m
zones: [us-east-1a, us-east-1b]
task_definitions:
  t: {{ container_definitions: [{{ name: t, image: t, cpu: 256, memory: {memory} }}] }}
capacity_providers:
  m5: {{ auto_scaling_group: {{ instance_type: m5.large, desired_capacity: {} }} }}
  c5: {{ auto_scaling_group: {{ instance_type: c5.large, desired_capacity: {} }} }}
services:
  s: {{ task_definition: t, desired_count: {desired}, launch_type: EC2, placement_strategy: {strategy}, placement_constraints: [{}] }}
faults: [{{ at: 5m, stop_tasks: {{ service: s, count: 2 }} }}]
actions: [{{ at: 10m, update_service: {{ service: s, desired_count: {scale_to} }} }}]
"#,
            per_type.0, per_type.1, constraints.join(", ")
        );
        let s = scenario(&yaml);
        let mut memory = Memory::default();
        let mut sim = Simulation::new(&s, &mut memory, false);
        while sim.step().is_some() {
            assert_no_oversubscription(sim.world());
            assert_constraints_hold(sim.world(), distinct, member_of_m5);
        }
    }
}
