//! The ECS model's loop, above the domains: the [`Simulation`] that routes each event to the
//! domain module owning it, the one place where a task's transitions fan out to the domains
//! (`transitions`), a [`Harness`] that builds a world and a handler context for tests, and the
//! [`estimate`] of a run's size before it starts.

pub mod estimate;
mod harness;
#[cfg(debug_assertions)]
mod invariants;
mod setup;
mod simulation;
mod transitions;

pub use estimate::{estimate, Estimate};
pub use harness::Harness;
pub use setup::{streams_of, world_of};
pub use simulation::Simulation;
