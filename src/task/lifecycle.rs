//! The task state machine, with ECS's statuses (aws-behaviour.md §6.1):
//!
//! ```text
//! PROVISIONING → PENDING → ACTIVATING → RUNNING → DEACTIVATING → STOPPING → DEPROVISIONING → STOPPED
//! ```
//!
//! Each status lasts a drawn time and ends with a [`TaskStep`] event stamped with the task's
//! generation. Stopping a task bumps the generation (so the pending step becomes stale) and sends
//! it down the stopping half from wherever it is: a task that never ran skips the statuses that
//! only make sense for a running one.

use crate::engine::{Generation, SimDuration, SimTime};
use crate::ids::{GroupId, InstanceId, ProviderId, RunTaskId, ServiceId, TaskDefId, TaskId, ZoneId};
use crate::record::EventKind;
use crate::world::event::TaskStep;
use crate::world::{Ctx, Event, World};

use super::{Health, TaskChange};

/// ECS's `lastStatus` values, in lifecycle order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum TaskStatus {
    Provisioning,
    Pending,
    Activating,
    Running,
    Deactivating,
    Stopping,
    Deprovisioning,
    Stopped,
}

impl TaskStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Provisioning => "PROVISIONING",
            TaskStatus::Pending => "PENDING",
            TaskStatus::Activating => "ACTIVATING",
            TaskStatus::Running => "RUNNING",
            TaskStatus::Deactivating => "DEACTIVATING",
            TaskStatus::Stopping => "STOPPING",
            TaskStatus::Deprovisioning => "DEPROVISIONING",
            TaskStatus::Stopped => "STOPPED",
        }
    }

    /// Starting up: counted as "pending" by ECS's service counts.
    pub fn is_starting(self) -> bool {
        self < TaskStatus::Running
    }
}

/// Where a task runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    Instance(InstanceId),
    Fargate {
        zone: ZoneId,
        spot: bool,
    },
    /// In PROVISIONING, waiting for its capacity provider (with managed scaling) to have room.
    AwaitingCapacity(ProviderId),
}

/// ECS's `stopCode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopCode {
    /// Stopped by a user or an API call (here: the fault plan's `stop_tasks`).
    UserInitiated,
    /// The service scheduler stopped it (scale-in).
    ServiceSchedulerInitiated,
    /// An essential container exited (a standalone task finishing its work).
    EssentialContainerExited,
    /// The task never started (no capacity in time, or a container could not start).
    TaskFailedToStart,
    /// Its host went away: the EC2 instance was terminated (ECS's "Host EC2 (instance …)
    /// terminated."), its zone was lost, or Fargate reclaimed a Spot task.
    TerminationNotice,
}

impl StopCode {
    pub fn as_str(self) -> &'static str {
        match self {
            StopCode::UserInitiated => "UserInitiated",
            StopCode::ServiceSchedulerInitiated => "ServiceSchedulerInitiated",
            StopCode::EssentialContainerExited => "EssentialContainerExited",
            StopCode::TaskFailedToStart => "TaskFailedToStart",
            StopCode::TerminationNotice => "TerminationNotice",
        }
    }
}

/// Who started a task and looks after it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum TaskOwner {
    Service(ServiceId),
    /// A `tasks:` entry: started once with RunTask, never replaced.
    Standalone(RunTaskId),
}

