//! What the task state machine announces to the rest of the model. The task module changes a
//! task's status and keeps its own timers; every other domain's reaction (the load balancer's
//! targets, the service scheduler, capacity waiting for room, instances waiting to be emptied)
//! is decided in one place above the domains, `sim`'s fan-out, which [`Ctx`] carries as a
//! function so that this module names none of them.

use crate::engine::SimDuration;
use crate::ids::TaskId;
use crate::world::{Ctx, World};

use super::TaskStatus;

/// A change of a task that other domains react to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskChange {
    /// The task entered `status` (its own bookkeeping for the status is done: a RUNNING task's
    /// containers are started, a STOPPED task's resources are free).
    Entered { task: TaskId, status: TaskStatus },
    /// ECS was asked to stop the task (`desiredStatus` STOPPED) and recorded its stop code.
    /// Announced after the task entered its first stopping status; for a task whose host is
    /// gone, before it enters STOPPED.
    StopRequested(TaskId),
}

/// What the reactions tell the state machine back.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Reaction {
    /// How long DEACTIVATING lasts at most: the target group's deregistration delay, zero without
    /// one or with nothing in flight (traffic ends it sooner when the last request ends).
    pub deactivating_for: SimDuration,
}

/// The function that fans a change out to the domains (installed by `sim`).
pub type Announce = for<'c> fn(&mut World, &mut Ctx<'c>, TaskChange) -> Reaction;

/// Tells the other domains about `change`, in the fan-out's fixed order.
pub fn announce(world: &mut World, ctx: &mut Ctx, change: TaskChange) -> Reaction {
    let fan_out = ctx.announce;
    fan_out(world, ctx, change)
}
