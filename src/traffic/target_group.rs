//! An ALB target group: its targets' health states and everything routing needs to know about them
//! (aws-behaviour.md §9). Pure state: no World, no events, no I/O. The integrator registers a
//! target when its ECS task reaches RUNNING, feeds a probe result at each health-check time,
//! deregisters it when ECS stops the task, removes it when the drain ends, and asks
//! [`TargetGroup::pick`] (in `routing.rs`) where each request goes.
//!
//! # Health checks
//!
//! A new target is `initial`. It becomes `healthy` after [`InitialChecks`] consecutive passing
//! probes (ecsim's default: **one**, see [`InitialChecks`]), `unhealthy` after
//! `unhealthy_threshold` consecutive failures. A healthy target becomes unhealthy after
//! `unhealthy_threshold` consecutive failures; an unhealthy one healthy again after
//! `healthy_threshold` consecutive passes. Any failure resets the pass streak and any pass the
//! failure streak; a change of state resets both. `interval` and `timeout` are for the integrator:
//! it schedules probes every `interval` and counts a probe slower than `timeout` as failed.
//!
//! # Host counts
//!
//! [`TargetGroup::healthy_count`] and [`TargetGroup::unhealthy_count`] stand for CloudWatch's
//! `HealthyHostCount` and `UnHealthyHostCount`. ecsim counts `healthy` targets in the first and
//! `unhealthy` ones in the second; `initial` and `draining` targets are in neither (AWS's metric
//! docs only say "considered healthy" / "considered unhealthy": **UNVERIFIED**).
//!
//! # Draining
//!
//! [`TargetGroup::deregister`] moves a target to `draining` (from any state) and returns when the
//! drain ends: `now + deregistration_delay`. A draining target gets no new request and its probes
//! are ignored. AWS completes a deregistration at once when the target has nothing in flight, or
//! as soon as its last request ends, and only *shows* it `draining` until the delay is over; the
//! integrator (`targets.rs`) therefore ends the drain then, or at the delay at the latest, fails
//! (502) what is still in flight and calls [`TargetGroup::remove`]. The `draining` display after
//! an early completion is not kept (draining targets are in no host count).
//!
//! # Slow start
//!
//! With `slow_start` > 0, a target that becomes healthy ramps its routing weight linearly from 0
//! to full over `slow_start`, but only if, at that instant, the group holds another healthy target
//! that is not itself in slow start (AWS: "Newly registered targets enter slow start mode only
//! when there is at least one healthy target that is not in slow start mode"). A target
//! registered while the group held no such target — the tasks of a new service registered
//! together on an empty target group, or any registered before one of them is healthy — does
//! not ramp when it first becomes healthy (AWS: targets registered "using a single registration
//! operation" on an empty target group "do not enter slow start mode"; ECS registers each task
//! on its own, so ecsim reads "together" as "before the group had a settled healthy target").
//! A target leaving `healthy` leaves slow start; becoming healthy again starts a new ramp under
//! the first rule. Slow start is never entered under least outstanding requests (AWS rejects
//! that combination; validation does too).

use std::collections::BTreeMap;

use crate::engine::{SimDuration, SimTime};
use crate::ids::{TaskId, ZoneId};

pub use super::group_health::{MinimumHealthyTargets, TargetGroupHealth};
pub use super::health_check::{HealthCheck, HealthCheckPort, InitialChecks};
pub use super::matcher::Matcher;
pub use super::stickiness::Stickiness;

/// How the load balancer spreads requests over the routable targets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Algorithm {
    /// In turn (weighted round robin while a target is in slow start). ALB's default.
    RoundRobin,
    /// To the target with the fewest requests in flight; ties in round-robin order.
    LeastOutstandingRequests,
    /// At random, uniformly or by slow-start weight.
    WeightedRandom,
}

