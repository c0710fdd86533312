//! What each fault does when it fires, and when it fires next.

use rand::seq::index;

use crate::engine::{SimTime, StreamRng};
use crate::ids::{FaultId, TaskId};
use crate::record::EventKind;
use crate::task::{self, StopCode, TaskStatus};
use crate::world::{Ctx, Event, World};

use super::infrastructure as infra;
use super::{Amount, Fault, FaultKind, Target, Timing, Victims};

/// The first time the fault at `index` fires, if it fires before `end`.
pub fn first_firing(fault: &Fault, rng: &mut StreamRng, end: SimTime) -> Option<SimTime> {
    let at = match &fault.timing {
        Timing::Once(at) => *at,
        Timing::Every { interval, from, .. } => *from + interval.sample(rng),
    };
    within(fault, at, end)
}

/// `at`, if the fault may still fire then.
fn within(fault: &Fault, at: SimTime, end: SimTime) -> Option<SimTime> {
    let until = match fault.timing {
        Timing::Every { until: Some(until), .. } => until.min(end),
        _ => end,
    };
    (at <= until).then_some(at)
}

/// Applies the fault `index` and, for a recurring one, schedules its next firing.
pub fn on_fault(world: &mut World, ctx: &mut Ctx, fault: &Fault, index: FaultId, end: SimTime) {
    match &fault.kind {
        FaultKind::StopTasks { target, reason } => {
            let chosen = victims(world, ctx, index, target, "stopping");
            for t in chosen {
                task::stop(world, ctx, t, StopCode::UserInitiated, reason);
            }
        }
        FaultKind::CrashTasks { target, exit_code } => {
            let chosen = victims(world, ctx, index, target, "crashing");
            for t in chosen {
                task::crash(world, ctx, t, *exit_code);
            }
        }
        FaultKind::FailHealthChecks { target, probes } => {
            for t in victims(world, ctx, index, target, "failing the health checks of") {
                // Both the container health check and the load balancer's stop getting answers.
                let by_container = task::fail_health_checks(world, ctx, t, *probes);
                let by_load_balancer = crate::traffic::stop_answering(world, t);
                if !by_container && !by_load_balancer {
                    let message = format!(
                        "task {} has no container health check and no load balancer: nothing to fail.",
                        world.task_label(t)
                    );
                    let owner = world.owner_name(world.tasks.get(t).owner).to_string();
                    ctx.log(EventKind::FaultInjected).service(owner).task(world.task_label(t)).message(message).emit();
                }
            }
        }
        FaultKind::TerminateInstances(target) => infra::terminate_instances(world, ctx, index, target),
        FaultKind::ImpairInstances(target) => infra::impair_instances(world, ctx, index, target),
        FaultKind::DrainInstances { target, duration } => infra::drain_instances(world, ctx, index, target, *duration),
        FaultKind::AzOutage { zone, duration } => infra::az_outage(world, ctx, *zone, *duration),
        FaultKind::SpotInterruption { provider, amount, unavailable_for } => {
            infra::spot_interruption(world, ctx, index, (*provider, *amount), *unavailable_for)
        }
    }
    if let Timing::Every { interval, .. } = &fault.timing {
        let next = ctx.sched.now() + interval.sample(ctx.streams.fault(index));
        if let Some(at) = within(fault, next, end) {
            ctx.sched.at(at, Event::Fault(index));
        }
    }
}

/// The RUNNING tasks of the target service the fault hits, drawn from the fault's own stream; logs
/// what the fault does.
fn victims(world: &World, ctx: &mut Ctx, index: FaultId, target: &Target, verb: &str) -> Vec<TaskId> {
    let svc = world.services.get(target.service);
    let running: Vec<_> = svc
        .tasks
        .iter()
        .copied()
        .filter(|t| world.tasks.get(*t).status == TaskStatus::Running && world.tasks.get(*t).desired_running)
        .collect();
    let chosen: Vec<_> = match target.victims {
        Victims::Task(ordinal) => running.iter().copied().filter(|t| world.tasks.get(*t).ordinal == ordinal).collect(),
        Victims::Amount(amount) => draw(ctx.streams.fault(index), &running, amount),
    };
    let name = svc.spec.name.clone();
    let message = if chosen.is_empty() {
        let asked = match target.victims {
            Victims::Amount(amount) => amount.describe(),
            Victims::Task(o) => format!("task {name}-{o} asked"),
        };
        format!("fault injection: no RUNNING task of service {name} to hit ({asked}).")
    } else {
        let labels: Vec<String> = chosen.iter().map(|t| format!("(task {})", world.task_label(*t))).collect();
        format!(
            "fault injection: {verb} {} of {} running tasks of service {name}: {}.",
            chosen.len(),
            running.len(),
            labels.join(" ")
        )
    };
    ctx.log(EventKind::FaultInjected).service(name).message(message).emit();
    chosen
}

/// `amount` of `from`, drawn at random from `rng`, in ascending order.
pub(super) fn draw<T: Copy + Ord>(rng: &mut StreamRng, from: &[T], amount: Amount) -> Vec<T> {
    let mut chosen: Vec<T> =
        index::sample(rng, from.len(), amount.of(from.len())).into_iter().map(|i| from[i]).collect();
    chosen.sort();
    chosen
}
