//! The deployment circuit breaker and its rollback (aws-behaviour.md §6.5).
//!
//! Contract:
//! - only the primary deployment's tasks count, and only while it is IN_PROGRESS: stage 1 counts
//!   tasks that stopped before reaching RUNNING, stage 2 (once one of its tasks ran) tasks that
//!   exited or failed their health checks after RUNNING;
//! - when the failures reach [`breaker_threshold`] of the desired count, the deployment is
//!   FAILED, said once, and the scheduler launches nothing more for it;
//! - with rollback, a new deployment returns to the task definition of the last COMPLETED
//!   deployment ([`rollback_target`]) and adopts that deployment's tasks still running; without
//!   one to return to, the failed deployment stalls as it is.

use crate::engine::SimDuration;
use crate::ids::{ServiceId, TaskId};
use crate::record::EventKind;
use crate::world::event::ServiceEvent;
use crate::world::{Ctx, Event, World};

use super::deployment::{Deployment, RolloutState};
use super::{desired_count, wording};

/// The circuit breaker's threshold never goes below this...
const BREAKER_MIN_THRESHOLD: u32 = 3;
/// ...nor above this (aws-behaviour.md §6.5).
const BREAKER_MAX_THRESHOLD: u32 = 200;

/// Failed tasks that trip the circuit breaker: half the desired count, rounded up, within
/// [3, 200] — ECS's min(max(0.5 × desired, 3), 200).
pub fn breaker_threshold(desired: u32) -> u32 {
    desired.div_ceil(2).clamp(BREAKER_MIN_THRESHOLD, BREAKER_MAX_THRESHOLD)
}

/// The deployment a rollback returns to: the last that COMPLETED.
pub fn rollback_target(deployments: &[Deployment]) -> Option<usize> {
    deployments.iter().rposition(|d| d.state == RolloutState::Completed)
}

/// A task of deployment `deployment` stopped by itself (it could not start, `never_ran`, or its
/// essential container exited): a failure if the primary deployment is in progress.
pub(super) fn task_failed(world: &mut World, ctx: &mut Ctx, id: ServiceId, deployment: u32, never_ran: bool) {
    let svc = world.services.get_mut(id);
    if deployment != svc.primary_index() || svc.primary().state != RolloutState::InProgress {
        return;
    }
    let primary = svc.primary_mut();
    if never_ran {
        primary.failed_to_start += 1;
    } else {
        primary.failed_after_running += 1;
    }
    check(world, ctx, id);
}

/// Tasks that failed their health checks are being replaced: the primary deployment's count in
/// stage 2.
pub(super) fn count_unhealthy(world: &mut World, id: ServiceId, tasks: &[TaskId]) {
    let primary = world.services.get(id).primary_index();
    let failed = world.tasks.of(tasks).filter(|t| t.deployment == primary).count() as u32;
    world.services.get_mut(id).primary_mut().failed_after_running += failed;
}

/// Trips the breaker when the primary deployment's failures reach the threshold: the
/// deployment FAILED, and with rollback a new deployment returns to the last completed one.
pub(super) fn check(world: &mut World, ctx: &mut Ctx, id: ServiceId) {
    let now = ctx.sched.now();
    let desired = desired_count(world, id);
    let svc = world.services.get_mut(id);
    let Some(breaker) = svc.spec.deployment.circuit_breaker else { return };
    let threshold = breaker_threshold(desired);
    if svc.primary().state != RolloutState::InProgress || svc.primary().failures() < threshold {
        return;
    }
    svc.primary_mut().end(RolloutState::Failed, now);
    svc.steady.changed();
    let failed = svc.primary().id.clone();
    let name = svc.spec.name.clone();
    let failures = svc.primary().failures();
    let message = wording::deployment_failed(&name, &failed, svc.primary().any_running, failures, threshold);
    ctx.log(EventKind::ServiceDeploymentFailed).service(name.clone()).message(message).emit();
    match (breaker.rollback, rollback_target(&svc.deployments)) {
        (true, Some(target)) => roll_back(world, ctx, id, target, failed),
        (true, None) => {
            let message = wording::no_rollback_target(&name, &failed);
            ctx.log(EventKind::ServiceDeploymentFailed).service(name).message(message).emit();
        }
        (false, _) => {}
    }
}

