//! A breakdown: what a metrics row sums up, counted by one dimension at a time (a service's tasks
//! by status, zone, capacity provider and task definition; the cluster's instances by zone,
//! capacity provider and purchase option). It is breakdown.csv's long format, one
//! `(dimension, key, value)` per count that is not zero, so it grows with what exists, not with
//! every zone or reason that might.

use crate::engine::SimTime;

/// What a count is broken down by. The names are breakdown.csv's `dimension` column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Dimension {
    /// A service's tasks by `lastStatus` (not STOPPED), e.g. `PROVISIONING`.
    Status,
    /// A service's tasks that are not STOPPED, by Availability Zone (tasks still waiting for an
    /// instance are in none and not counted).
    Zone,
    /// A service's tasks that are not STOPPED, by capacity provider (`FARGATE`, `FARGATE_SPOT` or a
    /// provider's name; the launch type `EC2` or `FARGATE` without a provider).
    CapacityProvider,
    /// A service's tasks that are not STOPPED, by task definition (the revision a deployment runs).
    TaskDefinition,
    /// A service's tasks that reached STOPPED in the interval ending at the row, by stopped reason.
    Stopped,
    /// The cluster's registered container instances by Availability Zone.
    InstancesZone,
    /// The cluster's registered container instances by capacity provider.
    InstancesCapacityProvider,
    /// The cluster's registered container instances by purchase option (`on-demand`, `spot`).
    InstancesPurchaseOption,
    /// The cluster's Fargate tasks (services' and standalone) that are not STOPPED, by capacity
    /// provider (`FARGATE`, `FARGATE_SPOT`).
    FargateTasks,
}

impl Dimension {
    pub const ALL: [Dimension; 9] = [
        Dimension::Status,
        Dimension::Zone,
        Dimension::CapacityProvider,
        Dimension::TaskDefinition,
        Dimension::Stopped,
        Dimension::InstancesZone,
        Dimension::InstancesCapacityProvider,
        Dimension::InstancesPurchaseOption,
        Dimension::FargateTasks,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Dimension::Status => "status",
            Dimension::Zone => "zone",
            Dimension::CapacityProvider => "capacity_provider",
            Dimension::TaskDefinition => "task_definition",
            Dimension::Stopped => "stopped",
            Dimension::InstancesZone => "instances_zone",
            Dimension::InstancesCapacityProvider => "instances_capacity_provider",
            Dimension::InstancesPurchaseOption => "instances_purchase_option",
            Dimension::FargateTasks => "fargate_tasks",
        }
    }

    pub fn parse(name: &str) -> Option<Dimension> {
        Dimension::ALL.into_iter().find(|d| d.as_str() == name)
    }

    /// Whether the dimension is the cluster's (its rows name no service).
    pub fn is_cluster(self) -> bool {
        matches!(
            self,
            Dimension::InstancesZone
                | Dimension::InstancesCapacityProvider
                | Dimension::InstancesPurchaseOption
                | Dimension::FargateTasks
        )
    }
}

/// One count of a breakdown.
#[derive(Clone, Debug, PartialEq)]
pub struct Count {
    pub dimension: Dimension,
    pub key: String,
    pub value: u32,
}

/// The counts of one service (or, with `service: None`, the cluster) at one sampling instant,
/// sorted by dimension then key. [`Dimension::Stopped`] counts are cumulative here (tasks stopped
/// since the start, by reason); the writer of breakdown.csv turns them into the interval's.
#[derive(Clone, Debug, PartialEq)]
pub struct Breakdown {
    pub time: SimTime,
    pub service: Option<String>,
    pub counts: Vec<Count>,
}
