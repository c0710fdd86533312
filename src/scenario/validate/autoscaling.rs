//! `services.<name>.autoscaling`, `capacity_providers.<name>.auto_scaling_group.scaling_policies`,
//! `services.<name>.load` and `custom_metrics:` — scalable targets, their policies and alarms,
//! and the metrics they read, checked field by field (the same checks for a service's and a
//! group's policies) and built into an [`AutoscalingSpec`].

use super::checker::Checker;
use super::names::{Checked, Names, Table};
use crate::autoscaling::alarm::AlarmSpec;
use crate::autoscaling::alarm::Comparison;
use crate::autoscaling::metric::{Dimension, MetricKey, MetricName, Statistic};
use crate::autoscaling::scheduled::{ScheduledAction, When};
use crate::autoscaling::step::{check_steps, AdjustmentType, MetricAggregation, StepAdjustment, StepError, StepPolicy};
use crate::autoscaling::target::ScalableTarget;
use crate::autoscaling::target_tracking::{self as tt, TargetTracking};
use crate::autoscaling::{AutoscalingSpec, LoadProfile, NamedAlarm, Scalable, StepScaling, TargetScaling};
use crate::capacity::{CapacityProvider, DEFAULT_COOLDOWN};
use crate::engine::{SimDuration, SimTime};
use crate::ids::{ProviderId, ServiceId};
use crate::scenario::diagnostics::suggestion;
use crate::scenario::path::Path;
use crate::scenario::rate;
use crate::scenario::schema::{
    RawAlarm, RawMetricRef, RawScalingPolicies, RawScenario, RawScheduledAction, RawService, RawSimpleScaling,
    RawStepScaling, RawTargetTracking,
};
use crate::scenario::values::Scalar;
use crate::service::SchedulingStrategy;

/// ECS's limit of tasks per service.
const MAX_CAPACITY: i64 = super::quotas::TASKS_PER_SERVICE;
/// CloudWatch alarms look back at most one day.
const MAX_LOOKBACK: SimDuration = SimDuration::from_secs(86_400);
const MINUTE: u64 = 60_000_000;
/// The metric names a service's policy may read, besides `{ custom: <name> }`.
const METRICS: [&str; 6] =
    ["cpu", "memory", "alb_request_count_per_target", "request_count", "target_response_time", "requests_in_flight"];
/// The metric names a group's policy may read, besides `{ custom: <name> }`.
const GROUP_METRICS: [&str; 3] = ["cpu", "cpu_reservation", "memory_reservation"];

/// What a target offers to read metrics from.
enum Sources {
    Service {
        id: ServiceId,
        load_balancer: bool,
        load_cpu: bool,
        load_memory: bool,
    },
    /// A group: its ASGAverageCPUUtilization, and the cluster's reservations.
    Group(ProviderId),
}

impl Sources {
    /// Application Auto Scaling's 300 s for a service's policies; none for a group's (EC2 Auto
    /// Scaling's target tracking and step policies wait on the instance warm-up instead).
    fn default_cooldown(&self) -> SimDuration {
        match self {
            Sources::Service { .. } => tt::DEFAULT_COOLDOWN,
            Sources::Group(_) => SimDuration::ZERO,
        }
    }
}

