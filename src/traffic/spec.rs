//! The validated traffic part of a scenario: load balancers, target groups, request models and
//! sources, with every reference resolved to an id.

use crate::engine::{DurationDist, SimDuration};
use crate::ids::{LoadBalancerId, ServiceId, TargetGroupId};

use super::server::Concurrency;
use super::target_group::TargetGroupConfig;
use super::Rate;

/// The ALB's idle timeout by default: a target silent this long gets its request answered 504.
pub const DEFAULT_IDLE_TIMEOUT: SimDuration = SimDuration::from_secs(60);
/// The step rates are held constant over, by default.
pub const DEFAULT_STEP: SimDuration = SimDuration::from_secs(1);
/// How far (relatively) rates and backlogs may move in a fluid span computed as one, by default
/// (see `traffic::quiet`): the load difference within which a target group already reuses its
/// response-time points.
pub const DEFAULT_QUIET_TOLERANCE: f64 = 0.01;
/// The largest tolerance accepted: beyond it a merged span could hide a load change that moves
/// latency visibly.
pub const MAX_QUIET_TOLERANCE: f64 = 0.05;

/// How requests are simulated (design rule 9): both write the same metric columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Fidelity {
    /// Every request is an event with an exact latency.
    Requests,
    /// Per step, rates go through queueing formulas: days of heavy traffic in milliseconds.
    Fluid,
}

#[derive(Clone, Debug)]
pub struct TrafficSpec {
    pub fidelity: Fidelity,
    /// Rates are held constant over each step; in `fluid`, the formulas run once a step.
    pub step: SimDuration,
    /// In `fluid`, a run of steps whose rates and backlogs stay within this relative difference
    /// is computed as one span, up to a minute (`traffic::quiet`); 0 computes every step.
    pub quiet_tolerance: f64,
    pub sources: Vec<SourceSpec>,
}

impl Default for TrafficSpec {
    fn default() -> Self {
        TrafficSpec {
            fidelity: Fidelity::Requests,
            step: DEFAULT_STEP,
            quiet_tolerance: DEFAULT_QUIET_TOLERANCE,
            sources: Vec::new(),
        }
    }
}

/// Requests sent to a load balancer at a rate that changes over time.
#[derive(Clone, Debug)]
pub struct SourceSpec {
    pub load_balancer: LoadBalancerId,
    pub rate: Rate,
    /// A fixed population of clients sending the requests, each request from one drawn
    /// uniformly; `None`: every request from a new client (cookies are never sent back, so
    /// stickiness has no effect; see [`super::stickiness`]).
    pub clients: Option<u32>,
}

#[derive(Clone, Debug)]
pub struct LoadBalancerSpec {
    pub name: String,
    pub idle_timeout: SimDuration,
    /// The listener forwards to these, each with its weight (a weighted forward action).
    pub target_groups: Vec<(TargetGroupId, u32)>,
}

#[derive(Clone, Debug)]
pub struct TargetGroupSpec {
    pub name: String,
    pub load_balancer: LoadBalancerId,
    pub config: TargetGroupConfig,
    /// The service whose tasks register here (a target group serves one service).
    pub service: Option<ServiceId>,
}

/// How one task of a service serves requests.
#[derive(Clone, Debug)]
pub struct RequestModel {
    /// CPU time a request needs at one full vCPU of speed 1.0 (an m5's): it takes
    /// `cpu_time / speed` on a host of another per-vCPU speed (`crate::catalog::Speeds`).
    pub cpu_time: DurationDist,
    /// Time a request waits without CPU (for a database, say) before its CPU work, holding its
    /// worker if the task has workers; not scaled by the host's speed. `None`: no wait.
    pub io_wait: Option<DurationDist>,
    /// MiB each request holds while in flight (counted against the task's memory, so a flood of
    /// slow requests can get the task killed for memory).
    pub memory_per_request: f64,
    pub concurrency: Concurrency,
    /// The application answers 504 itself after this long.
    pub timeout: Option<SimDuration>,
}

impl Default for RequestModel {
    /// A service behind a load balancer without a `requests:` model: 10 ms of CPU per request,
    /// exponentially distributed, processor sharing, no timeout of its own.
    fn default() -> Self {
        RequestModel {
            cpu_time: DurationDist::exponential(SimDuration::from_millis(10)).expect("a positive mean"),
            io_wait: None,
            memory_per_request: 0.0,
            concurrency: Concurrency::ProcessorSharing,
            timeout: None,
        }
    }
}
