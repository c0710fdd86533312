//! A target group's health-check settings (aws-behaviour.md §9): how often targets are probed,
//! what a probe must answer to pass, and how many results in a row change a target's state. The
//! rules that apply them are [`TargetGroup`](super::target_group::TargetGroup)'s.

use crate::engine::SimDuration;

use super::matcher::Matcher;

/// A target group's health-check settings (AWS API names: `HealthCheckIntervalSeconds`,
/// `HealthCheckTimeoutSeconds`, `HealthyThresholdCount`, `UnhealthyThresholdCount`,
/// `HealthCheckPath`, `HealthCheckPort`, `Matcher`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HealthCheck {
    /// Time between two probes of one target.
    pub interval: SimDuration,
    /// A probe answered later than this fails.
    pub timeout: SimDuration,
    /// Consecutive passes that bring an unhealthy target back to healthy.
    pub healthy_threshold: u32,
    /// Consecutive failures that make a target unhealthy.
    pub unhealthy_threshold: u32,
    /// The HTTP codes that pass (default `200`).
    pub matcher: Matcher,
    /// The path probed (default `/`). Recorded, not simulated: the application's answer
    /// (`behaviour.health_check_response`) is the same on every path.
    pub path: String,
    /// The port probed (default the traffic port). Recorded, not simulated: the probe reaches
    /// the application either way.
    pub port: HealthCheckPort,
}

/// Where the load balancer sends its health checks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum HealthCheckPort {
    /// The port each target receives traffic on (AWS's `traffic-port`, the default).
    #[default]
    TrafficPort,
    Port(u16),
}

/// AWS's defaults for an HTTP target group: 30 s, 5 s, 5 passes, 2 failures, `200` on `/` at the
/// traffic port.
impl Default for HealthCheck {
    fn default() -> Self {
        HealthCheck {
            interval: SimDuration::from_secs(30),
            timeout: SimDuration::from_secs(5),
            healthy_threshold: 5,
            unhealthy_threshold: 2,
            matcher: Matcher::default(),
            path: "/".to_string(),
            port: HealthCheckPort::TrafficPort,
        }
    }
}

/// How many passing probes take a newly registered (`initial`) target to `healthy`.
///
/// The ELB guide says a new target "must pass one health check to be considered healthy", and
/// the ECS developer guide (load-balancer-healthcheck, an "Important" note in its current
/// Chinese-region edition) adds that newly registered targets need a single success *regardless
/// of* `HealthyThresholdCount`, which only applies to recovering unhealthy targets; the ELB API
/// reference likewise describes the threshold as "before considering an **unhealthy** target
/// healthy". ecsim therefore defaults to [`InitialChecks::One`]. Not measured on a live ALB
/// (**UNVERIFIED**): [`InitialChecks::HealthyThreshold`] models the pessimistic reading, in which a
/// new task waits `healthy_threshold × interval` (2.5 min by default) before its first request.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InitialChecks {
    /// One passing probe (ecsim's default).
    #[default]
    One,
    /// `healthy_threshold` consecutive passing probes.
    HealthyThreshold,
}
