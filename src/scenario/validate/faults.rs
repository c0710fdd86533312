//! `faults:` — the fault plan: each entry a timing (`at`, or `every` within `from`..`until`) and
//! exactly one kind of fault with its target.

use crate::scenario::path::Path;
use std::collections::BTreeMap;

use super::behaviour::MAX_EXIT_CODE;
use super::checker::Checker;
use super::names::{Checked, Names, Table};
use crate::capacity::{CapacityProvider, Instance, FARGATE, FARGATE_SPOT};
use crate::engine::{SimDuration, SimTime};
use crate::faults::{Amount, Fault, FaultKind, InstanceTarget, InstanceVictims, Target, Timing, Victims};
use crate::ids::{ProviderId, ServiceId};
use crate::scenario::diagnostics::suggestion;
use crate::scenario::schema::{
    RawAzOutage, RawCapacityProvider, RawFault, RawInstanceFault, RawScenario, RawSpotInterruption, RawTaskFault,
};
use crate::scenario::values::Scalar;

const KINDS: &str = "`stop_tasks`, `crash_tasks`, `fail_health_checks`, `terminate_instances`, `impair_instances`, \
                     `drain_instances`, `az_outage` or `spot_interruption`";

/// What fault entries may name.
struct Known<'a> {
    names: &'a Names,
    raw_providers: &'a BTreeMap<String, RawCapacityProvider>,
    /// The validated providers (a provider with an error of its own is missing).
    providers: &'a Checked<ProviderId, CapacityProvider>,
}

pub fn check(
    c: &mut Checker,
    names: &Names,
    raw: &RawScenario,
    providers: &Checked<ProviderId, CapacityProvider>,
    duration: Option<SimDuration>,
) -> Vec<Fault> {
    let known = Known { names, raw_providers: &raw.capacity_providers, providers };
    raw.faults
        .iter()
        .enumerate()
        .filter_map(|(i, f)| check_one(c, &Path::root("faults").index(i), f, &known, duration))
        .collect()
}

fn check_one(
    c: &mut Checker,
    path: &Path,
    raw: &RawFault,
    known: &Known,
    duration: Option<SimDuration>,
) -> Option<Fault> {
    let timing = timing(c, path, raw, duration);
    let given = [
        raw.stop_tasks.is_some(),
        raw.crash_tasks.is_some(),
        raw.fail_health_checks.is_some(),
        raw.terminate_instances.is_some(),
        raw.impair_instances.is_some(),
        raw.drain_instances.is_some(),
        raw.az_outage.is_some(),
        raw.spot_interruption.is_some(),
    ];
    let kind = match given.iter().filter(|g| **g).count() {
        0 => {
            c.error(path, "a fault needs a kind", Some(&format!("add one of {KINDS}")));
            None
        }
        1 => kind(c, path, raw, known),
        _ => {
            c.error(path, "a fault has exactly one kind", Some("split it into one entry per kind"));
            None
        }
    };
    Some(Fault { timing: timing?, kind: kind? })
}

/// The one kind of fault `raw` holds.
fn kind(c: &mut Checker, path: &Path, raw: &RawFault, known: &Known) -> Option<FaultKind> {
    if let Some(stop) = &raw.stop_tasks {
        return stop_tasks(c, &path.field("stop_tasks"), stop, &known.names.services);
    }
    if let Some(crash) = &raw.crash_tasks {
        return crash_tasks(c, &path.field("crash_tasks"), crash, &known.names.services);
    }
    if let Some(fail) = &raw.fail_health_checks {
        let path = path.field("fail_health_checks");
        for (field, given) in [("reason", fail.reason.is_some()), ("exit_code", fail.exit_code.is_some())] {
            if given {
                c.error(&path.field(field), &format!("a health check failure has no {field}"), None);
            }
        }
        let probes = fail.probes.unwrap_or_default();
        return target(c, &path, fail, &known.names.services)
            .map(|target| FaultKind::FailHealthChecks { target, probes });
    }
    if let Some(t) = &raw.terminate_instances {
        let path = path.field("terminate_instances");
        no_duration(c, &path, t, "an instance stays terminated: its group launches a replacement");
        return instance_target(c, &path, t, known).map(FaultKind::TerminateInstances);
    }
    if let Some(t) = &raw.impair_instances {
        let path = path.field("impair_instances");
        no_duration(
            c,
            &path,
            t,
            "an impaired instance is replaced by its group after `timing.impaired_instance_tolerance`",
        );
        return instance_target(c, &path, t, known).map(FaultKind::ImpairInstances);
    }
    if let Some(t) = &raw.drain_instances {
        let path = path.field("drain_instances");
        let duration = positive_duration(c, &path.field("for"), t.duration.as_ref());
        let target = instance_target(c, &path, t, known);
        return Some(FaultKind::DrainInstances { target: target?, duration: duration? });
    }
    if let Some(o) = &raw.az_outage {
        return az_outage(c, &path.field("az_outage"), o, known.names);
    }
    raw.spot_interruption.as_ref().and_then(|s| spot_interruption(c, &path.field("spot_interruption"), s, known))
}