/// `providers` are the validated capacity providers. `None` when a custom metric is invalid
/// (reported).
pub fn check(
    c: &mut Checker,
    names: &Names,
    raw: &RawScenario,
    duration: Option<SimDuration>,
    providers: &Checked<ProviderId, CapacityProvider>,
) -> Option<AutoscalingSpec> {
    let mut custom_metrics = Checked::new(&names.custom_metrics);
    for (name, r) in &raw.custom_metrics {
        let id = names.custom_metrics.get(name);
        if let (Some(id), Some(rate)) = (id, rate::check(c, &Path::root("custom_metrics").key(name), r)) {
            custom_metrics.set(id, (name.clone(), rate));
        }
    }
    let mut targets = Vec::new();
    let mut loads = Vec::new();
    for (name, s) in &raw.services {
        let Some(id) = names.services.get(name) else { continue };
        let path = Path::root("services").key(name);
        if let Some(load) = s.load.as_ref() {
            if s.load_balancer.is_some() {
                c.error(
                    &path.field("load"),
                    "a service behind a load balancer gets its CPU and memory use from its traffic",
                    Some("remove `load`, or the `load_balancer`"),
                );
            }
            let cpu = load.cpu.as_ref().map(|r| rate::check(c, &path.field("load").field("cpu"), r));
            let memory = load.memory.as_ref().map(|r| rate::check(c, &path.field("load").field("memory"), r));
            loads.push(LoadProfile { service: id, cpu: cpu.flatten(), memory: memory.flatten() });
        }
        let Some(a) = s.autoscaling.as_ref() else { continue };
        let sources = Sources::Service {
            id,
            load_balancer: s.load_balancer.is_some(),
            load_cpu: s.load.as_ref().is_some_and(|l| l.cpu.is_some()),
            load_memory: s.load.as_ref().is_some_and(|l| l.memory.is_some()),
        };
        let known = (&sources, &names.custom_metrics);
        if let Some(scaling) = service(c, &path.field("autoscaling"), s, a, known, duration) {
            targets.push(scaling);
        }
    }
    for (name, p) in &raw.capacity_providers {
        let Some(policies) = p.auto_scaling_group.scaling_policies.as_ref() else { continue };
        let path = Path::root("capacity_providers").key(name).field("auto_scaling_group").field("scaling_policies");
        // A group ECS scales, or without bounds, is reported by the capacity checks: its
        // policies are still checked, but it becomes no target.
        let Some(id) = names.providers.get(name) else { continue };
        let bounds = providers
            .get(id)
            .and_then(CapacityProvider::auto_scaling_group)
            .filter(|g| g.managed_scaling.is_none() && p.auto_scaling_group.min_size.is_some())
            .map(|g| ScalableTarget { min_capacity: g.min_size, max_capacity: g.max_size });
        if policies.import.is_some() {
            let hint = "write the group's EC2 Auto Scaling policies here; `import` reads a service's Application Auto Scaling JSON";
            c.error(&path.field("import"), "a group's scaling policies are not imported", Some(hint));
        }
        for (field, v) in [("min_capacity", policies.min_capacity), ("max_capacity", policies.max_capacity)] {
            if v.is_some() {
                let hint = "give the group's `min_size` and `max_size`: they are its policies' bounds";
                c.error(&path.field(field), "a group's scaling policies take no bounds of their own", Some(hint));
            }
        }
        let known = (&Sources::Group(id), &names.custom_metrics);
        let target = policies_of(c, &path, policies, known, duration);
        if let (Some(target), Some(bounds)) = (target, bounds) {
            targets.push(TargetScaling { scalable: Scalable::Group(id), target: bounds, ..target });
        }
    }
    let alarms = named_alarms(c, names, raw);
    Some(AutoscalingSpec { custom_metrics: custom_metrics.into_complete()?, targets, loads, alarms: alarms? })
}

/// `alarms:`: each on a metric of the service it names.
fn named_alarms(c: &mut Checker, names: &Names, raw: &RawScenario) -> Option<Vec<NamedAlarm>> {
    let mut alarms = Checked::new(&names.alarms);
    for (name, a) in &raw.alarms {
        let path = Path::root("alarms").key(name);
        let Some(service) = a.service.as_ref() else {
            let hint = "name the service whose metric it reads, e.g. `service: web`";
            c.error(&path, "an alarm of `alarms:` needs a `service`", Some(hint));
            continue;
        };
        let Some(id) = names.services.resolve(c, &path.field("service"), service) else { continue };
        let Some(s) = raw.services.get(service) else { continue };
        let sources = Sources::Service {
            id,
            load_balancer: s.load_balancer.is_some(),
            load_cpu: s.load.as_ref().is_some_and(|l| l.cpu.is_some()),
            load_memory: s.load.as_ref().is_some_and(|l| l.memory.is_some()),
        };
        let (Some(alarm_id), Some(spec)) =
            (names.alarms.get(name), alarm(c, &path, a, (&sources, &names.custom_metrics)))
        else {
            continue;
        };
        alarms.set(alarm_id, NamedAlarm { name: name.clone(), service: id, spec });
    }
    alarms.into_complete()
}

