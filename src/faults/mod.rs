//! Crash injection: the fault plan and what each fault does to the world.

mod inject;
mod plan;

pub use inject::on_fault;
pub use plan::{Fault, FaultKind};
