//! What differs between the two kinds of scalable target at run time, so that the kernels and
//! the per-minute decision ([`super::decide`]) stay the same for both:
//!
//! | | ECS service | Auto Scaling group (its own policies) |
//! | --- | --- | --- |
//! | capacity | desired count | `DesiredCapacity` |
//! | target tracking's base | RUNNING tasks | instances in service past the warm-up |
//! | scale-in held back by | a deployment in progress (logged) | warming instances (silently, as AWS) |
//! | applied through | the service scheduler, logged as a scaling activity | `capacity::set_desired_capacity`, which logs `ASG_DESIRED_CAPACITY_CHANGED` |
//!
//! Warming instances (aws-behaviour.md §8: still booting, or in service for less than the
//! group's default instance warm-up) feed no metric, block every policy's scale-in, and count
//! toward desired for the next scale-out: target tracking computes from the ready instances and
//! compares with the desired capacity (which includes the warming ones), and step scaling adds
//! its adjustment to the capacity without them, so the same step again adds nothing and a
//! bigger one only its excess — the rule a scale-out cooldown applies to services
//! ([`Cooldowns::warming`]).

use super::spec::Scalable;
use super::target::Cooldowns;
use crate::engine::SimTime;
use crate::record::EventKind;
use crate::world::LogEntry;
use crate::world::{Ctx, World};

/// A target's capacity as its policies see it at one evaluation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Capacity {
    /// The desired count or desired capacity.
    pub current: u32,
    /// What carries the load: RUNNING tasks, or ready instances.
    pub base: u32,
    /// Instances warming up (always 0 for a service).
    pub warming: u32,
}

impl Scalable {
    pub(super) fn capacity(self, world: &World, now: SimTime) -> Capacity {
        match self {
            Scalable::Service(id) => {
                let running = super::publish::running_tasks(world, id).len() as u32;
                Capacity { current: crate::service::desired_count(world, id), base: running, warming: 0 }
            }
            Scalable::Group(id) => {
                let current = world.providers[id.index()].auto_scaling_group().map_or(0, |asg| asg.desired_capacity);
                let view = crate::capacity::warm_up(world, id, now);
                Capacity { current, base: view.ready.len() as u32, warming: view.warming }
            }
        }
    }

    /// Whether scale-in is suspended for a reason worth saying: a service's deployment.
    pub(super) fn scale_in_suspended(self, world: &World) -> bool {
        match self {
            Scalable::Service(id) => crate::service::deployment_in_progress(world, id),
            Scalable::Group(_) => false,
        }
    }

    /// An event-log entry about the target: a service's carry its name.
    pub(super) fn log<'a>(self, world: &World, ctx: &'a mut Ctx<'_>, kind: EventKind) -> LogEntry<'a> {
        match self {
            Scalable::Service(id) => ctx.log(kind).service(world.services.get(id).spec.name.clone()),
            Scalable::Group(_) => ctx.log(kind),
        }
    }

    /// Sets the capacity to `to` (already within the target's bounds) from `from`, saying `why`
    /// once: a service's change is a scaling activity ("...; desired 2 → 4"), a group's is the
    /// group's own desired-capacity event.
    pub(super) fn set(self, world: &mut World, ctx: &mut Ctx, (from, to): (u32, u32), why: &str) {
        match self {
            Scalable::Service(id) => {
                let message = format!("{why}; desired {from} → {to}");
                self.log(world, ctx, EventKind::ScalingActivity).message(message).emit();
                crate::service::update_desired_count(world, ctx, id, to);
            }
            Scalable::Group(id) => {
                crate::capacity::set_desired_capacity(world, ctx, id, to, why);
            }
        }
    }

    /// A scheduled action's new bounds: a group's minimum and maximum sizes are its target's
    /// bounds, so they change with them (a service's live only in its scalable target).
    pub(super) fn set_bounds(self, world: &mut World, min: u32, max: u32) {
        if let Scalable::Group(id) = self {
            if let Some(asg) = world.providers[id.index()].auto_scaling_group_mut() {
                asg.min_size = min;
                asg.max_size = max;
            }
        }
    }
}

impl Cooldowns {
    /// The cooldowns a group's policy acts under while `warming` instances warm up: no scale-in,
    /// and a scale-out computed from the capacity without them (see the module's docs). With
    /// nothing warming, the policy's own.
    pub(super) fn warming(&self, now: SimTime, current: u32, warming: u32) -> Cooldowns {
        if warming == 0 {
            return *self;
        }
        let until = now + crate::engine::SimDuration::from_micros(1);
        let base = self.scale_out_base(now, current).min(current.saturating_sub(warming));
        Cooldowns { scale_out: Some((until, base)), scale_in_until: Some(until) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::SimDuration;

    #[test]
    fn warming_instances_block_scale_in_and_count_toward_the_next_scale_out() {
        let now = SimTime::ZERO + SimDuration::from_secs(600);
        let own = Cooldowns::default();
        assert_eq!(own.warming(now, 4, 0), own, "nothing warming: the policy's own cooldowns");
        // Desired 4 of which 2 warm up: scale-in held, a step adds to 2.
        let w = own.warming(now, 4, 2);
        assert!(w.scale_in_blocked(now));
        assert_eq!(w.scale_out_base(now, 4), 2);
        // A step of +2 from base 2 asks 4: no more than what is already coming.
        let step =
            crate::autoscaling::step::adjusted(crate::autoscaling::step::AdjustmentType::ChangeInCapacity, 2, None, 2);
        assert_eq!(step, 4);
        // It is an evaluation-time view: a minute later it is gone.
        assert!(!w.scale_in_blocked(now + SimDuration::from_secs(60)));
    }
}
