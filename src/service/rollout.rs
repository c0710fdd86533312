//! A deployment's progress, the place a deployment strategy plugs in (aws-behaviour.md §6.4,
//! §6.6, §6a).
//!
//! Contract: a deployment starts by becoming the primary one ([`deploy`], or a rollback of the
//! circuit breaker); the one before it, if still IN_PROGRESS, is superseded. From then on every
//! look of the loop hands the service to its strategy ([`progress`]), which decides which tasks
//! of which deployment start and stop; the steady state completes the deployment. A strategy is
//! chosen by the service's `deploymentConfiguration.strategy` ([`DeploymentStrategy`]) and its
//! scheduling strategy: today the rolling update, by [`super::rolling`] for REPLICA services and
//! instance by instance by [`super::daemon`] for DAEMON ones; blue/green, canary and linear
//! deployments by [`super::traffic_shift`].

use crate::ids::{ServiceId, TaskDefId};
use crate::record::EventKind;
use crate::world::{Ctx, World};

use super::deployment::{Deployment, RolloutState, Shift};
use super::{daemon, rolling, traffic_shift, wording, DeploymentStrategy, SchedulingStrategy};

/// A new primary deployment of `task_definition` starts (the caller then reconciles).
pub(super) fn deploy(world: &mut World, ctx: &mut Ctx, id: ServiceId, task_definition: TaskDefId) {
    let now = ctx.sched.now();
    let old = world.services.get(id).primary().task_definition;
    let svc = world.services.get_mut(id);
    if svc.primary().state == RolloutState::InProgress {
        svc.primary_mut().end(RolloutState::Superseded, now);
    }
    let mut deployment = Deployment::new(svc.deployments.len() + 1, task_definition, now);
    let production = svc.production_target_group();
    deployment.target_group = production;
    let alternate = match (production, svc.spec.alternate_target_group) {
        (Some(p), Some(a)) if p == a => svc.spec.target_group,
        (Some(_), alternate) => alternate,
        (None, _) => None,
    };
    if let (true, Some(from), Some(to)) = (svc.spec.deployment.strategy.shifts_traffic(), production, alternate) {
        // A deployment started while another one shifts traffic begins from all production
        // traffic on the production target group.
        deployment.target_group = Some(to);
        deployment.shift = Some(Shift::new(from, to));
        crate::traffic::shift_production(world, ctx, to, from, 100.0);
    }
    let svc = world.services.get_mut(id);
    let message = wording::deployment_started(
        &svc.spec.name,
        &deployment.id,
        &world.task_definitions[task_definition.index()].family,
        &world.task_definitions[old.index()].family,
        &svc.spec.deployment,
    );
    svc.begin(deployment, now);
    svc.steady.changed();
    let name = svc.spec.name.clone();
    ctx.log(EventKind::ServiceDeploymentInProgress).service(name).message(message).emit();
}

/// One step of the service's deployment strategy towards its desired count of healthy primary
/// tasks.
pub(super) fn progress(world: &mut World, ctx: &mut Ctx, id: ServiceId) {
    let spec = &world.services.get(id).spec;
    match (spec.scheduling_strategy, spec.deployment.strategy) {
        (SchedulingStrategy::Replica, DeploymentStrategy::Rolling) => rolling::reconcile(world, ctx, id),
        (
            SchedulingStrategy::Replica,
            DeploymentStrategy::BlueGreen | DeploymentStrategy::Canary { .. } | DeploymentStrategy::Linear { .. },
        ) => traffic_shift::reconcile(world, ctx, id),
        // Validation gives a DAEMON service the rolling update only.
        (SchedulingStrategy::Daemon, _) => daemon::reconcile(world, ctx, id),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::TaskDefId;
    use crate::service::testing::{at, fargate, harness, run_until, web};

    fn states(world: &World) -> Vec<RolloutState> {
        world.services.get(ServiceId::from_index(0)).deployments.iter().map(|d| d.state).collect()
    }

    #[test]
    fn a_deployment_supersedes_one_in_progress_and_completes_at_the_steady_state() {
        let mut h = harness(&fargate(2, "", ""));
        h.act(|world, ctx| super::super::on_event(world, ctx, crate::world::event::ServiceEvent::Reconcile(web())));
        let v2 = h.world.task_definitions.iter().position(|d| d.family == "v2").map(TaskDefId::from_index);
        h.act(|world, ctx| super::super::deploy(world, ctx, web(), v2.expect("v2")));
        assert_eq!(
            h.recorder.said(EventKind::ServiceDeploymentInProgress),
            [(
                0.0,
                "service web deployment ecs-svc/2 started: task definition v2 replaces v1 (minimumHealthyPercent 100, \
                 maximumPercent 200)."
            )]
        );
        assert_eq!(states(&h.world), [RolloutState::Superseded, RolloutState::InProgress]);
        run_until(&mut h, at(600));
        assert_eq!(states(&h.world), [RolloutState::Superseded, RolloutState::Completed]);
        let svc = h.world.services.get(ServiceId::from_index(0));
        assert!(svc.tasks.iter().all(|t| h.world.tasks.get(*t).task_definition == v2.expect("v2")));
    }
}
