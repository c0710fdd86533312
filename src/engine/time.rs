//! Integer simulated time. One tick is a microsecond: fine enough for request latencies, and a
//! `u64` of them spans 584,000 years. No floating point ever decides the order of two events.

use std::fmt;
use std::ops::{Add, AddAssign, Sub};

const MICROS_PER_MILLI: u64 = 1_000;
const MICROS_PER_SECOND: u64 = 1_000_000;

/// The smallest whole number at or above `x`, as a `u64`: 0 for a negative `x` or NaN,
/// `u64::MAX` past it. `f64::ceil` is a software routine on the baseline x86-64 target (no
/// SSE4.1), and every request's completion instant takes one.
pub fn ceil_u64(x: f64) -> u64 {
    if x.is_nan() || x <= 0.0 {
        return 0;
    }
    let t = x as u64; // truncates, saturating
    if (t as f64) < x {
        t.saturating_add(1)
    } else {
        t
    }
}

/// `x` rounded to the nearest whole number, halves away from zero (as `f64::round`), as a `u64`:
/// 0 for a negative `x` or NaN, `u64::MAX` past it.
pub fn round_u64(x: f64) -> u64 {
    if x.is_nan() || x <= 0.0 {
        return 0;
    }
    let t = x as u64;
    // Exact below 2^53 (x and t are within a factor of two); above, x is whole and this is 0.
    // Added, not branched on: for a sampled duration the half is a coin flip, which a branch
    // mispredicts every other request.
    t.saturating_add(u64::from(x - t as f64 >= 0.5))
}

/// A span of simulated time, in microseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimDuration(u64);

impl SimDuration {
    pub const ZERO: SimDuration = SimDuration(0);

    pub const fn from_micros(us: u64) -> Self {
        SimDuration(us)
    }

    pub const fn from_millis(ms: u64) -> Self {
        SimDuration(ms * MICROS_PER_MILLI)
    }

    pub const fn from_secs(s: u64) -> Self {
        SimDuration(s * MICROS_PER_SECOND)
    }

    pub const fn from_mins(m: u64) -> Self {
        SimDuration::from_secs(m * 60)
    }

    /// Converts seconds given as a float (a sampled quantity) to whole microseconds, rounding to
    /// the nearest. Negative and NaN values become zero: a sampled delay can never go back in time.
    pub fn from_secs_f64(s: f64) -> Self {
        if s.is_nan() || s <= 0.0 {
            return SimDuration::ZERO;
        }
        SimDuration(round_u64(s * MICROS_PER_SECOND as f64))
    }

    pub const fn as_micros(self) -> u64 {
        self.0
    }

    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / MICROS_PER_SECOND as f64
    }

    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }

    pub const fn saturating_sub(self, other: SimDuration) -> SimDuration {
        SimDuration(self.0.saturating_sub(other.0))
    }

    pub const fn saturating_mul(self, n: u64) -> SimDuration {
        SimDuration(self.0.saturating_mul(n))
    }
}

impl From<std::time::Duration> for SimDuration {
    fn from(d: std::time::Duration) -> Self {
        SimDuration(u64::try_from(d.as_micros()).unwrap_or(u64::MAX))
    }
}

impl Add for SimDuration {
    type Output = SimDuration;
    fn add(self, rhs: SimDuration) -> SimDuration {
        SimDuration(self.0.saturating_add(rhs.0))
    }
}

/// Human form, as a scenario would write it: `250ms`, `90s`, `1h30m`, `1.5s`.
impl fmt::Display for SimDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let us = self.0;
        if us == 0 {
            return write!(f, "0s");
        }
        if us % MICROS_PER_SECOND != 0 {
            return if us < MICROS_PER_SECOND && us % MICROS_PER_MILLI == 0 {
                write!(f, "{}ms", us / MICROS_PER_MILLI)
            } else {
                write!(f, "{:.3}s", self.as_secs_f64())
            };
        }
        let secs = us / MICROS_PER_SECOND;
        let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
        let mut out = String::new();
        if h > 0 {
            out.push_str(&format!("{h}h"));
        }
        if m > 0 {
            out.push_str(&format!("{m}m"));
        }
        if s > 0 {
            out.push_str(&format!("{s}s"));
        }
        f.write_str(&out)
    }
}

