//! The replica scheduler's one rule, which covers healing, scale-in, unhealthy-task replacement,
//! draining instances and rolling deployments alike (aws-behaviour.md §5.3, §6.2, §6.4):
//!
//! - *keepers* are the primary deployment's live tasks that are fine where they are; every other
//!   live task is *doomed*: it belongs to an older deployment, failed its health checks, or sits
//!   on a DRAINING instance;
//! - doomed tasks that are not healthy count for nothing: those still starting are stopped at once;
//!   unhealthy ones are stopped once healthy tasks make up the desired count again (replacement
//!   first), or one at a time when `maximumPercent` leaves no room to start a replacement;
//! - doomed healthy tasks are stopped as long as `ceil(desired × minimumHealthyPercent / 100)`
//!   healthy tasks remain;
//! - the primary starts tasks until it has the desired count, as long as no more than
//!   `floor(desired × maximumPercent / 100)` tasks are RUNNING, PENDING or STOPPING — a task the
//!   service is short of (one that stopped) is always replaced.

use crate::engine::SimTime;
use crate::ids::{ServiceId, TaskId};
use crate::placement::{choose_tasks_to_stop, PlacementStrategy};
use crate::record::EventKind;
use crate::task::TaskStatus;
use crate::world::{Ctx, World};

use super::health::{standing, Standing};
use super::reconcile::wake_at;
use super::tasks::{start_tasks, stop_tasks, stop_unhealthy, StopCause};
use super::{throttle, wording, RolloutState, Service};

/// The service's live tasks sorted by what the scheduler must do with them.
#[derive(Debug, Default)]
pub struct Census {
    /// The primary deployment's tasks that stay.
    pub keepers: Vec<TaskId>,
    pub healthy_keepers: u32,
    /// Doomed tasks not yet healthy (still starting, or within their first 40 s or grace).
    pub unready_doomed: Vec<(TaskId, StopCause)>,
    pub unhealthy: Vec<TaskId>,
    pub healthy_doomed: Vec<(TaskId, StopCause)>,
    /// Tasks not yet asked to stop.
    pub live: u32,
    /// Tasks not yet STOPPED: the live ones and those stopping.
    pub in_flight: u32,
    /// The earliest time a task will count as healthy, or its grace period ends.
    pub next_change: Option<SimTime>,
    /// When the last keeper will count as healthy, if all are RUNNING.
    pub all_keepers_healthy_at: Option<SimTime>,
}

impl Census {
    pub fn doomed(&self) -> usize {
        self.unready_doomed.len() + self.unhealthy.len() + self.healthy_doomed.len()
    }
}

/// Sorts the live tasks of service `id` at `now`.
pub fn census(world: &World, id: ServiceId, now: SimTime) -> Census {
    let svc = world.services.get(id);
    let primary = svc.primary_index();
    let grace = svc.spec.health_check_grace_period;
    let mut c = Census { in_flight: svc.tasks.len() as u32, ..Census::default() };
    let mut keepers_ready_at = Some(now);
    for &t in &svc.tasks {
        let task = world.tasks.get(t);
        if !task.desired_running {
            continue;
        }
        c.live += 1;
        let standing = standing(world, t, grace, now);
        if let Standing::Unready { until: Some(at) } = standing {
            c.next_change = Some(c.next_change.map_or(at, |n| n.min(at)));
        }
        let cause = match (task.deployment == primary, world.on_draining_instance(t)) {
            (_, true) => StopCause::Draining,
            _ if svc.rebalancing.moving() == Some(t) => StopCause::Rebalancing,
            (false, false) => StopCause::Deployment,
            (true, false) if standing == Standing::Unhealthy => StopCause::Unhealthy,
            (true, false) => {
                c.keepers.push(t);
                keepers_ready_at = match standing {
                    Standing::Healthy => {
                        c.healthy_keepers += 1;
                        keepers_ready_at
                    }
                    Standing::Unready { until: Some(at) } if task.status == TaskStatus::Running => {
                        keepers_ready_at.map(|r| r.max(at))
                    }
                    Standing::Unready { .. } | Standing::Unhealthy => None,
                };
                continue;
            }
        };
        match standing {
            Standing::Unhealthy => c.unhealthy.push(t),
            Standing::Healthy => c.healthy_doomed.push((t, cause)),
            Standing::Unready { .. } => c.unready_doomed.push((t, cause)),
        }
    }
    c.all_keepers_healthy_at = keepers_ready_at;
    c
}

