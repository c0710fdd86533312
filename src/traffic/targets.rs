//! Tasks as targets, as ECS and the ALB handle them (aws-behaviour.md §6.1, §9): a service's task
//! is registered with its target group when it reaches RUNNING and is health-checked from then
//! on; when ECS stops it, it is deregistered and drains while the task sits in DEACTIVATING: until
//! nothing is in flight any more, at most for the deregistration delay (the ALB completes a
//! deregistration at once when the target has no in-flight request, aws-behaviour.md §9);
//! requests still in flight when the task's containers get SIGTERM (or its host vanishes) fail
//! with a 502.

use rand::RngExt;

use crate::engine::{SimDuration, SimTime};
use crate::ids::{TargetGroupId, TaskId};
use crate::record::EventKind;
use crate::task::{Health, Placement, StopCode, TaskOwner, TaskStatus};
use crate::world::event::TrafficEvent;
use crate::world::{Ctx, Event, World};

use super::backend::{Backend, NewBackend};
use super::cpu_share::TaskCpu;
use super::stats::Failure;
use super::target_group::TargetState;

/// A task whose definition reserves no CPU counts as reserving one vCPU in its CPUUtilization
/// (CloudWatch's denominator would be zero), and may use that much when alone on its host.
const UNRESERVED_VCPUS: f64 = 1.0;
/// What a task without an essential container would answer (none is running such a task).
const HEALTHY_RESPONSE: u16 = 200;

/// The task reached RUNNING: if its service is behind a target group, it registers there, and
/// the first health check comes within one interval (at a drawn phase, as the ALB's nodes do not
/// probe a new target in step with its registration). A task the run starts with is a target in
/// service already: healthy, ready, without slow start.
pub fn on_task_running(world: &mut World, ctx: &mut Ctx, id: TaskId) {
    let Some(tg) = crate::service::target_group_of(world, id) else { return };
    let Some(zone) = world.task_zone(id) else { return };
    let now = ctx.sched.now();
    let backend = new_backend(world, ctx, id, tg, now);
    let host = backend.cpu.instance();
    world.traffic.add_backend(backend);
    super::requests::share_cpu(world, ctx, host);
    let traffic = &mut world.traffic;
    if world.tasks.get(id).running_at_start {
        traffic.group(tg).register_in_service(id, zone, now);
    } else {
        traffic.group(tg).register(id, zone, now);
    }
    let interval = traffic.group(tg).config().health_check.interval;
    let phase = SimDuration::from_micros(ctx.streams.health_checks(tg).random_range(1..=interval.as_micros()));
    schedule_probe(world, ctx, tg, id, phase);
    log_targets(world, ctx, id, tg, "registered 1 targets in");
}

fn new_backend(world: &World, ctx: &mut Ctx, id: TaskId, tg: TargetGroupId, now: SimTime) -> Backend {
    let task = world.tasks.get(id);
    let TaskOwner::Service(service) = task.owner else { unreachable!("only service tasks register") };
    let td = world.task_definition(task.task_definition);
    let essential: Vec<_> = td.containers.iter().filter(|c| c.essential).collect();
    let rng = ctx.streams.health_checks(tg);
    // A task the run starts with has long been ready.
    let ready = match task.running_at_start {
        true => SimDuration::ZERO,
        false => essential.iter().map(|c| c.behaviour.ready_after.sample(rng)).max().unwrap_or_default(),
    };
    let baseline = essential.iter().filter_map(|c| c.behaviour.memory).map(|m| m.baseline_mib).sum();
    let limit = essential.first().and_then(|c| c.memory.or(td.memory)).map(f64::from);
    let cpu = td.reserved_cpu();
    let reserved_vcpus = if cpu == 0 { UNRESERVED_VCPUS } else { f64::from(cpu) / 1024.0 };
    let instance_cpu = match task.placement {
        Placement::Instance(i) => Some(world.instances.get(i).registered_cpu),
        _ => None,
    };
    let new = NewBackend {
        task: id,
        service,
        target_group: tg,
        cpu: TaskCpu::of(td, task.placement, instance_cpu, reserved_vcpus),
        reserved_vcpus,
        speed: host_speed(world, id),
        concurrency: world.services.get(service).spec.requests.concurrency,
        ready_at: now + ready,
        answering: essential.iter().all(|c| c.behaviour.passes_health_checks),
        health_check_response: essential.first().map_or(HEALTHY_RESPONSE, |c| c.behaviour.health_check_response),
        baseline_mib: baseline,
        reserved_mib: f64::from(td.reserved_memory()),
        limit_mib: limit,
    };
    Backend::new(new, now)
}

