//! Step scaling (aws-behaviour.md §7.2): the alarm's breach size picks a step, whose adjustment
//! changes the capacity by a count, a percentage (with AWS's rounding) or to an exact value.

use super::target::{Cooldowns, Proposal};
use crate::engine::{SimDuration, SimTime};

// AWS's own names (ComparisonOperator, AdjustmentType values).
#[allow(clippy::enum_variant_names)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AdjustmentType {
    ChangeInCapacity,
    PercentChangeInCapacity,
    ExactCapacity,
}

impl AdjustmentType {
    pub fn as_str(self) -> &'static str {
        match self {
            AdjustmentType::ChangeInCapacity => "ChangeInCapacity",
            AdjustmentType::PercentChangeInCapacity => "PercentChangeInCapacity",
            AdjustmentType::ExactCapacity => "ExactCapacity",
        }
    }
}

/// How the latest datapoints of the alarm's metric are combined into the value steps compare.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MetricAggregation {
    Average,
    Minimum,
    Maximum,
}

impl MetricAggregation {
    pub fn aggregate(self, values: &[f64]) -> Option<f64> {
        if values.is_empty() {
            return None;
        }
        Some(match self {
            MetricAggregation::Average => values.iter().sum::<f64>() / values.len() as f64,
            MetricAggregation::Minimum => values.iter().copied().fold(f64::INFINITY, f64::min),
            MetricAggregation::Maximum => values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        })
    }
}

/// One step: bounds relative to the alarm threshold (`None`: open), and its adjustment.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StepAdjustment {
    pub lower: Option<f64>,
    pub upper: Option<f64>,
    pub adjustment: i64,
}

impl StepAdjustment {
    /// Whether the breach `d` (metric − threshold) falls in this step. Above the threshold the
    /// lower bound is inclusive and the upper exclusive; below it, the reverse (AWS's rule: a
    /// breach exactly on a bound belongs to the step further from the threshold).
    pub fn contains(&self, d: f64) -> bool {
        let above = self.above();
        let low_ok = self.lower.is_none_or(|l| if above { d >= l } else { d > l });
        let up_ok = self.upper.is_none_or(|u| if above { d < u } else { d <= u });
        low_ok && up_ok
    }

    /// Whether the step lies above the threshold (bounds relative to it, so above means >= 0).
    fn above(&self) -> bool {
        self.lower.map_or_else(|| self.upper.is_none_or(|u| u > 0.0), |l| l >= 0.0)
    }

    pub fn describe(&self) -> String {
        let lo = self.lower.map_or("-inf".to_string(), |l| format!("{l}"));
        let hi = self.upper.map_or("+inf".to_string(), |u| format!("{u}"));
        if self.above() {
            format!("[{lo}, {hi})")
        } else {
            format!("({lo}, {hi}]")
        }
    }
}

/// A problem with a policy's steps (checked at load time).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StepError {
    Empty,
    /// A step's lower bound is not below its upper bound.
    Inverted(usize),
    /// Only one step may have no lower bound, and one no upper bound.
    TwoOpen(&'static str),
    /// Steps `i` and `i + 1` (sorted by lower bound) leave a gap or overlap.
    GapOrOverlap(usize),
    /// A step crosses the threshold (bounds on both sides of 0 are not allowed).
    CrossesThreshold(usize),
}

impl std::fmt::Display for StepError {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        match self {
            StepError::Empty => f.write_str("a step scaling policy needs at least one step"),
            StepError::Inverted(i) => write!(f, "step {i}: `lower` must be below `upper`"),
            StepError::TwoOpen(side) => write!(f, "only one step may leave its {side} bound open"),
            StepError::GapOrOverlap(i) => {
                write!(f, "steps must not leave gaps or overlap: step {i} does not end where the next begins")
            }
            StepError::CrossesThreshold(i) => {
                write!(f, "step {i} spans the alarm threshold: a step lies wholly above it or wholly below it")
            }
        }
    }
}

