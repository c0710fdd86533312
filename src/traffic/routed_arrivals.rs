//! How the routing algorithm shapes the arrivals each target sees, for the `fluid` fidelity
//! (see [`queueing`](super::queueing), which applies it).
//!
//! The requests reaching a load balancer are a Poisson stream (the sources' arrivals, summed);
//! how each target's share of it looks depends on the target group's algorithm, as the request
//! engine's [`routing`](super::routing) picks:
//!
//! - **Weighted random** thins the stream at random: each target's arrivals are Poisson again
//!   ([`Arrivals::Poisson`]; the formulas of the queueing module as they are).
//! - **Round robin** gives each of `k` targets every `k`-th request: its gaps between arrivals are
//!   the sum of `k` exponential gaps, Erlang-`k` (squared coefficient of variation `1/k`), far more
//!   regular than Poisson ([`Arrivals::RoundRobin`]). The exact GI/M/1 result applies: an arrival
//!   finds the server busy with probability `σ`, the root in (0, 1) of `σ = A*(μ(1 − σ))` with
//!   `A*` the gaps' Laplace transform, here `σ = (1 + (1 − σ)/(kρ))^−k`, and the number of
//!   requests in the task is geometric of ratio `σ` above the servers; Poisson has `σ = ρ`,
//!   deterministic gaps (`k → ∞`) `σ = e^(−(1 − σ)/ρ)`. [`round_robin_idle`] solves it. A target
//!   in slow start (smooth weighted round robin) gets every `1/w`-th request for its share `w` of
//!   the node's picks: `k = 1/w`, not an integer.
//! - **Least outstanding requests** sends each request to the target with the fewest in flight,
//!   so a request waits only when no target of the node has a free vCPU: the targets behave as
//!   one pool, an M/M/(n·c) queue over the node's `n` targets of `c` effective servers each
//!   ([`Arrivals::LeastOutstandingRequests`]). The pool is a lower bound (a pool's waiting request
//!   takes the first vCPU to free up; a target's queue waits for its own) that join-the-shortest-
//!   queue approaches as targets multiply and that is exact for one target.
//!
//! A node's targets are the group's routable ones with cross-zone load balancing on (one node's
//! view: a single round-robin cursor), each zone's own with it off (each zone's node draws from a
//! Poisson share of the clients and walks its own targets). `k` and `n` are that node's picks
//! over the target's: its targets' shares summed, over its own share.

use std::collections::BTreeMap;

use super::target_group::{Algorithm, TargetGroup};
use crate::ids::{TaskId, ZoneId};

/// The shape of one target's arrivals, from its group's routing algorithm.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Arrivals {
    /// A random share of a Poisson stream: Poisson.
    Poisson,
    /// Every `turn`-th request of the node's Poisson stream: Erlang gaps of shape `turn` (≥ 1).
    RoundRobin { turn: f64 },
    /// One of `pool` (≥ 1) targets the node keeps evenly loaded: they queue as one.
    LeastOutstandingRequests { pool: f64 },
}

impl Arrivals {
    /// Shapes that are Poisson in effect (one target in turn, a pool of one) are Poisson, so a
    /// lone target gets exactly the formulas it always had.
    pub fn normalized(self) -> Arrivals {
        match self {
            Arrivals::RoundRobin { turn } if turn.is_nan() || turn <= 1.0 => Arrivals::Poisson,
            Arrivals::LeastOutstandingRequests { pool } if pool.is_nan() || pool <= 1.0 => Arrivals::Poisson,
            a => a,
        }
    }
}

/// Each target's arrival shape, for the `shares` of `group` (as [`TargetGroup::shares`] gives
/// them), in the same order.
pub fn of_targets(group: &TargetGroup, shares: &[(TaskId, f64)]) -> Vec<Arrivals> {
    let config = group.config();
    let node_of = |task: TaskId| -> Option<ZoneId> {
        if config.cross_zone {
            None
        } else {
            group.target(task).map(|t| t.zone)
        }
    };
    let mut node_share: BTreeMap<Option<ZoneId>, f64> = BTreeMap::new();
    for &(task, share) in shares {
        *node_share.entry(node_of(task)).or_default() += share;
    }
    shares
        .iter()
        .map(|&(task, share)| {
            let picks = node_share.get(&node_of(task)).copied().unwrap_or(0.0);
            let ratio = if share > 0.0 { picks / share } else { 1.0 };
            match config.algorithm {
                Algorithm::RoundRobin => Arrivals::RoundRobin { turn: ratio },
                Algorithm::LeastOutstandingRequests => Arrivals::LeastOutstandingRequests { pool: ratio.round() },
                Algorithm::WeightedRandom => Arrivals::Poisson,
            }
            .normalized()
        })
        .collect()
}

