//! The scenario file as written: serde types that mirror the YAML, with unknown fields rejected.
//! Field names are AWS's own in snake_case. Counts are signed here so that a negative value gets
//! a clear validation error instead of a parser message; `validate` turns this into a `Scenario`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::values::{RawDistribution, Scalar};
use crate::catalog::CpuArchitecture;
use crate::service::{LaunchType, SchedulingStrategy};
use crate::task::{Compatibility, DependencyCondition, NetworkMode, ProbeFailure, Protocol};

mod autoscaling;
mod capacity;
mod traffic;
pub use autoscaling::*;
pub use capacity::*;
pub use traffic::*;

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    /// Defaults to the file name without extension.
    pub name: Option<String>,
    /// Master seed; `--seed` overrides it.
    pub seed: Option<u64>,
    /// Simulated time to run, e.g. `24h`; `--duration` overrides it.
    pub duration: Scalar,
    /// The UTC date and time of simulated time 0 (`2026-03-02T09:00:00Z`, an offset such as
    /// `+01:00`, or a date alone for its midnight UTC); none by default.
    pub start_time: Option<Scalar>,
    /// Availability zones of the cluster, e.g. `[us-east-1a, us-east-1b]`.
    pub zones: Vec<String>,
    pub metrics: Option<RawMetrics>,
    pub timing: Option<RawTiming>,
    #[serde(default)]
    pub task_definitions: BTreeMap<String, RawTaskDefinition>,
    #[serde(default)]
    pub capacity_providers: BTreeMap<String, RawCapacityProvider>,
    /// The cluster's default strategy: items, or `{ import: cluster.json }` (AWS's JSON).
    pub default_capacity_provider_strategy: Option<RawDefaultStrategy>,
    /// External (ECS Anywhere) instances, by fleet name.
    #[serde(default)]
    pub external_instances: BTreeMap<String, RawExternalFleet>,
    #[serde(default)]
    pub services: BTreeMap<String, RawService>,
    /// Standalone tasks started with RunTask, by entry name.
    #[serde(default)]
    pub tasks: BTreeMap<String, RawRunTask>,
    #[serde(default)]
    pub faults: Vec<RawFault>,
    /// Operator actions on the timeline.
    #[serde(default)]
    pub actions: Vec<RawAction>,
    /// Instance types the catalog lacks, defined by the scenario, by AWS name.
    #[serde(default)]
    pub instance_types: BTreeMap<String, RawInstanceType>,
    /// Price overrides; the catalog's us-east-1 on-demand prices otherwise.
    pub pricing: Option<RawPricing>,
    /// Per-vCPU speed overrides; the catalog's (1.0 = m5) otherwise.
    pub speed: Option<RawSpeed>,
    /// Application Load Balancers, by name.
    #[serde(default)]
    pub load_balancers: BTreeMap<String, RawLoadBalancer>,
    /// Requests sent to the load balancers.
    pub traffic: Option<RawTraffic>,
    /// External metric series (rate patterns of their values), for alarms to read.
    #[serde(default)]
    pub custom_metrics: RawCustomMetrics,
    /// CloudWatch alarms of their own, by name, on a service's metrics: what a deployment's
    /// `alarms` watch.
    #[serde(default)]
    pub alarms: BTreeMap<String, RawAlarm>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawMetrics {
    /// Sampling interval of metrics.csv (default 60s, CloudWatch's period).
    pub interval: Option<Scalar>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawTiming {
    pub fargate_provisioning: Option<RawDistribution>,
    pub eni_attachment: Option<RawDistribution>,
    pub fargate_image_pull: Option<RawImagePull>,
    pub ec2_image_pull: Option<RawImagePull>,
    pub launch_backoff: Option<RawBackoff>,
    pub capacity_wait_timeout: Option<Scalar>,
    /// Auto Scaling group launch → the instance registered with ECS as ACTIVE.
    pub instance_launch: Option<RawDistribution>,
    /// How long a group takes to notice an instance lost to a fault, an outage or a Spot reclaim.
    pub instance_loss_detection: Option<Scalar>,
    /// How long a group tolerates an impaired instance before replacing it.
    pub impaired_instance_tolerance: Option<Scalar>,
    /// The longest a group drains an instance it terminates to rebalance its zones.
    pub termination_drain_timeout: Option<Scalar>,
}

/// A growing delay: `first`, times `factor` each time, up to `max`.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawBackoff {
    pub first: Option<Scalar>,
    pub factor: Option<f64>,
    pub max: Option<Scalar>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawImagePull {
    pub latency: Option<Scalar>,
    pub throughput_mb_per_s: Option<f64>,
}

/// A task definition written inline, or `import:`ed from an AWS task definition JSON file (then the
/// fields written beside it merge over the file's: see `import_merge`).
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawTaskDefinition {
    /// Path of an AWS register-task-definition / describe-task-definition JSON file, relative to
    /// the scenario file.
    pub import: Option<String>,
    /// Task-level CPU: units (`512`) or AWS's string form (`"0.5 vCPU"`).
    pub cpu: Option<Scalar>,
    /// Task-level memory: MiB (`1024`) or AWS's string form (`"1 GB"`).
    pub memory: Option<Scalar>,
    pub network_mode: Option<NetworkMode>,
    /// Launch types the definition is valid for; `FARGATE` brings Fargate's rules at load time.
    pub requires_compatibilities: Option<Vec<Compatibility>>,
    pub runtime_platform: Option<RawRuntimePlatform>,
    /// Task-definition constraints: only `memberOf` is allowed here, as in ECS.
    pub placement_constraints: Option<Vec<RawPlacementConstraint>>,
    #[serde(default)]
    pub container_definitions: Vec<RawContainerDefinition>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawRuntimePlatform {
    /// `X86_64` (default) or `ARM64`.
    pub cpu_architecture: Option<CpuArchitecture>,
    /// `LINUX` (default); Windows families are accepted for import but not simulated differently.
    pub operating_system_family: Option<String>,
}

/// `{ type: distinctInstance }` or `{ type: memberOf, expression: "..." }`.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawPlacementConstraint {
    #[serde(rename = "type")]
    pub kind: RawConstraintKind,
    pub expression: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub enum RawConstraintKind {
    #[serde(rename = "distinctInstance")]
    DistinctInstance,
    #[serde(rename = "memberOf")]
    MemberOf,
}

/// A container health check (ECS's `healthCheck`; durations as strings, e.g. `30s`).
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawHealthCheck {
    /// The command, e.g. `["CMD-SHELL", "curl -f http://localhost/ || exit 1"]` (kept for reports).
    #[serde(default)]
    pub command: Vec<String>,
    pub interval: Option<Scalar>,
    pub timeout: Option<Scalar>,
    pub retries: Option<i64>,
    pub start_period: Option<Scalar>,
}

/// Container start order (ECS's `dependsOn`).
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawContainerDependency {
    pub container_name: String,
    /// `START`, `COMPLETE`, `SUCCESS` or `HEALTHY`.
    pub condition: DependencyCondition,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawContainerDefinition {
    pub name: String,
    /// Required (validation says so), except in a container merged over an imported one.
    pub image: Option<String>,
    pub image_size_mb: Option<f64>,
    pub cpu: Option<i64>,
    pub memory: Option<i64>,
    pub memory_reservation: Option<i64>,
    pub essential: Option<bool>,
    #[serde(default)]
    pub port_mappings: Vec<RawPortMapping>,
    pub start_time: Option<RawDistribution>,
    pub stop_time: Option<RawDistribution>,
    pub stop_timeout: Option<Scalar>,
    pub health_check: Option<RawHealthCheck>,
    pub depends_on: Option<Vec<RawContainerDependency>>,
    /// ecsim's model of the program in the container (not part of AWS's task definition).
    pub behaviour: Option<RawContainerBehaviour>,
}

/// How the program in a container behaves: `starts: false`, `ready_after`,
/// `passes_health_checks: false`, `health_check_response`, `exits_after` with `exit_code`, and
/// `memory` use.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawContainerBehaviour {
    pub starts: Option<bool>,
    pub ready_after: Option<RawDistribution>,
    pub passes_health_checks: Option<bool>,
    /// The HTTP code the program answers a load balancer's health check with (default 200).
    pub health_check_response: Option<i64>,
    pub exits_after: Option<RawDistribution>,
    pub exit_code: Option<i64>,
    pub memory: Option<RawMemoryUse>,
}

/// A container's memory use: `baseline` MiB once started, growing by `growth_per_hour` MiB.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawMemoryUse {
    pub baseline: Scalar,
    pub growth_per_hour: Option<Scalar>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawPortMapping {
    pub container_port: i64,
    pub host_port: Option<i64>,
    /// `tcp` (default) or `udp`: ports clash only within one protocol.
    pub protocol: Option<Protocol>,
}

/// A fleet of external (ECS Anywhere) instances of one shape.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawExternalFleet {
    pub count: i64,
    /// CPU units each instance registers (`4096`, or `"4 vCPU"`).
    pub cpu: Scalar,
    /// Memory each instance registers (MiB, or `"16 GB"`).
    pub memory: Scalar,
    pub cpu_architecture: Option<CpuArchitecture>,
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawStrategyItem {
    pub capacity_provider: String,
    pub base: Option<i64>,
    pub weight: Option<i64>,
}

/// `default_capacity_provider_strategy:` as written: a list of items, or `{ import: file }` of a
/// put-cluster-capacity-providers or describe-clusters JSON file (replaced by its items when
/// imports are resolved).
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum RawDefaultStrategy {
    Items(Vec<RawStrategyItem>),
    Import { import: String },
}

/// `{ import: file }` alone.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ImportOnly {
    import: String,
}

struct DefaultStrategyVisitor;

impl<'de> serde::de::Visitor<'de> for DefaultStrategyVisitor {
    type Value = RawDefaultStrategy;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a list of `{ capacity_provider, base, weight }`, or `{ import: cluster.json }`")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, seq: A) -> Result<RawDefaultStrategy, A::Error> {
        Vec::deserialize(serde::de::value::SeqAccessDeserializer::new(seq)).map(RawDefaultStrategy::Items)
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<RawDefaultStrategy, A::Error> {
        ImportOnly::deserialize(serde::de::value::MapAccessDeserializer::new(map))
            .map(|i| RawDefaultStrategy::Import { import: i.import })
    }
}

impl<'de> Deserialize<'de> for RawDefaultStrategy {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(DefaultStrategyVisitor)
    }
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawService {
    /// Path of an AWS create-service / describe-services JSON file, relative to the scenario
    /// file; the fields written beside it merge over the file's (see `import_merge`).
    pub import: Option<String>,
    /// Required (validation says so), except beside an `import:` whose file names it.
    #[serde(default)]
    pub task_definition: String,
    /// Required for REPLICA services; DAEMON services take none.
    pub desired_count: Option<i64>,
    /// Tasks already RUNNING at time 0 (a describe-services snapshot's `runningCount`).
    pub running_count: Option<i64>,
    /// Tasks launched at time 0 (a snapshot's `pendingCount`); REPLICA services only.
    pub pending_count: Option<i64>,
    pub scheduling_strategy: Option<SchedulingStrategy>,
    pub launch_type: Option<LaunchType>,
    pub capacity_provider_strategy: Option<Vec<RawStrategyItem>>,
    pub placement_strategy: Option<Vec<RawPlacementStrategy>>,
    pub placement_constraints: Option<Vec<RawPlacementConstraint>>,
    pub deployment_configuration: Option<RawDeploymentConfiguration>,
    /// `healthCheckGracePeriodSeconds`, as a duration (`60s`).
    pub health_check_grace_period: Option<Scalar>,
    /// `availabilityZoneRebalancing`: `ENABLED` (CreateService's default) or `DISABLED`.
    pub availability_zone_rebalancing: Option<RawEnabled>,
    /// The target group the service's tasks register with (ECS's `loadBalancers[].targetGroupArn`).
    pub load_balancer: Option<String>,
    /// The second target group of the same load balancer, where a blue/green, canary or linear
    /// deployment's new tasks register (`advancedConfiguration.alternateTargetGroupArn`).
    pub alternate_target_group: Option<String>,
    /// How each task serves the requests routed to it.
    pub requests: Option<RawRequestModel>,
    /// Application Auto Scaling of the desired count.
    pub autoscaling: Option<RawScalingPolicies>,
    /// Synthetic CPU and memory demand, for services without traffic.
    pub load: Option<RawLoad>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub enum RawEnabled {
    #[serde(rename = "ENABLED", alias = "enabled")]
    Enabled,
    #[serde(rename = "DISABLED", alias = "disabled")]
    Disabled,
}

/// `deploymentConfiguration`: the strategy, the rolling-update bounds and the circuit breaker,
/// the traffic-shifting strategies' bake times and steps, and the alarms that fail a deployment.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawDeploymentConfiguration {
    pub strategy: Option<RawDeploymentStrategy>,
    pub minimum_healthy_percent: Option<i64>,
    pub maximum_percent: Option<i64>,
    pub deployment_circuit_breaker: Option<RawCircuitBreaker>,
    /// `bakeTimeInMinutes`, as a duration (whole minutes, 0 to 1440).
    pub bake_time: Option<Scalar>,
    pub canary_configuration: Option<RawCanaryConfiguration>,
    pub linear_configuration: Option<RawLinearConfiguration>,
    pub alarms: Option<RawDeploymentAlarms>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub enum RawDeploymentStrategy {
    #[serde(rename = "ROLLING", alias = "rolling")]
    Rolling,
    #[serde(rename = "BLUE_GREEN", alias = "blue_green")]
    BlueGreen,
    #[serde(rename = "CANARY", alias = "canary")]
    Canary,
    #[serde(rename = "LINEAR", alias = "linear")]
    Linear,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawCanaryConfiguration {
    pub canary_percent: Option<f64>,
    /// `canaryBakeTimeInMinutes`, as a duration.
    pub canary_bake_time: Option<Scalar>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawLinearConfiguration {
    pub step_percent: Option<f64>,
    /// `stepBakeTimeInMinutes`, as a duration.
    pub step_bake_time: Option<Scalar>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawDeploymentAlarms {
    pub alarm_names: Vec<String>,
    pub enable: bool,
    pub rollback: bool,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawCircuitBreaker {
    pub enable: bool,
    pub rollback: bool,
}

/// `{ type: binpack, field: memory }`, `{ type: spread, field: "attribute:ecs.availability-zone" }`,
/// `{ type: random }`.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawPlacementStrategy {
    #[serde(rename = "type")]
    pub kind: RawStrategyKind,
    pub field: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RawStrategyKind {
    Binpack,
    Spread,
    Random,
}

/// A `tasks:` entry: standalone tasks started with RunTask.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawRunTask {
    pub task_definition: String,
    /// How many tasks the call starts (1 to 10 per call in ECS; any number here).
    pub count: Option<i64>,
    /// When RunTask is called (default: at the start).
    pub at: Option<Scalar>,
    /// How long each task works once RUNNING; without it, tasks run until the end.
    pub run_time: Option<RawDistribution>,
    /// Task group (default `family:<task definition>`).
    pub group: Option<String>,
    pub launch_type: Option<LaunchType>,
    pub capacity_provider_strategy: Option<Vec<RawStrategyItem>>,
    pub placement_strategy: Option<Vec<RawPlacementStrategy>>,
    pub placement_constraints: Option<Vec<RawPlacementConstraint>>,
}

/// One operator action: a time and exactly one kind.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawAction {
    pub at: Scalar,
    pub update_service: Option<RawUpdateService>,
    pub deploy: Option<RawDeploy>,
}

/// A new task definition revision for a service: a rolling deployment.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawDeploy {
    pub service: String,
    pub task_definition: String,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawUpdateService {
    pub service: String,
    pub desired_count: i64,
}

/// One entry of the fault plan: when (`at`, or `every` within `from`..`until`) and exactly one
/// kind of fault.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawFault {
    pub at: Option<Scalar>,
    /// Time between firings, e.g. `{ exponential: { mean: 30m } }` (a mean time between failures).
    pub every: Option<RawDistribution>,
    pub from: Option<Scalar>,
    pub until: Option<Scalar>,
    pub stop_tasks: Option<RawTaskFault>,
    pub crash_tasks: Option<RawTaskFault>,
    pub fail_health_checks: Option<RawTaskFault>,
    pub terminate_instances: Option<RawInstanceFault>,
    pub impair_instances: Option<RawInstanceFault>,
    pub drain_instances: Option<RawInstanceFault>,
    pub az_outage: Option<RawAzOutage>,
    pub spot_interruption: Option<RawSpotInterruption>,
}

/// The EC2 instances a fault hits: those of an Auto Scaling group `provider` and/or a `zone`,
/// `count` of them (default 1), a `fraction`, or one `instance` by name (`i-00003`); `for` how
/// long a drain lasts (drains only).
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawInstanceFault {
    pub provider: Option<String>,
    pub zone: Option<String>,
    pub count: Option<i64>,
    pub fraction: Option<f64>,
    pub instance: Option<String>,
    #[serde(rename = "for")]
    pub duration: Option<Scalar>,
}

/// A zone that goes down, `for` a while (default: the rest of the run).
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawAzOutage {
    pub zone: String,
    #[serde(rename = "for")]
    pub duration: Option<Scalar>,
}

/// Spot capacity reclaimed from `provider` (FARGATE_SPOT or a Spot group): `count` (default 1) or
/// a `fraction` of its tasks or instances; `unavailable_for` how long no Spot capacity can be had.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawSpotInterruption {
    pub provider: String,
    pub count: Option<i64>,
    pub fraction: Option<f64>,
    pub unavailable_for: Option<Scalar>,
}

/// The tasks a fault hits: a service's RUNNING tasks, `count` of them (default 1), a `fraction`,
/// or one `task` by name (`web-3`); `reason` for stops, `exit_code` for crashes, `probes` for
/// health check failures.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawTaskFault {
    pub service: Option<String>,
    pub count: Option<i64>,
    pub fraction: Option<f64>,
    pub task: Option<String>,
    pub reason: Option<String>,
    pub exit_code: Option<i64>,
    /// How the failing health checks fail: `fail_fast` (default) or `hang` until their timeout.
    pub probes: Option<ProbeFailure>,
}

/// Every BTreeMap key of the raw scenario that names something, for "did you mean" hints.
pub fn names<V>(map: &BTreeMap<String, V>) -> impl Iterator<Item = &str> {
    map.keys().map(String::as_str)
}

/// `pricing:` overrides of the catalog's prices, in USD (another region, a later price list, a
/// negotiated discount). Every field is optional; numbers stay `f64` here so that a bad value is a
/// validation error with a hint rather than a parser message.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawPricing {
    /// Per instance-hour, by instance type: `{ m5.large: 0.1 }`.
    #[serde(default)]
    pub instance_types: BTreeMap<String, f64>,
    /// Fargate on Linux/x86_64.
    pub fargate: Option<RawFargatePrices>,
    /// Fargate on Linux/ARM64, for task definitions with `cpu_architecture: ARM64`.
    pub fargate_arm: Option<RawFargatePrices>,
    /// Fargate Spot's price is on-demand × (1 − discount); 0.7 by default.
    pub fargate_spot_discount: Option<f64>,
    /// EC2 Spot instances' price is on-demand × (1 − discount); 0.6 by default.
    pub ec2_spot_discount: Option<f64>,
}

