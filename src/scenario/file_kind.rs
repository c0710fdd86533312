//! What a file given as a scenario is when it is not one: AWS's own JSON shapes (a task
//! definition, a service, Application Auto Scaling, CloudWatch, capacity providers and Auto
//! Scaling groups), a CloudFormation template, a Terraform file, an ecsim experiment or a trace.
//!
//! [`identify`] looks only at a document that failed to load as a scenario, and only at its
//! top-level keys (or, for Terraform, its first blocks): a scenario with a typo is never taken for
//! something else, because every shape below needs keys that no scenario has. The answer is one
//! diagnostic that says what the file is and which command or `import:` uses it, in place of the
//! misleading "unknown field" hints a scenario's schema would give ("did you mean `duration`?" for
//! CloudFormation's `Description`).

use serde_yaml::Value;

use super::diagnostics::Diagnostic;

/// A kind of file that is not a scenario, and what to do with it.
struct Kind {
    /// What the file is, in AWS's words.
    what: &'static str,
    /// The command or scenario field that uses it (`{file}` stands for the file's path).
    use_it: &'static str,
}

const TASK_DEFINITION: Kind = Kind {
    what: "an AWS task definition (register-task-definition input or describe-task-definition output)",
    use_it: "a scenario imports it: `task_definitions: { NAME: { import: {file} } }` (README: Scenario reference, Importing AWS task definitions)",
};
const SERVICE: Kind = Kind {
    what: "an ECS service in AWS's JSON (create-service input or describe-services output)",
    use_it: "a scenario imports it: `services: { NAME: { import: {file} } }` (README: Scenario reference, Importing \
             AWS services)",
};
const SCALING: Kind = Kind {
    what: "Application Auto Scaling JSON (register-scalable-target, put-scaling-policy or put-scheduled-action)",
    use_it: "a service's `autoscaling:` imports it: `autoscaling: { import: [{file}] }` (README: Importing \
             Application Auto Scaling)",
};
const ALARM: Kind = Kind {
    what: "a CloudWatch alarm (put-metric-alarm input or describe-alarms output)",
    use_it: "a service's `autoscaling:` imports it with the step policy it invokes: `autoscaling: { import: \
             [policy.json, {file}] }` (README: Importing Application Auto Scaling)",
};
const METRIC_DATA: Kind = Kind {
    what: "CloudWatch metric data (get-metric-data or get-metric-statistics output)",
    use_it: "a scenario replays it as a rate: `rate: { trace: { file: {file} } }` (README: Trace replay)",
};
const CAPACITY: Kind = Kind {
    what: "ECS capacity providers in AWS's JSON (create-capacity-provider or describe-capacity-providers)",
    use_it: "a scenario imports it: `capacity_providers: { NAME: { import: [{file}, group.json] } }` (README: \
             Importing capacity providers)",
};
const CLUSTER: Kind = Kind {
    what: "an ECS cluster's capacity providers in AWS's JSON (put-cluster-capacity-providers or describe-clusters)",
    use_it: "a scenario imports its default strategy: `default_capacity_provider_strategy: { import: {file} }` \
             (README: Importing capacity providers)",
};
const AUTO_SCALING_GROUP: Kind = Kind {
    what: "an EC2 Auto Scaling group in AWS's JSON (create-auto-scaling-group or describe-auto-scaling-groups)",
    use_it: "a capacity provider imports it: `capacity_providers: { NAME: { import: [provider.json, {file}] } }` \
             (README: Importing capacity providers)",
};
const CLOUDFORMATION: Kind = Kind {
    what: "an AWS CloudFormation template",
    use_it: "write a scenario from it: `ecsim import cloudformation {file} > scenario.yaml` (README: Importing \
             CloudFormation)",
};
const TERRAFORM: Kind = Kind {
    what: "a Terraform configuration (HCL)",
    use_it: "ecsim does not read Terraform: write the scenario from its `aws_ecs_*` resources; an \
             `aws_ecs_task_definition`'s `container_definitions`, saved as `{\"containerDefinitions\": [...]}` with its \
             `cpu`, `memory` and `networkMode`, imports as a task definition (README: Scenario reference, Importing AWS \
             task definitions)",
};
const TRACE: Kind = Kind {
    what: "a trace (rows of comma-separated values, or one count per line)",
    use_it: "a scenario replays it as a rate: `rate: { trace: { file: {file} } }`, with `step: 1s` for one count per \
             line (README: Trace replay)",
};
const COMPRESSED: Kind = Kind {
    what: "a compressed file (gzip, bzip2 or zstd)",
    use_it: "a compressed trace replays as a rate: `rate: { trace: { file: {file} } }` (README: Trace replay); \
             decompress a compressed scenario first",
};
const SCENARIO: Kind = Kind {
    what: "an ecsim scenario",
    use_it: "run it with `ecsim run {file}`, or compare variants of it with an experiment whose `base:` is `{file}` \
             (README: Experiments)",
};
const EXPERIMENT: Kind = Kind {
    what: "an ecsim experiment (variants and seeds of a base scenario)",
    use_it: "run it with `ecsim sweep {file}`",
};

