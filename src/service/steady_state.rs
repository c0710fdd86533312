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
use crate::metrics::EventKind;
use crate::sim::event::ServiceEvent;
use crate::sim::{Ctx, Event, World};
use crate::task::TaskStatus;

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
    let svc = &world.services[id.index()];
    if svc.rebalancing.moving().is_some()
        || svc.primary().state == RolloutState::Failed
        || svc.tasks.len() as u32 != desired_count(world, id)
    {
        return false;
    }
    let (grace, primary) = (svc.spec.health_check_grace_period, svc.primary_index());
    svc.tasks.iter().all(|t| {
        let task = &world.tasks[t.index()];
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
    if !world.services[id.index()].steady.said {
        say_steady(world, ctx, id);
    }
    if world.services[id.index()].is_replica() && rebalance::check(world, ctx, id) {
        world.services[id.index()].steady.changed();
        ctx.sched.after(SimDuration::ZERO, Event::Service(ServiceEvent::Reconcile(id)));
    }
}

/// The service is settled: its primary deployment completes if it was in progress, and it has
/// reached a steady state.
fn say_steady(world: &mut World, ctx: &mut Ctx, id: ServiceId) {
    let now = ctx.sched.now();
    let svc = &mut world.services[id.index()];
    let name = svc.spec.name.clone();
    if svc.primary().state == RolloutState::InProgress {
        svc.primary_mut().end(RolloutState::Completed, now);
        let message = wording::deployment_completed(&name, &svc.primary().id);
        ctx.log(EventKind::ServiceDeploymentCompleted).service(name.clone()).message(message).emit();
    }
    let svc = &mut world.services[id.index()];
    svc.steady.said = true;
    svc.reconcile.replacing = false;
    svc.stats.first_steady_state_at.get_or_insert(now);
    let message = wording::steady_state(&name);
    ctx.log(EventKind::ServiceSteadyState).service(name).message(message).emit();
}
