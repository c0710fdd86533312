//! CloudWatch metric alarms as Application Auto Scaling uses them: "M out of N" datapoints over
//! a statistic and a threshold, with missing data treated as missing (aws-behaviour.md §7).
//!
//! Evaluation (ecsim's reading of CloudWatch, **UNVERIFIED** in its details): the alarm looks at
//! its last `evaluation_periods` periods, aligned to multiples of the period since time 0. A
//! period without any datapoint is missing: neither breaching nor not. Then
//! - at least `datapoints_to_alarm` breaching periods → ALARM;
//! - otherwise at least `datapoints_to_alarm` periods with data → OK;
//! - otherwise (too few datapoints to decide) → INSUFFICIENT_DATA, and nothing scales.

use super::metric::{MetricKey, MetricStore, Statistic};

// AWS's own names (ComparisonOperator, AdjustmentType values).
#[allow(clippy::enum_variant_names)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Comparison {
    GreaterThanThreshold,
    GreaterThanOrEqualToThreshold,
    LessThanThreshold,
    LessThanOrEqualToThreshold,
}

impl Comparison {
    pub fn breaches(self, value: f64, threshold: f64) -> bool {
        match self {
            Comparison::GreaterThanThreshold => value > threshold,
            Comparison::GreaterThanOrEqualToThreshold => value >= threshold,
            Comparison::LessThanThreshold => value < threshold,
            Comparison::LessThanOrEqualToThreshold => value <= threshold,
        }
    }

    pub fn symbol(self) -> &'static str {
        match self {
            Comparison::GreaterThanThreshold => ">",
            Comparison::GreaterThanOrEqualToThreshold => ">=",
            Comparison::LessThanThreshold => "<",
            Comparison::LessThanOrEqualToThreshold => "<=",
        }
    }
}

/// An alarm's `StateValue`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AlarmState {
    Ok,
    Alarm,
    InsufficientData,
}

impl AlarmState {
    pub fn as_str(self) -> &'static str {
        match self {
            AlarmState::Ok => "OK",
            AlarmState::Alarm => "ALARM",
            AlarmState::InsufficientData => "INSUFFICIENT_DATA",
        }
    }
}

/// What an alarm watches and when it fires.
#[derive(Clone, Debug, PartialEq)]
pub struct AlarmSpec {
    pub metric: MetricKey,
    pub statistic: Statistic,
    /// A whole number of minutes, at least 1.
    pub period_minutes: u64,
    pub evaluation_periods: u32,
    /// M of the N evaluation periods; `1 <= M <= N`.
    pub datapoints_to_alarm: u32,
    pub comparison: Comparison,
    pub threshold: f64,
}

impl AlarmSpec {
    /// Minutes of history the alarm reads.
    pub fn lookback_minutes(&self) -> u64 {
        self.period_minutes.max(1) * u64::from(self.evaluation_periods)
    }
}

/// The outcome of one evaluation.
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation {
    pub state: AlarmState,
    /// The statistic of each evaluated period, oldest first (`None`: missing).
    pub values: Vec<Option<f64>>,
    pub breaching: u32,
}

impl Evaluation {
    /// The most recent value with data.
    pub fn latest(&self) -> Option<f64> {
        self.values.iter().rev().flatten().next().copied()
    }
}

