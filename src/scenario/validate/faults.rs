//! `faults:` — the fault plan: each entry a timing (`at`, or `every` within `from`..`until`) and
//! exactly one kind of fault with its target.

use std::collections::BTreeMap;

use super::checker::Checker;
use crate::engine::{SimDuration, SimTime};
use crate::faults::{Fault, FaultKind, Target, Timing, Victims};
use crate::scenario::schema::{RawFault, RawService, RawTaskFault};

const KINDS: &str = "`stop_tasks` or `crash_tasks`";
/// Docker's exit codes are 0 to 255.
const MAX_EXIT_CODE: i64 = 255;

pub fn check(
    c: &mut Checker,
    raw: &[RawFault],
    services: &BTreeMap<String, RawService>,
    duration: Option<SimDuration>,
) -> Vec<Fault> {
    raw.iter().enumerate().filter_map(|(i, f)| check_one(c, &format!("faults[{i}]"), f, services, duration)).collect()
}

fn check_one(
    c: &mut Checker,
    path: &str,
    raw: &RawFault,
    services: &BTreeMap<String, RawService>,
    duration: Option<SimDuration>,
) -> Option<Fault> {
    let timing = timing(c, path, raw, duration);
    let kind = match (&raw.stop_tasks, &raw.crash_tasks) {
        (Some(stop), None) => {
            let target = target(c, &format!("{path}.stop_tasks"), stop, services);
            if stop.exit_code.is_some() {
                c.error(
                    &format!("{path}.stop_tasks.exit_code"),
                    "a stop has no exit code",
                    Some("use `crash_tasks` for a container that exits"),
                );
            }
            let reason = stop.reason.clone().unwrap_or_else(|| "Task stopped by ecsim fault injection".to_string());
            target.map(|target| FaultKind::StopTasks { target, reason })
        }
        (None, Some(crash)) => {
            let target = target(c, &format!("{path}.crash_tasks"), crash, services);
            if crash.reason.is_some() {
                c.error(
                    &format!("{path}.crash_tasks.reason"),
                    "a crash's reason is ECS's own (\"Essential container in task exited\")",
                    Some("set `exit_code` instead"),
                );
            }
            let exit_code =
                c.int_in(&format!("{path}.crash_tasks.exit_code"), crash.exit_code.unwrap_or(1), 0, MAX_EXIT_CODE);
            match (target, exit_code) {
                (Some(target), Some(code)) => Some(FaultKind::CrashTasks { target, exit_code: code as i32 }),
                _ => None,
            }
        }
        (None, None) => {
            c.error(path, "a fault needs a kind", Some(&format!("add one of {KINDS}")));
            None
        }
        (Some(_), Some(_)) => {
            c.error(path, "a fault has exactly one kind", Some("split it into two entries"));
            None
        }
    };
    Some(Fault { timing: timing?, kind: kind? })
}

/// `at` once, or `every` (optionally within `from`..`until`); never both.
fn timing(c: &mut Checker, path: &str, raw: &RawFault, duration: Option<SimDuration>) -> Option<Timing> {
    let time = |c: &mut Checker, field: &str, v: &Option<crate::scenario::values::Scalar>| {
        v.as_ref().map(|v| super::timeline_time(c, &format!("{path}.{field}"), v, duration).map(|d| SimTime::ZERO + d))
    };
    let (from, until) = (time(c, "from", &raw.from), time(c, "until", &raw.until));
    match (&raw.at, &raw.every) {
        (Some(at), None) => {
            if raw.from.is_some() || raw.until.is_some() {
                c.error(path, "`from` and `until` go with `every`, not `at`", None);
                return None;
            }
            super::timeline_time(c, &format!("{path}.at"), at, duration).map(|d| Timing::Once(SimTime::ZERO + d))
        }
        (None, Some(every)) => {
            let interval = c.distribution(&format!("{path}.every"), every);
            let from = from.unwrap_or(Some(SimTime::ZERO));
            let until = until.map_or(Some(None), |u| u.map(Some));
            if let (Some(f), Some(Some(u))) = (from, until) {
                if u < f {
                    c.error(&format!("{path}.until"), "`until` must not come before `from`", None);
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

/// The service and which of its tasks: `count` (default 1), `fraction`, or `task: <service>-<n>`.
fn target(c: &mut Checker, path: &str, raw: &RawTaskFault, services: &BTreeMap<String, RawService>) -> Option<Target> {
    let chosen = [raw.count.is_some(), raw.fraction.is_some(), raw.task.is_some()].iter().filter(|x| **x).count();
    if chosen > 1 {
        c.error(path, "give one of `count`, `fraction` or `task`", None);
        return None;
    }
    if let Some(task) = &raw.task {
        return named_task(c, &format!("{path}.task"), task, raw.service.as_deref(), services);
    }
    let Some(name) = &raw.service else {
        c.error(path, "a fault needs a `service` (or a `task` by name)", Some("e.g. `service: web, count: 2`"));
        return None;
    };
    let service = super::service_ref(c, &format!("{path}.service"), name, services);
    let victims = match raw.fraction {
        Some(f) if f > 0.0 && f <= 1.0 => Some(Victims::Fraction(f)),
        Some(f) => {
            c.error(
                &format!("{path}.fraction"),
                &format!("{f} must be above 0 and at most 1"),
                Some("e.g. `fraction: 0.5` for half the running tasks"),
            );
            None
        }
        None => c.int_in(&format!("{path}.count"), raw.count.unwrap_or(1), 1, i64::from(u32::MAX)).map(Victims::Count),
    };
    Some(Target { service: service?, victims: victims? })
}

/// `task: web-3`: the service's name, a dash, the task's ordinal.
fn named_task(
    c: &mut Checker,
    path: &str,
    label: &str,
    service: Option<&str>,
    services: &BTreeMap<String, RawService>,
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
    let service = super::service_ref(c, path, svc, services)?;
    Some(Target { service, victims: Victims::Task(ordinal) })
}
