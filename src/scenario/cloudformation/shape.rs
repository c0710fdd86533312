//! From a resource's CloudFormation properties to the AWS API's JSON that `import:` reads, and
//! back for problems. ECS's API spells its fields in camelCase where CloudFormation capitalises
//! them (`ContainerDefinitions` → `containerDefinitions`); Auto Scaling, Application Auto Scaling
//! and CloudWatch already share CloudFormation's PascalCase. CloudFormation also accepts numbers
//! as strings (`MinSize: "1"`, and every `Ref` of a parameter), which the API does not: the
//! numeric fields are made numbers. A problem the API reader finds at its JSON path is reported
//! at the template's path and line.

use serde_json::{Map, Value};

use crate::scenario::diagnostics::Diagnostic;
use crate::scenario::source_map::SourceMap;

/// Fields whose values are numbers in the APIs (CloudFormation takes strings too).
const NUMERIC: &[&str] = &[
    "cpu",
    "memory",
    "memoryReservation",
    "containerPort",
    "hostPort",
    "interval",
    "timeout",
    "retries",
    "startPeriod",
    "startTimeout",
    "stopTimeout",
    "desiredCount",
    "healthCheckGracePeriodSeconds",
    "maximumPercent",
    "minimumHealthyPercent",
    "base",
    "weight",
    "targetCapacity",
    "minimumScalingStepSize",
    "maximumScalingStepSize",
    "instanceWarmupPeriod",
    "sizeInGiB",
    "MinSize",
    "MaxSize",
    "DesiredCapacity",
    "HealthCheckGracePeriod",
    "DefaultCooldown",
    "DefaultInstanceWarmup",
    "MaxInstanceLifetime",
    "OnDemandBaseCapacity",
    "OnDemandPercentageAboveBaseCapacity",
    "SpotInstancePools",
    "MinCapacity",
    "MaxCapacity",
    "TargetValue",
    "ScaleInCooldown",
    "ScaleOutCooldown",
    "Cooldown",
    "MinAdjustmentMagnitude",
    "ScalingAdjustment",
    "MetricIntervalLowerBound",
    "MetricIntervalUpperBound",
    "Period",
    "EvaluationPeriods",
    "DatapointsToAlarm",
    "Threshold",
];

/// ECS fields whose camelCase is not CloudFormation's name with a small first letter.
const ECS_RENAMES: &[(&str, &str)] = &[
    ("PlacementStrategies", "placementStrategy"),
    ("EFSVolumeConfiguration", "efsVolumeConfiguration"),
    ("FSxWindowsFileServerVolumeConfiguration", "fsxWindowsFileServerVolumeConfiguration"),
];

/// Maps whose keys are the user's, not AWS's: left as written.
const FREE_FORM: &[&str] = &["DockerLabels", "Options", "DriverOpts", "Labels", "SecretOptions"];

/// CloudFormation's ECS properties in the ECS API's spelling, with numbers as numbers.
pub fn ecs_api(properties: &Value) -> Value {
    numbers(&camel(properties))
}

/// PascalCase properties (Auto Scaling, Application Auto Scaling, CloudWatch), numbers as numbers.
pub fn pascal_api(properties: &Value) -> Value {
    numbers(properties)
}

fn camel(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| {
                    let inner = if FREE_FORM.contains(&k.as_str()) { v.clone() } else { camel(v) };
                    (ecs_name(k), inner)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(camel).collect()),
        other => other.clone(),
    }
}

/// `ContainerDefinitions` → `containerDefinitions`.
pub fn ecs_name(key: &str) -> String {
    match ECS_RENAMES.iter().find(|(cfn, _)| *cfn == key) {
        Some((_, api)) => (*api).to_string(),
        None => first_letter(key, char::to_ascii_lowercase),
    }
}

/// `containerDefinitions` → `ContainerDefinitions`: the template's name of an ECS API field.
fn cfn_name(key: &str) -> String {
    match ECS_RENAMES.iter().find(|(_, api)| *api == key) {
        Some((cfn, _)) => (*cfn).to_string(),
        None => first_letter(key, char::to_ascii_uppercase),
    }
}

/// `key` with its first letter changed by `case`.
fn first_letter(key: &str, case: fn(&char) -> char) -> String {
    let mut chars = key.chars();
    chars.next().map(|first| case(&first).to_string() + chars.as_str()).unwrap_or_default()
}

fn numbers(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut out = Map::new();
            for (k, v) in m {
                let value = match v {
                    Value::String(s) if NUMERIC.contains(&k.as_str()) => number(s).unwrap_or_else(|| v.clone()),
                    other => numbers(other),
                };
                out.insert(k.clone(), value);
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(numbers).collect()),
        other => other.clone(),
    }
}

