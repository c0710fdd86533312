//! Scenario files: YAML in, a typed, validated [`Scenario`] out.
//!
//! [`load`] reads the file, parses it into the raw serde types of `schema` (unknown fields are
//! errors), then `validate` checks everything at once. Every problem is reported as
//! `file:line: path: message` with a hint, the line found through a YAML source map.

mod aws_json;
mod bounds;
mod cloudformation;
mod companion;
mod diagnostics;
mod file_kind;
mod import_merge;
mod imports;
mod load;
mod overrides;
mod path;
mod rate;
mod schema;
mod source_map;
mod structure;
mod validate;
mod values;

pub use cloudformation::{import_template, ImportOptions};
pub use diagnostics::{closest, shown, suggestion, Diagnostic, ScenarioError};
pub use file_kind::identify_experiment;
pub use load::{default_name, load, load_overridden, load_str, parse_yaml, Document, LoadError};
pub use overrides::{parse_assignment, Origin, Override};
pub use source_map::SourceMap;

use crate::autoscaling::AutoscalingSpec;
use crate::capacity::{CapacityProvider, ExternalFleet};
use crate::catalog::Speeds;
use crate::engine::{Calendar, SimDuration};
use crate::faults::Fault;
use crate::metrics::Pricing;
use crate::service::{Action, RunTaskSpec, ServiceSpec};
use crate::task::{LifecycleTiming, TaskDefinition};
use crate::traffic::spec::{LoadBalancerSpec, TargetGroupSpec, TrafficSpec};

/// An AWS task definition file a scenario imported, kept so a run can record exactly what it read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportedFile {
    /// The path as the scenario writes it (relative to the scenario file).
    pub path: String,
    pub text: String,
}

/// A `trace:` file a scenario read, kept so a run can record exactly what it played.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceFile {
    /// The path as the scenario writes it (relative to the scenario file).
    pub path: String,
    /// Lowercase hex SHA-256 of the file's bytes as stored (compressed, when it is).
    pub sha256: String,
}

/// A validated scenario: every reference resolved to an id, every value typed.
#[derive(Clone, Debug)]
pub struct Scenario {
    pub name: String,
    pub seed: u64,
    pub duration: SimDuration,
    /// The date of simulated time 0 (`start_time:`); [`Calendar::NONE`] when the scenario gives none.
    pub calendar: Calendar,
    /// Availability zones; a `ZoneId` indexes this list.
    pub zones: Vec<String>,
    pub metrics_interval: SimDuration,
    pub timing: LifecycleTiming,
    /// Sorted by family name; a `TaskDefId` indexes this list.
    pub task_definitions: Vec<TaskDefinition>,
    /// FARGATE, FARGATE_SPOT, then declared providers by name; a `ProviderId` indexes this list.
    pub capacity_providers: Vec<CapacityProvider>,
    /// External (ECS Anywhere) fleets, by name.
    pub external_instances: Vec<ExternalFleet>,
    /// Sorted by name; a `ServiceId` indexes this list.
    pub services: Vec<ServiceSpec>,
    /// Standalone task entries, sorted by name; a `RunTaskId` indexes this list.
    pub run_tasks: Vec<RunTaskSpec>,
    pub faults: Vec<Fault>,
    /// Operator actions on the timeline, in file order.
    pub actions: Vec<Action>,
    /// Task definition files read through `import:`, in the order of the definitions.
    pub imported_files: Vec<ImportedFile>,
    /// Trace files read by `trace:` rates, each once, in the order they were read.
    pub trace_files: Vec<TraceFile>,
    /// What the run should say without it being a problem (a trace longer than the run, cut),
    /// each `path: message`.
    pub notes: Vec<String>,
    /// The prices the run is billed at: the catalog's with the scenario's overrides.
    pub pricing: Pricing,
    /// The per-vCPU speeds hosts run requests at: the catalog's with the scenario's overrides.
    pub speeds: Speeds,
    /// Sorted by name; a `LoadBalancerId` indexes this list.
    pub load_balancers: Vec<LoadBalancerSpec>,
    /// By load balancer, then by name; a `TargetGroupId` indexes this list.
    pub target_groups: Vec<TargetGroupSpec>,
    pub traffic: TrafficSpec,
    /// Service auto scaling, `load:` profiles and `custom_metrics:`.
    pub autoscaling: AutoscalingSpec,
}

impl Scenario {
    /// The master seed when the file gives none (and `--seed` does not override it).
    pub const DEFAULT_SEED: u64 = 1;
    /// metrics.csv's interval when the file gives none: CloudWatch's metric period.
    pub const DEFAULT_METRICS_INTERVAL: SimDuration = SimDuration::from_secs(60);
}
