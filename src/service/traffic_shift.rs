//! Blue/green, canary and linear deployments: ECS's traffic-shifting strategies
//! (aws-behaviour.md §6a). The new (green) revision runs beside the old (blue) one, each on its
//! own target group of the same listener, and production traffic moves from blue to green by the
//! strategy's steps.
//!
//! Contract, for a deployment with a [`Shift`] (one that replaces a revision; a service's first
//! deployment and a rollback have none and go by the rolling rule):
//! - **SCALE_UP**: green starts the desired count of tasks at once, on the alternate target
//!   group (whatever `maximumPercent`: ECS scales green to 100 % beside blue), replacing any that
//!   stop or fail their health checks; blue keeps its tasks and all production traffic;
//! - once every green task is healthy (its target too), the test-traffic stages pass at once (no
//!   test traffic is modelled) and **PRODUCTION_TRAFFIC_SHIFT** begins: BLUE_GREEN moves 100 %
//!   at once; CANARY its percent, then the rest after its bake time; LINEAR its step percent
//!   every step bake time (the last step stops at 100 %, and no step bake follows it);
//! - **BAKE_TIME**: both revisions run for `bakeTimeInMinutes`; then **CLEAN_UP** stops blue's
//!   tasks, and the deployment completes at the next steady state; the green target group
//!   becomes the production one (the two swap roles for the next deployment);
//! - a deployment alarm in ALARM until it completes fails it, and with rollback shifts
//!   production back to blue ([`super::deployment_alarms`]); the circuit breaker is the rolling
//!   update's only, as in ECS.
//!
//! Each stage and each shift is an event in ECS's words; the waits are the service's wake-ups.

use crate::engine::SimTime;
use crate::ids::{ServiceId, TaskId};
use crate::record::EventKind;
use crate::world::{Ctx, World};

use super::deployment::{RolloutState, Shift, ShiftStage};
use super::health::{standing, Standing};
use super::reconcile::wake_at;
use super::tasks::{start_tasks, stop_tasks, stop_unhealthy, StopCause};
use super::{rolling, throttle, wording};

/// One look at a service whose deployment strategy shifts traffic.
pub(super) fn reconcile(world: &mut World, ctx: &mut Ctx, id: ServiceId) {
    let svc = world.services.get(id);
    let shifting = svc.primary().state == RolloutState::InProgress && svc.primary().shift.is_some();
    if !shifting {
        // Creation, rollback, healing after completion: the rolling rule.
        return rolling::reconcile(world, ctx, id);
    }
    let now = ctx.sched.now();
    let green = green_side(world, id, now);
    stop_tasks(world, ctx, id, &green.draining);
    stop_unhealthy(world, ctx, id, &green.unhealthy);
    let desired = world.services.get(id).desired_count;
    let wanted = desired.saturating_sub(green.keepers);
    if wanted > 0 && !throttle::throttled(world, ctx, id) {
        start_tasks(world, ctx, id, wanted);
    }
    world.services.get_mut(id).reconcile.replacing = true;
    let ready = wanted == 0 && green.healthy == desired;
    advance(world, ctx, id, ready);
    if let Some(at) = green.next_change.filter(|at| *at > now) {
        wake_at(world, ctx, id, at);
    }
}

/// The new revision's live tasks, sorted.
#[derive(Debug, Default)]
struct GreenSide {
    /// Live green tasks that stay (any standing but unhealthy, not on a DRAINING instance).
    keepers: u32,
    healthy: u32,
    unhealthy: Vec<TaskId>,
    draining: Vec<(TaskId, StopCause)>,
    /// The earliest time a green task will count as healthy.
    next_change: Option<SimTime>,
}

fn green_side(world: &World, id: ServiceId, now: SimTime) -> GreenSide {
    let svc = world.services.get(id);
    let (primary, grace) = (svc.primary_index(), svc.spec.health_check_grace_period);
    let mut side = GreenSide::default();
    for &t in &svc.tasks {
        let task = world.tasks.get(t);
        if !task.desired_running || task.deployment != primary {
            continue;
        }
        if world.on_draining_instance(t) {
            side.draining.push((t, StopCause::Draining));
            continue;
        }
        match standing(world, t, grace, now) {
            Standing::Unhealthy => side.unhealthy.push(t),
            Standing::Healthy => {
                side.keepers += 1;
                side.healthy += 1;
            }
            Standing::Unready { until } => {
                side.keepers += 1;
                if let Some(at) = until {
                    side.next_change = Some(side.next_change.map_or(at, |n| n.min(at)));
                }
            }
        }
    }
    side
}

