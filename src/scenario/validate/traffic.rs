//! `load_balancers:`, a service's `load_balancer` and `requests`, and `traffic:` — with AWS's
//! ranges for every target group setting (aws-behaviour.md §9).

use std::collections::BTreeMap;

use super::checker::Checker;
use super::names::{Checked, Names};
use crate::engine::SimDuration;
use crate::ids::{LoadBalancerId, ServiceId, TargetGroupId};
use crate::scenario::path::Path;
use crate::scenario::schema::{
    RawLoadBalancer, RawMinimumHealthyTargets, RawRequestModel, RawTargetGroup, RawTargetGroupHealth,
    RawTargetHealthCheck, RawTraffic,
};
use crate::scenario::values::Scalar;
use crate::service::ServiceSpec;
use crate::traffic::matcher::Matcher;
use crate::traffic::server::Concurrency;
use crate::traffic::spec::{
    LoadBalancerSpec, RequestModel, SourceSpec, TargetGroupSpec, TrafficSpec, DEFAULT_IDLE_TIMEOUT,
    DEFAULT_QUIET_TOLERANCE, DEFAULT_STEP, MAX_QUIET_TOLERANCE,
};
use crate::traffic::target_group::{
    Algorithm, HealthCheck, HealthCheckPort, InitialChecks, MinimumHealthyTargets, TargetGroupConfig, TargetGroupHealth,
};

/// AWS's bounds on target group and load balancer settings, in seconds.
const HEALTH_CHECK_INTERVAL: (u64, u64) = (5, 300);
const HEALTH_CHECK_TIMEOUT: (u64, u64) = (2, 120);
const THRESHOLD: (i64, i64) = (2, 10);
const DEREGISTRATION_DELAY_MAX: u64 = 3_600;
const SLOW_START: (u64, u64) = (30, 900);
const IDLE_TIMEOUT: (u64, u64) = (1, 4_000);
/// `HealthCheckPath` is at most 1024 characters.
const MAX_PATH: usize = 1024;
/// A weighted forward action takes weights 0-999.
const MAX_WEIGHT: i64 = 999;

/// The load balancers and their target groups; target groups are numbered across load
/// balancers, in name order within each.
pub fn check_load_balancers(
    c: &mut Checker,
    names: &Names,
    raw: &BTreeMap<String, RawLoadBalancer>,
) -> (Checked<LoadBalancerId, LoadBalancerSpec>, Checked<TargetGroupId, TargetGroupSpec>) {
    let mut balancers = Checked::new(&names.load_balancers);
    let mut groups = Checked::new(&names.target_groups);
    for (name, lb) in raw {
        let path = Path::root("load_balancers").key(name);
        let Some(id) = names.load_balancers.get(name) else { continue };
        let mut forward = Vec::new();
        for (tg_name, tg) in &lb.target_groups {
            let tg_path = path.field("target_groups").key(tg_name);
            let Some(tg_id) = names.target_group_of(id, tg_name) else { continue };
            if let Some(first) = names.target_groups.get(tg_name).filter(|first| *first != tg_id) {
                let other = names.load_balancers.name(names.target_group_owner(first));
                c.error(
                    &tg_path,
                    &format!("target group `{tg_name}` is also declared under load balancer `{other}`"),
                    Some("target group names must be unique: services refer to them by name"),
                );
                continue;
            }
            let weight = tg.weight.map_or(Some(1), |w| c.int_in(&tg_path.field("weight"), w, 0, MAX_WEIGHT));
            let config = target_group_config(c, &tg_path, tg);
            if let (Some(weight), Some(config)) = (weight, config) {
                forward.push((tg_id, weight));
                groups.set(tg_id, TargetGroupSpec { name: tg_name.clone(), load_balancer: id, config, service: None });
            }
        }
        check_forward(c, &path, lb, &forward);
        let idle_timeout = lb
            .idle_timeout
            .as_ref()
            .map_or(Some(DEFAULT_IDLE_TIMEOUT), |t| seconds_in(c, &path.field("idle_timeout"), t, IDLE_TIMEOUT));
        if let Some(idle_timeout) = idle_timeout {
            balancers.set(id, LoadBalancerSpec { name: name.clone(), idle_timeout, target_groups: forward });
        }
    }
    (balancers, groups)
}

