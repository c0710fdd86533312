//! Auto Scaling groups that change size, and ECS's managed scaling of them on
//! CapacityProviderReservation (aws-behaviour.md §5.2, §5.3, §8).

use crate::common::{run, scenario, Memory, ReplaceOnce};
use ecsim::capacity::{self, GroupLifecycle, InstanceStatus};
use ecsim::ids::{InstanceId, ProviderId};
use ecsim::record::EventKind;
use ecsim::sim::Harness;
use ecsim::task::TaskStatus;
use ecsim::world::{Ctx, World};

/// A group of m5.large (2048 CPU units: two 1024-unit tasks each) with managed scaling and
/// managed termination protection, starting at 0, and a service of `count` tasks. Launches take
/// exactly 60 s.
fn scaling_cluster(count: u32, group: &str, extra: &str) -> String {
    format!(
        r#"
duration: 2h
zones: [us-east-1a]
timing: {{ instance_launch: 60s }}
task_definitions:
  t: {{ container_definitions: [{{ name: t, image: t, cpu: 1024, memory: 512, start_time: 1s }}] }}
capacity_providers:
  ec2:
    auto_scaling_group: {{ instance_type: m5.large, min_size: 0, max_size: 10{group} }}
    managed_scaling: {{}}
    managed_termination_protection: enabled
services:
  s: {{ task_definition: t, desired_count: {count}, capacity_provider_strategy: [{{ capacity_provider: ec2 }}] }}
{extra}"#
    )
}

/// Registration times (s) of the EC2 instances, in order.
fn registrations(rec: &Memory) -> Vec<f64> {
    rec.events
        .iter()
        .filter(|e| e.kind == EventKind::ContainerInstanceRegistered)
        .map(|e| e.time.as_secs_f64())
        .collect()
}

/// (seconds, message) of every change of a group's desired capacity.
fn desired_changes(rec: &Memory) -> Vec<(f64, String)> {
    rec.events
        .iter()
        .filter(|e| e.kind == EventKind::AsgDesiredCapacityChanged)
        .map(|e| (e.time.as_secs_f64(), e.message.clone()))
        .collect()
}

fn running(world: &World) -> usize {
    world.tasks().iter().filter(|t| t.status == TaskStatus::Running).count()
}

#[test]
fn a_group_at_zero_scales_out_in_warm_up_steps_and_places_the_waiting_tasks() {
    let (world, _, rec) = run(&scenario(&scaling_cluster(6, "", "")));
    // 0 s: 6 tasks wait in PROVISIONING (no instance).
    assert_eq!(rec.entered("s-1", "PROVISIONING"), Some(0.0));
    // 60 s, first minute: N = 0, M = ceil(6 / 2) = 3 → CPR 200 → from zero the first step is 2.
    let changes = rec.messages(EventKind::AsgDesiredCapacityChanged);
    assert_eq!(
        changes[0],
        "capacity provider ec2: CapacityProviderReservation 200.0 > target 100 (M=3 instances needed, N=0 in \
         service); Auto Scaling group ec2 desired 0 → 2."
    );
    // Launched at 60 s, registered at 120 s: s-1..s-4 are placed then.
    assert_eq!(&registrations(&rec)[..2], [120.0, 120.0]);
    assert_eq!(rec.entered("s-1", "PENDING"), Some(120.0));
    // 180-300 s: N = 2, M = 3 (CPR 150) but the two instances warm up until 60 + 300 = 360 s.
    // 360 s: desired = ceil(3 × 100 / 100) = 3, one more instance, registered at 420 s.
    assert_eq!(
        changes[1],
        "capacity provider ec2: CapacityProviderReservation 150.0 > target 100 (M=3 instances needed, N=2 in \
         service); Auto Scaling group ec2 desired 2 → 3."
    );
    assert_eq!(registrations(&rec), [120.0, 120.0, 420.0]);
    assert_eq!(rec.entered("s-5", "PENDING"), Some(420.0));
    // Settled: 3 instances, CPR 100, every task running, nothing more to do.
    assert_eq!(changes.len(), 2);
    assert_eq!(world.registered_instances().count(), 3);
    assert_eq!(running(&world), 6);
    let asg = world.providers().iter().find_map(|p| p.auto_scaling_group()).unwrap();
    assert_eq!(asg.desired_capacity, 3);
    let ec2 = ProviderId::from_index(2);
    assert_eq!(world.fleet().capacity_provider_reservation(ec2), Some(100.0));
}