/// Checks AWS's rules for a policy's steps: no gaps nor overlaps, at most one open lower and one
/// open upper bound, every step on one side of the threshold. Returns them sorted.
pub fn check_steps(steps: &[StepAdjustment]) -> Result<Vec<StepAdjustment>, StepError> {
    if steps.is_empty() {
        return Err(StepError::Empty);
    }
    for (i, s) in steps.iter().enumerate() {
        if let (Some(l), Some(u)) = (s.lower, s.upper) {
            if l >= u {
                return Err(StepError::Inverted(i));
            }
            if l < 0.0 && u > 0.0 {
                return Err(StepError::CrossesThreshold(i));
            }
        }
    }
    if steps.iter().filter(|s| s.lower.is_none()).count() > 1 {
        return Err(StepError::TwoOpen("lower"));
    }
    if steps.iter().filter(|s| s.upper.is_none()).count() > 1 {
        return Err(StepError::TwoOpen("upper"));
    }
    let mut sorted = steps.to_vec();
    sorted.sort_by(|a, b| a.lower.unwrap_or(f64::NEG_INFINITY).total_cmp(&b.lower.unwrap_or(f64::NEG_INFINITY)));
    for (i, pair) in sorted.windows(2).enumerate() {
        if pair[0].upper != pair[1].lower {
            return Err(StepError::GapOrOverlap(i));
        }
    }
    Ok(sorted)
}

/// The step a breach of `d` (metric − threshold) falls in.
pub fn find_step(steps: &[StepAdjustment], d: f64) -> Option<&StepAdjustment> {
    steps.iter().find(|s| s.contains(d))
}

/// AWS's rounding of a percent change of `current` capacity: above 1 rounds down, between 0 and 1
/// becomes 1, between -1 and 0 becomes -1, below -1 rounds toward zero (12.7 → 12, -6.67 → -6).
pub fn percent_change(current: u32, percent: i64) -> i64 {
    let v = f64::from(current) * percent as f64 / 100.0;
    if v > 1.0 {
        v.floor() as i64
    } else if v > 0.0 {
        1
    } else if v < -1.0 {
        v.ceil() as i64
    } else if v < 0.0 {
        -1
    } else {
        0
    }
}

/// The capacity a step's adjustment asks from `base`, before the target's bounds.
pub fn adjusted(kind: AdjustmentType, adjustment: i64, min_magnitude: Option<u32>, base: u32) -> u32 {
    let new = match kind {
        AdjustmentType::ChangeInCapacity => i64::from(base) + adjustment,
        AdjustmentType::ExactCapacity => adjustment,
        AdjustmentType::PercentChangeInCapacity => {
            let mut change = percent_change(base, adjustment);
            if let Some(m) = min_magnitude.map(i64::from) {
                if change != 0 && change.abs() < m {
                    change = change.signum() * m;
                }
            }
            i64::from(base) + change
        }
    };
    new.clamp(0, i64::from(u32::MAX)) as u32
}

/// A step scaling policy, with its alarm's threshold.
#[derive(Clone, Debug, PartialEq)]
pub struct StepPolicy {
    pub threshold: f64,
    pub adjustment_type: AdjustmentType,
    /// Sorted by lower bound (see [`check_steps`]).
    pub steps: Vec<StepAdjustment>,
    pub min_adjustment_magnitude: Option<u32>,
    pub cooldown: SimDuration,
    pub aggregation: MetricAggregation,
}

