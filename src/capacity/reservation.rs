//! The pure part of managed scaling (aws-behaviour.md §5.2): how many instances a provider's tasks
//! need, and the CapacityProviderReservation metric built from it.
//!
//! ECS estimates M by grouping tasks of identical requirements and binpacking them onto the
//! group's **largest** instance type, leaving out tasks that would not fit even an empty instance
//! of its **smallest** type. ecsim binpacks first-fit decreasing (largest CPU, then memory, first)
//! over every group together: for one group of identical tasks, the usual case, that is exactly
//! `ceil(tasks / tasks per instance)`; for several it is a realistic packing rather than AWS's
//! unpublished lower bound.

use std::collections::BTreeSet;

use crate::catalog::{CpuArchitecture, InstanceType};
use crate::placement::MAX_RESERVED_PORTS;
use crate::task::{HostPort, TaskDefinition};

use super::AGENT_RESERVED_PORTS;

/// What one task needs of an instance.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct TaskNeed {
    pub cpu: u32,
    pub memory: u32,
    /// An awsvpc task takes one of the instance's ENIs.
    pub eni: bool,
    /// Static host ports it binds: one such task per instance and port.
    pub ports: Vec<HostPort>,
    pub architecture: Option<CpuArchitecture>,
}

impl TaskNeed {
    pub fn of(td: &TaskDefinition) -> Self {
        let mut ports: Vec<HostPort> = td.static_host_ports().collect();
        ports.sort();
        TaskNeed {
            cpu: td.reserved_cpu(),
            memory: td.reserved_memory(),
            eni: td.uses_eni(),
            ports,
            architecture: td.cpu_architecture,
        }
    }
}

/// What an empty instance of a type offers as the group registers it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shape {
    pub cpu: u32,
    pub memory: u32,
    /// awsvpc tasks it can run (ENIs, or the trunked limit).
    pub enis: u32,
    pub architecture: CpuArchitecture,
}

impl Shape {
    /// An instance of `itype` with the agent's `ECS_RESERVED_MEMORY` and the trunking setting.
    pub fn of(itype: &InstanceType, ecs_reserved_memory: u32, trunking: bool) -> Self {
        Shape {
            cpu: itype.registered_cpu(),
            memory: itype.registered_memory_mib(ecs_reserved_memory),
            enis: itype.awsvpc_task_limit(trunking),
            architecture: itype.architecture,
        }
    }
}

/// One instance being filled by the estimate.
struct Bin {
    cpu: u32,
    memory: u32,
    enis: u32,
    ports: BTreeSet<HostPort>,
}

impl Bin {
    fn empty() -> Self {
        Bin {
            cpu: 0,
            memory: 0,
            enis: 0,
            ports: AGENT_RESERVED_PORTS.iter().map(|p| (crate::task::Protocol::Tcp, *p)).collect(),
        }
    }

    fn fits(&self, need: &TaskNeed, shape: &Shape) -> bool {
        need.architecture.is_none_or(|a| a == shape.architecture)
            && self.cpu + need.cpu <= shape.cpu
            && self.memory + need.memory <= shape.memory
            && (!need.eni || self.enis < shape.enis)
            && need.ports.iter().all(|p| !self.ports.contains(p))
            && self.ports.len() + need.ports.len() <= MAX_RESERVED_PORTS
    }

    fn take(&mut self, need: &TaskNeed) {
        self.cpu += need.cpu;
        self.memory += need.memory;
        self.enis += u32::from(need.eni);
        self.ports.extend(need.ports.iter().copied());
    }
}

/// Instances of `largest` shape needed for `tasks` (requirements with a count each), leaving out
/// those that do not fit an empty instance of `smallest` shape; first-fit decreasing.
pub fn instances_needed(tasks: &[(TaskNeed, u32)], largest: &Shape, smallest: &Shape) -> u32 {
    let mut groups: Vec<&(TaskNeed, u32)> = tasks.iter().filter(|(n, _)| Bin::empty().fits(n, smallest)).collect();
    // Decreasing CPU, then memory; the full requirement (then the count) breaks ties.
    groups.sort_by(|a, b| (b.0.cpu, b.0.memory, &b.0, b.1).cmp(&(a.0.cpu, a.0.memory, &a.0, a.1)));
    let mut bins: Vec<Bin> = Vec::new();
    for (need, count) in groups {
        // Bins before `first` are known not to fit this requirement any more.
        let mut first = 0;
        for _ in 0..*count {
            while first < bins.len() && !bins[first].fits(need, largest) {
                first += 1;
            }
            if first == bins.len() {
                let bin = Bin::empty();
                if !bin.fits(need, largest) {
                    break;
                }
                bins.push(bin);
            }
            bins[first].take(need);
        }
    }
    bins.len() as u32
}