/// `speed:` overrides of the catalog's per-vCPU speeds (1.0 = an m5's vCPU): how fast a host
/// runs a request's `cpu_time`. Numbers stay `f64` so a bad value is a validation error.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawSpeed {
    /// By instance type: `{ m6g.large: 0.9 }`.
    #[serde(default)]
    pub instance_types: BTreeMap<String, f64>,
    /// Fargate tasks; 1.0 by default.
    pub fargate: Option<f64>,
}

/// Fargate prices per vCPU-hour and GB-hour; a price left out keeps the catalog's.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawFargatePrices {
    pub vcpu_hour: Option<f64>,
    pub gb_hour: Option<f64>,
}

/// One scenario-defined instance type (`instance_types: { x2iedn.xlarge: { vcpus: 4, ... } }`):
/// the catalog's columns, checked by range in validation.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawInstanceType {
    pub vcpus: i64,
    pub memory_mib: i64,
    /// Including the primary interface.
    pub max_enis: i64,
    pub ipv4_per_eni: i64,
    /// awsvpc tasks with ENI trunking; `null` or absent for a type that cannot trunk.
    pub trunk_task_limit: Option<i64>,
    /// USD per instance-hour, on-demand.
    pub price_per_hour: f64,
    /// `x86_64` or `arm64`.
    pub architecture: String,
    /// Per-vCPU speed relative to an m5 (1.0).
    pub speed: f64,
}
