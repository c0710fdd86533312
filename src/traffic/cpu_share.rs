//! How the vCPUs of one EC2 (or external) instance are divided among the tasks on it that want
//! CPU, the way Linux's CFS divides them among the tasks' cgroups (aws-behaviour.md §1.1).
//!
//! Each task has a *weight* (its cgroup's CPU shares), a *cap* (its task-level `cpu`, a hard CFS
//! quota; without one, the instance's vCPUs) and a *demand* (the vCPUs it could use now: one per
//! request in its CPU phase, since a request is one thread). When the demands fit, every task gets
//! what it asks for, so a lone task with container-level `cpu` only uses idle vCPUs beyond its
//! units: shares are a floor under contention, not a cap. When they do not fit, the instance's
//! vCPUs are divided by weighted max-min fairness (water-filling): a level `θ` such that each task
//! gets `min(demand, cap, θ·weight)` and the allocations add up to the instance's vCPUs. A Fargate
//! task is alone on its host: its size is its cap and it contends with nobody.
//!
//! [`limits`] returns each task's *limit* `ℓ`, the vCPUs its requests may share: `cap` when the
//! instance has CPU to spare, `min(cap, θ·weight)` when it has not. A task with `n` requests in
//! its CPU phase then runs at `min(n, ℓ)` vCPUs, exactly its allocation; and `ℓ` does not move
//! while the instance has CPU to spare, so on a lightly loaded instance a request arriving at
//! one task changes no other task's rate. [`rebalance`] applies the limits to the tasks on an
//! instance, in both fidelities (the request-level one after every change of a task's requests
//! in service, the fluid one once a span, from each task's offered CPU load).
//!
//! Weights, as the ECS agent sets them on Linux: a task without task-level `cpu` has the sum of
//! its containers' `cpu` (each below 2 counting as 2, the kernel's minimum); a task with one has
//! a CFS quota and no shares of its own, so the kernel's default of 1024. Tasks without a load
//! balancer (and `load:` patterns) place no demand here: their CPU is not modelled per request.

use crate::engine::SimTime;
use crate::ids::{InstanceId, TaskId};
use crate::task::{Placement, TaskDefinition};

use super::backend::Backend;

/// The kernel's smallest `cpu.shares`: what a container with `cpu` below it gets.
pub const MINIMUM_SHARES: u32 = 2;
/// The shares of a task cgroup the ECS agent gives a quota and no shares (task-level `cpu`):
/// the kernel's default.
pub const DEFAULT_CGROUP_SHARES: u32 = 1024;

/// One task's claim on its instance's vCPUs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Claim {
    /// CPU shares (relative; > 0).
    pub weight: f64,
    /// The most vCPUs it may ever use.
    pub cap: f64,
    /// The vCPUs it could use now.
    pub demand: f64,
}

/// Where a task's CPU comes from: its instance (`None` on Fargate: nobody to contend with),
/// that instance's vCPUs, and the task's weight and cap there.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TaskCpu {
    pub host: Option<(InstanceId, f64)>,
    pub weight: f64,
    pub cap: f64,
}

impl TaskCpu {
    /// The CPU rules of a task of `td` placed at `placement`, on an instance registering
    /// `instance_cpu` CPU units (if on one). `reserved_vcpus` is what a task alone on its host
    /// (Fargate, or awaiting capacity) may use.
    pub fn of(td: &TaskDefinition, placement: Placement, instance_cpu: Option<u32>, reserved_vcpus: f64) -> Self {
        let vcpus = |units: u32| f64::from(units) / 1024.0;
        match (placement, instance_cpu) {
            (Placement::Instance(i), Some(units)) => {
                let host = vcpus(units);
                let (weight, cap) = match td.cpu {
                    Some(cpu) => (DEFAULT_CGROUP_SHARES, vcpus(cpu).min(host)),
                    None => {
                        (td.containers.iter().map(|c| c.cpu.max(MINIMUM_SHARES)).sum::<u32>().max(MINIMUM_SHARES), host)
                    }
                };
                TaskCpu { host: Some((i, host)), weight: f64::from(weight), cap }
            }
            _ => TaskCpu { host: None, weight: f64::from(DEFAULT_CGROUP_SHARES), cap: reserved_vcpus },
        }
    }

    pub fn instance(&self) -> Option<InstanceId> {
        self.host.map(|(i, _)| i)
    }
}

