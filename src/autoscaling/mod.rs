//! Application Auto Scaling for ECS services (aws-behaviour.md §7), an EC2 Auto Scaling group's
//! own scaling policies (§8), and the CloudWatch-like metric store and alarms behind them (§10).
//!
//! The kernels know nothing of ECS and serve every scalable target with a capacity:
//! - [`metric`]: one-minute datapoints per metric, bounded history, period statistics;
//! - [`alarm`]: M-of-N alarms with missing data treated as missing;
//! - [`target_tracking`], [`step`], [`scheduled`]: what each kind of policy asks;
//! - [`target`]: bounds, cooldowns, and how several policies' wishes combine.
//!
//! The runtime ([`on_event`]) ties them to services and groups ([`scalable`]): a tick every
//! minute publishes the minute's datapoints ([`publish`], [`cpu_use`]), evaluates every alarm
//! and applies the combined decision through the service scheduler or the group
//! ([`decide`]); scheduled actions are their own events.
//!
//! A group's own policies follow EC2 Auto Scaling, not Application Auto Scaling, where they
//! differ: no cooldowns by default (target tracking has none, it waits on the instance warm-up;
//! step scaling's `Cooldown` applies to simple scaling only, AWS's `DefaultCooldown` of 300 s
//! too); the warm-up does their work instead (see [`scalable`]). A group's *simple* scaling
//! policies are step policies of one open step that ignore the warm-up and share the group's
//! cooldown (`DefaultCooldown`, 300 s): after any simple-scaling activity none acts again before
//! it has passed.

pub mod alarm;
pub mod cpu_use;
mod decide;
pub mod metric;
mod named_alarms;
mod publish;
mod scalable;
pub mod scheduled;
pub mod spec;
mod state;
pub mod step;
pub mod target;
pub mod target_tracking;

pub use spec::{AutoscalingSpec, LoadProfile, NamedAlarm, Scalable, StepScaling, TargetScaling};
pub use state::{Autoscaling, TargetState};

use crate::engine::SimTime;
use crate::ids::{ScalableTargetId, ScheduledActionId};
use crate::record::EventKind;
use crate::world::event::ScalingEvent;
use crate::world::{Ctx, Event, World};
use publish::MINUTE;

/// Schedules the first tick (at 60 s: the first minute's datapoints) and every scheduled
/// action's first run. Nothing when no service or group has a policy.
pub fn start(world: &mut World, ctx: &mut Ctx, end: SimTime) {
    if world.autoscaling.targets.is_empty() && world.autoscaling.alarms.is_empty() {
        return;
    }
    let first = SimTime::ZERO + MINUTE;
    if first <= end {
        ctx.sched.at(first, Event::Scaling(ScalingEvent::Tick));
    }
    for (target, t) in world.autoscaling.targets.iter().enumerate() {
        for (i, action) in t.scheduled.iter().enumerate() {
            if let Some(at) = action.when.next(SimTime::ZERO).filter(|at| *at <= end) {
                let event = ScalingEvent::Scheduled {
                    target: ScalableTargetId::from_index(target),
                    action: ScheduledActionId::from_index(i),
                };
                ctx.sched.at(at, Event::Scaling(event));
            }
        }
    }
}

pub fn on_event(world: &mut World, ctx: &mut Ctx, event: ScalingEvent, end: SimTime) {
    match event {
        ScalingEvent::Tick => tick(world, ctx, end),
        ScalingEvent::Scheduled { target, action } => run_scheduled(world, ctx, target, action, end),
    }
}

/// A minute is over: publish its datapoints, then each target in service order decides.
fn tick(world: &mut World, ctx: &mut Ctx, end: SimTime) {
    let now = ctx.sched.now();
    let minute = (now.as_micros() / MINUTE.as_micros()).saturating_sub(1);
    let mut scaling = std::mem::take(&mut world.autoscaling);
    publish::publish_minute(world, &mut scaling, minute, now);
    let in_alarm = named_alarms::evaluate_all(world, ctx, &mut scaling, minute);
    for t in 0..scaling.targets.len() {
        decide::tick_target(world, ctx, &mut scaling, t, minute);
    }
    world.autoscaling = scaling;
    // Deployments watching an alarm in ALARM fail once the policies have decided.
    for (alarm, name) in in_alarm {
        crate::service::on_alarm(world, ctx, alarm, &name);
    }
    let next = now + MINUTE;
    if next <= end {
        ctx.sched.at(next, Event::Scaling(ScalingEvent::Tick));
    }
}

/// A scheduled action sets new bounds; the capacity moves into them at once, whatever the
/// cooldowns. A cron action is scheduled again for its next match.
fn run_scheduled(world: &mut World, ctx: &mut Ctx, id: ScalableTargetId, action: ScheduledActionId, end: SimTime) {
    let now = ctx.sched.now();
    let t = id.index();
    let Some(target) = world.autoscaling.targets.get_mut(t) else { return };
    let Some(a) = target.scheduled.get(action.index()).cloned() else { return };
    let scalable = target.scalable;
    let current = scalable.capacity(world, now).current;
    let target = &mut world.autoscaling.targets[t];
    let to = target.bounds.reschedule(a.min_capacity, a.max_capacity, current);
    let bounds = target.bounds;
    if let Some(next) = a.when.next(now + crate::engine::SimDuration::from_secs(1)).filter(|at| *at <= end) {
        ctx.sched.at(next, Event::Scaling(ScalingEvent::Scheduled { target: id, action }));
    }
    scalable.set_bounds(world, bounds.min_capacity, bounds.max_capacity);
    let why = format!(
        "scheduled action {} ({}) set min capacity {} and max capacity {}",
        a.name,
        a.when.describe(),
        bounds.min_capacity,
        bounds.max_capacity
    );
    match to {
        Some(to) => scalable.set(world, ctx, (current, to), &why),
        None => {
            let message = format!("{why}; desired {current} stays within the bounds");
            scalable.log(world, ctx, EventKind::ScalingActivity).message(message).emit();
        }
    }
}
