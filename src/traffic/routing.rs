//! A target group's routing decisions: where each request goes ([`TargetGroup::pick`]) and how a
//! fluid arrival rate splits ([`TargetGroup::shares`]).
//!
//! # Who may take a request
//!
//! The *routable* targets are the healthy ones. When fewer targets are healthy than the group's
//! unhealthy state routing threshold (by default: none is) and some are unhealthy, the load
//! balancer **fails open** and routes among the healthy and unhealthy ones alike
//! ([`Pick::FailOpen`]); below a configured DNS failover threshold every request is a 503 (see
//! [`group_health`](super::group_health)).
//! Targets still `initial` never get a request: a service whose first targets have not passed a
//! check yet answers 503, as a new ALB does ("a new target receives traffic only after it passes
//! the configured checks"). Draining targets never get a request either. With nothing left, the
//! answer is 503 ([`Pick::NoTarget`]). The fail-open decision is taken for the
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
use crate::ids::{TaskId, ZoneId};

/// A target's routing weight out of slow start; a ramping target has a fraction of it.
const FULL_WEIGHT: u64 = 1000;

/// Which targets may take a request at this instant.
#[derive(Clone, Copy, Debug)]
pub(super) struct Eligible {
    /// Too few targets are healthy: unhealthy ones may take it too.
    pub(super) fail_open: bool,
    /// Only targets in this zone (cross-zone off), or any zone.
    zone: Option<ZoneId>,
}