/// Moves the deployment on through its stages as far as it can go now.
fn advance(world: &mut World, ctx: &mut Ctx, id: ServiceId, green_ready: bool) {
    let now = ctx.sched.now();
    loop {
        let Some(shift) = world.services.get(id).primary().shift.clone() else { return };
        let due = shift.next_at.is_none_or(|at| at <= now);
        match shift.stage {
            ShiftStage::ScaleUp if green_ready => shift_step(world, ctx, id, &shift),
            ShiftStage::ProductionTrafficShift if due => shift_step(world, ctx, id, &shift),
            ShiftStage::BakeTime if due => clean_up(world, ctx, id),
            ShiftStage::ScaleUp | ShiftStage::ProductionTrafficShift | ShiftStage::BakeTime => {
                if let Some(at) = shift.next_at {
                    wake_at(world, ctx, id, at);
                }
                return;
            }
            ShiftStage::CleanUp => return,
        }
    }
}

/// The next shift of production traffic; then the wait before the next one, or the bake time.
fn shift_step(world: &mut World, ctx: &mut Ctx, id: ServiceId, shift: &Shift) {
    let now = ctx.sched.now();
    let svc = world.services.get(id);
    let (to, wait) = svc.spec.deployment.strategy.next_shift(shift.percent);
    let bake_time = svc.spec.deployment.bake_time;
    let deployment = svc.primary().id.clone();
    let name = svc.spec.name.clone();
    if shift.stage == ShiftStage::ScaleUp {
        let detail = format!("{} tasks healthy on target group {}", svc.desired_count, target_group(world, shift.to));
        say_stage(ctx, &name, &deployment, ShiftStage::ProductionTrafficShift, &detail);
    }
    crate::traffic::shift_production(world, ctx, shift.from, shift.to, to);
    let message = wording::traffic_shifted(
        &name,
        &deployment,
        to,
        target_group(world, shift.to),
        target_group(world, shift.from),
    );
    ctx.log(EventKind::ServiceDeploymentTrafficShifted).service(name.clone()).message(message).emit();
    let svc = world.services.get_mut(id);
    svc.steady.changed();
    let Some(state) = svc.primary_mut().shift.as_mut() else { return };
    state.percent = to;
    state.shifts.push((now, to));
    match wait {
        Some(wait) => {
            state.stage = ShiftStage::ProductionTrafficShift;
            state.next_at = Some(now + wait);
        }
        None => {
            state.stage = ShiftStage::BakeTime;
            state.next_at = Some(now + bake_time);
            let detail = format!("both revisions run for {bake_time}");
            say_stage(ctx, &name, &deployment, ShiftStage::BakeTime, &detail);
        }
    }
}

/// The bake time is over: the old revision's tasks stop.
fn clean_up(world: &mut World, ctx: &mut Ctx, id: ServiceId) {
    let svc = world.services.get_mut(id);
    let primary = svc.primary_index();
    let deployment = svc.primary().id.clone();
    let name = svc.spec.name.clone();
    if let Some(shift) = svc.primary_mut().shift.as_mut() {
        shift.stage = ShiftStage::CleanUp;
        shift.next_at = None;
    }
    let blue: Vec<(TaskId, StopCause)> = svc
        .tasks
        .iter()
        .filter(|t| world.tasks.get(**t).desired_running && world.tasks.get(**t).deployment != primary)
        .map(|t| (*t, StopCause::Deployment))
        .collect();
    let detail = format!("stopping {} tasks of the previous revision", blue.len());
    say_stage(ctx, &name, &deployment, ShiftStage::CleanUp, &detail);
    stop_tasks(world, ctx, id, &blue);
}

fn say_stage(ctx: &mut Ctx, service: &str, deployment: &str, stage: ShiftStage, detail: &str) {
    let message = wording::stage(service, deployment, stage.as_str(), detail);
    ctx.log(EventKind::ServiceDeploymentLifecycleStage).service(service).status(stage.as_str()).message(message).emit();
}

fn target_group(world: &World, tg: crate::ids::TargetGroupId) -> &str {
    crate::traffic::target_group_name(world, tg)
}
