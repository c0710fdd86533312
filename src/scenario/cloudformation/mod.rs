//! `ecsim import cloudformation TEMPLATE`: a CloudFormation template (YAML with its short forms
//! `!Ref`/`!Sub`/`!GetAtt`..., or JSON) into a scenario, written as YAML with comments that name
//! where each part came from and what was left out and why.
//!
//! The template is evaluated as a stack creation would ([`template`], [`intrinsics`], [`names`]);
//! each resource's properties are then put in the AWS API's JSON shape ([`shape`]) and read by the
//! same readers as `import:` ([`crate::scenario::aws_json`]), so a CloudFormation service maps,
//! accepts and refuses exactly what its `create-service` JSON would:
//! - `AWS::ECS::TaskDefinition` → `task_definitions` (by `Family`), `AWS::ECS::Service` →
//!   `services` (by `ServiceName`), their target groups (`AWS::ElasticLoadBalancingV2::TargetGroup`,
//!   under the `LoadBalancer` whose `Listener` forwards to them) → `load_balancers` ([`ecs`]);
//! - `AWS::ECS::CapacityProvider` with its `AWS::AutoScaling::AutoScalingGroup` (the instance
//!   type from its launch template) → `capacity_providers` ([`capacity`]); the cluster's
//!   `DefaultCapacityProviderStrategy` (`AWS::ECS::ClusterCapacityProviderAssociations` or
//!   `AWS::ECS::Cluster`) → `default_capacity_provider_strategy`;
//! - `AWS::ApplicationAutoScaling::ScalableTarget`/`ScalingPolicy` and the `AWS::CloudWatch::Alarm`s
//!   of step policies → the service's `autoscaling` ([`scaling`]).
//!
//! Every other resource is listed as left out, with the reason. What the template cannot say (how
//! long to simulate, the traffic) is written with a comment saying so.

use std::collections::BTreeMap;

use crate::scenario::diagnostics::{Diagnostic, ScenarioError};
use crate::scenario::schema::{RawCapacityProvider, RawLoadBalancer, RawService, RawStrategyItem, RawTaskDefinition};
use crate::scenario::source_map::SourceMap;

mod capacity;
mod ecs;
mod emit;
mod intrinsics;
mod names;
mod scaling;
mod shape;
mod template;

use names::Names;
use shape::Locator;
use template::Template;

/// What `ecsim import cloudformation` needs besides the template.
pub struct ImportOptions<'a> {
    /// The template's name in messages and comments.
    pub file: &'a str,
    /// The stack's name (`AWS::StackName`, the scenario's `name`).
    pub stack: &'a str,
    /// `--param K=V`, in order.
    pub params: &'a [(String, String)],
}

/// The scenario written from `text` (a CloudFormation template), or every problem of the template.
pub fn import_template(text: &str, options: &ImportOptions) -> Result<String, ScenarioError> {
    let error = |ds: Vec<Diagnostic>| ScenarioError::new(options.file, ds);
    let doc: serde_yaml::Value = serde_yaml::from_str(text).map_err(|e| {
        let line = e.location().map(|l| l.line());
        let message = crate::scenario::load::without_first_position(&e.to_string());
        error(vec![Diagnostic {
            file: None,
            path: ".".into(),
            line,
            message,
            hint: Some("YAML or JSON syntax".into()),
        }])
    })?;
    let map = SourceMap::parse(text);
    let locator = Locator { template: options.file, map: &map };
    let region = options.params.iter().find(|(k, _)| k == "AWS::Region").map_or("us-east-1", |(_, v)| v.as_str());
    let template = template::evaluate(&doc, options.stack, options.params, region).map_err(|problems| {
        error(
            problems
                .into_iter()
                .map(|(path, message, hint)| Diagnostic { file: None, line: locator.line(&path), path, message, hint })
                .collect(),
        )
    })?;
    let mut mapper = Mapper::new(&template.names, &locator);
    mapper.map(&template);
    if !mapper.diagnostics.is_empty() {
        return Err(error(mapper.diagnostics));
    }
    Ok(emit::scenario(&template, &mapper, options, &map))
}

/// A part of the scenario and the resources it came from.
pub struct Entry<T> {
    pub key: String,
    pub value: T,
    /// (logical ID, type) of each resource it was made from.
    pub from: Vec<(String, String)>,
    /// What a reader should know about it.
    pub note: Option<String>,
}

impl<T> Entry<T> {
    fn new(key: String, value: T, id: &str, kind: &str) -> Self {
        let from = if id.is_empty() { Vec::new() } else { vec![(id.to_string(), kind.to_string())] };
        Entry { key, value, from, note: None }
    }
}

/// The scenario's parts, in the template's order.
#[derive(Default)]
pub struct Imported {
    pub task_definitions: Vec<Entry<RawTaskDefinition>>,
    pub capacity_providers: Vec<Entry<RawCapacityProvider>>,
    pub default_strategy: Option<Entry<Vec<RawStrategyItem>>>,
    pub load_balancers: Vec<Entry<RawLoadBalancer>>,
    pub services: Vec<Entry<RawService>>,
}

/// Maps resources onto the scenario, collecting problems at their template paths.
pub struct Mapper<'a> {
    names: &'a Names,
    locator: &'a Locator<'a>,
    out: Imported,
    /// (logical ID, type, why) of every resource the scenario leaves out.
    left_out: Vec<(String, String, String)>,
    diagnostics: Vec<Diagnostic>,
    /// The API JSON's name in diagnostics → its place in the template, and whether that JSON is
    /// ECS's camelCase (then its names are the template's with a small first letter).
    bases: BTreeMap<String, (String, bool)>,
    /// A resource's `Ref` value → its logical ID.
    by_reference: BTreeMap<String, String>,
}

