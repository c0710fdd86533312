//! Auto scaling's part of the world: the metric store, and per scalable target its bounds, its
//! policies' alarms and cooldowns, and what it last said.

use super::alarm::{AlarmSpec, AlarmState};
use super::metric::MetricStore;
use super::scheduled::ScheduledAction;
use super::spec::{AutoscalingSpec, LoadProfile, StepScaling};
use super::target::{Blocked, Cooldowns, ScalableTarget};
use super::target_tracking::TargetTracking;
use crate::sim::ids::ServiceId;
use crate::traffic::{Rate, TrafficCounts};

/// An alarm as CloudWatch holds it: its name and last state.
#[derive(Clone, Debug)]
pub struct WatchedAlarm {
    pub name: String,
    pub spec: AlarmSpec,
    pub state: AlarmState,
}

impl WatchedAlarm {
    fn new(name: String, spec: AlarmSpec) -> Self {
        WatchedAlarm { name, spec, state: AlarmState::InsufficientData }
    }
}

#[derive(Clone, Debug)]
pub struct TrackingPolicy {
    pub spec: TargetTracking,
    pub high: WatchedAlarm,
    pub low: WatchedAlarm,
    pub cooldowns: Cooldowns,
}

#[derive(Clone, Debug)]
pub struct StepPolicyState {
    pub spec: StepScaling,
    pub alarm: WatchedAlarm,
    pub cooldowns: Cooldowns,
}

/// One service's scalable target at run time.
#[derive(Clone, Debug)]
pub struct TargetState {
    pub service: ServiceId,
    /// The resource id AWS gives it: `service/default/<name>`.
    pub resource_id: String,
    pub bounds: ScalableTarget,
    pub tracking: Vec<TrackingPolicy>,
    pub steps: Vec<StepPolicyState>,
    pub scheduled: Vec<ScheduledAction>,
    /// Why the last wish was not applied, once said (said again only when it changes).
    pub blocked: Option<Blocked>,
    /// The service's cumulative traffic counters at the previous tick (differences per minute).
    pub traffic_snapshot: TrafficCounts,
}

/// Everything auto scaling keeps during a run.
#[derive(Clone, Debug, Default)]
pub struct Autoscaling {
    pub store: MetricStore,
    /// By the order of `AutoscalingSpec::services` (service order).
    pub targets: Vec<TargetState>,
    pub loads: Vec<LoadProfile>,
    pub custom_metrics: Vec<(String, Rate)>,
    pub custom_names: Vec<String>,
    /// The run's seed: rate patterns with noise draw from it.
    pub seed: u64,
}

impl Autoscaling {
    pub fn new(spec: &AutoscalingSpec, service_names: &[&str], seed: u64) -> Self {
        let targets = spec
            .services
            .iter()
            .map(|s| {
                let name = service_names.get(s.service.index()).copied().unwrap_or("?");
                let resource_id = format!("service/default/{name}");
                let tracking = s
                    .target_tracking
                    .iter()
                    .enumerate()
                    .map(|(i, t)| {
                        let (high, low) = t.alarms();
                        let prefix = match i {
                            0 => format!("TargetTracking-{resource_id}"),
                            _ => format!("TargetTracking-{resource_id}-{}", i + 1),
                        };
                        TrackingPolicy {
                            spec: t.clone(),
                            high: WatchedAlarm::new(format!("{prefix}-AlarmHigh"), high),
                            low: WatchedAlarm::new(format!("{prefix}-AlarmLow"), low),
                            cooldowns: Cooldowns::default(),
                        }
                    })
                    .collect();
                let steps = s
                    .step_scaling
                    .iter()
                    .map(|p| StepPolicyState {
                        alarm: WatchedAlarm::new(format!("StepScaling-{resource_id}-{}", p.name), p.alarm.clone()),
                        spec: p.clone(),
                        cooldowns: Cooldowns::default(),
                    })
                    .collect();
                TargetState {
                    service: s.service,
                    resource_id,
                    bounds: s.target,
                    tracking,
                    steps,
                    scheduled: s.scheduled.clone(),
                    blocked: None,
                    traffic_snapshot: TrafficCounts::default(),
                }
            })
            .collect();
        Autoscaling {
            store: MetricStore::new(spec.retention_minutes()),
            targets,
            loads: spec.loads.clone(),
            custom_names: spec.custom_metrics.iter().map(|(n, _)| n.clone()).collect(),
            custom_metrics: spec.custom_metrics.clone(),
            seed,
        }
    }

    /// The scalable target of a service, if it has one.
    pub fn target_of(&self, service: ServiceId) -> Option<usize> {
        self.targets.iter().position(|t| t.service == service)
    }
}
