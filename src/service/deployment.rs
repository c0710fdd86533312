//! Service deployments (aws-behaviour.md §6.4, §6.5, §6a): the deployment configuration — its
//! strategy, its bounds with AWS's rounding, its circuit breaker — and the record of each
//! deployment a service goes through.

use crate::engine::SimTime;
use crate::ids::TaskDefId;

use super::SchedulingStrategy;

/// `deploymentConfiguration.strategy`: how a deployment replaces the service's tasks (see
/// `service::rollout`, where each strategy plugs in).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DeploymentStrategy {
    /// `ROLLING`: tasks of the new deployment replace the old ones within the configuration's
    /// minimum healthy and maximum percent.
    #[default]
    Rolling,
}

/// `deploymentConfiguration`. Its bounds are the configuration's, not the rolling strategy's:
/// ECS applies them also to replacing unhealthy tasks and to tasks on DRAINING instances.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeploymentConfiguration {
    pub strategy: DeploymentStrategy,
    pub minimum_healthy_percent: u32,
    pub maximum_percent: u32,
    /// `deploymentCircuitBreaker` when enabled: `Some(rollback)`.
    pub circuit_breaker: Option<CircuitBreaker>,
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
            strategy: DeploymentStrategy::Rolling,
            minimum_healthy_percent: min,
            maximum_percent: max,
            circuit_breaker: None,
        }
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
