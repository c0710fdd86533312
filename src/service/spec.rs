//! What a scenario asks of a service.

use crate::capacity::StrategyItem;
use crate::sim::ids::TaskDefId;

/// Where a service's tasks run when no capacity provider strategy is given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LaunchType {
    Ec2,
    Fargate,
}

/// The launch type or the capacity provider strategy of a service (mutually exclusive, as in ECS).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CapacitySource {
    LaunchType(LaunchType),
    Strategy(Vec<StrategyItem>),
}

#[derive(Clone, Debug)]
pub struct ServiceSpec {
    pub name: String,
    pub task_definition: TaskDefId,
    pub desired_count: u32,
    pub capacity: CapacitySource,
}
