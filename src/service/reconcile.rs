//! The service scheduler's loop (aws-behaviour.md §6): every change that matters to a service
//! — an operator's `update_service`, a task reaching RUNNING, changing health, stopping — makes
//! it look again, and each look brings the service one step closer to its desired count of
//! healthy tasks of its primary deployment.
//!
//! Contract:
//! - a look is [`rollout::progress`] (what the deployment strategy starts and stops) followed by
//!   [`steady_state::check`]; handlers that only need another look later schedule a zero-delay
//!   `Reconcile` event, which runs after the current event in scheduling order;
//! - a service has at most one pending wake-up ([`wake_at`]): the earliest time a task will
//!   count as healthy, a grace period ends or a launch hold lifts, however many tasks wait;
//! - [`ReconcileState::replacing`] says whether the last look left tasks to replace (an older
//!   deployment's, unhealthy ones, ones on DRAINING instances): then the service looks again at
//!   every change of a task's standing, not only when the last one is healthy.

use crate::engine::{SimDuration, SimTime};
use crate::ids::{ServiceId, TaskDefId, TaskId};
use crate::record::EventKind;
use crate::task::{has_health_check, Health, StopCode, TaskOwner};
use crate::world::event::ServiceEvent;
use crate::world::{Ctx, Event, World};

use super::health::NO_HEALTH_CHECK_DELAY;
use super::{circuit_breaker, rollout, steady_state, throttle, wording};

/// What the loop remembers between looks.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReconcileState {
    /// A wake-up is scheduled for this time.
    wake: Option<SimTime>,
    /// The last look left tasks to be replaced (a deployment, an unhealthy task or a drain is
    /// under way); cleared when the service settles.
    pub replacing: bool,
}

/// Handles a service event.
pub fn on_event(world: &mut World, ctx: &mut Ctx, event: ServiceEvent) {
    match event {
        ServiceEvent::Reconcile(id) => reconcile(world, ctx, id),
        ServiceEvent::RetryPlacement(id) => {
            world.services.get_mut(id).throttle.placement.due();
            reconcile(world, ctx, id);
        }
        ServiceEvent::Wake(id) => {
            world.services.get_mut(id).reconcile.wake = None;
            reconcile(world, ctx, id);
        }
    }
}

/// One look at the service.
pub(super) fn reconcile(world: &mut World, ctx: &mut Ctx, id: ServiceId) {
    rollout::progress(world, ctx, id);
    steady_state::check(world, ctx, id);
}

/// Looks again at `at` (when a task will count as healthy), unless a wake-up is already due by
/// then: one pending wake-up per service, however many tasks are waiting.
pub(super) fn wake_at(world: &mut World, ctx: &mut Ctx, id: ServiceId, at: SimTime) {
    let state = &mut world.services.get_mut(id).reconcile;
    if state.wake.is_some_and(|w| w <= at) {
        return;
    }
    state.wake = Some(at);
    ctx.sched.at(at, Event::Service(ServiceEvent::Wake(id)));
}

fn look_again(ctx: &mut Ctx, id: ServiceId) {
    ctx.sched.after(SimDuration::ZERO, Event::Service(ServiceEvent::Reconcile(id)));
}

/// `update_service` with a new desired count.
pub fn update_desired_count(world: &mut World, ctx: &mut Ctx, id: ServiceId, count: u32) {
    let svc = world.services.get_mut(id);
    let message = wording::desired_count_changed(&svc.spec.name, svc.desired_count, count);
    svc.desired_count = count;
    svc.steady.changed();
    let name = svc.spec.name.clone();
    ctx.log(EventKind::ServiceUpdated).service(name).message(message).emit();
    reconcile(world, ctx, id);
}

/// `update_service` with a new task definition: a new primary deployment starts.
pub fn deploy(world: &mut World, ctx: &mut Ctx, id: ServiceId, task_definition: TaskDefId) {
    rollout::deploy(world, ctx, id, task_definition);
    reconcile(world, ctx, id);
}

/// A task of the service reached RUNNING: its deployment's second circuit-breaker stage begins,
/// launches are no longer held back, and without a health check it will count as healthy in 40 s.
pub fn on_task_running(world: &mut World, ctx: &mut Ctx, task: TaskId) {
    let TaskOwner::Service(id) = world.tasks.get(task).owner else { return };
    let deployment = world.tasks.get(task).deployment as usize;
    let t = world.tasks.get(task);
    // A task the run starts with counts as healthy at once (see `health::standing`).
    let no_check = !has_health_check(world.task_definition(t.task_definition)) && !t.running_at_start;
    let svc = world.services.get_mut(id);
    svc.deployments[deployment].any_running = true;
    svc.throttle.launches.ran();
    let matters = svc.reconcile.replacing || svc.tasks.len() as u32 >= svc.desired_count;
    if no_check && matters {
        let at = ctx.sched.now() + NO_HEALTH_CHECK_DELAY;
        wake_at(world, ctx, id, at);
    }
    steady_state::check(world, ctx, id);
}

