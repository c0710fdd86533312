//! Raw scenario → typed [`Scenario`]. Every check runs and every problem is collected, so the
//! author fixes a file in one pass. Checks are grouped by the concept they validate; the shared
//! [`Checker`] turns durations, distributions and counts into typed values or diagnostics.

mod actions;
mod autoscaling;
mod behaviour;
mod capacity;
mod checker;
mod faults;
mod placement;
mod pricing;
mod rate;
mod services;
mod task_definitions;
mod timing;
mod traffic;

use crate::scenario::path::Path;
use std::collections::BTreeSet;

use super::diagnostics::Diagnostic;
use super::schema::RawScenario;
use super::Scenario;
use crate::engine::SimDuration;
use crate::ids::ZoneId;
use checker::Checker;

/// CloudWatch's metric period, and metrics.csv's default interval.
const DEFAULT_METRICS_INTERVAL: SimDuration = SimDuration::from_secs(60);
const DEFAULT_SEED: u64 = 1;

/// Validates a parsed scenario; `default_name` names it when the file does not.
pub fn validate(raw: RawScenario, default_name: &str) -> Result<Scenario, Vec<Diagnostic>> {
    let mut c = Checker::default();
    let duration_path = Path::root("duration");
    let duration = c.duration(&duration_path, &raw.duration).filter(|d| c.positive(&duration_path, *d));
    let zones = check_zones(&mut c, &raw.zones);
    let metrics_interval =
        raw.metrics.as_ref().and_then(|m| m.interval.as_ref()).map_or(Some(DEFAULT_METRICS_INTERVAL), |i| {
            let path = Path::root("metrics").field("interval");
            c.duration(&path, i).filter(|d| c.positive(&path, *d))
        });
    let timing = timing::check(&mut c, raw.timing.as_ref());
    let task_definitions = task_definitions::check(&mut c, &raw.task_definitions);
    let capacity_providers = capacity::check_providers(&mut c, &raw.capacity_providers, &raw.zones);
    let external_instances = capacity::check_external_fleets(&mut c, &raw.external_instances);
    let default_strategy = raw.default_capacity_provider_strategy.as_ref().and_then(|s| {
        capacity::check_strategy(&mut c, &Path::root("default_capacity_provider_strategy"), s, &capacity_providers)
    });
    let (load_balancers, mut target_groups) = traffic::check_load_balancers(&mut c, &raw);
    let known = services::Known {
        raw: &raw,
        task_definitions: &task_definitions,
        providers: &capacity_providers,
        default_strategy: default_strategy.as_ref(),
        target_groups: &target_groups,
    };
    let services = services::check_services(&mut c, &known);
    let balancer_names: Vec<&str> = raw.load_balancers.keys().map(String::as_str).collect();
    let traffic = traffic::check_traffic(&mut c, raw.traffic.as_ref(), &load_balancers, &balancer_names);
    let run_tasks = services::check_run_tasks(&mut c, &known);
    let faults = faults::check(&mut c, &raw, &capacity_providers, duration);
    let actions = actions::check(&mut c, &raw.actions, &known, &services, duration);
    let pricing = pricing::check(&mut c, raw.pricing.as_ref());
    let autoscaling = autoscaling::check(&mut c, &raw, duration, &capacity_providers);
    traffic::attach_services(&mut c, &mut target_groups, &services);

    match (c.into_result(), duration, metrics_interval, timing, traffic) {
        (Ok(()), Some(duration), Some(metrics_interval), Some(timing), Some(traffic)) => Ok(Scenario {
            name: raw.name.unwrap_or_else(|| default_name.to_string()),
            seed: raw.seed.unwrap_or(DEFAULT_SEED),
            duration,
            zones,
            metrics_interval,
            timing,
            task_definitions: task_definitions.into_iter().map(|(_, td)| td).collect(),
            capacity_providers,
            external_instances,
            services,
            run_tasks,
            faults,
            actions,
            imported_files: Vec::new(),
            pricing,
            load_balancers,
            target_groups,
            traffic,
            autoscaling,
        }),
        (Err(diagnostics), ..) => Err(diagnostics),
        _ => unreachable!("a missing value always comes with a diagnostic"),
    }
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

/// The service a timeline entry names, with "did you mean" when there is none of that name.
fn service_ref(
    c: &mut Checker,
    path: &Path,
    name: &str,
    services: &std::collections::BTreeMap<String, super::schema::RawService>,
) -> Option<crate::ids::ServiceId> {
    let id = services.keys().position(|s| s == name).map(crate::ids::ServiceId::from_index);
    if id.is_none() {
        let hint = super::diagnostics::suggestion(name, super::schema::names(services));
        c.error(path, &format!("unknown service `{name}`"), Some(&hint));
    }
    id
}

/// The id of a zone name, if the cluster has it.
fn zone_id(zones: &[String], name: &str) -> Option<ZoneId> {
    zones.iter().position(|z| z == name).map(ZoneId::from_index)
}
