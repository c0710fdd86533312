//! ECS capacity providers and EC2 Auto Scaling groups in AWS's JSON into a scenario's capacity
//! provider: `capacity_providers: { ec2: { import: [provider.json, group.json] } }`.
//!
//! Each file is one of, by its keys: `create-capacity-provider` input or output, or
//! `describe-capacity-providers` output (`autoScalingGroupProvider`: managed scaling with AWS's
//! defaults filled in — target capacity 100 %, steps 1 and 10,000, warm-up 300 s — or none when its
//! status is `DISABLED`; managed termination protection; managed draining); and
//! `create-auto-scaling-group` input or `describe-auto-scaling-groups` output (`MinSize`,
//! `MaxSize`, `DesiredCapacity`, `MixedInstancesPolicy` with its instance type overrides and
//! instance distribution, `AvailabilityZones`, `HealthCheckGracePeriod`,
//! `DefaultInstanceWarmup`, `NewInstancesProtectedFromScaleIn`). A file listing several is
//! filtered by the provider's or group's name: the scenario's key. A launch template holds the
//! instance type AWS's group JSON does not: without a `MixedInstancesPolicy`, write
//! `auto_scaling_group: { instance_type: ... }` beside `import:`. Subnets
//! (`VPCZoneIdentifier`) name no zone: without `AvailabilityZones` the group spans every zone of
//! the scenario.

use serde::de::IgnoredAny;
use serde::Deserialize;

use super::parts::{join, problem, syntax, typed, JsonFile, JsonOrigin};
use super::seconds;
use crate::capacity::SpotAllocationStrategy;
use crate::scenario::diagnostics::Diagnostic;
use crate::scenario::schema::{
    RawAutoScalingGroup, RawCapacityProvider, RawEnabled, RawManagedScaling, RawMixedInstancesPolicy,
};

/// The capacity provider `name` (the scenario's key) read from `files`, and where its parts came
/// from (`auto_scaling_group`, `managed_scaling`, ...).
pub fn parse_capacity(
    files: &[JsonFile],
    name: &str,
) -> Result<(RawCapacityProvider, Vec<JsonOrigin>), Vec<Diagnostic>> {
    let mut provider = RawCapacityProvider::default();
    let mut origins = Vec::new();
    let mut problems = Vec::new();
    for file in files {
        match read_file(file, name, &mut provider) {
            Ok(found) => origins.extend(found),
            Err(d) => problems.push(d),
        }
    }
    if problems.is_empty() {
        Ok((provider, origins))
    } else {
        Err(problems)
    }
}

fn read_file(file: &JsonFile, name: &str, provider: &mut RawCapacityProvider) -> Result<Vec<JsonOrigin>, Diagnostic> {
    let value: serde_json::Value = serde_json::from_str(file.text).map_err(|e| syntax(file, &e))?;
    let origin = |entry: &str, json_path: &str| JsonOrigin::new(file, entry, json_path);
    let pick = |list_key: &str, name_key: &str| -> Result<(String, &serde_json::Value), Diagnostic> {
        let Some(list) = value.get(list_key).and_then(serde_json::Value::as_array) else {
            return Ok((".".into(), &value));
        };
        let named = |v: &serde_json::Value| v.get(name_key).and_then(serde_json::Value::as_str) == Some(name);
        match list.iter().position(named).or((list.len() == 1).then_some(0)) {
            Some(i) => Ok((format!("{list_key}[{i}]"), &list[i])),
            None => Err(problem(
                file,
                list_key,
                format!("none of the file's {} entries is named `{name}`", list.len()),
                Some(format!("name the scenario's capacity provider after its `{name_key}`")),
            )),
        }
    };
    if value.get("autoScalingGroupProvider").is_some()
        || value.get("capacityProviders").is_some()
        || value.get("capacityProvider").is_some()
    {
        let (path, node) = match value.get("capacityProvider") {
            Some(wrapped) => ("capacityProvider".to_string(), wrapped),
            None => pick("capacityProviders", "name")?,
        };
        let cp: CapacityProvider = typed(file, &path, node)?;
        let at = join(&path, "autoScalingGroupProvider");
        let Some(asg) = cp.auto_scaling_group_provider else {
            return Err(problem(
                file,
                &path,
                "a capacity provider without `autoScalingGroupProvider`".into(),
                Some("FARGATE and FARGATE_SPOT need no import: name them in a strategy".into()),
            ));
        };
        provider.managed_scaling = asg.managed_scaling.and_then(ManagedScaling::into_raw);
        provider.managed_termination_protection = asg.managed_termination_protection;
        provider.managed_draining = asg.managed_draining;
        Ok(vec![
            origin("managed_scaling", &join(&at, "managedScaling")),
            origin("managed_termination_protection", &join(&at, "managedTerminationProtection")),
            origin("managed_draining", &join(&at, "managedDraining")),
        ])
    } else if value.get("AutoScalingGroupName").is_some() || value.get("AutoScalingGroups").is_some() {
        let (path, node) = pick("AutoScalingGroups", "AutoScalingGroupName")?;
        let group: AutoScalingGroup = typed(file, &path, node)?;
        provider.auto_scaling_group = group.into_raw();
        Ok(vec![origin("auto_scaling_group", &path)])
    } else {
        Err(problem(
            file,
            ".",
            "not capacity provider or Auto Scaling group JSON".into(),
            Some(
                "a capacity provider's `import` file is create-capacity-provider or create-auto-scaling-group JSON \
                 (or their describe output)"
                    .into(),
            ),
        ))
    }
}

