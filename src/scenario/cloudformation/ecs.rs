//! `AWS::ECS::TaskDefinition`, `AWS::ECS::Service`, the cluster's default capacity provider
//! strategy (`AWS::ECS::ClusterCapacityProviderAssociations`, or the `AWS::ECS::Cluster`'s own
//! `DefaultCapacityProviderStrategy`) and `AWS::ElasticLoadBalancingV2::TargetGroup`s (with the
//! load balancer whose listener forwards to them) into the scenario's raw form. Task definitions
//! and services go through the same readers as `import:` of AWS's JSON, so what they map, accept
//! and refuse is the same.

use std::collections::BTreeMap;

use serde_json::Value;

use super::shape::ecs_api;
use super::template::Resource;
use super::{Entry, Mapper};
use crate::scenario::aws_json::{parse_service, parse_task_definition};
use crate::scenario::schema::{RawLoadBalancer, RawStrategyItem, RawTargetGroup, RawTargetHealthCheck};
use crate::scenario::values::Scalar;

impl Mapper<'_> {
    pub(super) fn task_definition(&mut self, r: &Resource) {
        let mut api = ecs_api(&r.properties);
        let family = self.name(&r.id);
        if let Value::Object(m) = &mut api {
            m.entry("family").or_insert_with(|| Value::String(family.clone()));
            // The API's task-level sizes are strings ("256", "0.5 vCPU").
            for key in ["cpu", "memory"] {
                if let Some(v @ Value::Number(_)) = m.get(key) {
                    let text = v.to_string();
                    m.insert(key.to_string(), Value::String(text));
                }
            }
        }
        let text = serde_json::to_string_pretty(&api).expect("JSON values serialise");
        match parse_task_definition(&text, &self.shown(&r.id)) {
            Ok(raw) => self.out.task_definitions.push(Entry::new(family, raw, &r.id, &r.kind)),
            Err(ds) => self.problems(&r.id, ds),
        }
    }

    pub(super) fn service(&mut self, r: &Resource) {
        let api = ecs_api(&r.properties);
        let name = self.name(&r.id);
        let text = serde_json::to_string_pretty(&api).expect("JSON values serialise");
        match parse_service(&text, &self.shown(&r.id), &name) {
            Ok(raw) => self.out.services.push(Entry::new(name, raw, &r.id, &r.kind)),
            Err(ds) => self.problems(&r.id, ds),
        }
    }

    /// A `DefaultCapacityProviderStrategy` of a cluster or of its associations.
    pub(super) fn default_strategy(&mut self, r: &Resource) {
        let Some(items) = r.properties.get("DefaultCapacityProviderStrategy").and_then(Value::as_array) else {
            return;
        };
        let mut strategy = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let field = |k: &str| item.get(k).and_then(|v| v.as_i64().or_else(|| v.as_str()?.parse().ok()));
            match item.get("CapacityProvider").and_then(Value::as_str) {
                Some(p) => strategy.push(RawStrategyItem {
                    capacity_provider: p.to_string(),
                    base: field("Base"),
                    weight: field("Weight"),
                }),
                None => self.problem(
                    &r.id,
                    &format!("DefaultCapacityProviderStrategy[{i}]"),
                    "a strategy item without `CapacityProvider`".into(),
                    "name the provider: `CapacityProvider: FARGATE` or `!Ref MyProvider`",
                ),
            }
        }
        if !strategy.is_empty() {
            self.out.default_strategy =
                Some(Entry::new("default_capacity_provider_strategy".into(), strategy, &r.id, &r.kind));
        }
    }

    /// A target group, under the load balancer a listener forwards to it from (`listeners`:
    /// target group logical ID → load balancer logical ID).
    pub(super) fn target_group(&mut self, r: &Resource, listeners: &BTreeMap<String, String>) {
        let p = &r.properties;
        let get = |k: &str| p.get(k).map(super::intrinsics::text).filter(|s| !s.is_empty());
        let seconds = |k: &str| get(k).map(|s| Scalar(format!("{s}s")));
        let count = |k: &str| get(k).and_then(|s| s.parse::<i64>().ok());
        if let Some(kind) = get("TargetType").filter(|t| t != "ip" && t != "instance") {
            self.left_out.push((
                r.id.clone(),
                r.kind.clone(),
                format!("a `{kind}` target group: ECS registers tasks only as `ip` or `instance` targets"),
            ));
            return;
        }
        let attributes: BTreeMap<String, String> = p
            .get("TargetGroupAttributes")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|a| Some((a.get("Key")?.as_str()?.to_string(), super::intrinsics::text(a.get("Value")?))))
            .collect();
        let attribute = |k: &str| attributes.get(k).cloned();
        let health_check = RawTargetHealthCheck {
            interval: seconds("HealthCheckIntervalSeconds"),
            timeout: seconds("HealthCheckTimeoutSeconds"),
            healthy_threshold: count("HealthyThresholdCount"),
            unhealthy_threshold: count("UnhealthyThresholdCount"),
            initial_checks: None,
            matcher: p.get("Matcher").and_then(|m| m.get("HttpCode")).map(|c| Scalar(super::intrinsics::text(c))),
            path: get("HealthCheckPath"),
            port: get("HealthCheckPort").map(Scalar),
        };
        let algorithm = match attribute("load_balancing.algorithm.type") {
            None => None,
            Some(a) => match serde_json::from_value(Value::String(a.clone())) {
                Ok(algorithm) => Some(algorithm),
                Err(_) => {
                    let hint = "ecsim routes by `round_robin`, `least_outstanding_requests` or `weighted_random`";
                    let message = format!("`{a}` is not a load balancing algorithm ecsim simulates");
                    return self.problem(&r.id, "TargetGroupAttributes", message, hint);
                }
            },
        };
        let group = RawTargetGroup {
            weight: None,
            algorithm,
            slow_start: attribute("slow_start.duration_seconds").map(|s| Scalar(format!("{s}s"))),
            deregistration_delay: attribute("deregistration_delay.timeout_seconds").map(|s| Scalar(format!("{s}s"))),
            cross_zone: attribute("load_balancing.cross_zone.enabled").map(|v| v == "true"),
            health_check: Some(health_check),
            target_group_health: None,
            stickiness: None,
        };
        let balancer = listeners.get(&r.id).map_or_else(|| "alb".to_string(), |lb| self.name(lb));
        let tg = self.name(&r.id);
        let entry = match self.out.load_balancers.iter_mut().find(|e| e.key == balancer) {
            Some(e) => e,
            None => {
                let lb = RawLoadBalancer { idle_timeout: None, target_groups: BTreeMap::new() };
                let from = listeners.get(&r.id).cloned().unwrap_or_default();
                self.out.load_balancers.push(Entry::new(
                    balancer.clone(),
                    lb,
                    &from,
                    "AWS::ElasticLoadBalancingV2::LoadBalancer",
                ));
                self.out.load_balancers.last_mut().expect("just pushed")
            }
        };
        entry.value.target_groups.insert(tg, group);
        entry.from.push((r.id.clone(), r.kind.clone()));
    }
}