/// A target group's settings. Defaults are ALB's: round robin, the default health check, a 300 s
/// deregistration delay, slow start off, cross-zone on, one initial check (see [`InitialChecks`]).
#[derive(Clone, Debug, PartialEq)]
pub struct TargetGroupConfig {
    pub algorithm: Algorithm,
    pub health_check: HealthCheck,
    /// How long a deregistered target drains before it is removed (AWS: 0-3600 s, default 300 s).
    pub deregistration_delay: SimDuration,
    /// Length of the slow-start ramp; zero turns it off (AWS: 0 or 30-900 s).
    pub slow_start: SimDuration,
    /// Whether a load balancer node routes to targets in every zone or only in its own.
    pub cross_zone: bool,
    pub initial_checks: InitialChecks,
    /// When the group fails open, and when its load balancer fails over in DNS.
    pub target_group_health: TargetGroupHealth,
    /// Sticky sessions (`stickiness.*`): off by default (see [`Stickiness`]).
    pub stickiness: Stickiness,
}

impl Default for TargetGroupConfig {
    fn default() -> Self {
        TargetGroupConfig {
            algorithm: Algorithm::RoundRobin,
            health_check: HealthCheck::default(),
            deregistration_delay: SimDuration::from_secs(300),
            slow_start: SimDuration::ZERO,
            cross_zone: true,
            initial_checks: InitialChecks::One,
            target_group_health: TargetGroupHealth::default(),
            stickiness: Stickiness::Off,
        }
    }
}

/// A target's state, as `describe-target-health` shows it (`unused` and `unavailable` are not
/// modelled: every target group here is in use and health checks are always on).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TargetState {
    Initial,
    Healthy,
    Unhealthy,
    Draining,
}

impl TargetState {
    /// AWS's own word for the state.
    pub fn as_str(self) -> &'static str {
        match self {
            TargetState::Initial => "initial",
            TargetState::Healthy => "healthy",
            TargetState::Unhealthy => "unhealthy",
            TargetState::Draining => "draining",
        }
    }
}

/// Where [`TargetGroup::pick`] sends a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pick {
    /// To a healthy target.
    Target(TaskId),
    /// To a target that is not healthy, because no target of the group is (fail open; counts in
    /// `UnhealthyRoutingRequestCount`).
    FailOpen(TaskId),
    /// Nowhere: the load balancer answers 503.
    NoTarget,
}

/// Consecutive probe results of one kind, the only memory the health-check rules need.
#[derive(Clone, Copy, Debug, Default)]
struct Streaks {
    passes: u32,
    failures: u32,
}

impl Streaks {
    fn observe(&mut self, passed: bool) {
        if passed {
            self.passes = self.passes.saturating_add(1);
            self.failures = 0;
        } else {
            self.failures = self.failures.saturating_add(1);
            self.passes = 0;
        }
    }
}

/// One registered target: an ECS task's IP and port in some zone.
#[derive(Clone, Debug)]
pub struct Target {
    pub task: TaskId,
    pub zone: ZoneId,
    pub state: TargetState,
    /// Requests sent to the target and not finished yet.
    pub outstanding: u32,
    pub registered_at: SimTime,
    /// When the target last became healthy; `None` while it is not healthy.
    pub healthy_since: Option<SimTime>,
    /// End of the slow-start ramp; `None` when the target is not ramping (or never was).
    pub slow_start_until: Option<SimTime>,
    /// When the drain ends; `Some` exactly while draining.
    pub drain_ends: Option<SimTime>,
    /// Registered while the group had no healthy target out of slow start: its first turn to
    /// healthy skips the ramp (see the module docs).
    joined_empty: bool,
    streaks: Streaks,
    /// Smooth weighted round robin's running credit (see `routing.rs`).
    pub(super) credit: i64,
}

impl Target {
    /// Healthy and still ramping up at `now`.
    pub fn in_slow_start(&self, now: SimTime) -> bool {
        self.slow_start_until.is_some_and(|until| now < until)
    }
}

/// Number of targets in each state, kept up to date so routing decides fail-open in O(1).
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct StateCounts {
    pub(super) initial: u32,
    pub(super) healthy: u32,
    pub(super) unhealthy: u32,
    pub(super) draining: u32,
}

