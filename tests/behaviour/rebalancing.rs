//! Availability Zone rebalancing converges whatever the capacity provider strategy (aws-behaviour.md
//! §4.5, §5.1): one provider, FARGATE + FARGATE_SPOT with a base and weights, two Auto Scaling
//! groups with a base and weights, over the same zones or not.

use ecsim::record::EventKind;
use ecsim::task::{Placement, TaskStatus};

use crate::common::{run, scenario};

/// A service of 6 tasks over three zones whose zone us-east-1b is lost from 10 to 30 min, with the
/// given capacity (a `launch_type:` or `capacity_provider_strategy:` value) and providers.
fn yaml(capacity: &str, providers: &str) -> String {
    let spread = if providers.is_empty() {
        ""
    } else {
        "placement_strategy: [{ type: spread, field: \"attribute:ecs.availability-zone\" }]"
    };
    format!(
        r#"
duration: 90m
zones: [us-east-1a, us-east-1b, us-east-1c]
task_definitions:
  api: {{ cpu: 256, memory: 512, network_mode: awsvpc, container_definitions: [{{ name: api, image: api }}] }}
{providers}
services:
  api:
    task_definition: api
    desired_count: 6
    {spread}
    {capacity}
faults:
  - {{ at: 10m, az_outage: {{ zone: us-east-1b, for: 20m }} }}
"#
    )
}

const TWO_GROUPS: &str = r#"capacity_providers:
  a: { auto_scaling_group: { instance_type: m5.large, desired_capacity: 3 } }
  b: { auto_scaling_group: { instance_type: m5.large, desired_capacity: 3 } }"#;

const UNEVEN: &str = r#"capacity_providers:
  a: { auto_scaling_group: { instance_type: m5.large, desired_capacity: 3 } }
  b: { auto_scaling_group: { instance_type: m5.large, desired_capacity: 2, availability_zones: [us-east-1a] } }"#;

#[test]
fn rebalancing_converges_with_every_strategy_shape() {
    let shapes = [
        ("launch_type: FARGATE", ""),
        ("capacity_provider_strategy: [{ capacity_provider: FARGATE, base: 2, weight: 1 }, { capacity_provider: FARGATE_SPOT, weight: 1 }]", ""),
        ("capacity_provider_strategy: [{ capacity_provider: FARGATE, weight: 1 }, { capacity_provider: FARGATE_SPOT, weight: 3 }]", ""),
        ("capacity_provider_strategy: [{ capacity_provider: a }]", TWO_GROUPS),
        ("capacity_provider_strategy: [{ capacity_provider: a, base: 2, weight: 1 }, { capacity_provider: b, weight: 1 }]", TWO_GROUPS),
        ("capacity_provider_strategy: [{ capacity_provider: a, weight: 1 }, { capacity_provider: b, weight: 2 }]", TWO_GROUPS),
        ("capacity_provider_strategy: [{ capacity_provider: a, base: 2, weight: 1 }, { capacity_provider: b, weight: 1 }]", UNEVEN),
        ("capacity_provider_strategy: [{ capacity_provider: b, base: 2, weight: 1 }, { capacity_provider: a, weight: 1 }]", UNEVEN),
        ("capacity_provider_strategy: [{ capacity_provider: a, weight: 1 }, { capacity_provider: b, weight: 1 }]", UNEVEN),
    ];
    for (capacity, providers) in shapes {
        let (world, summary, rec) = run(&scenario(&yaml(capacity, providers)));
        let moved = summary.services[0].stop_reasons.get("Availability Zone rebalancing").copied().unwrap_or(0);
        let started = rec.messages(EventKind::ServiceRebalancingStarted).len();
        let finished = rec.messages(EventKind::ServiceRebalancingCompleted).len();
        let running: Vec<_> = world.tasks().iter().filter(|t| t.status == TaskStatus::Running).collect();
        let mut per_zone = [0; 3];
        for t in &running {
            let zone = match t.placement {
                Placement::Fargate { zone, .. } => Some(zone),
                Placement::Instance(i) => world.instances().get(i).zone,
                Placement::AwaitingCapacity(_) => None,
            };
            per_zone[zone.expect("a running task has a zone").index()] += 1;
        }
        // Zone us-east-1b comes back empty at 30 min with the 6 tasks 3 + 3 in the other two:
        // 2 moves balance them 2 + 2 + 2, and a group that rebalances its own instances (launch in
        // us-east-1b, drain one in us-east-1a) can displace one task more: 3 at most. Before the
        // fix, a strategy with a group in one zone moved 13 tasks in the hour (replacements sent
        // back to the full zone), or hung "started" with a replacement that could not be placed.
        assert!(moved <= 3, "{capacity}: {moved} tasks moved, 3 at most are needed");
        assert_eq!(started, finished, "{capacity}: every rebalancing that starts finishes");
        assert_eq!(running.len(), 6, "{capacity}: the desired count runs, no more");
        // Every shape ends 2 + 2 + 2 but one: a base of 2 (then half the rest) on the group that
        // has only us-east-1a puts 4 tasks there, as the strategy asks; the other 2 stay put.
        let expected = if capacity.contains("capacity_provider: b, base: 2") { [4, 0, 2] } else { [2, 2, 2] };
        assert_eq!(per_zone, expected, "{capacity}");
    }
}