/// The per-vCPU speed of the task's host: its instance type's (an external instance, whose
/// hardware ecsim does not know, runs at 1.0), or Fargate's.
fn host_speed(world: &World, id: TaskId) -> f64 {
    let speeds = &world.traffic.speeds;
    match world.tasks.get(id).placement {
        Placement::Instance(i) => world.instances.get(i).instance_type.map_or(1.0, |t| speeds.instance(t)),
        Placement::Fargate { .. } => speeds.fargate,
        Placement::AwaitingCapacity(_) => 1.0,
    }
}

/// The next health check of target `id` of `tg`, `delay` from now, in the group's lane of the
/// scheduler: every check but the first comes an interval after the one before.
fn schedule_probe(world: &mut World, ctx: &mut Ctx, tg: TargetGroupId, id: TaskId, delay: SimDuration) {
    let lane = *world.traffic.probe_lanes[tg.index()].get_or_insert_with(|| ctx.sched.open_lane());
    let at = ctx.sched.now() + delay;
    ctx.sched.at_lane(lane, at, Event::Traffic(TrafficEvent::Probe(id)));
}

/// A health check of a target: it passes if the task's application answers (RUNNING, ready, not
/// failing its container health check) with a code the target group's matcher accepts. The next
/// one is an interval later, for as long as the target is registered.
pub fn on_probe(world: &mut World, ctx: &mut Ctx, id: TaskId) {
    let now = ctx.sched.now();
    let Some(passed) = probe_passes(world, id, now) else { return };
    let tg = world.traffic.backends[&id].target_group;
    let group = world.traffic.group(tg);
    if group.target(id).is_none_or(|t| t.state == TargetState::Draining) {
        return;
    }
    let interval = group.config().health_check.interval;
    let change = group.record_probe(id, passed, now);
    schedule_probe(world, ctx, tg, id, interval);
    if let Some((_, new)) = change {
        log_health(world, ctx, id, tg, new);
        crate::service::on_task_health(world, ctx, id);
    }
}

/// Whether a health check of `id` at `now` passes: the task is RUNNING and not UNHEALTHY, its
/// application answers, and with a code the group's matcher accepts. `None` for a task without a
/// target.
pub(super) fn probe_passes(world: &World, id: TaskId, now: SimTime) -> Option<bool> {
    let backend = world.traffic.backends.get(&id)?;
    let task = world.tasks.get(id);
    let matcher = &world.traffic.target_groups[backend.target_group.index()].config().health_check.matcher;
    let up = task.status == TaskStatus::Running && task.health != Health::Unhealthy;
    Some(up && backend.passes_check(now) && matcher.matches(backend.health_check_response))
}

/// The task's application stops answering health checks (the `fail_health_checks` fault).
pub fn stop_answering(world: &mut World, id: TaskId) -> bool {
    world.traffic.backends.get_mut(&id).map(|b| b.answering = false).is_some()
}

/// ECS stops a RUNNING task (DEACTIVATING): its target is deregistered and drains. Returns how
/// long DEACTIVATING lasts at most: the deregistration delay, as ECS waits for the draining to
/// finish, or zero when the target has nothing in flight (the ALB then completes the
/// deregistration at once) or the task has no target. A draining target whose last request
/// ends sooner ends DEACTIVATING then ([`on_request_ended`]). A task whose essential container
/// died serves nothing more.
pub fn on_task_deactivating(world: &mut World, ctx: &mut Ctx, id: TaskId) -> SimDuration {
    let Some(tg) = world.traffic.backends.get(&id).map(|b| b.target_group) else { return SimDuration::ZERO };
    let now = ctx.sched.now();
    let delay = world.traffic.group(tg).config().deregistration_delay;
    deregister(world, ctx, id, tg, now);
    if world.tasks.get(id).stop_code == Some(StopCode::EssentialContainerExited) {
        super::requests::fail_in_flight(world, ctx, id, Failure::Elb502);
    }
    if idle(world, id) {
        SimDuration::ZERO
    } else {
        delay
    }
}