impl StateCounts {
    fn slot(&mut self, state: TargetState) -> &mut u32 {
        match state {
            TargetState::Initial => &mut self.initial,
            TargetState::Healthy => &mut self.healthy,
            TargetState::Unhealthy => &mut self.unhealthy,
            TargetState::Draining => &mut self.draining,
        }
    }

    fn add(&mut self, state: TargetState) {
        *self.slot(state) += 1;
    }

    fn sub(&mut self, state: TargetState) {
        let n = self.slot(state);
        *n = n.saturating_sub(1);
    }
}

/// A target group: its targets in registration order and the routing state of its load
/// balancer nodes.
#[derive(Clone, Debug)]
pub struct TargetGroup {
    pub(super) config: TargetGroupConfig,
    /// Registration order; removal (rare) shifts the tail.
    pub(super) targets: Vec<Target>,
    /// Position of each task in `targets`: request bookkeeping is per request, so O(log n).
    index: BTreeMap<TaskId, usize>,
    pub(super) counts: StateCounts,
    /// Round-robin position of each load balancer node: one shared slot (0) with cross-zone on,
    /// one per client zone (by zone index) with it off, as each AWS node routes on its own.
    pub(super) cursors: Vec<usize>,
    /// The latest slow-start end ever set: before it some target may be ramping, after it none
    /// is, and round robin takes its O(1) path.
    pub(super) slow_start_horizon: SimTime,
}

impl TargetGroup {
    pub fn new(config: TargetGroupConfig) -> Self {
        TargetGroup {
            config,
            targets: Vec::new(),
            index: BTreeMap::new(),
            counts: StateCounts::default(),
            cursors: Vec::new(),
            slow_start_horizon: SimTime::ZERO,
        }
    }

    pub fn config(&self) -> &TargetGroupConfig {
        &self.config
    }

    /// Registers `task` as a new `initial` target; a task already registered is left as it is
    /// (ECS never registers one task twice).
    pub fn register(&mut self, task: TaskId, zone: ZoneId, now: SimTime) {
        if self.index.contains_key(&task) {
            return;
        }
        let joined_empty = !self.has_settled_healthy_target(usize::MAX, now);
        self.index.insert(task, self.targets.len());
        self.counts.add(TargetState::Initial);
        self.targets.push(Target {
            task,
            zone,
            state: TargetState::Initial,
            outstanding: 0,
            registered_at: now,
            healthy_since: None,
            slow_start_until: None,
            drain_ends: None,
            joined_empty,
            streaks: Streaks::default(),
            credit: 0,
        });
    }

    /// Starts draining; returns when the drain ends (now + deregistration delay), None if not
    /// registered or already draining.
    pub fn deregister(&mut self, task: TaskId, now: SimTime) -> Option<SimTime> {
        let i = self.position(task)?;
        if self.targets[i].state == TargetState::Draining {
            return None;
        }
        let ends = now + self.config.deregistration_delay;
        self.set_state(i, TargetState::Draining, now);
        self.targets[i].drain_ends = Some(ends);
        Some(ends)
    }

    /// Forgets the target (drain over, or the task vanished); its outstanding count is the integrator's problem.
    pub fn remove(&mut self, task: TaskId) {
        let Some(i) = self.index.remove(&task) else {
            return;
        };
        let gone = self.targets.remove(i);
        self.counts.sub(gone.state);
        for position in self.index.values_mut().filter(|p| **p > i) {
            *position -= 1;
        }
        for cursor in self.cursors.iter_mut().filter(|c| **c > i) {
            *cursor -= 1;
        }
    }

    /// A health-check probe's result; returns (old, new) when the state changed. Probes of a
    /// draining or unknown target are ignored.
    pub fn record_probe(&mut self, task: TaskId, passed: bool, now: SimTime) -> Option<(TargetState, TargetState)> {
        let i = self.position(task)?;
        let target = &mut self.targets[i];
        target.streaks.observe(passed);
        let (old, streaks) = (target.state, target.streaks);
        let new = self.next_state(old, streaks);
        if new == old {
            return None;
        }
        self.targets[i].streaks = Streaks::default();
        self.set_state(i, new, now);
        Some((old, new))
    }