/// What a policy may read: the target's metrics, and the custom metrics.
type Known<'a> = (&'a Sources, &'a Table<usize>);

fn service(
    c: &mut Checker,
    path: &Path,
    s: &RawService,
    a: &RawScalingPolicies,
    known: Known,
    duration: Option<SimDuration>,
) -> Option<TargetScaling> {
    let before = c.error_count();
    if s.scheduling_strategy == Some(SchedulingStrategy::Daemon) {
        c.error(path, "a DAEMON service has no desired count to scale", Some("remove `autoscaling`"));
    }
    let mut bound = |field: &str, v: Option<i64>| {
        let Some(v) = v else {
            let hint = "a service's scalable target has both, e.g. `min_capacity: 1` and `max_capacity: 10`";
            c.error(&path.field(field), &format!("`{field}` is required"), Some(hint));
            return None;
        };
        c.int_in(&path.field(field), v, 0, MAX_CAPACITY)
    };
    let (min, max) = (bound("min_capacity", a.min_capacity), bound("max_capacity", a.max_capacity));
    if let (Some(lo), Some(hi)) = (min, max) {
        if lo > hi {
            let message = format!("min_capacity ({lo}) must be <= max_capacity ({hi})");
            c.error(&path.field("max_capacity"), &message, None);
        }
    }
    let policies = policies_of(c, path, a, known, duration);
    if c.error_count() != before {
        return None;
    }
    Some(TargetScaling { target: ScalableTarget { min_capacity: min?, max_capacity: max? }, ..policies? })
}

/// A target's policies, checked; the target's bounds are left at 0 for the caller to set.
fn policies_of(
    c: &mut Checker,
    path: &Path,
    a: &RawScalingPolicies,
    known: Known,
    duration: Option<SimDuration>,
) -> Option<TargetScaling> {
    let before = c.error_count();
    let tracking: Vec<_> = a
        .target_tracking
        .iter()
        .enumerate()
        .filter_map(|(i, t)| target_tracking(c, &path.field("target_tracking").index(i), t, known))
        .collect();
    let mut names = std::collections::BTreeSet::new();
    let named = a.step_scaling.iter().map(|p| ("step_scaling", &p.name));
    let named = named.chain(a.simple_scaling.iter().map(|p| ("simple_scaling", &p.name)));
    let mut index = std::collections::BTreeMap::new();
    for (list, name) in named {
        let i = index.entry(list).or_insert(0usize);
        if !names.insert(name.as_str()) {
            c.error(&path.field(list).index(*i).field("name"), &format!("policy `{name}` is named twice"), None);
        }
        *i += 1;
    }
    if !a.simple_scaling.is_empty() && matches!(known.0, Sources::Service { .. }) {
        c.error(
            &path.field("simple_scaling"),
            "simple scaling policies are EC2 Auto Scaling's: a service's Application Auto Scaling has none",
            Some("use `step_scaling` with one step, e.g. `steps: [ { lower: 0, adjustment: 1 } ]`"),
        );
    }
    let mut steps: Vec<_> = a
        .step_scaling
        .iter()
        .enumerate()
        .filter_map(|(i, p)| step_scaling(c, &path.field("step_scaling").index(i), p, known))
        .collect();
    steps.extend(
        a.simple_scaling
            .iter()
            .enumerate()
            .filter_map(|(i, p)| simple_scaling(c, &path.field("simple_scaling").index(i), p, known)),
    );
    let scheduled: Vec<_> = a
        .scheduled
        .iter()
        .enumerate()
        .filter_map(|(i, r)| scheduled(c, &path.field("scheduled").index(i), i, r, duration))
        .collect();
    if c.error_count() != before {
        return None;
    }
    let scalable = match known.0 {
        Sources::Service { id, .. } => Scalable::Service(*id),
        Sources::Group(id) => Scalable::Group(*id),
    };
    Some(TargetScaling {
        scalable,
        target: ScalableTarget { min_capacity: 0, max_capacity: 0 },
        target_tracking: tracking,
        step_scaling: steps,
        scheduled,
    })
}