/// A task's health changed: the scheduler looks again — for an UNHEALTHY task, once the grace
/// period allows.
pub fn on_task_health(world: &mut World, ctx: &mut Ctx, task: TaskId) {
    let TaskOwner::Service(id) = world.tasks.get(task).owner else { return };
    let t = world.tasks.get(task);
    let grace_end =
        super::health::grace_ends(t, world.services.get(id).spec.health_check_grace_period).unwrap_or(SimTime::ZERO);
    if t.health == Health::Unhealthy && grace_end > ctx.sched.now() {
        wake_at(world, ctx, id, grace_end);
    } else {
        look_again(ctx, id);
    }
}

/// A task of the service was told to stop: it leaves the service's live-task counts
/// ([`super::peers`]); if it stopped by itself (it could not start, or its
/// essential container exited), the circuit breaker counts it and a launch failure throttles
/// further launches; then the scheduler looks again.
pub fn on_task_stopping(world: &mut World, ctx: &mut Ctx, task: TaskId) {
    let t = world.tasks.get(task);
    let TaskOwner::Service(id) = t.owner else { return };
    world.services.get_mut(id).peers.count(t, -1);
    let by_itself = matches!(t.stop_code, Some(StopCode::TaskFailedToStart | StopCode::EssentialContainerExited));
    let (never_ran, deployment) = (t.started_at.is_none(), t.deployment);
    world.services.get_mut(id).steady.changed();
    if by_itself {
        circuit_breaker::task_failed(world, ctx, id, deployment, never_ran);
    }
    if by_itself && never_ran {
        throttle::launch_failed(world, ctx, id);
    }
    look_again(ctx, id);
}

/// A task of the service reached STOPPED: counted, and the scheduler looks again.
pub fn on_task_stopped(world: &mut World, ctx: &mut Ctx, task: TaskId) {
    let t = world.tasks.get(task);
    let TaskOwner::Service(id) = t.owner else { return };
    let reason = t.stopped_reason.clone().unwrap_or_default();
    let svc = world.services.get_mut(id);
    svc.tasks.retain(|x| *x != task);
    svc.rebalancing.stopped(task);
    svc.stats.tasks_stopped += 1;
    *svc.stats.stop_reasons.entry(reason).or_insert(0) += 1;
    look_again(ctx, id);
}

/// Any task (a service's or a RunTask's) left its instance and freed its room: every service
/// whose last placement failed tries again now rather than at its next retry; and if the
/// instance is DRAINING, daemon services look too: their tasks there go once nothing else is left.
pub fn on_room_freed(world: &mut World, ctx: &mut Ctx, task: TaskId) {
    let left_draining = world.on_draining_instance(task);
    let own = match world.tasks.get(task).owner {
        TaskOwner::Service(id) => Some(id),
        TaskOwner::Standalone(_) => None,
    };
    let services = (0..world.services.len()).map(ServiceId::from_index).filter(|s| Some(*s) != own);
    let waking: Vec<ServiceId> = services
        .filter(|s| {
            let svc = world.services.get(*s);
            svc.throttle.placement.waits() || (left_draining && !svc.is_replica())
        })
        .collect();
    for id in waking {
        look_again(ctx, id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::testing::{at, fargate, harness, run_until, web};

    #[test]
    fn one_pending_wake_up_per_service_the_earliest() {
        let mut h = harness(&fargate(1, "", ""));
        let before = h.pending_events();
        h.act(|world, ctx| wake_at(world, ctx, web(), at(100)));
        h.act(|world, ctx| wake_at(world, ctx, web(), at(200)));
        assert_eq!(h.pending_events(), before + 1, "the wake-up at 100 s covers 200 s");
        h.act(|world, ctx| wake_at(world, ctx, web(), at(50)));
        assert_eq!(h.pending_events(), before + 2, "an earlier one is scheduled too");
        let (when, event) = h.next_event(at(1000)).expect("the wake-up");
        assert_eq!((when, event), (at(50), Event::Service(ServiceEvent::Wake(web()))));
        h.act(|world, ctx| on_event(world, ctx, ServiceEvent::Wake(web())));
        assert_eq!(
            h.world.services.get(ServiceId::from_index(0)).reconcile.wake,
            None,
            "woken: the next wake-up is scheduled afresh"
        );
    }

    #[test]
    fn a_new_desired_count_is_said_and_acted_on_at_once() {
        let mut h = harness(&fargate(1, "", ""));
        h.act(|world, ctx| update_desired_count(world, ctx, web(), 3));
        assert_eq!(
            h.recorder.said(EventKind::ServiceUpdated),
            [(0.0, "service web desired count changed from 1 to 3.")]
        );
        assert_eq!(
            h.recorder.said(EventKind::ServiceTasksStarted),
            [(0.0, "service web has started 3 tasks: (task web-1) (task web-2) (task web-3).")]
        );
    }

    #[test]
    fn a_stopped_task_is_counted_by_its_reason_and_leaves_the_service() {
        let mut h = harness(&fargate(2, "", ""));
        h.act(|world, ctx| reconcile(world, ctx, web()));
        let task = h.world.services.get(ServiceId::from_index(0)).tasks[0];
        h.act(|world, ctx| crate::task::stop(world, ctx, task, StopCode::UserInitiated, "by hand"));
        run_until(&mut h, at(600));
        let svc = h.world.services.get(ServiceId::from_index(0));
        assert!(!svc.tasks.contains(&task));
        assert_eq!((svc.stats.tasks_stopped, svc.stats.stop_reasons.get("by hand")), (1, Some(&1)));
        assert_eq!(svc.tasks.len(), 2, "replaced");
    }
}