/// A task, from launch until long after it stopped (the arena keeps stopped tasks for the summary).
#[derive(Clone, Debug)]
pub struct Task {
    pub id: TaskId,
    pub owner: TaskOwner,
    /// The task group spread and distinctInstance count it in.
    pub group: GroupId,
    /// 1 for the owner's first task, 2 for the next...
    pub ordinal: u32,
    pub task_definition: TaskDefId,
    pub provider: Option<ProviderId>,
    pub placement: Placement,
    pub status: TaskStatus,
    /// False once ECS has been asked to stop the task (`desiredStatus` STOPPED).
    pub desired_running: bool,
    pub generation: Generation,
    pub created_at: SimTime,
    /// When the image pull began: Fargate bills from here.
    pub pull_started_at: Option<SimTime>,
    pub started_at: Option<SimTime>,
    pub stopped_at: Option<SimTime>,
    pub stop_code: Option<StopCode>,
    pub stopped_reason: Option<String>,
    /// The essential container that exited on its own, and its exit code.
    pub exited: Option<(String, i32)>,
    /// The service deployment that started it (an index into the service's deployments; 0 for
    /// standalone tasks).
    pub deployment: u32,
    /// ECS's `healthStatus`: from the essential containers' health checks; UNKNOWN without any.
    pub health: Health,
    /// Each container's health, by container index.
    pub container_health: Vec<Health>,
    /// How long it waited in PROVISIONING for a capacity provider to have room, once it was
    /// placed or gave up (`None` if it never waited).
    pub capacity_wait: Option<SimDuration>,
    /// Already RUNNING when the run began (a describe-services snapshot's task): its images are
    /// on its host, its health checks have passed and its grace period is over.
    pub running_at_start: bool,
}

/// What a new task is: its owner, group, definition and ordinal among the owner's tasks.
pub struct NewTask {
    pub owner: TaskOwner,
    pub group: GroupId,
    pub task_definition: TaskDefId,
    pub ordinal: u32,
    pub deployment: u32,
}

/// Creates a task in PROVISIONING, holding its share of the instance it is placed on.
pub fn launch(
    world: &mut World,
    ctx: &mut Ctx,
    new: NewTask,
    provider: Option<ProviderId>,
    placement: Placement,
) -> TaskId {
    let id = create(world, ctx, new, provider, placement, false);
    enter(world, ctx, id, TaskStatus::Provisioning);
    id
}

/// Creates a task that is already RUNNING at time 0, as a describe-services snapshot counts it:
/// it holds its share of its instance, whose image cache has its images, and Fargate bills it
/// from now. Its owner counts it, then [`run_from_start`] puts it in RUNNING (so that the
/// owner's reactions to RUNNING find it among its tasks).
pub fn launch_running(
    world: &mut World,
    ctx: &mut Ctx,
    new: NewTask,
    provider: Option<ProviderId>,
    placement: Placement,
) -> TaskId {
    debug_assert!(!matches!(placement, Placement::AwaitingCapacity(_)), "a running task has its place");
    let id = create(world, ctx, new, provider, placement, true);
    let now = ctx.sched.now();
    world.tasks.get_mut(id).pull_started_at = Some(now);
    if let Placement::Instance(i) = placement {
        let td = &world.task_definitions[world.tasks.get(id).task_definition.index()];
        let cache = &mut world.instances.get_mut(i).images_ready_at;
        for c in &td.containers {
            cache.entry(c.image.clone()).or_insert(now);
        }
    }
    id
}

/// A task made by [`launch_running`] enters RUNNING, skipping the statuses before it (its
/// containers' health checks pass from the start, see [`super::containers::on_running`]).
pub fn run_from_start(world: &mut World, ctx: &mut Ctx, id: TaskId) {
    debug_assert!(world.tasks.get(id).running_at_start && world.tasks.get(id).status == TaskStatus::Provisioning);
    enter(world, ctx, id, TaskStatus::Running);
}

/// Adds the task to the arena in PROVISIONING, holding its place.
fn create(
    world: &mut World,
    ctx: &Ctx,
    new: NewTask,
    provider: Option<ProviderId>,
    placement: Placement,
    running_at_start: bool,
) -> TaskId {
    let id = world.tasks.next_id();
    world.tasks.push(Task {
        id,
        owner: new.owner,
        group: new.group,
        ordinal: new.ordinal,
        task_definition: new.task_definition,
        provider,
        placement,
        status: TaskStatus::Provisioning,
        desired_running: true,
        generation: Generation::default(),
        created_at: ctx.sched.now(),
        pull_started_at: None,
        started_at: None,
        stopped_at: None,
        stop_code: None,
        stopped_reason: None,
        exited: None,
        deployment: new.deployment,
        health: Health::Unknown,
        container_health: vec![Health::Unknown; world.task_definitions[new.task_definition.index()].containers.len()],
        capacity_wait: None,
        running_at_start,
    });
    match placement {
        Placement::Instance(i) => world.hold(id, i),
        Placement::AwaitingCapacity(_) => world.awaiting_capacity.push(id),
        Placement::Fargate { .. } => {}
    }
    id
}

