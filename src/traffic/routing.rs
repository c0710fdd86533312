//! A target group's routing decisions: where each request goes ([`TargetGroup::pick`]) and how a
//! fluid arrival rate splits ([`TargetGroup::shares`]).
//!
//! # Who may take a request
//!
//! The *routable* targets are the healthy ones. When no target of the group is healthy but some
//! are registered and not draining (initial or unhealthy), the load balancer **fails open** and
//! routes among all of those ([`Pick::FailOpen`]). Draining targets never get a request. With
//! nothing left, the answer is 503 ([`Pick::NoTarget`]). The fail-open decision is taken for the
//! whole group, as AWS does ("all targets fail health checks ... in all enabled zones").
//!
//! # Zones
//!
//! A request arrives at the load balancer node of its client zone. With cross-zone on (ALB's
//! default) the node routes to every zone; with it off only to targets in its own zone, and a zone
//! without one answers 503 (aws-behaviour.md §9: "an empty AZ answers 503"). ecsim therefore
//! expects the integrator to draw the client zone **uniformly over the load balancer's zones**
//! (the scenario's zones), not only those holding targets; [`TargetGroup::served_fraction`] gives
//! the fluid model the matching fraction of requests that find a target.
//!
//! # Algorithms
//!
//! - Round robin: one cursor per load balancer node (a single shared one with cross-zone on)
//!   walks the targets in registration order, skipping those that may not take the request:
//!   O(1) amortised while most targets are routable. While some target is in slow start it turns
//!   into *smooth weighted round robin* (nginx's): each pick adds every candidate's integer
//!   weight (0..=1000) to its credit, sends the request to the largest credit (ties: lowest
//!   TaskId) and takes the weights' total off the winner. Over any run of picks with fixed
//!   weights each target's count is within one of its exact share, and picks interleave. O(n).
//! - Least outstanding requests: fewest requests in flight; ties go to the first candidate in
//!   round-robin order from the node's cursor (then TaskId), so equal targets take turns instead
//!   of the lowest id winning. O(n) scan per pick, fine for the ~100 targets of a group. The
//!   integrator must call `request_started` before the next pick for the counts to mean anything.
//! - Weighted random: one draw from the caller's stream over the candidates' weights (uniform
//!   without slow start). O(n).
//!
//! A target's weight is 1000, or under slow start `1000 × elapsed / slow_start` (integer, rounded
//! down) since it became healthy. If every candidate's weight is 0 (they all became healthy this
//! very microsecond) they count alike.

use std::cmp::Reverse;

use rand::RngExt;

use super::target_group::{Algorithm, Pick, Target, TargetGroup, TargetState};
use crate::engine::{SimTime, StreamRng};
use crate::sim::ids::{TaskId, ZoneId};

/// A target's routing weight out of slow start; a ramping target has a fraction of it.
const FULL_WEIGHT: u64 = 1000;

/// Which targets may take a request at this instant.
#[derive(Clone, Copy, Debug)]
struct Eligible {
    /// No target of the group is healthy: any non-draining one may take it.
    fail_open: bool,
    /// Only targets in this zone (cross-zone off), or any zone.
    zone: Option<ZoneId>,
}

impl Eligible {
    fn admits(self, t: &Target) -> bool {
        let state_ok = if self.fail_open { t.state != TargetState::Draining } else { t.state == TargetState::Healthy };
        state_ok && self.zone.is_none_or(|z| z == t.zone)
    }

    fn in_zone(self, zone: ZoneId) -> Eligible {
        Eligible { zone: Some(zone), ..self }
    }
}

/// The weights of one decision's candidates: by slow-start weight, or all alike when every
/// weight is zero.
#[derive(Clone, Copy, Debug)]
struct Scale {
    uniform: bool,
    /// Sum of the candidates' weights under this scale; never zero.
    total: u64,
}

impl Scale {
    fn of(self, t: &Target, now: SimTime) -> u64 {
        if self.uniform {
            1
        } else {
            weight(t, now)
        }
    }
}

