//! What each fault does when it fires, and when it fires next.

use rand::seq::index;

use crate::engine::{SimTime, StreamRng};
use crate::metrics::EventKind;
use crate::sim::{Ctx, Event, World};
use crate::task::{self, StopCode, TaskStatus};

use super::{Fault, FaultKind, Target, Timing, Victims};

/// AWS's stopped reason when an essential container exits.
pub const ESSENTIAL_CONTAINER_EXITED: &str = "Essential container in task exited";

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

/// Applies the fault at `index` and, for a recurring one, schedules its next firing.
pub fn on_fault(world: &mut World, ctx: &mut Ctx, fault: &Fault, index: usize, end: SimTime) {
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
fn victims(world: &World, ctx: &mut Ctx, index: usize, target: &Target, verb: &str) -> Vec<crate::sim::ids::TaskId> {
    let svc = &world.services[target.service.index()];
    let running: Vec<_> = svc
        .tasks
        .iter()
        .copied()
        .filter(|t| world.tasks[t.index()].status == TaskStatus::Running && world.tasks[t.index()].desired_running)
        .collect();
    let mut chosen: Vec<_> = match target.victims {
        Victims::Task(ordinal) => {
            running.iter().copied().filter(|t| world.tasks[t.index()].ordinal == ordinal).collect()
        }
        Victims::Count(n) => sample(ctx.streams.fault(index), &running, n as usize),
        Victims::Fraction(f) => sample(ctx.streams.fault(index), &running, (f * running.len() as f64).ceil() as usize),
    };
    chosen.sort();
    let name = svc.spec.name.clone();
    let message = if chosen.is_empty() {
        format!("fault injection: no RUNNING task of service {name} to hit ({}).", describe(&target.victims, &name))
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

fn sample(rng: &mut StreamRng, from: &[crate::sim::ids::TaskId], n: usize) -> Vec<crate::sim::ids::TaskId> {
    index::sample(rng, from.len(), n.min(from.len())).into_iter().map(|i| from[i]).collect()
}

fn describe(victims: &Victims, service: &str) -> String {
    match victims {
        Victims::Count(n) => format!("{n} asked"),
        Victims::Fraction(f) => format!("{:.0}% asked", f * 100.0),
        Victims::Task(o) => format!("task {service}-{o} asked"),
    }
}