/// Asks ECS to stop a task. Returns false if it was already stopping.
pub fn stop(world: &mut World, ctx: &mut Ctx, id: TaskId, code: StopCode, reason: &str) -> bool {
    if !world.tasks.get(id).desired_running {
        return false;
    }
    let task = world.tasks.get_mut(id);
    if matches!(task.placement, Placement::AwaitingCapacity(_)) && task.capacity_wait.is_none() {
        // Stopped while still waiting (scale-in, a deployment, the wait's timeout): it waited until now.
        task.capacity_wait = Some(ctx.sched.now() - task.created_at);
    }
    let_go(world, id, code, reason);
    let next = match world.tasks.get(id).status {
        TaskStatus::Provisioning => TaskStatus::Deprovisioning,
        TaskStatus::Pending | TaskStatus::Activating => TaskStatus::Stopping,
        _ => TaskStatus::Deactivating,
    };
    enter(world, ctx, id, next);
    super::announce(world, ctx, TaskChange::StopRequested(id));
    true
}

/// The task's host is gone (its instance terminated, its zone lost, its Spot notice over): it is
/// STOPPED at once, with no SIGTERM wait. A task already stopping keeps the stop code and reason
/// it was stopped with; a STOPPED task is left as it is.
pub fn kill(world: &mut World, ctx: &mut Ctx, id: TaskId, code: StopCode, reason: &str) {
    let task = world.tasks.get_mut(id);
    if task.status == TaskStatus::Stopped {
        return;
    }
    if task.desired_running {
        let_go(world, id, code, reason);
        super::announce(world, ctx, TaskChange::StopRequested(id));
    } else {
        task.generation.bump();
    }
    enter(world, ctx, id, TaskStatus::Stopped);
}

/// ECS is asked to stop a live task (`desiredStatus` STOPPED): its pending step goes stale, it
/// leaves its group's spread count, and it records why.
fn let_go(world: &mut World, id: TaskId, code: StopCode, reason: &str) {
    let task = world.tasks.get_mut(id);
    task.desired_running = false;
    task.generation.bump();
    task.stop_code = Some(code);
    task.stopped_reason = Some(reason.to_string());
    if let Placement::Instance(i) = task.placement {
        world.leave_group(id, i);
    }
}

/// An essential container of a RUNNING task exits with `exit_code` (a crash, or 0 when a
/// standalone task's work is done): ECS stops the task, and the other containers get SIGTERM.
pub fn crash(world: &mut World, ctx: &mut Ctx, id: TaskId, exit_code: i32) {
    let td = world.task_definition(world.tasks.get(id).task_definition);
    let Some(container) = td.containers.iter().position(|c| c.essential) else { return };
    exit_container(world, ctx, id, container, exit_code, super::containers::ESSENTIAL_CONTAINER_EXITED);
}

/// The essential container at index `container` exited with `exit_code` for `reason`.
pub fn exit_container(world: &mut World, ctx: &mut Ctx, id: TaskId, container: usize, exit_code: i32, reason: &str) {
    let name = world.task_definition(world.tasks.get(id).task_definition).containers[container].name.clone();
    world.tasks.get_mut(id).exited = Some((name, exit_code));
    stop(world, ctx, id, StopCode::EssentialContainerExited, reason);
}

/// The task's target finished draining before the deregistration delay ran out (nothing was left
/// in flight): DEACTIVATING ends now, and the step scheduled for the delay's end goes stale.
pub fn drained(world: &mut World, ctx: &mut Ctx, id: TaskId) {
    let task = world.tasks.get_mut(id);
    if task.status != TaskStatus::Deactivating {
        return;
    }
    task.generation.bump();
    enter(world, ctx, id, TaskStatus::Stopping);
}

