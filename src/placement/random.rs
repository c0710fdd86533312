//! `random`: any instance that fits, drawn from the placement stream.

use rand::RngExt;

use crate::engine::StreamRng;

/// A random rank: the candidate with the lowest draw wins.
pub fn draw(rng: &mut StreamRng) -> u64 {
    rng.random()
}
