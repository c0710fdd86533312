//! One minute of a scalable target: its alarms are evaluated (state changes are events), the
//! policies whose alarms are in ALARM say what they want, the wishes combine as AWS combines
//! them, and the result goes through the target's bounds to the service or group
//! ([`super::scalable`] holds what differs between the two).

use super::alarm::{evaluate, AlarmSpec, AlarmState, Evaluation};
use super::metric::MetricStore;
use super::scalable::Capacity;
use super::spec::Scalable;
use super::state::{Autoscaling, TargetState, WatchedAlarm};
use super::target::{combine, combine_target_tracking, Cooldowns, Proposal};
use super::{step, target_tracking};
use crate::record::EventKind;
use crate::world::{Ctx, World};

/// Which policy a wish came from, to start its cooldown if it wins.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Origin {
    Tracking(usize),
    Step(usize),
}

/// A wish and why.
struct Wish {
    proposal: Proposal,
    origin: Origin,
    reason: String,
}

/// Evaluates one alarm, saying so when its state changes.
fn watch(
    (world, ctx): (&World, &mut Ctx),
    alarm: &mut WatchedAlarm,
    (store, minute): (&MetricStore, u64),
    (scalable, names): (Scalable, &[String]),
) -> Evaluation {
    let eval = evaluate(&alarm.spec, store, minute);
    if eval.state != alarm.state {
        let message = alarm.change_message(&eval, names, 1);
        scalable.log(world, ctx, EventKind::AlarmStateChange).status(eval.state.as_str()).message(message).emit();
        alarm.state = eval.state;
    }
    eval
}

/// "alarm X in ALARM: CPUUtilization 81.2 > 60 for 3 datapoints".
fn alarm_says(alarm: &WatchedAlarm, value: f64, names: &[String]) -> String {
    format!(
        "alarm {} in ALARM: {} {value:.1} {} {} for {} datapoints",
        alarm.name,
        alarm.spec.metric.name.aws_name(names),
        alarm.spec.comparison.symbol(),
        alarm.spec.threshold,
        alarm.spec.datapoints_to_alarm
    )
}