/// A metric reference, resolved; the service must publish it.
/// A metric reference, resolved; the target must publish it.
fn metric(c: &mut Checker, path: &Path, raw: &RawMetricRef, (sources, customs): Known) -> Option<MetricKey> {
    let name = match raw {
        RawMetricRef::Custom(r) => {
            let i = customs.resolve(c, &path.field("custom"), &r.custom)?;
            return Some(MetricKey { dimension: Dimension::Global, name: MetricName::Custom(i as u32) });
        }
        RawMetricRef::Named(n) => n.as_str(),
    };
    let unknown = |c: &mut Checker, other: &str, known: &[&str]| {
        let hint = format!(
            "{} (or `{{ custom: <name> }}` for a `custom_metrics:` entry)",
            suggestion(other, known.iter().copied())
        );
        c.error(path, &format!("unknown metric `{other}`"), Some(&hint));
        None
    };
    match sources {
        Sources::Service { .. } => match service_metric(c, path, name, sources) {
            Some(key) => key,
            None => unknown(c, name, &METRICS),
        },
        Sources::Group(id) => {
            // AWS's predefined metric type is accepted as an alias.
            let (dimension, metric) = match name {
                "cpu" | "ASGAverageCPUUtilization" => {
                    (Dimension::Group(id.index() as u32), MetricName::AsgAverageCpuUtilization)
                }
                "cpu_reservation" | "CPUReservation" => (Dimension::Cluster, MetricName::CpuReservation),
                "memory_reservation" | "MemoryReservation" => (Dimension::Cluster, MetricName::MemoryReservation),
                other => return unknown(c, other, &GROUP_METRICS),
            };
            Some(MetricKey { dimension, name: metric })
        }
    }
}

/// A service's own metric by name: `None` for an unknown name, `Some(None)` for one the service
/// does not publish (reported here).
fn service_metric(c: &mut Checker, path: &Path, name: &str, sources: &Sources) -> Option<Option<MetricKey>> {
    let Sources::Service { id, load_balancer, load_cpu, load_memory } = *sources else { return None };
    let needs = |c: &mut Checker, ok: bool, what: &str, hint: &str| {
        if !ok {
            c.error(path, &format!("the service publishes no {what}"), Some(hint));
        }
        ok
    };
    const LB_HINT: &str = "put the service behind a load balancer (`load_balancer:`) with `traffic:`";
    let cpu_hint = "add `load: { cpu: <pattern> }` to the service, or put it behind a load balancer";
    let memory_hint = "add `load: { memory: <pattern> }` to the service, or put it behind a load balancer";
    // AWS's predefined metric types are accepted as aliases.
    let name = match name {
        "ECSServiceAverageCPUUtilization" => "cpu",
        "ECSServiceAverageMemoryUtilization" => "memory",
        "ALBRequestCountPerTarget" => "alb_request_count_per_target",
        other => other,
    };
    let (metric, ok) = match name {
        "cpu" => (MetricName::CpuUtilization, needs(c, load_balancer || load_cpu, "CPUUtilization", cpu_hint)),
        "memory" => {
            (MetricName::MemoryUtilization, needs(c, load_balancer || load_memory, "MemoryUtilization", memory_hint))
        }
        "alb_request_count_per_target" => {
            (MetricName::RequestCountPerTarget, needs(c, load_balancer, "RequestCountPerTarget", LB_HINT))
        }
        "request_count" => (MetricName::RequestCount, needs(c, load_balancer, "RequestCount", LB_HINT)),
        "target_response_time" => {
            (MetricName::TargetResponseTime, needs(c, load_balancer, "TargetResponseTime", LB_HINT))
        }
        "requests_in_flight" => (MetricName::RequestsInFlight, needs(c, load_balancer, "RequestsInFlight", LB_HINT)),
        _ => return None,
    };
    Some(ok.then_some(MetricKey { dimension: Dimension::Service(id.index() as u32), name: metric }))
}

