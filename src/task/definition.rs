//! Task definitions as the simulator uses them: what a task reserves on an instance, which host
//! ports it binds, which images it pulls, and how its containers start and stop.

use crate::catalog::CpuArchitecture;
use crate::engine::{DurationDist, SimDuration};
use crate::placement::PlacementConstraint;

use super::ContainerBehaviour;

/// Docker networking mode of a task ([`NetworkMode::Bridge`] is the EC2 Linux default).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NetworkMode {
    Bridge,
    Host,
    /// One ENI per task: required on Fargate; on EC2 it uses one of the instance's ENIs.
    Awsvpc,
    None,
}

/// Transport protocol of a port: a TCP and a UDP port of the same number do not clash.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    Tcp,
    Udp,
}

/// A host port as the instance sees it.
pub type HostPort = (Protocol, u16);

/// A container port and the host port it is published on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PortMapping {
    pub protocol: Protocol,
    pub container_port: u16,
    /// `None` (or 0 in the scenario) asks for a dynamic port from the ephemeral range in bridge
    /// mode; such ports are not reserved and never clash.
    pub host_port: Option<u16>,
}

/// A launch type a task definition can declare itself compatible with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Compatibility {
    Ec2,
    Fargate,
    External,
}

impl Compatibility {
    pub fn as_str(self) -> &'static str {
        match self {
            Compatibility::Ec2 => "EC2",
            Compatibility::Fargate => "FARGATE",
            Compatibility::External => "EXTERNAL",
        }
    }
}

/// A container health check (ECS's `healthCheck`), with AWS's defaults filled in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HealthCheck {
    pub command: Vec<String>,
    pub interval: SimDuration,
    pub timeout: SimDuration,
    pub retries: u32,
    /// Failures in this time after the container starts do not count.
    pub start_period: SimDuration,
}

/// ECS's defaults for the fields a `healthCheck` may leave out (aws-behaviour.md §1.3).
impl HealthCheck {
    pub const DEFAULT_INTERVAL: SimDuration = SimDuration::from_secs(30);
    pub const DEFAULT_TIMEOUT: SimDuration = SimDuration::from_secs(5);
    pub const DEFAULT_RETRIES: u32 = 3;
    pub const DEFAULT_START_PERIOD: SimDuration = SimDuration::ZERO;
}

/// When a container may start relative to another (`dependsOn`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum DependencyCondition {
    Start,
    Complete,
    Success,
    Healthy,
}

/// One container of a task definition.
#[derive(Clone, Debug)]
pub struct ContainerDefinition {
    pub name: String,
    pub image: String,
    /// Compressed image size in MB (10^6 bytes), which drives the image pull time.
    pub image_size_mb: f64,
    /// CPU units (cpu-shares): a relative weight, reserved on the instance.
    pub cpu: u32,
    /// Hard memory limit, MiB.
    pub memory: Option<u32>,
    /// Soft memory limit, MiB: what is reserved for placement when set.
    pub memory_reservation: Option<u32>,
    /// If an essential container stops, the whole task stops.
    pub essential: bool,
    pub port_mappings: Vec<PortMapping>,
    /// From the end of the image pull until the container is up.
    pub start_time: DurationDist,
    /// How long the process takes to exit after SIGTERM.
    pub stop_time: DurationDist,
    /// SIGTERM → SIGKILL grace (`stopTimeout`).
    pub stop_timeout: SimDuration,
    pub health_check: Option<HealthCheck>,
    /// Containers (by index in the task definition) this one waits for, and for what.
    pub depends_on: Vec<(usize, DependencyCondition)>,
    /// What the program in it does (ecsim's model; not in AWS's task definition).
    pub behaviour: ContainerBehaviour,
}

/// The defaults of the fields a container may leave out.
impl ContainerDefinition {
    /// ECS's `stopTimeout` when none is given.
    pub const DEFAULT_STOP_TIMEOUT: SimDuration = SimDuration::from_secs(30);
    /// Assumed compressed image size when the scenario gives none (a small web service image).
    pub const DEFAULT_IMAGE_SIZE_MB: f64 = 100.0;
    /// ecsim's start and stop times of a container's process when the scenario gives none.
    pub const DEFAULT_START_TIME: SimDuration = SimDuration::from_secs(1);
    pub const DEFAULT_STOP_TIME: SimDuration = SimDuration::from_secs(1);
}

impl ContainerDefinition {
    /// Memory reserved for placement: the soft limit if set, else the hard limit.
    fn reserved_memory(&self) -> u32 {
        self.memory_reservation.or(self.memory).unwrap_or(0)
    }
}

/// A validated task definition.
#[derive(Clone, Debug)]
pub struct TaskDefinition {
    pub family: String,
    /// Task-level CPU units; required on Fargate, a hard cap on EC2.
    pub cpu: Option<u32>,
    /// Task-level memory, MiB; required on Fargate.
    pub memory: Option<u32>,
    pub network_mode: NetworkMode,
    /// `requiresCompatibilities`: the launch types the definition declares (empty: not declared,
    /// any launch type its other fields allow).
    pub requires_compatibilities: Vec<Compatibility>,
    /// From `runtimePlatform`: the task only runs on instances of this architecture.
    pub cpu_architecture: Option<CpuArchitecture>,
    /// The definition's own constraints (ECS allows only `memberOf` here).
    pub placement_constraints: Vec<PlacementConstraint>,
    pub containers: Vec<ContainerDefinition>,
}

impl TaskDefinition {
    /// CPU units reserved on an instance: the task-level value, else the containers' sum.
    pub fn reserved_cpu(&self) -> u32 {
        self.cpu.unwrap_or_else(|| self.containers.iter().map(|c| c.cpu).sum())
    }

    /// Memory (MiB) reserved on an instance: the task-level value, else per container the soft
    /// limit if set, else the hard limit (aws-behaviour.md §1.1).
    pub fn reserved_memory(&self) -> u32 {
        self.memory.unwrap_or_else(|| self.containers.iter().map(|c| c.reserved_memory()).sum())
    }

    /// Host ports this task binds exclusively on its instance: static `host_port`s in bridge mode,
    /// every container port in host mode, none in awsvpc mode (the task has its own ENI).
    pub fn static_host_ports(&self) -> impl Iterator<Item = HostPort> + '_ {
        let mode = self.network_mode;
        self.containers.iter().flat_map(|c| &c.port_mappings).filter_map(move |p| match mode {
            NetworkMode::Bridge => p.host_port.map(|h| (p.protocol, h)),
            NetworkMode::Host => Some((p.protocol, p.container_port)),
            NetworkMode::Awsvpc | NetworkMode::None => None,
        })
    }

    /// Total compressed size of the task's images, MB.
    pub fn image_size_mb(&self) -> f64 {
        self.containers.iter().map(|c| c.image_size_mb).sum()
    }

    pub fn uses_eni(&self) -> bool {
        self.network_mode == NetworkMode::Awsvpc
    }
}