/// The current status is over: move to the next one.
pub fn on_step(world: &mut World, ctx: &mut Ctx, step: TaskStep) {
    let task = world.tasks.get(step.task);
    if !task.generation.is_current(step.generation) {
        return;
    }
    let next = match (task.status, task.placement) {
        (TaskStatus::Provisioning, Placement::AwaitingCapacity(p)) => {
            let reason = format!(
                "Capacity provider {} had no capacity for the task within {}",
                world.providers[p.index()].name,
                ctx.timing.capacity_wait_timeout
            );
            stop(world, ctx, step.task, StopCode::TaskFailedToStart, &reason);
            return;
        }
        (status, _) => status,
    };
    let next = match next {
        TaskStatus::Provisioning => TaskStatus::Pending,
        TaskStatus::Pending => {
            if let Some(reason) = super::containers::start_failure(world.task_definition(task.task_definition)) {
                stop(world, ctx, step.task, StopCode::TaskFailedToStart, &reason);
                return;
            }
            TaskStatus::Activating
        }
        TaskStatus::Activating => TaskStatus::Running,
        TaskStatus::Running => {
            // Only a standalone task's work ends by itself: its essential container exits, done.
            crash(world, ctx, step.task, 0);
            return;
        }
        TaskStatus::Deactivating => TaskStatus::Stopping,
        TaskStatus::Stopping => TaskStatus::Deprovisioning,
        TaskStatus::Deprovisioning => TaskStatus::Stopped,
        TaskStatus::Stopped => return,
    };
    enter(world, ctx, step.task, next);
}

/// Moves a task into `status`, records it, and schedules the end of the status.
fn enter(world: &mut World, ctx: &mut Ctx, id: TaskId, status: TaskStatus) {
    let now = ctx.sched.now();
    let task = world.tasks.get_mut(id);
    task.status = status;
    match status {
        TaskStatus::Pending => task.pull_started_at = Some(now),
        TaskStatus::Running => task.started_at = Some(now),
        TaskStatus::Stopped => task.stopped_at = Some(now),
        _ => {}
    }
    let generation = task.generation;
    log_state_change(world, ctx, id);
    // The task's own part of the status, before anyone else hears of it.
    match status {
        TaskStatus::Running => {
            super::containers::on_running(world, ctx, id);
            let owner = world.tasks.get(id).owner;
            if let TaskOwner::Standalone(r) = owner {
                if let Some(run_time) = &world.run_tasks[r.index()].spec.run_time {
                    let work = run_time.sample(ctx.streams.lifecycle(owner));
                    ctx.sched.after(work, Event::Task(TaskStep { task: id, generation }));
                }
            }
        }
        TaskStatus::Stopped => release(world, id),
        _ => {}
    }
    let reaction = super::announce(world, ctx, TaskChange::Entered { task: id, status });
    // When the status ends: RUNNING and STOPPED last until something happens.
    let delay = match status {
        TaskStatus::Running | TaskStatus::Stopped => return,
        // ECS deregistered the task from its target group and waits for the draining.
        TaskStatus::Deactivating => reaction.deactivating_for,
        _ => status_duration(world, ctx, id, status),
    };
    ctx.sched.after(delay, Event::Task(TaskStep { task: id, generation }));
}

