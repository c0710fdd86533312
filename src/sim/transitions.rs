//! The one place where a task's transitions fan out to the domains.
//!
//! The task state machine (`task::lifecycle`) changes a task's status, does its own part of it
//! (a RUNNING task's containers start, a STOPPED task's resources are released) and announces the
//! change through [`Ctx::announce`], which is [`fan_out`]. The domains react here, in this fixed
//! order, which carries meaning:
//!
//! | change | reactions, in order |
//! |---|---|
//! | entered RUNNING (service task) | 1. traffic registers the target and starts its health checks; 2. the service scheduler counts it running (circuit breaker, back-off, steady state) |
//! | entered DEACTIVATING | traffic deregisters the target; DEACTIVATING lasts until the drain completes: at once with nothing in flight, when the last request ends, at most the deregistration delay |
//! | entered STOPPING | traffic fails what the task still serves (502) and forgets the target |
//! | entered STOPPED | 1. traffic, as for STOPPING (for a task stopped without the SIGTERM wait); 2. the capacity provider whose instance it freed places tasks waiting in PROVISIONING; 3. the instance, if its group is terminating it, may now go; 4. its service (or standalone entry) counts it stopped and reconciles; 5. if it left an instance, every other service whose last placement failed looks again (the room is free now), and daemon services too when the instance is DRAINING |
//! | stop requested | the service scheduler counts the task out of its live tasks per provider and zone, counts a failure for the circuit breaker and the launch back-off, and reconciles |
//!
//! Traffic hears first so that no request is routed to a task the scheduler already counts as
//! gone; waiting tasks are placed before the service reconciles so that they, older, get the
//! room first. Reactions that only need another look later go through a zero-delay
//! `Reconcile` event instead, which runs after the current event in scheduling order.

use crate::task::{Placement, Reaction, TaskChange, TaskOwner, TaskStatus};
use crate::{capacity, service, traffic};

use crate::world::{Ctx, World};

/// Fans `change` out to the domains in the order above.
pub(super) fn fan_out(world: &mut World, ctx: &mut Ctx, change: TaskChange) -> Reaction {
    let mut reaction = Reaction::default();
    let (task, status) = match change {
        TaskChange::Entered { task, status } => (task, status),
        TaskChange::StopRequested(task) => {
            service::on_task_stopping(world, ctx, task);
            return reaction;
        }
    };
    let owner = world.tasks.get(task).owner;
    match status {
        TaskStatus::Running => {
            if let TaskOwner::Service(_) = owner {
                traffic::on_task_running(world, ctx, task);
                service::on_task_running(world, ctx, task);
            }
        }
        TaskStatus::Deactivating => reaction.deactivating_for = traffic::on_task_deactivating(world, ctx, task),
        TaskStatus::Stopping => traffic::on_task_gone(world, ctx, task),
        TaskStatus::Stopped => {
            traffic::on_task_gone(world, ctx, task);
            if let Placement::Instance(i) = world.tasks.get(task).placement {
                if let Some(provider) = world.instances.get(i).provider {
                    service::place_awaiting(world, ctx, provider);
                }
                capacity::on_task_left(world, ctx, i);
            }
            match owner {
                TaskOwner::Service(_) => service::on_task_stopped(world, ctx, task),
                TaskOwner::Standalone(_) => service::on_standalone_task_stopped(world, task),
            }
            if let Placement::Instance(_) = world.tasks.get(task).placement {
                service::on_room_freed(world, ctx, task);
            }
        }
        TaskStatus::Provisioning | TaskStatus::Pending | TaskStatus::Activating | TaskStatus::Deprovisioning => {}
    }
    reaction
}
