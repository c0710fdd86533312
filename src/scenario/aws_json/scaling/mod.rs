//! Application Auto Scaling and CloudWatch alarm JSON into a service's `autoscaling:`:
//! `autoscaling: { import: [target.json, cpu-policy.json, step-policy.json, alarm.json] }`.
//!
//! Each file is one of, by its keys: `register-scalable-target` input or
//! `describe-scalable-targets` output (the bounds); `put-scaling-policy` input or
//! `describe-scaling-policies` output (target tracking and step scaling policies);
//! `put-scheduled-action` input or `describe-scheduled-actions` output; `put-metric-alarm` input
//! or `describe-alarms` output (a step policy's alarm: the one whose `AlarmActions` name the policy,
//! or that `describe-scaling-policies` lists under the policy's `Alarms`). Metrics map to ecsim's:
//! `ECSServiceAverageCPUUtilization` and AWS/ECS `CPUUtilization` to `cpu`, the memory ones to
//! `memory`, `ALBRequestCountPerTarget` and AWS/ApplicationELB `RequestCountPerTarget` to
//! `alb_request_count_per_target`, `RequestCount` and `TargetResponseTime` to theirs; any other
//! metric to `{ custom: <MetricName> }`, which the scenario's `custom_metrics:` must define. A
//! schedule's `cron(m h dom mon dow year)` becomes a 5-field cron (`?` read as `*`, the year `*`).
//! Not simulated, so errors: predictive scaling, metric math, `at()` and `rate()` schedules.

use serde::de::IgnoredAny;
use serde::Deserialize;

use crate::scenario::diagnostics::Diagnostic;
use crate::scenario::schema::{
    RawCustomMetricRef, RawMetricRef, RawScalingPolicies, RawScheduledAction, RawStep, RawStepScaling,
    RawTargetTracking,
};

mod alarm;
mod schedule;

use super::parts::{join, problem, syntax, typed, JsonFile, JsonOrigin};
use super::seconds;
use alarm::Alarm;
use schedule::ScheduledAction;

