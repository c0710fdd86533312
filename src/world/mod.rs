//! What the domains share and act on: the [`World`]'s arenas, the closed [`Event`] enum a handler
//! schedules, and the [`Ctx`] a handler gets besides the world (clock and queue, random streams,
//! recorder, timing, and the fan-out of a task's changes). Each domain module owns its part of the
//! world and its handlers take `(&mut World, &mut Ctx)`; the dispatch that routes events to them,
//! and the fan-out itself, live above the domains in `sim`.

mod arenas;
mod context;
pub mod event;

pub use arenas::World;
pub use context::{Ctx, LogEntry, StreamCounts, Streams};
pub use event::Event;