/// `FULL_WEIGHT`, or the slow-start ramp's linear fraction of it.
fn weight(t: &Target, now: SimTime) -> u64 {
    match (t.healthy_since, t.slow_start_until) {
        (Some(since), Some(until)) if now < until => {
            let elapsed = u128::from(now.since(since).as_micros());
            let window = u128::from(until.since(since).as_micros()).max(1);
            // elapsed < window, so the quotient is below FULL_WEIGHT.
            u64::try_from(u128::from(FULL_WEIGHT) * elapsed / window).unwrap_or(FULL_WEIGHT)
        }
        _ => FULL_WEIGHT,
    }
}

impl TargetGroup {
    /// Chooses the target of a request arriving at `now` at the load balancer node of
    /// `client_zone`. Does not count the request: call `request_started` once it is sent.
    /// Draws from `rng` only under weighted random.
    pub fn pick(&mut self, now: SimTime, client_zone: ZoneId, rng: &mut StreamRng) -> Pick {
        let Some(eligible) = self.eligible_from(client_zone) else {
            return Pick::NoTarget;
        };
        let slot = self.cursor_slot(client_zone);
        let found = match self.config.algorithm {
            Algorithm::RoundRobin if now < self.slow_start_horizon => self.pick_smooth_weighted(eligible, now),
            Algorithm::RoundRobin => self.pick_round_robin(eligible, slot),
            Algorithm::LeastOutstandingRequests => self.pick_least_outstanding(eligible, slot),
            Algorithm::WeightedRandom => self.pick_weighted_random(eligible, now, rng),
        };
        match found {
            Some(i) if eligible.fail_open => Pick::FailOpen(self.targets[i].task),
            Some(i) => Pick::Target(self.targets[i].task),
            None => Pick::NoTarget,
        }
    }

    /// Routing weights the fluid model splits the arrival rate by: (task, share in [0,1]) over
    /// the targets a request could go to now (healthy, or all non-draining when failing open),
    /// in registration order, shares summing to 1; empty when none (503). Includes the
    /// slow-start ramp (never entered under least outstanding requests, whose split is even).
    /// With cross-zone off it assumes the served clients spread evenly over the zones that
    /// have a routable target, each zone's share split among its own targets; multiply the
    /// rate by [`TargetGroup::served_fraction`] first to lose the requests of empty zones.
    pub fn shares(&self, now: SimTime) -> Vec<(TaskId, f64)> {
        let Some(all) = self.eligible() else {
            return Vec::new();
        };
        let groups: Vec<(Eligible, Scale)> = if self.config.cross_zone {
            self.scale(all, now).map(|s| (all, s)).into_iter().collect()
        } else {
            self.routable_zones(all)
                .into_iter()
                .filter_map(|z| self.scale(all.in_zone(z), now).map(|s| (all.in_zone(z), s)))
                .collect()
        };
        let group_share = 1.0 / groups.len().max(1) as f64;
        self.targets
            .iter()
            .filter_map(|t| {
                let (_, scale) = groups.iter().find(|(e, _)| e.admits(t))?;
                let share = group_share * scale.of(t, now) as f64 / scale.total as f64;
                Some((t.task, share))
            })
            .collect()
    }

    /// The fraction of requests that find a target when clients arrive evenly over `lb_zones`
    /// (the load balancer's zones): 1 or 0 with cross-zone on, the fraction of those zones
    /// holding a target that may take a request with it off.
    pub fn served_fraction(&self, lb_zones: &[ZoneId]) -> f64 {
        let Some(all) = self.eligible() else {
            return 0.0;
        };
        if self.config.cross_zone {
            return 1.0;
        }
        if lb_zones.is_empty() {
            return 0.0;
        }
        let served = lb_zones.iter().filter(|&&z| self.targets.iter().any(|t| all.in_zone(z).admits(t))).count();
        served as f64 / lb_zones.len() as f64
    }