    /// One more request sent to `task` (outstanding += 1); no-op for an unknown target.
    pub fn request_started(&mut self, task: TaskId) {
        if let Some(i) = self.position(task) {
            let target = &mut self.targets[i];
            target.outstanding = target.outstanding.saturating_add(1);
        }
    }

    /// A request of `task` finished (outstanding -= 1, saturating); no-op if removed.
    pub fn request_finished(&mut self, task: TaskId) {
        if let Some(i) = self.position(task) {
            let target = &mut self.targets[i];
            target.outstanding = target.outstanding.saturating_sub(1);
        }
    }

    pub fn target(&self, task: TaskId) -> Option<&Target> {
        self.position(task).map(|i| &self.targets[i])
    }

    /// Every registered target (draining ones included), in registration order.
    pub fn targets(&self) -> impl Iterator<Item = &Target> {
        self.targets.iter()
    }

    /// CloudWatch `HealthyHostCount`: targets in `healthy` (see the module docs).
    pub fn healthy_count(&self) -> u32 {
        self.counts.healthy
    }

    /// CloudWatch `UnHealthyHostCount`: targets in `unhealthy`; `initial` and `draining` are not
    /// counted (see the module docs).
    pub fn unhealthy_count(&self) -> u32 {
        self.counts.unhealthy
    }

    fn position(&self, task: TaskId) -> Option<usize> {
        self.index.get(&task).copied()
    }

    /// The state the health-check rules give a target in `state` after `streaks`.
    fn next_state(&self, state: TargetState, streaks: Streaks) -> TargetState {
        let hc = &self.config.health_check;
        let to_fall = hc.unhealthy_threshold.max(1);
        let to_rise = hc.healthy_threshold.max(1);
        let first_rise = match self.config.initial_checks {
            InitialChecks::One => 1,
            InitialChecks::HealthyThreshold => to_rise,
        };
        match state {
            TargetState::Draining => TargetState::Draining,
            TargetState::Initial if streaks.passes >= first_rise => TargetState::Healthy,
            TargetState::Unhealthy if streaks.passes >= to_rise => TargetState::Healthy,
            TargetState::Initial | TargetState::Healthy if streaks.failures >= to_fall => TargetState::Unhealthy,
            _ => state,
        }
    }

    /// Moves target `i` to `new`, keeping the counts and the healthy/slow-start fields in step.
    fn set_state(&mut self, i: usize, new: TargetState, now: SimTime) {
        let old = self.targets[i].state;
        self.counts.sub(old);
        self.counts.add(new);
        self.targets[i].state = new;
        if new == TargetState::Healthy {
            self.become_healthy(i, now);
        } else {
            let target = &mut self.targets[i];
            target.healthy_since = None;
            target.slow_start_until = None;
        }
    }

    fn become_healthy(&mut self, i: usize, now: SimTime) {
        self.targets[i].healthy_since = Some(now);
        let joined_empty = std::mem::take(&mut self.targets[i].joined_empty);
        let ramps = !self.config.slow_start.is_zero()
            && self.config.algorithm != Algorithm::LeastOutstandingRequests
            && !joined_empty
            && self.has_settled_healthy_target(i, now);
        if !ramps {
            self.targets[i].slow_start_until = None;
            return;
        }
        let until = now + self.config.slow_start;
        self.targets[i].slow_start_until = Some(until);
        self.slow_start_horizon = self.slow_start_horizon.max(until);
        // Weights change from here on: weighted round robin starts from fresh credits.
        for target in &mut self.targets {
            target.credit = 0;
        }
    }