/// A listener must forward somewhere: at least one target group, and not every weight 0.
fn check_forward(c: &mut Checker, path: &Path, lb: &RawLoadBalancer, forward: &[(TargetGroupId, u32)]) {
    if lb.target_groups.is_empty() {
        c.error(
            &path.field("target_groups"),
            "a load balancer needs at least one target group to forward to",
            Some("e.g. `target_groups: { web-tg: {} }`"),
        );
    } else if !forward.is_empty() && forward.iter().all(|(_, w)| *w == 0) {
        c.error(&path.field("target_groups"), "every target group has weight 0", Some("give one a weight > 0"));
    }
}

fn target_group_config(c: &mut Checker, path: &Path, raw: &RawTargetGroup) -> Option<TargetGroupConfig> {
    let defaults = TargetGroupConfig::default();
    let algorithm = raw.algorithm.unwrap_or(defaults.algorithm);
    let slow_start = raw.slow_start.as_ref().map_or(Some(SimDuration::ZERO), |s| slow_start(c, path, s));
    if algorithm == Algorithm::LeastOutstandingRequests && slow_start.is_some_and(|s| !s.is_zero()) {
        c.error(
            &path.field("slow_start"),
            "slow start cannot be combined with least_outstanding_requests",
            Some("use round_robin or weighted_random, or remove `slow_start`"),
        );
    }
    let delay = raw.deregistration_delay.as_ref().map_or(Some(defaults.deregistration_delay), |d| {
        seconds_in(c, &path.field("deregistration_delay"), d, (0, DEREGISTRATION_DELAY_MAX))
    });
    let health_check = raw.health_check.as_ref().map_or(Some((defaults.health_check, defaults.initial_checks)), |h| {
        health_check(c, &path.field("health_check"), h, defaults.initial_checks)
    });
    let group_health = raw
        .target_group_health
        .as_ref()
        .map_or(Some(defaults.target_group_health), |h| target_group_health(c, &path.field("target_group_health"), h));
    let stickiness = super::stickiness::check(c, path, raw.stickiness.as_ref());
    let (health_check, initial_checks) = health_check?;
    Some(TargetGroupConfig {
        algorithm,
        health_check,
        deregistration_delay: delay?,
        slow_start: slow_start?,
        cross_zone: raw.cross_zone.unwrap_or(defaults.cross_zone),
        initial_checks,
        target_group_health: group_health?,
        stickiness: stickiness?,
    })
}

/// `target_group_health`: each action's threshold; DNS failover's must not be below routing
/// failover's (AWS: so that DNS fails over at or before routing fails open).
fn target_group_health(c: &mut Checker, path: &Path, raw: &RawTargetGroupHealth) -> Option<TargetGroupHealth> {
    let defaults = TargetGroupHealth::default();
    let mut action = |field: &str, given: Option<&crate::scenario::schema::RawHealthAction>, default| {
        let path = path.field(field).field("minimum_healthy_targets");
        given.map_or(Some(default), |a| minimum_healthy_targets(c, &path, &a.minimum_healthy_targets))
    };
    let routing =
        action("unhealthy_state_routing", raw.unhealthy_state_routing.as_ref(), defaults.unhealthy_state_routing);
    let dns = action("dns_failover", raw.dns_failover.as_ref(), defaults.dns_failover);
    let (routing, dns) = (routing?, dns?);
    let below = |d: Option<u32>, r: Option<u32>| d.zip(r).is_some_and(|(d, r)| d < r);
    if raw.dns_failover.is_some() && (below(dns.count, routing.count) || below(dns.percentage, routing.percentage)) {
        c.error(
            &path.field("dns_failover"),
            "the DNS failover threshold must be at least the unhealthy state routing one",
            Some("AWS requires it, so that DNS fails over at or before routing fails open"),
        );
        return None;
    }
    Some(TargetGroupHealth { unhealthy_state_routing: routing, dns_failover: dns })
}