#[test]
fn scale_in_after_fifteen_low_minutes_takes_only_empty_instances() {
    // 6 tasks on 3 instances (2 each); at 30 m the service drops to 2 tasks. Its default spread
    // stops from the instances with the most tasks: 1, 1 and 0 are left, one instance empty.
    let action = "actions: [{ at: 30m, update_service: { service: s, desired_count: 2 } }]\n";
    let (world, _, rec) = run(&scenario(&scaling_cluster(6, "", action)));
    // From the minute of the update itself (tasks told to stop no longer count), one instance is
    // empty: CPR = 100 − 1 = 99 < 100; the 15th such datapoint is at 30 m + 14 m = 44 m (2640 s):
    // desired = floor(3 × 99 / 100) = 2, and only the empty, unprotected instance goes (drained,
    // then terminated at once: nothing runs on it).
    let terminated: Vec<_> = rec.events.iter().filter(|e| e.kind == EventKind::InstanceTerminated).collect();
    assert_eq!(terminated.len(), 1);
    let at = terminated[0].time.as_secs_f64();
    assert_eq!(at, 2640.0);
    let changes = rec.messages(EventKind::AsgDesiredCapacityChanged);
    assert_eq!(
        changes.last().copied(),
        Some(
            "capacity provider ec2: CapacityProviderReservation 99.0 < target 100 (M=2 instances needed, N=3 in \
             service); Auto Scaling group ec2 desired 3 → 2."
        )
    );
    // The service never lost a running task to the scale-in: nothing was stopped by the host.
    assert!(world.tasks().iter().all(|t| t.stopped_reason.as_deref().is_none_or(|r| !r.contains("Host EC2"))));
    assert_eq!(running(&world), 2);
    assert_eq!(world.registered_instances().count(), 2);
    assert!(world.registered_instances().all(|i| i.protected_from_scale_in), "the rest hold tasks: protected");
}

#[test]
fn all_instances_protected_means_desired_drops_and_nothing_terminates() {
    // A group of 3 whose instances launch protected, without managed scaling: lowered to 1 by hand.
    let yaml = r#"
duration: 10m
zones: [us-east-1a, us-east-1b, us-east-1c]
capacity_providers:
  ec2: { auto_scaling_group: { instance_type: m5.large, min_size: 0, max_size: 5, desired_capacity: 3, new_instances_protected_from_scale_in: true } }
"#;
    with_initial_fleet(yaml, |world, ctx, ec2| {
        assert_eq!(capacity::set_desired_capacity(world, ctx, ec2, 1, "operator"), 1);
        assert_eq!(world.registered_instances().count(), 3, "protected instances stay");
        assert!(world.instances().iter().all(|i| i.status == InstanceStatus::Active));
        // Unprotect one: the next convergence terminates it (the group is still above its desired 1).
        capacity::set_instance_protection(world, InstanceId::from_index(1), false);
        capacity::set_desired_capacity(world, ctx, ec2, 0, "operator");
        assert_eq!(
            world.instances().get(InstanceId::from_index(1)).lifecycle,
            GroupLifecycle::Terminating(capacity::Termination::ScaleIn)
        );
        assert!(
            world.instances().get(InstanceId::from_index(1)).is_draining(),
            "managed draining (default) drains it first"
        );
        assert_eq!(world.instances().iter().filter(|i| i.lifecycle == GroupLifecycle::InService).count(), 2);
    });
}

