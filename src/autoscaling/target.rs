//! A scalable target (aws-behaviour.md §7): a capacity between a minimum and a maximum, the
//! cooldowns its policies keep, and how several policies' wishes combine into one decision.
//! Nothing here knows what the capacity is: an ECS service's desired count today, an Auto
//! Scaling group's desired capacity tomorrow.

use crate::engine::{SimDuration, SimTime};

/// What one policy asks of the target's capacity at one evaluation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Proposal {
    /// Nothing to do (alarm OK, no step applies, a cooldown holds it back, ...).
    Hold,
    /// Scale out to this capacity.
    Out(u32),
    /// Scale in to this capacity.
    In(u32),
}

impl Proposal {
    pub fn capacity(self) -> Option<u32> {
        match self {
            Proposal::Hold => None,
            Proposal::Out(n) | Proposal::In(n) => Some(n),
        }
    }
}

/// Combines target tracking policies as AWS does: scale out if any wants to (to the largest
/// capacity asked), scale in only if every policy with scale-in enabled wants to (and then to
/// the largest capacity asked, the most cautious). `proposals` pairs each policy's wish with
/// whether its scale-in is enabled.
pub fn combine_target_tracking(proposals: &[(Proposal, bool)]) -> Proposal {
    let out = proposals.iter().filter(|(p, _)| matches!(p, Proposal::Out(_))).filter_map(|(p, _)| p.capacity()).max();
    if let Some(n) = out {
        return Proposal::Out(n);
    }
    let enabled: Vec<Proposal> = proposals.iter().filter(|(_, e)| *e).map(|(p, _)| *p).collect();
    if enabled.is_empty() || !enabled.iter().all(|p| matches!(p, Proposal::In(_))) {
        return Proposal::Hold;
    }
    enabled.iter().filter_map(|p| p.capacity()).max().map_or(Proposal::Hold, Proposal::In)
}

/// Combines independent wishes (the target tracking result and each step policy): any
/// scale-out wins, and when several fire at once the largest resulting capacity wins.
pub fn combine(proposals: &[Proposal]) -> Proposal {
    let largest = |want_out: bool| {
        proposals
            .iter()
            .filter(|p| matches!(p, Proposal::Out(_)) == want_out && !matches!(p, Proposal::Hold))
            .filter_map(|p| p.capacity())
            .max()
    };
    match (largest(true), largest(false)) {
        (Some(n), _) => Proposal::Out(n),
        (None, Some(n)) => Proposal::In(n),
        (None, None) => Proposal::Hold,
    }
}

/// Why a wish did not change the capacity (said once per change, not every minute).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Blocked {
    /// A scale-out was asked at the maximum capacity.
    AtMaxCapacity,
    /// A scale-in was asked at the minimum capacity.
    AtMinCapacity,
    /// A scale-in was asked while a deployment is in progress (ECS suspends scale-in then).
    ScaleInSuspended,
}

impl Blocked {
    pub fn describe(self) -> &'static str {
        match self {
            Blocked::AtMaxCapacity => "already at its maximum capacity",
            Blocked::AtMinCapacity => "already at its minimum capacity",
            Blocked::ScaleInSuspended => "in a deployment, during which scale-in is suspended",
        }
    }
}

/// The target's bounds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScalableTarget {
    pub min_capacity: u32,
    pub max_capacity: u32,
}

impl ScalableTarget {
    /// The capacity a wish leads to from `current`, within the bounds: `Ok(None)` when it asks
    /// for no change. A scale-out from below the minimum goes at least to the minimum; a
    /// scale-in from above the maximum goes at least to the maximum (AWS: "to the bound first");
    /// a wish never moves the capacity the other way.
    pub fn apply(&self, current: u32, wish: Proposal, scale_in_suspended: bool) -> Result<Option<u32>, Blocked> {
        match wish {
            Proposal::Hold => Ok(None),
            Proposal::Out(n) => {
                let to = n.clamp(self.min_capacity, self.max_capacity.max(self.min_capacity));
                match to.cmp(&current) {
                    std::cmp::Ordering::Greater => Ok(Some(to)),
                    _ if current >= self.max_capacity && n > current => Err(Blocked::AtMaxCapacity),
                    _ => Ok(None),
                }
            }
            Proposal::In(_) if scale_in_suspended => Err(Blocked::ScaleInSuspended),
            Proposal::In(n) => {
                let to = n.clamp(self.min_capacity, self.max_capacity.max(self.min_capacity));
                match to.cmp(&current) {
                    std::cmp::Ordering::Less => Ok(Some(to)),
                    _ if current <= self.min_capacity && n < current => Err(Blocked::AtMinCapacity),
                    _ => Ok(None),
                }
            }
        }
    }

