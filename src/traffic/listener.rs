//! A load balancer's listener at run time: the weighted forward action that sends each request to
//! one of its target groups. It starts as the scenario writes it; a deployment that shifts
//! production traffic between a service's two target groups (blue/green, canary, linear) changes
//! the two weights and nothing else, so the share of every other target group of the listener is
//! kept.
//!
//! Weights are integers, as the ALB's are. A shift gives the pair their combined weight scaled
//! by 1000 (every other weight of the listener is scaled alike), split in tenths of a percent:
//! the 0.1 % steps ECS's canary and linear percentages come in. A listener whose weights were
//! never shifted keeps the scenario's integers, so its requests draw exactly as before.

use crate::ids::TargetGroupId;

use super::spec::LoadBalancerSpec;

/// How many weight units a shifted pair's per-mille share is written in, per unit of the
/// scenario's weight.
const SHIFT_SCALE: u32 = 1000;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listener {
    /// The forward action: each target group with its weight, in the scenario's order.
    forward: Vec<(TargetGroupId, u32)>,
    /// Whether the weights were rescaled for a shift (by [`SHIFT_SCALE`]).
    scaled: bool,
}

impl Listener {
    pub fn new(spec: &LoadBalancerSpec) -> Self {
        Listener { forward: spec.target_groups.clone(), scaled: false }
    }

    /// The forward action's target groups and weights.
    pub fn forward(&self) -> &[(TargetGroupId, u32)] {
        &self.forward
    }

    fn weight(&self, tg: TargetGroupId) -> u32 {
        self.forward.iter().find(|(t, _)| *t == tg).map_or(0, |(_, w)| *w)
    }

    /// Sends `percent` (0 to 100, in tenths) of what the pair `from` + `to` receives to `to`, the
    /// rest to `from`. Does nothing unless both are target groups of this listener.
    pub fn shift(&mut self, from: TargetGroupId, to: TargetGroupId, percent: f64) {
        let has = |tg| self.forward.iter().any(|(t, _)| *t == tg);
        if !has(from) || !has(to) || from == to {
            return;
        }
        if !self.scaled {
            for (_, w) in &mut self.forward {
                *w *= SHIFT_SCALE;
            }
            self.scaled = true;
        }
        let pair = self.weight(from) + self.weight(to);
        let tenths = (percent.clamp(0.0, 100.0) * 10.0).round() as u64;
        let to_weight = (u64::from(pair) * tenths / 1000) as u32;
        for (t, w) in &mut self.forward {
            if *t == to {
                *w = to_weight;
            } else if *t == from {
                *w = pair - to_weight;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::SimDuration;

    /// The percent of what `from` and `to` receive that goes to `to`.
    fn share(l: &Listener, from: TargetGroupId, to: TargetGroupId) -> f64 {
        let (a, b) = (l.weight(from), l.weight(to));
        if a + b == 0 {
            0.0
        } else {
            100.0 * f64::from(b) / f64::from(a + b)
        }
    }

    fn listener(weights: &[u32]) -> Listener {
        let spec = LoadBalancerSpec {
            name: "alb".into(),
            idle_timeout: SimDuration::from_secs(60),
            target_groups: weights.iter().enumerate().map(|(i, w)| (TargetGroupId::from_index(i), *w)).collect(),
        };
        Listener::new(&spec)
    }

    #[test]
    fn an_unshifted_listener_keeps_the_scenario_weights() {
        let l = listener(&[1, 0]);
        assert_eq!(l.forward(), &[(TargetGroupId::from_index(0), 1), (TargetGroupId::from_index(1), 0)]);
        assert_eq!(share(&l, TargetGroupId::from_index(0), TargetGroupId::from_index(1)), 0.0);
    }

    #[test]
    fn a_shift_splits_the_pair_in_tenths_of_a_percent_and_keeps_the_others_share() {
        let (blue, green, other) =
            (TargetGroupId::from_index(0), TargetGroupId::from_index(1), TargetGroupId::from_index(2));
        let mut l = listener(&[1, 0, 1]);
        l.shift(blue, green, 5.0);
        // The pair had 1 of 2 units: now 1000 of 2000, split 950 / 50; the other keeps 1000.
        assert_eq!(l.forward(), &[(blue, 950), (green, 50), (other, 1000)]);
        assert_eq!(share(&l, blue, green), 5.0);
        l.shift(blue, green, 0.1);
        assert_eq!(l.forward()[1], (green, 1));
        l.shift(blue, green, 100.0);
        assert_eq!(l.forward(), &[(blue, 0), (green, 1000), (other, 1000)]);
        // And back, as a rollback does.
        l.shift(green, blue, 100.0);
        assert_eq!(l.forward(), &[(blue, 1000), (green, 0), (other, 1000)]);
    }

    #[test]
    fn a_shift_to_a_group_the_listener_lacks_changes_nothing() {
        let mut l = listener(&[1]);
        l.shift(TargetGroupId::from_index(0), TargetGroupId::from_index(7), 50.0);
        assert_eq!(l.forward(), &[(TargetGroupId::from_index(0), 1)]);
    }
}
