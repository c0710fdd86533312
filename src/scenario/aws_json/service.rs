//! An ECS service in AWS's JSON into the scenario's raw form:
//! `services: { web: { import: services/web.json } }`.
//!
//! Three shapes are read: CreateService input (`aws ecs create-service --cli-input-json`), its
//! output (the service under a `service` key) and DescribeServices output (`services: [...]`,
//! with `failures`; the scenario's key picks the service by `serviceName` when it lists several).
//! Mapped: `taskDefinition` (its family names the scenario's task definition: `web:3` and an ARN
//! ending `task-definition/web:3` both give `web`), `desiredCount`, `launchType`,
//! `capacityProviderStrategy`, `placementStrategy`, `placementConstraints`,
//! `deploymentConfiguration` (bounds, circuit breaker, alarms, strategy, bake times, canary and
//! linear steps), `healthCheckGracePeriodSeconds`, `availabilityZoneRebalancing`,
//! `schedulingStrategy`, and one `loadBalancers` entry (its target group ARN's name names the
//! scenario's target group, `advancedConfiguration.alternateTargetGroupArn` the alternate one).
//! The network, Service Connect, tags, roles and describe output's read-only state (counts,
//! deployments, events) are accepted and ignored. A deployment controller other than `ECS`, a
//! Classic Load Balancer or several target groups are errors: ecsim does not simulate them.

use serde::de::IgnoredAny;
use serde::Deserialize;

use super::{camel_case, PlacementConstraint};
use crate::scenario::diagnostics::{closest, Diagnostic};
use crate::scenario::load::{unknown_name_hint, without_first_position};
use crate::scenario::schema::{
    RawCanaryConfiguration, RawCircuitBreaker, RawDeploymentAlarms, RawDeploymentConfiguration, RawDeploymentStrategy,
    RawEnabled, RawLinearConfiguration, RawPlacementStrategy, RawService, RawStrategyItem, RawStrategyKind,
};
use crate::scenario::source_map::SourceMap;
use crate::scenario::values::Scalar;
use crate::service::{LaunchType, SchedulingStrategy};

/// Reads the service `name` (the scenario's key) from AWS JSON `text` of `file` into the raw form.
pub fn parse_service(text: &str, file: &str, name: &str) -> Result<RawService, Vec<Diagnostic>> {
    let problem = |path: &str, message: String, hint: Option<String>, line: Option<usize>| Diagnostic {
        file: Some(file.to_string()),
        path: path.to_string(),
        line,
        message,
        hint,
    };
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        let hint = Some("JSON syntax: check quotes, commas and brackets around this line".to_string());
        vec![problem(".", without_first_position(&e.to_string()), hint, Some(e.line()))]
    })?;
    let (prefix, index) = match wrapper(&value, name) {
        Ok(found) => found,
        Err((message, hint)) => return Err(vec![problem(".", message, Some(hint), Some(1))]),
    };
    let node = match index {
        Some(i) => &value["services"][i],
        None if prefix.is_empty() => &value,
        None => &value[prefix.as_str()],
    };
    // Re-read the node alone for its paths; lines come from the whole file's source map.
    let map = SourceMap::parse(text);
    let shown = |path: &str| match (prefix.as_str(), path) {
        ("", p) => p.to_string(),
        (w, ".") => w.to_string(),
        (w, p) => format!("{w}.{p}"),
    };
    let service: Service = serde_path_to_error::deserialize(node).map_err(|e| {
        let path = shown(&e.path().to_string());
        let (message, hint) = explain(&e.inner().to_string(), &e.path().to_string());
        vec![problem(&path, message, hint, map.line_of(&path))]
    })?;
    service.into_raw().map_err(|(path, message, hint)| {
        let path = shown(path);
        vec![problem(&path, message, Some(hint.to_string()), map.line_of(&path))]
    })
}

/// Where an imported service's problem at `path` (relative to the service, snake_case) is in its
/// JSON file: AWS's path and its line, or its closest parent's.
pub fn locate_service(text: &str, name: &str, path: &str) -> (String, Option<usize>) {
    let value: serde_json::Value = serde_json::from_str(text).unwrap_or_default();
    let prefix = match wrapper(&value, name) {
        Ok((_, Some(i))) => format!("services[{i}]"),
        Ok((w, None)) => w,
        Err(_) => String::new(),
    };
    let field = match path.split('.').next().unwrap_or_default() {
        "health_check_grace_period" => "healthCheckGracePeriodSeconds".to_string(),
        "load_balancer" | "alternate_target_group" => "loadBalancers".to_string(),
        "" => String::new(),
        first => camel_case(first),
    };
    let json_path = match (prefix.is_empty(), field.is_empty()) {
        (true, true) => ".".to_string(),
        (true, false) => field,
        (false, true) => prefix,
        (false, false) => format!("{prefix}.{field}"),
    };
    let line = SourceMap::parse(text).line_of(&json_path);
    (json_path, line)
}

