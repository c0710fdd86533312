//! `services:` — task definition references, desired count, and where tasks run.

use super::capacity::check_strategy;
use super::checker::Checker;
use super::task_definitions::check_fargate;
use crate::capacity::{CapacityProvider, StrategyItem};
use crate::scenario::diagnostics::suggestion;
use crate::scenario::schema::{names, RawLaunchType, RawScenario, RawService};
use crate::service::{CapacitySource, LaunchType, ServiceSpec};
use crate::sim::ids::TaskDefId;
use crate::task::TaskDefinition;

/// ECS's limit of tasks per service.
const MAX_DESIRED_COUNT: i64 = 5_000;

pub fn check(
    c: &mut Checker,
    raw: &RawScenario,
    task_definitions: &[(String, TaskDefinition)],
    providers: &[CapacityProvider],
    default_strategy: Option<Vec<StrategyItem>>,
) -> Vec<ServiceSpec> {
    raw.services
        .iter()
        .filter_map(|(name, s)| {
            let path = format!("services.{name}");
            let task_def = task_definition(c, &path, s, raw, task_definitions);
            let desired = c.int_in(&format!("{path}.desired_count"), s.desired_count, 0, MAX_DESIRED_COUNT);
            let capacity = capacity_source(c, &path, s, providers, default_strategy.as_ref());
            let (id, family, td) = task_def?;
            let capacity = capacity?;
            if runs_on_fargate(&capacity, providers) {
                check_fargate(c, family, td, name);
            }
            Some(ServiceSpec { name: name.clone(), task_definition: id, desired_count: desired?, capacity })
        })
        .collect()
}

/// The referenced definition; it may exist in the file but be invalid (already reported).
fn task_definition<'a>(
    c: &mut Checker,
    path: &str,
    s: &RawService,
    raw: &RawScenario,
    valid: &'a [(String, TaskDefinition)],
) -> Option<(TaskDefId, &'a str, &'a TaskDefinition)> {
    if !raw.task_definitions.contains_key(&s.task_definition) {
        let hint = suggestion(&s.task_definition, names(&raw.task_definitions));
        c.error(
            &format!("{path}.task_definition"),
            &format!("unknown task definition `{}`", s.task_definition),
            Some(&hint),
        );
    }
    let i = valid.iter().position(|(n, _)| *n == s.task_definition)?;
    Some((TaskDefId::from_index(i), valid[i].0.as_str(), &valid[i].1))
}

/// Launch type and strategy are mutually exclusive; with neither, the cluster's default strategy,
/// and without one, launch type EC2 (aws-behaviour.md §5.1).
fn capacity_source(
    c: &mut Checker,
    path: &str,
    s: &RawService,
    providers: &[CapacityProvider],
    default_strategy: Option<&Vec<StrategyItem>>,
) -> Option<CapacitySource> {
    match (&s.launch_type, &s.capacity_provider_strategy) {
        (Some(_), Some(_)) => {
            c.error(
                path,
                "`launch_type` and `capacity_provider_strategy` are mutually exclusive",
                Some("keep one of them"),
            );
            None
        }
        (Some(RawLaunchType::Ec2), None) => Some(CapacitySource::LaunchType(LaunchType::Ec2)),
        (Some(RawLaunchType::Fargate), None) => Some(CapacitySource::LaunchType(LaunchType::Fargate)),
        (None, Some(items)) => check_strategy(c, &format!("{path}.capacity_provider_strategy"), items, providers)
            .map(CapacitySource::Strategy),
        (None, None) => Some(match default_strategy {
            Some(strategy) => CapacitySource::Strategy(strategy.clone()),
            None => CapacitySource::LaunchType(LaunchType::Ec2),
        }),
    }
}

fn runs_on_fargate(capacity: &CapacitySource, providers: &[CapacityProvider]) -> bool {
    match capacity {
        CapacitySource::LaunchType(lt) => *lt == LaunchType::Fargate,
        CapacitySource::Strategy(items) => items.iter().any(|i| providers[i.provider.index()].is_fargate()),
    }
}
