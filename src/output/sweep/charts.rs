//! A sweep's charts (being written).
use super::super::{OutputError, RunFolder};
use crate::sweep::aggregate::{Comparison, RunRow, Setup};
use crate::sweep::experiment::Experiment;

pub fn write_all(_: &RunFolder, _: &Experiment, _: &Setup, _: &Comparison, _: &[RunRow]) -> Result<(), OutputError> {
    Ok(())
}
