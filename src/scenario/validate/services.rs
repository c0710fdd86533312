//! `services:` and `tasks:` — task definition references, counts, where tasks run and how they
//! are placed.

use std::collections::BTreeMap;

use super::capacity::{check_strategy, on_fargate};
use super::checker::Checker;
use super::deployment;
use super::names::{Checked, Names};
use super::placement::{self, MAX_CONSTRAINTS};
use super::task_definitions::check_fargate;
use crate::capacity::{CapacityProvider, StrategyItem};
use crate::engine::{SimDuration, SimTime};
use crate::ids::{ProviderId, ServiceId, TargetGroupId, TaskDefId};
use crate::placement::{PlacementConstraint, PlacementStrategy};
use crate::scenario::path::Path;
use crate::scenario::schema::{
    RawEnabled, RawPlacementConstraint, RawPlacementStrategy, RawRunTask, RawService, RawStrategyItem,
};
use crate::service::{CapacitySource, LaunchType, RunTaskSpec, SchedulingStrategy, ServiceSpec};
use crate::task::{Compatibility, TaskDefinition};
use crate::traffic::spec::TargetGroupSpec;

/// ECS's limit of tasks per service.
const MAX_DESIRED_COUNT: i64 = super::quotas::TASKS_PER_SERVICE;
/// `healthCheckGracePeriodSeconds` is a 32-bit signed number of seconds.
const MAX_GRACE_PERIOD: SimDuration = SimDuration::from_secs(2_147_483_647);

/// What the service and task checks share: the names, and the valid task definitions, capacity
/// providers and target groups.
pub struct Known<'a> {
    pub names: &'a Names,
    pub task_definitions: &'a Checked<TaskDefId, TaskDefinition>,
    pub providers: &'a Checked<ProviderId, CapacityProvider>,
    pub default_strategy: Option<&'a Vec<StrategyItem>>,
    pub target_groups: &'a Checked<TargetGroupId, TargetGroupSpec>,
}

/// The valid services, by id.
pub fn check_services(
    c: &mut Checker,
    known: &Known,
    raw: &BTreeMap<String, RawService>,
) -> Checked<ServiceId, ServiceSpec> {
    let mut services = Checked::new(&known.names.services);
    for (name, s) in raw {
        if let (Some(id), Some(spec)) = (known.names.services.get(name), service(c, known, name, s)) {
            services.set(id, spec);
        }
    }
    services
}