fn stop_tasks(c: &mut Checker, path: &Path, stop: &RawTaskFault, services: &Table<ServiceId>) -> Option<FaultKind> {
    let target = target(c, path, stop, services);
    if stop.exit_code.is_some() {
        c.error(
            &path.field("exit_code"),
            "a stop has no exit code",
            Some("use `crash_tasks` for a container that exits"),
        );
    }
    no_probes(c, path, stop);
    let reason = stop.reason.clone().unwrap_or_else(|| "Task stopped by ecsim fault injection".to_string());
    target.map(|target| FaultKind::StopTasks { target, reason })
}

fn crash_tasks(c: &mut Checker, path: &Path, crash: &RawTaskFault, services: &Table<ServiceId>) -> Option<FaultKind> {
    let target = target(c, path, crash, services);
    if crash.reason.is_some() {
        c.error(
            &path.field("reason"),
            "a crash's reason is ECS's own (\"Essential container in task exited\")",
            Some("set `exit_code` instead"),
        );
    }
    no_probes(c, path, crash);
    let exit_code = c.int_in(&path.field("exit_code"), crash.exit_code.unwrap_or(1), 0, MAX_EXIT_CODE);
    Some(FaultKind::CrashTasks { target: target?, exit_code: exit_code? as i32 })
}

/// `probes` says how health checks fail: only `fail_health_checks` has it.
fn no_probes(c: &mut Checker, path: &Path, raw: &RawTaskFault) {
    if raw.probes.is_some() {
        c.error(&path.field("probes"), "only a health check failure has `probes`", Some("remove `probes`"));
    }
}

/// `at` once, or `every` (optionally within `from`..`until`); never both.
fn timing(c: &mut Checker, path: &Path, raw: &RawFault, duration: Option<SimDuration>) -> Option<Timing> {
    let time = |c: &mut Checker, field: &str, v: &Option<Scalar>| {
        v.as_ref().map(|v| super::timeline_time(c, &path.field(field), v, duration).map(|d| SimTime::ZERO + d))
    };
    let (from, until) = (time(c, "from", &raw.from), time(c, "until", &raw.until));
    match (&raw.at, &raw.every) {
        (Some(at), None) => {
            if raw.from.is_some() || raw.until.is_some() {
                c.error(path, "`from` and `until` go with `every`, not `at`", None);
                return None;
            }
            super::timeline_time(c, &path.field("at"), at, duration).map(|d| Timing::Once(SimTime::ZERO + d))
        }
        (None, Some(every)) => {
            let interval = c.distribution(&path.field("every"), every).filter(|d| {
                let mean = SimDuration::from_secs_f64(d.mean_secs());
                let why = "a fault firing more often would fire without end at one instant";
                c.at_least(&path.field("every"), mean, SimDuration::from_secs(1), why)
            });
            let from = from.unwrap_or(Some(SimTime::ZERO));
            let until = until.map_or(Some(None), |u| u.map(Some));
            if let (Some(f), Some(Some(u))) = (from, until) {
                if u < f {
                    c.error(&path.field("until"), "`until` must not come before `from`", None);
                    return None;
                }
            }
            Some(Timing::Every { interval: interval?, from: from?, until: until? })
        }
        (Some(_), Some(_)) => {
            c.error(path, "a fault fires `at` a time or `every` so often, not both", None);
            None
        }
        (None, None) => {
            c.error(
                path,
                "a fault needs `at` (once) or `every` (again and again)",
                Some("e.g. `at: 10m` or `every: { exponential: { mean: 30m } }`"),
            );
            None
        }
    }
}

