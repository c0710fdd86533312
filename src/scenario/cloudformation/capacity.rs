//! `AWS::ECS::CapacityProvider` with its `AWS::AutoScaling::AutoScalingGroup` (instance type from
//! the group's `AWS::EC2::LaunchTemplate` or `AWS::AutoScaling::LaunchConfiguration` when it has
//! no mixed instances policy), and a group no capacity provider names (its instances join the
//! cluster all the same: a provider without managed scaling, named after the group). Both go
//! through `import:`'s readers of AWS's JSON.

use serde_json::{Map, Value};

use super::shape::{ecs_api, pascal_api};
use super::template::Resource;
use super::{Entry, Mapper};
use crate::scenario::aws_json::{parse_capacity, JsonFile};

/// Group properties CloudFormation has and CreateAutoScalingGroup does not (or names otherwise).
const GROUP_ONLY_IN_CFN: &[&str] = &["NotificationConfigurations", "NotificationConfiguration", "MetricsCollection"];

impl Mapper<'_> {
    /// Every capacity provider, and every group no provider names.
    pub(super) fn capacity(&mut self, resources: &[Resource]) {
        let groups: Vec<&Resource> =
            resources.iter().filter(|r| r.kind == "AWS::AutoScaling::AutoScalingGroup").collect();
        let mut used = Vec::new();
        for cp in resources.iter().filter(|r| r.kind == "AWS::ECS::CapacityProvider") {
            let arn = cp.properties.pointer("/AutoScalingGroupProvider/AutoScalingGroupArn").and_then(Value::as_str);
            let group = arn.and_then(|a| {
                let name = a.rsplit("autoScalingGroupName/").next().unwrap_or(a);
                groups.iter().find(|g| self.name(&g.id) == name || self.logical_of(a).as_deref() == Some(&g.id))
            });
            let Some(group) = group else {
                if cp.properties.get("ManagedInstancesProvider").is_some() {
                    self.left_out.push((
                        cp.id.clone(),
                        cp.kind.clone(),
                        "ECS Managed Instances are not modelled".into(),
                    ));
                } else {
                    self.problem(
                        &cp.id,
                        "AutoScalingGroupProvider.AutoScalingGroupArn",
                        "the capacity provider's Auto Scaling group is not in the template".into(),
                        "name the group with `!Ref MyGroup`, or write the provider in the scenario by hand",
                    );
                }
                continue;
            };
            used.push(group.id.clone());
            self.provider(Some(cp), group, resources);
        }
        for group in groups.into_iter().filter(|g| !used.contains(&g.id)) {
            self.provider(None, group, resources);
        }
    }

    fn provider(&mut self, cp: Option<&Resource>, group: &Resource, resources: &[Resource]) {
        let name = cp.map_or_else(|| self.name(&group.id), |cp| self.name(&cp.id));
        let mut texts = Vec::new();
        if let Some(cp) = cp {
            let mut api = ecs_api(&cp.properties);
            if let Value::Object(m) = &mut api {
                m.insert("name".into(), Value::String(name.clone()));
                m.remove("clusterName");
            }
            texts.push((self.shown(&cp.id), serde_json::to_string_pretty(&api).expect("JSON")));
        }
        let api = group_api(&group.properties, &self.name(&group.id));
        texts.push((self.shown(&group.id), serde_json::to_string_pretty(&api).expect("JSON")));
        let files: Vec<JsonFile> = texts.iter().map(|(shown, text)| JsonFile::new(shown, text)).collect();
        let mut raw = match parse_capacity(&files, &name) {
            Ok((raw, _)) => raw,
            Err(ds) => return self.problems(&group.id, ds),
        };
        let asg = &mut raw.auto_scaling_group;
        let mut launch = None;
        if asg.instance_type.is_none() && asg.mixed_instances_policy.is_none() {
            match launch_instance_type(&group.properties, resources, |a| self.logical_of(a)) {
                Some((t, template)) => {
                    asg.instance_type = Some(t);
                    launch = Some(template);
                }
                None => self.problem(
                    &group.id,
                    "LaunchTemplate",
                    "no instance type: the group's launch template or configuration is not in the template or names none"
                        .into(),
                    "give the template's AWS::EC2::LaunchTemplate an `InstanceType`, or write \
                     `auto_scaling_group: { instance_type: ... }` in the scenario by hand",
                ),
            }
        }
        let mut entry = Entry::new(name, raw, &group.id, &group.kind);
        entry.from.extend(launch);
        if let Some(cp) = cp {
            entry.from.insert(0, (cp.id.clone(), cp.kind.clone()));
        } else {
            entry.note = Some(
                "no capacity provider names this group: its instances join the cluster without managed scaling".into(),
            );
        }
        self.out.capacity_providers.push(entry);
    }
}

/// CloudFormation's group properties as CreateAutoScalingGroup input.
fn group_api(properties: &Value, name: &str) -> Value {
    let mut m: Map<String, Value> = properties.as_object().cloned().unwrap_or_default();
    for key in GROUP_ONLY_IN_CFN {
        m.remove(*key);
    }
    if let Some(c) = m.remove("Cooldown") {
        m.insert("DefaultCooldown".into(), c);
    }
    if let Some(Value::Array(subnets)) = m.get("VPCZoneIdentifier") {
        let joined = subnets.iter().map(super::intrinsics::text).collect::<Vec<_>>().join(",");
        m.insert("VPCZoneIdentifier".into(), Value::String(joined));
    }
    m.insert("AutoScalingGroupName".into(), Value::String(name.to_string()));
    pascal_api(&Value::Object(m))
}

/// The instance type of the group's launch template (`LaunchTemplateData.InstanceType`) or
/// launch configuration (`InstanceType`), and that resource's (logical ID, type).
fn launch_instance_type(
    group: &Value,
    resources: &[Resource],
    logical_of: impl Fn(&str) -> Option<String>,
) -> Option<(String, (String, String))> {
    let find = |kind: &str, reference: Option<&str>, name_key: &str, by_name: Option<&str>| {
        resources.iter().find(|r| {
            r.kind == kind
                && (reference.is_some_and(|v| logical_of(v).as_deref() == Some(&r.id) || v == r.id)
                    || by_name.is_some_and(|n| r.properties.get(name_key).and_then(Value::as_str) == Some(n)))
        })
    };
    if let Some(lt) = group.get("LaunchTemplate") {
        let id = lt.get("LaunchTemplateId").and_then(Value::as_str);
        let name = lt.get("LaunchTemplateName").and_then(Value::as_str);
        let found = find("AWS::EC2::LaunchTemplate", id.or(name), "LaunchTemplateName", name)?;
        let t = found.properties.pointer("/LaunchTemplateData/InstanceType").and_then(Value::as_str)?;
        return Some((t.to_string(), (found.id.clone(), found.kind.clone())));
    }
    let config = group.get("LaunchConfigurationName").and_then(Value::as_str)?;
    let found = find("AWS::AutoScaling::LaunchConfiguration", Some(config), "LaunchConfigurationName", Some(config))?;
    let t = found.properties.get("InstanceType").and_then(Value::as_str)?;
    Some((t.to_string(), (found.id.clone(), found.kind.clone())))
}