/// `count` (1 or more) and `percentage` (1-100), each a number or `off`; at least one on.
fn minimum_healthy_targets(
    c: &mut Checker,
    path: &Path,
    raw: &RawMinimumHealthyTargets,
) -> Option<MinimumHealthyTargets> {
    let part = |c: &mut Checker, field: &str, value: Option<&Scalar>, max: i64| match value.map(|s| s.0.as_str()) {
        None | Some("off") => Some(None),
        Some(text) => match text.parse::<i64>() {
            Ok(n) => c.int_in(&path.field(field), n, 1, max).map(Some),
            Err(_) => {
                c.error(&path.field(field), &format!("`{text}` is not a number"), Some("write a number or `off`"));
                None
            }
        },
    };
    let count = part(c, "count", raw.count.as_ref(), i64::from(u32::MAX));
    let percentage = part(c, "percentage", raw.percentage.as_ref(), 100);
    Some(MinimumHealthyTargets { count: count?, percentage: percentage? })
}

/// `slow_start`: 0 (off) or 30s to 900s.
fn slow_start(c: &mut Checker, path: &Path, raw: &Scalar) -> Option<SimDuration> {
    let path = path.field("slow_start");
    let d = c.duration(&path, raw)?;
    if d.is_zero() {
        return Some(d);
    }
    seconds_within(c, &path, d, SLOW_START)
}

fn health_check(
    c: &mut Checker,
    path: &Path,
    raw: &RawTargetHealthCheck,
    default_initial: InitialChecks,
) -> Option<(HealthCheck, InitialChecks)> {
    let d = HealthCheck::default();
    let interval = raw
        .interval
        .as_ref()
        .map_or(Some(d.interval), |s| seconds_in(c, &path.field("interval"), s, HEALTH_CHECK_INTERVAL));
    let timeout = raw
        .timeout
        .as_ref()
        .map_or(Some(d.timeout), |s| seconds_in(c, &path.field("timeout"), s, HEALTH_CHECK_TIMEOUT));
    let threshold = |c: &mut Checker, field: &str, value: Option<i64>, default: u32| {
        value.map_or(Some(default), |v| c.int_in(&path.field(field), v, THRESHOLD.0, THRESHOLD.1))
    };
    let healthy = threshold(c, "healthy_threshold", raw.healthy_threshold, d.healthy_threshold);
    let unhealthy = threshold(c, "unhealthy_threshold", raw.unhealthy_threshold, d.unhealthy_threshold);
    let matcher = matcher(c, &path.field("matcher"), raw.matcher.as_ref());
    let probe_path = probe_path(c, &path.field("path"), raw.path.as_deref());
    let port = port(c, &path.field("port"), raw.port.as_ref());
    let (interval, timeout) = (interval?, timeout?);
    if timeout >= interval {
        c.error(
            &path.field("timeout"),
            &format!("the timeout ({timeout}) must be shorter than the interval ({interval})"),
            Some("AWS rejects a health check whose timeout is not below its interval"),
        );
        return None;
    }
    let initial = raw.initial_checks.unwrap_or(default_initial);
    let check = HealthCheck {
        interval,
        timeout,
        healthy_threshold: healthy?,
        unhealthy_threshold: unhealthy?,
        matcher: matcher?,
        path: probe_path?,
        port: port?,
    };
    Some((check, initial))
}

/// `matcher`: AWS's success codes, 200-499 (see [`Matcher::parse`]).
fn matcher(c: &mut Checker, path: &Path, raw: Option<&Scalar>) -> Option<Matcher> {
    let Some(Scalar(text)) = raw else { return Some(Matcher::default()) };
    Matcher::parse(text)
        .map_err(|why| c.error(path, &why, Some("write codes as AWS does: `200`, `200,202` or `200-299`")))
        .ok()
}

