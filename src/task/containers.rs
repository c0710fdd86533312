//! What the containers of a running task do by themselves (their [`ContainerBehaviour`]): exit,
//! get killed for using too much memory, pass or fail their health checks. Everything is drawn
//! when the task reaches RUNNING and scheduled as [`ContainerEvent`]s stamped with the task's
//! generation, so a task stopped meanwhile ignores them.

use crate::ids::TaskId;
use crate::record::EventKind;
use crate::world::event::{ContainerChange, ContainerEvent};
use crate::world::{Ctx, Event, World};

use super::{health_transitions, ContainerBehaviour, Health, ProbeFailure, TaskDefinition, TaskStatus};

/// The exit code of a process killed by SIGKILL, as the OOM killer does.
pub const SIGKILL_EXIT_CODE: i32 = 137;
/// AWS's stopped reason when an essential container exits.
pub const ESSENTIAL_CONTAINER_EXITED: &str = "Essential container in task exited";
/// AWS's stopped reason for a task whose essential container the OOM killer ended.
pub const OUT_OF_MEMORY: &str = "OutOfMemoryError: Container killed due to memory usage";

/// The reason a task cannot start, if one of its containers cannot (`starts: false`).
pub fn start_failure(td: &TaskDefinition) -> Option<String> {
    td.containers
        .iter()
        .find(|c| !c.behaviour.starts)
        .map(|c| format!("CannotStartContainerError: Error response from daemon: failed to start container {}", c.name))
}

/// The task just reached RUNNING: draws when each container exits by itself (`exits_after`, or
/// its memory use passing its limit) and when its health changes, and schedules those moments.
/// A task the run starts with already running has been up a while: its containers whose program
/// passes its health check are HEALTHY from the start, with no event (the others fail theirs as
/// a new task's would).
pub fn on_running(world: &mut World, ctx: &mut Ctx, id: TaskId) {
    if world.tasks.get(id).running_at_start {
        let task = world.tasks.get_mut(id);
        let td = &world.task_definitions[task.task_definition.index()];
        for (i, c) in td.containers.iter().enumerate() {
            if c.health_check.is_some() && c.behaviour.passes_health_checks {
                task.container_health[i] = Health::Healthy;
            }
        }
        task.health = task_health(td, &task.container_health);
    }
    let task = world.tasks.get(id);
    let td = world.task_definition(task.task_definition);
    let rng = ctx.streams.lifecycle(task.owner);
    let mut changes = Vec::new();
    for (i, c) in td.containers.iter().enumerate() {
        let b: &ContainerBehaviour = &c.behaviour;
        let exit = b.exits_after.as_ref().map(|d| (d.sample(rng), b.exit_code, false));
        let limit = c.memory.or(td.memory);
        let oom = b.memory.zip(limit).and_then(|(m, l)| m.exceeds_after(l)).map(|t| (t, SIGKILL_EXIT_CODE, true));
        if let Some((after, code, out_of_memory)) = [exit, oom].into_iter().flatten().min_by_key(|(t, ..)| *t) {
            changes.push((after, i, ContainerChange::Exit { code, out_of_memory }));
        }
        if let Some(check) = c.health_check.as_ref().filter(|_| task.container_health[i] != Health::Healthy) {
            let ready = b.passes_health_checks.then(|| b.ready_after.sample(rng));
            let transitions = health_transitions(check, ready);
            changes.extend(transitions.into_iter().map(|(after, h)| (after, i, ContainerChange::Health(h))));
        }
    }
    for (after, container, change) in changes {
        let event = ContainerEvent { task: id, generation: task.generation, container: container as u16, change };
        ctx.sched.after(after, Event::Container(event));
    }
}

