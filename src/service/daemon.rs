//! Daemon services (aws-behaviour.md §6.6): one task on every ACTIVE instance of the service's
//! capacity that satisfies its constraints. A deployment replaces the tasks instance by instance:
//! with `maximumPercent` 100 an instance never runs two, so an old task is stopped first —
//! as long as `ceil(instances × minimumHealthyPercent / 100)` healthy tasks remain — and the new
//! one starts once the instance is bare. On a DRAINING instance the daemon task is stopped last,
//! once no other task remains there.

use crate::capacity::Instance;
use crate::engine::SimTime;
use crate::ids::{InstanceId, ServiceId, TaskId};
use crate::placement::{rejections, Rejection, Request};
use crate::task::{Placement, TaskOwner};
use crate::world::{Ctx, World};

use super::health::{standing, Standing};
use super::reconcile::wake_at;
use super::rolling::report_blocked;
use super::tasks::{record_started, start_one, stop_tasks, StopCause};
use super::throttle::{self, report_unplaceable};
use super::{RolloutState, SchedulingStrategy};

/// Instances the daemon belongs on: its capacity's instances that take tasks (ACTIVE, agent
/// connected) and satisfy its constraints.
pub fn instances(world: &World, id: ServiceId) -> impl Iterator<Item = InstanceId> + '_ {
    world.instances.iter().filter(move |i| belongs_on(world, id, i)).map(|i| i.id)
}

fn belongs_on(world: &World, id: ServiceId, instance: &Instance) -> bool {
    let svc = world.services.get(id);
    let request = Request {
        task_definition: world.task_definition(svc.primary().task_definition),
        group: svc.group,
        strategies: &[],
        constraints: &svc.spec.placement_constraints,
    };
    instance.accepts_tasks()
        && svc.spec.capacity.includes(instance)
        && rejections(world, instance, &request).iter().all(|r| !matches!(r, Rejection::MemberOf(_)))
}

pub fn reconcile(world: &mut World, ctx: &mut Ctx, id: ServiceId) {
    let now = ctx.sched.now();
    if world.services.get(id).primary().state == RolloutState::Failed {
        return;
    }
    let eligible: Vec<InstanceId> = instances(world, id).collect();
    let Sorted { to_stop, healthy_doomed, next_change } = sort_tasks(world, id, now);
    let desired = eligible.len() as u32;
    let svc = world.services.get(id);
    let healthy = svc.tasks.iter().filter(|t| is_healthy(world, id, **t, now)).count() as u32;
    let may_stop = healthy.saturating_sub(svc.spec.deployment.min_healthy_tasks(desired)) as usize;
    let replaced: Vec<_> = healthy_doomed.iter().take(may_stop).copied().collect();
    stop_tasks(world, ctx, id, &to_stop);
    stop_tasks(world, ctx, id, &replaced);
    let started = start_on_bare(world, ctx, id, &eligible);
    if healthy_doomed.len() > replaced.len() && may_stop == 0 && to_stop.is_empty() && started == 0 {
        let in_flight = world.services.get(id).tasks.len();
        let live = world.tasks.live(&world.services.get(id).tasks).count();
        if in_flight == live {
            report_blocked(world, ctx, id);
        }
    }
    let svc = world.services.get_mut(id);
    svc.reconcile.replacing = healthy_doomed.len() > replaced.len();
    if let Some(at) = next_change.filter(|_| svc.reconcile.replacing) {
        wake_at(world, ctx, id, at);
    }
}

fn is_healthy(world: &World, id: ServiceId, task: TaskId, now: SimTime) -> bool {
    let grace = world.services.get(id).spec.health_check_grace_period;
    world.tasks.get(task).desired_running && standing(world, task, grace, now) == Standing::Healthy
}

/// The daemon's live tasks sorted by what to do with them.
struct Sorted {
    /// Stop at once: unhealthy tasks, old ones not yet healthy, the last tasks of draining instances.
    to_stop: Vec<(TaskId, StopCause)>,
    /// Old healthy tasks, replaced within the minimum healthy percent.
    healthy_doomed: Vec<(TaskId, StopCause)>,
    /// The next time a task's standing changes by itself.
    next_change: Option<SimTime>,
}

fn sort_tasks(world: &World, id: ServiceId, now: SimTime) -> Sorted {
    let svc = world.services.get(id);
    let (primary, grace) = (svc.primary_index(), svc.spec.health_check_grace_period);
    let (mut now_, mut later, mut next) = (Vec::new(), Vec::new(), None::<SimTime>);
    for t in world.tasks.live(&svc.tasks) {
        let task = world.tasks.get(t);
        let Placement::Instance(instance) = task.placement else { continue };
        let standing = standing(world, t, grace, now);
        if let Standing::Unready { until: Some(at) } = standing {
            next = Some(next.map_or(at, |n| n.min(at)));
        }
        let here = world.instances.get(instance);
        if !belongs_on(world, id, here) {
            if here.is_draining() && only_daemons_left(world, instance) {
                now_.push((t, StopCause::Draining));
            }
            continue;
        }
        match (task.deployment == primary, standing) {
            (_, Standing::Unhealthy) => now_.push((t, StopCause::Unhealthy)),
            (true, _) => {}
            (false, Standing::Healthy) => later.push((t, StopCause::Deployment)),
            (false, Standing::Unready { .. }) => now_.push((t, StopCause::Deployment)),
        }
    }
    Sorted { to_stop: now_, healthy_doomed: later, next_change: next }
}

/// Whether a task belongs to a daemon service.
pub fn is_daemon_task(world: &World, owner: TaskOwner) -> bool {
    matches!(owner, TaskOwner::Service(s)
        if world.services.get(s).spec.scheduling_strategy == SchedulingStrategy::Daemon)
}

/// Whether every task left on the instance (not told to stop) belongs to a daemon service: the
/// instance is empty as a drain and cluster auto scaling see it.
pub fn only_daemons_left(world: &World, instance: InstanceId) -> bool {
    world.instances.get(instance).tasks.iter().all(|t| {
        let task = world.tasks.get(*t);
        !task.desired_running || is_daemon_task(world, task.owner)
    })
}

/// Starts the primary's task on every eligible instance that holds none of the service's.
fn start_on_bare(world: &mut World, ctx: &mut Ctx, id: ServiceId, eligible: &[InstanceId]) -> u32 {
    // An instance is bare once the service's last task there is STOPPED (maximumPercent 100: a
    // daemon never runs two tasks on one instance, even while one is stopping).
    let group = world.services.get(id).group;
    let holds = |i: &InstanceId| world.instances.get(*i).tasks.iter().any(|t| world.tasks.get(*t).group == group);
    let bare: Vec<InstanceId> = eligible.iter().copied().filter(|i| !holds(i)).collect();
    if bare.is_empty() || throttle::throttled(world, ctx, id) {
        return 0;
    }
    let mut started = Vec::new();
    for instance in bare {
        match start_one(world, ctx, id, Some(instance)) {
            Ok(task) => started.push(task),
            Err(why) => report_unplaceable(world, ctx, id, why),
        }
    }
    record_started(world, ctx, id, &started);
    started.len() as u32
}