/// An instant of simulated time: microseconds since the start of the run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimTime(u64);

impl SimTime {
    pub const ZERO: SimTime = SimTime(0);
    pub const MAX: SimTime = SimTime(u64::MAX);

    pub const fn from_micros(us: u64) -> Self {
        SimTime(us)
    }

    pub const fn as_micros(self) -> u64 {
        self.0
    }

    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / MICROS_PER_SECOND as f64
    }

    /// Time elapsed since `earlier`; zero if `earlier` is in the future.
    pub const fn since(self, earlier: SimTime) -> SimDuration {
        SimDuration(self.0.saturating_sub(earlier.0))
    }
}

impl Add<SimDuration> for SimTime {
    type Output = SimTime;
    fn add(self, rhs: SimDuration) -> SimTime {
        SimTime(self.0.saturating_add(rhs.0))
    }
}

impl AddAssign<SimDuration> for SimTime {
    fn add_assign(&mut self, rhs: SimDuration) {
        *self = *self + rhs;
    }
}

impl Sub for SimTime {
    type Output = SimDuration;
    fn sub(self, rhs: SimTime) -> SimDuration {
        self.since(rhs)
    }
}

/// Clock form `HH:MM:SS.mmm` since the start (hours grow past 24 for long runs).
impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = self.0 / MICROS_PER_MILLI;
        let secs = ms / 1000;
        write!(f, "{:02}:{:02}:{:02}.{:03}", secs / 3600, secs / 60 % 60, secs % 60, ms % 1000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_seconds_round_to_the_nearest_microsecond_and_never_go_negative() {
        assert_eq!(SimDuration::from_secs_f64(1.0000004).as_micros(), 1_000_000);
        assert_eq!(SimDuration::from_secs_f64(1.0000006).as_micros(), 1_000_001);
        assert_eq!(SimDuration::from_secs_f64(-3.0), SimDuration::ZERO);
        assert_eq!(SimDuration::from_secs_f64(f64::NAN), SimDuration::ZERO);
    }

    #[test]
    fn time_arithmetic_saturates_instead_of_wrapping() {
        assert_eq!(SimTime::MAX + SimDuration::from_secs(1), SimTime::MAX);
        assert_eq!(SimTime::ZERO - SimTime::from_micros(5), SimDuration::ZERO);
        let t = SimTime::ZERO + SimDuration::from_mins(2);
        assert_eq!(t - SimTime::ZERO, SimDuration::from_secs(120));
    }

    #[test]
    fn durations_and_instants_print_for_humans() {
        assert_eq!(SimDuration::from_secs(5400).to_string(), "1h30m");
        assert_eq!(SimDuration::from_millis(250).to_string(), "250ms");
        assert_eq!(SimDuration::from_millis(1500).to_string(), "1.500s");
        assert_eq!(SimDuration::ZERO.to_string(), "0s");
        let t = SimTime::ZERO + SimDuration::from_millis(3_723_045);
        assert_eq!(t.to_string(), "01:02:03.045");
    }

    #[test]
    fn whole_numbers_from_floats_match_ceil_and_round() {
        let values = [
            0.0,
            -0.0,
            -0.4,
            -3.0,
            0.1,
            0.5,
            0.49999999999999994,
            1.0,
            1.5,
            2.5,
            3.0000001,
            1e15 + 0.5,
            9007199254740993.0,
            1.8e19,
            1.8446744073709552e19,
            1e300,
            f64::INFINITY,
            f64::NAN,
        ];
        for x in values {
            let as_u64 = |v: f64| if v.is_nan() { 0 } else { v.max(0.0) as u64 };
            assert_eq!(ceil_u64(x), as_u64(x.ceil()), "ceil of {x}");
            assert_eq!(round_u64(x), as_u64(x.round()), "round of {x}");
        }
        let mut x = 0.0f64;
        while x < 50.0 {
            assert_eq!((ceil_u64(x), round_u64(x)), (x.ceil() as u64, x.round() as u64), "at {x}");
            x += 0.013_7;
        }
    }
}