fn service(c: &mut Checker, known: &Known, name: &str, s: &RawService) -> Option<ServiceSpec> {
    let path = Path::root("services").key(name);
    let scheduling = s.scheduling_strategy.unwrap_or(SchedulingStrategy::Replica);
    let task_def = if s.task_definition.is_empty() {
        c.error(
            &path,
            "missing field `task_definition`",
            Some("name one of `task_definitions:`, e.g. `task_definition: web`"),
        );
        None
    } else {
        task_definition(c, &path, &s.task_definition, known)
    };
    let desired = match (scheduling, s.desired_count) {
        (SchedulingStrategy::Replica, Some(n)) => c.int_in(&path.field("desired_count"), n, 0, MAX_DESIRED_COUNT),
        (SchedulingStrategy::Replica, None) => {
            c.error(&path, "a REPLICA service needs a `desired_count`", Some("e.g. `desired_count: 2`"));
            None
        }
        (SchedulingStrategy::Daemon, None) => Some(0),
        (SchedulingStrategy::Daemon, Some(_)) => {
            c.error(
                &path.field("desired_count"),
                "a DAEMON service runs one task per instance and takes no desired count",
                None,
            );
            None
        }
    };
    let (running, pending) = snapshot_counts(c, &path, scheduling, s);
    let raw_where = (s.launch_type, s.capacity_provider_strategy.as_deref());
    let raw_rules = (s.placement_strategy.as_deref(), s.placement_constraints.as_deref());
    let who = format!("service `{name}`");
    let placed = where_tasks_run(c, known, (&path, &who), (raw_where, raw_rules), task_def.map(|(_, f, td)| (f, td)));
    let ((id, _, _), Where { capacity, strategies, constraints, fargate }) = (task_def?, placed?);
    if fargate && scheduling == SchedulingStrategy::Daemon {
        c.error(&path.field("scheduling_strategy"), "Fargate does not run DAEMON services", None);
        return None;
    }
    let placement_strategy = match (scheduling, fargate, strategies.is_empty()) {
        (SchedulingStrategy::Replica, false, true) => PlacementStrategy::service_default(),
        _ => strategies,
    };
    let deployment = deployment::check(c, known.names, &path, s.deployment_configuration.as_ref(), scheduling);
    let grace = s.health_check_grace_period.as_ref().map_or(Some(SimDuration::ZERO), |g| {
        let path = path.field("health_check_grace_period");
        c.duration(&path, g).filter(|d| {
            let ok = *d <= MAX_GRACE_PERIOD;
            if !ok {
                c.error(&path, &format!("{d} is above ECS's maximum of 2147483647s"), None);
            }
            ok
        })
    });
    let target_group = match &s.load_balancer {
        Some(tg) => {
            super::traffic::target_group_ref(c, &path.field("load_balancer"), tg, known.names, known.target_groups)
                .map(Some)
        }
        None => Some(None),
    };
    let alternate = deployment::alternate_target_group(c, known.names, &path, s, target_group.flatten());
    if s.requests.is_some() && s.load_balancer.is_none() {
        c.error(
            &path.field("requests"),
            "only a service behind a load balancer receives requests",
            Some("add `load_balancer: <target group>`, or remove `requests`"),
        );
    }
    let requests = super::traffic::check_request_model(c, &path.field("requests"), s.requests.as_ref());
    Some(ServiceSpec {
        name: name.to_string(),
        task_definition: id,
        desired_count: desired?,
        running_count: running?,
        pending_count: pending?,
        scheduling_strategy: scheduling,
        capacity,
        placement_strategy,
        placement_constraints: constraints,
        deployment: deployment?,
        health_check_grace_period: grace?,
        availability_zone_rebalancing: s.availability_zone_rebalancing != Some(RawEnabled::Disabled),
        target_group: target_group?,
        alternate_target_group: alternate?,
        requests: requests?,
    })
}

/// `running_count` and `pending_count`: the service's state at time 0. Either may exceed the
/// desired count (a snapshot taken mid-scale-in); the scheduler stops the surplus at once.
fn snapshot_counts(
    c: &mut Checker,
    path: &Path,
    scheduling: SchedulingStrategy,
    s: &RawService,
) -> (Option<u32>, Option<u32>) {
    let running = s.running_count.map_or(Some(0), |n| c.int_in(&path.field("running_count"), n, 0, MAX_DESIRED_COUNT));
    let pending = match (scheduling, s.pending_count) {
        (_, None) => Some(0),
        (SchedulingStrategy::Daemon, Some(_)) => {
            c.error(
                &path.field("pending_count"),
                "a DAEMON service's pending tasks are not carried into the run",
                Some("a daemon starts a task on every instance lacking one; give its `running_count` only"),
            );
            None
        }
        (SchedulingStrategy::Replica, Some(n)) => c.int_in(&path.field("pending_count"), n, 0, MAX_DESIRED_COUNT),
    };
    (running, pending)
}

pub fn check_run_tasks(c: &mut Checker, known: &Known, raw: &BTreeMap<String, RawRunTask>) -> Vec<RunTaskSpec> {
    raw.iter().filter_map(|(name, t)| run_task(c, known, name, t)).collect()
}

