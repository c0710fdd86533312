//! CPU that tasks use over a minute, and what it makes of an Auto Scaling group's
//! `ASGAverageCPUUtilization` (aws-behaviour.md §8).
//!
//! ecsim has no per-task CPU trace; a task uses what its service's model says, the same rule
//! the service's own CPUUtilization datapoint follows (aws-behaviour.md §10):
//! - behind a load balancer: the service's CPU-seconds of the minute (the traffic model's work),
//!   shared equally among its RUNNING tasks;
//! - with a `load:` profile: the demand over the reservation of its RUNNING tasks, capped at
//!   1, times each task's reservation (for alike tasks: the demand spread evenly, capped at each
//!   task's reservation);
//! - otherwise nothing (an idle task).
//!
//! The group's metric is the aggregate ratio: CPU-seconds used on its counted instances over
//! their vCPUs × 60 s. AWS averages per-instance utilizations; the two are equal when the
//! instances are alike (the same type), which is the common case, and differ only in weighting
//! otherwise (a busy small instance weighs more in AWS's average).

use std::collections::BTreeMap;

use crate::ids::{InstanceId, ServiceId};
use crate::task::{TaskOwner, TaskStatus};
use crate::world::World;

/// Seconds in the one-minute period of a datapoint.
const PERIOD_SECONDS: f64 = 60.0;
/// CPU units per vCPU.
const UNITS_PER_VCPU: f64 = 1024.0;

/// How much CPU each RUNNING task of a service used in the minute.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum TaskUse {
    /// The same CPU-seconds for every task.
    Seconds(f64),
    /// This fraction of each task's own CPU reservation, all the minute long.
    OfReservation(f64),
}

impl TaskUse {
    /// A service behind a load balancer: its CPU-seconds shared equally among `running` tasks.
    pub fn shared(cpu_seconds: f64, running: u32) -> TaskUse {
        TaskUse::Seconds(if running == 0 { 0.0 } else { cpu_seconds / f64::from(running) })
    }

    /// CPU-seconds a task reserving `reserved_cpu` units used.
    pub fn seconds(self, reserved_cpu: u32) -> f64 {
        match self {
            TaskUse::Seconds(s) => s,
            TaskUse::OfReservation(f) => f * f64::from(reserved_cpu) / UNITS_PER_VCPU * PERIOD_SECONDS,
        }
    }
}

/// What a `load:` profile's demand (CPU units or MiB in use across the service) makes of the
/// `reserved` total of its RUNNING tasks: the fraction used, capped at 1. `None` without a
/// reservation (no task RUNNING). Service CPUUtilization and MemoryUtilization are 100 × this.
pub fn load_fraction(demand: f64, reserved: f64) -> Option<f64> {
    (reserved > 0.0).then(|| (demand / reserved).clamp(0.0, 1.0))
}

/// ASGAverageCPUUtilization, percent, of instances given as (registered CPU units, CPU-seconds
/// used in the minute); `None` without an instance (no datapoint).
pub fn asg_average_cpu(instances: &[(u32, f64)]) -> Option<f64> {
    if instances.is_empty() {
        return None;
    }
    let (units, used) = instances.iter().fold((0.0, 0.0), |(u, s), (cpu, secs)| (u + f64::from(*cpu), s + secs));
    (units > 0.0).then(|| 100.0 * used / (units / UNITS_PER_VCPU * PERIOD_SECONDS))
}

/// The (registered CPU units, CPU-seconds used) of each instance of `instances`, its RUNNING
/// service tasks using what `uses` says of their service.
pub fn instance_use(world: &World, instances: &[InstanceId], uses: &BTreeMap<ServiceId, TaskUse>) -> Vec<(u32, f64)> {
    instances
        .iter()
        .map(|id| {
            let instance = world.instances.get(*id);
            let used = instance
                .tasks
                .iter()
                .map(|t| world.tasks.get(*t))
                .filter(|t| t.status == TaskStatus::Running)
                .filter_map(|t| match t.owner {
                    TaskOwner::Service(s) => {
                        let reserved = world.task_definition(t.task_definition).reserved_cpu();
                        uses.get(&s).map(|u| u.seconds(reserved))
                    }
                    TaskOwner::Standalone(_) => None,
                })
                .sum();
            (instance.registered_cpu, used)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_load_balanced_service_shares_its_cpu_seconds_equally() {
        // 90 CPU-seconds over 3 RUNNING tasks: 30 each, whatever their size.
        assert_eq!(TaskUse::shared(90.0, 3).seconds(512), 30.0);
        assert_eq!(TaskUse::shared(90.0, 0).seconds(512), 0.0);
    }

    #[test]
    fn a_load_profile_uses_its_demand_capped_at_the_reservation() {
        // 3072 units demanded of 4 × 1024 reserved: 75 %; a 1024-unit task uses 0.75 vCPU × 60 s.
        let f = load_fraction(3072.0, 4096.0).unwrap();
        assert_eq!(f, 0.75);
        assert_eq!(TaskUse::OfReservation(f).seconds(1024), 45.0);
        // More demand than reserved: each task at its reservation, no more.
        assert_eq!(load_fraction(10_000.0, 4096.0), Some(1.0));
        assert_eq!(load_fraction(1.0, 0.0), None);
    }

    #[test]
    fn the_group_metric_is_cpu_seconds_over_vcpu_minutes() {
        // Two m5.large (2 vCPU = 2048 units): 45 + 0 CPU-seconds and 90 CPU-seconds over 4 vCPU ×
        // 60 s = 240 vCPU-seconds: 135 / 240 = 56.25 %. Per-instance 37.5 % and 75 % average to
        // the same 56.25 % (alike instances).
        assert_eq!(asg_average_cpu(&[(2048, 45.0), (2048, 90.0)]), Some(56.25));
        // An idle instance still counts in the denominator.
        assert_eq!(asg_average_cpu(&[(2048, 60.0), (2048, 0.0)]), Some(25.0));
        // No counted instance: no datapoint.
        assert_eq!(asg_average_cpu(&[]), None);
    }
}