    /// A scheduled action's new bounds (either may be kept): the capacity moves into them at
    /// once, whatever the cooldowns. Returns the capacity to set, if it changes.
    pub fn reschedule(&mut self, min: Option<u32>, max: Option<u32>, current: u32) -> Option<u32> {
        self.min_capacity = min.unwrap_or(self.min_capacity);
        self.max_capacity = max.unwrap_or(self.max_capacity);
        if self.max_capacity < self.min_capacity {
            // AWS rejects such an action; validation cannot see every combination over time, so
            // the later value wins.
            if max.is_some() {
                self.min_capacity = self.max_capacity;
            } else {
                self.max_capacity = self.min_capacity;
            }
        }
        let to = current.clamp(self.min_capacity, self.max_capacity);
        (to != current).then_some(to)
    }
}

/// A policy's cooldowns (aws-behaviour.md §7.1, §7.2).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cooldowns {
    /// After a scale-out: until when, and the capacity before it. Capacity added by that
    /// scale-out counts in the next calculation: a new scale-out is computed from this base and
    /// proceeds only if it asks more than the target has now.
    pub scale_out: Option<(SimTime, u32)>,
    /// After a scale-in: further scale-in is blocked until then.
    pub scale_in_until: Option<SimTime>,
}

impl Cooldowns {
    /// The capacity a scale-out is computed from at `now`: the base of a running scale-out
    /// cooldown, else `current`.
    pub fn scale_out_base(&self, now: SimTime, current: u32) -> u32 {
        match self.scale_out {
            Some((until, base)) if now < until => base,
            _ => current,
        }
    }

    pub fn scale_in_blocked(&self, now: SimTime) -> bool {
        self.scale_in_until.is_some_and(|until| now < until)
    }

    /// The policy scaled out from `from`: its scale-out cooldown starts (keeping the base of one
    /// still running, so that repeated invocations add only the excess of a bigger step).
    pub fn scaled_out(&mut self, now: SimTime, from: u32, cooldown: SimDuration) {
        let base = self.scale_out_base(now, from);
        self.scale_out = Some((now + cooldown, base));
    }

