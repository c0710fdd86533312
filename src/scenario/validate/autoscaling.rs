//! `services.<name>.autoscaling`, `services.<name>.load` and `custom_metrics:` — scalable
//! targets, their policies and alarms, and the metrics they read, checked field by field and
//! built into an [`AutoscalingSpec`].

use super::checker::Checker;
use super::rate;
use crate::autoscaling::alarm::{AlarmSpec, Comparison};
use crate::autoscaling::metric::{Dimension, MetricKey, MetricName, Statistic};
use crate::autoscaling::scheduled::{ScheduledAction, When};
use crate::autoscaling::step::{check_steps, AdjustmentType, MetricAggregation, StepAdjustment, StepError, StepPolicy};
use crate::autoscaling::target::ScalableTarget;
use crate::autoscaling::target_tracking::{self as tt, TargetTracking};
use crate::autoscaling::{AutoscalingSpec, LoadProfile, ServiceScaling, StepScaling};
use crate::engine::{SimDuration, SimTime};
use crate::scenario::diagnostics::suggestion;
use crate::scenario::schema::{
    RawAdjustmentType, RawAlarm, RawComparison, RawMetricAggregation, RawMetricRef, RawScenario, RawScheduledAction,
    RawSchedulingStrategy, RawService, RawServiceAutoscaling, RawStatistic, RawStepScaling, RawTargetTracking,
};
use crate::scenario::values::Scalar;
use crate::sim::ids::ServiceId;

/// ECS's limit of tasks per service.
const MAX_CAPACITY: i64 = 5_000;
/// CloudWatch alarms look back at most one day.
const MAX_LOOKBACK: SimDuration = SimDuration::from_secs(86_400);
const MINUTE: u64 = 60_000_000;
/// The metric names a policy may read, besides `{ custom: <name> }`.
const METRICS: [&str; 6] =
    ["cpu", "memory", "alb_request_count_per_target", "request_count", "target_response_time", "requests_in_flight"];

/// What a service offers to read metrics from.
struct Sources {
    load_balancer: bool,
    load_cpu: bool,
    load_memory: bool,
}

pub fn check(c: &mut Checker, raw: &RawScenario, duration: Option<SimDuration>) -> AutoscalingSpec {
    let custom_names: Vec<&str> = raw.custom_metrics.keys().map(String::as_str).collect();
    let custom_metrics = raw
        .custom_metrics
        .iter()
        .filter_map(|(name, r)| Some((name.clone(), rate::check(c, &format!("custom_metrics.{name}"), r)?)))
        .collect();
    let mut services = Vec::new();
    let mut loads = Vec::new();
    for (i, (name, s)) in raw.services.iter().enumerate() {
        let id = ServiceId::from_index(i);
        let path = format!("services.{name}");
        if let Some(load) = s.load.as_ref() {
            if s.load_balancer.is_some() {
                c.error(
                    &format!("{path}.load"),
                    "a service behind a load balancer gets its CPU and memory use from its traffic",
                    Some("remove `load`, or the `load_balancer`"),
                );
            }
            let cpu = load.cpu.as_ref().map(|r| rate::check(c, &format!("{path}.load.cpu"), r));
            let memory = load.memory.as_ref().map(|r| rate::check(c, &format!("{path}.load.memory"), r));
            loads.push(LoadProfile { service: id, cpu: cpu.flatten(), memory: memory.flatten() });
        }
        let Some(a) = s.autoscaling.as_ref() else { continue };
        let sources = Sources {
            load_balancer: s.load_balancer.is_some(),
            load_cpu: s.load.as_ref().is_some_and(|l| l.cpu.is_some()),
            load_memory: s.load.as_ref().is_some_and(|l| l.memory.is_some()),
        };
        let known = (&sources, custom_names.as_slice(), id);
        if let Some(scaling) = service(c, &format!("{path}.autoscaling"), s, a, known, duration) {
            services.push(scaling);
        }
    }
    AutoscalingSpec { custom_metrics, services, loads }
}

type Known<'a> = (&'a Sources, &'a [&'a str], ServiceId);