/// The service's place in the document: (`""`, None) for CreateService input, (`service`,
/// None) for its output, (`services`, Some(i)) for DescribeServices output; or why none fits.
fn wrapper(value: &serde_json::Value, name: &str) -> Result<(String, Option<usize>), (String, String)> {
    if value.get("service").is_some_and(serde_json::Value::is_object) {
        return Ok(("service".into(), None));
    }
    let Some(list) = value.get("services").and_then(serde_json::Value::as_array) else {
        return Ok((String::new(), None));
    };
    let names: Vec<&str> =
        list.iter().map(|s| s.get("serviceName").and_then(serde_json::Value::as_str).unwrap_or("")).collect();
    match (list.len(), names.iter().position(|n| *n == name)) {
        (0, _) => Err((
            "describe-services output without a service".into(),
            "describe the service again: `aws ecs describe-services --cluster C --services NAME`".into(),
        )),
        (_, Some(i)) => Ok(("services".into(), Some(i))),
        (1, None) => Ok(("services".into(), Some(0))),
        (_, None) => Err((
            format!("the file describes {} services, none named `{name}`", list.len()),
            format!(
                "name the scenario's service after one of them: {}",
                names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
            ),
        )),
    }
}

/// serde's message for a problem at `path`, as one sentence and a hint.
fn explain(message: &str, path: &str) -> (String, Option<String>) {
    let message = without_first_position(message);
    match message.strip_prefix("unknown field `") {
        Some(rest) => {
            let mut quoted = rest.split('`').step_by(2);
            let field = quoted.next().unwrap_or_default();
            let parent = path.rsplit_once('.').map_or("", |(p, _)| p);
            let shape = parent.rsplit('.').next().unwrap_or_default().split('[').next().unwrap_or_default();
            let what = if shape.is_empty() { "an ECS service".to_string() } else { format!("`{shape}`") };
            let hint = match closest(field, quoted) {
                Some(c) => format!("did you mean `{c}`?"),
                None => "CreateService in the Amazon ECS API Reference lists the fields (camelCase)".to_string(),
            };
            (format!("`{field}` is not a field of {what}"), Some(hint))
        }
        None => {
            let hint = unknown_name_hint(&message);
            (message, hint)
        }
    }
}

