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

use rustc_hash::FxHashMap;

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
    /// Requests sent to the target and not finished yet, counted under least outstanding
    /// requests only: the one algorithm that reads it (0 under the others, which then skip a
    /// lookup of the target twice a request).
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
    /// Position of each task in `targets`: request bookkeeping is per request, so a hash
    /// lookup. Never iterated (its order is the hasher's), only looked up and rebuilt.
    #[allow(clippy::disallowed_types, reason = "looked up by task only, never iterated: no order to leak")]
    index: FxHashMap<TaskId, usize>,
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
            index: FxHashMap::default(),
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

    /// Registers a target already in service when the run begins (a snapshot's task): HEALTHY
    /// at once, with no slow start (it was never new to the group).
    pub fn register_in_service(&mut self, task: TaskId, zone: ZoneId, now: SimTime) {
        self.register(task, zone, now);
        let Some(i) = self.position(task) else { return };
        if self.targets[i].state == TargetState::Initial {
            self.targets[i].joined_empty = true;
            self.set_state(i, TargetState::Healthy, now);
        }
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
        for (position, target) in self.targets.iter().enumerate().skip(i) {
            self.index.insert(target.task, position);
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

    /// One more request sent to `task` (outstanding += 1); no-op for an unknown target, or
    /// when the algorithm does not read the count.
    pub fn request_started(&mut self, task: TaskId) {
        if let Some(count) = self.outstanding_mut(task) {
            *count = count.saturating_add(1);
        }
    }

    /// A request of `task` finished (outstanding -= 1, saturating); no-op if removed, or when
    /// the algorithm does not read the count.
    pub fn request_finished(&mut self, task: TaskId) {
        if let Some(count) = self.outstanding_mut(task) {
            *count = count.saturating_sub(1);
        }
    }

    /// The outstanding count of `task`'s target, where it is kept: under least outstanding
    /// requests, which routes by it (a group's algorithm never changes during a run), and for a
    /// registered target.
    fn outstanding_mut(&mut self, task: TaskId) -> Option<&mut u32> {
        if self.config.algorithm != Algorithm::LeastOutstandingRequests {
            return None;
        }
        let i = self.position(task)?;
        Some(&mut self.targets[i].outstanding)
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
#[path = "target_group_tests.rs"]
pub(super) mod tests;
