//! The fluid fidelity's clocks, one per load balancer: where each of its spans ends, and when a
//! run of steps is computed as one span because nothing in it moves (a *quiet* span).
//!
//! Each load balancer's flows (its sources, listener, target groups and targets) keep their own
//! clock: a change of where one load balancer's requests go cuts only its span, so a cluster of
//! `n` services behind `n` load balancers costs `n` times one service, not `n²` (with one clock,
//! each of the `4n` targets turning healthy, and each task a scaling service started or stopped,
//! cut the span of every target group). What couples two load balancers is their tasks sharing an
//! instance's CPU: when a span's end moves the CPU shares of a task of another load balancer,
//! that one's open span is closed first, under the shares it had, and its flows are disturbed
//! (below); see [`fluid`](super::fluid).
//!
//! Without merging, a span ends at every step boundary, every minute boundary and before every
//! change of where requests go ([`fluid`](super::fluid)). Most minutes of a long run change
//! nothing a step could show: the rates move by a fraction of a percent, every target sits at its
//! load's stationary backlog, nobody registers or leaves. Each of their steps computes the same
//! stationary law, so the minute is computed as one span: one queueing solve per target group
//! instead of one per step. The rules:
//!
//! - **Planned quiet**: a span starting when the flows are *at rest* — in the span before, every
//!   target the load balancer sent requests to ended it at its load's stationary backlog (within
//!   the tolerance) and failed none, no CPU shares moved at its end, nothing disturbed the flows
//!   since (below) and none of its target groups is ramping a target up (slow start) — wakes at
//!   the next minute boundary (or the run's end) instead of the next step boundary.
//! - **Closed by any change of what the flows read**: a target registering (`on_task_running`), a
//!   listener shift, a target leaving or changing health (the settlings), another load balancer's
//!   span moving the CPU shares of one of its tasks, first close an open quiet span of the load
//!   balancer concerned, so what flowed in it flowed under what held until then, and *disturb* its
//!   flows: the next step is computed on its own, from which "at rest" is judged anew. A metrics
//!   sample closes every open quiet span without disturbing. Nothing else in the cluster reaches
//!   the flows but through these.
//! - **Checked at its close**: the span is one only if every source's rate is flat over it (each
//!   step's mean within the tolerance of the span's mean, read from the pattern's values when it
//!   has no break inside the span) and within the tolerance of its rate in the span before. If not,
//!   its steps are computed one by one, exactly as without merging.
//!
//! The tolerance is `traffic.quiet_tolerance` (default 1 %, the load difference within which a
//! target group already reuses its response-time points); 0 computes every step. Requests, errors
//! and CPU are conserved either way (a span's arrivals are the pattern's integral, and what leaves
//! is what the backlog cannot hold); latency percentiles move within the tolerance's effect on
//! the load (README, "Steps").

use crate::engine::{Generation, SimDuration, SimTime};
use crate::ids::LoadBalancerId;
use crate::world::event::TrafficEvent;
use crate::world::{Ctx, Event, World};

use super::queueing::FluidStep;
use super::rate::Rate;

/// The fluid fidelity settles every minute as well as every step: CloudWatch's datapoints (and
/// target tracking's alarms) are per minute, so a minute's work must be in its minute whatever
/// the step, and a quiet span never crosses one.
pub const MINUTE: SimDuration = SimDuration::from_secs(60);

/// Where one load balancer's flows stand: how far its requests have flowed, its pending wake-up,
/// and what decides whether its next span may be quiet.
#[derive(Clone, Debug)]
pub struct FluidClock {
    /// The sources sending to this load balancer, by index in the traffic spec.
    pub sources: Vec<usize>,
    /// Up to when its requests have flowed.
    pub until: SimTime,
    /// The run's end.
    end: SimTime,
    /// The pending wake-up: a `FluidStep` event stamped `live` (older stamps are stale).
    wake: Option<SimTime>,
    live: Generation,
    /// The open span was planned quiet (it wakes at the minute).
    quiet: bool,
    /// Something the flows read may have changed since the last span was computed.
    disturbed: bool,
    /// In the last span computed, every target ended at its stationary backlog and failed none,
    /// and no CPU shares moved at its end.
    pub at_rest: bool,
    /// Each of its sources' rate over the last span computed (NaN before the first), in
    /// `sources` order.
    pub last_rates: Vec<f64>,
}