/// Whether the task's target has nothing in flight: no request being served or waiting
/// (request fidelity), no backlog left (fluid fidelity, whose draining targets serve none).
/// Connections are not modelled, so an idle keep-alive connection never holds a drain.
fn idle(world: &World, id: TaskId) -> bool {
    world.traffic.backends.get(&id).is_none_or(|b| b.server.in_flight() == 0 && b.backlog.requests <= 0.0)
}

/// A request of task `id` ended (answered, refused or timed out): if its target is draining and
/// nothing is left in flight, the deregistration is complete and ECS moves the task on from
/// DEACTIVATING at once, without waiting out the deregistration delay.
pub fn on_request_ended(world: &mut World, ctx: &mut Ctx, id: TaskId) {
    if world.tasks.get(id).status != TaskStatus::Deactivating || target_state(world, id) != Some(TargetState::Draining)
    {
        return;
    }
    if idle(world, id) {
        crate::task::drained(world, ctx, id);
    }
}

/// The task's containers are told to stop, or its host is gone: whatever it still serves fails
/// with a 502, and it leaves its target group.
pub fn on_task_gone(world: &mut World, ctx: &mut Ctx, id: TaskId) {
    let Some(backend) = world.traffic.backends.get(&id) else { return };
    let tg = backend.target_group;
    super::requests::fail_in_flight(world, ctx, id, Failure::Elb502);
    let now = ctx.sched.now();
    deregister(world, ctx, id, tg, now);
    world.traffic.group(tg).remove(id);
    if let Some(mut backend) = world.traffic.remove_backend(id) {
        let per_request = world.services.get(backend.service).spec.requests.memory_per_request;
        backend.account(now, per_request, &mut world.traffic.services[backend.service.index()].interval);
        // The CPU it used is free for the tasks left on its instance.
        super::requests::share_cpu(world, ctx, backend.cpu.instance());
    }
}

/// Starts the target's draining, logged the way ECS words it (once: a draining target is left
/// as it is).
fn deregister(world: &mut World, ctx: &mut Ctx, id: TaskId, tg: TargetGroupId, now: SimTime) {
    if world.traffic.group(tg).deregister(id, now).is_some() {
        log_targets(world, ctx, id, tg, "deregistered 1 targets in");
    }
}

/// The target group task `id` is registered with, if any.
pub fn target_group_of(world: &World, id: TaskId) -> Option<TargetGroupId> {
    world.traffic.backends.get(&id).map(|b| b.target_group)
}

/// The target's state under the load balancer, for the service scheduler's view of its health.
pub fn target_state(world: &World, id: TaskId) -> Option<TargetState> {
    let backend = world.traffic.backends.get(&id)?;
    world.traffic.target_groups[backend.target_group.index()].target(id).map(|t| t.state)
}

fn log_targets(world: &World, ctx: &mut Ctx, id: TaskId, tg: TargetGroupId, what: &str) {
    let service = world.owner_name(world.tasks.get(id).owner).to_string();
    let group = &world.traffic.target_group_specs[tg.index()].name;
    let message = format!("(service {service}) {what} (target-group {group})");
    ctx.log(EventKind::ServiceTargetsChanged).service(service).task(world.task_label(id)).message(message).emit();
}

fn log_health(world: &World, ctx: &mut Ctx, id: TaskId, tg: TargetGroupId, state: TargetState) {
    let service = world.owner_name(world.tasks.get(id).owner).to_string();
    let group = &world.traffic.target_group_specs[tg.index()].name;
    let label = world.task_label(id);
    let message = match state {
        TargetState::Unhealthy => {
            format!("(service {service}) (task {label}) failed ELB health checks in (target-group {group})")
        }
        _ => format!("target {label} is {} in (target-group {group})", state.as_str()),
    };
    ctx.log(EventKind::TargetHealthChange).service(service).task(label).status(state.as_str()).message(message).emit();
}
