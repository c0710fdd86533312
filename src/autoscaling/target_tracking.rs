//! Target tracking (aws-behaviour.md §7.1): two alarms AWS creates and manages, a high one that
//! scales out fast and a low one that scales in slowly, and a proportional capacity formula.
//!
//! AWS publishes neither the low alarm's threshold nor the formula. ecsim's defaults
//! (**UNVERIFIED**, each configurable per policy):
//! - AlarmHigh: 3 of 3 one-minute datapoints > target;
//! - AlarmLow: 15 of 15 one-minute datapoints < 0.9 × target (`scale_in_threshold_factor`);
//! - scale-out: new = ceil(running × metric / target), the smallest capacity that brings the
//!   metric back to the target if load spreads evenly;
//! - scale-in: the same formula. Rounding up is the cautious side: the new capacity is never
//!   below what keeps the metric at or under the target, and since the low alarm only fires
//!   below 0.9 × target, a scale-in removes at least ~10 % of the tasks and never overshoots.
//!
//! The base is the RUNNING count, not the desired count (tasks still starting carry no load).

use super::alarm::{AlarmSpec, AlarmState, Comparison};
use super::metric::{MetricKey, Statistic};
use super::target::{Cooldowns, Proposal};
use crate::engine::{SimDuration, SimTime};

pub const DEFAULT_COOLDOWN: SimDuration = SimDuration::from_secs(300);
pub const DEFAULT_SCALE_IN_FACTOR: f64 = 0.9;
pub const DEFAULT_HIGH_DATAPOINTS: u32 = 3;
pub const DEFAULT_LOW_DATAPOINTS: u32 = 15;

#[derive(Clone, Debug, PartialEq)]
pub struct TargetTracking {
    pub metric: MetricKey,
    pub target: f64,
    pub scale_out_cooldown: SimDuration,
    pub scale_in_cooldown: SimDuration,
    pub disable_scale_in: bool,
    /// AlarmLow's threshold is `target × factor`.
    pub scale_in_threshold_factor: f64,
    /// AlarmHigh: this many of this many one-minute datapoints above the target.
    pub high_datapoints: u32,
    /// AlarmLow: this many of this many one-minute datapoints below the low threshold.
    pub low_datapoints: u32,
}

impl TargetTracking {
    /// The alarms AWS creates for the policy: (AlarmHigh, AlarmLow).
    pub fn alarms(&self) -> (AlarmSpec, AlarmSpec) {
        let alarm = |n: u32, comparison, threshold| AlarmSpec {
            metric: self.metric,
            statistic: Statistic::Average,
            period_minutes: 1,
            evaluation_periods: n,
            datapoints_to_alarm: n,
            comparison,
            threshold,
        };
        (
            alarm(self.high_datapoints, Comparison::GreaterThanThreshold, self.target),
            alarm(self.low_datapoints, Comparison::LessThanThreshold, self.target * self.scale_in_threshold_factor),
        )
    }
}

/// The capacity that brings `metric` to `target` over `running` tasks: ceil(running × metric /
/// target). A metric of 0 asks for 0 (the target's minimum then applies).
pub fn proportional_capacity(running: u32, metric: f64, target: f64) -> u32 {
    if target <= 0.0 || !metric.is_finite() {
        return running;
    }
    let want = (f64::from(running) * metric / target).ceil();
    want.clamp(0.0, f64::from(u32::MAX)) as u32
}