impl FluidClock {
    /// The clock of a load balancer fed by `sources` (indices in the traffic spec).
    pub fn new(sources: Vec<usize>) -> Self {
        FluidClock {
            last_rates: vec![f64::NAN; sources.len()],
            sources,
            until: SimTime::ZERO,
            end: SimTime::ZERO,
            wake: None,
            live: Generation::default(),
            quiet: false,
            disturbed: false,
            at_rest: false,
        }
    }

    /// Whether the open span was planned quiet (so any change must close it first).
    pub fn is_quiet(&self) -> bool {
        self.quiet
    }

    /// A span is being computed: judged at rest until a target says otherwise; what disturbed
    /// the flows before it is in it.
    pub fn begin_span(&mut self) {
        self.at_rest = true;
        self.disturbed = false;
    }
}

/// Whether `a` and `b` are within the relative `tolerance` of each other (two zeros are).
pub fn within(a: f64, b: f64, tolerance: f64) -> bool {
    (a - b).abs() <= tolerance * a.abs().max(b.abs())
}

/// Backlogs closer than this many requests are the same (a task idles at a rounding crumb).
const SAME_BACKLOG: f64 = 1e-6;

/// Whether a target's step ended at rest: nothing failed, and its backlog after the step is its
/// load's stationary one within the relative `tolerance`.
pub fn at_rest(step: &FluidStep, backlog: f64, tolerance: f64) -> bool {
    let gap = (backlog - step.stationary).abs();
    let no_failures = step.timed_out == 0.0 && step.rejected == 0.0;
    no_failures && step.stationary.is_finite() && gap <= tolerance * backlog.max(step.stationary) + SAME_BACKLOG
}

/// Starts the clocks of the load balancers that sources send to: each first span ends at the
/// first boundary.
pub fn start(world: &mut World, ctx: &mut Ctx, end: SimTime) {
    for i in 0..world.traffic.clocks.len() {
        world.traffic.clocks[i].end = end;
        if !world.traffic.clocks[i].sources.is_empty() {
            plan(world, ctx, LoadBalancerId::from_index(i));
        }
    }
}

/// Whether a wake-up of `lb` stamped `stamp` is its pending one (a re-planned span leaves stale
/// ones).
pub fn take_wake(world: &mut World, lb: LoadBalancerId, stamp: Generation) -> bool {
    let clock = &mut world.traffic.clocks[lb.index()];
    if !clock.live.is_current(stamp) {
        return false;
    }
    clock.wake = None;
    true
}

/// The flows of `lb` may have changed: its next span is computed as a step of its own.
pub fn disturb(world: &mut World, ctx: &mut Ctx, lb: LoadBalancerId) {
    world.traffic.clocks[lb.index()].disturbed = true;
    plan(world, ctx, lb);
}

/// Plans the open span of `lb`: schedules the wake-up at its end (the next step boundary, or the
/// next minute if it may be quiet), unless that wake-up is pending already. A load balancer no
/// source sends to has no flows, and no wake-up.
pub fn plan(world: &mut World, ctx: &mut Ctx, lb: LoadBalancerId) {
    let step = world.traffic.spec.step;
    let clock = &world.traffic.clocks[lb.index()];
    let from = clock.until;
    if from >= clock.end || clock.sources.is_empty() {
        world.traffic.clocks[lb.index()].quiet = false;
        return;
    }
    let next = next_boundary(from, step);
    let merged = next_boundary(from, MINUTE).min(clock.end);
    let quiet = merged > next && may_rest(world, lb, from);
    let clock = &mut world.traffic.clocks[lb.index()];
    clock.quiet = quiet;
    let wake = if quiet { merged } else { next };
    if clock.wake != Some(wake) {
        clock.live.bump();
        clock.wake = Some(wake);
        ctx.sched.settle_at(wake, Event::Traffic(TrafficEvent::FluidStep(lb, clock.live)));
    }
}