/// Evaluates `alarm` once the minute `last_minute` is complete (its datapoints published).
pub fn evaluate(alarm: &AlarmSpec, store: &MetricStore, last_minute: u64) -> Evaluation {
    let period = alarm.period_minutes.max(1);
    // The last complete aligned period ends at the last minute m with (m + 1) % period == 0.
    let Some(end) = (last_minute + 1).checked_sub((last_minute + 1) % period).filter(|e| *e > 0) else {
        return Evaluation { state: AlarmState::InsufficientData, values: Vec::new(), breaching: 0 };
    };
    let mut values = Vec::with_capacity(alarm.evaluation_periods as usize);
    for i in (0..u64::from(alarm.evaluation_periods)).rev() {
        let Some(last) = (end - 1).checked_sub(i * period) else {
            values.push(None);
            continue;
        };
        values.push(store.statistic(alarm.metric, last, period, alarm.statistic));
    }
    let present = values.iter().flatten().count() as u32;
    let breaching = values.iter().flatten().filter(|v| alarm.comparison.breaches(**v, alarm.threshold)).count() as u32;
    let state = if breaching >= alarm.datapoints_to_alarm {
        AlarmState::Alarm
    } else if present >= alarm.datapoints_to_alarm {
        AlarmState::Ok
    } else {
        AlarmState::InsufficientData
    };
    Evaluation { state, values, breaching }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::autoscaling::metric::{Dimension, MetricName, StatisticSet};

    const KEY: MetricKey = MetricKey { dimension: Dimension::Global, name: MetricName::Custom(0) };

    fn alarm(m: u32, n: u32) -> AlarmSpec {
        AlarmSpec {
            metric: KEY,
            statistic: Statistic::Average,
            period_minutes: 1,
            evaluation_periods: n,
            datapoints_to_alarm: m,
            comparison: Comparison::GreaterThanThreshold,
            threshold: 50.0,
        }
    }

    fn store(points: &[Option<f64>]) -> MetricStore {
        let mut store = MetricStore::new(60);
        for (minute, p) in points.iter().enumerate() {
            if let Some(v) = p {
                store.publish(KEY, minute as u64, StatisticSet::single(*v));
            }
        }
        store
    }

    #[test]
    fn m_of_n_counts_breaching_datapoints() {
        // 2 of 3: two of the last three minutes above 50.
        let s = store(&[Some(60.0), Some(40.0), Some(70.0)]);
        assert_eq!(evaluate(&alarm(2, 3), &s, 2).state, AlarmState::Alarm);
        // 3 of 3 needs all three.
        assert_eq!(evaluate(&alarm(3, 3), &s, 2).state, AlarmState::Ok);
        // The threshold itself does not breach "greater than".
        let s = store(&[Some(50.0)]);
        assert_eq!(evaluate(&alarm(1, 1), &s, 0).state, AlarmState::Ok);
    }

    #[test]
    fn missing_data_is_neither_breaching_nor_enough_to_decide() {
        // 3 of 3 with one minute missing: two breaching points are not enough for ALARM, and two
        // points are not enough to say OK either.
        let s = store(&[Some(60.0), None, Some(70.0)]);
        let e = evaluate(&alarm(3, 3), &s, 2);
        assert_eq!(e.state, AlarmState::InsufficientData);
        assert_eq!(e.values, vec![Some(60.0), None, Some(70.0)]);
        // 2 of 3 with the same data alarms: the missing minute is skipped, not counted against.
        assert_eq!(evaluate(&alarm(2, 3), &s, 2).state, AlarmState::Alarm);
        // Nothing at all, or before the first period: INSUFFICIENT_DATA.
        assert_eq!(evaluate(&alarm(1, 1), &store(&[None, None]), 1).state, AlarmState::InsufficientData);
        assert_eq!(evaluate(&alarm(3, 3), &store(&[Some(90.0)]), 0).state, AlarmState::InsufficientData);
    }

    #[test]
    fn periods_longer_than_a_minute_are_aligned() {
        let mut a = alarm(1, 1);
        a.period_minutes = 5;
        // Minutes 0..5 average 60; at minute 6 the period [5, 10) is not complete yet.
        let s = store(&[Some(40.0), Some(80.0), Some(60.0), Some(60.0), Some(60.0), Some(0.0), Some(0.0)]);
        let e = evaluate(&a, &s, 6);
        assert_eq!((e.state, e.values), (AlarmState::Alarm, vec![Some(60.0)]));
        assert_eq!(evaluate(&a, &s, 3).state, AlarmState::InsufficientData);
    }
}
