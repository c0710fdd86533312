//! Application Auto Scaling for ECS services (aws-behaviour.md §7) and the CloudWatch-like
//! metric store and alarms behind it (§10).
//!
//! The kernels know nothing of ECS and are meant to be reused for any scalable target with a
//! capacity (an Auto Scaling group's own policies, for one):
//! - [`metric`]: one-minute datapoints per metric, bounded history, period statistics;
//! - [`alarm`]: M-of-N alarms with missing data treated as missing;
//! - [`target_tracking`], [`step`], [`scheduled`]: what each kind of policy asks;
//! - [`target`]: bounds, cooldowns, and how several policies' wishes combine.
//!
//! The runtime ([`on_event`]) ties them to services: a tick every minute publishes the minute's
//! datapoints ([`publish`]), evaluates every alarm and applies the combined decision through
//! the service scheduler ([`decide`]); scheduled actions are their own events.

pub mod alarm;
mod decide;
pub mod metric;
mod publish;
pub mod scheduled;
pub mod spec;
mod state;
pub mod step;
pub mod target;
pub mod target_tracking;

pub use spec::{AutoscalingSpec, LoadProfile, ServiceScaling, StepScaling};
pub use state::{Autoscaling, TargetState};

use crate::engine::SimTime;
use crate::metrics::EventKind;
use crate::sim::event::ScalingEvent;
use crate::sim::ids::ServiceId;
use crate::sim::{Ctx, Event, World};
use publish::MINUTE;

/// Schedules the first tick (at 60 s: the first minute's datapoints) and every scheduled
/// action's first run. Nothing when no service scales.
pub fn start(world: &mut World, ctx: &mut Ctx, end: SimTime) {
    if world.autoscaling.targets.is_empty() {
        return;
    }
    let first = SimTime::ZERO + MINUTE;
    if first <= end {
        ctx.sched.at(first, Event::Scaling(ScalingEvent::Tick));
    }
    for t in &world.autoscaling.targets {
        for (i, action) in t.scheduled.iter().enumerate() {
            if let Some(at) = action.when.next(SimTime::ZERO).filter(|at| *at <= end) {
                ctx.sched.at(at, Event::Scaling(ScalingEvent::Scheduled { service: t.service, action: i as u32 }));
            }
        }
    }
}

pub fn on_event(world: &mut World, ctx: &mut Ctx, event: ScalingEvent, end: SimTime) {
    match event {
        ScalingEvent::Tick => tick(world, ctx, end),
        ScalingEvent::Scheduled { service, action } => run_scheduled(world, ctx, service, action as usize, end),
    }
}

/// A minute is over: publish its datapoints, then each target in service order decides.
fn tick(world: &mut World, ctx: &mut Ctx, end: SimTime) {
    let now = ctx.sched.now();
    let minute = (now.as_micros() / MINUTE.as_micros()).saturating_sub(1);
    let mut scaling = std::mem::take(&mut world.autoscaling);
    publish::publish_minute(world, &mut scaling, minute, now);
    for t in 0..scaling.targets.len() {
        decide::tick_target(world, ctx, &mut scaling, t, minute);
    }
    world.autoscaling = scaling;
    let next = now + MINUTE;
    if next <= end {
        ctx.sched.at(next, Event::Scaling(ScalingEvent::Tick));
    }
}

/// A scheduled action sets new bounds; the desired count moves into them at once, whatever the
/// cooldowns. A cron action is scheduled again for its next match.
fn run_scheduled(world: &mut World, ctx: &mut Ctx, service: ServiceId, action: usize, end: SimTime) {
    let now = ctx.sched.now();
    let Some(t) = world.autoscaling.target_of(service) else { return };
    let current = crate::service::desired_count(world, service);
    let target = &mut world.autoscaling.targets[t];
    let Some(a) = target.scheduled.get(action).cloned() else { return };
    let to = target.bounds.reschedule(a.min_capacity, a.max_capacity, current);
    let bounds = target.bounds;
    if let Some(next) = a.when.next(now + crate::engine::SimDuration::from_secs(1)).filter(|at| *at <= end) {
        ctx.sched.at(next, Event::Scaling(ScalingEvent::Scheduled { service, action: action as u32 }));
    }
    let name = world.services[service.index()].spec.name.clone();
    let change = match to {
        Some(to) => format!("desired {current} → {to}"),
        None => format!("desired {current} stays within the bounds"),
    };
    let message = format!(
        "scheduled action {} ({}) set min capacity {} and max capacity {}; {change}",
        a.name,
        a.when.describe(),
        bounds.min_capacity,
        bounds.max_capacity
    );
    ctx.log(EventKind::ServiceScalingActivity).service(name).message(message).emit();
    if let Some(to) = to {
        crate::service::update_desired_count(world, ctx, service, to);
    }
}