/// CapacityProviderReservation, percent: `M / N × 100`, with AWS's special cases N = 0: 100 when
/// nothing is needed (M = 0), 200 otherwise.
pub fn capacity_provider_reservation(needed: u32, in_service: u32) -> f64 {
    match (needed, in_service) {
        (0, 0) => 100.0,
        (_, 0) => 200.0,
        (m, n) => f64::from(m) * 100.0 / f64::from(n),
    }
}

/// CapacityProviderReservation while nothing waits for capacity (M <= N), percent: `100 − the
/// number of empty instances` (aws-behaviour.md §5.2, the ECS guide's managed scale-in: "if the
/// number of empty container instances is 2, the value is set to 98%"), never below 0.
pub fn scale_in_reservation(empty: u32) -> f64 {
    f64::from(100u32.saturating_sub(empty))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn during_scale_in_the_reservation_is_100_minus_the_empty_instances() {
        // The guide's example: 2 empty instances → 98 %, whatever the group's size.
        assert_eq!(scale_in_reservation(2), 98.0);
        assert_eq!(scale_in_reservation(0), 100.0);
        assert_eq!(scale_in_reservation(300), 0.0);
    }
    use crate::catalog::instance_type;

    fn shape(name: &str) -> Shape {
        Shape::of(instance_type(name).unwrap(), 0, false)
    }

    fn need(cpu: u32, memory: u32) -> TaskNeed {
        TaskNeed { cpu, memory, eni: false, ports: Vec::new(), architecture: None }
    }

    #[test]
    fn aws_examples_of_the_metric() {
        // AWS's example: 2 instances needed, 3 in service: 2 / 3 × 100 = 66.67 %.
        assert!((capacity_provider_reservation(2, 3) - 66.666).abs() < 0.01);
        // No instance, tasks waiting: 200 % (scale out from zero).
        assert_eq!(capacity_provider_reservation(1, 0), 200.0);
        assert_eq!(capacity_provider_reservation(7, 0), 200.0);
        // No instance and nothing to run: 100 %, at target, no action.
        assert_eq!(capacity_provider_reservation(0, 0), 100.0);
        // Full: 3 needed of 3 → 100 %.
        assert_eq!(capacity_provider_reservation(3, 3), 100.0);
    }

    #[test]
    fn binpacks_onto_the_largest_type() {
        let large = shape("m5.large");
        // 5 tasks of 1 vCPU on 2-vCPU m5.large instances: 2 per instance → ceil(5 / 2) = 3.
        assert_eq!(instances_needed(&[(need(1024, 512), 5)], &large, &large), 3);
        // The same tasks with c5.xlarge (4 vCPU) the largest type: 4 per instance → ceil(5 / 4) = 2.
        assert_eq!(instances_needed(&[(need(1024, 512), 5)], &shape("c5.xlarge"), &large), 2);
        // Memory binds: m5.large registers 7985 MiB; 3000 MiB tasks → 2 per instance; 4 tasks → 2.
        assert_eq!(instances_needed(&[(need(256, 3000), 4)], &large, &large), 2);
        // Mixed requirements pack together first-fit decreasing: a 1536 and a 512 share one
        // instance (2048), the other 512 opens a second: 1536+512, 512 → 2.
        assert_eq!(instances_needed(&[(need(512, 64), 2), (need(1536, 64), 1)], &large, &large), 2);
    }

    #[test]
    fn tasks_that_do_not_fit_the_smallest_type_are_left_out() {
        let (small, big) = (shape("m5.large"), shape("m5.xlarge"));
        // 3 vCPU tasks fit an m5.xlarge (4) but not an m5.large (2): ignored, nothing needed.
        assert_eq!(instances_needed(&[(need(3072, 512), 4)], &big, &small), 0);
        // Alongside them, 2 tasks of 1 vCPU still count: one m5.xlarge.
        assert_eq!(instances_needed(&[(need(3072, 512), 4), (need(1024, 512), 2)], &big, &small), 1);
    }

    #[test]
    fn ports_and_enis_limit_tasks_per_instance() {
        let large = shape("m5.large");
        // A static host port: one task per instance → 3 tasks need 3 instances.
        let port = TaskNeed { ports: vec![(crate::task::Protocol::Tcp, 8080)], ..need(128, 128) };
        assert_eq!(instances_needed(&[(port, 3)], &large, &large), 3);
        // awsvpc on m5.large without trunking: 3 ENIs - 1 = 2 tasks per instance → 5 tasks need 3.
        let eni = TaskNeed { eni: true, ..need(128, 128) };
        assert_eq!(instances_needed(&[(eni, 5)], &large, &large), 3);
    }
}
