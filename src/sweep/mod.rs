//! Experiments: variants of a base scenario × seeds, run in parallel, compared with statistics.
//!
//! Layer: above `sim` and the domain modules, below `output` and `cli`. Nothing here does I/O.

pub mod aggregate;
pub mod experiment;
pub mod measures;
pub mod run;
pub mod stats;