/// The program in the task's essential containers stops answering its health checks (a deadlock,
/// a lost dependency): each check from now on fails, at once or by hanging until its timeout
/// (`probes`), so each container with a check turns UNHEALTHY
/// [`ProbeFailure::unhealthy_after`] from now. Returns false if no essential container has a
/// check.
pub fn fail_health_checks(world: &World, ctx: &mut Ctx, id: TaskId, probes: ProbeFailure) -> bool {
    let task = world.tasks.get(id);
    let td = world.task_definition(task.task_definition);
    let mut any = false;
    for (i, c) in td.containers.iter().enumerate().filter(|(_, c)| c.essential) {
        let Some(check) = &c.health_check else { continue };
        any = true;
        let change = ContainerChange::Health(Health::Unhealthy);
        let event = ContainerEvent { task: id, generation: task.generation, container: i as u16, change };
        ctx.sched.after(probes.unhealthy_after(check), Event::Container(event));
    }
    any
}

/// A container exits or changes health.
pub fn on_event(world: &mut World, ctx: &mut Ctx, event: ContainerEvent) {
    let task = world.tasks.get(event.task);
    if !task.generation.is_current(event.generation) || task.status != TaskStatus::Running {
        return;
    }
    match event.change {
        ContainerChange::Exit { code, out_of_memory } => {
            exit(world, ctx, event.task, event.container, code, out_of_memory)
        }
        ContainerChange::Health(h) => health_changed(world, ctx, event.task, usize::from(event.container), h),
    }
}

fn exit(world: &mut World, ctx: &mut Ctx, id: TaskId, container: u16, code: i32, out_of_memory: bool) {
    let td = world.task_definition(world.tasks.get(id).task_definition);
    let c = &td.containers[usize::from(container)];
    let reason = if out_of_memory { OUT_OF_MEMORY } else { ESSENTIAL_CONTAINER_EXITED };
    if c.essential {
        super::exit_container(world, ctx, id, usize::from(container), code, reason);
        return;
    }
    let message = format!(
        "container {} of task {} exited with code {code}{}; it is not essential, so the task keeps running",
        c.name,
        world.task_label(id),
        if out_of_memory { " (OutOfMemoryError)" } else { "" }
    );
    let owner = world.owner_name(world.tasks.get(id).owner).to_string();
    ctx.log(EventKind::ContainerExited).service(owner).task(world.task_label(id)).message(message).emit();
}

/// A container's health changed: the task's health is that of its essential containers with a
/// health check — UNHEALTHY if any is, HEALTHY once all are.
fn health_changed(world: &mut World, ctx: &mut Ctx, id: TaskId, container: usize, health: Health) {
    let task = world.tasks.get_mut(id);
    task.container_health[container] = health;
    let new = task_health(&world.task_definitions[task.task_definition.index()], &task.container_health);
    if new == task.health {
        return;
    }
    task.health = new;
    let owner = task.owner;
    let owner = world.owner_name(owner).to_string();
    let label = world.task_label(id);
    let message = format!("task {label} health status is {}", new.as_str());
    ctx.log(EventKind::TaskHealthChange).service(owner).task(label).message(message).emit();
    crate::service::on_task_health(world, ctx, id);
}

/// A task's health from its containers': that of its essential containers with a health check,
/// UNHEALTHY if any is, HEALTHY once all are, UNKNOWN otherwise (or without any).
fn task_health(td: &TaskDefinition, containers: &[Health]) -> Health {
    let all: Vec<Health> = td
        .containers
        .iter()
        .zip(containers)
        .filter(|(c, _)| c.essential && c.health_check.is_some())
        .map(|(_, h)| *h)
        .collect();
    if all.contains(&Health::Unhealthy) {
        Health::Unhealthy
    } else if !all.is_empty() && all.iter().all(|h| *h == Health::Healthy) {
        Health::Healthy
    } else {
        Health::Unknown
    }
}

/// Whether the task has a health check that decides its health (on an essential container).
pub fn has_health_check(td: &TaskDefinition) -> bool {
    td.containers.iter().any(|c| c.essential && c.health_check.is_some())
}