/// Each claim's limit `ℓ` on an instance of `vcpus` vCPUs (see the module docs): `cap` when the
/// demands fit, else `min(cap, θ·weight)` at the water level `θ`. Linear after a sort of the
/// (few) claims; the result does not depend on their order.
pub fn limits(vcpus: f64, claims: &[Claim]) -> Vec<f64> {
    let wanted = |c: &Claim| c.demand.clamp(0.0, c.cap);
    let asked: f64 = claims.iter().map(wanted).sum();
    if asked <= vcpus {
        return claims.iter().map(|c| c.cap).collect();
    }
    // Fill the claims in order of demand per share: each one that fits under the level of what
    // is left gets its demand; the first that does not sets the level for itself and the rest.
    let mut order: Vec<usize> = (0..claims.len()).collect();
    order.sort_by(|&a, &b| {
        let key = |i: usize| wanted(&claims[i]) / claims[i].weight;
        key(a).total_cmp(&key(b)).then(a.cmp(&b))
    });
    let (mut left, mut weight_left) = (vcpus, claims.iter().map(|c| c.weight).sum::<f64>());
    let mut level = f64::INFINITY;
    for i in order {
        let c = &claims[i];
        if wanted(c) * weight_left <= left * c.weight {
            left -= wanted(c);
            weight_left -= c.weight;
        } else {
            level = left.max(0.0) / weight_left;
            break;
        }
    }
    claims.iter().map(|c| c.cap.min(level * c.weight)).collect()
}

/// What each claim gets: `min(demand, limit)`.
pub fn allocations(vcpus: f64, claims: &[Claim]) -> Vec<f64> {
    let limits = limits(vcpus, claims);
    claims.iter().zip(limits).map(|(c, l)| c.demand.clamp(0.0, c.cap).min(l)).collect()
}

/// The backends on one instance, who share its CPU, and whether their limits can still move.
#[derive(Clone, Debug, Default)]
pub struct Sharers {
    /// In task order.
    tasks: Vec<TaskId>,
    /// The tasks' caps fit in the instance and every limit is its cap: no demand can move a
    /// limit until a task comes or goes, so [`rebalance`] has nothing to look at (the common
    /// case of tasks with task-level `cpu` on an instance not overcommitted).
    fixed: bool,
}

impl Sharers {
    pub fn add(&mut self, task: TaskId) {
        self.tasks.push(task);
        self.tasks.sort_unstable();
        self.fixed = false;
    }

    pub fn remove(&mut self, task: TaskId) {
        self.tasks.retain(|&t| t != task);
        self.fixed = false;
    }

    /// Whether no demand can move a limit until a task comes or goes (see `fixed`).
    pub fn is_fixed(&self) -> bool {
        self.fixed
    }
}

/// Sets the limits of the tasks on `host` at `now` from their demands (`demand` of each
/// backend); returns the tasks whose limit changed (their next completion may have moved).
pub fn rebalance(
    backends: &mut super::backends::Backends,
    host: &mut Sharers,
    now: SimTime,
    demand: impl Fn(&Backend) -> f64,
) -> Vec<TaskId> {
    let limits = new_limits(backends, host, demand);
    apply(backends, now, &limits);
    limits.into_iter().map(|(task, _)| task).collect()
}

/// The limits of the tasks on `host` that their demands (`demand` of each backend) move: each
/// such task with its new limit, in task order (the fluid fidelity closes the spans of the other
/// load balancers concerned before [`apply`]ing them).
pub fn new_limits(
    backends: &super::backends::Backends,
    host: &mut Sharers,
    demand: impl Fn(&Backend) -> f64,
) -> Vec<(TaskId, f64)> {
    if host.fixed {
        return Vec::new();
    }
    let on_host = &host.tasks;
    let first = on_host.iter().find_map(|t| backends.get(t));
    let Some(vcpus) = first.and_then(|b| b.cpu.host).map(|(_, v)| v) else { return Vec::new() };
    let moved = |task: TaskId, limit: f64| backends.get(&task).is_some_and(|b| b.vcpus != limit);
    // The common case, every step of a fluid run: the host is not contended, each task may use
    // up to its cap (what `limits` gives then), and nothing needs collecting.
    let asked: f64 = on_host.iter().filter_map(|t| backends.get(t)).map(|b| demand(b).clamp(0.0, b.cpu.cap)).sum();
    if asked <= vcpus {
        let caps: f64 = on_host.iter().filter_map(|t| backends.get(t)).map(|b| b.cpu.cap).sum();
        let limits = on_host.iter().filter_map(|t| backends.get(t)).map(|b| (b.task, b.cpu.cap));
        let limits = limits.filter(|&(task, limit)| moved(task, limit)).collect();
        host.fixed = caps <= vcpus;
        return limits;
    }
    let present: Vec<&Backend> = on_host.iter().filter_map(|t| backends.get(t)).collect();
    let claims: Vec<Claim> =
        present.iter().map(|b| Claim { weight: b.cpu.weight, cap: b.cpu.cap, demand: demand(b) }).collect();
    let tasks = present.iter().map(|b| b.task);
    tasks.zip(limits(vcpus, &claims)).filter(|&(task, limit)| moved(task, limit)).collect()
}

