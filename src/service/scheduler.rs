//! The service scheduler (aws-behaviour.md §6): it keeps each service at its desired count of
//! healthy tasks of its primary deployment. What to start and stop is decided by
//! [`super::rolling`] for replica services and [`super::daemon`] for daemon services; this module
//! holds the service's state, starts and stops tasks, throttles launches that keep failing,
//! runs the deployment circuit breaker and says the service's events.

use std::collections::BTreeMap;

use crate::engine::{SimDuration, SimTime};
use crate::ids::{GroupId, InstanceId, ServiceId, TaskDefId, TaskId};
use crate::placement::{describe_failure, Unplaced};
use crate::record::EventKind;
use crate::task::{self, has_health_check, Health, StopCode, TaskOwner, TaskStatus};
use crate::world::event::ServiceEvent;
use crate::world::{Ctx, Event, World};

use super::deployment::{breaker_threshold, Deployment, RolloutState};
use super::health::{standing, Standing, NO_HEALTH_CHECK_DELAY};
use super::launch::{start_task, Launch};
use super::{daemon, rebalance, rolling, SchedulingStrategy, ServiceSpec};

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
    /// `World::capacity_changes` when a placement last failed: until capacity changes, only the
    /// scheduled retry tries again (and says so again).
    pub unplaceable_at: Option<u64>,
    /// Launch-failure throttling: the current gap between launches, once tasks stopped before
    /// reaching RUNNING; no task starts before `blocked_until`.
    pub launch_backoff: Option<SimDuration>,
    pub blocked_until: SimTime,
    /// Every deployment so far; the last is the primary one.
    pub deployments: Vec<Deployment>,
    /// Tasks remain to be replaced (a deployment, an unhealthy task or a drain is under way).
    pub rolling: bool,
    /// A wake-up is scheduled for this time (a task will count as healthy).
    pub wake: Option<SimTime>,
    /// The task being moved to another zone by Availability Zone rebalancing.
    pub rebalancing: Option<TaskId>,
    /// A rebalancing across zones is under way ("started" was said, "finished" not yet).
    pub rebalancing_zones: bool,
    pub stats: ServiceStats,
}

impl Service {
    /// The service as created: its first deployment, of its task definition, starts at once.
    pub fn new(spec: ServiceSpec, group: GroupId) -> Self {
        Service {
            desired_count: spec.desired_count,
            deployments: vec![Deployment::new(1, spec.task_definition, SimTime::ZERO)],
            spec,
            group,
            tasks: Vec::new(),
            next_ordinal: 0,
            steady: false,
            retry_delay: None,
            retry_scheduled: false,
            unplaceable_at: None,
            launch_backoff: None,
            blocked_until: SimTime::ZERO,
            rolling: false,
            wake: None,
            rebalancing: None,
            rebalancing_zones: false,
            stats: ServiceStats::default(),
        }
    }

    pub fn primary(&self) -> &Deployment {
        self.deployments.last().expect("a service always has its first deployment")
    }

    fn primary_mut(&mut self) -> &mut Deployment {
        self.deployments.last_mut().expect("a service always has its first deployment")
    }

    /// The primary deployment's index, as tasks record it.
    pub fn primary_index(&self) -> u32 {
        (self.deployments.len() - 1) as u32
    }
}

/// The service's desired count: its own for a replica service; for a daemon, the instances of its
/// capacity that can take it.
pub fn desired_count(world: &World, id: ServiceId) -> u32 {
    let svc = &world.services[id.index()];
    match svc.spec.scheduling_strategy {
        SchedulingStrategy::Replica => svc.desired_count,
        SchedulingStrategy::Daemon => daemon::instances(world, id).count() as u32,
    }
}

/// Whether a deployment is under way: the primary rollout is IN_PROGRESS (a new service's first
/// deployment too, until it first reaches a steady state), or tasks of an earlier deployment
/// still run beside it. Application Auto Scaling suspends scale-in then (aws-behaviour.md §6.4).
pub fn deployment_in_progress(world: &World, id: ServiceId) -> bool {
    let svc = &world.services[id.index()];
    let primary = svc.primary_index();
    svc.primary().state == RolloutState::InProgress
        || svc.tasks.iter().any(|t| world.tasks[t.index()].deployment != primary)
}