    /// Who may take a request, group-wide (any zone); `None` when nobody may (503).
    fn eligible(&self) -> Option<Eligible> {
        let c = self.counts;
        let fail_open = if c.healthy > 0 {
            false
        } else if c.initial + c.unhealthy > 0 {
            true
        } else {
            return None;
        };
        Some(Eligible { fail_open, zone: None })
    }

    /// Who may take a request arriving in `client_zone`.
    fn eligible_from(&self, client_zone: ZoneId) -> Option<Eligible> {
        let e = self.eligible()?;
        Some(if self.config.cross_zone { e } else { e.in_zone(client_zone) })
    }

    /// The zones holding a target `e` admits, in zone order, each once.
    fn routable_zones(&self, e: Eligible) -> Vec<ZoneId> {
        let mut zones: Vec<ZoneId> = self.targets.iter().filter(|t| e.admits(t)).map(|t| t.zone).collect();
        zones.sort_unstable();
        zones.dedup();
        zones
    }

    /// The candidates' weights; `None` when there is no candidate.
    fn scale(&self, e: Eligible, now: SimTime) -> Option<Scale> {
        let (count, total) =
            self.targets.iter().filter(|t| e.admits(t)).fold((0u64, 0u64), |(n, w), t| (n + 1, w + weight(t, now)));
        match (count, total) {
            (0, _) => None,
            (n, 0) => Some(Scale { uniform: true, total: n }),
            (_, w) => Some(Scale { uniform: false, total: w }),
        }
    }

    /// The round-robin cursor of the node serving `client_zone`, created at 0 on first use.
    fn cursor_slot(&mut self, client_zone: ZoneId) -> usize {
        let slot = if self.config.cross_zone { 0 } else { client_zone.index() };
        if self.cursors.len() <= slot {
            self.cursors.resize(slot + 1, 0);
        }
        slot
    }

    /// Candidates' positions in round-robin order from the cursor in `slot`, with their distance.
    fn rotation(&self, e: Eligible, slot: usize) -> impl Iterator<Item = (usize, usize)> + '_ {
        let n = self.targets.len();
        let start = self.cursors[slot];
        (0..n).map(move |step| (step, (start + step) % n)).filter(move |&(_, i)| e.admits(&self.targets[i]))
    }

    fn pick_round_robin(&mut self, e: Eligible, slot: usize) -> Option<usize> {
        let (_, i) = self.rotation(e, slot).next()?;
        self.cursors[slot] = i + 1;
        Some(i)
    }

    fn pick_least_outstanding(&mut self, e: Eligible, slot: usize) -> Option<usize> {
        let (_, i) = self.rotation(e, slot).min_by_key(|&(step, i)| {
            let t = &self.targets[i];
            (t.outstanding, step, t.task)
        })?;
        self.cursors[slot] = i + 1;
        Some(i)
    }

    fn pick_smooth_weighted(&mut self, e: Eligible, now: SimTime) -> Option<usize> {
        let scale = self.scale(e, now)?;
        let mut best: Option<((i64, Reverse<TaskId>), usize)> = None;
        for (i, t) in self.targets.iter_mut().enumerate() {
            let w = scale.of(t, now);
            if w == 0 || !e.admits(t) {
                continue;
            }
            // Weights are at most FULL_WEIGHT per target: far from i64's range.
            t.credit += w as i64;
            let key = (t.credit, Reverse(t.task));
            if best.is_none_or(|(b, _)| key > b) {
                best = Some((key, i));
            }
        }
        let (_, i) = best?;
        self.targets[i].credit -= scale.total as i64;
        Some(i)
    }

    fn pick_weighted_random(&self, e: Eligible, now: SimTime, rng: &mut StreamRng) -> Option<usize> {
        let scale = self.scale(e, now)?;
        let mut draw = rng.random_range(0..scale.total);
        for (i, t) in self.targets.iter().enumerate().filter(|(_, t)| e.admits(t)) {
            let w = scale.of(t, now);
            if draw < w {
                return Some(i);
            }
            draw -= w;
        }
        None
    }
}
