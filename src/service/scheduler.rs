//! The service scheduler (aws-behaviour.md §6): a replica service is kept at its desired count —
//! missing tasks are started, extra ones stopped by the placement rules in reverse — and a daemon
//! service runs one task on every instance that can take it. Stopped tasks are replaced at once;
//! tasks that cannot be placed are retried with a growing delay (launch-failure throttling).

use std::collections::BTreeMap;

use crate::engine::{SimDuration, SimTime};
use crate::metrics::EventKind;
use crate::placement::{choose_tasks_to_stop, describe_failure, Unplaced};
use crate::sim::event::ServiceEvent;
use crate::sim::ids::{GroupId, InstanceId, ServiceId, TaskId};
use crate::sim::{Ctx, Event, World};
use crate::task::{self, StopCode, TaskOwner, TaskStatus};

use super::launch::{start_task, Launch};
use super::{CapacitySource, LaunchType, SchedulingStrategy, ServiceSpec};

/// The longest gap between placement attempts (aws-behaviour.md §6.3).
const MAX_RETRY_DELAY: SimDuration = SimDuration::from_mins(15);

/// Counters for the run summary.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServiceStats {
    pub tasks_started: u32,
    pub tasks_stopped: u32,
    pub placement_failures: u32,
    pub first_steady_state_at: Option<SimTime>,
    /// Stopped tasks by stopped reason.
    pub stop_reasons: BTreeMap<String, u32>,
}

/// A service and the scheduler's state for it.
#[derive(Clone, Debug)]
pub struct Service {
    pub spec: ServiceSpec,
    pub group: GroupId,
    /// Replica services: the current desired count (changed by `update_service`).
    pub desired_count: u32,
    /// Tasks not yet STOPPED.
    pub tasks: Vec<TaskId>,
    /// Ordinal of the last task started.
    pub next_ordinal: u32,
    /// Whether "has reached a steady state" was said since the last change.
    pub steady: bool,
    /// The delay before the next placement retry, once one failed; `None` while placements work.
    pub retry_delay: Option<SimDuration>,
    /// A placement retry is scheduled.
    pub retry_scheduled: bool,
    pub stats: ServiceStats,
}

impl Service {
    pub fn new(spec: ServiceSpec, group: GroupId) -> Self {
        Service {
            desired_count: spec.desired_count,
            spec,
            group,
            tasks: Vec::new(),
            next_ordinal: 0,
            steady: false,
            retry_delay: None,
            retry_scheduled: false,
            stats: ServiceStats::default(),
        }
    }

    /// Tasks ECS has not been asked to stop.
    fn live<'w>(&'w self, world: &'w World) -> impl Iterator<Item = TaskId> + 'w {
        self.tasks.iter().copied().filter(|t| world.tasks[t.index()].desired_running)
    }
}

/// The service's desired count: its own for a replica service; for a daemon, the instances of its
/// capacity that satisfy its constraints.
pub fn desired_count(world: &World, id: ServiceId) -> u32 {
    let svc = &world.services[id.index()];
    match svc.spec.scheduling_strategy {
        SchedulingStrategy::Replica => svc.desired_count,
        SchedulingStrategy::Daemon => daemon_instances(world, id).count() as u32,
    }
}

/// Handles a service event.
pub fn on_event(world: &mut World, ctx: &mut Ctx, event: ServiceEvent) {
    match event {
        ServiceEvent::Reconcile(id) => reconcile(world, ctx, id),
        ServiceEvent::RetryPlacement(id) => {
            world.services[id.index()].retry_scheduled = false;
            reconcile(world, ctx, id);
        }
    }
}

/// `update_service` with a new desired count.
pub fn update_desired_count(world: &mut World, ctx: &mut Ctx, id: ServiceId, count: u32) {
    let svc = &mut world.services[id.index()];
    let message = format!("service {} desired count changed from {} to {count}.", svc.spec.name, svc.desired_count);
    svc.desired_count = count;
    svc.steady = false;
    let name = svc.spec.name.clone();
    ctx.log(EventKind::ServiceUpdated).service(name).message(message).emit();
    reconcile(world, ctx, id);
}

fn reconcile(world: &mut World, ctx: &mut Ctx, id: ServiceId) {
    match world.services[id.index()].spec.scheduling_strategy {
        SchedulingStrategy::Replica => reconcile_replicas(world, ctx, id),
        SchedulingStrategy::Daemon => reconcile_daemon(world, ctx, id),
    }
    check_steady_state(world, ctx, id);
}