fn cooldown(c: &mut Checker, path: &Path, raw: Option<&Scalar>, sources: &Sources) -> Option<SimDuration> {
    raw.map_or(Some(sources.default_cooldown()), |r| c.duration(path, r))
}

fn positive_finite(c: &mut Checker, path: &Path, v: f64, hint: &str) -> Option<f64> {
    if !(v.is_finite() && v > 0.0) {
        c.error(path, &format!("{v} must be a number > 0"), Some(hint));
        return None;
    }
    Some(v)
}

fn target_tracking(c: &mut Checker, path: &Path, t: &RawTargetTracking, known: Known) -> Option<TargetTracking> {
    let metric = metric(c, &path.field("metric"), &t.metric, known);
    let target = positive_finite(c, &path.field("target"), t.target, "e.g. `target: 60` for 60 % CPU");
    let out = cooldown(c, &path.field("scale_out_cooldown"), t.scale_out_cooldown.as_ref(), known.0);
    let r#in = cooldown(c, &path.field("scale_in_cooldown"), t.scale_in_cooldown.as_ref(), known.0);
    let factor = match t.scale_in_threshold_factor {
        Some(f) if !(f > 0.0 && f <= 1.0) => {
            let hint = "AlarmLow fires below target × factor; AWS's alarms suggest 0.9";
            c.error(&path.field("scale_in_threshold_factor"), &format!("{f} must be in (0, 1]"), Some(hint));
            None
        }
        f => Some(f.unwrap_or(tt::DEFAULT_SCALE_IN_FACTOR)),
    };
    let points = |c: &mut Checker, field: &str, v: Option<i64>, default: u32| match v {
        Some(v) => c.int_in(&path.field(field), v, 1, 1_440),
        None => Some(default),
    };
    let high = points(c, "scale_out_datapoints", t.scale_out_datapoints, tt::DEFAULT_HIGH_DATAPOINTS);
    let low = points(c, "scale_in_datapoints", t.scale_in_datapoints, tt::DEFAULT_LOW_DATAPOINTS);
    Some(TargetTracking {
        metric: metric?,
        target: target?,
        scale_out_cooldown: out?,
        scale_in_cooldown: r#in?,
        disable_scale_in: t.disable_scale_in.unwrap_or(false),
        scale_in_threshold_factor: factor?,
        high_datapoints: high?,
        low_datapoints: low?,
    })
}

fn alarm(c: &mut Checker, path: &Path, a: &RawAlarm, known: Known) -> Option<AlarmSpec> {
    let metric = metric(c, &path.field("metric"), &a.metric, known);
    let period = a.period.as_ref().map_or(Some(SimDuration::from_secs(60)), |p| {
        let path = path.field("period");
        let d = c.duration(&path, p)?;
        if d.is_zero() || d.as_micros() % MINUTE != 0 {
            c.error(
                &path,
                &format!("{d} is not a whole number of minutes"),
                Some("CloudWatch periods here are multiples of 1m, e.g. `1m` or `5m`"),
            );
            return None;
        }
        Some(d)
    });
    let n = c.int_in(&path.field("evaluation_periods"), a.evaluation_periods.unwrap_or(1), 1, 1_440);
    let m = match (a.datapoints_to_alarm, n) {
        (Some(m), Some(n)) => c.int_in(&path.field("datapoints_to_alarm"), m, 1, i64::from(n)),
        (None, n) => n,
        (Some(_), None) => None,
    };
    let (period, n) = (period?, n?);
    if period.saturating_mul(u64::from(n)) > MAX_LOOKBACK {
        let message = format!(
            "period × evaluation_periods ({}) is longer than CloudWatch's one day",
            period.saturating_mul(u64::from(n))
        );
        c.error(&path.field("evaluation_periods"), &message, None);
        return None;
    }
    if !a.threshold.is_finite() {
        c.error(&path.field("threshold"), "must be a finite number", None);
        return None;
    }
    let statistic = a.statistic.unwrap_or(Statistic::Average);
    Some(AlarmSpec {
        metric: metric?,
        statistic,
        period_minutes: period.as_micros() / MINUTE,
        evaluation_periods: n,
        datapoints_to_alarm: m?,
        comparison: a.comparison,
        threshold: a.threshold,
    })
}

