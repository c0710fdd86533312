//! `actions:` — operator actions on the timeline, each a time and exactly one kind.

use std::collections::BTreeMap;

use super::checker::Checker;
use crate::engine::{SimDuration, SimTime};
use crate::scenario::schema::{RawAction, RawService};
use crate::service::{Action, ActionKind};

const MAX_DESIRED_COUNT: i64 = 5_000;

pub fn check(
    c: &mut Checker,
    raw: &[RawAction],
    services: &BTreeMap<String, RawService>,
    duration: Option<SimDuration>,
) -> Vec<Action> {
    raw.iter().enumerate().filter_map(|(i, a)| check_one(c, &format!("actions[{i}]"), a, services, duration)).collect()
}

fn check_one(
    c: &mut Checker,
    path: &str,
    raw: &RawAction,
    services: &BTreeMap<String, RawService>,
    duration: Option<SimDuration>,
) -> Option<Action> {
    let at = super::timeline_time(c, &format!("{path}.at"), &raw.at, duration);
    let Some(update) = &raw.update_service else {
        c.error(path, "an action needs a kind", Some("add `update_service: { service, desired_count }`"));
        return None;
    };
    let upath = format!("{path}.update_service");
    let service = super::service_ref(c, &format!("{upath}.service"), &update.service, services);
    let count = c.int_in(&format!("{upath}.desired_count"), update.desired_count, 0, MAX_DESIRED_COUNT);
    Some(Action {
        at: SimTime::ZERO + at?,
        kind: ActionKind::UpdateService { service: service?, desired_count: count? },
    })
}