/// The diagnostic for a file that is recognisably not a scenario, or `None` (then the scenario's
/// own problems are reported).
pub fn identify(text: &str, file: &str) -> Option<Diagnostic> {
    let kind = match serde_yaml::from_str::<Value>(text) {
        Ok(Value::Mapping(map)) => of_document(&map),
        // HCL and CSV are no YAML mapping: a syntax error, or a long plain string.
        _ if is_terraform(text) => Some(&TERRAFORM),
        _ => is_trace(text).then_some(&TRACE),
    }?;
    Some(diagnostic(kind, file, "an ecsim scenario"))
}

/// The diagnostic for `bytes` that start as a gzip, bzip2 or zstd file does, or `None`.
pub fn identify_compressed(bytes: &[u8], file: &str) -> Option<Diagnostic> {
    let compressed =
        bytes.starts_with(&[0x1f, 0x8b]) || bytes.starts_with(b"BZh") || bytes.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]);
    compressed.then(|| diagnostic(&COMPRESSED, file, "an ecsim scenario"))
}

/// A trace's first lines: comma-separated fields on every line (a header allowed), or one number
/// per line.
fn is_trace(text: &str) -> bool {
    let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).take(5).collect();
    let number = |s: &str| s.trim().trim_matches('"').parse::<f64>().is_ok();
    let counts = !lines.is_empty() && lines.iter().all(|l| number(l));
    // YAML's marks (`key: value`, lists, flow collections) make it a broken scenario instead.
    let yaml = |l: &str| l.contains(": ") || l.ends_with(':') || l.starts_with("- ") || l.contains(['[', '{']);
    let rows = lines.len() >= 2
        && lines.iter().all(|l| l.contains(',') && !yaml(l))
        && lines[1..].iter().any(|l| l.split(',').any(number));
    counts || rows
}

/// [`identify`] for a file given as an experiment (`ecsim sweep`): a scenario is named as such.
pub fn identify_experiment(text: &str, file: &str) -> Option<Diagnostic> {
    let kind = match serde_yaml::from_str::<Value>(text) {
        Ok(Value::Mapping(map)) if !map.contains_key("experiment") && map.contains_key("duration") => Some(&SCENARIO),
        Ok(Value::Mapping(map)) => of_document(&map).filter(|k| k.what != EXPERIMENT.what),
        _ => is_terraform(text).then_some(&TERRAFORM),
    }?;
    Some(diagnostic(kind, file, "an ecsim experiment"))
}

fn diagnostic(kind: &Kind, file: &str, expected: &str) -> Diagnostic {
    Diagnostic {
        file: None,
        path: ".".into(),
        line: None,
        message: format!("this is {}, not {expected}", kind.what),
        hint: Some(kind.use_it.replace("{file}", file)),
    }
}

/// Terraform's blocks: `resource "aws_…" "name" {`, `provider "aws" {`, `terraform {`, `module "…" {`.
fn is_terraform(text: &str) -> bool {
    text.lines().map(str::trim_start).any(|line| {
        let mut words = line.split_whitespace();
        match (words.next(), words.next()) {
            (Some("resource" | "data"), Some(kind)) => kind.starts_with("\"aws_"),
            (Some("provider"), Some("\"aws\"")) => true,
            (Some("terraform" | "module" | "variable"), Some(next)) => next == "{" || next.starts_with('"'),
            _ => false,
        }
    })
}