impl Eligible {
    pub(super) fn admits(self, t: &Target) -> bool {
        let state_ok = t.state == TargetState::Healthy || (self.fail_open && t.state == TargetState::Unhealthy);
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

    /// Who may take a request, group-wide (any zone); `None` when nobody may, or the DNS
    /// failover threshold is breached (503).
    fn eligible(&self) -> Option<Eligible> {
        let c = self.counts;
        let registered = c.initial + c.healthy + c.unhealthy;
        let health = &self.config.target_group_health;
        if health.dns_failover.breached(c.healthy, registered) {
            return None;
        }
        let fail_open = c.healthy == 0 || health.unhealthy_state_routing.breached(c.healthy, registered);
        if c.healthy + if fail_open { c.unhealthy } else { 0 } == 0 {
            return None;
        }
        Some(Eligible { fail_open, zone: None })
    }

    /// Who may take a request arriving in `client_zone`.
    pub(super) fn eligible_from(&self, client_zone: ZoneId) -> Option<Eligible> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{RngStreams, SimDuration};
    use crate::traffic::target_group::tests::{secs, task, zone};
    use crate::traffic::target_group::TargetGroupConfig;

    fn rng() -> StreamRng {
        RngStreams::new(7).stream(1, 0)
    }

    fn group(algorithm: Algorithm) -> TargetGroup {
        TargetGroup::new(TargetGroupConfig { algorithm, ..TargetGroupConfig::default() })
    }

    /// Registers task `n` in zone `z` at `at` and makes it healthy with one passing probe.
    fn add_healthy(tg: &mut TargetGroup, n: usize, z: usize, at: SimTime) {
        tg.register(task(n), zone(z), at);
        tg.record_probe(task(n), true, at);
    }

    fn make_unhealthy(tg: &mut TargetGroup, n: usize, at: SimTime) {
        tg.record_probe(task(n), false, at);
        tg.record_probe(task(n), false, at);
    }

    fn picks(tg: &mut TargetGroup, n: usize, now: SimTime, client: usize) -> Vec<Pick> {
        let mut rng = rng();
        (0..n).map(|_| tg.pick(now, zone(client), &mut rng)).collect()
    }

    /// How many of `picks` went to each task 0..tasks (fail-open picks included).
    fn tally(picks: &[Pick], tasks: usize) -> Vec<usize> {
        let mut counts = vec![0; tasks];
        for p in picks {
            if let Pick::Target(t) | Pick::FailOpen(t) = p {
                counts[t.index()] += 1;
            }
        }
        counts
    }

    fn share_sum(shares: &[(TaskId, f64)]) -> f64 {
        shares.iter().map(|(_, s)| s).sum()
    }

    #[test]
    fn round_robin_cycles_evenly_over_healthy_targets_only() {
        let mut tg = group(Algorithm::RoundRobin);
        for n in 0..6 {
            add_healthy(&mut tg, n, 0, secs(0));
        }
        tg.register(task(6), zone(0), secs(0));
        make_unhealthy(&mut tg, 1, secs(30));
        tg.deregister(task(3), secs(30));
        // Healthy: 0, 2, 4, 5 (1 unhealthy, 3 draining, 6 initial): they take turns in order.
        let got = picks(&mut tg, 8, secs(40), 0);
        let want: Vec<Pick> = [0, 2, 4, 5, 0, 2, 4, 5].map(|n| Pick::Target(task(n))).to_vec();
        assert_eq!(got, want);
    }

    #[test]
    fn round_robin_keeps_its_place_when_a_target_is_removed() {
        let mut tg = group(Algorithm::RoundRobin);
        for n in 0..3 {
            add_healthy(&mut tg, n, 0, secs(0));
        }
        // Picks 0 then 1; removing 0 must not make the next pick skip 2.
        picks(&mut tg, 2, secs(1), 0);
        tg.remove(task(0));
        let got = picks(&mut tg, 3, secs(1), 0);
        assert_eq!(got, [2, 1, 2].map(|n| Pick::Target(task(n))).to_vec());
    }

    #[test]
    fn least_outstanding_picks_the_least_loaded() {
        let mut tg = group(Algorithm::LeastOutstandingRequests);
        for n in 0..3 {
            add_healthy(&mut tg, n, 0, secs(0));
        }
        // In flight: task 0 → 2, task 1 → 0, task 2 → 1.
        for t in [0, 0, 2] {
            tg.request_started(task(t));
        }
        assert_eq!(picks(&mut tg, 1, secs(1), 0), vec![Pick::Target(task(1))]);
        // Now 2, 1, 1 (after the pick is sent): 1 and 2 tie, 2 is next in rotation after 1.
        tg.request_started(task(1));
        assert_eq!(picks(&mut tg, 1, secs(1), 0), vec![Pick::Target(task(2))]);
    }

    #[test]
    fn least_outstanding_rotates_ties_instead_of_favouring_the_lowest_id() {
        let mut tg = group(Algorithm::LeastOutstandingRequests);
        for n in 0..3 {
            add_healthy(&mut tg, n, 0, secs(0));
        }
        // All idle (nothing started): every pick is a three-way tie, broken in rotation order.
        let got = picks(&mut tg, 6, secs(1), 0);
        assert_eq!(got, [0, 1, 2, 0, 1, 2].map(|n| Pick::Target(task(n))).to_vec());
    }

    #[test]
    fn weighted_random_is_roughly_uniform() {
        let mut tg = group(Algorithm::WeightedRandom);
        for n in 0..4 {
            add_healthy(&mut tg, n, 0, secs(0));
        }
        let counts = tally(&picks(&mut tg, 10_000, secs(1), 0), 4);
        // Binomial(10000, 1/4): mean 2500, sd √(10000·¼·¾) ≈ 43; ±200 is over 4.6 sd.
        for c in counts {
            assert!((2300..=2700).contains(&c), "{c}");
        }
    }

    #[test]
    fn picks_are_a_function_of_the_calls_and_the_stream() {
        let run = || {
            let mut tg = group(Algorithm::WeightedRandom);
            for n in 0..5 {
                add_healthy(&mut tg, n, n % 2, secs(0));
            }
            picks(&mut tg, 200, secs(1), 0)
        };
        assert_eq!(run(), run());
    }

    #[test]
    fn all_unhealthy_fails_open_over_every_non_draining_target() {
        let mut tg = group(Algorithm::RoundRobin);
        for n in 0..3 {
            add_healthy(&mut tg, n, 0, secs(0));
            make_unhealthy(&mut tg, n, secs(30));
        }
        tg.deregister(task(2), secs(40));
        // No healthy target: 0 and 1 (unhealthy) take turns, 2 (draining) never.
        let got = picks(&mut tg, 4, secs(50), 0);
        assert_eq!(got, [0, 1, 0, 1].map(|n| Pick::FailOpen(task(n))).to_vec());
        // Shares: ½ each over the two fail-open targets.
        assert_eq!(tg.shares(secs(50)), vec![(task(0), 0.5), (task(1), 0.5)]);
    }

    #[test]
    fn initial_targets_get_nothing_even_when_failing_open() {
        let mut tg = group(Algorithm::RoundRobin);
        tg.register(task(0), zone(0), secs(0));
        // Only a target that has not passed a check yet: 503.
        assert_eq!(picks(&mut tg, 1, secs(0), 0), vec![Pick::NoTarget]);
        // Beside an unhealthy one, the group fails open over the unhealthy one only.
        add_healthy(&mut tg, 1, 0, secs(0));
        make_unhealthy(&mut tg, 1, secs(30));
        assert_eq!(picks(&mut tg, 2, secs(40), 0), vec![Pick::FailOpen(task(1)); 2]);
    }

    #[test]
    fn no_target_when_none_registered_or_all_draining() {
        let mut tg = group(Algorithm::RoundRobin);
        assert_eq!(picks(&mut tg, 1, secs(0), 0), vec![Pick::NoTarget]);
        assert!(tg.shares(secs(0)).is_empty());
        add_healthy(&mut tg, 0, 0, secs(0));
        add_healthy(&mut tg, 1, 0, secs(0));
        tg.deregister(task(0), secs(10));
        tg.deregister(task(1), secs(10));
        assert_eq!(picks(&mut tg, 1, secs(20), 0), vec![Pick::NoTarget]);
        assert!(tg.shares(secs(20)).is_empty());
        assert_eq!(tg.served_fraction(&[zone(0)]), 0.0);
    }

    #[test]
    fn a_draining_target_gets_no_picks_and_drains_for_the_delay() {
        for algorithm in [Algorithm::RoundRobin, Algorithm::LeastOutstandingRequests, Algorithm::WeightedRandom] {
            let mut tg = group(algorithm);
            add_healthy(&mut tg, 0, 0, secs(0));
            add_healthy(&mut tg, 1, 0, secs(0));
            // 60 s + the default 300 s deregistration delay.
            assert_eq!(tg.deregister(task(0), secs(60)), Some(secs(360)));
            let counts = tally(&picks(&mut tg, 100, secs(61), 0), 2);
            assert_eq!(counts, vec![0, 100], "{algorithm:?}");
        }
    }

    fn slow_start_group(algorithm: Algorithm) -> TargetGroup {
        TargetGroup::new(TargetGroupConfig {
            algorithm,
            slow_start: SimDuration::from_secs(100),
            ..TargetGroupConfig::default()
        })
    }

    #[test]
    fn the_only_healthy_target_gets_no_slow_start() {
        let mut tg = slow_start_group(Algorithm::RoundRobin);
        add_healthy(&mut tg, 0, 0, secs(0));
        // No other healthy target when it became healthy: no ramp, full share at once.
        assert_eq!(tg.target(task(0)).and_then(|t| t.slow_start_until), None);
        assert_eq!(tg.shares(secs(1)), vec![(task(0), 1.0)]);
    }

    #[test]
    fn slow_start_ramps_a_newcomer_linearly() {
        let mut tg = slow_start_group(Algorithm::RoundRobin);
        add_healthy(&mut tg, 0, 0, secs(0));
        add_healthy(&mut tg, 1, 0, secs(10));
        // Task 1 ramps from 10 s to 110 s; at 60 s it is halfway: weight 500 against 1000,
        // shares 1000/1500 = ⅔ and 500/1500 = ⅓, half of a full target's.
        let shares = tg.shares(secs(60));
        assert!((shares[0].1 - 2.0 / 3.0).abs() < 1e-12, "{shares:?}");
        assert!((shares[1].1 / shares[0].1 - 0.5).abs() < 1e-12, "{shares:?}");
        // Smooth weighted round robin at 60 s: weights 2:1, 1500 picks → exactly 1000 and 500.
        let counts = tally(&picks(&mut tg, 1500, secs(60), 0), 2);
        assert_eq!(counts, vec![1000, 500]);
        // At 110 s the ramp is over: equal shares, plain round robin.
        assert_eq!(tg.shares(secs(110)), vec![(task(0), 0.5), (task(1), 0.5)]);
        let counts = tally(&picks(&mut tg, 10, secs(110), 0), 2);
        assert_eq!(counts, vec![5, 5]);
    }

    #[test]
    fn a_target_is_not_picked_at_the_instant_its_ramp_starts() {
        let mut tg = slow_start_group(Algorithm::RoundRobin);
        add_healthy(&mut tg, 0, 0, secs(0));
        add_healthy(&mut tg, 1, 0, secs(10));
        // At 10 s task 1's weight is 1000 × 0/100 = 0.
        let counts = tally(&picks(&mut tg, 5, secs(10), 0), 2);
        assert_eq!(counts, vec![5, 0]);
    }

    #[test]
    fn weighted_random_follows_slow_start_weights() {
        let mut tg = slow_start_group(Algorithm::WeightedRandom);
        add_healthy(&mut tg, 0, 0, secs(0));
        add_healthy(&mut tg, 1, 0, secs(10));
        let counts = tally(&picks(&mut tg, 10_000, secs(60), 0), 2);
        // P(task 1) = 500/1500 = ⅓: mean 3333, sd √(10000·⅓·⅔) ≈ 47; ±250 is over 5 sd.
        assert!((3083..=3583).contains(&counts[1]), "{counts:?}");
    }

    #[test]
    fn least_outstanding_ignores_slow_start() {
        let mut tg = slow_start_group(Algorithm::LeastOutstandingRequests);
        add_healthy(&mut tg, 0, 0, secs(0));
        add_healthy(&mut tg, 1, 0, secs(10));
        // No ramp under LOR: equal shares at once.
        assert_eq!(tg.target(task(1)).and_then(|t| t.slow_start_until), None);
        assert_eq!(tg.shares(secs(11)), vec![(task(0), 0.5), (task(1), 0.5)]);
    }

    fn zonal_group() -> TargetGroup {
        let mut tg = TargetGroup::new(TargetGroupConfig { cross_zone: false, ..TargetGroupConfig::default() });
        // Zone 0: tasks 0 and 1; zone 1: task 2; zone 2: none.
        add_healthy(&mut tg, 0, 0, secs(0));
        add_healthy(&mut tg, 1, 0, secs(0));
        add_healthy(&mut tg, 2, 1, secs(0));
        tg
    }

    #[test]
    fn cross_zone_off_keeps_requests_in_their_zone() {
        let mut tg = zonal_group();
        assert_eq!(picks(&mut tg, 1, secs(1), 2), vec![Pick::NoTarget]);
        let got = picks(&mut tg, 4, secs(1), 0);
        assert_eq!(got, [0, 1, 0, 1].map(|n| Pick::Target(task(n))).to_vec());
        assert_eq!(picks(&mut tg, 2, secs(1), 1), vec![Pick::Target(task(2)); 2]);
        // Two of three zones hold a target.
        assert!((tg.served_fraction(&[zone(0), zone(1), zone(2)]) - 2.0 / 3.0).abs() < 1e-12);
        // Served clients: ½ per zone with targets, zone 0's half split in two.
        let want = vec![(task(0), 0.25), (task(1), 0.25), (task(2), 0.5)];
        assert_eq!(tg.shares(secs(1)), want);
    }

    #[test]
    fn each_zone_node_keeps_its_own_round_robin() {
        let mut tg = zonal_group();
        let mut rng = rng();
        // Requests alternate zone 0, zone 1: zone 0 must still cycle 0, 1, 0, 1.
        let mut zone0 = Vec::new();
        for _ in 0..4 {
            zone0.push(tg.pick(secs(1), zone(0), &mut rng));
            tg.pick(secs(1), zone(1), &mut rng);
        }
        assert_eq!(zone0, [0, 1, 0, 1].map(|n| Pick::Target(task(n))).to_vec());
    }

    #[test]
    fn a_zone_with_only_unhealthy_targets_answers_503_while_others_are_healthy() {
        let mut tg = zonal_group();
        make_unhealthy(&mut tg, 2, secs(30));
        // Group-wide some target is healthy, so no fail open: zone 1 has nothing routable.
        assert_eq!(picks(&mut tg, 1, secs(40), 1), vec![Pick::NoTarget]);
        assert!((tg.served_fraction(&[zone(0), zone(1)]) - 0.5).abs() < 1e-12);
    }

    #[test]
    fn shares_sum_to_one() {
        let mut tg = slow_start_group(Algorithm::RoundRobin);
        for n in 0..7 {
            add_healthy(&mut tg, n, n % 3, secs(n as u64 * 13));
        }
        tg.register(task(7), zone(1), secs(50));
        make_unhealthy(&mut tg, 3, secs(60));
        tg.deregister(task(5), secs(60));
        // Ramps, an unhealthy, an initial and a draining target: still a distribution.
        let shares = tg.shares(secs(70));
        assert!((share_sum(&shares) - 1.0).abs() < 1e-12, "{shares:?}");
        assert!(shares.iter().all(|(_, s)| (0.0..=1.0).contains(s)));
        tg.config.cross_zone = false;
        let shares = tg.shares(secs(70));
        assert!((share_sum(&shares) - 1.0).abs() < 1e-12, "{shares:?}");
    }
}
