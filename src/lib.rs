//! ecsim: a deterministic discrete-event simulator of AWS ECS clusters.
//!
//! A run reads a YAML scenario, validates it into a typed [`scenario::Scenario`], replays it on
//! the event [`engine`] through the ECS model ([`sim`] and the domain modules), and hands every
//! observation to a [`record::Recorder`]; [`output`] implements one that writes the run folder.
//! Data flows one way: parse → validate → simulate → record → write.
//!
//! ```no_run
//! use std::path::Path;
//!
//! let (scenario, bytes) = ecsim::scenario::load(Path::new("scenarios/quickstart.yaml"))?;
//! let options = ecsim::output::RunOptions::default();
//! let report = ecsim::output::write_run(&scenario, ("quickstart.yaml", &bytes), Path::new("out/quickstart"), options)?;
//! println!("{}", ecsim::output::summary_table(&report.summary));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! To compare variants of a scenario over many seeds, load an experiment with
//! [`sweep::experiment::load`] and write its folder with [`output::sweep::write_sweep`]: the
//! runs go in parallel and the folder is the same for any number of threads.
//!
//! # Layers
//!
//! Bottom to top, each using only what is below it (`tests/behaviour/layers.rs` fails on a
//! back-edge):
//!
//! 1. [`engine`]: the discrete-event kernel, which knows nothing of ECS;
//! 2. [`ids`], [`catalog`], [`record`]: typed ids, built-in facts, and the vocabulary every
//!    module records observations with;
//! 3. [`world`] and the domain modules ([`capacity`], [`placement`], [`task`], [`service`],
//!    [`autoscaling`], [`traffic`], [`faults`]): each owns its part of the world and its
//!    handlers; the world composes their tables, so this layer is the one whose modules use each
//!    other, through each other's functions;
//! 4. [`metrics`]: the readers of the world (rows, summary, cost);
//! 5. [`scenario`]: files in, a validated [`scenario::Scenario`] of domain types out;
//! 6. [`sim`]: builds the world from a scenario, dispatches each event to the domain owning
//!    it, and fans a task's transitions out to the domains in one documented order;
//! 7. [`sweep`], [`output`], [`cli`]: experiments, files, the command line.
//!
//! To drive a run yourself (to inspect the world after every event, say), create a
//! [`sim::Simulation`] with any [`record::Recorder`] and call [`sim::Simulation::step`].
//!
//! # The determinism contract
//!
//! The same scenario and seed give byte-identical outputs, on any machine and whatever runs beside
//! them. Everything in the crate keeps to these rules:
//!
//! 1. **Integer time.** [`engine::SimTime`] counts microseconds in a `u64`; sampled durations are
//!    rounded to whole microseconds once. No float ever decides the order of two events.
//! 2. **A total event order.** The queue's key is `(time, phase, seq)`: `seq` grows on every push,
//!    so simultaneous events run in the order they were scheduled, and observations
//!    ([`engine::Phase::Observe`]) run after every change of their instant.
//! 3. **Seeded, per-purpose randomness.** One master seed per run; every purpose draws from its own
//!    ChaCha8 stream, derived from `(seed, purpose, index)` by [`engine::RngStreams`]. ChaCha8's
//!    output is fixed across platforms and crate versions (a unit test pins it). Streams are
//!    independent, so variants of a scenario see the same draws for what they share.
//! 4. **No hidden order.** Entities live in arenas indexed by typed ids or in `BTreeMap`s; every
//!    "choose the best" compares a tuple that ends in an id. `clippy.toml` bans std
//!    `HashMap`/`HashSet` and reading the wall clock.
//! 5. **Stable outputs.** Floats are written with fixed precision or rounded before serialising;
//!    outputs hold no timestamps or absolute paths.
//!
//! A sweep keeps these promises across threads: each run is a pure function of its scenario and
//! seed, results are kept in plan order whatever finishes first, and statistics are reduced in
//! that order ([`sweep::run`]).
//!
//! Log-normal draws use the platform's `exp`, which IEEE 754 does not pin to the last bit; the
//! rounding to microseconds makes a difference between platforms' maths libraries vanishingly
//! unlikely, but a run is only promised identical on the same target triple.

pub mod autoscaling;
pub mod capacity;
pub mod catalog;
pub mod cli;
pub mod engine;
pub mod faults;
pub mod ids;
pub mod metrics;
pub mod output;
pub mod placement;
pub mod record;
pub mod scenario;
pub mod service;
pub mod sim;
pub mod sweep;
pub mod task;
pub mod traffic;
pub mod world;
