//! The shapes a rate can take, each a pure function of simulated time. Transitions are linear;
//! every duration is whole microseconds, so only the interpolated value is a float.

use rand::SeedableRng;
use rand_distr::{Distribution, StandardNormal};

use super::Rate;
use crate::engine::{SimDuration, SimTime, StreamRng};

const DAY: u64 = 86_400_000_000;

/// `before` until `at`, then `after` (from `at` on, inclusive).
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub before: f64,
    pub after: f64,
    pub at: SimTime,
}

impl Step {
    pub(super) fn at(&self, t: SimTime) -> f64 {
        if t < self.at {
            self.before
        } else {
            self.after
        }
    }
}

/// `from` until `start`, a straight line to `to` at `end`, then `to`.
#[derive(Clone, Debug, PartialEq)]
pub struct Ramp {
    pub from: f64,
    pub to: f64,
    pub start: SimTime,
    pub end: SimTime,
}

impl Ramp {
    pub(super) fn at(&self, t: SimTime) -> f64 {
        if t <= self.start {
            self.from
        } else if t >= self.end {
            self.to
        } else {
            lerp(self.from, self.to, t - self.start, self.end - self.start)
        }
    }
}

/// `base`, then from `at` a linear rise to `peak` over `rise`, `peak` for `hold`, a linear fall back
/// to `base` over `fall`. A `peak` below `base` makes a dip.
#[derive(Clone, Debug, PartialEq)]
pub struct Spike {
    pub base: f64,
    pub peak: f64,
    pub at: SimTime,
    pub rise: SimDuration,
    pub hold: SimDuration,
    pub fall: SimDuration,
}

impl Spike {
    pub(super) fn at(&self, t: SimTime) -> f64 {
        let top = self.at + self.rise;
        let fall_start = top + self.hold;
        let end = fall_start + self.fall;
        if t < self.at || t >= end {
            self.base
        } else if t < top {
            lerp(self.base, self.peak, t - self.at, self.rise)
        } else if t < fall_start {
            self.peak
        } else {
            lerp(self.peak, self.base, t - fall_start, self.fall)
        }
    }
}

/// A daily cosine between `low` and `high`, highest at `peak_at` past midnight and lowest twelve
/// hours later (a smooth curve is what most request-count graphs of user-facing services show).
/// It reads the clock (see the module), not simulated time.
#[derive(Clone, Debug, PartialEq)]
pub struct Diurnal {
    pub low: f64,
    pub high: f64,
    /// Time of day of the peak, below 24h.
    pub peak_at: SimDuration,
}

impl Diurnal {
    pub(super) fn at(&self, clock: SimTime) -> f64 {
        let since_peak = (clock.as_micros() % DAY + DAY - self.peak_at.as_micros() % DAY) % DAY;
        let phase = since_peak as f64 / DAY as f64 * std::f64::consts::TAU;
        self.low + (self.high - self.low) * (1.0 + phase.cos()) / 2.0
    }
}

/// The day of the week simulated time 0 falls on (written as in the scenario: `monday`...).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Weekday {
    #[default]
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

impl Weekday {
    const ALL: [Weekday; 7] = [
        Weekday::Monday,
        Weekday::Tuesday,
        Weekday::Wednesday,
        Weekday::Thursday,
        Weekday::Friday,
        Weekday::Saturday,
        Weekday::Sunday,
    ];

    /// The day `n` days after a Monday (`n` modulo 7).
    pub fn from_monday(n: u32) -> Weekday {
        Weekday::ALL[n as usize % 7]
    }

    /// As a scenario writes it: `monday`...
    pub fn name(self) -> &'static str {
        ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"][self as usize]
    }
}

/// `weekday` from Monday to Friday and `weekend` on Saturday and Sunday (days start at midnight of
/// the clock, see the module). Both see the run's own time, so a diurnal shape inside keeps its
/// phase across the week.
#[derive(Clone, Debug)]
pub struct Weekly {
    pub weekday: Rate,
    pub weekend: Rate,
    /// The day of the clock's first midnight (of simulated time 0 when the clock is not ahead).
    pub first_day: Weekday,
}

impl Weekly {
    pub(super) fn pick(&self, clock: SimTime) -> &Rate {
        let day = (clock.as_micros() / DAY + self.first_day as u64) % 7;
        if day >= Weekday::Saturday as u64 {
            &self.weekend
        } else {
            &self.weekday
        }
    }
}

/// `of` times a random factor `1 + relative * z`, `z` standard normal, drawn anew every `every`.
///
/// The factor of a bucket depends only on (seed, `stream`, bucket index `floor(t / every)`): each
/// bucket reads its own far-apart position of one ChaCha8 stream, so the rate can be evaluated at
/// any time in any order. `z` is clamped to ±[`Z_LIMIT`] so the rate has an upper bound, and the
/// factor to >= 0; for `relative` <= 0.5 both clamps change the mean by less than 0.5%.
#[derive(Clone, Debug)]
pub struct Noise {
    pub of: Rate,
    pub relative: f64,
    pub every: SimDuration,
    /// The ChaCha stream; validation derives it from the node's place in the scenario.
    pub stream: u64,
}

/// How far (in standard deviations) noise may reach.
pub const Z_LIMIT: f64 = 4.0;

/// ChaCha words reserved for one bucket: far more than a normal draw ever uses, so buckets never
/// share random words.
const WORDS_PER_BUCKET: u128 = 1 << 20;

impl Noise {
    pub(super) fn factor(&self, t: SimTime, seed: u64) -> f64 {
        let bucket = t.as_micros() / self.every.as_micros().max(1);
        let mut rng = StreamRng::seed_from_u64(seed);
        rng.set_stream(self.stream);
        rng.set_word_pos(u128::from(bucket) * WORDS_PER_BUCKET);
        let z: f64 = StandardNormal.sample(&mut rng);
        (1.0 + self.relative * z.clamp(-Z_LIMIT, Z_LIMIT)).max(0.0)
    }

    pub(super) fn max_factor(&self) -> f64 {
        1.0 + self.relative * Z_LIMIT
    }
}

/// `a` + (`b` - `a`) × `done` / `total`.
fn lerp(a: f64, b: f64, done: SimDuration, total: SimDuration) -> f64 {
    if total.is_zero() {
        return b;
    }
    a + (b - a) * (done.as_micros() as f64 / total.as_micros() as f64)
}