/// `count` (default 1) or `fraction` (above 0, at most 1) of the candidates, `noun`.
fn amount(c: &mut Checker, path: &Path, count: Option<i64>, fraction: Option<f64>, noun: &str) -> Option<Amount> {
    match fraction {
        Some(f) if f > 0.0 && f <= 1.0 => Some(Amount::Fraction(f)),
        Some(f) => {
            c.error(
                &path.field("fraction"),
                &format!("{f} must be above 0 and at most 1"),
                Some(&format!("e.g. `fraction: 0.5` for half the {noun}")),
            );
            None
        }
        None => c.int_in(&path.field("count"), count.unwrap_or(1), 1, i64::from(u32::MAX)).map(Amount::Count),
    }
}

/// The service and which of its tasks: `count` (default 1), `fraction`, or `task: <service>-<n>`.
fn target(c: &mut Checker, path: &Path, raw: &RawTaskFault, services: &Table<ServiceId>) -> Option<Target> {
    let chosen = [raw.count.is_some(), raw.fraction.is_some(), raw.task.is_some()].iter().filter(|x| **x).count();
    if chosen > 1 {
        c.error(path, "give one of `count`, `fraction` or `task`", None);
        return None;
    }
    if let Some(task) = &raw.task {
        return named_task(c, &path.field("task"), task, raw.service.as_deref(), services);
    }
    let Some(name) = &raw.service else {
        c.error(path, "a fault needs a `service` (or a `task` by name)", Some("e.g. `service: web, count: 2`"));
        return None;
    };
    let service = services.resolve(c, &path.field("service"), name);
    let victims = amount(c, path, raw.count, raw.fraction, "running tasks").map(Victims::Amount);
    Some(Target { service: service?, victims: victims? })
}

/// `task: web-3`: the service's name, a dash, the task's ordinal.
fn named_task(
    c: &mut Checker,
    path: &Path,
    label: &str,
    service: Option<&str>,
    services: &Table<ServiceId>,
) -> Option<Target> {
    let parsed = label.rsplit_once('-').and_then(|(svc, n)| Some((svc, n.parse::<u32>().ok().filter(|n| *n > 0)?)));
    let Some((svc, ordinal)) = parsed else {
        c.error(
            path,
            &format!("`{label}` is not a task name"),
            Some("tasks are named <service>-<n>, e.g. `web-3`, as in events.jsonl"),
        );
        return None;
    };
    if service.is_some_and(|s| s != svc) {
        c.error(path, &format!("task `{label}` is not a task of service `{}`", service.unwrap_or_default()), None);
        return None;
    }
    let service = services.resolve(c, path, svc)?;
    Some(Target { service, victims: Victims::Task(ordinal) })
}

/// The EC2 instances an instance fault hits: of a `provider` and/or in a `zone`, `count`
/// (default 1) or a `fraction` of them; or one `instance` by name, alone.
fn instance_target(c: &mut Checker, path: &Path, raw: &RawInstanceFault, known: &Known) -> Option<InstanceTarget> {
    let chosen = [raw.count.is_some(), raw.fraction.is_some(), raw.instance.is_some()].iter().filter(|x| **x).count();
    if chosen > 1 {
        c.error(path, "give one of `count`, `fraction` or `instance`", None);
        return None;
    }
    if let Some(label) = &raw.instance {
        if raw.provider.is_some() || raw.zone.is_some() {
            c.error(
                path,
                "`instance` names one instance: it takes no `provider` or `zone`",
                Some("drop `provider` and `zone`, or pick with `count` or `fraction` instead"),
            );
            return None;
        }
        let Some(id) = Instance::parse_ec2_label(label) else {
            c.error(
                &path.field("instance"),
                &format!("`{label}` is not an EC2 instance name"),
                Some("instances are named i-<n> in the order they register, e.g. `i-00003`, as in events.jsonl"),
            );
            return None;
        };
        return Some(InstanceTarget { provider: None, zone: None, victims: InstanceVictims::Instance(id) });
    }
    let provider = raw.provider.as_ref().map(|p| group_ref(c, &path.field("provider"), p, known));
    let zone = raw.zone.as_ref().map(|z| known.names.zone(c, &path.field("zone"), z));
    let victims = amount(c, path, raw.count, raw.fraction, "instances").map(InstanceVictims::Amount);
    Some(InstanceTarget {
        provider: provider.map_or(Some(None), |p| p.map(Some))?,
        zone: zone.map_or(Some(None), |z| z.map(Some))?,
        victims: victims?,
    })
}