/// The next end of a step of `width` after `t`, or of a minute if sooner.
pub fn next_boundary(t: SimTime, width: SimDuration) -> SimTime {
    let next = |width: u64| SimTime::from_micros((t.as_micros() / width + 1) * width);
    next(width.as_micros().max(1)).min(next(MINUTE.as_micros()))
}

/// What can be told at a span's start: the flows of `lb` were at rest and nothing has disturbed
/// them, merging is on, and none of its target groups ramps a target up during the span.
fn may_rest(world: &World, lb: LoadBalancerId, from: SimTime) -> bool {
    let traffic = &world.traffic;
    let clock = &traffic.clocks[lb.index()];
    traffic.spec.quiet_tolerance > 0.0
        && clock.at_rest
        && !clock.disturbed
        && traffic.listeners[lb.index()]
            .forward()
            .iter()
            .all(|(tg, _)| traffic.target_groups[tg.index()].slow_start_horizon <= from)
}

/// The rate of each source of `lb` over the quiet span from its clock's `until` to `to`, if it
/// is one span: every source's rate is flat over it and where it was in the span before (see the
/// module docs); `None` if its steps are to be computed one by one.
pub fn merged_rates(world: &World, lb: LoadBalancerId, to: SimTime) -> Option<Vec<f64>> {
    let traffic = &world.traffic;
    let clock = &traffic.clocks[lb.index()];
    if !clock.quiet || clock.disturbed || to <= clock.until {
        return None;
    }
    let tolerance = traffic.spec.quiet_tolerance;
    let sources = clock.sources.iter().map(|&i| &traffic.spec.sources[i]).zip(&clock.last_rates);
    sources
        .map(|(source, &last)| {
            let mean = source.rate.mean_over(clock.until, to, traffic.seed);
            let quiet = within(mean, last, tolerance) && flat(&source.rate, (clock.until, to), mean, traffic);
            quiet.then_some(mean)
        })
        .collect()
}

/// Whether every step of `[from, to)` holds a rate within the tolerance of `mean`: read from the
/// pattern at the span's ends and middle when it is one smooth piece there, else step by step.
fn flat(rate: &Rate, (from, to): (SimTime, SimTime), mean: f64, traffic: &super::Traffic) -> bool {
    let (seed, tolerance) = (traffic.seed, traffic.spec.quiet_tolerance);
    let near = |r: f64| within(r, mean, tolerance);
    if rate.is_smooth_over(from, to) {
        let last = SimTime::from_micros(to.as_micros() - 1);
        let middle = SimTime::from_micros(from.as_micros().midpoint(to.as_micros()));
        return [from, middle, last].into_iter().all(|t| near(rate.at(t, seed)));
    }
    let mut a = from;
    while a < to {
        let b = next_boundary(a, traffic.spec.step).min(to);
        if !near(rate.mean_over(a, b, seed)) {
            return false;
        }
        a = b;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_within_the_tolerance_are_the_same() {
        assert!(within(100.0, 100.9, 0.01));
        assert!(!within(100.0, 101.2, 0.01));
        assert!(within(0.0, 0.0, 0.01));
        assert!(!within(0.0, 1e-9, 0.01));
        assert!(!within(f64::NAN, 1.0, 0.01));
        // Zero tolerance: only equal loads.
        assert!(within(3.0, 3.0, 0.0));
        assert!(!within(3.0, 3.000_000_1, 0.0));
    }

    #[test]
    fn boundaries_are_steps_and_minutes() {
        let s = |secs: u64| SimTime::from_micros(secs * 1_000_000);
        assert_eq!(next_boundary(s(0), SimDuration::from_secs(1)), s(1));
        assert_eq!(next_boundary(s(59), SimDuration::from_secs(7)), s(60));
        assert_eq!(next_boundary(s(60), SimDuration::from_secs(7)), s(63));
        assert_eq!(next_boundary(s(61), MINUTE), s(120));
        assert_eq!(next_boundary(SimTime::from_micros(500), SimDuration::from_secs(1)), s(1));
    }
}
