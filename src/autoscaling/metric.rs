//! A CloudWatch-like metric store (aws-behaviour.md §10): one datapoint per metric per minute
//! (CloudWatch's standard period for ECS and ALB metrics), kept only as long as the longest alarm
//! looks back, so memory does not grow with the length of a run.
//!
//! A minute without a datapoint is simply absent: CloudWatch publishes nothing for a service
//! without RUNNING tasks, and alarms treat such gaps as missing data (never as breaching).
//!
//! Alarms and policies read a statistic rounded to 6 decimal places, so that float noise from
//! adding up fluid traffic's steps never turns a metric exactly at a target into a breach.

use std::collections::{BTreeMap, VecDeque};

/// Whose metric: a scalable target's own (an ECS service, an Auto Scaling group), the cluster's,
/// or a scenario-wide external series.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Dimension {
    /// AWS/ECS `ServiceName`: by the index of a `ServiceId`.
    Service(u32),
    /// AWS/EC2 `AutoScalingGroupName`: by the index of the group's `ProviderId`.
    Group(u32),
    /// AWS/ECS `ClusterName` (ecsim runs one cluster).
    Cluster,
    /// `custom_metrics:` of the scenario, which belong to no target.
    Global,
}

/// The metric's name within its dimension.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum MetricName {
    /// AWS/ECS `CPUUtilization`, percent.
    CpuUtilization,
    /// AWS/ECS `MemoryUtilization`, percent.
    MemoryUtilization,
    /// AWS/ApplicationELB `RequestCountPerTarget`, requests per healthy target in the minute.
    RequestCountPerTarget,
    /// AWS/ApplicationELB `RequestCount`, requests in the minute.
    RequestCount,
    /// AWS/ApplicationELB `TargetResponseTime`, average seconds.
    TargetResponseTime,
    /// Average requests in flight per target over the minute (a queue depth).
    RequestsInFlight,
    /// AWS/EC2 `ASGAverageCPUUtilization` (target tracking's predefined metric), percent.
    AsgAverageCpuUtilization,
    /// AWS/ECS cluster `CPUReservation`, percent.
    CpuReservation,
    /// AWS/ECS cluster `MemoryReservation`, percent.
    MemoryReservation,
    /// The `custom_metrics:` entry at this index (sorted by name).
    Custom(u32),
}

impl MetricName {
    /// CloudWatch's name, as events quote it.
    pub fn aws_name(self, custom_names: &[String]) -> String {
        match self {
            MetricName::CpuUtilization => "CPUUtilization".into(),
            MetricName::MemoryUtilization => "MemoryUtilization".into(),
            MetricName::RequestCountPerTarget => "RequestCountPerTarget".into(),
            MetricName::RequestCount => "RequestCount".into(),
            MetricName::TargetResponseTime => "TargetResponseTime".into(),
            MetricName::RequestsInFlight => "RequestsInFlight".into(),
            MetricName::AsgAverageCpuUtilization => "ASGAverageCPUUtilization".into(),
            MetricName::CpuReservation => "CPUReservation".into(),
            MetricName::MemoryReservation => "MemoryReservation".into(),
            MetricName::Custom(i) => custom_names.get(i as usize).cloned().unwrap_or_else(|| format!("custom{i}")),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct MetricKey {
    pub dimension: Dimension,
    pub name: MetricName,
}

/// The statistics CloudWatch computes over a period.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Statistic {
    Average,
    Minimum,
    Maximum,
    Sum,
    SampleCount,
}

impl Statistic {
    pub fn as_str(self) -> &'static str {
        match self {
            Statistic::Average => "Average",
            Statistic::Minimum => "Minimum",
            Statistic::Maximum => "Maximum",
            Statistic::Sum => "Sum",
            Statistic::SampleCount => "SampleCount",
        }
    }
}

/// One published datapoint, as a CloudWatch statistic set: what a period's statistics are
/// computed from. A single value `v` is `{ count: 1, sum: v, min: v, max: v }`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StatisticSet {
    pub sample_count: f64,
    pub sum: f64,
    pub minimum: f64,
    pub maximum: f64,
}

impl StatisticSet {
    pub fn single(value: f64) -> Self {
        StatisticSet { sample_count: 1.0, sum: value, minimum: value, maximum: value }
    }

    /// `n` samples all of `value` (e.g. a per-task metric whose tasks are equally loaded).
    pub fn uniform(value: f64, n: u32) -> Self {
        let n = f64::from(n.max(1));
        StatisticSet { sample_count: n, sum: value * n, minimum: value, maximum: value }
    }

    fn merge(&mut self, other: &StatisticSet) {
        self.sample_count += other.sample_count;
        self.sum += other.sum;
        self.minimum = self.minimum.min(other.minimum);
        self.maximum = self.maximum.max(other.maximum);
    }