/// What step and simple policies check alike: a name, an alarm on the policy's own target (not a
/// service's), and MinAdjustmentMagnitude only with percent changes. The alarm, and the magnitude
/// (`Some(None)` when none is given).
fn policy_alarm(
    c: &mut Checker,
    path: &Path,
    (name, raw_alarm): (&str, &RawAlarm),
    (adjustment_type, min_magnitude): (AdjustmentType, Option<i64>),
    known: Known,
) -> (Option<AlarmSpec>, Option<Option<u32>>) {
    if name.trim().is_empty() {
        c.error(&path.field("name"), "a policy needs a name", Some("e.g. `name: scale-out`"));
    }
    if raw_alarm.service.is_some() {
        let hint = "a policy's alarm reads its own target's metric: remove `service`";
        c.error(&path.field("alarm").field("service"), "only an alarm of `alarms:` names a service", Some(hint));
    }
    let alarm = alarm(c, &path.field("alarm"), raw_alarm, known);
    let magnitude = match min_magnitude {
        Some(_) if adjustment_type != AdjustmentType::PercentChangeInCapacity => {
            let hint = "MinAdjustmentMagnitude applies only to `percent_change_in_capacity`";
            c.error(&path.field("min_adjustment_magnitude"), "not allowed with this adjustment type", Some(hint));
            None
        }
        Some(m) => c.int_in(&path.field("min_adjustment_magnitude"), m, 1, MAX_CAPACITY).map(Some),
        None => Some(None),
    };
    (alarm, magnitude)
}

fn step_scaling(c: &mut Checker, path: &Path, p: &RawStepScaling, known: Known) -> Option<StepScaling> {
    let adjustment_type = p.adjustment_type;
    let (alarm, magnitude) =
        policy_alarm(c, path, (&p.name, &p.alarm), (adjustment_type, p.min_adjustment_magnitude), known);
    let cooldown = cooldown(c, &path.field("cooldown"), p.cooldown.as_ref(), known.0);
    let raw_steps: Vec<StepAdjustment> =
        p.steps.iter().map(|s| StepAdjustment { lower: s.lower, upper: s.upper, adjustment: s.adjustment }).collect();
    let mut bad = false;
    for (i, s) in p.steps.iter().enumerate() {
        if s.lower.is_some_and(|v| !v.is_finite()) || s.upper.is_some_and(|v| !v.is_finite()) {
            c.error(&path.field("steps").index(i), "bounds must be finite numbers (leave one out for infinity)", None);
            bad = true;
        }
        if adjustment_type == AdjustmentType::ExactCapacity && s.adjustment < 0 {
            c.error(&path.field("steps").index(i).field("adjustment"), "an exact capacity must be >= 0", None);
            bad = true;
        }
    }
    let steps = match check_steps(&raw_steps) {
        _ if bad => None,
        Ok(steps) => Some(steps),
        Err(e) => {
            let at = match e {
                StepError::Inverted(i) | StepError::CrossesThreshold(i) => path.field("steps").index(i),
                _ => path.field("steps"),
            };
            let hint = "bounds are relative to the alarm threshold, e.g. `[ { lower: 0, upper: 10, adjustment: 1 }, { lower: 10, adjustment: 3 } ]`";
            c.error(&at, &e.to_string(), Some(hint));
            None
        }
    };
    let aggregation = p.metric_aggregation.unwrap_or(MetricAggregation::Average);
    let alarm = alarm?;
    Some(StepScaling {
        name: p.name.clone(),
        policy: StepPolicy {
            threshold: alarm.threshold,
            adjustment_type,
            steps: steps?,
            min_adjustment_magnitude: magnitude?,
            cooldown: cooldown?,
            aggregation,
        },
        alarm,
        simple: false,
    })
}

