//! A CloudWatch alarm (`put-metric-alarm` input, a `describe-alarms` entry): a step scaling
//! policy's alarm, as ecsim's [`RawAlarm`].

use serde::de::IgnoredAny;
use serde::Deserialize;

use super::{aws_enum, metric, Refusal};
use crate::scenario::aws_json::seconds;
use crate::scenario::schema::RawAlarm;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub(super) struct Alarm {
    pub(super) alarm_name: String,
    metric_name: Option<String>,
    namespace: Option<String>,
    statistic: Option<String>,
    period: Option<i64>,
    evaluation_periods: Option<i64>,
    datapoints_to_alarm: Option<i64>,
    threshold: Option<f64>,
    comparison_operator: String,
    #[serde(default)]
    pub(super) alarm_actions: Vec<String>,
    metrics: Option<IgnoredAny>,
    extended_statistic: Option<IgnoredAny>,
    _alarm_description: Option<IgnoredAny>,
    _actions_enabled: Option<IgnoredAny>,
    #[serde(rename = "OKActions")]
    _ok_actions: Option<IgnoredAny>,
    _insufficient_data_actions: Option<IgnoredAny>,
    _dimensions: Option<IgnoredAny>,
    _unit: Option<IgnoredAny>,
    _treat_missing_data: Option<IgnoredAny>,
    _evaluate_low_sample_count_percentile: Option<IgnoredAny>,
    _threshold_metric_id: Option<IgnoredAny>,
    _tags: Option<IgnoredAny>,
    _alarm_arn: Option<IgnoredAny>,
    _alarm_configuration_updated_timestamp: Option<IgnoredAny>,
    _state_value: Option<IgnoredAny>,
    _state_reason: Option<IgnoredAny>,
    _state_reason_data: Option<IgnoredAny>,
    _state_updated_timestamp: Option<IgnoredAny>,
    _state_transitioned_timestamp: Option<IgnoredAny>,
}

impl Alarm {
    pub(super) fn to_raw(&self) -> Result<RawAlarm, Refusal> {
        let name = &self.alarm_name;
        if self.metrics.is_some() || self.extended_statistic.is_some() {
            return Err((
                "Metrics",
                format!("alarm `{name}`: metric math and percentile statistics are not simulated"),
                "alarm on one metric with `Statistic`".into(),
            ));
        }
        let Some(metric_name) = self.metric_name.as_deref() else {
            return Err((
                "MetricName",
                format!("alarm `{name}` has no `MetricName`"),
                "name the metric it reads".into(),
            ));
        };
        let statistic = self
            .statistic
            .as_deref()
            .map(|s| aws_enum("Statistic", s, &["Average", "Minimum", "Maximum", "Sum", "SampleCount"]))
            .transpose()?;
        Ok(RawAlarm {
            service: None,
            metric: metric(self.namespace.as_deref(), metric_name),
            statistic,
            period: self.period.map(seconds),
            evaluation_periods: self.evaluation_periods,
            datapoints_to_alarm: self.datapoints_to_alarm,
            comparison: aws_enum(
                "ComparisonOperator",
                &self.comparison_operator,
                &[
                    "GreaterThanThreshold",
                    "GreaterThanOrEqualToThreshold",
                    "LessThanThreshold",
                    "LessThanOrEqualToThreshold",
                ],
            )?,
            threshold: self.threshold.unwrap_or(0.0),
        })
    }
}
