//! A service's steady state (aws-behaviour.md §6.2): every task RUNNING and healthy, all of the
//! primary deployment, none on a DRAINING instance, and as many as desired.
//!
//! Contract:
//! - the first look that finds the service settled completes its primary deployment if it was
//!   IN_PROGRESS, and says "has reached a steady state";
//! - it is said once per period of stability: again only after a change ([`SteadyState::changed`]:
//!   a new desired count or deployment, tasks started, a task stopping, the breaker tripping, a
//!   task marked to move zones);
//! - a settled replica service then lets Availability Zone rebalancing look at its spread; a
//!   service moving a task, or whose deployment FAILED, is never settled.

use crate::engine::{SimDuration, SimTime};
use crate::ids::ServiceId;
use crate::record::EventKind;
use crate::task::TaskStatus;
use crate::world::event::ServiceEvent;
use crate::world::{Ctx, Event, World};

use super::deployment::RolloutState;
use super::health::{standing, Standing};
use super::{desired_count, rebalance, wording};

/// Whether "has reached a steady state" was said since the last change.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SteadyState {
    said: bool,
}

impl SteadyState {
    /// Something changed: the next settled look says it again.
    pub fn changed(&mut self) {
        self.said = false;
    }
}

/// Whether the service is settled at `now`.
pub fn settled(world: &World, id: ServiceId, now: SimTime) -> bool {
    let svc = world.services.get(id);
    if svc.rebalancing.moving().is_some()
        || svc.primary().state == RolloutState::Failed
        || svc.tasks.len() as u32 != desired_count(world, id)
    {
        return false;
    }
    let (grace, primary) = (svc.spec.health_check_grace_period, svc.primary_index());
    svc.tasks.iter().all(|t| {
        let task = world.tasks.get(*t);
        task.desired_running
            && task.deployment == primary
            && task.status == TaskStatus::Running
            && !world.on_draining_instance(*t)
            && standing(world, *t, grace, now) == Standing::Healthy
    })
}

/// When the service is settled: its steady state is said if it was not since the last change,
/// and Availability Zone rebalancing looks at how its tasks are spread.
pub(super) fn check(world: &mut World, ctx: &mut Ctx, id: ServiceId) {
    if !settled(world, id, ctx.sched.now()) {
        return;
    }
    if !world.services.get(id).steady.said {
        say_steady(world, ctx, id);
    }
    if world.services.get(id).is_replica() && rebalance::check(world, ctx, id) {
        world.services.get_mut(id).steady.changed();
        ctx.sched.after(SimDuration::ZERO, Event::Service(ServiceEvent::Reconcile(id)));
    }
}

/// The service is settled: its primary deployment completes if it was in progress, and it has
/// reached a steady state.
fn say_steady(world: &mut World, ctx: &mut Ctx, id: ServiceId) {
    let now = ctx.sched.now();
    let svc = world.services.get_mut(id);
    let name = svc.spec.name.clone();
    if svc.primary().state == RolloutState::InProgress {
        svc.primary_mut().end(RolloutState::Completed, now);
        let message = wording::deployment_completed(&name, &svc.primary().id);
        ctx.log(EventKind::ServiceDeploymentCompleted).service(name.clone()).message(message).emit();
    }
    let svc = world.services.get_mut(id);
    svc.steady.said = true;
    svc.reconcile.replacing = false;
    svc.stats.first_steady_state_at.get_or_insert(now);
    let message = wording::steady_state(&name);
    ctx.log(EventKind::ServiceSteadyState).service(name).message(message).emit();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::testing::{at, fargate, harness, run_until, web};
    use crate::service::update_desired_count;

    #[test]
    fn said_once_and_again_only_after_a_change() {
        let mut h = harness(&fargate(2, "", ""));
        h.act(|world, ctx| super::super::on_event(world, ctx, ServiceEvent::Reconcile(web())));
        run_until(&mut h, at(600));
        let steady = h.recorder.said(EventKind::ServiceSteadyState);
        assert_eq!(steady.len(), 1, "10 minutes of stability say it once: {steady:?}");
        assert_eq!(
            h.recorder.said(EventKind::ServiceDeploymentCompleted).iter().map(|(_, m)| *m).collect::<Vec<_>>(),
            ["service web (deployment ecs-svc/1) deployment completed."],
            "the first steady state completes the creation's deployment"
        );
        assert!(settled(&h.world, web(), h.now()));
        h.act(|world, ctx| update_desired_count(world, ctx, web(), 3));
        assert!(!h.world.services.get(ServiceId::from_index(0)).steady.said, "a change");
        assert!(!settled(&h.world, web(), h.now()), "2 tasks of 3");
        run_until(&mut h, at(1200));
        let steady = h.recorder.said(EventKind::ServiceSteadyState);
        assert_eq!(steady.len(), 2, "said again once the third task is healthy: {steady:?}");
        // The third task starts at 600 s and counts as healthy 40 s after RUNNING, no sooner.
        assert!(steady[1].0 >= 640.0, "{steady:?}");
        assert_eq!(h.recorder.said(EventKind::ServiceDeploymentCompleted).len(), 1, "no deployment to complete");
    }

    #[test]
    fn a_failed_deployment_is_never_settled() {
        let mut h = harness(&fargate(1, "", ""));
        h.act(|world, ctx| super::super::on_event(world, ctx, ServiceEvent::Reconcile(web())));
        run_until(&mut h, at(600));
        assert!(settled(&h.world, web(), h.now()));
        h.world.services.get_mut(ServiceId::from_index(0)).primary_mut().state = RolloutState::Failed;
        assert!(!settled(&h.world, web(), h.now()));
    }
}