/// Handles a service event.
pub fn on_event(world: &mut World, ctx: &mut Ctx, event: ServiceEvent) {
    match event {
        ServiceEvent::Reconcile(id) => reconcile(world, ctx, id),
        ServiceEvent::RetryPlacement(id) => {
            let svc = &mut world.services[id.index()];
            svc.retry_scheduled = false;
            svc.unplaceable_at = None;
            reconcile(world, ctx, id);
        }
        ServiceEvent::Wake(id) => {
            world.services[id.index()].wake = None;
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

/// `update_service` with a new task definition: a new primary deployment starts, and the launch
/// throttling starts afresh (ECS resets it for a new task definition).
pub fn deploy(world: &mut World, ctx: &mut Ctx, id: ServiceId, task_definition: TaskDefId) {
    let now = ctx.sched.now();
    let old = world.services[id.index()].primary().task_definition;
    let svc = &mut world.services[id.index()];
    if svc.primary().state == RolloutState::InProgress {
        svc.primary_mut().end(RolloutState::Superseded, now);
    }
    let deployment = Deployment::new(svc.deployments.len() + 1, task_definition, now);
    let config = svc.spec.deployment;
    let message = format!(
        "service {} deployment {} started: task definition {} replaces {} (minimumHealthyPercent {}, maximumPercent {}).",
        svc.spec.name,
        deployment.id,
        world.task_definitions[task_definition.index()].family,
        world.task_definitions[old.index()].family,
        config.minimum_healthy_percent,
        config.maximum_percent,
    );
    svc.deployments.push(deployment);
    svc.launch_backoff = None;
    svc.blocked_until = now;
    svc.steady = false;
    let name = svc.spec.name.clone();
    ctx.log(EventKind::ServiceDeploymentInProgress).service(name).message(message).emit();
    reconcile(world, ctx, id);
}

fn reconcile(world: &mut World, ctx: &mut Ctx, id: ServiceId) {
    match world.services[id.index()].spec.scheduling_strategy {
        SchedulingStrategy::Replica => rolling::reconcile(world, ctx, id),
        SchedulingStrategy::Daemon => daemon::reconcile(world, ctx, id),
    }
    check_steady_state(world, ctx, id);
}

/// Why the scheduler stops a task: each has ECS's stopped reason.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopCause {
    /// More tasks than desired.
    ScaleIn,
    /// A task of an earlier deployment.
    Deployment,
    /// A task on a DRAINING instance.
    Draining,
    /// A task that failed its container health checks.
    Unhealthy,
    /// A task moved to a less crowded zone.
    Rebalancing,
}

impl StopCause {
    fn reason(self, deployment: &str) -> String {
        match self {
            StopCause::ScaleIn | StopCause::Deployment => {
                format!("Scaling activity initiated by (deployment {deployment})")
            }
            StopCause::Draining => "Container instance is draining".to_string(),
            StopCause::Unhealthy => "Task failed container health checks".to_string(),
            StopCause::Rebalancing => "Availability Zone rebalancing".to_string(),
        }
    }
}

/// Starts up to `n` tasks of the primary deployment, stopping at the first that cannot be placed;
/// returns how many started.
pub(super) fn start_tasks(world: &mut World, ctx: &mut Ctx, id: ServiceId, n: u32) -> u32 {
    let mut started = Vec::new();
    let mut unplaced = None;
    for _ in 0..n {
        match start_one(world, ctx, id, None) {
            Ok(task) => started.push(task),
            Err(why) => {
                unplaced = Some(why);
                break;
            }
        }
    }
    record_started(world, ctx, id, &started);
    if let Some(why) = unplaced {
        report_unplaceable(world, ctx, id, why);
    }
    started.len() as u32
}

/// Starts one task of the primary deployment (on `only`, for a daemon).
pub(super) fn start_one(
    world: &mut World,
    ctx: &mut Ctx,
    id: ServiceId,
    only: Option<InstanceId>,
) -> Result<TaskId, Unplaced> {
    let svc = &world.services[id.index()];
    let peers: Vec<TaskId> = svc.tasks.iter().copied().filter(|t| world.tasks[t.index()].desired_running).collect();
    let spec = svc.spec.clone();
    let launch = Launch {
        owner: TaskOwner::Service(id),
        group: svc.group,
        task_definition: svc.primary().task_definition,
        deployment: svc.primary_index(),
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
    svc.unplaceable_at = None;
    svc.primary_mut().tasks_started += 1;
    Ok(task)
}

pub(super) fn record_started(world: &mut World, ctx: &mut Ctx, id: ServiceId, started: &[TaskId]) {
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

/// Stops tasks of the service, each for its cause, with one service event.
pub(super) fn stop_tasks(world: &mut World, ctx: &mut Ctx, id: ServiceId, tasks: &[(TaskId, StopCause)]) {
    if tasks.is_empty() {
        return;
    }
    let labels: Vec<String> = tasks.iter().map(|(t, _)| format!("(task {})", world.task_label(*t))).collect();
    let svc = &mut world.services[id.index()];
    let replaced = tasks.iter().filter(|(_, c)| *c == StopCause::Deployment).count() as u32;
    svc.primary_mut().tasks_replaced += replaced;
    let deployment = svc.primary().id.clone();
    let name = svc.spec.name.clone();
    let message = format!("service {name} has stopped {} running tasks: {}.", tasks.len(), labels.join(" "));
    ctx.log(EventKind::ServiceTasksStopped).service(name).message(message).emit();
    for (t, cause) in tasks {
        task::stop(world, ctx, *t, StopCode::ServiceSchedulerInitiated, &cause.reason(&deployment));
    }
}

/// Replaces tasks that failed their health checks; the primary deployment's count as circuit
/// breaker failures (its second stage).
pub(super) fn stop_unhealthy(world: &mut World, ctx: &mut Ctx, id: ServiceId, tasks: &[TaskId]) {
    let primary = world.services[id.index()].primary_index();
    let failed = tasks.iter().filter(|t| world.tasks[t.index()].deployment == primary).count() as u32;
    world.services[id.index()].primary_mut().failed_after_running += failed;
    let causes: Vec<_> = tasks.iter().map(|t| (*t, StopCause::Unhealthy)).collect();
    stop_tasks(world, ctx, id, &causes);
    check_breaker(world, ctx, id);
}

/// Whether new tasks are held back at `now`: by launch-failure throttling (then the service
/// looks again when it ends), or because the last placement failed and capacity has not changed
/// since (then the scheduled retry looks again).
pub(super) fn throttled(world: &mut World, ctx: &mut Ctx, id: ServiceId) -> bool {
    let now = ctx.sched.now();
    let svc = &world.services[id.index()];
    if now < svc.blocked_until {
        let until = svc.blocked_until;
        wake_at(world, ctx, id, until);
        return true;
    }
    svc.unplaceable_at == Some(world.capacity_changes)
}

/// ECS's event for a deployment that its own bounds stop: nothing may start (maximumPercent) and
/// nothing may stop (minimumHealthyPercent). Said once per deployment.
pub(super) fn report_blocked(world: &mut World, ctx: &mut Ctx, id: ServiceId) {
    let svc = &mut world.services[id.index()];
    if svc.primary().blocked_reported {
        return;
    }
    svc.primary_mut().blocked_reported = true;
    let name = svc.spec.name.clone();
    let message = format!(
        "service {name} was unable to stop or start tasks during a deployment because of the service deployment \
         configuration. Update the minimumHealthyPercent or maximumPercent value and try again."
    );
    ctx.log(EventKind::ServiceDeploymentBlocked).service(name).message(message).emit();
}

/// Reconciles the service again at `at` (when a task will count as healthy), unless a wake-up
/// is already due by then: one pending wake-up per service, however many tasks are waiting.
pub(super) fn wake_at(world: &mut World, ctx: &mut Ctx, id: ServiceId, at: SimTime) {
    let svc = &mut world.services[id.index()];
    if svc.wake.is_some_and(|w| w <= at) {
        return;
    }
    svc.wake = Some(at);
    ctx.sched.at(at, Event::Service(ServiceEvent::Wake(id)));
}

/// The rules a scale-in reads backwards: the service's strategies, or a zone spread on Fargate.
pub(super) fn scale_in_strategies(svc: &Service) -> Vec<crate::placement::PlacementStrategy> {
    match &svc.spec.placement_strategy {
        s if !s.is_empty() => s.clone(),
        _ => crate::placement::PlacementStrategy::service_default(),
    }
}

/// ECS's service event for a task it could not place, then a retry. The gap between attempts
/// doubles from the launch back-off's first delay up to its maximum while placements keep
/// failing, as ECS's launch throttling does.
pub(super) fn report_unplaceable(world: &mut World, ctx: &mut Ctx, id: ServiceId, why: Unplaced) {
    let name = world.services[id.index()].spec.name.clone();
    let message = match &why {
        Unplaced::NoInstances => {
            format!(
                "service {name} was unable to place a task. Reason: No Container Instances were found in your cluster."
            )
        }
        Unplaced::NoFargateCapacity => format!(
            "service {name} was unable to place a task. Reason: Capacity is unavailable at this time. Please try again \
             later or in a different availability zone."
        ),
        Unplaced::Rejected { closest, reason, counts } => format!(
            "service {name} was unable to place a task because no container instance met all of its requirements. \
             The closest matching container-instance {} {} {}",
            world.instances[closest.index()].label(),
            reason.sentence(),
            describe_failure(counts)
        ),
    };
    ctx.log(EventKind::ServiceTaskPlacementFailure).service(name.clone()).message(message).emit();
    let changes = world.capacity_changes;
    let svc = &mut world.services[id.index()];
    svc.stats.placement_failures += 1;
    svc.unplaceable_at = Some(changes);
    if svc.retry_scheduled {
        return;
    }
    let delay = back_off(ctx, &name, &mut svc.retry_delay);
    svc.retry_scheduled = true;
    ctx.sched.after(delay, Event::Service(ServiceEvent::RetryPlacement(id)));
}

/// The next gap of `service`'s launch back-off after `last` (which it becomes); ECS's throttling
/// event is said when the gap first grows.
fn back_off(ctx: &mut Ctx, service: &str, last: &mut Option<SimDuration>) -> SimDuration {
    let backoff = ctx.timing.launch_backoff;
    if *last == Some(backoff.first) {
        let message = format!("service {service} is unable to consistently start tasks successfully.");
        ctx.log(EventKind::ServiceTaskStartThrottled).service(service).message(message).emit();
    }
    let delay = backoff.next(*last);
    *last = Some(delay);
    delay
}

/// A task of the service reached RUNNING: its deployment's second circuit-breaker stage begins,
/// launches are no longer held back, and without a health check it will count as healthy in 40 s.
pub fn on_task_running(world: &mut World, ctx: &mut Ctx, task: TaskId) {
    let TaskOwner::Service(id) = world.tasks[task.index()].owner else { return };
    let deployment = world.tasks[task.index()].deployment as usize;
    let no_check = !has_health_check(world.task_definition(world.tasks[task.index()].task_definition));
    let svc = &mut world.services[id.index()];
    svc.deployments[deployment].any_running = true;
    svc.launch_backoff = None;
    let matters = svc.rolling || svc.tasks.len() as u32 >= svc.desired_count;
    if no_check && matters {
        let at = ctx.sched.now() + NO_HEALTH_CHECK_DELAY;
        wake_at(world, ctx, id, at);
    }
    check_steady_state(world, ctx, id);
}

/// A task's health changed: the scheduler looks again — for an UNHEALTHY task, once the grace
/// period allows.
pub fn on_task_health(world: &mut World, ctx: &mut Ctx, task: TaskId) {
    let TaskOwner::Service(id) = world.tasks[task.index()].owner else { return };
    let t = &world.tasks[task.index()];
    let grace_end =
        t.started_at.map_or(SimTime::ZERO, |s| s + world.services[id.index()].spec.health_check_grace_period);
    if t.health == Health::Unhealthy && grace_end > ctx.sched.now() {
        wake_at(world, ctx, id, grace_end);
    } else {
        ctx.sched.after(SimDuration::ZERO, Event::Service(ServiceEvent::Reconcile(id)));
    }
}

/// A task of the service was told to stop: if it stopped by itself (it could not start, or its
/// essential container exited), the circuit breaker counts it and a launch failure throttles
/// further launches; then the scheduler reconciles.
pub fn on_task_stopping(world: &mut World, ctx: &mut Ctx, task: TaskId) {
    let t = &world.tasks[task.index()];
    let TaskOwner::Service(id) = t.owner else { return };
    let by_itself = matches!(t.stop_code, Some(StopCode::TaskFailedToStart | StopCode::EssentialContainerExited));
    let (never_ran, deployment) = (t.started_at.is_none(), t.deployment);
    let svc = &mut world.services[id.index()];
    svc.steady = false;
    if by_itself && deployment == svc.primary_index() && svc.primary().state == RolloutState::InProgress {
        let primary = svc.primary_mut();
        if never_ran {
            primary.failed_to_start += 1;
        } else {
            primary.failed_after_running += 1;
        }
        check_breaker(world, ctx, id);
    }
    if by_itself && never_ran {
        throttle_launches(world, ctx, id);
    }
    ctx.sched.after(SimDuration::ZERO, Event::Service(ServiceEvent::Reconcile(id)));
}

/// A task of the service reached STOPPED: counted, and the scheduler looks again (the task's
/// room is free now). If it left a DRAINING instance, daemon services look too: their tasks
/// there go once nothing else is left.
pub fn on_task_stopped(world: &mut World, ctx: &mut Ctx, task: TaskId) {
    let t = &world.tasks[task.index()];
    let TaskOwner::Service(id) = t.owner else { return };
    let reason = t.stopped_reason.clone().unwrap_or_default();
    let left_draining = world.on_draining_instance(task);
    let svc = &mut world.services[id.index()];
    svc.tasks.retain(|x| *x != task);
    if svc.rebalancing == Some(task) {
        svc.rebalancing = None;
    }
    svc.stats.tasks_stopped += 1;
    *svc.stats.stop_reasons.entry(reason).or_insert(0) += 1;
    ctx.sched.after(SimDuration::ZERO, Event::Service(ServiceEvent::Reconcile(id)));
    if left_draining {
        let daemons =
            (0..world.services.len()).map(ServiceId::from_index).filter(|s| *s != id && !is_replica(world, *s));
        for daemon in daemons.collect::<Vec<_>>() {
            ctx.sched.after(SimDuration::ZERO, Event::Service(ServiceEvent::Reconcile(daemon)));
        }
    }
}

/// A task stopped before it ever ran: the gap before the next launch grows (aws-behaviour.md
/// §6.3), from the back-off's first delay by its factor up to its maximum. Tasks failing while
/// launches are already held back count as one failure: they were started together.
fn throttle_launches(world: &mut World, ctx: &mut Ctx, id: ServiceId) {
    let now = ctx.sched.now();
    let svc = &mut world.services[id.index()];
    if now < svc.blocked_until {
        return;
    }
    let delay = back_off(ctx, &svc.spec.name, &mut svc.launch_backoff);
    svc.blocked_until = now + delay;
}

/// Trips the circuit breaker when the primary deployment's failures reach the threshold: the
/// deployment FAILED, and with rollback a new deployment returns to the last completed one.
fn check_breaker(world: &mut World, ctx: &mut Ctx, id: ServiceId) {
    let now = ctx.sched.now();
    let desired = desired_count(world, id);
    let svc = &mut world.services[id.index()];
    let Some(breaker) = svc.spec.deployment.circuit_breaker else { return };
    let threshold = breaker_threshold(desired);
    if svc.primary().state != RolloutState::InProgress || svc.primary().failures() < threshold {
        return;
    }
    svc.primary_mut().end(RolloutState::Failed, now);
    svc.steady = false;
    let failed = svc.primary().id.clone();
    let name = svc.spec.name.clone();
    let stage =
        if svc.primary().any_running { "tasks failed health checks or exited" } else { "tasks failed to start" };
    let message = format!(
        "service {name} (deployment {failed}) deployment failed: {stage} ({} failures, threshold {threshold}).",
        svc.primary().failures()
    );
    ctx.log(EventKind::ServiceDeploymentFailed).service(name.clone()).message(message).emit();
    let last_completed = svc.deployments.iter().rposition(|d| d.state == RolloutState::Completed);
    match (breaker.rollback, last_completed) {
        (true, Some(target)) => roll_back(world, ctx, id, target, failed),
        (true, None) => {
            let message = format!("service {name} has no completed deployment to roll back to: {failed} stays FAILED.");
            ctx.log(EventKind::ServiceDeploymentFailed).service(name).message(message).emit();
        }
        (false, _) => {}
    }
}

/// Starts a deployment of the task definition of deployment `target`, which takes over that
/// deployment's tasks still running.
fn roll_back(world: &mut World, ctx: &mut Ctx, id: ServiceId, target: usize, failed: String) {
    let now = ctx.sched.now();
    let svc = &mut world.services[id.index()];
    let mut deployment = Deployment::new(svc.deployments.len() + 1, svc.deployments[target].task_definition, now);
    deployment.rollback_of = Some(failed.clone());
    let message = format!(
        "service {} deployment {failed} rolled back: deployment {} returns to task definition {} of deployment {}.",
        svc.spec.name,
        deployment.id,
        world.task_definitions[deployment.task_definition.index()].family,
        svc.deployments[target].id
    );
    svc.deployments.push(deployment);
    svc.launch_backoff = None;
    svc.blocked_until = now;
    let primary = svc.primary_index();
    for t in &svc.tasks {
        let task = &mut world.tasks[t.index()];
        if task.deployment as usize == target {
            task.deployment = primary;
        }
    }
    let name = svc.spec.name.clone();
    ctx.log(EventKind::ServiceDeploymentRolledBack).service(name).message(message).emit();
    ctx.sched.after(SimDuration::ZERO, Event::Service(ServiceEvent::Reconcile(id)));
}

/// When every task is RUNNING and healthy and their number is the desired count: the primary
/// deployment completes, the service "has reached a steady state" (said once per period of
/// stability), and Availability Zone rebalancing looks at how its tasks are spread.
fn check_steady_state(world: &mut World, ctx: &mut Ctx, id: ServiceId) {
    let now = ctx.sched.now();
    let svc = &world.services[id.index()];
    let moving = svc.rebalancing.is_some();
    if moving || svc.primary().state == RolloutState::Failed || svc.tasks.len() as u32 != desired_count(world, id) {
        return;
    }
    let (grace, primary) = (svc.spec.health_check_grace_period, svc.primary_index());
    let settled = svc.tasks.iter().all(|t| {
        let task = &world.tasks[t.index()];
        task.desired_running
            && task.deployment == primary
            && task.status == TaskStatus::Running
            && !world.on_draining_instance(*t)
            && standing(world, *t, grace, now) == Standing::Healthy
    });
    if !settled {
        return;
    }
    if !svc.steady {
        say_steady(world, ctx, id);
    }
    if is_replica(world, id) && rebalance::check(world, ctx, id) {
        world.services[id.index()].steady = false;
        ctx.sched.after(SimDuration::ZERO, Event::Service(ServiceEvent::Reconcile(id)));
    }
}

/// The service is settled: its primary deployment completes if it was in progress, and it has
/// reached a steady state.
fn say_steady(world: &mut World, ctx: &mut Ctx, id: ServiceId) {
    let now = ctx.sched.now();
    let svc = &mut world.services[id.index()];
    let name = svc.spec.name.clone();
    if svc.primary().state == RolloutState::InProgress {
        svc.primary_mut().end(RolloutState::Completed, now);
        let message = format!("service {name} (deployment {}) deployment completed.", svc.primary().id);
        ctx.log(EventKind::ServiceDeploymentCompleted).service(name.clone()).message(message).emit();
    }
    let svc = &mut world.services[id.index()];
    svc.steady = true;
    svc.rolling = false;
    svc.stats.first_steady_state_at.get_or_insert(now);
    let message = format!("service {name} has reached a steady state.");
    ctx.log(EventKind::ServiceSteadyState).service(name).message(message).emit();
}

fn is_replica(world: &World, id: ServiceId) -> bool {
    world.services[id.index()].spec.scheduling_strategy == SchedulingStrategy::Replica
}