/// `for` is for drains only.
fn no_duration(c: &mut Checker, path: &Path, raw: &RawInstanceFault, why: &str) {
    if raw.duration.is_some() {
        c.error(&path.field("for"), "`for` only applies to `drain_instances` and `az_outage`", Some(why));
    }
}

/// An optional duration that must be above zero: `Some(None)` when absent, `None` when invalid.
fn positive_duration(c: &mut Checker, path: &Path, raw: Option<&Scalar>) -> Option<Option<SimDuration>> {
    match raw {
        None => Some(None),
        Some(v) => c.duration(path, v).filter(|d| c.positive(path, *d)).map(Some),
    }
}

fn az_outage(c: &mut Checker, path: &Path, raw: &RawAzOutage, names: &Names) -> Option<FaultKind> {
    let zone = names.zone(c, &path.field("zone"), &raw.zone);
    let duration = positive_duration(c, &path.field("for"), raw.duration.as_ref());
    Some(FaultKind::AzOutage { zone: zone?, duration: duration? })
}

fn spot_interruption(c: &mut Checker, path: &Path, raw: &RawSpotInterruption, known: &Known) -> Option<FaultKind> {
    let provider = spot_provider_ref(c, &path.field("provider"), &raw.provider, known);
    if raw.count.is_some() && raw.fraction.is_some() {
        c.error(path, "give one of `count` or `fraction`", None);
        return None;
    }
    let noun = "Spot tasks or instances";
    let amount = amount(c, path, raw.count, raw.fraction, noun);
    let unavailable_for = positive_duration(c, &path.field("unavailable_for"), raw.unavailable_for.as_ref());
    Some(FaultKind::SpotInterruption { provider: provider?, amount: amount?, unavailable_for: unavailable_for? })
}

/// The id of a declared provider; `None` silently if it has an error of its own (reported there).
fn declared(name: &str, known: &Known) -> Option<ProviderId> {
    known.names.providers.get(name).filter(|id| known.providers.get(*id).is_some())
}

/// An Auto Scaling group provider: the Fargate ones have no instances.
fn group_ref(c: &mut Checker, path: &Path, name: &str, known: &Known) -> Option<ProviderId> {
    let groups = || known.raw_providers.keys().map(String::as_str);
    if name == FARGATE || name == FARGATE_SPOT {
        let listed: Vec<String> = groups().map(|g| format!("`{g}`")).collect();
        let hint = if listed.is_empty() {
            "the scenario declares no Auto Scaling group provider".to_string()
        } else {
            format!("name an Auto Scaling group provider: {}", listed.join(", "))
        };
        c.error(path, &format!("`{name}` has no EC2 instances"), Some(&hint));
        return None;
    }
    if !known.raw_providers.contains_key(name) {
        c.error(path, &format!("unknown capacity provider `{name}`"), Some(&suggestion(name, groups())));
        return None;
    }
    declared(name, known)
}

/// FARGATE_SPOT or an Auto Scaling group of Spot instances.
fn spot_provider_ref(c: &mut Checker, path: &Path, name: &str, known: &Known) -> Option<ProviderId> {
    if name == FARGATE_SPOT {
        return declared(name, known);
    }
    if name == FARGATE {
        c.error(
            path,
            "FARGATE is On-Demand capacity: it has no Spot interruptions",
            Some("use `provider: FARGATE_SPOT`, or an Auto Scaling group provider with `purchase_option: spot`"),
        );
        return None;
    }
    let Some(raw) = known.raw_providers.get(name) else {
        let names = std::iter::once(FARGATE_SPOT).chain(known.raw_providers.keys().map(String::as_str));
        c.error(path, &format!("unknown capacity provider `{name}`"), Some(&suggestion(name, names)));
        return None;
    };
    if !raw.auto_scaling_group.may_have_spot() {
        c.error(
            path,
            &format!("capacity provider `{name}` has On-Demand instances: they get no Spot interruptions"),
            Some(&format!("set `purchase_option: spot` in capacity_providers.{name}.auto_scaling_group")),
        );
        return None;
    }
    declared(name, known)
}
