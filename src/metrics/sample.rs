//! Per-interval rows of metrics.csv.

use crate::sim::{Ctx, World};
use crate::task::TaskStatus;

use super::MetricsRow;

/// Records one row per service, describing the world at this instant.
pub fn sample(world: &World, ctx: &mut Ctx) {
    let (cpu, memory) = cluster_reservation(world);
    for (i, svc) in world.services.iter().enumerate() {
        let tasks: Vec<_> = svc.tasks.iter().map(|t| &world.tasks[t.index()]).collect();
        let held = |f: fn(&crate::task::TaskDefinition) -> u32| -> u64 {
            tasks.iter().map(|t| u64::from(f(world.task_definition(t.task_definition)))).sum()
        };
        let row = MetricsRow {
            time: ctx.sched.now(),
            service: svc.spec.name.clone(),
            desired: crate::service::desired_count(world, crate::sim::ids::ServiceId::from_index(i)),
            running: tasks.iter().filter(|t| t.status == TaskStatus::Running).count() as u32,
            pending: tasks.iter().filter(|t| t.status.is_starting()).count() as u32,
            stopped_total: svc.stats.tasks_stopped,
            cpu_reserved: held(|td| td.reserved_cpu()),
            memory_reserved: held(|td| td.reserved_memory()),
            instances: world.instances.len() as u32,
            cluster_cpu_reservation: cpu,
            cluster_memory_reservation: memory,
        };
        ctx.recorder.row(&row);
    }
}

/// CloudWatch's CPUReservation and MemoryReservation: percent of registered resources that tasks
/// hold, over the cluster's instances (0 without instances).
fn cluster_reservation(world: &World) -> (f64, f64) {
    let pct = |used: u64, total: u64| if total == 0 { 0.0 } else { 100.0 * used as f64 / total as f64 };
    let sum =
        |f: fn(&crate::capacity::Instance) -> u32| -> u64 { world.instances.iter().map(|i| u64::from(f(i))).sum() };
    (
        pct(sum(|i| i.reserved_cpu), sum(|i| i.registered_cpu)),
        pct(sum(|i| i.reserved_memory), sum(|i| i.registered_memory)),
    )
}