/// A group's simple scaling policy, run as a step policy of one open step (its adjustment applies
/// to any breach) whose cooldown the group's simple policies share (aws-behaviour.md §8).
fn simple_scaling(c: &mut Checker, path: &Path, p: &RawSimpleScaling, known: Known) -> Option<StepScaling> {
    let adjustment_type = p.adjustment_type;
    let (alarm, magnitude) =
        policy_alarm(c, path, (&p.name, &p.alarm), (adjustment_type, p.min_adjustment_magnitude), known);
    if adjustment_type == AdjustmentType::ExactCapacity && p.scaling_adjustment < 0 {
        c.error(&path.field("scaling_adjustment"), "an exact capacity must be >= 0", None);
        return None;
    }
    // EC2 Auto Scaling's DefaultCooldown (300 s) unless the policy sets its own.
    let cooldown = p.cooldown.as_ref().map_or(Some(DEFAULT_COOLDOWN), |r| c.duration(&path.field("cooldown"), r));
    let alarm = alarm?;
    let above =
        matches!(alarm.comparison, Comparison::GreaterThanThreshold | Comparison::GreaterThanOrEqualToThreshold);
    let step = if above {
        StepAdjustment { lower: Some(0.0), upper: None, adjustment: p.scaling_adjustment }
    } else {
        StepAdjustment { lower: None, upper: Some(0.0), adjustment: p.scaling_adjustment }
    };
    Some(StepScaling {
        name: p.name.clone(),
        policy: StepPolicy {
            threshold: alarm.threshold,
            adjustment_type,
            steps: vec![step],
            min_adjustment_magnitude: magnitude?,
            cooldown: cooldown?,
            aggregation: MetricAggregation::Average,
        },
        alarm,
        simple: true,
    })
}

fn scheduled(
    c: &mut Checker,
    path: &Path,
    index: usize,
    r: &RawScheduledAction,
    duration: Option<SimDuration>,
) -> Option<ScheduledAction> {
    let when = match (&r.at, &r.cron) {
        (Some(at), None) => {
            super::timeline_time(c, &path.field("at"), at, duration).map(|d| When::At(SimTime::ZERO + d))
        }
        (None, Some(cron)) => When::cron(cron, c.calendar)
            .map_err(|e| {
                let hint = "five fields, UTC, e.g. `0 9 * * MON-FRI` (minute hour day-of-month month day-of-week)";
                c.error(&path.field("cron"), &format!("`{cron}` is not a cron expression: {e}"), Some(hint));
            })
            .ok(),
        _ => {
            c.error(
                path,
                "a scheduled action needs exactly one of `at` and `cron`",
                Some("e.g. `at: 2h` or `cron: \"0 9 * * *\"`"),
            );
            None
        }
    };
    let bound = |c: &mut Checker, field: &str, v: Option<i64>| match v {
        Some(v) => c.int_in(&path.field(field), v, 0, MAX_CAPACITY).map(Some),
        None => Some(None),
    };
    let (min, max) = (bound(c, "min_capacity", r.min_capacity)?, bound(c, "max_capacity", r.max_capacity)?);
    match (min, max) {
        (None, None) => {
            c.error(path, "a scheduled action sets `min_capacity`, `max_capacity` or both", None);
            return None;
        }
        (Some(lo), Some(hi)) if lo > hi => {
            c.error(&path.field("max_capacity"), &format!("min_capacity ({lo}) must be <= max_capacity ({hi})"), None);
            return None;
        }
        _ => {}
    }
    Some(ScheduledAction {
        name: r.name.clone().unwrap_or_else(|| format!("scheduled-{}", index + 1)),
        when: when?,
        min_capacity: min,
        max_capacity: max,
    })
}