fn number(s: &str) -> Option<Value> {
    let s = s.trim();
    if let Ok(i) = s.parse::<i64>() {
        return Some(Value::from(i));
    }
    s.parse::<f64>().ok().and_then(serde_json::Number::from_f64).map(Value::Number)
}

/// Where problems of one resource's API JSON are in the template.
pub struct Locator<'a> {
    pub template: &'a str,
    pub map: &'a SourceMap,
}

impl Locator<'_> {
    /// `d` (found in the API JSON whose properties are at template path `base`; `ecs` when that
    /// JSON is camelCase) at the template's path and line, in the template's names.
    pub fn place(&self, base: &str, ecs: bool, mut d: Diagnostic) -> Diagnostic {
        let inner = if d.path == "." || d.path.is_empty() {
            String::new()
        } else if ecs {
            d.path.split('.').map(cfn_segment).collect::<Vec<_>>().join(".")
        } else {
            d.path.clone()
        };
        if ecs {
            // `colour` is not a field, did you mean `cpu`? → `Colour`, `Cpu`: the template's names.
            if d.message.contains("unknown field") || d.message.contains("is not a field") {
                d.message = pascal_quoted(&d.message);
            }
            match d.hint.as_deref() {
                Some(h) if h.contains("(camelCase)") => {
                    d.hint = Some("the resource's page in the CloudFormation User Guide lists its properties".into());
                }
                Some(h) if h.starts_with("did you mean") => d.hint = Some(pascal_quoted(h)),
                _ => {}
            }
        }
        let path = if inner.is_empty() { base.to_string() } else { format!("{base}.{inner}") };
        d.line = self.line(&path);
        d.path = path;
        d.file = Some(self.template.to_string());
        d
    }

    /// The line of `path`, or of its closest parent the template writes.
    pub fn line(&self, path: &str) -> Option<usize> {
        let mut at = path.to_string();
        loop {
            if let Some(line) = self.map.line_of(&at) {
                return Some(line);
            }
            let cut = at.rfind(['.', '['])?;
            at.truncate(cut);
        }
    }
}

/// Every quoted camelCase field name of `text` (`` `targetCapacity` ``) in the template's spelling.
fn pascal_quoted(text: &str) -> String {
    let field =
        |t: &str| t.starts_with(|c: char| c.is_ascii_lowercase()) && t.chars().all(|c| c.is_ascii_alphanumeric());
    text.split('`')
        .enumerate()
        .map(|(i, part)| if i % 2 == 1 && field(part) { cfn_name(part) } else { part.to_string() })
        .collect::<Vec<_>>()
        .join("`")
}

/// `portMappings[0]` → `PortMappings[0]`.
fn cfn_segment(segment: &str) -> String {
    match segment.split_once('[') {
        Some((name, rest)) => format!("{}[{rest}", cfn_name(name)),
        None => cfn_name(segment),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecs_properties_take_the_apis_spelling_and_numbers() {
        let cfn = serde_json::json!({
            "Family": "web",
            "Cpu": "256",
            "ContainerDefinitions": [{ "Name": "web", "Cpu": "128", "PortMappings": [{ "ContainerPort": "80" }],
                                       "DockerLabels": { "Team": "a" } }],
            "PlacementStrategies": [{ "Type": "spread", "Field": "attribute:ecs.availability-zone" }],
            "Volumes": [{ "EFSVolumeConfiguration": { "FilesystemId": "fs-1" } }]
        });
        let api = ecs_api(&cfn);
        assert_eq!(api["containerDefinitions"][0]["cpu"], 128);
        assert_eq!(api["containerDefinitions"][0]["portMappings"][0]["containerPort"], 80);
        assert_eq!(api["containerDefinitions"][0]["dockerLabels"]["Team"], "a");
        assert_eq!(api["placementStrategy"][0]["field"], "attribute:ecs.availability-zone");
        assert!(api["volumes"][0]["efsVolumeConfiguration"].is_object());
        assert_eq!(cfn_segment("placementStrategy[0]"), "PlacementStrategies[0]");
        assert_eq!(cfn_segment("containerDefinitions[2]"), "ContainerDefinitions[2]");
        assert_eq!(
            pascal_quoted("unknown field `colour`, expected one of `name`, `image` at `FARGATE`"),
            "unknown field `Colour`, expected one of `Name`, `Image` at `FARGATE`"
        );
    }

    #[test]
    fn pascal_properties_keep_their_names_and_take_numbers() {
        let api = pascal_api(&serde_json::json!({ "MinSize": "1", "MaxSize": 4, "AutoScalingGroupName": "7" }));
        assert_eq!((api["MinSize"].clone(), api["MaxSize"].clone()), (1.into(), 4.into()));
        assert_eq!(api["AutoScalingGroupName"], "7");
    }
}
