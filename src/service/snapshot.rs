//! A run that starts from a describe-services snapshot: the service's `runningCount` tasks are
//! RUNNING at time 0 and its `pendingCount` tasks are launching, before the scheduler's first
//! look, which then keeps the desired count as usual (stopping any surplus at once).
//!
//! Contract: running tasks go where the service's placement rules put them among the instances
//! up at time 0 (a daemon's one on each instance it belongs on, in instance order), never wait
//! for capacity, count as healthy at once (health checks passed, grace period over) and are not
//! counted as started by the run. The first that finds no room ends the warm start: the event
//! log says how many were not carried over and why. Pending tasks are ordinary launches.

use crate::ids::{InstanceId, ServiceId};
use crate::record::EventKind;
use crate::world::{Ctx, World};

use super::tasks::{add_one, start_tasks};
use super::{daemon, wording, SchedulingStrategy};

/// Puts service `id` in the state its scenario's `running_count` and `pending_count` describe.
pub fn start_from_snapshot(world: &mut World, ctx: &mut Ctx, id: ServiceId) {
    let spec = &world.services.get(id).spec;
    let (running, pending) = (spec.running_count, spec.pending_count);
    let slots: Vec<Option<InstanceId>> = match spec.scheduling_strategy {
        SchedulingStrategy::Daemon => daemon::instances(world, id).take(running as usize).map(Some).collect(),
        SchedulingStrategy::Replica => vec![None; running as usize],
    };
    let name = spec.name.clone();
    if running + pending > 0 {
        let message = wording::from_snapshot(&name, running, pending);
        ctx.log(EventKind::ServiceUpdated).service(name.clone()).message(message).emit();
    }
    let mut placed = 0;
    let mut unplaced = None;
    for only in slots {
        match add_one(world, ctx, id, only, true) {
            Ok(_) => placed += 1,
            Err(why) => {
                unplaced = Some(why);
                break;
            }
        }
    }
    // A daemon's snapshot may count more tasks than there are instances for it now.
    if placed < running {
        let message = wording::snapshot_short(&name, placed, running);
        ctx.log(EventKind::ServiceUpdated).service(name.clone()).message(message).emit();
    }
    if let Some(why) = unplaced {
        let message = wording::unable_to_place(&name, &why, |i| world.instances.get(i).label());
        ctx.log(EventKind::ServiceTaskPlacementFailure).service(name).message(message).emit();
        world.services.get_mut(id).stats.placement_failures += 1;
    }
    world.services.get_mut(id).stats.running_at_start = placed;
    if pending > 0 {
        start_tasks(world, ctx, id, pending);
    }
}