    pub fn scaled_in(&mut self, now: SimTime, cooldown: SimDuration) {
        self.scale_in_until = Some(now + cooldown);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn several_target_tracking_policies_combine_as_aws_says() {
        use Proposal::*;
        // Any scale-out wins, the largest.
        assert_eq!(combine_target_tracking(&[(Out(6), true), (In(2), true), (Out(8), true)]), Out(8));
        // Scale-in only when every enabled policy wants it, to the largest capacity asked.
        assert_eq!(combine_target_tracking(&[(In(3), true), (In(5), true)]), In(5));
        assert_eq!(combine_target_tracking(&[(In(3), true), (Hold, true)]), Hold);
        // A policy with scale-in disabled does not veto (nor ask) a scale-in...
        assert_eq!(combine_target_tracking(&[(In(3), true), (Hold, false)]), In(3));
        // ...but with no enabled policy, nothing scales in.
        assert_eq!(combine_target_tracking(&[(Hold, false)]), Hold);
        assert_eq!(combine(&[In(4), Hold, In(6)]), In(6));
        assert_eq!(combine(&[In(4), Out(5)]), Out(5));
    }

    #[test]
    fn bounds_clamp_and_say_why_nothing_moved() {
        let t = ScalableTarget { min_capacity: 2, max_capacity: 10 };
        assert_eq!(t.apply(4, Proposal::Out(14), false), Ok(Some(10)));
        assert_eq!(t.apply(10, Proposal::Out(14), false), Err(Blocked::AtMaxCapacity));
        assert_eq!(t.apply(4, Proposal::In(0), false), Ok(Some(2)));
        assert_eq!(t.apply(2, Proposal::In(1), false), Err(Blocked::AtMinCapacity));
        assert_eq!(t.apply(4, Proposal::In(3), true), Err(Blocked::ScaleInSuspended));
        // Below the minimum, a scale-out goes to the minimum at least...
        assert_eq!(t.apply(0, Proposal::Out(1), false), Ok(Some(2)));
        // ...and above the maximum a scale-in to the maximum at least.
        assert_eq!(t.apply(15, Proposal::In(14), false), Ok(Some(10)));
        // A scale-in below the minimum never raises the capacity.
        assert_eq!(t.apply(1, Proposal::In(0), false), Err(Blocked::AtMinCapacity));
    }

    #[test]
    fn a_scheduled_action_moves_the_capacity_into_its_bounds() {
        let mut t = ScalableTarget { min_capacity: 2, max_capacity: 10 };
        assert_eq!(t.reschedule(Some(6), None, 3), Some(6));
        assert_eq!(t.reschedule(Some(2), Some(4), 6), Some(4));
        assert_eq!(t.reschedule(None, Some(8), 4), None);
    }

    #[test]
    fn a_scale_out_cooldown_keeps_its_base() {
        let mut c = Cooldowns::default();
        let t0 = SimTime::ZERO;
        c.scaled_out(t0, 10, SimDuration::from_secs(300));
        assert_eq!(c.scale_out_base(t0 + SimDuration::from_secs(60), 11), 10);
        c.scaled_out(t0 + SimDuration::from_secs(60), 11, SimDuration::from_secs(300));
        assert_eq!(c.scale_out_base(t0 + SimDuration::from_secs(120), 13), 10);
        assert_eq!(c.scale_out_base(t0 + SimDuration::from_secs(360), 13), 13);
    }

    use proptest::prelude::*;

    fn proposal() -> impl Strategy<Value = Proposal> {
        prop_oneof![Just(Proposal::Hold), (0u32..60).prop_map(Proposal::Out), (0u32..60).prop_map(Proposal::In)]
    }

    proptest! {
        /// Whatever policies wish, a capacity inside the bounds stays inside them, a scale-out
        /// never lowers it and a scale-in never raises it (nor happens while suspended).
        #[test]
        fn decisions_stay_within_bounds_and_go_the_way_asked(
            min in 0u32..20, span in 0u32..20, offset in 0u32..40, wishes in prop::collection::vec(proposal(), 1..5),
            suspended: bool,
        ) {
            let target = ScalableTarget { min_capacity: min, max_capacity: min + span };
            let current = min + offset % (span + 1);
            let wish = combine(&wishes);
            if let Ok(Some(to)) = target.apply(current, wish, suspended) {
                prop_assert!((target.min_capacity..=target.max_capacity).contains(&to));
                match wish {
                    Proposal::Out(_) => prop_assert!(to > current),
                    Proposal::In(_) => prop_assert!(to < current && !suspended),
                    Proposal::Hold => prop_assert!(false, "holding changed the capacity"),
                }
            }
        }

        /// Target tracking policies scale in only when every policy with scale-in enabled asks
        /// to, and any scale-out wins over every scale-in.
        #[test]
        fn target_tracking_scales_in_only_if_all_agree(
            wishes in prop::collection::vec((proposal(), any::<bool>()), 1..5),
        ) {
            let outs: Vec<u32> = wishes.iter().filter_map(|(p, _)| match p { Proposal::Out(n) => Some(*n), _ => None }).collect();
            match combine_target_tracking(&wishes) {
                Proposal::Out(n) => prop_assert_eq!(Some(n), outs.iter().copied().max()),
                Proposal::In(n) => {
                    prop_assert!(outs.is_empty());
                    prop_assert!(wishes.iter().filter(|(_, e)| *e).all(|(p, _)| matches!(p, Proposal::In(m) if *m <= n)));
                }
                Proposal::Hold => prop_assert!(outs.is_empty()),
            }
        }
    }
}
