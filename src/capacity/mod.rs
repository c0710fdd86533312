//! Where tasks run: capacity providers (EC2 Auto Scaling groups, Fargate, Fargate Spot), their
//! strategies, and the EC2 container instances of the cluster.

mod fleet;
mod instance;
mod provider;

pub use fleet::{launch_initial_fleet, ExternalFleet};
pub use instance::{Instance, InstanceStatus, AGENT_RESERVED_PORTS, AGENT_VERSION};
pub use provider::{
    choose_provider, AutoScalingGroup, CapacityProvider, ManagedScaling, ProviderKind, StrategyItem, FARGATE,
    FARGATE_SPOT, MAX_PROVISIONING_TASKS,
};
