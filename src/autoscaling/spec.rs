//! What a scenario asks of auto scaling: each scalable target (a service's desired count, an
//! Auto Scaling group's desired capacity) and its policies, the services' synthetic `load:`
//! profiles and the scenario's external `custom_metrics:`. Built once, at validation.

use super::alarm::AlarmSpec;
use super::scheduled::ScheduledAction;
use super::step::StepPolicy;
use super::target::ScalableTarget;
use super::target_tracking::TargetTracking;
use crate::ids::{ProviderId, ServiceId};
use crate::traffic::Rate;

/// A step scaling policy with the user's alarm that invokes it.
#[derive(Clone, Debug, PartialEq)]
pub struct StepScaling {
    pub name: String,
    pub alarm: AlarmSpec,
    pub policy: StepPolicy,
    /// An EC2 Auto Scaling *simple* scaling policy (aws-behaviour.md §8): one adjustment whatever
    /// the breach (a single open step), and after any simple-scaling activity the group waits
    /// out the policy's cooldown (`DefaultCooldown`, 300 s, unless the policy sets its own)
    /// before any simple policy of the group acts again, in either direction.
    pub simple: bool,
}

/// What a scalable target scales: Application Auto Scaling's `ecs:service:DesiredCount`, or an
/// EC2 Auto Scaling group's own `DesiredCapacity` (its user's policies, not ECS's managed
/// scaling).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scalable {
    Service(ServiceId),
    Group(ProviderId),
}

/// `services.<name>.autoscaling`, or `capacity_providers.<name>.auto_scaling_group.scaling_policies`
/// (whose bounds are the group's `min_size` and `max_size`).
#[derive(Clone, Debug, PartialEq)]
pub struct TargetScaling {
    pub scalable: Scalable,
    pub target: ScalableTarget,
    pub target_tracking: Vec<TargetTracking>,
    pub step_scaling: Vec<StepScaling>,
    pub scheduled: Vec<ScheduledAction>,
}

/// `services.<name>.load`: the service's total demand at each instant, for services without
/// traffic. Spread evenly over its RUNNING tasks, it gives CPUUtilization and MemoryUtilization.
#[derive(Clone, Debug)]
pub struct LoadProfile {
    pub service: ServiceId,
    /// CPU units demanded (1024 = one vCPU busy).
    pub cpu: Option<Rate>,
    /// MiB in use.
    pub memory: Option<Rate>,
}

/// One of the scenario's own `alarms:`: a CloudWatch alarm on a service's metric that no
/// scaling policy owns; deployments watch it (`deploymentConfiguration.alarms`).
#[derive(Clone, Debug, PartialEq)]
pub struct NamedAlarm {
    pub name: String,
    pub service: ServiceId,
    pub spec: AlarmSpec,
}

/// Everything auto scaling needs from the scenario.
#[derive(Clone, Debug, Default)]
pub struct AutoscalingSpec {
    /// `custom_metrics:`, sorted by name; `MetricName::Custom(i)` indexes this list.
    pub custom_metrics: Vec<(String, Rate)>,
    /// Services with `autoscaling:`, in service order, then groups with `scaling_policies:`, in
    /// provider order: the order in which targets decide each minute.
    pub targets: Vec<TargetScaling>,
    /// Services with `load:`, in service order.
    pub loads: Vec<LoadProfile>,
    /// `alarms:`, sorted by name; an `AlarmId` indexes this list.
    pub alarms: Vec<NamedAlarm>,
}

impl AutoscalingSpec {
    /// Minutes of metric history the longest alarm reads.
    pub fn retention_minutes(&self) -> u64 {
        self.alarms().map(|a| a.lookback_minutes()).max().unwrap_or(1)
    }

    /// Every alarm of every policy (target tracking's two each), then the named ones.
    pub fn alarms(&self) -> impl Iterator<Item = AlarmSpec> + '_ {
        let tracking = self.targets.iter().flat_map(|s| &s.target_tracking).flat_map(|t| {
            let (high, low) = t.alarms();
            [high, low]
        });
        let steps = self.targets.iter().flat_map(|s| &s.step_scaling).map(|s| s.alarm.clone());
        tracking.chain(steps).chain(self.alarms.iter().map(|a| a.spec.clone()))
    }

    pub fn is_empty(&self) -> bool {
        self.targets.is_empty() && self.alarms.is_empty()
    }
}