/// One random strategy shape over `providers` ("fargate" or "groups"): 1 or 2 of its providers,
/// each with a base (the first only) and a weight, at least one weight positive.
fn strategy(groups: bool, two: bool, base: u32, weights: (u32, u32)) -> String {
    let (first, second) = if groups { ("a", "b") } else { ("FARGATE", "FARGATE_SPOT") };
    let (w1, w2) = (weights.0, weights.1.max(u32::from(weights.0 == 0)));
    if two {
        format!(
            "capacity_provider_strategy: [{{ capacity_provider: {first}, base: {base}, weight: {w1} }}, \
             {{ capacity_provider: {second}, weight: {w2} }}]"
        )
    } else {
        format!("capacity_provider_strategy: [{{ capacity_provider: {first}, base: {base}, weight: 1 }}]")
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 200, ..Default::default() })]

    /// Whatever the strategy (FARGATE + FARGATE_SPOT or two groups, with a base and weights), the
    /// zones, the desired count, a load balancer's health checks or none, and the faults (a zone outage, Spot interruptions of FARGATE_SPOT
    /// with no Spot capacity for a while, once or again and again), rebalancing settles: an hour after the last fault the
    /// service runs its desired count, every rebalancing that started has finished, and none
    /// starts in the last half hour. The reported loop (84 tasks moved in an hour, 7 of 6
    /// running) would fail all three.
    #[test]
    fn rebalancing_settles_after_any_faults(
        groups in proptest::bool::ANY,
        two in proptest::bool::ANY,
        base in 0u32..4,
        weights in (0u32..4, 0u32..4),
        desired in 2u32..9,
        three_zones in proptest::bool::ANY,
        outage in proptest::option::of((0usize..3, 5u32..30, 5u32..30)),
        spot in proptest::option::of((5u32..40, 1u32..4, 1u32..20)),
        uneven in proptest::bool::ANY,
        again in proptest::bool::ANY,
        behind_a_load_balancer in proptest::bool::ANY,
    ) {
        let zones: &[&str] = if three_zones { &["us-east-1a", "us-east-1b", "us-east-1c"] } else { &["us-east-1a", "us-east-1b"] };
        let mut faults = String::new();
        if let Some((zone, at, length)) = outage {
            let zone = zones[zone % zones.len()];
            faults += &format!("  - {{ at: {at}m, az_outage: {{ zone: {zone}, for: {length}m }} }}\n");
        }
        if let (Some((at, count, off)), false) = (spot, groups) {
            // Once, or again and again until an hour in.
            let when = if again { format!("every: {at}m, until: 60m") } else { format!("at: {at}m") };
            faults += &format!(
                "  - {{ {when}, spot_interruption: {{ provider: FARGATE_SPOT, count: {count}, unavailable_for: {off}m }} }}\n"
            );
        }
        let faults = if faults.is_empty() { "faults: []".to_string() } else { format!("faults:\n{faults}") };
        // Room for every task on either group (an m5.large takes two awsvpc tasks), even on b
        // alone when it has one zone.
        let providers = if !groups {
            ""
        } else if uneven {
            "capacity_providers:
  a: { auto_scaling_group: { instance_type: m5.large, desired_capacity: 6 } }
  b: { auto_scaling_group: { instance_type: m5.large, desired_capacity: 4, availability_zones: [us-east-1a] } }"
        } else {
            "capacity_providers:
  a: { auto_scaling_group: { instance_type: m5.large, desired_capacity: 6 } }
  b: { auto_scaling_group: { instance_type: m5.large, desired_capacity: 6 } }"
        };
        let yaml = format!(
            r#"
duration: 150m
zones: [{zones}]
task_definitions:
  api: {{ cpu: 256, memory: 512, network_mode: awsvpc, container_definitions: [{{ name: api, image: api }}] }}
{providers}
{load_balancers}
services:
  api:
    task_definition: api
    desired_count: {desired}
    {spread}
    {capacity}
    {target_group}
{faults}
"#,
            zones = zones.join(", "),
            spread = if groups { "placement_strategy: [{ type: spread, field: \"attribute:ecs.availability-zone\" }]" } else { "" },
            capacity = strategy(groups, two, base, weights),
            load_balancers = if behind_a_load_balancer { "load_balancers: { lb: { target_groups: { tg: {} } } }" } else { "" },
            target_group = if behind_a_load_balancer { "load_balancer: tg" } else { "" },
        );
        let (world, _, rec) = run(&scenario(&yaml));
        let running = world.tasks().iter().filter(|t| t.status == TaskStatus::Running).count();
        let started: Vec<f64> = rec
            .events
            .iter()
            .filter(|e| e.kind == EventKind::ServiceRebalancingStarted)
            .map(|e| e.time.as_secs_f64())
            .collect();
        let finished = rec.messages(EventKind::ServiceRebalancingCompleted).len();
        proptest::prop_assert_eq!(running, desired as usize, "{}: running {} of {}", yaml, running, desired);
        proptest::prop_assert_eq!(started.len(), finished, "{}: every rebalancing that starts finishes", yaml);
        proptest::prop_assert!(started.iter().all(|t| *t < 120.0 * 60.0), "{}: rebalancing still starting at {:?}", yaml, started);
    }
}