/// The minute `minute` is complete: evaluates the target's alarms and applies its policies.
pub(super) fn tick_target(world: &mut World, ctx: &mut Ctx, scaling: &mut Autoscaling, t: usize, minute: u64) {
    let now = ctx.sched.now();
    let Autoscaling { store, targets, custom_names, .. } = scaling;
    let target = &mut targets[t];
    let scalable = target.scalable;
    let Capacity { current, base, warming } = scalable.capacity(world, now);
    let mut tracking = Vec::new();
    let mut wishes = Vec::new();
    // A service at 0 tasks scales out on one datapoint above the target, not AlarmHigh's usual
    // 3 of 3 (aws-behaviour.md §7.1, "from 0: one datapoint").
    let from_zero = current == 0 && matches!(scalable, Scalable::Service(_));
    for (i, p) in target.tracking.iter_mut().enumerate() {
        let usual = from_zero.then(|| {
            let one = AlarmSpec { evaluation_periods: 1, datapoints_to_alarm: 1, ..p.high.spec.clone() };
            std::mem::replace(&mut p.high.spec, one)
        });
        let high = watch((world, ctx), &mut p.high, (store, minute), (scalable, custom_names));
        let low = watch((world, ctx), &mut p.low, (store, minute), (scalable, custom_names));
        let (alarm, eval) = if high.state == AlarmState::Alarm { (&p.high, &high) } else { (&p.low, &low) };
        let cooldowns = p.cooldowns.warming(now, current, warming);
        let proposal = match eval.latest() {
            Some(metric) => {
                target_tracking::decide(&p.spec, (high.state, low.state), metric, base, current, (&cooldowns, now))
            }
            None => Proposal::Hold,
        };
        let reason = eval.latest().map(|v| alarm_says(alarm, v, custom_names)).unwrap_or_default();
        if let Some(spec) = usual {
            p.high.spec = spec;
        }
        tracking.push((proposal, !p.spec.disable_scale_in));
        wishes.push(Wish { proposal, origin: Origin::Tracking(i), reason });
    }
    let combined_tracking = combine_target_tracking(&tracking);
    // Only the target tracking wish that matches the combination stands for them all.
    wishes.retain(|w| !matches!(w.origin, Origin::Tracking(_)) || w.proposal == combined_tracking);
    let simple_cooling = target.simple_cooldown_until.is_some_and(|until| now < until);
    for (i, p) in target.steps.iter_mut().enumerate() {
        let eval = watch((world, ctx), &mut p.alarm, (store, minute), (scalable, custom_names));
        if eval.state != AlarmState::Alarm || (p.spec.simple && simple_cooling) {
            continue;
        }
        let values: Vec<f64> = eval.values.iter().flatten().copied().collect();
        let Some(value) = p.spec.policy.aggregation.aggregate(&values) else { continue };
        // Simple scaling knows no warm-up, only its cooldown (checked above).
        let cooldowns = if p.spec.simple { Cooldowns::default() } else { p.cooldowns.warming(now, current, warming) };
        let (applied, proposal) = step::decide(&p.spec.policy, value, current, &cooldowns, now);
        let reason = match applied {
            Some(s) => format!(
                "{}; step {} ({:+.1} from the threshold): {} {:+}",
                alarm_says(&p.alarm, value, custom_names),
                s.describe(),
                value - p.spec.policy.threshold,
                p.spec.policy.adjustment_type.as_str(),
                s.adjustment
            ),
            None => alarm_says(&p.alarm, value, custom_names),
        };
        wishes.push(Wish { proposal, origin: Origin::Step(i), reason });
    }
    let proposals: Vec<Proposal> = wishes.iter().map(|w| w.proposal).collect();
    let decision = combine(&proposals);
    match target.bounds.apply(current, decision, scalable.scale_in_suspended(world)) {
        Ok(None) => {
            if decision == Proposal::Hold {
                target.blocked = None;
            }
        }
        Ok(Some(to)) => {
            let Some(winner) = wishes.iter().find(|w| w.proposal == decision) else { return };
            start_cooldowns(target, winner.origin, decision, current, now);
            target.blocked = None;
            scalable.set(world, ctx, (current, to), &winner.reason);
        }
        Err(blocked) => {
            if target.blocked != Some(blocked) {
                target.blocked = Some(blocked);
                let why = wishes.iter().find(|w| w.proposal == decision).map_or(String::new(), |w| w.reason.clone());
                let wanted = decision.capacity().unwrap_or(current);
                let message = format!(
                    "{why}; wanted desired {current} → {wanted}, but {} is {} (min {}, max {})",
                    target.resource_id,
                    blocked.describe(),
                    target.bounds.min_capacity,
                    target.bounds.max_capacity
                );
                scalable.log(world, ctx, EventKind::ScalingBlocked).message(message).emit();
            }
        }
    }
}

/// The winning policy's cooldown starts; a scale-out cancels every policy's scale-in cooldown
/// (AWS scales out at once during a scale-in cooldown, and that cooldown ends).
fn start_cooldowns(
    target: &mut TargetState,
    origin: Origin,
    decision: Proposal,
    from: u32,
    now: crate::engine::SimTime,
) {
    let out = matches!(decision, Proposal::Out(_));
    if out {
        for p in &mut target.tracking {
            p.cooldowns.scale_in_until = None;
        }
        for p in &mut target.steps {
            p.cooldowns.scale_in_until = None;
        }
    }
    match origin {
        Origin::Tracking(i) => {
            let p = &mut target.tracking[i];
            if out {
                p.cooldowns.scaled_out(now, from, p.spec.scale_out_cooldown);
            } else {
                p.cooldowns.scaled_in(now, p.spec.scale_in_cooldown);
            }
        }
        Origin::Step(i) if target.steps[i].spec.simple => {
            // Simple scaling: the whole group's simple policies wait out the cooldown.
            target.simple_cooldown_until = Some(now + target.steps[i].spec.policy.cooldown);
        }
        Origin::Step(i) => {
            let p = &mut target.steps[i];
            if out {
                p.cooldowns.scaled_out(now, from, p.spec.policy.cooldown);
            } else {
                p.cooldowns.scaled_in(now, p.spec.policy.cooldown);
            }
        }
    }
}