/// Starts the tasks the service lacks (stopping at the first that cannot be placed), or stops
/// the extra ones.
fn reconcile_replicas(world: &mut World, ctx: &mut Ctx, id: ServiceId) {
    let svc = &world.services[id.index()];
    let live: Vec<TaskId> = svc.live(world).collect();
    let desired = svc.desired_count as usize;
    if live.len() > desired {
        let strategies = scale_in_strategies(svc);
        let extra = choose_tasks_to_stop(world, &live, &strategies, live.len() - desired, &mut ctx.streams.placement);
        stop_tasks(world, ctx, id, &extra);
        return;
    }
    let mut started = Vec::new();
    for _ in live.len()..desired {
        match start_one(world, ctx, id, None) {
            Ok(task) => started.push(task),
            Err(why) => {
                report_unplaceable(world, ctx, id, why);
                break;
            }
        }
    }
    record_started(world, ctx, id, &started);
}

/// The rules a scale-in reads backwards: the service's strategies, or a zone spread on Fargate.
fn scale_in_strategies(svc: &Service) -> Vec<crate::placement::PlacementStrategy> {
    match &svc.spec.placement_strategy {
        s if !s.is_empty() => s.clone(),
        _ => crate::placement::PlacementStrategy::service_default(),
    }
}

/// One task on every eligible instance that has none of the service's; tasks on instances that
/// are no longer eligible are stopped.
fn reconcile_daemon(world: &mut World, ctx: &mut Ctx, id: ServiceId) {
    let eligible: Vec<InstanceId> = daemon_instances(world, id).collect();
    let group = world.services[id.index()].group;
    let mut started = Vec::new();
    let bare: Vec<InstanceId> = eligible.into_iter().filter(|i| world.group_tasks_on(group, *i) == 0).collect();
    for instance in bare {
        match start_one(world, ctx, id, Some(instance)) {
            Ok(task) => started.push(task),
            Err(why) => report_unplaceable(world, ctx, id, why),
        }
    }
    record_started(world, ctx, id, &started);
}

/// Instances a daemon service belongs on: its capacity's instances that satisfy its constraints.
fn daemon_instances(world: &World, id: ServiceId) -> impl Iterator<Item = InstanceId> + '_ {
    let svc = &world.services[id.index()];
    let td = world.task_definition(svc.spec.task_definition);
    world
        .instances
        .iter()
        .filter(move |i| match &svc.spec.capacity {
            CapacitySource::Strategy(items) => items.iter().any(|s| Some(s.provider) == i.provider),
            CapacitySource::LaunchType(LaunchType::External) => i.is_external(),
            CapacitySource::LaunchType(_) => !i.is_external(),
        })
        .filter(move |i| {
            let request = crate::placement::Request {
                task_definition: td,
                group: svc.group,
                strategies: &[],
                constraints: &svc.spec.placement_constraints,
            };
            crate::placement::rejections(world, i, &request)
                .iter()
                .all(|r| !matches!(r, crate::placement::Rejection::MemberOf(_)))
        })
        .map(|i| i.id)
}

/// Starts one task of the service (on `only` for a daemon).
fn start_one(world: &mut World, ctx: &mut Ctx, id: ServiceId, only: Option<InstanceId>) -> Result<TaskId, Unplaced> {
    let svc = &world.services[id.index()];
    let peers: Vec<TaskId> = svc.live(world).collect();
    let spec = svc.spec.clone();
    let launch = Launch {
        owner: TaskOwner::Service(id),
        group: svc.group,
        task_definition: spec.task_definition,
        ordinal: svc.next_ordinal + 1,
        capacity: &spec.capacity,
        strategies: &spec.placement_strategy,
        constraints: &spec.placement_constraints,
        peers: &peers,
    };
    let task = start_task(world, ctx, &launch, only)?;
    let svc = &mut world.services[id.index()];
    svc.next_ordinal += 1;
    svc.tasks.push(task);
    svc.retry_delay = None;
    Ok(task)
}

fn record_started(world: &mut World, ctx: &mut Ctx, id: ServiceId, started: &[TaskId]) {
    if started.is_empty() {
        return;
    }
    let labels: Vec<String> = started.iter().map(|t| format!("(task {})", world.task_label(*t))).collect();
    let svc = &mut world.services[id.index()];
    svc.steady = false;
    svc.stats.tasks_started += started.len() as u32;
    let name = svc.spec.name.clone();
    let message = format!("service {name} has started {} tasks: {}.", started.len(), labels.join(" "));
    ctx.log(EventKind::ServiceTasksStarted).service(name).message(message).emit();
}

