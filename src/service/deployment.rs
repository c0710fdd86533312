//! Service deployments (aws-behaviour.md §6.4, §6.5, §6a): the deployment configuration — its
//! strategy, its bounds with AWS's rounding, its circuit breaker — and the record of each
//! deployment a service goes through.

use crate::engine::{SimDuration, SimTime};
use crate::ids::{AlarmId, TargetGroupId, TaskDefId};

use super::SchedulingStrategy;

/// `deploymentConfiguration.strategy`: how a deployment replaces the service's tasks (see
/// `service::rollout`, where each strategy plugs in).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum DeploymentStrategy {
    /// `ROLLING`: tasks of the new deployment replace the old ones within the configuration's
    /// minimum healthy and maximum percent.
    #[default]
    Rolling,
    /// `BLUE_GREEN`: the new (green) revision scales up beside the old (blue) one on the
    /// service's alternate target group, all production traffic shifts to it at once, and blue
    /// is stopped after the bake time.
    BlueGreen,
    /// `CANARY`: `percent` of production traffic shifts first, the rest after `bake_time`.
    Canary { percent: f64, bake_time: SimDuration },
    /// `LINEAR`: `step_percent` more of production traffic shifts every `step_bake_time`.
    Linear { step_percent: f64, step_bake_time: SimDuration },
}

impl DeploymentStrategy {
    /// `canaryConfiguration`'s defaults (aws-behaviour.md §6a): 5 % for 10 minutes.
    pub const CANARY_PERCENT: f64 = 5.0;
    pub const CANARY_BAKE_TIME: SimDuration = SimDuration::from_secs(600);
    /// `linearConfiguration`'s defaults: 10 % every 6 minutes.
    pub const LINEAR_STEP_PERCENT: f64 = 10.0;
    pub const LINEAR_STEP_BAKE_TIME: SimDuration = SimDuration::from_secs(360);

    /// ECS's name of the strategy.
    pub fn as_str(self) -> &'static str {
        match self {
            DeploymentStrategy::Rolling => "ROLLING",
            DeploymentStrategy::BlueGreen => "BLUE_GREEN",
            DeploymentStrategy::Canary { .. } => "CANARY",
            DeploymentStrategy::Linear { .. } => "LINEAR",
        }
    }

    /// Whether the strategy shifts production traffic between two target groups.
    pub fn shifts_traffic(self) -> bool {
        !matches!(self, DeploymentStrategy::Rolling)
    }

    /// The share of production traffic on the new revision after the shift that follows
    /// `current` (percent), and how long to wait before the next one (`None`: this shift reaches
    /// 100 %, the bake time follows).
    pub fn next_shift(self, current: f64) -> (f64, Option<SimDuration>) {
        let (to, wait) = match self {
            DeploymentStrategy::Rolling | DeploymentStrategy::BlueGreen => (100.0, SimDuration::ZERO),
            DeploymentStrategy::Canary { percent, bake_time } if current < percent => (percent, bake_time),
            DeploymentStrategy::Canary { .. } => (100.0, SimDuration::ZERO),
            DeploymentStrategy::Linear { step_percent, step_bake_time } => {
                // In tenths of a percent, so that ten steps of 10.0 make exactly 100.
                let tenths = ((current + step_percent) * 10.0).round().min(1000.0);
                (tenths / 10.0, step_bake_time)
            }
        };
        (to, (to < 100.0).then_some(wait))
    }
}

/// `deploymentConfiguration.alarms`: CloudWatch alarms whose ALARM state fails a deployment in
/// progress (during its bake time too), and rolls it back when `rollback`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeploymentAlarms {
    pub alarms: Vec<AlarmId>,
    pub rollback: bool,
}