/// `path`: begins with `/`, at most 1024 characters.
fn probe_path(c: &mut Checker, path: &Path, raw: Option<&str>) -> Option<String> {
    let Some(text) = raw else { return Some("/".to_string()) };
    if !text.starts_with('/') || text.len() > MAX_PATH {
        c.error(path, &format!("`{text}` must begin with `/` and be at most {MAX_PATH} characters"), None);
        return None;
    }
    Some(text.to_string())
}

/// `port`: `traffic-port` or 1-65535.
fn port(c: &mut Checker, path: &Path, raw: Option<&Scalar>) -> Option<HealthCheckPort> {
    match raw.map(|s| s.0.as_str()) {
        None | Some("traffic-port") => Some(HealthCheckPort::TrafficPort),
        Some(text) => match text.parse::<u16>() {
            Ok(p) if p > 0 => Some(HealthCheckPort::Port(p)),
            _ => {
                c.error(
                    path,
                    &format!("`{text}` is not a port"),
                    Some("write `traffic-port` or a number from 1 to 65535"),
                );
                None
            }
        },
    }
}

/// A service's `requests:` model; the default one when absent.
pub fn check_request_model(c: &mut Checker, path: &Path, raw: Option<&RawRequestModel>) -> Option<RequestModel> {
    let Some(raw) = raw else { return Some(RequestModel::default()) };
    let cpu_time = c.distribution(&path.field("cpu_time"), &raw.cpu_time);
    let io_wait = match &raw.io_wait {
        Some(d) => c.distribution(&path.field("io_wait"), d).map(Some),
        None => Some(None),
    };
    let memory_per_request = raw.memory_per_request.map_or(Some(0.0), |m| {
        let ok = m.is_finite() && m >= 0.0;
        if !ok {
            c.error(&path.field("memory_per_request"), &format!("{m} must be a number of MiB >= 0"), None);
        }
        ok.then_some(m)
    });
    let concurrency = match (raw.workers, raw.queue) {
        (None, None) => Some(Concurrency::ProcessorSharing),
        (None, Some(_)) => {
            c.error(
                &path.field("queue"),
                "a queue needs `workers`: with processor sharing every request is served at once",
                Some("add `workers: N`, or remove `queue`"),
            );
            None
        }
        (Some(w), queue) => {
            let count = c.int_in(&path.field("workers"), w, 1, i64::from(u32::MAX));
            let queue = match queue {
                Some(q) => c.count(&path.field("queue"), q).map(Some),
                None => Some(None),
            };
            count.zip(queue).map(|(count, queue)| Concurrency::Workers { count, queue })
        }
    };
    let timeout = match &raw.timeout {
        Some(t) => c.duration(&path.field("timeout"), t).filter(|d| c.positive(&path.field("timeout"), *d)).map(Some),
        None => Some(None),
    };
    Some(RequestModel {
        cpu_time: cpu_time?,
        io_wait: io_wait?,
        memory_per_request: memory_per_request?,
        concurrency: concurrency?,
        timeout: timeout?,
    })
}

/// The target group a service's `load_balancer` names, with "did you mean" when there is none;
/// `None` silently for a declared one with problems of its own (reported there).
pub fn target_group_ref(
    c: &mut Checker,
    path: &Path,
    name: &str,
    names: &Names,
    groups: &Checked<TargetGroupId, TargetGroupSpec>,
) -> Option<TargetGroupId> {
    let Some(id) = names.target_groups.get(name) else {
        let hint = names.target_groups.suggest(name);
        c.error(
            path,
            &format!("unknown target group `{name}`"),
            Some(&format!("{hint} (declared under `load_balancers.<name>.target_groups`)")),
        );
        return None;
    };
    groups.get(id).map(|_| id)
}

