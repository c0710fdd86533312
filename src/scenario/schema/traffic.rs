//! The traffic part of a scenario as written: load balancers and their target groups, the
//! request model of a service, and the sources of requests.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::scenario::values::{RawDistribution, Scalar};
use crate::traffic::spec::Fidelity;
use crate::traffic::target_group::{Algorithm, InitialChecks};

/// An Application Load Balancer: a listener whose default action forwards to its target groups.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawLoadBalancer {
    /// How long the load balancer waits for a target's response before answering 504 (default 60s).
    pub idle_timeout: Option<Scalar>,
    /// Target groups by name; the listener forwards to them by `weight`.
    pub target_groups: BTreeMap<String, RawTargetGroup>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawTargetGroup {
    /// Share of the listener's requests in a weighted forward action (default 1).
    pub weight: Option<i64>,
    /// `load_balancing.algorithm.type`: `round_robin` (default), `least_outstanding_requests` or
    /// `weighted_random`.
    pub algorithm: Option<Algorithm>,
    /// `slow_start.duration_seconds` as a duration: 0 (off) or 30s..900s.
    pub slow_start: Option<Scalar>,
    /// `deregistration_delay.timeout_seconds` as a duration (default 300s).
    pub deregistration_delay: Option<Scalar>,
    /// `load_balancing.cross_zone.enabled` (default true for an ALB).
    pub cross_zone: Option<bool>,
    pub health_check: Option<RawTargetHealthCheck>,
    /// `target_group_health.*`: when the group fails open, and when DNS fails over.
    pub target_group_health: Option<RawTargetGroupHealth>,
    /// `stickiness.*`: sticky sessions (default off).
    pub stickiness: Option<RawStickiness>,
}

/// `stickiness: { type: lb_cookie, duration: 1d }`: duration-based sticky sessions.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawStickiness {
    /// `stickiness.type`: `lb_cookie` (duration-based; `app_cookie` is not modelled).
    #[serde(rename = "type")]
    pub kind: String,
    /// `stickiness.lb_cookie.duration_seconds` as a duration: 1s to 7 days (default 1d).
    pub duration: Option<Scalar>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawTargetGroupHealth {
    /// Below this, route to unhealthy targets too (default: a count of 1).
    pub unhealthy_state_routing: Option<RawHealthAction>,
    /// Below this, requests fail over elsewhere: 503 in ecsim (default: off).
    pub dns_failover: Option<RawHealthAction>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawHealthAction {
    pub minimum_healthy_targets: RawMinimumHealthyTargets,
}

/// A count and/or a percentage of the registered targets; each a number or `off`.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawMinimumHealthyTargets {
    pub count: Option<Scalar>,
    pub percentage: Option<Scalar>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawTargetHealthCheck {
    pub interval: Option<Scalar>,
    pub timeout: Option<Scalar>,
    pub healthy_threshold: Option<i64>,
    pub unhealthy_threshold: Option<i64>,
    /// How many checks a newly registered target must pass: `one` (the ALB guide's wording) or
    /// `healthy_threshold`.
    pub initial_checks: Option<InitialChecks>,
    /// `Matcher.HttpCode`: the codes that pass, `200` (default), `200,202`, `200-299`.
    pub matcher: Option<Scalar>,
    /// `HealthCheckPath` (default `/`).
    pub path: Option<String>,
    /// `HealthCheckPort`: `traffic-port` (default) or a port number.
    pub port: Option<Scalar>,
}

/// How a service's task serves a request.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawRequestModel {
    /// CPU time a request needs at one full vCPU of speed 1.0 (an m5's); `speed:` sets the hosts'.
    pub cpu_time: RawDistribution,
    /// Time a request waits without using CPU (a database call, say) before its CPU work, holding
    /// its worker; a duration or a distribution, as `cpu_time` (default none).
    pub io_wait: Option<RawDistribution>,
    /// MiB each in-flight request holds (default 0).
    pub memory_per_request: Option<f64>,
    /// At most this many requests are served at once, sharing the task's vCPUs; absent, every
    /// request in flight shares them (processor sharing).
    pub workers: Option<i64>,
    /// Requests waiting for a worker beyond which new ones are refused (503); absent: no limit.
    pub queue: Option<i64>,
    /// The application gives up on a request after this long and answers 504 itself.
    pub timeout: Option<Scalar>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawTraffic {
    /// `requests` (every request an event) or `fluid` (rates through queueing formulas).
    pub fidelity: Option<Fidelity>,
    /// The time step rates are held constant over (default 1s), in both fidelities.
    pub step: Option<Scalar>,
    /// `fluid` only: a run of steps whose rates and backlogs move less than this fraction is
    /// computed as one span, up to a minute (default 0.01; 0 computes every step).
    pub quiet_tolerance: Option<f64>,
    pub sources: Vec<RawTrafficSource>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawTrafficSource {
    /// The load balancer the requests are sent to.
    pub to: String,
    /// Requests per second over time.
    pub rate: crate::scenario::rate::RawRate,
    /// A fixed population of clients, each request from one drawn uniformly (default: every
    /// request from a new client). Needed by sticky target groups.
    pub clients: Option<i64>,
}