/// Builds the world of `yaml` by hand, registers its initial fleet and hands the world, a
/// context and the first group (provider 2, after FARGATE and FARGATE_SPOT) to `test`; returns
/// what was logged.
fn with_initial_fleet(yaml: &str, test: impl FnOnce(&mut World, &mut Ctx, ProviderId)) -> Memory {
    let scenario = scenario(yaml);
    let mut harness = Harness::new(&scenario, Memory::default()).with_initial_fleet(&scenario);
    harness.act(|world, ctx| test(world, ctx, ProviderId::from_index(2)));
    harness.recorder
}

#[test]
fn set_desired_capacity_clamps_into_min_and_max() {
    let yaml = r#"
duration: 10m
zones: [us-east-1a]
capacity_providers:
  ec2: { auto_scaling_group: { instance_type: m5.large, min_size: 1, max_size: 4 } }
"#;
    let rec = with_initial_fleet(yaml, |world, ctx, ec2| {
        assert_eq!(world.registered_instances().count(), 1, "desired defaults to min_size");
        assert_eq!(capacity::set_desired_capacity(world, ctx, ec2, 9, "policy"), 4);
        assert_eq!(world.fleet().pending_launches(ec2).count(), 3, "launches what it lacks at once");
        assert_eq!(capacity::set_desired_capacity(world, ctx, ec2, 0, "policy"), 1);
    });
    assert_eq!(
        rec.messages(EventKind::AsgDesiredCapacityChanged),
        [
            "policy; Auto Scaling group ec2 desired 1 → 4 (9 asked, clamped into [1, 4]).",
            "policy; Auto Scaling group ec2 desired 4 → 1 (0 asked, clamped into [1, 4]).",
        ]
    );
}

#[test]
fn scale_in_keeps_the_zones_balanced() {
    // 6 instances over 3 zones (2 each), lowered to 3 at 5 m: one goes from each zone.
    let yaml = r#"
duration: 30m
zones: [us-east-1a, us-east-1b, us-east-1c]
timing: { termination_drain_timeout: 1m }
capacity_providers:
  ec2: { auto_scaling_group: { instance_type: m5.large, min_size: 0, max_size: 10, desired_capacity: 6 } }
"#;
    with_initial_fleet(yaml, |world, ctx, ec2| {
        capacity::set_desired_capacity(world, ctx, ec2, 3, "operator");
        let left: Vec<_> = world
            .instances()
            .iter()
            .filter(|i| i.lifecycle == GroupLifecycle::InService)
            .map(|i| i.zone.unwrap().index())
            .collect();
        let mut zones = left.clone();
        zones.sort();
        assert_eq!(zones, [0, 1, 2], "one instance left per zone: {left:?}");
    });
}

#[test]
fn without_managed_draining_a_scaled_in_instance_terminates_at_once() {
    let yaml = r#"
duration: 10m
zones: [us-east-1a]
capacity_providers:
  ec2:
    auto_scaling_group: { instance_type: m5.large, min_size: 0, max_size: 4, desired_capacity: 2 }
    managed_draining: disabled
"#;
    with_initial_fleet(yaml, |world, ctx, ec2| {
        capacity::set_desired_capacity(world, ctx, ec2, 1, "operator");
        assert_eq!(world.registered_instances().count(), 1);
        assert_eq!(world.instances().iter().filter(|i| i.status == InstanceStatus::Inactive).count(), 1);
    });
}

#[test]
fn a_mixed_group_keeps_its_on_demand_base_and_percentage() {
    // Base 1, then 50 % On-Demand: 5 instances = 1 + 4 above the base, 2 of them On-Demand → 3 On-Demand
    // (the first listed type, m5.large) and 2 Spot (lowest_price: c5.large, $0.085 < $0.096).
    let yaml = r#"
duration: 10m
zones: [us-east-1a, us-east-1b]
capacity_providers:
  ec2:
    auto_scaling_group:
      desired_capacity: 5
      mixed_instances_policy:
        instance_types: [m5.large, c5.large, m6i.large]
        on_demand_base_capacity: 1
        on_demand_percentage_above_base_capacity: 50
        spot_allocation_strategy: lowest_price
"#;
    let (world, _, _) = run(&scenario(yaml));
    let kinds: Vec<(&str, bool)> = world.instances().iter().map(|i| (i.type_name(), i.spot)).collect();
    let on_demand: Vec<_> = kinds.iter().filter(|(_, s)| !s).map(|(t, _)| *t).collect();
    let spot: Vec<_> = kinds.iter().filter(|(_, s)| *s).map(|(t, _)| *t).collect();
    assert_eq!(on_demand, ["m5.large"; 3]);
    assert_eq!(spot, ["c5.large"; 2]);
}