/// Records which service each target group serves: one service per target group, so that its
/// metrics are the service's.
pub fn attach_services(
    c: &mut Checker,
    names: &Names,
    groups: &mut Checked<TargetGroupId, TargetGroupSpec>,
    services: &Checked<ServiceId, ServiceSpec>,
) {
    for (id, spec) in services.iter() {
        let mine = [(spec.target_group, "load_balancer"), (spec.alternate_target_group, "alternate_target_group")];
        for (tg, field) in mine {
            let Some(group) = tg.and_then(|tg| groups.get_mut(tg)) else { continue };
            match group.service {
                None => group.service = Some(id),
                Some(other) => c.error(
                    &Path::root("services").key(&spec.name).field(field),
                    &format!("target group `{}` already serves service `{}`", group.name, names.services.name(other)),
                    Some("ecsim gives each target group to one service; declare another target group"),
                ),
            }
        }
    }
}

/// `traffic:`: the fidelity, the step and the sources.
pub fn check_traffic(
    c: &mut Checker,
    names: &Names,
    raw: Option<&RawTraffic>,
    balancers: &Checked<LoadBalancerId, LoadBalancerSpec>,
) -> Option<TrafficSpec> {
    let Some(raw) = raw else { return Some(TrafficSpec::default()) };
    let fidelity = raw.fidelity.unwrap_or(TrafficSpec::default().fidelity);
    let step = raw.step.as_ref().map_or(Some(DEFAULT_STEP), |s| {
        let path = Path::root("traffic").field("step");
        let why = "every source's rate is read, and the fluid model steps, every step";
        c.duration(&path, s).filter(|d| c.at_least(&path, *d, SimDuration::from_millis(10), why))
    });
    let quiet_tolerance = raw.quiet_tolerance.map_or(Some(DEFAULT_QUIET_TOLERANCE), |t| {
        let ok = t.is_finite() && (0.0..=MAX_QUIET_TOLERANCE).contains(&t);
        if !ok {
            let path = Path::root("traffic").field("quiet_tolerance");
            let message = format!("{t} must be a fraction from 0 to {MAX_QUIET_TOLERANCE}");
            c.error(&path, &message, Some("0.01 merges steps whose loads move less than 1 %; 0 computes every step"));
        }
        ok.then_some(t)
    });
    // A source with a problem is left out: its problem is reported here, or by the trace
    // reading in `load` (which fails the load even when validation passes).
    let mut sources = Vec::new();
    for (i, source) in raw.sources.iter().enumerate() {
        let path = Path::root("traffic").field("sources").index(i);
        let lb = names.load_balancers.resolve(c, &path.field("to"), &source.to);
        let rate = crate::scenario::rate::check(c, &path.field("rate"), &source.rate);
        let clients = super::stickiness::clients(c, &path, source.clients);
        if let (Some(load_balancer), Some(rate), Some(clients)) =
            (lb.filter(|l| balancers.get(*l).is_some()), rate, clients)
        {
            sources.push(SourceSpec { load_balancer, rate, clients });
        }
    }
    Some(TrafficSpec { fidelity, step: step?, quiet_tolerance: quiet_tolerance?, sources })
}

/// A whole number of seconds within AWS's `(min, max)` range.
fn seconds_in(c: &mut Checker, path: &Path, raw: &Scalar, range: (u64, u64)) -> Option<SimDuration> {
    let d = c.duration(path, raw)?;
    seconds_within(c, path, d, range)
}

fn seconds_within(c: &mut Checker, path: &Path, d: SimDuration, (min, max): (u64, u64)) -> Option<SimDuration> {
    let whole = d.as_micros() % 1_000_000 == 0;
    let inside = d >= SimDuration::from_secs(min) && d <= SimDuration::from_secs(max);
    if !whole || !inside {
        c.error(path, &format!("{d} must be a whole number of seconds between {min}s and {max}s"), None);
        return None;
    }
    Some(d)
}
