//! The replica service scheduler: start tasks until the service has its desired count, replace
//! every task that stops, and say when the service reaches a steady state (aws-behaviour.md §6.2).

use std::collections::BTreeMap;

use crate::capacity::{choose_provider, ProviderKind};
use crate::engine::{SimDuration, SimTime};
use crate::metrics::EventKind;
use crate::placement::{fargate_zone, place_on_instance, Unplaceable};
use crate::sim::event::ServiceEvent;
use crate::sim::ids::{ProviderId, ServiceId, TaskId};
use crate::sim::{Ctx, Event, World};
use crate::task::{self, Placement, TaskStatus};

use super::{CapacitySource, LaunchType, ServiceSpec};

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
    /// Tasks not yet STOPPED.
    pub tasks: Vec<TaskId>,
    /// Ordinal of the last task started.
    pub next_ordinal: u32,
    /// Whether "has reached a steady state" was said since the last change.
    pub steady: bool,
    /// A placement retry is scheduled.
    pub retry_scheduled: bool,
    pub stats: ServiceStats,
}

impl Service {
    pub fn new(spec: ServiceSpec) -> Self {
        Service {
            spec,
            tasks: Vec::new(),
            next_ordinal: 0,
            steady: false,
            retry_scheduled: false,
            stats: ServiceStats::default(),
        }
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

/// Starts as many tasks as the service lacks; on the first that cannot be placed, reports why and
/// retries later.
fn reconcile(world: &mut World, ctx: &mut Ctx, id: ServiceId) {
    let svc = &world.services[id.index()];
    let live = svc.tasks.iter().filter(|t| world.tasks[t.index()].desired_running).count() as u32;
    let missing = svc.spec.desired_count.saturating_sub(live);
    let mut started = Vec::new();
    for _ in 0..missing {
        match start_task(world, ctx, id) {
            Ok(task) => started.push(task),
            Err(why) => {
                report_unplaceable(world, ctx, id, why);
                break;
            }
        }
    }
    if !started.is_empty() {
        let svc = &mut world.services[id.index()];
        svc.steady = false;
        svc.stats.tasks_started += started.len() as u32;
        let labels: Vec<String> = started.iter().map(|t| format!("(task {})", world.task_label(*t))).collect();
        let name = world.services[id.index()].spec.name.clone();
        let message = format!("service {name} has started {} tasks: {}.", started.len(), labels.join(" "));
        ctx.log(EventKind::ServiceTasksStarted).service(name).message(message).emit();
    }
    check_steady_state(world, ctx, id);
}

/// Chooses capacity and placement for one new task and launches it.
fn start_task(world: &mut World, ctx: &mut Ctx, id: ServiceId) -> Result<TaskId, Unplaceable> {
    let spec = &world.services[id.index()].spec;
    let td = world.task_definition(spec.task_definition);
    let (provider, placement) = match &spec.capacity {
        CapacitySource::LaunchType(LaunchType::Fargate) => {
            (None, Placement::Fargate { zone: fargate_zone(world, id), spot: false })
        }
        CapacitySource::LaunchType(LaunchType::Ec2) => {
            (None, Placement::Instance(place_on_instance(world, id, td, |_| true)?))
        }
        CapacitySource::Strategy(items) => {
            let count_on = |p: ProviderId| live_tasks_on(world, id, p);
            let provider = choose_provider(items, count_on).expect("validated strategies always yield a provider");
            let placement = match world.providers[provider.index()].kind {
                ProviderKind::Fargate => Placement::Fargate { zone: fargate_zone(world, id), spot: false },
                ProviderKind::FargateSpot => Placement::Fargate { zone: fargate_zone(world, id), spot: true },
                ProviderKind::AutoScalingGroup(_) => {
                    Placement::Instance(place_on_instance(world, id, td, |i| i.provider == provider)?)
                }
            };
            (Some(provider), placement)
        }
    };
    let task = task::launch(world, ctx, id, provider, placement);
    world.services[id.index()].tasks.push(task);
    Ok(task)
}

fn live_tasks_on(world: &World, id: ServiceId, provider: ProviderId) -> u32 {
    let svc = &world.services[id.index()];
    svc.tasks
        .iter()
        .map(|t| &world.tasks[t.index()])
        .filter(|t| t.desired_running && t.provider == Some(provider))
        .count() as u32
}

/// ECS's service event for a task it could not place, then a retry after `placement_retry`.
fn report_unplaceable(world: &mut World, ctx: &mut Ctx, id: ServiceId, why: Unplaceable) {
    let name = world.services[id.index()].spec.name.clone();
    let message = match why {
        Unplaceable::NoInstances => {
            format!(
                "service {name} was unable to place a task. Reason: No Container Instances were found in your cluster."
            )
        }
        Unplaceable::Closest { instance, shortfall } => format!(
            "service {name} was unable to place a task because no container instance met all of its requirements. \
             The closest matching container-instance {} has {}.",
            world.instances[instance.index()].label(),
            shortfall.describe()
        ),
    };
    ctx.log(EventKind::ServiceTaskPlacementFailure).service(name).message(message).emit();
    let svc = &mut world.services[id.index()];
    svc.stats.placement_failures += 1;
    if !svc.retry_scheduled {
        svc.retry_scheduled = true;
        ctx.sched.after(ctx.timing.placement_retry, Event::Service(ServiceEvent::RetryPlacement(id)));
    }
}

/// A task of the service reached RUNNING.
pub fn on_task_running(world: &mut World, ctx: &mut Ctx, task: TaskId) {
    check_steady_state(world, ctx, world.tasks[task.index()].service);
}

/// A task of the service was told to stop: the scheduler replaces it at once.
pub fn on_task_stopping(world: &mut World, ctx: &mut Ctx, task: TaskId) {
    let id = world.tasks[task.index()].service;
    world.services[id.index()].steady = false;
    ctx.sched.after(SimDuration::ZERO, Event::Service(ServiceEvent::Reconcile(id)));
}

/// A task of the service reached STOPPED.
pub fn on_task_stopped(world: &mut World, ctx: &mut Ctx, task: TaskId) {
    let t = &world.tasks[task.index()];
    let (id, reason) = (t.service, t.stopped_reason.clone().unwrap_or_default());
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
    let all_running = svc
        .tasks
        .iter()
        .all(|t| world.tasks[t.index()].status == TaskStatus::Running && world.tasks[t.index()].desired_running);
    if svc.steady || !all_running || svc.tasks.len() as u32 != svc.spec.desired_count {
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