impl<'a> Mapper<'a> {
    fn new(names: &'a Names, locator: &'a Locator<'a>) -> Self {
        let by_reference = names.resources.keys().filter_map(|id| Some((names.reference(id)?, id.clone()))).collect();
        Mapper {
            names,
            locator,
            out: Imported::default(),
            left_out: Vec::new(),
            diagnostics: Vec::new(),
            bases: BTreeMap::new(),
            by_reference,
        }
    }

    fn map(&mut self, template: &Template) {
        let resources = &template.resources;
        let listeners = ecs::listeners(resources, |v| self.logical_of(v));
        for r in resources {
            match r.kind.as_str() {
                "AWS::ECS::TaskDefinition" => self.task_definition(r),
                "AWS::ECS::Service" => self.service(r),
                "AWS::ECS::Cluster" | "AWS::ECS::ClusterCapacityProviderAssociations" => self.default_strategy(r),
                "AWS::ElasticLoadBalancingV2::TargetGroup" => self.target_group(r, &listeners),
                _ => {}
            }
        }
        self.capacity(resources);
        self.scaling(resources);
        // An alarm is used when a service's scaling was read with it.
        let used: Vec<String> = self.out.services.iter().flat_map(|s| &s.from).map(|(id, _)| id.clone()).collect();
        for r in resources {
            let why = match r.kind.as_str() {
                "AWS::ECS::TaskDefinition"
                | "AWS::ECS::Service"
                | "AWS::ECS::Cluster"
                | "AWS::ECS::ClusterCapacityProviderAssociations"
                | "AWS::ECS::CapacityProvider"
                | "AWS::ElasticLoadBalancingV2::TargetGroup"
                | "AWS::ElasticLoadBalancingV2::LoadBalancer"
                | "AWS::ElasticLoadBalancingV2::Listener"
                | "AWS::ElasticLoadBalancingV2::ListenerRule"
                | "AWS::AutoScaling::AutoScalingGroup"
                | "AWS::AutoScaling::LaunchConfiguration"
                | "AWS::EC2::LaunchTemplate"
                | "AWS::ApplicationAutoScaling::ScalableTarget"
                | "AWS::ApplicationAutoScaling::ScalingPolicy" => continue,
                "AWS::CloudWatch::Alarm" if used.contains(&r.id) => continue,
                "AWS::CloudWatch::Alarm" => "no scaling policy of the template acts on it".to_string(),
                kind => left_out_reason(kind),
            };
            if !self.left_out.iter().any(|(id, _, _)| *id == r.id) {
                self.left_out.push((r.id.clone(), r.kind.clone(), why));
            }
        }
    }

    /// The physical name of resource `id`.
    fn name(&self, id: &str) -> String {
        self.names.resources.get(id).map_or_else(|| id.to_string(), |r| r.name.clone())
    }

    /// The logical ID of the resource a resolved `Ref` value (an ARN or a name) stands for.
    fn logical_of(&self, value: &str) -> Option<String> {
        self.by_reference.get(value).cloned()
    }

    /// The name given to resource `id`'s API JSON in diagnostics (then placed in the template).
    fn shown(&mut self, id: &str) -> String {
        let shown = format!("{id}.json");
        let base = (format!("Resources.{id}.Properties"), self.camel_case(id));
        self.bases.entry(shown.clone()).or_insert(base);
        shown
    }

    /// Whether resource `id`'s API JSON is ECS's camelCase (Auto Scaling, Application Auto
    /// Scaling and CloudWatch share CloudFormation's PascalCase).
    fn camel_case(&self, id: &str) -> bool {
        self.names.resources.get(id).is_some_and(|r| r.kind.starts_with("AWS::ECS::"))
    }

    /// The API readers' problems (of resource `id`'s JSON or of the files read with it), at
    /// their template paths and in the template's names.
    fn problems(&mut self, id: &str, ds: Vec<Diagnostic>) {
        for d in ds {
            let found = d.file.as_ref().and_then(|f| self.bases.get(f)).cloned();
            let (base, ecs) = found.unwrap_or_else(|| (format!("Resources.{id}.Properties"), self.camel_case(id)));
            self.diagnostics.push(self.locator.place(&base, ecs, d));
        }
    }

    /// A problem at `path` under resource `id`'s properties.
    fn problem(&mut self, id: &str, path: &str, message: String, hint: &str) {
        let path = format!("Resources.{id}.Properties.{path}");
        let line = self.locator.line(&path);
        self.diagnostics.push(Diagnostic { file: None, path, line, message, hint: Some(hint.to_string()) });
    }
}

/// Why a resource of `kind` is not in the scenario.
fn left_out_reason(kind: &str) -> String {
    let family = kind.split("::").nth(1).unwrap_or_default();
    match (family, kind) {
        (_, "AWS::ElasticLoadBalancing::LoadBalancer") => "Classic Load Balancers are not modelled".into(),
        (_, "AWS::ECS::TaskSet" | "AWS::ECS::PrimaryTaskSet") => {
            "task sets of an external deployment controller are not modelled".into()
        }
        ("EC2", _) => "networking is not modelled: tasks, instances and the load balancer reach each other".into(),
        ("IAM", _) => "permissions are not modelled".into(),
        ("Logs", _) => "logs are not modelled".into(),
        ("ServiceDiscovery" | "Route53", _) => "DNS and service discovery are not modelled".into(),
        ("ECR", _) => {
            "registries are not modelled: an image's pull time comes from `image_size_mb` and `timing`".into()
        }
        ("SSM" | "SecretsManager" | "KMS", _) => "secrets and parameters are not modelled".into(),
        ("SNS" | "SQS" | "Events" | "Lambda", _) => "resources outside the cluster are not modelled".into(),
        _ => format!("ecsim does not model `{kind}`"),
    }
}