/// How long a task stays in a transient status.
fn status_duration(world: &mut World, ctx: &mut Ctx, id: TaskId, status: TaskStatus) -> SimDuration {
    let task = world.tasks.get(id);
    let td = &world.task_definitions[task.task_definition.index()];
    let rng = ctx.streams.lifecycle(task.owner);
    let timing = ctx.timing;
    match (status, task.placement) {
        (TaskStatus::Provisioning, Placement::Fargate { .. }) => timing.fargate_provisioning.sample(rng),
        (TaskStatus::Provisioning, Placement::AwaitingCapacity(_)) => timing.capacity_wait_timeout,
        (TaskStatus::Deprovisioning, Placement::AwaitingCapacity(_)) => SimDuration::ZERO,
        (TaskStatus::Provisioning | TaskStatus::Deprovisioning, _) if td.uses_eni() => {
            timing.eni_attachment.sample(rng)
        }
        (TaskStatus::Pending, placement) => {
            let now = ctx.sched.now();
            let images_ready = match placement {
                Placement::Fargate { .. } | Placement::AwaitingCapacity(_) => {
                    now + timing.fargate_image_pull.duration(td.image_size_mb())
                }
                Placement::Instance(i) => {
                    let ready_at = &mut world.instances.get_mut(i).images_ready_at;
                    let missing: Vec<_> = td.containers.iter().filter(|c| !ready_at.contains_key(&c.image)).collect();
                    let pulled = (!missing.is_empty())
                        .then(|| now + timing.ec2_image_pull.duration(missing.iter().map(|c| c.image_size_mb).sum()));
                    for c in missing {
                        ready_at.insert(c.image.clone(), pulled.unwrap_or(now));
                    }
                    td.containers.iter().map(|c| ready_at[&c.image]).max().unwrap_or(now)
                }
            };
            // Containers start together once the images are in; the task waits for the slowest.
            let start = td.containers.iter().map(|c| c.start_time.sample(rng)).max().unwrap_or_default();
            (images_ready - now) + start
        }
        (TaskStatus::Stopping, _) => {
            // SIGTERM to every container still up; each exits after its stop time or is killed at
            // its timeout. A container that already exited needs none.
            let exited = task.exited.as_ref().map(|(name, _)| name.as_str());
            td.containers
                .iter()
                .filter(|c| Some(c.name.as_str()) != exited)
                .map(|c| c.stop_time.sample(rng).min(c.stop_timeout))
                .max()
                .unwrap_or_default()
        }
        _ => SimDuration::ZERO,
    }
}

fn release(world: &mut World, id: TaskId) {
    match world.tasks.get(id).placement {
        Placement::Instance(i) => world.unhold(id, i),
        Placement::AwaitingCapacity(_) => world.awaiting_capacity.retain(|t| *t != id),
        Placement::Fargate { .. } => {}
    }
}

/// A task waiting for capacity found an instance: it holds it from now and its PROVISIONING
/// continues there (the timeout is cancelled by the new generation).
pub fn assign_instance(world: &mut World, ctx: &mut Ctx, id: TaskId, instance: InstanceId) {
    let waited = ctx.sched.now() - world.tasks.get(id).created_at;
    world.awaiting_capacity.retain(|t| *t != id);
    let task = world.tasks.get_mut(id);
    task.capacity_wait = Some(waited);
    task.placement = Placement::Instance(instance);
    task.generation.bump();
    world.hold(id, instance);
    let message = format!(
        "task {} placed on {} after waiting {waited} in PROVISIONING for capacity",
        world.task_label(id),
        world.instances.get(instance).label()
    );
    let owner = world.owner_name(world.tasks.get(id).owner).to_string();
    let label = world.instances.get(instance).label();
    ctx.log(EventKind::TaskPlacement).service(owner).task(world.task_label(id)).instance(label).message(message).emit();
    let delay = status_duration(world, ctx, id, TaskStatus::Provisioning);
    let generation = world.tasks.get(id).generation;
    ctx.sched.after(delay, Event::Task(TaskStep { task: id, generation }));
}

fn log_state_change(world: &World, ctx: &mut Ctx, id: TaskId) {
    let task = world.tasks.get(id);
    let label = world.task_label(id);
    let service = world.owner_name(task.owner).to_string();
    let mut message = format!("task {label} is {}", task.status.as_str());
    if task.status == TaskStatus::Stopped {
        if let (Some(code), Some(reason)) = (task.stop_code, &task.stopped_reason) {
            message.push_str(&format!(" (stopCode {}: {reason})", code.as_str()));
        }
        if let Some((container, exit_code)) = &task.exited {
            message.push_str(&format!("; container {container} exited with code {exit_code}"));
        }
    }
    let mut entry =
        ctx.log(EventKind::TaskStateChange).service(service).task(label).status(task.status.as_str()).message(message);
    if let Placement::Instance(i) = task.placement {
        entry = entry.instance(world.instances.get(i).label());
    }
    entry.emit();
}