/// Target group logical ID → the load balancer logical ID of a listener (or a listener rule's
/// listener) that forwards to it.
pub(super) fn listeners(
    resources: &[Resource],
    logical_of: impl Fn(&str) -> Option<String>,
) -> BTreeMap<String, String> {
    let mut lb_of_listener = BTreeMap::new();
    for r in resources.iter().filter(|r| r.kind == "AWS::ElasticLoadBalancingV2::Listener") {
        if let Some(lb) = r.properties.get("LoadBalancerArn").and_then(Value::as_str).and_then(&logical_of) {
            lb_of_listener.insert(r.id.clone(), lb);
        }
    }
    let mut out = BTreeMap::new();
    for r in resources {
        let (actions, listener) = match r.kind.as_str() {
            "AWS::ElasticLoadBalancingV2::Listener" => ("DefaultActions", Some(r.id.clone())),
            "AWS::ElasticLoadBalancingV2::ListenerRule" => {
                ("Actions", r.properties.get("ListenerArn").and_then(Value::as_str).and_then(&logical_of))
            }
            _ => continue,
        };
        let Some(lb) = listener.and_then(|l| lb_of_listener.get(&l).cloned()) else { continue };
        for action in r.properties.get(actions).and_then(Value::as_array).into_iter().flatten() {
            let mut arns: Vec<&str> = action.get("TargetGroupArn").and_then(Value::as_str).into_iter().collect();
            let forwarded = action.get("ForwardConfig").and_then(|f| f.get("TargetGroups")).and_then(Value::as_array);
            arns.extend(forwarded.into_iter().flatten().filter_map(|t| t.get("TargetGroupArn")?.as_str()));
            for arn in arns {
                if let Some(tg) = logical_of(arn) {
                    out.entry(tg).or_insert_with(|| lb.clone());
                }
            }
        }
    }
    out
}
