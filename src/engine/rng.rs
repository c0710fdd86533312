//! Seeded random streams.
//!
//! One master seed per run; every purpose (a service's start-up times, the fault plan, placement
//! ties...) draws from its own ChaCha8 stream, selected with ChaCha's 64-bit stream number from
//! `(purpose, index)`. ChaCha8 is portable and its output is fixed by the `rand_chacha` crate
//! across platforms and versions, unlike `StdRng` or `SmallRng`.
//!
//! Independent streams give *common random numbers*: two variants of a scenario run on one seed
//! see the same draws for everything they share, even if one of them draws more often for some
//! other purpose, which makes comparisons between policies sharp.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// The generator behind every stream.
pub type StreamRng = ChaCha8Rng;

/// The master seed from which every stream of a run is derived.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RngStreams {
    seed: u64,
}

impl RngStreams {
    pub fn new(seed: u64) -> Self {
        RngStreams { seed }
    }

    pub fn seed(self) -> u64 {
        self.seed
    }

    /// The stream for `purpose` (a number the caller keeps stable across versions) and `index`
    /// (which entity of that purpose, e.g. a service's position in the scenario).
    pub fn stream(self, purpose: u32, index: u32) -> StreamRng {
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        rng.set_stream((u64::from(purpose) << 32) | u64::from(index));
        rng
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;

    fn draws(mut rng: StreamRng) -> Vec<u64> {
        (0..8).map(|_| rng.random()).collect()
    }

    #[test]
    fn a_stream_is_a_pure_function_of_seed_purpose_and_index() {
        let s = RngStreams::new(42);
        assert_eq!(draws(s.stream(1, 0)), draws(s.stream(1, 0)));
    }

    #[test]
    fn purposes_indices_and_seeds_give_different_streams() {
        let s = RngStreams::new(42);
        let base = draws(s.stream(1, 0));
        assert_ne!(base, draws(s.stream(2, 0)));
        assert_ne!(base, draws(s.stream(1, 1)));
        assert_ne!(base, draws(RngStreams::new(43).stream(1, 0)));
    }

    #[test]
    fn the_generator_output_is_pinned() {
        // Guards the determinism contract: if a dependency update changed ChaCha8's output,
        // every recorded result would silently change. This value was recorded once.
        let first: u64 = RngStreams::new(7).stream(3, 1).random();
        assert_eq!(first, PINNED_FIRST_DRAW);
    }

    const PINNED_FIRST_DRAW: u64 = 12_298_181_034_680_497_190;
}