/// What one target tracking policy asks, given its alarms' states, the latest metric value,
/// the RUNNING count and the current (desired) capacity. Scale-out needs the capacity to grow
/// beyond the current one (which includes what a previous scale-out added); scale-in is held
/// back by the policy's scale-in cooldown and by `disable_scale_in`.
pub fn decide(
    policy: &TargetTracking,
    (high, low): (AlarmState, AlarmState),
    metric: f64,
    running: u32,
    current: u32,
    (cooldowns, now): (&Cooldowns, SimTime),
) -> Proposal {
    let want = proportional_capacity(running, metric, policy.target);
    if high == AlarmState::Alarm {
        // From zero running tasks nothing is published, so a datapoint means running >= 1; the
        // smallest step out is one task.
        let want = want.max(running + 1);
        return if want > current { Proposal::Out(want) } else { Proposal::Hold };
    }
    if low == AlarmState::Alarm && !policy.disable_scale_in && !cooldowns.scale_in_blocked(now) && want < current {
        return Proposal::In(want);
    }
    Proposal::Hold
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::autoscaling::metric::{Dimension, MetricName};

    fn policy(target: f64) -> TargetTracking {
        TargetTracking {
            metric: MetricKey { dimension: Dimension::Service(0), name: MetricName::CpuUtilization },
            target,
            scale_out_cooldown: DEFAULT_COOLDOWN,
            scale_in_cooldown: DEFAULT_COOLDOWN,
            disable_scale_in: false,
            scale_in_threshold_factor: DEFAULT_SCALE_IN_FACTOR,
            high_datapoints: DEFAULT_HIGH_DATAPOINTS,
            low_datapoints: DEFAULT_LOW_DATAPOINTS,
        }
    }

    const NOW: SimTime = SimTime::ZERO;

    #[test]
    fn the_formula_is_proportional_to_the_running_count() {
        // 4 running at 90 % for a 60 % target: ceil(4 × 90 / 60) = 6.
        assert_eq!(proportional_capacity(4, 90.0, 60.0), 6);
        // 4 running at 61 %: ceil(4.07) = 5.
        assert_eq!(proportional_capacity(4, 61.0, 60.0), 5);
        // 10 running at 30 %: ceil(5) = 5.
        assert_eq!(proportional_capacity(10, 30.0, 60.0), 5);
        let p = policy(60.0);
        let c = Cooldowns::default();
        let (alarm, ok) = (AlarmState::Alarm, AlarmState::Ok);
        // The base is RUNNING: 4 running of 6 desired at 90 % asks 6, no more.
        assert_eq!(decide(&p, (alarm, ok), 90.0, 4, 6, (&c, NOW)), Proposal::Hold);
        assert_eq!(decide(&p, (alarm, ok), 90.0, 4, 4, (&c, NOW)), Proposal::Out(6));
        // Just above the target still adds one task.
        assert_eq!(decide(&p, (alarm, ok), 60.5, 10, 10, (&c, NOW)), Proposal::Out(11));
        assert_eq!(decide(&p, (ok, alarm), 30.0, 10, 10, (&c, NOW)), Proposal::In(5));
        // The low alarm at 53 % of a 60 % target: ceil(10 × 53 / 60) = 9.
        assert_eq!(decide(&p, (ok, alarm), 53.0, 10, 10, (&c, NOW)), Proposal::In(9));
    }

    #[test]
    fn scale_in_respects_its_cooldown_and_disable_scale_in() {
        let mut p = policy(60.0);
        let mut c = Cooldowns::default();
        c.scaled_in(NOW, p.scale_in_cooldown);
        let low = (AlarmState::Ok, AlarmState::Alarm);
        assert_eq!(decide(&p, low, 30.0, 10, 10, (&c, NOW + SimDuration::from_secs(299))), Proposal::Hold);
        assert_eq!(decide(&p, low, 30.0, 10, 10, (&c, NOW + SimDuration::from_secs(300))), Proposal::In(5));
        p.disable_scale_in = true;
        assert_eq!(decide(&p, low, 30.0, 10, 10, (&Cooldowns::default(), NOW)), Proposal::Hold);
    }

    #[test]
    fn the_managed_alarms_follow_the_defaults() {
        let (high, low) = policy(70.0).alarms();
        assert_eq!((high.evaluation_periods, high.datapoints_to_alarm, high.threshold), (3, 3, 70.0));
        assert_eq!((low.evaluation_periods, low.datapoints_to_alarm), (15, 15));
        assert!((low.threshold - 63.0).abs() < 1e-9);
    }
}
