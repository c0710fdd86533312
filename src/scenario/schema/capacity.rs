//! `capacity_providers:` as written: Auto Scaling group providers, their groups (sizes, mixed
//! instances) and ECS's managed scaling, termination protection and draining settings.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{RawEnabled, RawScalingPolicies};
use crate::capacity::{PurchaseOption, SpotAllocationStrategy};
use crate::scenario::values::Scalar;

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawCapacityProvider {
    /// AWS create-capacity-provider and create-auto-scaling-group JSON files (or their describe
    /// output), relative to the scenario file; the fields written beside them replace theirs.
    pub import: Option<Vec<String>>,
    /// Required, except beside an `import:` whose files give the group.
    #[serde(default)]
    pub auto_scaling_group: RawAutoScalingGroup,
    /// Cluster auto scaling: tasks that do not fit wait in PROVISIONING for capacity, and ECS
    /// scales the group on CapacityProviderReservation.
    pub managed_scaling: Option<RawManagedScaling>,
    /// `managedTerminationProtection` (default disabled): ECS protects instances running
    /// non-daemon tasks from scale-in. Needs managed scaling.
    pub managed_termination_protection: Option<RawEnabled>,
    /// `managedDraining` (default enabled): ECS drains an instance before the group terminates it.
    pub managed_draining: Option<RawEnabled>,
}

/// `managedScaling` settings (aws-behaviour.md §5.2); `{}` takes every default.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawManagedScaling {
    /// Percent, 1-100 (default 100).
    pub target_capacity: Option<i64>,
    /// 1-10000 (default 1).
    pub minimum_scaling_step_size: Option<i64>,
    /// 1-10000 (default 10000).
    pub maximum_scaling_step_size: Option<i64>,
    /// 0-10000 s (default 300s).
    pub instance_warmup_period: Option<Scalar>,
    /// ecsim's knob, not AWS's: one-minute datapoints above target before a scale-out (default 1,
    /// the observed high alarm; UNVERIFIED).
    pub scale_out_datapoints: Option<i64>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawAutoScalingGroup {
    /// The group's single instance type; or give `mixed_instances_policy` instead.
    pub instance_type: Option<String>,
    /// Several instance types, On-Demand and Spot (instead of `instance_type`).
    pub mixed_instances_policy: Option<RawMixedInstancesPolicy>,
    /// `DesiredCapacity`: defaults to `min_size`; required without it.
    pub desired_capacity: Option<i64>,
    /// `MinSize` and `MaxSize`: without them the group has a fixed size, its desired capacity.
    pub min_size: Option<i64>,
    pub max_size: Option<i64>,
    /// `HealthCheckGracePeriod` (default 0s, as in the API).
    pub health_check_grace_period: Option<Scalar>,
    /// `DefaultInstanceWarmup`, for the group's own scaling policies (unset by default: they
    /// then warm instances up for the 300 s `DefaultCooldown`, as AWS falls back on it); 0-3600 s.
    pub default_instance_warmup: Option<Scalar>,
    /// The group's own scaling policies (target tracking, step, scheduled), for a group that ECS
    /// does not scale (no `managed_scaling`); needs `min_size` and `max_size`.
    pub scaling_policies: Option<RawScalingPolicies>,
    /// `NewInstancesProtectedFromScaleIn` (default false).
    pub new_instances_protected_from_scale_in: Option<bool>,
    /// Defaults to every zone of the cluster.
    pub availability_zones: Option<Vec<String>>,
    /// The agent's `ECS_RESERVED_MEMORY`, MiB (default 0).
    pub ecs_reserved_memory: Option<i64>,
    /// The account setting `awsvpcTrunking`: more awsvpc tasks per instance on supported types.
    pub eni_trunking: Option<bool>,
    /// Custom attributes every instance of the group registers with (for memberOf and spread).
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
    /// `on_demand` (default) or `spot`.
    pub purchase_option: Option<PurchaseOption>,
    /// The agent's `ECS_ENABLE_SPOT_INSTANCE_DRAINING` (default false): a Spot interruption
    /// notice sets the instance DRAINING.
    pub ecs_enable_spot_instance_draining: Option<bool>,
}

/// `MixedInstancesPolicy`: the types (in priority order) and `InstancesDistribution`.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawMixedInstancesPolicy {
    pub instance_types: Vec<String>,
    /// Default 0.
    pub on_demand_base_capacity: Option<i64>,
    /// 0-100 (default 100).
    pub on_demand_percentage_above_base_capacity: Option<i64>,
    pub spot_allocation_strategy: Option<SpotAllocationStrategy>,
}

impl RawAutoScalingGroup {
    /// Whether the group may run Spot instances: `purchase_option: spot`, or a mixed instances
    /// policy with less than 100 % On-Demand above its base.
    pub fn may_have_spot(&self) -> bool {
        match &self.mixed_instances_policy {
            Some(m) => m.on_demand_percentage_above_base_capacity.is_some_and(|p| p < 100),
            None => self.purchase_option == Some(PurchaseOption::Spot),
        }
    }
}