    /// Whether a healthy target other than `i` is out of slow start at `now`.
    fn has_settled_healthy_target(&self, i: usize, now: SimTime) -> bool {
        self.targets.iter().enumerate().any(|(j, t)| j != i && t.state == TargetState::Healthy && !t.in_slow_start(now))
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    pub(in crate::traffic) fn secs(s: u64) -> SimTime {
        SimTime::ZERO + SimDuration::from_secs(s)
    }

    pub(in crate::traffic) fn task(n: usize) -> TaskId {
        TaskId::from_index(n)
    }

    pub(in crate::traffic) fn zone(n: usize) -> ZoneId {
        ZoneId::from_index(n)
    }

    fn group_with(initial_checks: InitialChecks) -> TargetGroup {
        TargetGroup::new(TargetGroupConfig { initial_checks, ..TargetGroupConfig::default() })
    }

    /// Feeds `n` probes of one result 30 s apart from `start`, returning the last change.
    fn probes(tg: &mut TargetGroup, t: TaskId, passed: bool, n: u64, start: u64) -> Option<(TargetState, TargetState)> {
        let mut last = None;
        for k in 0..n {
            if let Some(change) = tg.record_probe(t, passed, secs(start + 30 * k)) {
                last = Some(change);
            }
        }
        last
    }

    #[test]
    fn defaults_are_albs() {
        let c = TargetGroupConfig::default();
        // 30 s interval, 5 s timeout, 5 to rise, 2 to fall, 300 s drain, slow start off.
        assert_eq!(c.health_check.interval, SimDuration::from_secs(30));
        assert_eq!(c.health_check.timeout, SimDuration::from_secs(5));
        assert_eq!(c.health_check.healthy_threshold, 5);
        assert_eq!(c.health_check.unhealthy_threshold, 2);
        assert_eq!(c.deregistration_delay, SimDuration::from_secs(300));
        assert!(c.slow_start.is_zero());
        assert!(c.cross_zone);
        assert_eq!(c.algorithm, Algorithm::RoundRobin);
        assert_eq!(c.initial_checks, InitialChecks::One);
    }

    #[test]
    fn a_new_target_is_initial_and_one_pass_makes_it_healthy_by_default() {
        let mut tg = group_with(InitialChecks::One);
        tg.register(task(0), zone(0), secs(0));
        assert_eq!(tg.target(task(0)).map(|t| t.state), Some(TargetState::Initial));
        // InitialChecks::One: the first passing probe, at 10 s, is enough.
        let change = tg.record_probe(task(0), true, secs(10));
        assert_eq!(change, Some((TargetState::Initial, TargetState::Healthy)));
        assert_eq!(tg.target(task(0)).and_then(|t| t.healthy_since), Some(secs(10)));
    }

    #[test]
    fn with_healthy_threshold_a_new_target_needs_five_passes() {
        let mut tg = group_with(InitialChecks::HealthyThreshold);
        tg.register(task(0), zone(0), secs(0));
        // Four passes (0, 30, 60, 90 s) are one short of the threshold of 5.
        assert_eq!(probes(&mut tg, task(0), true, 4, 0), None);
        // The fifth, at 120 s, makes it healthy.
        let change = tg.record_probe(task(0), true, secs(120));
        assert_eq!(change, Some((TargetState::Initial, TargetState::Healthy)));
    }

    #[test]
    fn an_initial_target_failing_twice_becomes_unhealthy() {
        let mut tg = group_with(InitialChecks::HealthyThreshold);
        tg.register(task(0), zone(0), secs(0));
        // unhealthy_threshold = 2 consecutive failures.
        let change = probes(&mut tg, task(0), false, 2, 0);
        assert_eq!(change, Some((TargetState::Initial, TargetState::Unhealthy)));
    }

    #[test]
    fn healthy_becomes_unhealthy_after_two_failures() {
        let mut tg = group_with(InitialChecks::One);
        tg.register(task(0), zone(0), secs(0));
        tg.record_probe(task(0), true, secs(0));
        // One failure is below the threshold of 2...
        assert_eq!(tg.record_probe(task(0), false, secs(30)), None);
        // ...the second makes it unhealthy.
        let change = tg.record_probe(task(0), false, secs(60));
        assert_eq!(change, Some((TargetState::Healthy, TargetState::Unhealthy)));
        assert_eq!(tg.target(task(0)).and_then(|t| t.healthy_since), None);
    }

    #[test]
    fn a_failure_resets_the_pass_streak_of_an_unhealthy_target() {
        let mut tg = group_with(InitialChecks::One);
        tg.register(task(0), zone(0), secs(0));
        probes(&mut tg, task(0), false, 2, 0);
        // 4 passes, a failure, then 4 more passes: never 5 in a row, still unhealthy.
        assert_eq!(probes(&mut tg, task(0), true, 4, 60), None);
        assert_eq!(tg.record_probe(task(0), false, secs(180)), None);
        assert_eq!(probes(&mut tg, task(0), true, 4, 210), None);
        // The fifth consecutive pass (at 330 s) brings it back.
        let change = tg.record_probe(task(0), true, secs(330));
        assert_eq!(change, Some((TargetState::Unhealthy, TargetState::Healthy)));
    }

    #[test]
    fn host_counts_leave_out_initial_and_draining() {
        let mut tg = group_with(InitialChecks::One);
        for n in 0..4 {
            tg.register(task(n), zone(0), secs(0));
        }
        tg.record_probe(task(0), true, secs(1));
        tg.record_probe(task(1), true, secs(1));
        probes(&mut tg, task(2), false, 2, 1);
        tg.deregister(task(1), secs(100));
        // task 0 healthy, 1 draining, 2 unhealthy, 3 initial: one of each counted kind.
        assert_eq!(tg.healthy_count(), 1);
        assert_eq!(tg.unhealthy_count(), 1);
        tg.remove(task(2));
        assert_eq!(tg.unhealthy_count(), 0);
    }

    #[test]
    fn deregister_returns_the_drain_end_once_and_ignores_later_probes() {
        let mut tg = group_with(InitialChecks::One);
        tg.register(task(0), zone(0), secs(0));
        tg.record_probe(task(0), true, secs(1));
        // 100 s + the default 300 s delay.
        assert_eq!(tg.deregister(task(0), secs(100)), Some(secs(400)));
        assert_eq!(tg.deregister(task(0), secs(110)), None);
        assert_eq!(tg.deregister(task(9), secs(110)), None);
        assert_eq!(probes(&mut tg, task(0), false, 3, 120), None);
        let t = tg.target(task(0));
        assert_eq!(t.map(|t| t.state.as_str()), Some("draining"));
        assert_eq!(t.and_then(|t| t.drain_ends), Some(secs(400)));
    }

    #[test]
    fn outstanding_counts_saturate_and_survive_removal_of_others() {
        let mut tg = group_with(InitialChecks::One);
        tg.register(task(0), zone(0), secs(0));
        tg.register(task(1), zone(0), secs(0));
        tg.request_started(task(1));
        tg.request_started(task(1));
        tg.request_finished(task(0));
        tg.remove(task(0));
        tg.request_finished(task(0));
        // task 1: +1 +1 = 2; task 0's finish saturated at 0 and is a no-op once removed.
        assert_eq!(tg.target(task(1)).map(|t| t.outstanding), Some(2));
        assert!(tg.target(task(0)).is_none());
        let order: Vec<TaskId> = tg.targets().map(|t| t.task).collect();
        assert_eq!(order, vec![task(1)]);
    }

    #[test]
    fn targets_registered_together_on_an_empty_group_skip_slow_start_but_a_later_one_ramps() {
        let mut tg = TargetGroup::new(TargetGroupConfig {
            slow_start: SimDuration::from_secs(100),
            ..TargetGroupConfig::default()
        });
        // Three targets registered at 0 s, before any is healthy; they pass at 2, 5 and 9 s.
        for n in 0..3 {
            tg.register(task(n), zone(0), secs(0));
        }
        for (n, at) in [(0, 2), (1, 5), (2, 9)] {
            tg.record_probe(task(n), true, secs(at));
        }
        // None ramps: equal thirds at once.
        assert!((0..3).all(|n| tg.target(task(n)).and_then(|t| t.slow_start_until).is_none()));
        assert_eq!(tg.shares(secs(10)).iter().map(|(_, s)| (s * 3.0).round()).collect::<Vec<_>>(), [1.0; 3]);
        // A target registered at 20 s, once the group has settled healthy targets, ramps.
        tg.register(task(3), zone(0), secs(20));
        tg.record_probe(task(3), true, secs(20));
        assert_eq!(tg.target(task(3)).and_then(|t| t.slow_start_until), Some(secs(120)));
    }
}