// The AWS shapes (ECS API Reference: CreateCapacityProvider, CapacityProvider,
// AutoScalingGroupProvider, ManagedScaling; EC2 Auto Scaling: CreateAutoScalingGroup,
// AutoScalingGroup, MixedInstancesPolicy, InstancesDistribution).

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CapacityProvider {
    auto_scaling_group_provider: Option<AutoScalingGroupProvider>,
    _name: Option<IgnoredAny>,
    _tags: Option<IgnoredAny>,
    _capacity_provider_arn: Option<IgnoredAny>,
    _status: Option<IgnoredAny>,
    _update_status: Option<IgnoredAny>,
    _update_status_reason: Option<IgnoredAny>,
    _cluster: Option<IgnoredAny>,
    _type: Option<IgnoredAny>,
    _managed_instances_provider: Option<IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AutoScalingGroupProvider {
    managed_scaling: Option<ManagedScaling>,
    managed_termination_protection: Option<RawEnabled>,
    managed_draining: Option<RawEnabled>,
    _auto_scaling_group_arn: Option<IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ManagedScaling {
    status: Option<RawEnabled>,
    target_capacity: Option<i64>,
    minimum_scaling_step_size: Option<i64>,
    maximum_scaling_step_size: Option<i64>,
    instance_warmup_period: Option<i64>,
}

impl ManagedScaling {
    /// AWS's defaults where the JSON is silent (ecsim's are the same); `None` when disabled.
    fn into_raw(self) -> Option<RawManagedScaling> {
        (self.status != Some(RawEnabled::Disabled)).then(|| RawManagedScaling {
            target_capacity: Some(self.target_capacity.unwrap_or(100)),
            minimum_scaling_step_size: Some(self.minimum_scaling_step_size.unwrap_or(1)),
            maximum_scaling_step_size: Some(self.maximum_scaling_step_size.unwrap_or(10_000)),
            instance_warmup_period: Some(seconds(self.instance_warmup_period.unwrap_or(300))),
            scale_out_datapoints: None,
        })
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct AutoScalingGroup {
    min_size: Option<i64>,
    max_size: Option<i64>,
    desired_capacity: Option<i64>,
    mixed_instances_policy: Option<MixedInstancesPolicy>,
    availability_zones: Option<Vec<String>>,
    health_check_grace_period: Option<i64>,
    default_instance_warmup: Option<i64>,
    new_instances_protected_from_scale_in: Option<bool>,
    _auto_scaling_group_name: Option<IgnoredAny>,
    _launch_template: Option<IgnoredAny>,
    _launch_configuration_name: Option<IgnoredAny>,
    _instance_id: Option<IgnoredAny>,
    _default_cooldown: Option<IgnoredAny>,
    _load_balancer_names: Option<IgnoredAny>,
    #[serde(rename = "TargetGroupARNs")]
    _target_group_arns: Option<IgnoredAny>,
    _health_check_type: Option<IgnoredAny>,
    #[serde(rename = "VPCZoneIdentifier")]
    _vpc_zone_identifier: Option<IgnoredAny>,
    _termination_policies: Option<IgnoredAny>,
    _capacity_rebalance: Option<IgnoredAny>,
    _lifecycle_hook_specification_list: Option<IgnoredAny>,
    _tags: Option<IgnoredAny>,
    #[serde(rename = "ServiceLinkedRoleARN")]
    _service_linked_role_arn: Option<IgnoredAny>,
    _max_instance_lifetime: Option<IgnoredAny>,
    _context: Option<IgnoredAny>,
    _desired_capacity_type: Option<IgnoredAny>,
    _traffic_sources: Option<IgnoredAny>,
    _instance_maintenance_policy: Option<IgnoredAny>,
    _availability_zone_distribution: Option<IgnoredAny>,
    _availability_zone_impairment_policy: Option<IgnoredAny>,
    _skip_zonal_shift_validation: Option<IgnoredAny>,
    _capacity_reservation_specification: Option<IgnoredAny>,
    _placement_group: Option<IgnoredAny>,
    // describe-auto-scaling-groups output only.
    #[serde(rename = "AutoScalingGroupARN")]
    _auto_scaling_group_arn: Option<IgnoredAny>,
    _instances: Option<IgnoredAny>,
    _created_time: Option<IgnoredAny>,
    _suspended_processes: Option<IgnoredAny>,
    _enabled_metrics: Option<IgnoredAny>,
    _status: Option<IgnoredAny>,
    _warm_pool_configuration: Option<IgnoredAny>,
    _warm_pool_size: Option<IgnoredAny>,
    _predicted_capacity: Option<IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct MixedInstancesPolicy {
    launch_template: Option<MixedLaunchTemplate>,
    instances_distribution: Option<InstancesDistribution>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct MixedLaunchTemplate {
    #[serde(default)]
    overrides: Vec<Override>,
    _launch_template_specification: Option<IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct Override {
    instance_type: Option<String>,
    _weighted_capacity: Option<IgnoredAny>,
    _launch_template_specification: Option<IgnoredAny>,
    _instance_requirements: Option<IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct InstancesDistribution {
    on_demand_base_capacity: Option<i64>,
    on_demand_percentage_above_base_capacity: Option<i64>,
    spot_allocation_strategy: Option<SpotStrategy>,
    _on_demand_allocation_strategy: Option<IgnoredAny>,
    _spot_instance_pools: Option<IgnoredAny>,
    _spot_max_price: Option<IgnoredAny>,
}

impl AutoScalingGroup {
    fn into_raw(self) -> RawAutoScalingGroup {
        let mixed = self.mixed_instances_policy.map(|m| {
            let distribution = m.instances_distribution;
            RawMixedInstancesPolicy {
                instance_types: m
                    .launch_template
                    .into_iter()
                    .flat_map(|t| t.overrides)
                    .filter_map(|o| o.instance_type)
                    .collect(),
                on_demand_base_capacity: distribution.as_ref().and_then(|d| d.on_demand_base_capacity),
                on_demand_percentage_above_base_capacity: distribution
                    .as_ref()
                    .and_then(|d| d.on_demand_percentage_above_base_capacity),
                spot_allocation_strategy: distribution
                    .and_then(|d| d.spot_allocation_strategy)
                    .map(SpotStrategy::into_raw),
            }
        });
        RawAutoScalingGroup {
            instance_type: None,
            mixed_instances_policy: mixed,
            desired_capacity: self.desired_capacity,
            min_size: self.min_size,
            max_size: self.max_size,
            health_check_grace_period: self.health_check_grace_period.map(seconds),
            default_instance_warmup: self.default_instance_warmup.map(seconds),
            new_instances_protected_from_scale_in: self.new_instances_protected_from_scale_in,
            availability_zones: self.availability_zones,
            ..RawAutoScalingGroup::default()
        }
    }
}

/// AWS's Spot allocation strategies.
#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
enum SpotStrategy {
    PriceCapacityOptimized,
    CapacityOptimized,
    CapacityOptimizedPrioritized,
    LowestPrice,
}

impl SpotStrategy {
    /// ecsim's: its capacity-optimized already prefers the earlier listed types.
    fn into_raw(self) -> SpotAllocationStrategy {
        match self {
            SpotStrategy::PriceCapacityOptimized => SpotAllocationStrategy::PriceCapacityOptimized,
            SpotStrategy::CapacityOptimized | SpotStrategy::CapacityOptimizedPrioritized => {
                SpotAllocationStrategy::CapacityOptimized
            }
            SpotStrategy::LowestPrice => SpotAllocationStrategy::LowestPrice,
        }
    }
}