/// `deploymentConfiguration`. Its bounds are the configuration's, not the rolling strategy's:
/// ECS applies them also to replacing unhealthy tasks and to tasks on DRAINING instances.
#[derive(Clone, Debug, PartialEq)]
pub struct DeploymentConfiguration {
    pub strategy: DeploymentStrategy,
    pub minimum_healthy_percent: u32,
    pub maximum_percent: u32,
    /// `deploymentCircuitBreaker` when enabled: `Some(rollback)` (rolling updates only).
    pub circuit_breaker: Option<CircuitBreaker>,
    /// `bakeTimeInMinutes`: how long both revisions run once all production traffic is on the
    /// new one, before the old one is stopped (traffic-shifting strategies).
    pub bake_time: SimDuration,
    /// `alarms`, when enabled.
    pub alarms: Option<DeploymentAlarms>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CircuitBreaker {
    /// Roll back to the last completed deployment when the breaker trips.
    pub rollback: bool,
}

impl DeploymentConfiguration {
    /// AWS's defaults: 100/200 for REPLICA services, 0/100 for DAEMON services.
    pub fn default_for(strategy: SchedulingStrategy) -> Self {
        let (minimum_healthy_percent, maximum_percent) = match strategy {
            SchedulingStrategy::Replica => (100, 200),
            SchedulingStrategy::Daemon => (0, 100),
        };
        DeploymentConfiguration {
            strategy: DeploymentStrategy::Rolling,
            minimum_healthy_percent,
            maximum_percent,
            circuit_breaker: None,
            bake_time: SimDuration::ZERO,
            alarms: None,
        }
    }

    /// Tasks that must stay healthy during a deployment: `ceil(desired × minimum% / 100)`.
    pub fn min_healthy_tasks(&self, desired: u32) -> u32 {
        (u64::from(desired) * u64::from(self.minimum_healthy_percent)).div_ceil(100) as u32
    }

    /// Tasks that may be RUNNING, PENDING or STOPPING at once: `floor(desired × maximum% / 100)`.
    pub fn max_tasks(&self, desired: u32) -> u32 {
        (u64::from(desired) * u64::from(self.maximum_percent) / 100) as u32
    }
}

/// A deployment's `rolloutState`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RolloutState {
    InProgress,
    Completed,
    Failed,
    /// A newer deployment started before this one completed (ECS shows it ACTIVE, then
    /// INACTIVE, with no rollout state of its own).
    Superseded,
}

impl RolloutState {
    pub fn as_str(self) -> &'static str {
        match self {
            RolloutState::InProgress => "IN_PROGRESS",
            RolloutState::Completed => "COMPLETED",
            RolloutState::Failed => "FAILED",
            RolloutState::Superseded => "SUPERSEDED",
        }
    }
}

/// A lifecycle stage of a traffic-shifting deployment (ECS's `lifecycleStage`; the test-traffic
/// stages pass at once: ecsim routes no test traffic).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShiftStage {
    /// The new revision starts its tasks beside the old one, on its own target group.
    ScaleUp,
    /// Production traffic moves to the new revision, step by step; the next step is due at
    /// `Shift::next_at`.
    ProductionTrafficShift,
    /// All production traffic is on the new revision; the old one stops at `Shift::next_at`.
    BakeTime,
    /// The old revision's tasks are stopping; the deployment completes at the steady state.
    CleanUp,
}

impl ShiftStage {
    pub fn as_str(self) -> &'static str {
        match self {
            ShiftStage::ScaleUp => "SCALE_UP",
            ShiftStage::ProductionTrafficShift => "PRODUCTION_TRAFFIC_SHIFT",
            ShiftStage::BakeTime => "BAKE_TIME",
            ShiftStage::CleanUp => "CLEAN_UP",
        }
    }
}

/// A traffic-shifting deployment's progress: from which target group to which, how far.
#[derive(Clone, Debug, PartialEq)]
pub struct Shift {
    /// The production target group, where the old revision's tasks are.
    pub from: TargetGroupId,
    /// Where the new revision's tasks register.
    pub to: TargetGroupId,
    pub stage: ShiftStage,
    /// The percent of production traffic on the new revision now.
    pub percent: f64,
    /// When the current stage's wait is over.
    pub next_at: Option<SimTime>,
    /// Each shift of production traffic: when, and the new revision's percent after it.
    pub shifts: Vec<(SimTime, f64)>,
}

impl Shift {
    pub fn new(from: TargetGroupId, to: TargetGroupId) -> Self {
        Shift { from, to, stage: ShiftStage::ScaleUp, percent: 0.0, next_at: None, shifts: Vec::new() }
    }
}