fn service(
    c: &mut Checker,
    path: &str,
    s: &RawService,
    a: &RawServiceAutoscaling,
    known: Known,
    duration: Option<SimDuration>,
) -> Option<ServiceScaling> {
    let before = c.error_count();
    if s.scheduling_strategy == Some(RawSchedulingStrategy::Daemon) {
        c.error(path, "a DAEMON service has no desired count to scale", Some("remove `autoscaling`"));
    }
    let min = c.int_in(&format!("{path}.min_capacity"), a.min_capacity, 0, MAX_CAPACITY);
    let max = c.int_in(&format!("{path}.max_capacity"), a.max_capacity, 0, MAX_CAPACITY);
    if let (Some(lo), Some(hi)) = (min, max) {
        if lo > hi {
            let message = format!("min_capacity ({lo}) must be <= max_capacity ({hi})");
            c.error(&format!("{path}.max_capacity"), &message, None);
        }
    }
    let tracking: Vec<_> = a
        .target_tracking
        .iter()
        .enumerate()
        .filter_map(|(i, t)| target_tracking(c, &format!("{path}.target_tracking[{i}]"), t, known))
        .collect();
    let mut names = std::collections::BTreeSet::new();
    for (i, p) in a.step_scaling.iter().enumerate() {
        if !names.insert(p.name.as_str()) {
            c.error(&format!("{path}.step_scaling[{i}].name"), &format!("policy `{}` is named twice", p.name), None);
        }
    }
    let steps: Vec<_> = a
        .step_scaling
        .iter()
        .enumerate()
        .filter_map(|(i, p)| step_scaling(c, &format!("{path}.step_scaling[{i}]"), p, known))
        .collect();
    let scheduled: Vec<_> = a
        .scheduled
        .iter()
        .enumerate()
        .filter_map(|(i, r)| scheduled(c, &format!("{path}.scheduled[{i}]"), i, r, duration))
        .collect();
    if c.error_count() != before {
        return None;
    }
    Some(ServiceScaling {
        service: known.2,
        target: ScalableTarget { min_capacity: min?, max_capacity: max? },
        target_tracking: tracking,
        step_scaling: steps,
        scheduled,
    })
}

/// A metric reference, resolved; the service must publish it.
fn metric(c: &mut Checker, path: &str, raw: &RawMetricRef, (sources, customs, id): Known) -> Option<MetricKey> {
    let own = |name| Some(MetricKey { dimension: Dimension::Service(id.index() as u32), name });
    let needs = |c: &mut Checker, ok: bool, what: &str, hint: &str| {
        if !ok {
            c.error(path, &format!("the service publishes no {what}"), Some(hint));
        }
        ok
    };
    const LB_HINT: &str = "put the service behind a load balancer (`load_balancer:`) with `traffic:`";
    let name = match raw {
        RawMetricRef::Custom(r) => {
            return match customs.iter().position(|n| *n == r.custom) {
                Some(i) => Some(MetricKey { dimension: Dimension::Global, name: MetricName::Custom(i as u32) }),
                None => {
                    let hint = suggestion(&r.custom, customs.iter().copied());
                    c.error(&format!("{path}.custom"), &format!("unknown custom metric `{}`", r.custom), Some(&hint));
                    None
                }
            };
        }
        RawMetricRef::Named(n) => n.as_str(),
    };
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
        "cpu" => (
            MetricName::CpuUtilization,
            needs(c, sources.load_balancer || sources.load_cpu, "CPUUtilization", cpu_hint),
        ),
        "memory" => (
            MetricName::MemoryUtilization,
            needs(c, sources.load_balancer || sources.load_memory, "MemoryUtilization", memory_hint),
        ),
        "alb_request_count_per_target" => {
            (MetricName::RequestCountPerTarget, needs(c, sources.load_balancer, "RequestCountPerTarget", LB_HINT))
        }
        "request_count" => (MetricName::RequestCount, needs(c, sources.load_balancer, "RequestCount", LB_HINT)),
        "target_response_time" => {
            (MetricName::TargetResponseTime, needs(c, sources.load_balancer, "TargetResponseTime", LB_HINT))
        }
        "requests_in_flight" => {
            (MetricName::RequestsInFlight, needs(c, sources.load_balancer, "RequestsInFlight", LB_HINT))
        }
        other => {
            let hint =
                format!("{}, or `{{ custom: <name> }}` for a `custom_metrics:` entry", suggestion(other, METRICS));
            c.error(path, &format!("unknown metric `{other}`"), Some(&hint));
            return None;
        }
    };
    if ok {
        own(metric)
    } else {
        None
    }
}

