//! A service's `AWS::ApplicationAutoScaling::ScalableTarget` (its bounds and `ScheduledActions`),
//! the `AWS::ApplicationAutoScaling::ScalingPolicy`s on it (by `ScalingTargetId` or by
//! `ResourceId`) and the `AWS::CloudWatch::Alarm`s whose `AlarmActions` name a step policy, read
//! by `autoscaling: { import: ... }`'s reader into the service's `autoscaling:`. A target's
//! service is the last part of its `ResourceId` (`service/cluster/web`).

use serde_json::{Map, Value};

use super::shape::pascal_api;
use super::template::Resource;
use super::Mapper;
use crate::scenario::aws_json::{parse_scaling, JsonFile};

impl Mapper<'_> {
    /// Every ECS scalable target's policies, onto the services already mapped.
    pub(super) fn scaling(&mut self, resources: &[Resource]) {
        let of = |kind: &'static str| resources.iter().filter(move |r| r.kind == kind);
        for target in of("AWS::ApplicationAutoScaling::ScalableTarget") {
            let p = &target.properties;
            let resource_id = p.get("ResourceId").and_then(Value::as_str).unwrap_or_default().to_string();
            if p.get("ServiceNamespace").and_then(Value::as_str) != Some("ecs") {
                let why = "not an ECS service's desired count: ecsim scales only services' tasks (Application Auto \
                           Scaling of other resources is not modelled)";
                self.left_out.push((target.id.clone(), target.kind.clone(), why.into()));
                continue;
            }
            let service = resource_id.rsplit('/').next().unwrap_or_default().to_string();
            if !self.out.services.iter().any(|s| s.key == service) {
                self.problem(
                    &target.id,
                    "ResourceId",
                    format!("`{resource_id}` names service `{service}`, which is not a service of the template"),
                    "write `!Sub service/${Cluster}/${Service.Name}` so it names the template's service",
                );
                continue;
            }
            let mut files: Vec<(String, String, String)> = Vec::new(); // (shown, text, template path)
            let mut bounds: Map<String, Value> = p.as_object().cloned().unwrap_or_default();
            let scheduled = bounds.remove("ScheduledActions");
            let base = format!("Resources.{}.Properties", target.id);
            files.push((self.shown(&target.id), json(&pascal_api(&Value::Object(bounds))), base.clone()));
            let common = |m: &mut Map<String, Value>| {
                for key in ["ServiceNamespace", "ResourceId", "ScalableDimension"] {
                    if let Some(v) = p.get(key) {
                        m.insert(key.into(), v.clone());
                    }
                }
            };
            for (i, action) in scheduled.as_ref().and_then(Value::as_array).into_iter().flatten().enumerate() {
                let mut m = action.as_object().cloned().unwrap_or_default();
                common(&mut m);
                let shown = format!("{}.ScheduledActions[{i}].json", target.id);
                files.push((shown, json(&pascal_api(&Value::Object(m))), format!("{base}.ScheduledActions[{i}]")));
            }
            let mut policies = Vec::new();
            let mut from = vec![(target.id.clone(), target.kind.clone())];
            for policy in of("AWS::ApplicationAutoScaling::ScalingPolicy") {
                let mut m = policy.properties.as_object().cloned().unwrap_or_default();
                let by_target = m.remove("ScalingTargetId").and_then(|v| v.as_str().map(str::to_string));
                let mine = match &by_target {
                    Some(t) => self.logical_of(t).as_deref() == Some(&target.id) || *t == target.id,
                    None => m.get("ResourceId").and_then(Value::as_str) == Some(&resource_id),
                };
                if !mine {
                    continue;
                }
                common(&mut m);
                policies.push(self.names.reference(&policy.id).unwrap_or_default());
                from.push((policy.id.clone(), policy.kind.clone()));
                let base = format!("Resources.{}.Properties", policy.id);
                files.push((self.shown(&policy.id), json(&pascal_api(&Value::Object(m))), base));
            }
            for alarm in of("AWS::CloudWatch::Alarm") {
                let actions = alarm.properties.get("AlarmActions").and_then(Value::as_array);
                let names_policy =
                    actions.into_iter().flatten().any(|a| a.as_str().is_some_and(|a| policies.iter().any(|p| p == a)));
                if names_policy {
                    from.push((alarm.id.clone(), alarm.kind.clone()));
                    let base = format!("Resources.{}.Properties", alarm.id);
                    files.push((self.shown(&alarm.id), json(&pascal_api(&alarm.properties)), base));
                }
            }
            for (shown, _, base) in &files {
                self.bases.insert(shown.clone(), (base.clone(), false));
            }
            let parts: Vec<JsonFile> = files.iter().map(|(shown, text, _)| JsonFile::new(shown, text)).collect();
            match parse_scaling(&parts, &service) {
                Ok((raw, _)) => {
                    let entry = self.out.services.iter_mut().find(|s| s.key == service).expect("checked above");
                    entry.value.autoscaling = Some(raw);
                    entry.from.extend(from);
                }
                Err(ds) => self.problems(&target.id, ds),
            }
        }
    }
}

fn json(v: &Value) -> String {
    serde_json::to_string_pretty(v).expect("JSON values serialise")
}
