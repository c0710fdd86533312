//! Standalone tasks (RunTask): `count` tasks started at once, placed with the same machinery as
//! services (default strategy `random`), never replaced. A task RunTask cannot place is reported
//! as a failure, as the API returns it, and not retried.

use std::collections::BTreeMap;

use crate::ids::{GroupId, RunTaskId, TaskId};
use crate::placement::Unplaced;
use crate::record::EventKind;
use crate::task::TaskOwner;
use crate::world::{Ctx, World};

use super::launch::{start_task, Launch, Peers};
use super::PeerCounts;
use super::RunTaskSpec;

/// Counters for the run summary.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunTaskStats {
    pub tasks_started: u32,
    pub tasks_not_placed: u32,
    pub tasks_stopped: u32,
}

/// A `tasks:` entry and the tasks it started.
#[derive(Clone, Debug)]
pub struct RunTask {
    pub spec: RunTaskSpec,
    pub group: GroupId,
    /// Tasks not yet STOPPED.
    pub tasks: Vec<TaskId>,
    pub stats: RunTaskStats,
}

impl RunTask {
    pub fn new(spec: RunTaskSpec, group: GroupId) -> Self {
        RunTask { spec, group, tasks: Vec::new(), stats: RunTaskStats::default() }
    }
}

/// RunTask: starts the entry's tasks and reports those that could not be placed.
pub fn on_run_task(world: &mut World, ctx: &mut Ctx, id: RunTaskId) {
    let spec = world.run_tasks[id.index()].spec.clone();
    let group = world.run_tasks[id.index()].group;
    let mut started: Vec<TaskId> = Vec::new();
    let mut peers = PeerCounts::default();
    let mut failures: BTreeMap<String, u32> = BTreeMap::new();
    for ordinal in 1..=spec.count {
        let launch = Launch {
            deployment: 0,
            owner: TaskOwner::Standalone(id),
            group,
            task_definition: spec.task_definition,
            ordinal,
            peers: Peers::Batch(&peers),
            running: false,
        };
        match start_task(world, ctx, &launch, None) {
            Ok(task) => {
                peers.count(world.tasks.get(task), 1);
                started.push(task);
            }
            Err(why) => *failures.entry(failure_reason(&why)).or_insert(0) += 1,
        }
    }
    let entry = &mut world.run_tasks[id.index()];
    entry.tasks.extend(&started);
    entry.stats.tasks_started += started.len() as u32;
    entry.stats.tasks_not_placed += failures.values().sum::<u32>();
    let labels: Vec<String> = started.iter().map(|t| format!("(task {})", world.task_label(*t))).collect();
    let mut message =
        format!("run-task {} started {} of {} tasks: {}.", spec.name, started.len(), spec.count, labels.join(" "));
    if !failures.is_empty() {
        let counted: Vec<String> = failures.iter().map(|(reason, n)| format!("{reason} ({n} tasks)")).collect();
        message.push_str(&format!(" Failures: {}.", counted.join(", ")));
    }
    ctx.log(EventKind::RunTask).service(spec.name).message(message).emit();
}

/// RunTask's failure reasons as the API words them (`RESOURCE:MEMORY`...).
fn failure_reason(why: &Unplaced) -> String {
    use crate::placement::Rejection;
    match why {
        Unplaced::NoInstances => "MISSING (no container instances)".to_string(),
        Unplaced::NoFargateCapacity => "Capacity is unavailable at this time".to_string(),
        Unplaced::Rejected { reason, .. } => match reason {
            Rejection::Cpu => "RESOURCE:CPU".to_string(),
            Rejection::Memory => "RESOURCE:MEMORY".to_string(),
            Rejection::Port(_) | Rejection::PortLimit => "RESOURCE:PORTS_TCP".to_string(),
            Rejection::Eni => "RESOURCE:ENI".to_string(),
            Rejection::Architecture => "ATTRIBUTE (ecs.cpu-architecture)".to_string(),
            Rejection::DistinctInstance => "DistinctInstance placement constraint unsatisfied".to_string(),
            Rejection::MemberOf(_) => "MemberOf placement constraint unsatisfied".to_string(),
        },
    }
}

/// A standalone task reached STOPPED.
pub fn on_standalone_task_stopped(world: &mut World, task: TaskId) {
    let TaskOwner::Standalone(id) = world.tasks.get(task).owner else { return };
    let entry = &mut world.run_tasks[id.index()];
    entry.tasks.retain(|t| *t != task);
    entry.stats.tasks_stopped += 1;
}