#[test]
fn a_spot_interruption_hits_only_the_spot_instances_of_a_mixed_group() {
    let yaml = r#"
duration: 10m
zones: [us-east-1a]
capacity_providers:
  ec2:
    auto_scaling_group:
      desired_capacity: 4
      mixed_instances_policy:
        instance_types: [m5.large, m6i.large]
        on_demand_percentage_above_base_capacity: 50
        spot_allocation_strategy: capacity_optimized
faults: [{ at: 1m, spot_interruption: { provider: ec2, count: 4 } }]
"#;
    let (world, _, rec) = run(&scenario(yaml));
    // 50 % of 4 → 2 On-Demand (m5.large), 2 Spot spread over the types (m5.large, m6i.large).
    let spot: Vec<_> = world.instances().iter().filter(|i| i.spot).map(|i| i.type_name()).collect();
    assert_eq!(&spot[..2], ["m5.large", "m6i.large"]);
    let warnings = rec.messages(EventKind::SpotInterruptionWarning);
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(world.instances().iter().filter(|i| !i.spot).all(|i| i.interruption_at.is_none()));
}

#[test]
fn the_health_check_grace_period_delays_replacing_an_impaired_young_instance() {
    // Impaired at 1 m; tolerated 3 m (→ 4 m) but its 10 m grace period (from its launch at 0 s)
    // runs longer: the group replaces it at 10 m. Without grace it would go at 4 m.
    let with_grace = |grace: &str| {
        format!(
            r#"
duration: 15m
zones: [us-east-1a]
timing: {{ instance_launch: 60s, impaired_instance_tolerance: 3m }}
capacity_providers:
  ec2: {{ auto_scaling_group: {{ instance_type: m5.large, desired_capacity: 1{grace} }} }}
faults: [{{ at: 1m, impair_instances: {{ instance: i-00001 }} }}]
"#
        )
    };
    let terminated_at = |yaml: &str| {
        let (_, _, rec) = run(&scenario(yaml));
        rec.events.iter().find(|e| e.kind == EventKind::InstanceTerminated).map(|e| e.time.as_secs_f64())
    };
    assert_eq!(terminated_at(&with_grace(", health_check_grace_period: 10m")), Some(600.0));
    assert_eq!(terminated_at(&with_grace("")), Some(240.0));
}

#[test]
fn invalid_group_and_managed_scaling_settings_are_reported_with_their_paths() {
    let yaml = r#"
duration: 10m
zones: [us-east-1a]
capacity_providers:
  ec2:
    auto_scaling_group: { instance_type: m5.large, min_size: 3, max_size: 2 }
    managed_scaling: { target_capacity: 0, maximum_scaling_step_size: 20000, instance_warmup_period: 3h }
  mix:
    auto_scaling_group:
      desired_capacity: 1
      instance_type: m5.large
      mixed_instances_policy: { instance_types: [m5.large] }
      default_instance_warmup: 2h
    managed_termination_protection: enabled
"#;
    let Err(err) = ecsim::scenario::load_str(yaml, "bad.yaml", "bad") else { panic!("the scenario is invalid") };
    let err = err.to_string();
    for expected in [
        "capacity_providers.ec2.auto_scaling_group.min_size: min_size (3) must be <= max_size (2)",
        "capacity_providers.ec2.managed_scaling.target_capacity: target_capacity (0) must be between 1 and 100",
        "capacity_providers.ec2.managed_scaling.maximum_scaling_step_size: maximum_scaling_step_size (20000) must be \
         between 1 and 10000",
        "capacity_providers.ec2.managed_scaling.instance_warmup_period: instance_warmup_period must be at most 10000s",
        "capacity_providers.mix.auto_scaling_group: give either `instance_type` or `mixed_instances_policy`",
        "capacity_providers.mix.managed_termination_protection: managed termination protection needs managed scaling",
        // EC2 Auto Scaling's DefaultInstanceWarmup range is 0-3600 s (2 h was accepted before).
        "capacity_providers.mix.auto_scaling_group.default_instance_warmup: default_instance_warmup must be at most \
         3600s",
    ] {
        assert!(err.contains(expected), "missing `{expected}` in:\n{err}");
    }
}