/// Newton steps for `1 − σ`: from the right of the root they fall monotonically onto it, a
/// handful at most loads, about fifty at 1 − ρ ≈ 10⁻¹⁵ where the root nears the double one at 0.
const IDLE_ITERATIONS: u32 = 200;
/// A Newton step this small (relative) is the last: Newton's error after it is of the order of
/// its square, 10⁻¹⁴.
const IDLE_LAST_STEP: f64 = 1e-7;

/// A root of round robin's busy chance: `1 − σ` at utilization `rho` for `turn`, and how fast it
/// moves with the load (`d(1 − σ)/dρ`), so that a root at a nearby load starts the next search
/// within the square of the distance.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct IdleRoot {
    rho: f64,
    turn: f64,
    pub idle: f64,
    slope: f64,
}

/// `1 − σ` for Erlang gaps of shape `turn` at utilization `rho` (see the module docs): the root in
/// (0, 1] of `g(δ) = 1 − (1 + δ/(kρ))^−k − δ`, computed as `−expm1(−k·ln_1p(δ/(kρ))) − δ` so
/// that a `δ` of 10⁻¹⁵ keeps its digits. `1 − ρ` for `turn ≤ 1` (Poisson), 1 without load and 0
/// at or beyond full load.
pub fn round_robin_idle(rho: f64, turn: f64) -> f64 {
    round_robin_idle_near(rho, turn, None).idle
}

