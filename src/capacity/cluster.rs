//! Cluster-wide figures of the container instances, as CloudWatch publishes them for a cluster.

use crate::world::World;

/// CloudWatch's CPUReservation and MemoryReservation: percent of registered resources that tasks
/// hold, over the cluster's ACTIVE and DRAINING instances. `None` without such an instance (no
/// datapoint for a scaling alarm; metrics.csv writes 0). Shared by metrics.csv and the metric
/// store of auto scaling, so an alarm reads what the CSV shows.
pub fn cluster_reservation(world: &World) -> Option<(f64, f64)> {
    let pct = |used: u64, total: u64| if total == 0 { 0.0 } else { 100.0 * used as f64 / total as f64 };
    let sum = |f: fn(&super::Instance) -> u32| -> u64 { world.registered_instances().map(|i| u64::from(f(i))).sum() };
    world.registered_instances().next()?;
    Some((
        pct(sum(|i| i.reserved_cpu), sum(|i| i.registered_cpu)),
        pct(sum(|i| i.reserved_memory), sum(|i| i.registered_memory)),
    ))
}
