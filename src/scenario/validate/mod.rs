//! Raw scenario → typed [`Scenario`]. Every check runs and every problem is collected, so the
//! author fixes a file in one pass. Checks are grouped by the concept they validate; the shared
//! [`Checker`] turns durations, distributions and counts into typed values or diagnostics.

mod actions;
mod autoscaling;
mod behaviour;
mod capacity;
pub(super) mod checker;
mod deployment;
mod faults;
mod instance_types;
mod names;
mod placement;
mod pricing;
mod quotas;
mod services;
mod speeds;
mod stickiness;
mod task_definitions;
mod timing;
mod traffic;

use crate::scenario::path::Path;
use std::collections::BTreeSet;

use super::diagnostics::Diagnostic;
use super::schema::{RawDefaultStrategy, RawScenario};
use super::Scenario;
use crate::engine::{Calendar, SimDuration, START_TIME_FORMS};
use checker::Checker;
use names::Names;

/// Validates a parsed scenario; `default_name` names it when the file does not.
pub fn validate(raw: RawScenario, default_name: &str) -> Result<Scenario, Vec<Diagnostic>> {
    let mut c = Checker::default();
    // Before the checks that read dates: cron schedules, daily and weekly patterns, traces.
    c.calendar = check_start_time(&mut c, raw.start_time.as_ref());
    // First: capacity providers, prices and speeds look types up among them.
    c.defined_instance_types = instance_types::check(&mut c, &raw.instance_types);
    c.rejected_instance_types =
        raw.instance_types.keys().filter(|n| !c.defined_instance_types.contains_key(*n)).cloned().collect();
    let names = Names::new(&raw);
    let duration_path = Path::root("duration");
    let duration = c.duration(&duration_path, &raw.duration).filter(|d| c.positive(&duration_path, *d));
    c.run_end = duration;
    let zones = check_zones(&mut c, &raw.zones);
    let metrics_interval =
        raw.metrics.as_ref().and_then(|m| m.interval.as_ref()).map_or(Some(Scenario::DEFAULT_METRICS_INTERVAL), |i| {
            let path = Path::root("metrics").field("interval");
            let why = "a row per service every interval";
            c.duration(&path, i).filter(|d| c.at_least(&path, *d, SimDuration::from_secs(1), why))
        });
    let timing = timing::check(&mut c, raw.timing.as_ref());
    let task_definitions = task_definitions::check(&mut c, &names, &raw.task_definitions);
    let capacity_providers = capacity::check_providers(&mut c, &names, &raw.capacity_providers);
    let external_instances = capacity::check_external_fleets(&mut c, &raw.external_instances);
    // An `import:` is resolved into items before validation (or reported and dropped).
    let default_strategy = match &raw.default_capacity_provider_strategy {
        Some(RawDefaultStrategy::Items(s)) => {
            let path = Path::root("default_capacity_provider_strategy");
            capacity::check_strategy(&mut c, &names, &path, s, &capacity_providers)
        }
        Some(RawDefaultStrategy::Import { .. }) | None => None,
    };
    let (load_balancers, mut target_groups) = traffic::check_load_balancers(&mut c, &names, &raw.load_balancers);
    let known = services::Known {
        names: &names,
        task_definitions: &task_definitions,
        providers: &capacity_providers,
        default_strategy: default_strategy.as_ref(),
        target_groups: &target_groups,
    };
    let services = services::check_services(&mut c, &known, &raw.services);
    let traffic = traffic::check_traffic(&mut c, &names, raw.traffic.as_ref(), &load_balancers);
    stickiness::check_sticky_sources(&mut c, &names, raw.traffic.as_ref(), &load_balancers, &target_groups);
    let run_tasks = services::check_run_tasks(&mut c, &known, &raw.tasks);
    let faults = faults::check(&mut c, &names, &raw, &capacity_providers, duration);
    let actions = actions::check(&mut c, &raw.actions, &known, &services, duration);
    let pricing = pricing::check(&mut c, raw.pricing.as_ref());
    let speeds = speeds::check(&mut c, raw.speed.as_ref());
    let autoscaling = autoscaling::check(&mut c, &names, &raw, duration, &capacity_providers);
    traffic::attach_services(&mut c, &names, &mut target_groups, &services);
    quotas::check(&mut c, capacity_providers.iter().map(|(_, p)| p), &external_instances, raw.services.len());

    let notes = c.take_notes();
    let calendar = c.calendar;
    let scenario = move || {
        Some(Scenario {
            name: raw.name.unwrap_or_else(|| default_name.to_string()),
            seed: raw.seed.unwrap_or(Scenario::DEFAULT_SEED),
            duration: duration?,
            calendar,
            zones,
            metrics_interval: metrics_interval?,
            timing: timing?,
            task_definitions: task_definitions.into_complete()?,
            capacity_providers: capacity_providers.into_complete()?,
            external_instances,
            services: services.into_complete()?,
            run_tasks,
            faults,
            actions,
            imported_files: Vec::new(),
            trace_files: Vec::new(),
            notes,
            pricing,
            speeds,
            load_balancers: load_balancers.into_complete()?,
            target_groups: target_groups.into_complete()?,
            traffic: traffic?,
            autoscaling: autoscaling?,
        })
    };
    c.into_result().map(|()| scenario().expect("a missing value always comes with a diagnostic"))
}

/// `start_time:`: a bad one is reported, and the run then has no calendar.
fn check_start_time(c: &mut Checker, raw: Option<&super::values::Scalar>) -> Calendar {
    let Some(raw) = raw else { return Calendar::NONE };
    Calendar::parse(&raw.0).unwrap_or_else(|| {
        let hint = format!("write an RFC 3339 date and time, in UTC or with an offset: {START_TIME_FORMS}");
        c.error(&Path::root("start_time"), &format!("`{raw}` is not a date and time"), Some(&hint));
        Calendar::NONE
    })
}

fn check_zones(c: &mut Checker, zones: &[String]) -> Vec<String> {
    if zones.is_empty() {
        c.error(
            &Path::root("zones"),
            "the cluster needs at least one availability zone",
            Some("e.g. `zones: [us-east-1a, us-east-1b]`"),
        );
    }
    let mut seen = BTreeSet::new();
    for (i, z) in zones.iter().enumerate() {
        if !seen.insert(z) {
            c.error(&Path::root("zones").index(i), &format!("zone `{z}` is listed twice"), None);
        }
    }
    zones.to_vec()
}

/// A time on the timeline (`at:`), which must fall within the run.
fn timeline_time(
    c: &mut Checker,
    path: &Path,
    raw: &super::values::Scalar,
    duration: Option<SimDuration>,
) -> Option<SimDuration> {
    let at = c.duration(path, raw)?;
    if let Some(end) = duration.filter(|end| at > *end) {
        c.error(path, &format!("{at} is after the end of the run ({end})"), None);
    }
    Some(at)
}
