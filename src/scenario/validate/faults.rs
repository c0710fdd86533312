//! `faults:` — the fault plan: each entry a time and exactly one kind of fault.

use std::collections::BTreeMap;

use super::checker::Checker;
use crate::engine::{SimDuration, SimTime};
use crate::faults::{Fault, FaultKind};
use crate::scenario::schema::{RawFault, RawService};

const KINDS: &str = "`stop_tasks`";

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
    let at = super::timeline_time(c, &format!("{path}.at"), &raw.at, duration);
    let Some(stop) = &raw.stop_tasks else {
        c.error(path, "a fault needs a kind", Some(&format!("add one of {KINDS}")));
        return None;
    };
    let spath = format!("{path}.stop_tasks");
    let service = super::service_ref(c, &format!("{spath}.service"), &stop.service, services);
    let count = c.int_in(&format!("{spath}.count"), stop.count.unwrap_or(1), 1, i64::from(u32::MAX));
    let reason = stop.reason.clone().unwrap_or_else(|| "Task stopped by ecsim fault injection".to_string());
    Some(Fault { at: SimTime::ZERO + at?, kind: FaultKind::StopTasks { service: service?, count: count?, reason } })
}
