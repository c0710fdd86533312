//! What each fault does when it fires.

use rand::seq::index;

use crate::metrics::EventKind;
use crate::sim::ids::ServiceId;
use crate::sim::{Ctx, World};
use crate::task::{self, StopCode, TaskStatus};

use super::{Fault, FaultKind};

pub fn on_fault(world: &mut World, ctx: &mut Ctx, fault: &Fault) {
    match &fault.kind {
        FaultKind::StopTasks { service, count, reason } => stop_tasks(world, ctx, *service, *count, reason),
    }
}

/// Stops `count` RUNNING tasks of the service, drawn at random from the fault stream (all of them
/// if it has fewer).
fn stop_tasks(world: &mut World, ctx: &mut Ctx, service: ServiceId, count: u32, reason: &str) {
    let running: Vec<_> = world.services[service.index()]
        .tasks
        .iter()
        .copied()
        .filter(|t| world.tasks[t.index()].status == TaskStatus::Running && world.tasks[t.index()].desired_running)
        .collect();
    let amount = (count as usize).min(running.len());
    let mut chosen: Vec<_> =
        index::sample(&mut ctx.streams.faults, running.len(), amount).into_iter().map(|i| running[i]).collect();
    chosen.sort();
    let name = world.services[service.index()].spec.name.clone();
    let labels: Vec<String> = chosen.iter().map(|t| format!("(task {})", world.task_label(*t))).collect();
    let message = if chosen.is_empty() {
        format!("fault injection: stop {count} tasks of service {name}, but none is RUNNING.")
    } else {
        format!(
            "fault injection: stopping {} of {} running tasks of service {name}: {}.",
            chosen.len(),
            running.len(),
            labels.join(" ")
        )
    };
    ctx.log(EventKind::FaultInjected).service(name).message(message).emit();
    for t in chosen {
        task::stop(world, ctx, t, StopCode::UserInitiated, reason);
    }
}
