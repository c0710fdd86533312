//! The mean of a rate over an interval, `(1 / (b − a)) ∫_a^b rate(t) dt`: what a step that holds
//! its rate constant must hold so that it sends the requests the pattern does.
//!
//! The interval is cut at every instant where some part of the pattern breaks (a step's `at`, a
//! ramp's or spike's corners, a noise bucket, a weekday boundary, a trace sample), and each piece
//! (and every hour) is integrated by 3-point Gauss–Legendre, exact for the polynomials of degree
//! up to 5: constant and linear parts (steps, ramps, spikes, traces, noise) exactly, a diurnal
//! cosine to within 10⁻⁷ of its amplitude, a product of them nearly so. A `clip` that cuts
//! within a piece is its only approximation.

use crate::engine::SimTime;

use super::{Node, Rate};

/// Gauss–Legendre nodes on [−1, 1] and their weights (which sum to 2).
const NODES: [(f64, f64); 3] =
    [(-0.774_596_669_241_483_4, 5.0 / 9.0), (0.0, 8.0 / 9.0), (0.774_596_669_241_483_4, 5.0 / 9.0)];
/// The longest piece integrated at once, µs (an hour): a diurnal cosine's 3-point rule is then
/// within 10⁻⁷ of its amplitude.
const MAX_PIECE: u64 = 3_600_000_000;
/// Microseconds in a day: weekly patterns switch at midnight.
const DAY: u64 = 86_400_000_000;
/// Breaks beyond this many in one interval are not listed: each piece then spans several of
/// them (a trace of one-second samples under a day-long step), and the mean is the nodes'.
pub(super) const MAX_BREAKS: usize = 100_000;

impl Rate {
    /// The mean rate over `[start, end)`; the rate at `start` when the interval is empty.
    pub fn mean_over(&self, start: SimTime, end: SimTime, seed: u64) -> f64 {
        let (a, b) = (start.as_micros(), end.as_micros());
        if b <= a {
            return self.at(start, seed);
        }
        let mut cuts = Vec::new();
        self.breaks(a, b, 0, &mut cuts);
        cuts.push(a);
        cuts.push(b);
        cuts.sort_unstable();
        cuts.dedup();
        let mut total = 0.0;
        for piece in cuts.windows(2).flat_map(|w| split(w[0], w[1])) {
            let (lo, hi) = piece;
            let (mid, half) = (0.5 * (lo + hi), 0.5 * (hi - lo));
            let sum: f64 = NODES
                .iter()
                .map(|(x, w)| {
                    let t = SimTime::from_micros((mid + half * x).round() as u64);
                    w * self.at(t, seed)
                })
                .sum();
            total += half * sum;
        }
        total / (b - a) as f64
    }

    /// Whether the pattern is one smooth piece over `(start, end)`: no jump or bend strictly
    /// inside it (none of the breaks below), so its values at a few instants show how far it
    /// moves.
    pub fn is_smooth_over(&self, start: SimTime, end: SimTime) -> bool {
        let mut cuts = Vec::new();
        self.breaks(start.as_micros(), end.as_micros(), 0, &mut cuts);
        cuts.is_empty()
    }

    /// Pushes the instants in `(a, b)` (microseconds) where the pattern may jump or bend; the
    /// clock is `ahead` µs ahead of simulated time.
    fn breaks(&self, a: u64, b: u64, ahead: u64, out: &mut Vec<u64>) {
        match &self.node {
            Node::Constant(_) | Node::Diurnal(_) => {}
            Node::Step(s) => keep(out, (a, b), s.at.as_micros()),
            Node::Ramp(r) => {
                keep(out, (a, b), r.start.as_micros());
                keep(out, (a, b), r.end.as_micros());
            }
            Node::Spike(s) => {
                let at = s.at.as_micros();
                let top = at.saturating_add(s.rise.as_micros());
                let down = top.saturating_add(s.hold.as_micros());
                for t in [at, top, down, down.saturating_add(s.fall.as_micros())] {
                    keep(out, (a, b), t);
                }
            }
            Node::Weekly(w) => {
                every(out, (a, b), DAY, ahead);
                w.weekday.breaks(a, b, ahead, out);
                w.weekend.breaks(a, b, ahead, out);
            }
            Node::Noise(n) => {
                every(out, (a, b), n.every.as_micros(), 0);
                n.of.breaks(a, b, ahead, out);
            }
            Node::Sum(parts) | Node::Product(parts) => parts.iter().for_each(|p| p.breaks(a, b, ahead, out)),
            Node::Clip { of, .. } => of.breaks(a, b, ahead, out),
            Node::Trace(trace) => trace.breaks((a, b), out),
            Node::Clock { of, time_of_day } => of.breaks(a, b, time_of_day.as_micros(), out),
        }
    }
}

/// `[lo, hi)` in equal parts of at most [`MAX_PIECE`] (as floats, microseconds).
fn split(lo: u64, hi: u64) -> impl Iterator<Item = (f64, f64)> {
    let parts = (hi - lo).div_ceil(MAX_PIECE).max(1);
    let width = (hi - lo) as f64 / parts as f64;
    (0..parts).map(move |i| (lo as f64 + width * i as f64, lo as f64 + width * (i + 1) as f64))
}

/// Keeps `t` if it lies strictly inside `(a, b)` and the list has room.
pub(super) fn keep(out: &mut Vec<u64>, (a, b): (u64, u64), t: u64) {
    if a < t && t < b && out.len() < MAX_BREAKS {
        out.push(t);
    }
}

/// Keeps every instant of `(a, b)` that is a multiple of `period` on a clock `ahead` µs ahead.
fn every(out: &mut Vec<u64>, (a, b): (u64, u64), period: u64, ahead: u64) {
    if period == 0 {
        return;
    }
    let ahead = ahead % period;
    // The first t > a with (t + ahead) a multiple of the period.
    let mut t = (a.saturating_add(ahead) / period + 1).saturating_mul(period) - ahead;
    while t < b && out.len() < MAX_BREAKS {
        out.push(t);
        t = t.saturating_add(period);
    }
}