/// The policies, bounds and schedules of `files` for service `name` (whose scalable target's
/// `ResourceId` ends `/name` when a file lists several), and where each came from.
pub fn parse_scaling(files: &[JsonFile], name: &str) -> Result<(RawScalingPolicies, Vec<JsonOrigin>), Vec<Diagnostic>> {
    let mut read = Read::default();
    let mut problems = Vec::new();
    for file in files {
        if let Err(d) = read_file(file, name, &mut read) {
            problems.push(d);
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    read.finish(files)
}

/// What the files gave so far.
#[derive(Default)]
struct Read {
    bounds: Option<(Option<i64>, Option<i64>, JsonOrigin)>,
    policies: Vec<(Policy, JsonOrigin)>,
    alarms: Vec<(Alarm, JsonOrigin)>,
    scheduled: Vec<(RawScheduledAction, JsonOrigin)>,
}

fn read_file(file: &JsonFile, name: &str, read: &mut Read) -> Result<(), Diagnostic> {
    let value: serde_json::Value = serde_json::from_str(file.text).map_err(|e| syntax(file, &e))?;
    let origin = |json_path: &str| JsonOrigin::new(file, "", json_path);
    // (the list key of describe output, the list's items' paths) or the document itself.
    let items = |key: &str| -> Vec<(String, &serde_json::Value)> {
        match value.get(key).and_then(serde_json::Value::as_array) {
            Some(list) => list.iter().enumerate().map(|(i, v)| (format!("{key}[{i}]"), v)).collect(),
            None => vec![(".".to_string(), &value)],
        }
    };
    let has = |k: &str| value.get(k).is_some();
    if has("ScalableTargets") || has("MinCapacity") || has("MaxCapacity") {
        let targets = items("ScalableTargets");
        let mine = targets
            .iter()
            .find(|(_, t)| resource_is(t, name))
            .or_else(|| targets.first().filter(|_| targets.len() == 1));
        let Some((path, t)) = mine else {
            let message = format!("no scalable target of service `{name}` (a `ResourceId` ending `/{name}`)");
            return Err(problem(
                file,
                "ScalableTargets",
                message,
                Some("name the scenario's service as in AWS".into()),
            ));
        };
        let t: ScalableTarget = typed(file, path, t)?;
        read.bounds = Some((t.min_capacity, t.max_capacity, origin(path)));
    } else if has("ScalingPolicies") || has("PolicyName") {
        for (path, p) in items("ScalingPolicies") {
            if has("ScalingPolicies") && !resource_is(p, name) && p.get("ResourceId").is_some() {
                continue;
            }
            let policy: Policy = typed(file, &path, p)?;
            read.policies.push((policy, origin(&path)));
        }
    } else if has("ScheduledActions") || has("ScheduledActionName") {
        for (path, a) in items("ScheduledActions") {
            if has("ScheduledActions") && !resource_is(a, name) && a.get("ResourceId").is_some() {
                continue;
            }
            let action: ScheduledAction = typed(file, &path, a)?;
            let raw = action
                .into_raw()
                .map_err(|(field, message, hint)| problem(file, &join(&path, field), message, Some(hint.into())))?;
            read.scheduled.push((raw, origin(&path)));
        }
    } else if has("MetricAlarms") || has("AlarmName") {
        for (path, a) in items("MetricAlarms") {
            let alarm: Alarm = typed(file, &path, a)?;
            read.alarms.push((alarm, origin(&path)));
        }
    } else {
        let hint = "register-scalable-target, put-scaling-policy, put-scheduled-action or put-metric-alarm JSON \
                    (or their describe output)";
        return Err(problem(
            file,
            ".",
            "not Application Auto Scaling or CloudWatch alarm JSON".into(),
            Some(format!("an `autoscaling.import` file is {hint}")),
        ));
    }
    Ok(())
}

/// Whether the object's `ResourceId` (`service/cluster/web`) names service `name`.
fn resource_is(object: &serde_json::Value, name: &str) -> bool {
    object.get("ResourceId").and_then(serde_json::Value::as_str).is_some_and(|r| r.rsplit('/').next() == Some(name))
}

impl Read {
    /// The policies in the scenario's form; `files` are those read, where a policy's problems
    /// are placed.
    fn finish(self, files: &[JsonFile]) -> Result<(RawScalingPolicies, Vec<JsonOrigin>), Vec<Diagnostic>> {
        let mut origins = Vec::new();
        let mut problems = Vec::new();
        let mut out = RawScalingPolicies::default();
        if let Some((min, max, origin)) = self.bounds {
            (out.min_capacity, out.max_capacity) = (min, max);
            origins.push(JsonOrigin { entry: "min_capacity".into(), ..origin.clone() });
            origins.push(JsonOrigin { entry: "max_capacity".into(), ..origin });
        }
        for (policy, origin) in self.policies {
            match policy.into_raw(&self.alarms) {
                Ok(Converted::Tracking(t)) => {
                    origins.push(JsonOrigin {
                        entry: format!("target_tracking[{}]", out.target_tracking.len()),
                        ..origin
                    });
                    out.target_tracking.push(t);
                }
                Ok(Converted::Step(s)) => {
                    origins.push(JsonOrigin { entry: format!("step_scaling[{}]", out.step_scaling.len()), ..origin });
                    out.step_scaling.push(s);
                }
                Err((field, message, hint)) => {
                    let file = files.iter().find(|f| f.shown == origin.file).expect("a policy comes from a file read");
                    problems.push(problem(file, &join(&origin.json_path, field), message, Some(hint)))
                }
            }
        }
        for (action, origin) in self.scheduled {
            origins.push(JsonOrigin { entry: format!("scheduled[{}]", out.scheduled.len()), ..origin });
            out.scheduled.push(action);
        }
        if problems.is_empty() {
            Ok((out, origins))
        } else {
            Err(problems)
        }
    }
}

// The AWS shapes (Application Auto Scaling API Reference: RegisterScalableTarget, PutScalingPolicy,
// PutScheduledAction and their Describe outputs; CloudWatch PutMetricAlarm, DescribeAlarms).

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct ScalableTarget {
    min_capacity: Option<i64>,
    max_capacity: Option<i64>,
    _service_namespace: Option<IgnoredAny>,
    _resource_id: Option<IgnoredAny>,
    _scalable_dimension: Option<IgnoredAny>,
    #[serde(rename = "RoleARN")]
    _role_arn: Option<IgnoredAny>,
    _suspended_state: Option<IgnoredAny>,
    _tags: Option<IgnoredAny>,
    _creation_time: Option<IgnoredAny>,
    #[serde(rename = "ScalableTargetARN")]
    _scalable_target_arn: Option<IgnoredAny>,
    _predicted_capacity: Option<IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct Policy {
    policy_name: String,
    policy_type: String,
    target_tracking_scaling_policy_configuration: Option<TargetTracking>,
    step_scaling_policy_configuration: Option<StepScaling>,
    predictive_scaling_policy_configuration: Option<IgnoredAny>,
    /// describe-scaling-policies: the alarms that invoke the policy.
    alarms: Option<Vec<AlarmRef>>,
    _service_namespace: Option<IgnoredAny>,
    _resource_id: Option<IgnoredAny>,
    _scalable_dimension: Option<IgnoredAny>,
    #[serde(rename = "PolicyARN")]
    _policy_arn: Option<IgnoredAny>,
    _creation_time: Option<IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct AlarmRef {
    alarm_name: String,
    #[serde(rename = "AlarmARN")]
    _alarm_arn: Option<IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct TargetTracking {
    target_value: f64,
    predefined_metric_specification: Option<PredefinedMetric>,
    customized_metric_specification: Option<CustomizedMetric>,
    scale_out_cooldown: Option<i64>,
    scale_in_cooldown: Option<i64>,
    disable_scale_in: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct PredefinedMetric {
    predefined_metric_type: String,
    _resource_label: Option<IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct CustomizedMetric {
    metric_name: Option<String>,
    namespace: Option<String>,
    metrics: Option<IgnoredAny>,
    _dimensions: Option<IgnoredAny>,
    _statistic: Option<IgnoredAny>,
    _unit: Option<IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct StepScaling {
    adjustment_type: String,
    step_adjustments: Vec<StepAdjustment>,
    min_adjustment_magnitude: Option<i64>,
    cooldown: Option<i64>,
    metric_aggregation_type: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct StepAdjustment {
    metric_interval_lower_bound: Option<f64>,
    metric_interval_upper_bound: Option<f64>,
    scaling_adjustment: i64,
}

/// A problem of a value that parsed: its field (AWS's, relative to the object), message, hint.
pub(super) type Refusal = (&'static str, String, String);

enum Converted {
    Tracking(RawTargetTracking),
    Step(RawStepScaling),
}

/// AWS's PascalCase value (`GreaterThanOrEqualToThreshold`) as ecsim's snake_case one.
pub(super) fn snake(value: &str) -> String {
    let mut out = String::new();
    for (i, ch) in value.chars().enumerate() {
        if ch.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(ch.to_ascii_lowercase());
    }
    out
}

/// `value` as ecsim's enum `T` (by its snake_case name), or a refusal listing AWS's values.
pub(super) fn aws_enum<T: serde::de::DeserializeOwned>(
    field: &'static str,
    value: &str,
    allowed: &[&str],
) -> Result<T, Refusal> {
    serde_json::from_value(serde_json::Value::String(snake(value))).map_err(|_| {
        (
            field,
            format!("`{value}` is not one of {}", allowed.join(", ")),
            format!("AWS's values: {}", allowed.join(", ")),
        )
    })
}

/// A CloudWatch metric (namespace, name) as the metric ecsim publishes, or a custom one.
pub(super) fn metric(namespace: Option<&str>, name: &str) -> RawMetricRef {
    let named = |n: &str| RawMetricRef::Named(n.to_string());
    match (namespace.unwrap_or(""), name) {
        ("AWS/ECS", "CPUUtilization") => named("cpu"),
        ("AWS/ECS", "MemoryUtilization") => named("memory"),
        ("AWS/ApplicationELB", "RequestCountPerTarget") => named("alb_request_count_per_target"),
        ("AWS/ApplicationELB", "RequestCount") => named("request_count"),
        ("AWS/ApplicationELB", "TargetResponseTime") => named("target_response_time"),
        (_, other) => RawMetricRef::Custom(RawCustomMetricRef { custom: other.to_string() }),
    }
}

impl Policy {
    fn into_raw(self, alarms: &[(Alarm, JsonOrigin)]) -> Result<Converted, Refusal> {
        if self.predictive_scaling_policy_configuration.is_some() || self.policy_type == "PredictiveScaling" {
            return Err((
                "PolicyType",
                "predictive scaling is not simulated".into(),
                "use a target tracking or step scaling policy".into(),
            ));
        }
        match (
            self.policy_type.as_str(),
            self.target_tracking_scaling_policy_configuration,
            self.step_scaling_policy_configuration,
        ) {
            ("TargetTrackingScaling", Some(t), _) => {
                let metric = match (t.predefined_metric_specification, t.customized_metric_specification) {
                    (Some(p), _) => match p.predefined_metric_type.as_str() {
                        "ECSServiceAverageCPUUtilization" => RawMetricRef::Named("cpu".into()),
                        "ECSServiceAverageMemoryUtilization" => RawMetricRef::Named("memory".into()),
                        "ALBRequestCountPerTarget" => RawMetricRef::Named("alb_request_count_per_target".into()),
                        other => {
                            return Err((
                                "TargetTrackingScalingPolicyConfiguration.PredefinedMetricSpecification.PredefinedMetricType",
                                format!("`{other}` is not an ECS service metric"),
                                "ECS's: ECSServiceAverageCPUUtilization, ECSServiceAverageMemoryUtilization, ALBRequestCountPerTarget".into(),
                            ))
                        }
                    },
                    (None, Some(c)) if c.metrics.is_some() => {
                        return Err((
                            "TargetTrackingScalingPolicyConfiguration.CustomizedMetricSpecification.Metrics",
                            "metric math is not simulated".into(),
                            "track one metric (`MetricName` and `Namespace`)".into(),
                        ))
                    }
                    (None, Some(c)) => match c.metric_name {
                        Some(name) => metric(c.namespace.as_deref(), &name),
                        None => {
                            return Err((
                                "TargetTrackingScalingPolicyConfiguration.CustomizedMetricSpecification",
                                "a customized metric needs its `MetricName`".into(),
                                "e.g. `\"MetricName\": \"CPUUtilization\", \"Namespace\": \"AWS/ECS\"`".into(),
                            ))
                        }
                    },
                    (None, None) => {
                        return Err((
                            "TargetTrackingScalingPolicyConfiguration",
                            "a target tracking policy needs a predefined or customized metric".into(),
                            "add `PredefinedMetricSpecification`".into(),
                        ))
                    }
                };
                Ok(Converted::Tracking(RawTargetTracking {
                    metric,
                    target: t.target_value,
                    scale_out_cooldown: t.scale_out_cooldown.map(seconds),
                    scale_in_cooldown: t.scale_in_cooldown.map(seconds),
                    disable_scale_in: t.disable_scale_in,
                    scale_in_threshold_factor: None,
                    scale_out_datapoints: None,
                    scale_in_datapoints: None,
                }))
            }
            ("StepScaling", _, Some(s)) => {
                let listed: Vec<&str> = self.alarms.iter().flatten().map(|a| a.alarm_name.as_str()).collect();
                let invokes = |a: &Alarm| {
                    listed.contains(&a.alarm_name.as_str())
                        || a.alarm_actions.iter().any(|arn| arn.ends_with(&format!("policyName/{}", self.policy_name)))
                };
                let Some((alarm, _)) = alarms.iter().find(|(a, _)| invokes(a)) else {
                    return Err((
                        "PolicyName",
                        format!("step scaling policy `{}` has no alarm among the imported files", self.policy_name),
                        "import its put-metric-alarm (or describe-alarms) JSON too: the alarm whose `AlarmActions` name the policy".into(),
                    ));
                };
                let alarm = alarm.to_raw().map_err(|(_, message, hint)| ("PolicyName", message, hint))?;
                let aggregation = s
                    .metric_aggregation_type
                    .as_deref()
                    .map(|m| {
                        aws_enum(
                            "StepScalingPolicyConfiguration.MetricAggregationType",
                            m,
                            &["Average", "Minimum", "Maximum"],
                        )
                    })
                    .transpose()?;
                Ok(Converted::Step(RawStepScaling {
                    name: self.policy_name,
                    alarm,
                    adjustment_type: aws_enum(
                        "StepScalingPolicyConfiguration.AdjustmentType",
                        &s.adjustment_type,
                        &["ChangeInCapacity", "PercentChangeInCapacity", "ExactCapacity"],
                    )?,
                    min_adjustment_magnitude: s.min_adjustment_magnitude,
                    cooldown: s.cooldown.map(seconds),
                    metric_aggregation: aggregation,
                    steps: s
                        .step_adjustments
                        .into_iter()
                        .map(|a| RawStep {
                            lower: a.metric_interval_lower_bound,
                            upper: a.metric_interval_upper_bound,
                            adjustment: a.scaling_adjustment,
                        })
                        .collect(),
                }))
            }
            (kind, _, _) => Err((
                "PolicyType",
                format!("a `{kind}` policy without its configuration"),
                "TargetTrackingScaling needs `TargetTrackingScalingPolicyConfiguration`, StepScaling \
                 `StepScalingPolicyConfiguration`"
                    .into(),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(files: &[(&str, &str)]) -> Result<(RawScalingPolicies, Vec<JsonOrigin>), Vec<Diagnostic>> {
        let files: Vec<JsonFile> = files.iter().map(|(shown, text)| JsonFile::new(shown, text)).collect();
        parse_scaling(&files, "web")
    }

    #[test]
    fn aws_values_become_ecsims() {
        assert_eq!(snake("GreaterThanOrEqualToThreshold"), "greater_than_or_equal_to_threshold");
        assert_eq!(snake("ChangeInCapacity"), "change_in_capacity");
        assert!(matches!(metric(Some("AWS/ECS"), "CPUUtilization"), RawMetricRef::Named(n) if n == "cpu"));
        assert!(
            matches!(metric(Some("AWS/SQS"), "ApproximateNumberOfMessagesVisible"), RawMetricRef::Custom(c) if c.custom == "ApproximateNumberOfMessagesVisible")
        );
    }

    #[test]
    fn a_step_policy_finds_its_alarm_by_its_actions() {
        let policy = r#"{"PolicyName": "out", "PolicyType": "StepScaling", "StepScalingPolicyConfiguration": {
            "AdjustmentType": "ChangeInCapacity", "StepAdjustments": [{"MetricIntervalLowerBound": 0, "ScalingAdjustment": 2}],
            "Cooldown": 60, "MetricAggregationType": "Average"}}"#;
        let alarm = r#"{"AlarmName": "high", "MetricName": "CPUUtilization", "Namespace": "AWS/ECS", "Statistic": "Average",
            "Period": 60, "EvaluationPeriods": 3, "Threshold": 70, "ComparisonOperator": "GreaterThanThreshold",
            "AlarmActions": ["arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:abc:resource/ecs/service/c/web:policyName/out"]}"#;
        let (raw, origins) = parse(&[("p.json", policy), ("a.json", alarm)]).unwrap();
        assert_eq!(raw.step_scaling.len(), 1);
        let s = &raw.step_scaling[0];
        assert_eq!((s.name.as_str(), s.alarm.threshold, s.alarm.evaluation_periods), ("out", 70.0, Some(3)));
        assert_eq!(origins[0].entry, "step_scaling[0]");
        // Without the alarm file: an error naming what to add.
        let problems = parse(&[("p.json", policy)]).unwrap_err();
        assert!(problems[0].message.contains("has no alarm among the imported files"), "{:?}", problems[0]);
    }

    #[test]
    fn a_misspelt_field_is_named_at_its_json_path() {
        let target = "{\n  \"ServiceNamespace\": \"ecs\",\n  \"MinCapacity\": 1,\n  \"MaxCapcity\": 5\n}";
        let problems = parse(&[("t.json", target)]).unwrap_err();
        assert_eq!((problems[0].path.as_str(), problems[0].line), ("MaxCapcity", Some(4)));
        assert_eq!(problems[0].hint.as_deref(), Some("did you mean `MaxCapacity`?"));
    }
}