fn run_task(c: &mut Checker, known: &Known, name: &str, t: &RawRunTask) -> Option<RunTaskSpec> {
    let path = Path::root("tasks").key(name);
    let task_def = task_definition(c, &path, &t.task_definition, known);
    let count = c.int_in(&path.field("count"), t.count.unwrap_or(1), 1, MAX_DESIRED_COUNT);
    let at = t.at.as_ref().map_or(Some(SimTime::ZERO), |a| c.duration(&path.field("at"), a).map(|d| SimTime::ZERO + d));
    let run_time = t.run_time.as_ref().map(|r| c.distribution(&path.field("run_time"), r));
    let raw_where = (t.launch_type, t.capacity_provider_strategy.as_deref());
    let raw_rules = (t.placement_strategy.as_deref(), t.placement_constraints.as_deref());
    let who = format!("task entry `{name}`");
    let placed = where_tasks_run(c, known, (&path, &who), (raw_where, raw_rules), task_def.map(|(_, f, td)| (f, td)));
    let ((id, family, _), Where { capacity, strategies, constraints, fargate }) = (task_def?, placed?);
    let placement_strategy =
        if strategies.is_empty() && !fargate { vec![PlacementStrategy::Random] } else { strategies };
    Some(RunTaskSpec {
        name: name.to_string(),
        task_definition: id,
        count: count?,
        at: at?,
        run_time: run_time.map_or(Some(None), |r| r.map(Some))?,
        group: t.group.clone().unwrap_or_else(|| format!("family:{family}")),
        capacity,
        placement_strategy,
        placement_constraints: constraints,
    })
}

/// `launch_type` and `capacity_provider_strategy` as written.
type RawWhere<'a> = (Option<LaunchType>, Option<&'a [RawStrategyItem]>);
/// `placement_strategy` and `placement_constraints` as written.
type RawRules<'a> = (Option<&'a [RawPlacementStrategy]>, Option<&'a [RawPlacementConstraint]>);

/// Where an owner's tasks run and how they are placed, checked as a whole.
struct Where {
    capacity: CapacitySource,
    strategies: Vec<PlacementStrategy>,
    constraints: Vec<PlacementConstraint>,
    fargate: bool,
}

/// A deployment of task definition `name` to `service` (when the service itself is valid): the
/// revision must run where the service runs, as its first one does.
pub fn check_deploy(
    c: &mut Checker,
    known: &Known,
    path: &Path,
    service: &ServiceSpec,
    name: &str,
) -> Option<TaskDefId> {
    let (id, family, td) = task_definition(c, path, name, known)?;
    let fargate = on_fargate(&service.capacity, known.providers);
    if fargate {
        check_fargate(c, family, td, &format!("{path} deploys it to service `{}`, which", service.name));
    }
    let rules = (service.placement_strategy.as_slice(), service.placement_constraints.as_slice());
    check_rules_fit_capacity(c, path, fargate, rules, td)?;
    check_compatibility(c, path, &service.capacity, known.providers, (family, td))?;
    Some(id)
}

/// The launch type or capacity provider strategy, the placement rules, and what they imply for
/// the task definition (Fargate's rules, declared compatibilities), for a service or a task entry.
fn where_tasks_run(
    c: &mut Checker,
    known: &Known,
    (path, who): (&Path, &str),
    (raw_where, raw_rules): (RawWhere, RawRules),
    task_definition: Option<(&str, &TaskDefinition)>,
) -> Option<Where> {
    let capacity = capacity_source(c, path, raw_where, known);
    let rules = placement_rules(c, path, raw_rules);
    let (capacity, (strategies, constraints), (family, td)) = (capacity?, rules?, task_definition?);
    let fargate = on_fargate(&capacity, known.providers);
    if fargate {
        check_fargate(c, family, td, who);
    }
    check_rules_fit_capacity(c, path, fargate, (&strategies, &constraints), td)?;
    check_compatibility(c, path, &capacity, known.providers, (family, td))?;
    Some(Where { capacity, strategies, constraints, fargate })
}

/// Fargate takes no placement strategies or constraints; at most 10 constraints in all.
fn check_rules_fit_capacity(
    c: &mut Checker,
    path: &Path,
    fargate: bool,
    (strategies, constraints): (&[PlacementStrategy], &[PlacementConstraint]),
    td: &TaskDefinition,
) -> Option<()> {
    let before = c.error_count();
    if fargate && !strategies.is_empty() {
        c.error(
            &path.field("placement_strategy"),
            "Fargate does not support placement strategies (it spreads tasks over zones)",
            None,
        );
    }
    if fargate && !constraints.is_empty() {
        c.error(&path.field("placement_constraints"), "Fargate does not support placement constraints", None);
    }
    let total = constraints.len() + td.placement_constraints.len();
    if total > MAX_CONSTRAINTS {
        c.error(
            &path.field("placement_constraints"),
            &format!("{total} constraints with the task definition's; ECS allows at most {MAX_CONSTRAINTS}"),
            None,
        );
    }
    (c.error_count() == before).then_some(())
}

