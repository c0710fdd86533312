//! The ECS world and its event loop: the [`World`]'s arenas, the closed [`Event`] enum, and the
//! [`Simulation`] that routes each event to the domain module owning it.

mod context;
pub mod event;
mod harness;
mod simulation;
mod transitions;
mod world;

pub use context::{Ctx, LogEntry, Streams};
pub use event::Event;
pub use harness::Harness;
pub use simulation::Simulation;
pub use world::World;
