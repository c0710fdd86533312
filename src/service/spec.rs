//! What a scenario asks of services, standalone tasks and operator actions.

use crate::capacity::{CapacityProvider, Instance, StrategyItem};
use crate::engine::{DurationDist, SimDuration, SimTime};
use crate::ids::{ServiceId, TargetGroupId, TaskDefId};
use crate::placement::{PlacementConstraint, PlacementStrategy};
use crate::traffic::spec::RequestModel;

use super::DeploymentConfiguration;

/// Where tasks run when no capacity provider strategy is given.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum LaunchType {
    Ec2,
    Fargate,
    /// External (ECS Anywhere) instances.
    External,
}

/// The launch type or the capacity provider strategy (mutually exclusive, as in ECS).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CapacitySource {
    LaunchType(LaunchType),
    Strategy(Vec<StrategyItem>),
}

impl CapacitySource {
    /// Whether its tasks run on Fargate (a strategy holds Fargate providers or Auto Scaling group
    /// providers, never both).
    pub fn runs_on_fargate(&self, providers: &[CapacityProvider]) -> bool {
        match self {
            CapacitySource::LaunchType(lt) => *lt == LaunchType::Fargate,
            CapacitySource::Strategy(items) => items.iter().any(|i| providers[i.provider.index()].is_fargate()),
        }
    }

    /// Whether `instance` is part of this capacity: an instance of one of the strategy's
    /// providers, an external instance for EXTERNAL, any EC2 instance otherwise.
    pub fn includes(&self, instance: &Instance) -> bool {
        match self {
            CapacitySource::Strategy(items) => items.iter().any(|s| Some(s.provider) == instance.provider),
            CapacitySource::LaunchType(LaunchType::External) => instance.is_external(),
            CapacitySource::LaunchType(_) => !instance.is_external(),
        }
    }
}

/// `REPLICA` keeps a desired count; `DAEMON` runs one task on every instance that can take it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum SchedulingStrategy {
    Replica,
    Daemon,
}

#[derive(Clone, Debug)]
pub struct ServiceSpec {
    pub name: String,
    pub task_definition: TaskDefId,
    /// The desired count at the start (replica services).
    pub desired_count: u32,
    /// Tasks the run starts with already RUNNING and healthy, as a describe-services snapshot
    /// reports them (`runningCount`); the scheduler then scales to the desired count.
    pub running_count: u32,
    /// Tasks the run starts launching at time 0 (`pendingCount`), whatever the desired count.
    pub pending_count: u32,
    pub scheduling_strategy: SchedulingStrategy,
    pub capacity: CapacitySource,
    /// In ECS's order of evaluation; ECS's default for EC2 services when none is given.
    pub placement_strategy: Vec<PlacementStrategy>,
    pub placement_constraints: Vec<PlacementConstraint>,
    pub deployment: DeploymentConfiguration,
    /// `healthCheckGracePeriodSeconds`: health check failures are ignored this long after a task
    /// reaches RUNNING.
    pub health_check_grace_period: SimDuration,
    /// `availabilityZoneRebalancing` ENABLED: move tasks from crowded zones to empty ones once
    /// steady.
    pub availability_zone_rebalancing: bool,
    /// The target group its tasks register with once RUNNING (its production target group at
    /// the start).
    pub target_group: Option<TargetGroupId>,
    /// `advancedConfiguration.alternateTargetGroupArn`: where a blue/green, canary or linear
    /// deployment's new tasks register; the two swap roles when such a deployment completes.
    pub alternate_target_group: Option<TargetGroupId>,
    /// How each task serves requests.
    pub requests: RequestModel,
}

/// A `tasks:` entry: `count` standalone tasks started at `at` with RunTask.
#[derive(Clone, Debug)]
pub struct RunTaskSpec {
    pub name: String,
    pub task_definition: TaskDefId,
    pub count: u32,
    pub at: SimTime,
    /// How long each task works once RUNNING before its essential container exits; `None`: forever.
    pub run_time: Option<DurationDist>,
    /// The task group (default `family:<task definition>`).
    pub group: String,
    pub capacity: CapacitySource,
    /// RunTask's default is `random`.
    pub placement_strategy: Vec<PlacementStrategy>,
    pub placement_constraints: Vec<PlacementConstraint>,
}

/// Operator actions on the timeline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ActionKind {
    /// `aws ecs update-service --desired-count`.
    UpdateService { service: ServiceId, desired_count: u32 },
    /// `aws ecs update-service --task-definition`: a deployment of a new revision, by the service's
    /// deployment strategy.
    Deploy { service: ServiceId, task_definition: TaskDefId },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Action {
    pub at: SimTime,
    pub kind: ActionKind,
}