#[test]
fn managed_scaling_does_not_wait_for_the_initial_fleet_to_warm_up() {
    // 2 instances at 0 s hold 4 of the 6 tasks; 2 wait in PROVISIONING. Minute 1 (60 s): N = 2,
    // M = 3, CPR 150 > 100. The two instances were there from the start, not launched by a
    // scale-out: ECS scales out at once, desired ceil(3 × 100 / 100) = 3 (it waited until the
    // 300 s warm-up of instances "launched" at 0 s had run out before).
    let (world, _, rec) = run(&scenario(&scaling_cluster(6, ", desired_capacity: 2", "")));
    let changes = desired_changes(&rec);
    assert_eq!(changes.first().map(|(t, _)| *t), Some(60.0), "{changes:#?}");
    assert!(changes[0].1.contains("CapacityProviderReservation 150.0 > target 100 (M=3 instances needed, N=2"));
    assert!(changes[0].1.ends_with("desired 2 → 3."), "{}", changes[0].1);
    // Launched at 60 s, registered at 120 s: the two waiting tasks run from then on.
    assert_eq!(registrations(&rec), [0.0, 0.0, 120.0]);
    assert_eq!(running(&world), 6);
}

#[test]
fn managed_scale_in_publishes_100_minus_the_empty_instances_and_shrinks_gradually() {
    // 10 instances with one 2048-unit task each; at 30 m the service drops to 8: 2 instances are
    // empty. The ECS guide: CapacityProviderReservation = 100 − empty = 98 (ecsim published
    // M / N = 8 / 10 = 80 before, and went 10 → 8 in one step).
    let action = "actions: [{ at: 30m, update_service: { service: s, desired_count: 8 } }]\n";
    let yaml = scaling_cluster(10, ", desired_capacity: 10", action)
        .replace_once("cpu: 1024, memory: 512", "cpu: 2048, memory: 512")
        .replace_once("duration: 2h", "duration: 50m");
    let (world, _, rec) = run(&scenario(&yaml));
    let changes = desired_changes(&rec);
    // 98 from minute 30 on; the 15th datapoint below 100 is at 44 m (2640 s): floor(10 × 98 /
    // 100) = 9. One empty instance goes; at 45 m (2700 s) 1 of 9 is empty: 99 → floor(8.91) = 8.
    // At 46 m none is empty: 100, on target, and the group stays at 8.
    let expected = [
        (2640.0, "CapacityProviderReservation 98.0 < target 100 (M=8 instances needed, N=10 in service); Auto Scaling group ec2 desired 10 → 9."),
        (2700.0, "CapacityProviderReservation 99.0 < target 100 (M=8 instances needed, N=9 in service); Auto Scaling group ec2 desired 9 → 8."),
    ];
    assert_eq!(changes.len(), 2, "{changes:#?}");
    for ((at, message), (want_at, want)) in changes.iter().zip(expected) {
        assert_eq!(*at, want_at, "{message}");
        assert!(message.ends_with(want), "{message}");
    }
    let reservation = world.fleet().capacity_provider_reservation(ProviderId::from_index(2));
    assert_eq!(reservation, Some(100.0));
    assert_eq!(world.registered_instances().count(), 8);
    assert_eq!(running(&world), 8);
}