/// Brings a replica service one step closer to its desired count of healthy primary tasks.
pub fn reconcile(world: &mut World, ctx: &mut Ctx, id: ServiceId) {
    let now = ctx.sched.now();
    let svc = world.services.get(id);
    if svc.primary().state == RolloutState::Failed {
        // The breaker tripped with nothing to roll back to: the deployment stalls as it is.
        return;
    }
    let desired = svc.desired_count;
    let config = svc.spec.deployment.clone();
    let census = census(world, id, now);
    let mut stopped = scale_in(world, ctx, id, &census);
    stopped += stop(world, ctx, id, &census.unready_doomed);

    let healthy = census.healthy_keepers + census.healthy_doomed.len() as u32;
    let live = census.live - stopped;
    let room = |live: u32| desired.saturating_sub(live).max(config.max_tasks(desired).saturating_sub(census.in_flight));
    if let Some(first) = census.unhealthy.first() {
        let replaced = if healthy >= desired {
            census.unhealthy.clone()
        } else if room(live) == 0 && live == census.in_flight {
            vec![*first]
        } else {
            Vec::new()
        };
        stop_unhealthy(world, ctx, id, &replaced);
        stopped += replaced.len() as u32;
    }
    let may_stop = healthy.saturating_sub(config.min_healthy_tasks(desired)) as usize;
    let old: Vec<_> = census.healthy_doomed.iter().take(may_stop).copied().collect();
    stopped += stop(world, ctx, id, &old);

    let live = census.live - stopped;
    let wanted = desired.saturating_sub(census.keepers.len() as u32);
    let to_start = wanted.min(room(live));
    let started =
        if to_start == 0 || throttle::throttled(world, ctx, id) { 0 } else { start_tasks(world, ctx, id, to_start) };

    // Stuck only if nothing will change by itself: every live task healthy (a task still starting
    // would free a stop once healthy).
    let settled = healthy == census.live;
    let blocked = wanted > 0 && room(live) == 0 && may_stop == 0 && census.unhealthy.is_empty() && settled;
    if blocked && stopped == 0 && started == 0 && census.live == census.in_flight {
        report_blocked(world, ctx, id);
    }
    let svc = world.services.get_mut(id);
    svc.reconcile.replacing = census.doomed() > stopped as usize;
    let wake =
        if svc.reconcile.replacing { census.next_change } else { census.all_keepers_healthy_at.filter(|at| *at > now) };
    if let Some(at) = wake {
        wake_at(world, ctx, id, at);
    }
}

/// Stops the primary's tasks beyond the desired count, chosen by the placement strategies read
/// backwards; returns how many.
fn scale_in(world: &mut World, ctx: &mut Ctx, id: ServiceId, census: &Census) -> u32 {
    let desired = world.services.get(id).desired_count as usize;
    if census.keepers.len() <= desired {
        return 0;
    }
    let strategies = scale_in_strategies(world.services.get(id));
    let extra = census.keepers.len() - desired;
    let chosen = choose_tasks_to_stop(world, &census.keepers, &strategies, extra, &mut ctx.streams.placement);
    let causes: Vec<_> = chosen.into_iter().map(|t| (t, StopCause::ScaleIn)).collect();
    stop(world, ctx, id, &causes)
}

/// ECS's event for a rolling deployment that its own bounds stop: nothing may start
/// (maximumPercent) and nothing may stop (minimumHealthyPercent). Said once per deployment.
pub(super) fn report_blocked(world: &mut World, ctx: &mut Ctx, id: ServiceId) {
    let svc = world.services.get_mut(id);
    if svc.primary().blocked_reported {
        return;
    }
    svc.primary_mut().blocked_reported = true;
    let name = svc.spec.name.clone();
    let message = wording::deployment_blocked(&name);
    ctx.log(EventKind::ServiceDeploymentBlocked).service(name).message(message).emit();
}

/// The rules a scale-in reads backwards: the service's strategies, or a zone spread on Fargate.
fn scale_in_strategies(svc: &Service) -> Vec<PlacementStrategy> {
    match &svc.spec.placement_strategy {
        s if !s.is_empty() => s.clone(),
        _ => PlacementStrategy::service_default(),
    }
}

fn stop(world: &mut World, ctx: &mut Ctx, id: ServiceId, tasks: &[(TaskId, StopCause)]) -> u32 {
    stop_tasks(world, ctx, id, tasks);
    tasks.len() as u32
}