/// AWS's JSON shapes and the other YAML documents, by their top-level keys: each needs a key
/// that a scenario does not have, so a valid scenario is never one of them.
fn of_document(map: &serde_yaml::Mapping) -> Option<&'static Kind> {
    let has = |key: &str| map.contains_key(key);
    let any = |keys: &[&str]| keys.iter().any(|k| has(k));
    if any(&["AWSTemplateFormatVersion", "Resources"]) {
        return Some(&CLOUDFORMATION);
    }
    if any(&["containerDefinitions", "taskDefinitionArn"])
        || map
            .get("taskDefinition")
            .is_some_and(|t| t.as_mapping().is_some_and(|m| m.contains_key("containerDefinitions")))
    {
        return Some(&TASK_DEFINITION);
    }
    // describe-services: `services` is a list (a scenario's is a map).
    // create-service output wraps the service in `service`; describe-services lists them.
    let wrapped = map.get("service").is_some_and(|s| s.as_mapping().is_some_and(|m| m.contains_key("serviceName")));
    if has("serviceName") || wrapped || map.get("services").is_some_and(Value::is_sequence) {
        return Some(&SERVICE);
    }
    if any(&[
        "ServiceNamespace",
        "ScalableDimension",
        "ScalableTargets",
        "ScalingPolicies",
        "ScheduledActions",
        "TargetTrackingScalingPolicyConfiguration",
        "StepScalingPolicyConfiguration",
    ]) {
        return Some(&SCALING);
    }
    if any(&["AlarmName", "MetricAlarms"]) {
        return Some(&ALARM);
    }
    if any(&["MetricDataResults", "Datapoints"]) {
        return Some(&METRIC_DATA);
    }
    let wrapped_cluster =
        map.get("cluster").is_some_and(|c| c.as_mapping().is_some_and(|m| m.contains_key("clusterName")));
    if has("defaultCapacityProviderStrategy")
        || wrapped_cluster
        || map.get("clusters").is_some_and(Value::is_sequence)
        || (has("cluster") && has("capacityProviders"))
    {
        return Some(&CLUSTER);
    }
    if any(&["autoScalingGroupProvider", "capacityProviders", "capacityProvider"]) {
        return Some(&CAPACITY);
    }
    if any(&["AutoScalingGroupName", "AutoScalingGroups"]) {
        return Some(&AUTO_SCALING_GROUP);
    }
    if has("experiment") && any(&["base", "variants", "axes"]) {
        return Some(&EXPERIMENT);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn what(text: &str) -> Option<String> {
        identify(text, "f.json").map(|d| d.message)
    }

    #[test]
    fn aws_shapes_are_named() {
        let cases = [
            (r#"{"family": "web", "containerDefinitions": [{"name": "a", "image": "a"}]}"#, "task definition"),
            (r#"{"taskDefinition": {"containerDefinitions": []}}"#, "task definition"),
            (r#"{"cluster": "c", "serviceName": "web", "desiredCount": 2}"#, "ECS service"),
            (r#"{"services": [{"serviceName": "web"}], "failures": []}"#, "ECS service"),
            (
                r#"{"ServiceNamespace": "ecs", "ScalableDimension": "ecs:service:DesiredCount"}"#,
                "Application Auto Scaling",
            ),
            (r#"{"PolicyName": "p", "TargetTrackingScalingPolicyConfiguration": {}}"#, "Application Auto Scaling"),
            (r#"{"AlarmName": "high", "MetricName": "CPUUtilization"}"#, "CloudWatch alarm"),
            (r#"{"MetricDataResults": [{"Id": "m", "Timestamps": [], "Values": []}]}"#, "metric data"),
            (r#"{"name": "cp", "autoScalingGroupProvider": {}}"#, "capacity providers"),
            (r#"{"cluster": "prod", "capacityProviders": ["ec2"]}"#, "cluster's capacity providers"),
            (r#"{"clusters": [], "failures": []}"#, "cluster's capacity providers"),
            (r#"{"AutoScalingGroupName": "g", "MinSize": 1}"#, "Auto Scaling group"),
            ("AWSTemplateFormatVersion: '2010-09-09'\nDescription: x\nResources: {}\n", "CloudFormation"),
            ("experiment: cost\nbase: scenario.yaml\nvariants: []\n", "experiment"),
        ];
        for (text, kind) in cases {
            let message = what(text).unwrap_or_else(|| panic!("{text}: not identified"));
            assert!(message.contains(kind), "{text}: {message}");
        }
    }

    #[test]
    fn traces_and_compressed_files_are_named() {
        for text in ["timestamp,requests\n2024-03-05 14:00:00,120\n2024-03-05 14:01:00,130\n", "120\n130\n140\n"] {
            assert!(what(text).is_some_and(|m| m.starts_with("this is a trace")), "{text}");
        }
        assert!(identify_compressed(&[0x1f, 0x8b, 8, 0], "t.gz").is_some());
        assert!(identify_compressed(b"duration: 1h", "s.yaml").is_none());
    }

    #[test]
    fn terraform_is_named() {
        let tf = "provider \"aws\" {\n  region = \"us-east-1\"\n}\n\nresource \"aws_ecs_service\" \"web\" {\n}\n";
        assert!(what(tf).unwrap().contains("Terraform"));
    }

    #[test]
    fn a_scenario_with_mistakes_is_not_taken_for_something_else() {
        for text in [
            "duration: 1h\nzones: [a]\nservices: { web: { desird_count: 2 } }\n",
            "name: x\nduraton: 1h\n",
            "- a list\n",
            "not: [valid yaml",
            "a: [1, 2\nb: [3, 4\n",
            "- 1, 2\n- 3, 4\n",
        ] {
            assert_eq!(what(text), None, "{text}");
        }
    }

    #[test]
    fn a_scenario_given_as_an_experiment_is_named() {
        let d = identify_experiment("name: q\nduration: 1h\nzones: [a]\n", "q.yaml").unwrap();
        assert_eq!(d.message, "this is an ecsim scenario, not an ecsim experiment");
        assert!(d.hint.unwrap().starts_with("run it with `ecsim run q.yaml`"));
        let d = identify_experiment(r#"{"serviceName": "web"}"#, "s.json").unwrap();
        assert!(d.message.starts_with("this is an ECS service"), "{}", d.message);
        assert_eq!(identify_experiment("experiment: e\nbase: s.yaml\nvarants: []\n", "e.yaml"), None);
    }

    #[test]
    fn the_hint_names_the_file_in_the_command() {
        let d = identify("experiment: e\nbase: s.yaml\n", "plans/e.yaml").unwrap();
        assert_eq!(d.hint.as_deref(), Some("run it with `ecsim sweep plans/e.yaml`"));
    }
}