/// [`round_robin_idle`], starting from the root at a nearby load (`near`, of the same turn)
/// moved along its slope: the fluid model asks at loads a hair apart, one Newton step each.
pub fn round_robin_idle_near(rho: f64, turn: f64, near: Option<IdleRoot>) -> IdleRoot {
    let fixed = |idle: f64| IdleRoot { rho, turn, idle, slope: 0.0 };
    if rho.is_nan() || rho <= 0.0 {
        return fixed(1.0);
    }
    if rho >= 1.0 {
        return fixed(0.0);
    }
    if turn.is_nan() || turn <= 1.0 {
        return IdleRoot { slope: -1.0, ..fixed(1.0 - rho) };
    }
    let k = turn;
    // g, g'(δ) = (1 + δ/(kρ))^(−k−1) / ρ − 1 and ∂g/∂ρ = −(1 + δ/(kρ))^(−k−1)·δ/ρ², sharing
    // their logarithm and exponential.
    let eval = |d: f64| {
        let v = d / (k * rho);
        let em = (-k * v.ln_1p()).exp_m1();
        let power = (1.0 + em) / (1.0 + v);
        (-em - d, power / rho - 1.0, -power * d / (rho * rho))
    };
    // g is concave, positive between its roots 0 and δ*, negative beyond, with δ* past its
    // maximum: from any point where g falls, a Newton step lands right of δ* (the tangent lies
    // above g) and the steps then fall monotonically onto it, quadratically at the end. The
    // start is the nearby root moved along its slope, or Poisson's 1 − ρ (left of δ*, where g
    // falls); 1 (right of δ*, where g falls) if g does not fall there.
    let moved = near.filter(|n| n.turn == k).map(|n| n.idle + n.slope * (rho - n.rho)).filter(|d| *d > 0.0 && *d < 1.0);
    let mut d = moved.unwrap_or(1.0 - rho);
    let mut slope = f64::NAN;
    for i in 0..IDLE_ITERATIONS {
        let (value, g_d, g_rho) = eval(d);
        if g_d.is_nan() || g_d >= 0.0 {
            if i == 0 && d < 1.0 {
                d = 1.0;
                continue;
            }
            break;
        }
        // The implicit function's slope at this point: dδ/dρ = −g_ρ / g_δ.
        slope = -g_rho / g_d;
        if value == 0.0 {
            break;
        }
        let next = (d - value / g_d).min(1.0);
        // Right of the root every step falls; a step from the left jumps right of it.
        if next.is_nan() || next <= 0.0 || (value < 0.0 && next >= d) {
            break;
        }
        let last = (d - next).abs() <= IDLE_LAST_STEP * d;
        d = next;
        if last {
            break;
        }
    }
    let idle = d.clamp(1.0 - rho, 1.0);
    IdleRoot { rho, turn, idle, slope: if slope.is_finite() { slope } else { 0.0 } }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sigma(rho: f64, k: f64) -> f64 {
        1.0 - round_robin_idle(rho, k)
    }

    #[test]
    fn one_target_in_turn_is_poisson() {
        for rho in [0.1, 0.5, 0.9, 0.999] {
            assert!((sigma(rho, 1.0) - rho).abs() < 1e-15);
        }
        assert_eq!(Arrivals::RoundRobin { turn: 1.0 }.normalized(), Arrivals::Poisson);
        assert_eq!(Arrivals::LeastOutstandingRequests { pool: 1.0 }.normalized(), Arrivals::Poisson);
    }

    #[test]
    fn erlang_two_at_half_load_has_the_closed_form() {
        // σ = 1/(2 − σ)² ⇒ (σ − 1)(σ² − 3σ + 1) = 0 ⇒ σ = (3 − √5)/2.
        let want = (3.0 - 5f64.sqrt()) / 2.0;
        assert!((sigma(0.5, 2.0) - want).abs() < 1e-14, "{}", sigma(0.5, 2.0));
    }

    #[test]
    fn the_root_solves_its_equation_at_every_shape_and_load() {
        for k in [1.5, 2.0, 10.0, 30.0, 100.0, 1e6] {
            for rho in [0.01, 0.3, 0.6, 0.9, 0.99, 1.0 - 1e-9] {
                let s = sigma(rho, k);
                // (1 + δ/(kρ))^−k, through ln_1p: powf's rounding of 1 + δ/(kρ) grows k-fold.
                let rhs = (-k * ((1.0 - s) / (k * rho)).ln_1p()).exp();
                assert!((s - rhs).abs() < 1e-12, "k = {k}, ρ = {rho}: σ = {s}, A* = {rhs}");
                assert!(s < rho, "more regular than Poisson waits less: k = {k}, ρ = {rho}");
            }
        }
    }

    #[test]
    fn a_nearby_root_gives_the_same_root() {
        for (rho, from) in [(0.5, 0.3), (0.5, 0.9), (0.9, 0.2), (0.3, 0.99), (0.7, 0.7 - 1e-9), (0.6, 0.6 + 1e-4)] {
            let near = round_robin_idle_near(from, 4.0, None);
            let (cold, warm) = (round_robin_idle(rho, 4.0), round_robin_idle_near(rho, 4.0, Some(near)).idle);
            assert!((cold - warm).abs() <= 1e-13 * cold, "ρ = {rho}, from {from}: {cold} vs {warm}");
        }
        // A root of another turn is no start.
        let other = round_robin_idle_near(0.5, 9.0, None);
        assert_eq!(round_robin_idle_near(0.5, 4.0, Some(other)).idle, round_robin_idle(0.5, 4.0));
    }

    #[test]
    fn many_targets_in_turn_approach_deterministic_gaps() {
        // D/M/1: σ = e^(−(1 − σ)/ρ); at ρ = 0.6, σ ≈ 0.3244.
        let s = sigma(0.6, 1e9);
        assert!((s - (-(1.0 - s) / 0.6).exp()).abs() < 1e-8, "{s}");
        assert!((s - 0.3244).abs() < 1e-3, "{s}");
    }

    #[test]
    fn the_busy_chance_rises_with_load_and_falls_with_the_turn() {
        let mut last = 0.0;
        for i in 1..1000 {
            let s = sigma(f64::from(i) / 1000.0, 10.0);
            assert!(s >= last, "ρ = {}", f64::from(i) / 1000.0);
            last = s;
        }
        let by_turn: Vec<f64> = [1.0, 2.0, 5.0, 20.0, 100.0].iter().map(|&k| sigma(0.8, k)).collect();
        assert!(by_turn.windows(2).all(|w| w[1] < w[0]), "{by_turn:?}");
        // Near full load the heavy-traffic limit: 1 − σ ≈ 2kρ(1 − ρ)/(k + 1).
        let (rho, k) = (1.0 - 1e-6, 10.0);
        let heavy = 2.0 * k * rho * (1.0 - rho) / (k + 1.0);
        assert!((round_robin_idle(rho, k) / heavy - 1.0).abs() < 1e-5);
    }
}