fn cooldown(c: &mut Checker, path: &str, raw: Option<&Scalar>) -> Option<SimDuration> {
    raw.map_or(Some(tt::DEFAULT_COOLDOWN), |r| c.duration(path, r))
}

fn positive_finite(c: &mut Checker, path: &str, v: f64, hint: &str) -> Option<f64> {
    if !(v.is_finite() && v > 0.0) {
        c.error(path, &format!("{v} must be a number > 0"), Some(hint));
        return None;
    }
    Some(v)
}

fn target_tracking(c: &mut Checker, path: &str, t: &RawTargetTracking, known: Known) -> Option<TargetTracking> {
    let metric = metric(c, &format!("{path}.metric"), &t.metric, known);
    let target = positive_finite(c, &format!("{path}.target"), t.target, "e.g. `target: 60` for 60 % CPU");
    let out = cooldown(c, &format!("{path}.scale_out_cooldown"), t.scale_out_cooldown.as_ref());
    let r#in = cooldown(c, &format!("{path}.scale_in_cooldown"), t.scale_in_cooldown.as_ref());
    let factor = match t.scale_in_threshold_factor {
        Some(f) if !(f > 0.0 && f <= 1.0) => {
            let hint = "AlarmLow fires below target × factor; AWS's alarms suggest 0.9";
            c.error(&format!("{path}.scale_in_threshold_factor"), &format!("{f} must be in (0, 1]"), Some(hint));
            None
        }
        f => Some(f.unwrap_or(tt::DEFAULT_SCALE_IN_FACTOR)),
    };
    let points = |c: &mut Checker, field: &str, v: Option<i64>, default: u32| match v {
        Some(v) => c.int_in(&format!("{path}.{field}"), v, 1, 1_440),
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

fn alarm(c: &mut Checker, path: &str, a: &RawAlarm, known: Known) -> Option<AlarmSpec> {
    let metric = metric(c, &format!("{path}.metric"), &a.metric, known);
    let period = a.period.as_ref().map_or(Some(SimDuration::from_secs(60)), |p| {
        let path = format!("{path}.period");
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
    let n = c.int_in(&format!("{path}.evaluation_periods"), a.evaluation_periods.unwrap_or(1), 1, 1_440);
    let m = match (a.datapoints_to_alarm, n) {
        (Some(m), Some(n)) => c.int_in(&format!("{path}.datapoints_to_alarm"), m, 1, i64::from(n)),
        (None, n) => n,
        (Some(_), None) => None,
    };
    let (period, n) = (period?, n?);
    if period.saturating_mul(u64::from(n)) > MAX_LOOKBACK {
        let message = format!(
            "period × evaluation_periods ({}) is longer than CloudWatch's one day",
            period.saturating_mul(u64::from(n))
        );
        c.error(&format!("{path}.evaluation_periods"), &message, None);
        return None;
    }
    if !a.threshold.is_finite() {
        c.error(&format!("{path}.threshold"), "must be a finite number", None);
        return None;
    }
    let statistic = match a.statistic.unwrap_or(RawStatistic::Average) {
        RawStatistic::Average => Statistic::Average,
        RawStatistic::Minimum => Statistic::Minimum,
        RawStatistic::Maximum => Statistic::Maximum,
        RawStatistic::Sum => Statistic::Sum,
        RawStatistic::SampleCount => Statistic::SampleCount,
    };
    let comparison = match a.comparison {
        RawComparison::GreaterThanThreshold => Comparison::GreaterThanThreshold,
        RawComparison::GreaterThanOrEqualToThreshold => Comparison::GreaterThanOrEqualToThreshold,
        RawComparison::LessThanThreshold => Comparison::LessThanThreshold,
        RawComparison::LessThanOrEqualToThreshold => Comparison::LessThanOrEqualToThreshold,
    };
    Some(AlarmSpec {
        metric: metric?,
        statistic,
        period_minutes: period.as_micros() / MINUTE,
        evaluation_periods: n,
        datapoints_to_alarm: m?,
        comparison,
        threshold: a.threshold,
    })
}

fn step_scaling(c: &mut Checker, path: &str, p: &RawStepScaling, known: Known) -> Option<StepScaling> {
    if p.name.trim().is_empty() {
        c.error(&format!("{path}.name"), "a policy needs a name", Some("e.g. `name: scale-out`"));
    }
    let alarm = alarm(c, &format!("{path}.alarm"), &p.alarm, known);
    let adjustment_type = match p.adjustment_type {
        RawAdjustmentType::ChangeInCapacity => AdjustmentType::ChangeInCapacity,
        RawAdjustmentType::PercentChangeInCapacity => AdjustmentType::PercentChangeInCapacity,
        RawAdjustmentType::ExactCapacity => AdjustmentType::ExactCapacity,
    };
    let magnitude = match p.min_adjustment_magnitude {
        Some(_) if adjustment_type != AdjustmentType::PercentChangeInCapacity => {
            let hint = "MinAdjustmentMagnitude applies only to `percent_change_in_capacity`";
            c.error(&format!("{path}.min_adjustment_magnitude"), "not allowed with this adjustment type", Some(hint));
            None
        }
        Some(m) => c.int_in(&format!("{path}.min_adjustment_magnitude"), m, 1, MAX_CAPACITY).map(Some),
        None => Some(None),
    };
    let cooldown = cooldown(c, &format!("{path}.cooldown"), p.cooldown.as_ref());
    let raw_steps: Vec<StepAdjustment> =
        p.steps.iter().map(|s| StepAdjustment { lower: s.lower, upper: s.upper, adjustment: s.adjustment }).collect();
    let mut bad = false;
    for (i, s) in p.steps.iter().enumerate() {
        if s.lower.is_some_and(|v| !v.is_finite()) || s.upper.is_some_and(|v| !v.is_finite()) {
            c.error(&format!("{path}.steps[{i}]"), "bounds must be finite numbers (leave one out for infinity)", None);
            bad = true;
        }
        if adjustment_type == AdjustmentType::ExactCapacity && s.adjustment < 0 {
            c.error(&format!("{path}.steps[{i}].adjustment"), "an exact capacity must be >= 0", None);
            bad = true;
        }
    }
    let steps = match check_steps(&raw_steps) {
        _ if bad => None,
        Ok(steps) => Some(steps),
        Err(e) => {
            let at = match e {
                StepError::Inverted(i) | StepError::CrossesThreshold(i) => format!("{path}.steps[{i}]"),
                _ => format!("{path}.steps"),
            };
            let hint = "bounds are relative to the alarm threshold, e.g. `[ { lower: 0, upper: 10, adjustment: 1 }, { lower: 10, adjustment: 3 } ]`";
            c.error(&at, &e.to_string(), Some(hint));
            None
        }
    };
    let aggregation = match p.metric_aggregation.unwrap_or(RawMetricAggregation::Average) {
        RawMetricAggregation::Average => MetricAggregation::Average,
        RawMetricAggregation::Minimum => MetricAggregation::Minimum,
        RawMetricAggregation::Maximum => MetricAggregation::Maximum,
    };
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
    })
}

fn scheduled(
    c: &mut Checker,
    path: &str,
    index: usize,
    r: &RawScheduledAction,
    duration: Option<SimDuration>,
) -> Option<ScheduledAction> {
    let when = match (&r.at, &r.cron) {
        (Some(at), None) => {
            super::timeline_time(c, &format!("{path}.at"), at, duration).map(|d| When::At(SimTime::ZERO + d))
        }
        (None, Some(cron)) => When::cron(cron)
            .map_err(|e| {
                let hint = "five fields, UTC, e.g. `0 9 * * MON-FRI` (minute hour day-of-month month day-of-week)";
                c.error(&format!("{path}.cron"), &format!("`{cron}` is not a cron expression: {e}"), Some(hint));
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
        Some(v) => c.int_in(&format!("{path}.{field}"), v, 0, MAX_CAPACITY).map(Some),
        None => Some(None),
    };
    let (min, max) = (bound(c, "min_capacity", r.min_capacity)?, bound(c, "max_capacity", r.max_capacity)?);
    match (min, max) {
        (None, None) => {
            c.error(path, "a scheduled action sets `min_capacity`, `max_capacity` or both", None);
            return None;
        }
        (Some(lo), Some(hi)) if lo > hi => {
            c.error(
                &format!("{path}.max_capacity"),
                &format!("min_capacity ({lo}) must be <= max_capacity ({hi})"),
                None,
            );
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