/// What a step policy asks when its alarm is in ALARM with `value` (aggregated), the target's
/// capacity being `current`: the step that applies and the wish. During a scale-out cooldown the
/// new capacity is computed from the capacity before the cooldown began, so only the excess of
/// a bigger step is added; during a scale-in cooldown no scale-in happens.
pub fn decide(
    policy: &StepPolicy,
    value: f64,
    current: u32,
    cooldowns: &Cooldowns,
    now: SimTime,
) -> (Option<StepAdjustment>, Proposal) {
    let Some(step) = find_step(&policy.steps, value - policy.threshold).copied() else { return (None, Proposal::Hold) };
    let from_current = adjusted(policy.adjustment_type, step.adjustment, policy.min_adjustment_magnitude, current);
    let proposal = match from_current.cmp(&current) {
        std::cmp::Ordering::Greater => {
            let base = cooldowns.scale_out_base(now, current);
            let new = adjusted(policy.adjustment_type, step.adjustment, policy.min_adjustment_magnitude, base);
            if new > current {
                Proposal::Out(new)
            } else {
                Proposal::Hold
            }
        }
        std::cmp::Ordering::Less if !cooldowns.scale_in_blocked(now) => Proposal::In(from_current),
        _ => Proposal::Hold,
    };
    (Some(step), proposal)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(lower: Option<f64>, upper: Option<f64>, adjustment: i64) -> StepAdjustment {
        StepAdjustment { lower, upper, adjustment }
    }

    #[test]
    fn percent_changes_round_as_aws_documents() {
        // 12.7 → 12 (down), 0.5 → 1, -0.5 → -1, -6.67 → -6 (toward zero).
        assert_eq!(percent_change(127, 10), 12);
        assert_eq!(percent_change(5, 10), 1);
        assert_eq!(percent_change(5, -10), -1);
        assert_eq!(percent_change(667, -1), -6);
        assert_eq!(percent_change(10, 10), 1);
        assert_eq!(percent_change(0, 50), 0);
        // 30 % of 13 = -3.9 → -3; 30 % of 11 = 3.3 → 3.
        assert_eq!(percent_change(13, -30), -3);
        assert_eq!(percent_change(11, 30), 3);
        // MinAdjustmentMagnitude lifts a small percent change.
        assert_eq!(adjusted(AdjustmentType::PercentChangeInCapacity, 10, Some(2), 10), 12);
        assert_eq!(adjusted(AdjustmentType::PercentChangeInCapacity, -10, Some(2), 10), 8);
        assert_eq!(adjusted(AdjustmentType::ExactCapacity, 7, None, 10), 7);
        assert_eq!(adjusted(AdjustmentType::ChangeInCapacity, -20, None, 10), 0);
    }

    #[test]
    fn step_bounds_are_inclusive_toward_the_threshold_side_aws_says() {
        let out = check_steps(&[
            step(Some(0.0), Some(10.0), 0),
            step(Some(20.0), None, 30),
            step(Some(10.0), Some(20.0), 10),
        ])
        .unwrap();
        // Sorted, and 10 above the threshold belongs to [10, 20).
        assert_eq!(out[1].adjustment, 10);
        assert_eq!(find_step(&out, 10.0).unwrap().adjustment, 10);
        assert_eq!(find_step(&out, 9.99).unwrap().adjustment, 0);
        assert_eq!(find_step(&out, 20.0).unwrap().adjustment, 30);
        let r#in = check_steps(&[
            step(Some(-10.0), Some(0.0), 0),
            step(Some(-20.0), Some(-10.0), -10),
            step(None, Some(-20.0), -30),
        ])
        .unwrap();
        // Below: -10 belongs to (-20, -10], -20 to (-inf, -20].
        assert_eq!(find_step(&r#in, -10.0).unwrap().adjustment, -10);
        assert_eq!(find_step(&r#in, -20.0).unwrap().adjustment, -30);
        assert_eq!(find_step(&r#in, 0.0).unwrap().adjustment, 0);
    }

    #[test]
    fn bad_steps_are_rejected() {
        assert_eq!(check_steps(&[]), Err(StepError::Empty));
        assert_eq!(check_steps(&[step(Some(5.0), Some(1.0), 1)]), Err(StepError::Inverted(0)));
        assert_eq!(
            check_steps(&[step(None, Some(0.0), 1), step(None, Some(-5.0), 1)]),
            Err(StepError::TwoOpen("lower"))
        );
        assert_eq!(
            check_steps(&[step(Some(0.0), Some(10.0), 1), step(Some(15.0), None, 2)]),
            Err(StepError::GapOrOverlap(0))
        );
        assert_eq!(
            check_steps(&[step(Some(0.0), Some(10.0), 1), step(Some(5.0), None, 2)]),
            Err(StepError::GapOrOverlap(0))
        );
        assert_eq!(check_steps(&[step(Some(-5.0), Some(5.0), 1)]), Err(StepError::CrossesThreshold(0)));
    }

    #[test]
    fn a_scale_out_cooldown_adds_only_the_excess_of_a_bigger_step() {
        let policy = StepPolicy {
            threshold: 50.0,
            adjustment_type: AdjustmentType::ChangeInCapacity,
            steps: vec![step(Some(0.0), Some(10.0), 1), step(Some(10.0), None, 3)],
            min_adjustment_magnitude: None,
            cooldown: SimDuration::from_secs(300),
            aggregation: MetricAggregation::Average,
        };
        let now = SimTime::ZERO + SimDuration::from_secs(60);
        let mut c = Cooldowns::default();
        c.scaled_out(SimTime::ZERO, 10, policy.cooldown);
        // Capacity 11 after +1 from 10: the same step again adds nothing...
        assert_eq!(decide(&policy, 55.0, 11, &c, now).1, Proposal::Hold);
        // ...a bigger one adds its excess: 10 + 3 = 13.
        assert_eq!(decide(&policy, 65.0, 11, &c, now).1, Proposal::Out(13));
    }
}
