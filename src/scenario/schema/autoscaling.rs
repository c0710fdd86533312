//! `autoscaling:` and `load:` of a service, an Auto Scaling group's `scaling_policies:`, and the
//! scenario's `custom_metrics:`, as written. Both kinds of target take the same policy types.
//! Field names are Application Auto Scaling's and CloudWatch's, in snake_case; numbers stay
//! signed and durations text so that validation can say what is wrong with them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::autoscaling::alarm::Comparison;
use crate::autoscaling::metric::Statistic;
use crate::autoscaling::step::{AdjustmentType, MetricAggregation};
use crate::scenario::rate::RawRate;
use crate::scenario::values::Scalar;

/// A scalable target's bounds and policies: a service's `autoscaling:`, or a group's
/// `scaling_policies:` (EC2 Auto Scaling's own, for a group ECS does not scale). A service gives
/// `min_capacity` and `max_capacity`; a group's bounds are its `min_size` and `max_size`.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawScalingPolicies {
    /// A service's Application Auto Scaling and CloudWatch alarm JSON files, relative to the
    /// scenario file; what is written beside them is added (policies) or replaces (bounds).
    pub import: Option<Vec<String>>,
    pub min_capacity: Option<i64>,
    pub max_capacity: Option<i64>,
    #[serde(default)]
    pub target_tracking: Vec<RawTargetTracking>,
    #[serde(default)]
    pub step_scaling: Vec<RawStepScaling>,
    /// A group's EC2 Auto Scaling simple scaling policies (not for services: Application Auto
    /// Scaling has none).
    #[serde(default)]
    pub simple_scaling: Vec<RawSimpleScaling>,
    /// A group's scheduled actions set its `min_size` and `max_size` (also spelled so).
    #[serde(default)]
    pub scheduled: Vec<RawScheduledAction>,
}

/// A metric a policy reads: a name or `{ custom: <name> }`. A service's: `cpu`, `memory`,
/// `alb_request_count_per_target`, `request_count`, `target_response_time`,
/// `requests_in_flight`; a group's: `cpu` (ASGAverageCPUUtilization), `cpu_reservation`,
/// `memory_reservation` (the cluster's).
#[derive(Debug, Deserialize, Serialize)]
#[serde(untagged)]
pub enum RawMetricRef {
    Named(String),
    Custom(RawCustomMetricRef),
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawCustomMetricRef {
    pub custom: String,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawTargetTracking {
    pub metric: RawMetricRef,
    pub target: f64,
    /// 300s by default for a service; 0s for a group (EC2 Auto Scaling waits on the instance
    /// warm-up instead).
    pub scale_out_cooldown: Option<Scalar>,
    /// As `scale_out_cooldown`.
    pub scale_in_cooldown: Option<Scalar>,
    /// false by default.
    pub disable_scale_in: Option<bool>,
    /// AlarmLow's threshold as a fraction of the target; 0.9 by default (UNVERIFIED).
    pub scale_in_threshold_factor: Option<f64>,
    /// AlarmHigh's datapoints (N of N one-minute points); 3 by default.
    pub scale_out_datapoints: Option<i64>,
    /// AlarmLow's datapoints (N of N one-minute points); 15 by default.
    pub scale_in_datapoints: Option<i64>,
}

/// A CloudWatch alarm: a step policy's, or one of the scenario's `alarms:`.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawAlarm {
    /// For `alarms:` entries only: the service whose metric the alarm reads (a step policy's
    /// alarm reads its own target's).
    pub service: Option<String>,
    pub metric: RawMetricRef,
    /// average by default.
    pub statistic: Option<Statistic>,
    /// A multiple of 1m; 1m by default.
    pub period: Option<Scalar>,
    /// 1 by default.
    pub evaluation_periods: Option<i64>,
    /// `evaluation_periods` by default.
    pub datapoints_to_alarm: Option<i64>,
    pub comparison: Comparison,
    pub threshold: f64,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawStepScaling {
    pub name: String,
    pub alarm: RawAlarm,
    pub adjustment_type: AdjustmentType,
    pub min_adjustment_magnitude: Option<i64>,
    /// 300s by default for a service; 0s for a group (its `DefaultCooldown` is for simple
    /// scaling only; warming instances hold it back instead).
    pub cooldown: Option<Scalar>,
    /// average by default.
    pub metric_aggregation: Option<MetricAggregation>,
    pub steps: Vec<RawStep>,
}

/// An EC2 Auto Scaling simple scaling policy: one `scaling_adjustment` whenever its alarm is in
/// ALARM, then `cooldown` (the group's `DefaultCooldown`, 300 s, by default) before any simple
/// policy of the group acts again.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawSimpleScaling {
    pub name: String,
    pub alarm: RawAlarm,
    pub adjustment_type: AdjustmentType,
    pub scaling_adjustment: i64,
    pub min_adjustment_magnitude: Option<i64>,
    /// 300s (`DefaultCooldown`) by default.
    pub cooldown: Option<Scalar>,
}

/// A step: bounds relative to the alarm threshold (absent: infinite) and its adjustment.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawStep {
    pub lower: Option<f64>,
    pub upper: Option<f64>,
    pub adjustment: i64,
}

/// Either `at` (an offset into the run) or `cron` (5 fields, UTC), and at least one bound.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawScheduledAction {
    pub name: Option<String>,
    pub at: Option<Scalar>,
    pub cron: Option<String>,
    #[serde(alias = "min_size")]
    pub min_capacity: Option<i64>,
    #[serde(alias = "max_size")]
    pub max_capacity: Option<i64>,
}

/// `services.<name>.load`: the service's total demand at each instant.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawLoad {
    /// CPU units in use across the service (1024 = one vCPU busy).
    pub cpu: Option<RawRate>,
    /// MiB in use across the service.
    pub memory: Option<RawRate>,
}

/// `custom_metrics:`: external series by name, each a rate pattern of the metric's value.
pub type RawCustomMetrics = BTreeMap<String, RawRate>;
