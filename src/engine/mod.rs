//! The discrete-event kernel. It knows nothing of ECS: simulated time, the event queue, the run
//! loop, lazy cancellation by generation and the seeded random streams. Everything here is
//! unit-tested alone, so the ECS model above it can trust its ordering and reproducibility.

mod calendar;
mod generation;
mod queue;
mod rng;
mod run;
mod sampler;
mod time;

pub use calendar::{Calendar, START_TIME_FORMS};
pub use generation::Generation;
pub use queue::{EventQueue, Lane, Phase};
pub use rng::{RngStreams, StreamRng};
pub use run::{Model, RunStats, Scheduler};
pub use sampler::{DistError, DurationDist};
pub use time::{ceil_u64, round_u64, SimDuration, SimTime};