/// The task definition must declare the launch type it runs on when it declares any
/// (`requiresCompatibilities`), and must always declare EXTERNAL to run on external instances, as
/// ECS requires; external instances take no awsvpc tasks.
fn check_compatibility(
    c: &mut Checker,
    path: &Path,
    capacity: &CapacitySource,
    providers: &Checked<ProviderId, CapacityProvider>,
    (family, td): (&str, &TaskDefinition),
) -> Option<()> {
    let needed = match capacity {
        CapacitySource::LaunchType(LaunchType::Ec2) => Compatibility::Ec2,
        CapacitySource::LaunchType(LaunchType::Fargate) => Compatibility::Fargate,
        CapacitySource::LaunchType(LaunchType::External) => Compatibility::External,
        CapacitySource::Strategy(_) if on_fargate(capacity, providers) => Compatibility::Fargate,
        CapacitySource::Strategy(_) => Compatibility::Ec2,
    };
    let declared = &td.requires_compatibilities;
    let before = c.error_count();
    if !declared.contains(&needed) && (needed == Compatibility::External || !declared.is_empty()) {
        let list: Vec<&str> = declared.iter().map(|c| c.as_str()).collect();
        c.error(
            &path.field("task_definition"),
            &format!(
                "task definition `{family}` is not compatible with {} (requires_compatibilities: [{}])",
                needed.as_str(),
                list.join(", ")
            ),
            Some(&format!("add {} to the task definition's requires_compatibilities", needed.as_str())),
        );
    }
    if needed == Compatibility::External && td.uses_eni() {
        c.error(
            &path.field("task_definition"),
            &format!("external instances do not run awsvpc tasks (`{family}`)"),
            Some("use bridge or host network mode"),
        );
    }
    (c.error_count() == before).then_some(())
}

fn placement_rules(
    c: &mut Checker,
    path: &Path,
    (strategies, constraints): RawRules,
) -> Option<(Vec<PlacementStrategy>, Vec<PlacementConstraint>)> {
    let s = placement::strategies(c, &path.field("placement_strategy"), strategies.unwrap_or_default());
    let k = placement::constraints(c, &path.field("placement_constraints"), constraints.unwrap_or_default(), false);
    Some((s?, k?))
}

/// The referenced definition; it may exist in the file but be invalid (already reported).
fn task_definition<'a>(
    c: &mut Checker,
    path: &Path,
    name: &str,
    known: &Known<'a>,
) -> Option<(TaskDefId, &'a str, &'a TaskDefinition)> {
    let names = &known.names.task_definitions;
    let id = names.resolve(c, &path.field("task_definition"), name)?;
    Some((id, names.name(id), known.task_definitions.get(id)?))
}

/// Launch type and strategy are mutually exclusive; with neither, the cluster's default strategy,
/// and without one, launch type EC2 (aws-behaviour.md §5.1).
fn capacity_source(
    c: &mut Checker,
    path: &Path,
    (launch_type, strategy): RawWhere,
    known: &Known,
) -> Option<CapacitySource> {
    match (launch_type, strategy) {
        (Some(_), Some(_)) => {
            c.error(
                path,
                "`launch_type` and `capacity_provider_strategy` are mutually exclusive",
                Some("keep one of them"),
            );
            None
        }
        (Some(launch_type), None) => Some(CapacitySource::LaunchType(launch_type)),
        (None, Some(items)) => {
            check_strategy(c, known.names, &path.field("capacity_provider_strategy"), items, known.providers)
                .map(CapacitySource::Strategy)
        }
        (None, None) => Some(match known.default_strategy {
            Some(strategy) => CapacitySource::Strategy(strategy.clone()),
            None => CapacitySource::LaunchType(LaunchType::Ec2),
        }),
    }
}
