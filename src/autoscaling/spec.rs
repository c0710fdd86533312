//! What a scenario asks of Application Auto Scaling: each service's scalable target and
//! policies, the services' synthetic `load:` profiles and the scenario's external
//! `custom_metrics:`. Built once, at validation.

use super::alarm::AlarmSpec;
use super::scheduled::ScheduledAction;
use super::step::StepPolicy;
use super::target::ScalableTarget;
use super::target_tracking::TargetTracking;
use crate::sim::ids::ServiceId;
use crate::traffic::Rate;

/// A step scaling policy with the user's alarm that invokes it.
#[derive(Clone, Debug, PartialEq)]
pub struct StepScaling {
    pub name: String,
    pub alarm: AlarmSpec,
    pub policy: StepPolicy,
}

/// `services.<name>.autoscaling`: the service's desired count as a scalable target.
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceScaling {
    pub service: ServiceId,
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

/// Everything auto scaling needs from the scenario.
#[derive(Clone, Debug, Default)]
pub struct AutoscalingSpec {
    /// `custom_metrics:`, sorted by name; `MetricName::Custom(i)` indexes this list.
    pub custom_metrics: Vec<(String, Rate)>,
    /// Services with `autoscaling:`, in service order.
    pub services: Vec<ServiceScaling>,
    /// Services with `load:`, in service order.
    pub loads: Vec<LoadProfile>,
}

impl AutoscalingSpec {
    /// Minutes of metric history the longest alarm reads.
    pub fn retention_minutes(&self) -> u64 {
        let tracking = self.services.iter().flat_map(|s| &s.target_tracking).map(|t| {
            let (high, low) = t.alarms();
            high.lookback_minutes().max(low.lookback_minutes())
        });
        let steps = self.services.iter().flat_map(|s| &s.step_scaling).map(|s| s.alarm.lookback_minutes());
        tracking.chain(steps).max().unwrap_or(1)
    }

    pub fn is_empty(&self) -> bool {
        self.services.is_empty()
    }
}