/// Gives each task its new limit at `now` ([`new_limits`]).
pub fn apply(backends: &mut super::backends::Backends, now: SimTime, limits: &[(TaskId, f64)]) {
    for &(task, limit) in limits {
        let backend = backends.get_mut(&task).expect("a task with a new limit has a backend");
        backend.vcpus = limit;
        backend.server.set_vcpus(now, limit);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claim(weight: f64, cap: f64, demand: f64) -> Claim {
        Claim { weight, cap, demand }
    }

    fn close(a: &[f64], b: &[f64]) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-12)
    }

    #[test]
    fn a_lone_task_uses_idle_vcpus_up_to_its_cap() {
        // 512 shares on 2 vCPUs, two requests: both run at a full vCPU; its limit is the cap.
        assert_eq!(limits(2.0, &[claim(512.0, 2.0, 2.0)]), vec![2.0]);
        assert_eq!(allocations(2.0, &[claim(512.0, 2.0, 5.0)]), vec![2.0]);
        // A task-level cpu of 0.5 vCPU caps it, idle instance or not.
        assert_eq!(allocations(2.0, &[claim(1024.0, 0.5, 3.0)]), vec![0.5]);
    }

    #[test]
    fn busy_tasks_share_in_proportion_to_their_weights() {
        // 512 and 1536 shares, both saturating 2 vCPUs: 0.5 and 1.5.
        let claims = [claim(512.0, 2.0, 2.0), claim(1536.0, 2.0, 2.0)];
        assert!(close(&allocations(2.0, &claims), &[0.5, 1.5]));
        assert!(close(&limits(2.0, &claims), &[0.5, 1.5]));
        // The order of the claims does not matter.
        let swapped = [claims[1], claims[0]];
        assert!(close(&allocations(2.0, &swapped), &[1.5, 0.5]));
    }

    #[test]
    fn what_a_light_task_leaves_goes_to_the_busy_one() {
        // Equal weights on 2 vCPUs: the light task wants 0.3 and gets it; the busy one gets 1.7,
        // more than its fair 1.0; the light task's limit is the level, 1.7 (a new request of
        // its would be served up to there until the next rebalance).
        let claims = [claim(1024.0, 2.0, 0.3), claim(1024.0, 2.0, 4.0)];
        assert!(close(&allocations(2.0, &claims), &[0.3, 1.7]));
        assert!(close(&limits(2.0, &claims), &[1.7, 1.7]));
    }

    #[test]
    fn a_cap_below_the_fair_share_gives_the_rest_to_the_others() {
        // Three tasks of equal weight on 4 vCPUs; one capped at 0.5: the other two get 1.75 each.
        let claims = [claim(1024.0, 0.5, 4.0), claim(1024.0, 4.0, 4.0), claim(1024.0, 4.0, 4.0)];
        assert!(close(&allocations(4.0, &claims), &[0.5, 1.75, 1.75]));
        // The allocations always add up to the instance when it is contended.
        let sum: f64 = allocations(4.0, &claims).iter().sum();
        assert!((sum - 4.0).abs() < 1e-12);
    }

    #[test]
    fn idle_tasks_take_nothing_and_keep_their_caps_while_cpu_is_spare() {
        let claims = [claim(512.0, 2.0, 0.0), claim(1536.0, 1.0, 1.0)];
        assert_eq!(limits(2.0, &claims), vec![2.0, 1.0]);
        assert_eq!(allocations(2.0, &claims), vec![0.0, 1.0]);
    }
}
