//! Behaviour tests of ecsim: one binary, a file per behaviour.

mod capacity_wait;
mod catalog;
mod cli;
mod common;
mod cost;
mod deployments;
mod determinism;
mod draining;
mod errors;
mod external;
mod faults;
mod healing;
mod health;
mod import;
mod instance_faults;
mod invariants;
mod lifecycle;
mod placement;
mod queueing;
mod results;
mod routing;
mod scenario_file;
mod scheduling;
mod service_scaling;
mod strategies;
mod traces;
