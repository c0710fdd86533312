//! Auto scaling's part of the world: the metric store, and per scalable target its bounds, its
//! policies' alarms and cooldowns, and what it last said.

use std::collections::{BTreeMap, BTreeSet};

use super::alarm::{AlarmSpec, AlarmState, Evaluation};
use super::metric::{MetricKey, MetricStore};
use super::scheduled::ScheduledAction;
use super::spec::{AutoscalingSpec, LoadProfile, Scalable, StepScaling};
use super::target::{Blocked, Cooldowns, ScalableTarget};
use super::target_tracking::TargetTracking;
use crate::ids::ServiceId;
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

    /// ECS-like wording of the alarm moving to `eval`'s state, its datapoints written with
    /// `decimals` digits: "alarm X changed from OK to ALARM: CPUUtilization [81.2, 90.0] > 60 (2
    /// of 2 datapoints breaching, 2 needed)".
    pub fn change_message(&self, eval: &Evaluation, custom_names: &[String], decimals: usize) -> String {
        let metric = self.spec.metric.name.aws_name(custom_names);
        let values: Vec<String> =
            eval.values.iter().map(|v| v.map_or("-".into(), |v| format!("{v:.decimals$}"))).collect();
        format!(
            "alarm {} changed from {} to {}: {metric} [{}] {} {} ({} of {} datapoints breaching, {} needed)",
            self.name,
            self.state.as_str(),
            eval.state.as_str(),
            values.join(", "),
            self.spec.comparison.symbol(),
            self.spec.threshold,
            eval.breaching,
            self.spec.evaluation_periods,
            self.spec.datapoints_to_alarm,
        )
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

/// One scalable target at run time.
#[derive(Clone, Debug)]
pub struct TargetState {
    pub scalable: Scalable,
    /// The resource id alarm names are built on: AWS's `service/default/<name>` for a service,
    /// `asg/<name>` for an Auto Scaling group.
    pub resource_id: String,
    pub bounds: ScalableTarget,
    pub tracking: Vec<TrackingPolicy>,
    pub steps: Vec<StepPolicyState>,
    pub scheduled: Vec<ScheduledAction>,
    /// Why the last wish was not applied, once said (said again only when it changes).
    pub blocked: Option<Blocked>,
    /// A group's simple scaling policies do nothing before this (the cooldown after the last
    /// simple-scaling activity).
    pub simple_cooldown_until: Option<crate::engine::SimTime>,
}

/// Everything auto scaling keeps during a run.
#[derive(Clone, Debug, Default)]
pub struct Autoscaling {
    pub store: MetricStore,
    /// By the order of `AutoscalingSpec::targets` (services, then groups).
    pub targets: Vec<TargetState>,
    /// The metrics some alarm reads: only these are published (the per-minute cost stays low).
    pub read: BTreeSet<MetricKey>,
    /// Cumulative traffic counters of services behind a load balancer at the previous tick, for
    /// the minute's differences (one entry per such service a metric needs: memory is bounded).
    pub traffic: BTreeMap<ServiceId, TrafficCounts>,
    pub loads: Vec<LoadProfile>,
    pub custom_metrics: Vec<(String, Rate)>,
    pub custom_names: Vec<String>,
    /// The run's seed: rate patterns with noise draw from it.
    pub seed: u64,
    /// The scenario's own `alarms:`, by `AlarmId`, with the service whose metric each reads.
    pub alarms: Vec<(ServiceId, WatchedAlarm)>,
}

impl Autoscaling {
    /// `service_names` and `provider_names` by id: what resource ids and alarm names quote.
    pub fn new(spec: &AutoscalingSpec, service_names: &[&str], provider_names: &[&str], seed: u64) -> Self {
        let targets = spec
            .targets
            .iter()
            .map(|s| {
                let resource_id = match s.scalable {
                    Scalable::Service(id) => {
                        format!("service/default/{}", service_names.get(id.index()).copied().unwrap_or("?"))
                    }
                    Scalable::Group(id) => format!("asg/{}", provider_names.get(id.index()).copied().unwrap_or("?")),
                };
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
                        alarm: WatchedAlarm::new(
                            format!(
                                "{}-{resource_id}-{}",
                                if p.simple { "SimpleScaling" } else { "StepScaling" },
                                p.name
                            ),
                            p.alarm.clone(),
                        ),
                        spec: p.clone(),
                        cooldowns: Cooldowns::default(),
                    })
                    .collect();
                TargetState {
                    scalable: s.scalable,
                    resource_id,
                    bounds: s.target,
                    tracking,
                    steps,
                    scheduled: s.scheduled.clone(),
                    blocked: None,
                    simple_cooldown_until: None,
                }
            })
            .collect();
        Autoscaling {
            store: MetricStore::new(spec.retention_minutes()),
            targets,
            read: spec.alarms().map(|a| a.metric).collect(),
            traffic: BTreeMap::new(),
            loads: spec.loads.clone(),
            custom_names: spec.custom_metrics.iter().map(|(n, _)| n.clone()).collect(),
            custom_metrics: spec.custom_metrics.clone(),
            seed,
            alarms: spec
                .alarms
                .iter()
                .map(|a| (a.service, WatchedAlarm::new(a.name.clone(), a.spec.clone())))
                .collect(),
        }
    }

    /// Whether some alarm reads a metric of this dimension.
    pub fn reads(&self, dimension: super::metric::Dimension) -> bool {
        self.read.iter().any(|k| k.dimension == dimension)
    }
}