    pub fn get(&self, statistic: Statistic) -> f64 {
        match statistic {
            Statistic::Average if self.sample_count > 0.0 => self.sum / self.sample_count,
            Statistic::Average => 0.0,
            Statistic::Minimum => self.minimum,
            Statistic::Maximum => self.maximum,
            Statistic::Sum => self.sum,
            Statistic::SampleCount => self.sample_count,
        }
    }
}

/// A statistic as alarms and policies read it: rounded to 6 decimal places (ecsim's choice, see
/// [`MetricStore::statistic`]).
fn at_datapoint_precision(value: f64) -> f64 {
    const SCALE: f64 = 1e6;
    let rounded = (value * SCALE).round() / SCALE;
    if rounded.is_finite() {
        rounded
    } else {
        value
    }
}

/// Datapoints by metric, each series holding at most `retention` minutes.
#[derive(Clone, Debug)]
pub struct MetricStore {
    /// Minutes of history kept: what the longest alarm (period × evaluation periods) needs.
    retention: u64,
    series: BTreeMap<MetricKey, VecDeque<(u64, StatisticSet)>>,
}

impl Default for MetricStore {
    /// An empty store keeping one minute (a world without scaling policies).
    fn default() -> Self {
        MetricStore::new(1)
    }
}

impl MetricStore {
    /// A store that keeps `retention_minutes` (at least 1) of history per metric.
    pub fn new(retention_minutes: u64) -> Self {
        MetricStore { retention: retention_minutes.max(1), series: BTreeMap::new() }
    }

    /// Publishes the datapoint of `minute` (the minute `[minute × 60 s, (minute + 1) × 60 s)`).
    /// Minutes must be published in increasing order per metric; a second datapoint for the same
    /// minute is merged into the first, as CloudWatch aggregates points of one period.
    pub fn publish(&mut self, key: MetricKey, minute: u64, point: StatisticSet) {
        let series = self.series.entry(key).or_default();
        match series.back_mut() {
            Some((m, set)) if *m == minute => set.merge(&point),
            _ => series.push_back((minute, point)),
        }
        let oldest = minute.saturating_sub(self.retention - 1);
        while series.front().is_some_and(|(m, _)| *m < oldest) {
            series.pop_front();
        }
    }

    /// The statistic over the period of `period_minutes` ending with minute `last` (inclusive):
    /// `None` when no datapoint was published in it. The value is rounded to 6 decimal places:
    /// adding up many float steps (fluid traffic's one-second rates) leaves noise in the last bits
    /// (1000.0000000000003 for exactly 1000 requests per target), which must neither breach an
    /// alarm at its threshold nor ask the target tracking formula for one more task.
    pub fn statistic(&self, key: MetricKey, last: u64, period_minutes: u64, statistic: Statistic) -> Option<f64> {
        let series = self.series.get(&key)?;
        let first = (last + 1).saturating_sub(period_minutes.max(1));
        let mut set: Option<StatisticSet> = None;
        for (_, point) in series.iter().filter(|(m, _)| (first..=last).contains(m)) {
            match &mut set {
                Some(s) => s.merge(point),
                None => set = Some(*point),
            }
        }
        set.map(|s| at_datapoint_precision(s.get(statistic)))
    }

    /// How many datapoints the store holds in all (for tests of its bound).
    pub fn len(&self) -> usize {
        self.series.values().map(VecDeque::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CPU: MetricKey = MetricKey { dimension: Dimension::Service(0), name: MetricName::CpuUtilization };

    #[test]
    fn statistics_over_a_multi_minute_period() {
        let mut store = MetricStore::new(10);
        store.publish(CPU, 0, StatisticSet::uniform(10.0, 2));
        store.publish(CPU, 1, StatisticSet::single(40.0));
        // minute 2 missing
        store.publish(CPU, 3, StatisticSet::single(70.0));
        // Period of 4 minutes ending at minute 3: samples 10, 10, 40, 70.
        assert_eq!(store.statistic(CPU, 3, 4, Statistic::Average), Some(32.5));
        assert_eq!(store.statistic(CPU, 3, 4, Statistic::Minimum), Some(10.0));
        assert_eq!(store.statistic(CPU, 3, 4, Statistic::Maximum), Some(70.0));
        assert_eq!(store.statistic(CPU, 3, 4, Statistic::Sum), Some(130.0));
        assert_eq!(store.statistic(CPU, 3, 4, Statistic::SampleCount), Some(4.0));
        // The missing minute alone has no datapoint.
        assert_eq!(store.statistic(CPU, 2, 1, Statistic::Average), None);
    }

    #[test]
    fn history_is_bounded_by_the_retention() {
        let mut store = MetricStore::new(15);
        for minute in 0..1_000 {
            store.publish(CPU, minute, StatisticSet::single(minute as f64));
        }
        assert_eq!(store.len(), 15);
        assert_eq!(store.statistic(CPU, 999, 15, Statistic::Minimum), Some(985.0));
        assert_eq!(store.statistic(CPU, 984, 1, Statistic::Average), None);
    }
}
