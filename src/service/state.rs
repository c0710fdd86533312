//! A service as the scheduler keeps it: its spec, its tasks, its deployments, and one small
//! state per concept of the scheduler, each owned and documented by its concept's file:
//!
//! | field | owner | what it remembers |
//! |---|---|---|
//! | `reconcile` | [`super::reconcile`] | the one pending wake-up; whether tasks remain to be replaced |
//! | `throttle` | [`super::throttle`] | the launch back-off and the placement retry |
//! | `steady` | [`super::steady_state`] | whether "has reached a steady state" was said since the last change |
//! | `rebalancing` | [`super::rebalance`] | the Availability Zone rebalancing under way, and the task it moves |
//!
//! Contract: a service always has at least one deployment (its creation's), and the last one is
//! the primary one, whose tasks the scheduler starts.

use std::collections::BTreeMap;

use crate::engine::SimTime;
use crate::ids::{GroupId, ServiceId, TargetGroupId, TaskId};
use crate::world::World;

use super::deployment::{Deployment, RolloutState};
use super::rebalance::Rebalancing;
use super::reconcile::ReconcileState;
use super::steady_state::SteadyState;
use super::throttle::Throttle;
use super::{daemon, SchedulingStrategy, ServiceSpec};

/// Counters for the run summary.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServiceStats {
    /// Tasks already RUNNING at time 0 (a snapshot's); not counted in `tasks_started`.
    pub running_at_start: u32,
    pub tasks_started: u32,
    pub tasks_stopped: u32,
    pub placement_failures: u32,
    pub first_steady_state_at: Option<SimTime>,
    /// Stopped tasks by stopped reason.
    pub stop_reasons: BTreeMap<String, u32>,
}

/// A service and the scheduler's state for it.
#[derive(Clone, Debug)]
pub struct Service {
    pub spec: ServiceSpec,
    pub group: GroupId,
    /// Replica services: the current desired count (changed by `update_service`).
    pub desired_count: u32,
    /// Tasks not yet STOPPED.
    pub tasks: Vec<crate::ids::TaskId>,
    /// The live ones among them per provider and Fargate zone ([`super::peers`]).
    pub(crate) peers: super::PeerCounts,
    /// Ordinal of the last task started.
    pub next_ordinal: u32,
    /// Every deployment so far; the last is the primary one.
    pub deployments: Vec<Deployment>,
    pub(crate) reconcile: ReconcileState,
    pub(crate) throttle: Throttle,
    pub(crate) steady: SteadyState,
    pub(crate) rebalancing: Rebalancing,
    pub stats: ServiceStats,
}

impl Service {
    /// The service as created: its first deployment, of its task definition, starts at once.
    pub fn new(spec: ServiceSpec, group: GroupId) -> Self {
        let mut first = Deployment::new(1, spec.task_definition, SimTime::ZERO);
        first.target_group = spec.target_group;
        Service {
            desired_count: spec.desired_count,
            deployments: vec![first],
            spec,
            group,
            tasks: Vec::new(),
            peers: super::PeerCounts::default(),
            next_ordinal: 0,
            reconcile: ReconcileState::default(),
            throttle: Throttle::default(),
            steady: SteadyState::default(),
            rebalancing: Rebalancing::default(),
            stats: ServiceStats::default(),
        }
    }

    pub fn primary(&self) -> &Deployment {
        self.deployments.last().expect("a service always has its first deployment")
    }

    pub(super) fn primary_mut(&mut self) -> &mut Deployment {
        self.deployments.last_mut().expect("a service always has its first deployment")
    }

    /// The primary deployment's index, as tasks record it.
    pub fn primary_index(&self) -> u32 {
        (self.deployments.len() - 1) as u32
    }

    /// `deployment` becomes the primary one: launches are no longer held back by the previous
    /// one's failures (ECS resets its throttling for a new task definition).
    pub(super) fn begin(&mut self, deployment: Deployment, now: SimTime) {
        self.deployments.push(deployment);
        self.throttle.launches.restart(now);
    }

    /// The target group production traffic goes to: the last completed deployment's (the
    /// first deployment's before any completed). A blue/green, canary or linear deployment
    /// moves it to the other target group when it completes.
    pub fn production_target_group(&self) -> Option<TargetGroupId> {
        let completed = self.deployments.iter().rev().find(|d| d.state == RolloutState::Completed);
        completed.unwrap_or(&self.deployments[0]).target_group
    }

    pub(super) fn is_replica(&self) -> bool {
        self.spec.scheduling_strategy == SchedulingStrategy::Replica
    }
}

/// The service's desired count: its own for a replica service; for a daemon, the instances of its
/// capacity that can take it.
pub fn desired_count(world: &World, id: ServiceId) -> u32 {
    let svc = world.services.get(id);
    match svc.spec.scheduling_strategy {
        SchedulingStrategy::Replica => svc.desired_count,
        SchedulingStrategy::Daemon => daemon::instances(world, id).count() as u32,
    }
}

/// The target group a service task registers with: its deployment's.
pub fn target_group_of(world: &World, task: TaskId) -> Option<TargetGroupId> {
    let task = world.tasks.get(task);
    let crate::task::TaskOwner::Service(id) = task.owner else { return None };
    world.services.get(id).deployments.get(task.deployment as usize).and_then(|d| d.target_group)
}

/// Whether a deployment is under way: the primary rollout is IN_PROGRESS (a new service's first
/// deployment too, until it first reaches a steady state), or tasks of an earlier deployment
/// still run beside it. Application Auto Scaling suspends scale-in then (aws-behaviour.md §6.4).
pub fn deployment_in_progress(world: &World, id: ServiceId) -> bool {
    let svc = world.services.get(id);
    let primary = svc.primary_index();
    svc.primary().state == RolloutState::InProgress
        || svc.tasks.iter().any(|t| world.tasks.get(*t).deployment != primary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::testing::{at, fargate, harness, run_until, web};

    #[test]
    fn a_deployment_is_in_progress_until_it_completes_and_no_older_task_is_left() {
        let mut h = harness(&fargate(2, "", ""));
        assert!(deployment_in_progress(&h.world, web()), "a new service's first deployment");
        h.act(|world, ctx| super::super::update_desired_count(world, ctx, web(), 2));
        run_until(&mut h, at(600));
        assert!(!deployment_in_progress(&h.world, web()));
        assert_eq!(desired_count(&h.world, web()), 2);
        let v1 = h.world.services.get(ServiceId::from_index(0)).primary().task_definition;
        h.act(|world, ctx| super::super::deploy(world, ctx, web(), v1));
        assert!(deployment_in_progress(&h.world, web()));
        h.world.services.get_mut(ServiceId::from_index(0)).primary_mut().end(RolloutState::Completed, at(600));
        assert!(deployment_in_progress(&h.world, web()), "tasks of ecs-svc/1 still run beside ecs-svc/2");
    }
}
