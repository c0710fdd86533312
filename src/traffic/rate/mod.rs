//! Load patterns: how many requests per second a traffic source sends at each instant.
//!
//! A [`Rate`] is a tree built once at validation from the scenario's `rate:` and evaluated with
//! [`Rate::at`] as often as the traffic model likes (or averaged over an interval with
//! [`Rate::mean_over`], [`integral`]): shapes (constant, step, ramp, spike, diurnal,
//! weekly), deterministic noise, composition (sum, product, clip) and trace replay. Evaluation is a
//! pure function of `(t, seed)` — there is no hidden state — so two runs on one seed, and the
//! `requests` and `fluid` fidelities, see exactly the same load.
//!
//! Time of day: daily and weekly shapes read a *clock*, the time since midnight of the first day,
//! while every other shape reads simulated time. The two are equal unless the rate is put
//! [`Rate::on_clock`] (a scenario's `start_time:` at 14:30 puts time 0 at 14:30 on the clock), so
//! the phase is applied in that one place, never inside a pattern. The day of the week of the
//! first day is a `weekly` pattern's `first_day` (Monday by default; validation sets it from
//! `start_time:`).

mod integral;
mod pattern;
mod trace;

pub use pattern::{Diurnal, Noise, Ramp, Spike, Step, Weekday, Weekly, Z_LIMIT};
pub use trace::{infer_step, Missing, Sample, Trace, TraceError, TraceSpec, TraceValues};

use crate::engine::{SimDuration, SimTime};

/// Requests per second as a function of simulated time (and, for noise, of the run's seed).
#[derive(Clone, Debug)]
pub struct Rate {
    node: Node,
}

#[derive(Clone, Debug)]
enum Node {
    Constant(f64),
    Step(Step),
    Ramp(Ramp),
    Spike(Spike),
    Diurnal(Diurnal),
    Weekly(Box<Weekly>),
    Noise(Box<Noise>),
    Sum(Vec<Rate>),
    Product(Vec<Rate>),
    Clip {
        of: Box<Rate>,
        min: f64,
        max: Option<f64>,
    },
    Trace(Trace),
    /// `of` read with its clock `time_of_day` ahead of simulated time.
    Clock {
        of: Box<Rate>,
        time_of_day: SimDuration,
    },
}

impl Rate {
    /// The same rate at every instant. A negative or non-finite `rps` reads as 0.
    pub fn constant(rps: f64) -> Rate {
        Rate { node: Node::Constant(rps) }
    }

    /// The sum of `parts` (e.g. a diurnal base plus a spike); an empty sum is 0.
    pub fn sum(parts: Vec<Rate>) -> Rate {
        Rate { node: Node::Sum(parts) }
    }

    /// The product of `factors` (e.g. a diurnal rate times a weekly factor); an empty product is 1.
    pub fn product(factors: Vec<Rate>) -> Rate {
        Rate { node: Node::Product(factors) }
    }

    /// `of`, held within `[min, max]` (no upper limit when `max` is `None`).
    pub fn clip(of: Rate, min: f64, max: Option<f64>) -> Rate {
        Rate { node: Node::Clip { of: Box::new(of), min, max } }
    }

    /// `self` on a clock where simulated time 0 is `time_of_day` past midnight (below 24h): a
    /// diurnal peak at 14h then comes `14h − time_of_day` into the run, and a weekly pattern's
    /// days change at each midnight of that clock. Zero leaves the rate as it is.
    pub fn on_clock(self, time_of_day: SimDuration) -> Rate {
        if time_of_day.is_zero() {
            return self;
        }
        Rate { node: Node::Clock { of: Box::new(self), time_of_day } }
    }

    /// Requests per second at `t`: always finite and >= 0. `seed` is the run's master seed; only
    /// noise depends on it.
    pub fn at(&self, t: SimTime, seed: u64) -> f64 {
        sanitize(self.raw_at(t, t, seed))
    }

    /// A value the rate never exceeds (for thinning a Poisson process, or sizing a chart's axis).
    /// Exact for shapes and traces; for noise it assumes the largest factor noise can apply.
    pub fn upper_bound(&self) -> f64 {
        sanitize(match &self.node {
            Node::Constant(v) => *v,
            Node::Step(s) => s.before.max(s.after),
            Node::Ramp(r) => r.from.max(r.to),
            Node::Spike(s) => s.base.max(s.peak),
            Node::Diurnal(d) => d.low.max(d.high),
            Node::Weekly(w) => w.weekday.upper_bound().max(w.weekend.upper_bound()),
            Node::Noise(n) => n.of.upper_bound() * n.max_factor(),
            Node::Sum(parts) => parts.iter().map(Rate::upper_bound).sum(),
            Node::Product(factors) => factors.iter().map(Rate::upper_bound).product(),
            Node::Clip { of, min, max } => {
                let bound = of.upper_bound().max(*min);
                max.map_or(bound, |m| bound.min(m))
            }
            Node::Trace(trace) => trace.max_rate(),
            Node::Clock { of, .. } => of.upper_bound(),
        })
    }

    /// The value before the final clean-up: composition works on these, so that a product of a
    /// huge and a tiny factor is not flushed early. `clock` is `t` on the clock (see the module).
    fn raw_at(&self, t: SimTime, clock: SimTime, seed: u64) -> f64 {
        match &self.node {
            Node::Constant(v) => sanitize(*v),
            Node::Step(s) => s.at(t),
            Node::Ramp(r) => r.at(t),
            Node::Spike(s) => s.at(t),
            Node::Diurnal(d) => d.at(clock),
            Node::Weekly(w) => w.pick(clock).raw_at(t, clock, seed),
            Node::Noise(n) => n.of.raw_at(t, clock, seed) * n.factor(t, seed),
            Node::Sum(parts) => parts.iter().map(|p| p.raw_at(t, clock, seed)).sum(),
            Node::Product(factors) => factors.iter().map(|f| f.raw_at(t, clock, seed)).product(),
            Node::Clip { of, min, max } => {
                let v = of.raw_at(t, clock, seed).max(*min);
                max.map_or(v, |m| v.min(m))
            }
            Node::Trace(trace) => trace.at(t),
            Node::Clock { of, time_of_day } => of.raw_at(t, t + *time_of_day, seed),
        }
    }
}

/// Shorthand for [`Rate::constant`].
pub fn constant(rps: f64) -> Rate {
    Rate::constant(rps)
}

/// Every evaluation ends here: NaN and negative values become 0, infinity the largest finite
/// value, so callers never need to guard against what a malformed composition could produce.
fn sanitize(v: f64) -> f64 {
    if v.is_nan() || v <= 0.0 {
        0.0
    } else {
        v.min(f64::MAX)
    }
}

macro_rules! rate_from {
    ($($kind:ident => $node:expr),* $(,)?) => {
        $(impl From<$kind> for Rate {
            fn from(p: $kind) -> Rate {
                Rate { node: $node(p) }
            }
        })*
    };
}

rate_from! {
    Step => Node::Step,
    Ramp => Node::Ramp,
    Spike => Node::Spike,
    Diurnal => Node::Diurnal,
    Weekly => |w| Node::Weekly(Box::new(w)),
    Noise => |n| Node::Noise(Box::new(n)),
    Trace => Node::Trace,
}

#[cfg(test)]
mod tests;