/// Starts a deployment of the task definition of deployment `target`, which takes over that
/// deployment's tasks still running.
pub(super) fn roll_back(world: &mut World, ctx: &mut Ctx, id: ServiceId, target: usize, failed: String) {
    let now = ctx.sched.now();
    let svc = world.services.get_mut(id);
    let mut deployment = Deployment::new(svc.deployments.len() + 1, svc.deployments[target].task_definition, now);
    deployment.rollback_of = Some(failed.clone());
    deployment.target_group = svc.deployments[target].target_group;
    let family = &world.task_definitions[deployment.task_definition.index()].family;
    let message = wording::rolled_back(&svc.spec.name, &failed, &deployment.id, family, &svc.deployments[target].id);
    svc.begin(deployment, now);
    let primary = svc.primary_index();
    for t in &svc.tasks {
        let task = world.tasks.get_mut(*t);
        if task.deployment as usize == target {
            task.deployment = primary;
        }
    }
    let name = svc.spec.name.clone();
    ctx.log(EventKind::ServiceDeploymentRolledBack).service(name).message(message).emit();
    ctx.sched.after(SimDuration::ZERO, Event::Service(ServiceEvent::Reconcile(id)));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::SimTime;
    use crate::ids::TaskDefId;
    use crate::service::testing::{at, fargate, harness, run_until, web};

    const BREAKER: &str = "deployment_circuit_breaker: { enable: true, rollback: true }";

    #[test]
    fn the_threshold_is_half_the_desired_count_within_3_and_200() {
        // min(max(ceil(0.5 × desired), 3), 200): 0 and 1 → 3; 6 → 3; 7 → ceil(3.5) = 4;
        // 25 → ceil(12.5) = 13; 400 → 200; 401 → ceil(200.5) = 201, capped at 200.
        let thresholds: Vec<u32> = [0, 1, 6, 7, 25, 400, 401, 5000].map(breaker_threshold).to_vec();
        assert_eq!(thresholds, [3, 3, 3, 4, 13, 200, 200, 200]);
    }

    fn deployment(n: usize, state: RolloutState) -> Deployment {
        let mut d = Deployment::new(n, TaskDefId::from_index(n - 1), SimTime::ZERO);
        d.state = state;
        d
    }

    #[test]
    fn a_rollback_returns_to_the_last_completed_deployment() {
        use RolloutState::*;
        let history =
            [deployment(1, Completed), deployment(2, Completed), deployment(3, Superseded), deployment(4, Failed)];
        assert_eq!(rollback_target(&history), Some(1), "ecs-svc/2, not the superseded ecs-svc/3");
        assert_eq!(rollback_target(&[deployment(1, Failed)]), None, "a first deployment has nothing to return to");
        assert_eq!(rollback_target(&[deployment(1, Completed), deployment(2, Failed), deployment(3, Failed)]), Some(0));
    }

    fn states(world: &World) -> Vec<(&str, RolloutState)> {
        world.services.get(ServiceId::from_index(0)).deployments.iter().map(|d| (d.id.as_str(), d.state)).collect()
    }

    #[test]
    fn the_thresholds_failure_fails_the_deployment_and_rolls_back_to_the_last_completed() {
        let mut h = harness(&fargate(2, "", BREAKER));
        h.act(|world, ctx| super::super::on_event(world, ctx, ServiceEvent::Reconcile(web())));
        run_until(&mut h, at(600));
        let v2 = h.world.task_definitions.iter().position(|d| d.family == "v2").map(TaskDefId::from_index);
        h.act(|world, ctx| super::super::rollout::deploy(world, ctx, web(), v2.expect("v2")));
        // Desired 2: threshold max(ceil(1), 3) = 3. A failure of the old deployment is not counted.
        h.act(|world, ctx| task_failed(world, ctx, web(), 0, false));
        for _ in 0..2 {
            h.act(|world, ctx| task_failed(world, ctx, web(), 1, true));
        }
        assert_eq!(h.world.services.get(ServiceId::from_index(0)).deployments[1].failures(), 2);
        assert_eq!(states(&h.world), [("ecs-svc/1", RolloutState::Completed), ("ecs-svc/2", RolloutState::InProgress)]);
        h.act(|world, ctx| task_failed(world, ctx, web(), 1, true));
        assert_eq!(
            states(&h.world),
            [
                ("ecs-svc/1", RolloutState::Completed),
                ("ecs-svc/2", RolloutState::Failed),
                ("ecs-svc/3", RolloutState::InProgress)
            ]
        );
        let svc = h.world.services.get(ServiceId::from_index(0));
        assert_eq!(svc.primary().rollback_of.as_deref(), Some("ecs-svc/2"));
        assert_eq!(svc.primary().task_definition, svc.deployments[0].task_definition);
        assert!(svc.tasks.iter().all(|t| h.world.tasks.get(*t).deployment == 2), "the v1 tasks are adopted");
        assert_eq!(
            h.recorder.said(EventKind::ServiceDeploymentFailed),
            [(
                600.0,
                "service web (deployment ecs-svc/2) deployment failed: tasks failed to start (3 failures, threshold 3)."
            )]
        );
        assert_eq!(h.recorder.said(EventKind::ServiceDeploymentRolledBack).len(), 1);
        // Failures after the trip count for nothing.
        h.act(|world, ctx| task_failed(world, ctx, web(), 1, true));
        assert_eq!(h.world.services.get(ServiceId::from_index(0)).deployments.len(), 3);
    }

    #[test]
    fn a_first_deployment_that_fails_has_nothing_to_roll_back_to() {
        let mut h = harness(&fargate(1, "", BREAKER));
        for _ in 0..3 {
            h.act(|world, ctx| task_failed(world, ctx, web(), 0, true));
        }
        assert_eq!(states(&h.world), [("ecs-svc/1", RolloutState::Failed)]);
        let failed: Vec<_> = h.recorder.said(EventKind::ServiceDeploymentFailed).into_iter().map(|(_, m)| m).collect();
        assert_eq!(failed[1], "service web has no completed deployment to roll back to: ecs-svc/1 stays FAILED.");
    }

    #[test]
    fn without_a_breaker_failures_are_only_counted() {
        let mut h = harness(&fargate(1, "", ""));
        for _ in 0..5 {
            h.act(|world, ctx| task_failed(world, ctx, web(), 0, false));
        }
        assert_eq!(h.world.services.get(ServiceId::from_index(0)).primary().failed_after_running, 5);
        assert_eq!(states(&h.world), [("ecs-svc/1", RolloutState::InProgress)]);
    }
}
