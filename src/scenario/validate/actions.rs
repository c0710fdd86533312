//! `actions:` — operator actions on the timeline, each a time and exactly one kind:
//! `update_service` (a new desired count) or `deploy` (a new task definition revision).

use super::checker::Checker;
use super::names::Checked;
use super::services::{check_deploy, Known};
use crate::engine::{SimDuration, SimTime};
use crate::ids::ServiceId;
use crate::scenario::path::Path;
use crate::scenario::schema::RawAction;
use crate::service::{Action, ActionKind, ServiceSpec};

const MAX_DESIRED_COUNT: i64 = super::quotas::TASKS_PER_SERVICE;

pub fn check(
    c: &mut Checker,
    raw: &[RawAction],
    known: &Known,
    services: &Checked<ServiceId, ServiceSpec>,
    duration: Option<SimDuration>,
) -> Vec<Action> {
    raw.iter()
        .enumerate()
        .filter_map(|(i, a)| check_one(c, &Path::root("actions").index(i), a, (known, services), duration))
        .collect()
}

fn check_one(
    c: &mut Checker,
    path: &Path,
    raw: &RawAction,
    (known, services): (&Known, &Checked<ServiceId, ServiceSpec>),
    duration: Option<SimDuration>,
) -> Option<Action> {
    let at = super::timeline_time(c, &path.field("at"), &raw.at, duration);
    let kind = match (&raw.update_service, &raw.deploy) {
        (Some(update), None) => {
            let upath = path.field("update_service");
            let service = known.names.services.resolve(c, &upath.field("service"), &update.service);
            let count = c.int_in(&upath.field("desired_count"), update.desired_count, 0, MAX_DESIRED_COUNT);
            ActionKind::UpdateService { service: service?, desired_count: count? }
        }
        (None, Some(deploy)) => {
            let dpath = path.field("deploy");
            let service = known.names.services.resolve(c, &dpath.field("service"), &deploy.service)?;
            let spec = services.get(service)?;
            let task_definition = check_deploy(c, known, &dpath, spec, &deploy.task_definition)?;
            ActionKind::Deploy { service, task_definition }
        }
        (None, None) => {
            c.error(
                path,
                "an action needs a kind",
                Some("add `update_service: { service, desired_count }` or `deploy: { service, task_definition }`"),
            );
            return None;
        }
        (Some(_), Some(_)) => {
            c.error(path, "an action has exactly one kind", Some("split it into two entries at the same time"));
            return None;
        }
    };
    Some(Action { at: SimTime::ZERO + at?, kind })
}
