//! The ECS model's loop, above the domains: the [`Simulation`] that routes each event to the
//! domain module owning it, the one place where a task's transitions fan out to the domains
//! (`transitions`), and a [`Harness`] that builds a world and a handler context for tests.

mod harness;
mod setup;
mod simulation;
mod transitions;

pub use harness::Harness;
pub use setup::{streams_of, world_of};
pub use simulation::Simulation;
