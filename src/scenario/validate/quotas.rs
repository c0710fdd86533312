//! Amazon ECS service quotas a scenario stays within (aws-behaviour.md §6.6, DG: Service quotas):
//! the numbers a real cluster cannot pass, and also what keeps every run within what the engine
//! can honour (a group of 100,000 instances or 20,000 services validated, then exhausted memory).
//!
//! Each quota is written once here and used wherever a count is checked.

use crate::capacity::{CapacityProvider, ExternalFleet};
use crate::scenario::path::Path;

use super::checker::Checker;

/// Tasks per service (desired count, scalable target capacity, a RunTask entry's count).
pub const TASKS_PER_SERVICE: i64 = 5_000;
/// Container instances per cluster: every Auto Scaling group at its maximum, and every external
/// instance.
pub const INSTANCES_PER_CLUSTER: u64 = 5_000;
/// Services per cluster.
pub const SERVICES_PER_CLUSTER: usize = 5_000;

/// Checks the cluster-wide quotas: the instances the groups may grow to with the external
/// fleets, and the number of services.
pub fn check<'a>(
    c: &mut Checker,
    providers: impl Iterator<Item = &'a CapacityProvider>,
    fleets: &[ExternalFleet],
    services: usize,
) {
    let groups: u64 = providers.filter_map(|p| p.auto_scaling_group()).map(|g| u64::from(g.max_size)).sum();
    let external: u64 = fleets.iter().map(|f| u64::from(f.count)).sum();
    if groups + external > INSTANCES_PER_CLUSTER {
        let (path, what) = if groups >= external {
            (Path::root("capacity_providers"), format!("the Auto Scaling groups may grow to {groups} instances"))
        } else {
            (Path::root("external_instances"), format!("the external fleets register {external} instances"))
        };
        let message = format!(
            "{what} ({} in all): a cluster holds at most {INSTANCES_PER_CLUSTER} container instances (ECS service quota)",
            groups + external
        );
        c.error(&path, &message, Some("split the fleet over several scenarios, or use larger instance types"));
    }
    if services > SERVICES_PER_CLUSTER {
        let message =
            format!("{services} services: a cluster holds at most {SERVICES_PER_CLUSTER} (ECS service quota)");
        c.error(&Path::root("services"), &message, None);
    }
}
