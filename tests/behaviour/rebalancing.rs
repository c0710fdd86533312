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
