//! Crash injection: the fault plan and what each fault does to the world.

mod inject;
mod plan;

pub use inject::{first_firing, on_fault, ESSENTIAL_CONTAINER_EXITED};
pub use plan::{Fault, FaultKind, Target, Timing, Victims};