fn stop_tasks(world: &mut World, ctx: &mut Ctx, id: ServiceId, tasks: &[TaskId]) {
    let labels: Vec<String> = tasks.iter().map(|t| format!("(task {})", world.task_label(*t))).collect();
    let name = world.services[id.index()].spec.name.clone();
    let message = format!("service {name} has stopped {} running tasks: {}.", tasks.len(), labels.join(" "));
    ctx.log(EventKind::ServiceTasksStopped).service(name).message(message).emit();
    for t in tasks {
        task::stop(world, ctx, *t, StopCode::ServiceSchedulerInitiated, "Scaling activity initiated by deployment");
    }
}

/// ECS's service event for a task it could not place, then a retry. The gap between attempts
/// doubles from `placement_retry` up to 15 minutes while placements keep failing, as ECS's
/// launch throttling does (the doubling is ecsim's choice of shape; AWS gives only the cap).
fn report_unplaceable(world: &mut World, ctx: &mut Ctx, id: ServiceId, why: Unplaced) {
    let name = world.services[id.index()].spec.name.clone();
    let message = match &why {
        Unplaced::NoInstances => {
            format!(
                "service {name} was unable to place a task. Reason: No Container Instances were found in your cluster."
            )
        }
        Unplaced::Rejected { closest, reason, counts } => format!(
            "service {name} was unable to place a task because no container instance met all of its requirements. \
             The closest matching container-instance {} {} {}",
            world.instances[closest.index()].label(),
            reason.sentence(),
            describe_failure(counts)
        ),
    };
    ctx.log(EventKind::ServiceTaskPlacementFailure).service(name.clone()).message(message).emit();
    let base = ctx.timing.placement_retry;
    let svc = &mut world.services[id.index()];
    svc.stats.placement_failures += 1;
    if svc.retry_scheduled {
        return;
    }
    let delay = svc.retry_delay.map_or(base, |d| d.saturating_mul(2).min(MAX_RETRY_DELAY));
    if svc.retry_delay == Some(base) {
        let message = format!("service {name} is unable to consistently start tasks successfully.");
        ctx.log(EventKind::ServiceTaskStartThrottled).service(name).message(message).emit();
    }
    svc.retry_delay = Some(delay);
    svc.retry_scheduled = true;
    ctx.sched.after(delay, Event::Service(ServiceEvent::RetryPlacement(id)));
}

/// A task of the service reached RUNNING.
pub fn on_task_running(world: &mut World, ctx: &mut Ctx, task: TaskId) {
    if let TaskOwner::Service(id) = world.tasks[task.index()].owner {
        check_steady_state(world, ctx, id);
    }
}

/// A task of the service was told to stop: the scheduler reconciles at once.
pub fn on_task_stopping(world: &mut World, ctx: &mut Ctx, task: TaskId) {
    if let TaskOwner::Service(id) = world.tasks[task.index()].owner {
        world.services[id.index()].steady = false;
        ctx.sched.after(SimDuration::ZERO, Event::Service(ServiceEvent::Reconcile(id)));
    }
}

/// A task of the service reached STOPPED.
pub fn on_task_stopped(world: &mut World, ctx: &mut Ctx, task: TaskId) {
    let t = &world.tasks[task.index()];
    let TaskOwner::Service(id) = t.owner else { return };
    let reason = t.stopped_reason.clone().unwrap_or_default();
    let svc = &mut world.services[id.index()];
    svc.tasks.retain(|x| *x != task);
    svc.stats.tasks_stopped += 1;
    *svc.stats.stop_reasons.entry(reason).or_insert(0) += 1;
    check_steady_state(world, ctx, id);
}

/// Says "has reached a steady state" when every task is RUNNING and their number is the desired
/// count, once per period of stability.
fn check_steady_state(world: &mut World, ctx: &mut Ctx, id: ServiceId) {
    let svc = &world.services[id.index()];
    let all_running = svc.tasks.iter().all(|t| {
        let t = &world.tasks[t.index()];
        t.status == TaskStatus::Running && t.desired_running
    });
    if svc.steady || !all_running || svc.tasks.len() as u32 != desired_count(world, id) {
        return;
    }
    let now = ctx.sched.now();
    let svc = &mut world.services[id.index()];
    svc.steady = true;
    svc.stats.first_steady_state_at.get_or_insert(now);
    let name = svc.spec.name.clone();
    let message = format!("service {name} has reached a steady state.");
    ctx.log(EventKind::ServiceSteadyState).service(name).message(message).emit();
}