// The AWS shapes (ECS API Reference: CreateService, Service, DeploymentConfiguration,
// LoadBalancer, 2025-2026 edition). `_` fields are AWS's, accepted and ignored.

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Service {
    task_definition: Option<String>,
    desired_count: Option<i64>,
    launch_type: Option<LaunchType>,
    capacity_provider_strategy: Option<Vec<StrategyItem>>,
    placement_strategy: Option<Vec<PlacementStrategy>>,
    placement_constraints: Option<Vec<PlacementConstraint>>,
    deployment_configuration: Option<DeploymentConfiguration>,
    health_check_grace_period_seconds: Option<i64>,
    availability_zone_rebalancing: Option<RawEnabled>,
    scheduling_strategy: Option<SchedulingStrategy>,
    load_balancers: Option<Vec<LoadBalancer>>,
    deployment_controller: Option<DeploymentController>,
    /// describe-services output: the tasks RUNNING and PENDING when the snapshot was taken,
    /// which the run starts from.
    running_count: Option<i64>,
    pending_count: Option<i64>,
    // CreateService request fields that do not affect the simulation.
    _cluster: Option<IgnoredAny>,
    _service_name: Option<IgnoredAny>,
    _client_token: Option<IgnoredAny>,
    _role: Option<IgnoredAny>,
    _network_configuration: Option<IgnoredAny>,
    _service_registries: Option<IgnoredAny>,
    _platform_version: Option<IgnoredAny>,
    _platform_family: Option<IgnoredAny>,
    #[serde(rename = "enableECSManagedTags")]
    _enable_ecs_managed_tags: Option<IgnoredAny>,
    _propagate_tags: Option<IgnoredAny>,
    _tags: Option<IgnoredAny>,
    _enable_execute_command: Option<IgnoredAny>,
    _service_connect_configuration: Option<IgnoredAny>,
    _volume_configurations: Option<IgnoredAny>,
    _vpc_lattice_configurations: Option<IgnoredAny>,
    // Set by ECS: in create-service and describe-services output only.
    _service_arn: Option<IgnoredAny>,
    _cluster_arn: Option<IgnoredAny>,
    _status: Option<IgnoredAny>,
    _deployments: Option<IgnoredAny>,
    _events: Option<IgnoredAny>,
    _created_at: Option<IgnoredAny>,
    _created_by: Option<IgnoredAny>,
    _role_arn: Option<IgnoredAny>,
    _task_sets: Option<IgnoredAny>,
    _current_service_deployment: Option<IgnoredAny>,
    _current_service_revisions: Option<IgnoredAny>,
    _resource_management_type: Option<IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct StrategyItem {
    capacity_provider: String,
    weight: Option<i64>,
    base: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PlacementStrategy {
    #[serde(rename = "type")]
    kind: RawStrategyKind,
    field: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct DeploymentConfiguration {
    maximum_percent: Option<i64>,
    minimum_healthy_percent: Option<i64>,
    deployment_circuit_breaker: Option<Switch>,
    alarms: Option<Alarms>,
    strategy: Option<RawDeploymentStrategy>,
    bake_time_in_minutes: Option<i64>,
    canary_configuration: Option<Canary>,
    linear_configuration: Option<Linear>,
    /// Lambda functions run at deployment stages: nothing to simulate.
    _lifecycle_hooks: Option<IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Switch {
    enable: bool,
    rollback: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Alarms {
    alarm_names: Vec<String>,
    enable: bool,
    rollback: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Canary {
    canary_percent: Option<f64>,
    canary_bake_time_in_minutes: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Linear {
    step_percent: Option<f64>,
    step_bake_time_in_minutes: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct LoadBalancer {
    target_group_arn: Option<String>,
    load_balancer_name: Option<String>,
    advanced_configuration: Option<AdvancedConfiguration>,
    // Which container and port register: ecsim registers the task.
    _container_name: Option<IgnoredAny>,
    _container_port: Option<IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AdvancedConfiguration {
    alternate_target_group_arn: Option<String>,
    _production_listener_rule: Option<IgnoredAny>,
    _test_listener_rule: Option<IgnoredAny>,
    _role_arn: Option<IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DeploymentController {
    #[serde(rename = "type")]
    kind: String,
}

/// A problem of a value that parsed: its path (AWS's), the message and a hint.
type Refusal = (&'static str, String, &'static str);

/// `web:3`, `web` or `arn:aws:ecs:…:task-definition/web:3` → `web`.
fn family(task_definition: &str) -> String {
    let name = task_definition.rsplit_once("task-definition/").map_or(task_definition, |(_, n)| n);
    name.split(':').next().unwrap_or(name).to_string()
}

/// `arn:aws:elasticloadbalancing:…:targetgroup/web-tg/6d0ecf831eec9f09` → `web-tg` (a plain name
/// stays itself).
fn target_group(arn: &str) -> String {
    match arn.rsplit_once("targetgroup/") {
        Some((_, rest)) => rest.split('/').next().unwrap_or(rest).to_string(),
        None => arn.to_string(),
    }
}

fn minutes(n: i64) -> Scalar {
    Scalar(format!("{n}m"))
}

impl Service {
    fn into_raw(self) -> Result<RawService, Refusal> {
        if let Some(c) = self.deployment_controller.filter(|c| c.kind != "ECS") {
            return Err((
                "deploymentController.type",
                format!("the `{}` deployment controller is not simulated", c.kind),
                "ecsim simulates ECS's own deployments (`ECS`): rolling, blue/green, canary and linear",
            ));
        }
        let balancers = self.load_balancers.unwrap_or_default();
        if balancers.len() > 1 {
            return Err((
                "loadBalancers",
                format!("{} target groups: ecsim registers a service's tasks with one", balancers.len()),
                "keep the target group the traffic you simulate goes to",
            ));
        }
        let balancer = balancers.into_iter().next();
        if balancer.as_ref().is_some_and(|b| b.load_balancer_name.is_some() && b.target_group_arn.is_none()) {
            return Err((
                "loadBalancers",
                "a Classic Load Balancer is not simulated".to_string(),
                "ecsim simulates Application Load Balancer target groups (`targetGroupArn`)",
            ));
        }
        let alternate = balancer.as_ref().and_then(|b| b.advanced_configuration.as_ref());
        let alternate_target_group = alternate.and_then(|a| a.alternate_target_group_arn.as_deref()).map(target_group);
        let deployment_configuration = self.deployment_configuration.map(|d| RawDeploymentConfiguration {
            strategy: d.strategy,
            minimum_healthy_percent: d.minimum_healthy_percent,
            maximum_percent: d.maximum_percent,
            deployment_circuit_breaker: d
                .deployment_circuit_breaker
                .map(|b| RawCircuitBreaker { enable: b.enable, rollback: b.rollback }),
            bake_time: d.bake_time_in_minutes.map(minutes),
            canary_configuration: d.canary_configuration.map(|c| RawCanaryConfiguration {
                canary_percent: c.canary_percent,
                canary_bake_time: c.canary_bake_time_in_minutes.map(minutes),
            }),
            linear_configuration: d.linear_configuration.map(|l| RawLinearConfiguration {
                step_percent: l.step_percent,
                step_bake_time: l.step_bake_time_in_minutes.map(minutes),
            }),
            alarms: d.alarms.map(|a| RawDeploymentAlarms {
                alarm_names: a.alarm_names,
                enable: a.enable,
                rollback: a.rollback,
            }),
        });
        Ok(RawService {
            import: None,
            task_definition: self.task_definition.as_deref().map(family).unwrap_or_default(),
            desired_count: self.desired_count,
            running_count: self.running_count,
            // A daemon starts a task on every instance lacking one: its pending tasks are those.
            pending_count: self.pending_count.filter(|_| self.scheduling_strategy != Some(SchedulingStrategy::Daemon)),
            scheduling_strategy: self.scheduling_strategy,
            launch_type: self.launch_type,
            capacity_provider_strategy: self.capacity_provider_strategy.map(|items| {
                items
                    .into_iter()
                    .map(|i| RawStrategyItem { capacity_provider: i.capacity_provider, base: i.base, weight: i.weight })
                    .collect()
            }),
            placement_strategy: self.placement_strategy.map(|items| {
                items.into_iter().map(|s| RawPlacementStrategy { kind: s.kind, field: s.field }).collect()
            }),
            placement_constraints: self
                .placement_constraints
                .map(|items| items.into_iter().map(PlacementConstraint::into_raw).collect()),
            deployment_configuration,
            health_check_grace_period: self.health_check_grace_period_seconds.map(super::seconds),
            availability_zone_rebalancing: self.availability_zone_rebalancing,
            load_balancer: balancer.and_then(|b| b.target_group_arn).map(|arn| target_group(&arn)),
            alternate_target_group,
            requests: None,
            autoscaling: None,
            load: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_arns() {
        assert_eq!(family("web:3"), "web");
        assert_eq!(family("arn:aws:ecs:us-east-1:123456789012:task-definition/web-frontend:42"), "web-frontend");
        assert_eq!(family("api"), "api");
        assert_eq!(
            target_group("arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-tg/6d0ecf83"),
            "web-tg"
        );
        assert_eq!(target_group("web-tg"), "web-tg");
    }

    #[test]
    fn a_misspelt_field_is_named_with_its_path_and_a_suggestion() {
        let text = "{\n  \"serviceName\": \"web\",\n  \"desiredCont\": 2\n}\n";
        let problems = parse_service(text, "web.json", "web").unwrap_err();
        assert_eq!(problems.len(), 1);
        let p = &problems[0];
        assert_eq!((p.path.as_str(), p.line), ("desiredCont", Some(3)));
        assert_eq!(p.message, "`desiredCont` is not a field of an ECS service");
        assert_eq!(p.hint.as_deref(), Some("did you mean `desiredCount`?"));
    }

    #[test]
    fn describe_output_is_picked_by_name() {
        let text = r#"{"services": [{"serviceName": "a", "desiredCount": 1}, {"serviceName": "b", "desiredCount": 5}], "failures": []}"#;
        assert_eq!(parse_service(text, "d.json", "b").unwrap().desired_count, Some(5));
        let problems = parse_service(text, "d.json", "c").unwrap_err();
        assert_eq!(problems[0].message, "the file describes 2 services, none named `c`");
        assert_eq!(problems[0].hint.as_deref(), Some("name the scenario's service after one of them: `a`, `b`"));
    }
}