/// One deployment of a service: a task definition rolled out to the desired count.
#[derive(Clone, Debug, PartialEq)]
pub struct Deployment {
    /// `ecs-svc/<n>`, n counting the service's deployments from 1.
    pub id: String,
    pub task_definition: TaskDefId,
    pub state: RolloutState,
    pub started_at: SimTime,
    /// When it completed, failed or was superseded.
    pub ended_at: Option<SimTime>,
    /// The deployment this one rolls back (after that one's circuit breaker tripped).
    pub rollback_of: Option<String>,
    pub tasks_started: u32,
    /// Tasks of earlier deployments it stopped.
    pub tasks_replaced: u32,
    /// Circuit breaker stage 1: its tasks that stopped before reaching RUNNING.
    pub failed_to_start: u32,
    /// Circuit breaker stage 2: its tasks that failed health checks or exited after RUNNING.
    pub failed_after_running: u32,
    /// One of its tasks has reached RUNNING (the breaker's second stage has begun).
    pub any_running: bool,
    /// The "unable to stop or start tasks" event was said.
    pub blocked_reported: bool,
    /// The target group its tasks register with (`None` without a load balancer).
    pub target_group: Option<TargetGroupId>,
    /// How its traffic shift goes, for a blue/green, canary or linear deployment that replaces
    /// another revision (`None` for a rolling one, a service's first, or a rollback).
    pub shift: Option<Shift>,
}

impl Deployment {
    pub fn new(number: usize, task_definition: TaskDefId, now: SimTime) -> Self {
        Deployment {
            id: format!("ecs-svc/{number}"),
            task_definition,
            state: RolloutState::InProgress,
            started_at: now,
            ended_at: None,
            rollback_of: None,
            tasks_started: 0,
            tasks_replaced: 0,
            failed_to_start: 0,
            failed_after_running: 0,
            any_running: false,
            blocked_reported: false,
            target_group: None,
            shift: None,
        }
    }

    pub fn failures(&self) -> u32 {
        self.failed_to_start + self.failed_after_running
    }

    pub fn end(&mut self, state: RolloutState, now: SimTime) {
        self.state = state;
        self.ended_at = Some(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(min: u32, max: u32) -> DeploymentConfiguration {
        DeploymentConfiguration {
            minimum_healthy_percent: min,
            maximum_percent: max,
            ..DeploymentConfiguration::default_for(SchedulingStrategy::Replica)
        }
    }

    #[test]
    fn each_strategy_shifts_production_traffic_its_way() {
        let min = SimDuration::from_secs(60);
        assert_eq!(DeploymentStrategy::BlueGreen.next_shift(0.0), (100.0, None), "all at once");
        let canary = DeploymentStrategy::Canary { percent: 5.0, bake_time: min };
        assert_eq!(canary.next_shift(0.0), (5.0, Some(min)), "the canary, then its bake time");
        assert_eq!(canary.next_shift(5.0), (100.0, None), "then the rest");
        let linear = DeploymentStrategy::Linear { step_percent: 30.0, step_bake_time: min };
        let mut at = 0.0;
        let mut steps = Vec::new();
        loop {
            let (to, wait) = linear.next_shift(at);
            steps.push(to);
            at = to;
            if wait.is_none() {
                break;
            }
        }
        // 30, 60, 90, then the last step stops at 100 (no bake after it).
        assert_eq!(steps, [30.0, 60.0, 90.0, 100.0]);
        let tenths = DeploymentStrategy::Linear { step_percent: 10.0, step_bake_time: min };
        assert_eq!((0..10).fold(0.0, |p, _| tenths.next_shift(p).0), 100.0, "ten steps of 10.0 make exactly 100");
    }

    #[test]
    fn awss_rounding_examples() {
        // desired 4, min 50: ceil(2) = 2 must stay healthy, so 2 may stop first.
        assert_eq!(4 - config(50, 200).min_healthy_tasks(4), 2);
        // desired 2, min 75: ceil(1.5) = 2 must stay, so none may stop.
        assert_eq!(2 - config(75, 200).min_healthy_tasks(2), 0);
        // desired 4, max 200: floor(8) = 8 at most, 4 extra may start.
        assert_eq!(config(100, 200).max_tasks(4) - 4, 4);
        // desired 3, max 125: floor(3.75) = 3, none extra.
        assert_eq!(config(100, 125).max_tasks(3) - 3, 0);
    }

    #[test]
    fn defaults_per_scheduling_strategy() {
        assert_eq!(DeploymentConfiguration::default_for(SchedulingStrategy::Replica), config(100, 200));
        assert_eq!(DeploymentConfiguration::default_for(SchedulingStrategy::Daemon), config(0, 100));
    }
}
