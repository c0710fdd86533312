//! What the program in a container does once started — ecsim's model of the application, which
//! AWS's task definition does not describe: whether it starts at all, when it answers its health
//! check, whether it exits by itself, and how its memory use grows. A bad deployment is a task
//! definition revision whose containers behave badly.

use crate::engine::{DurationDist, SimDuration};

use super::HealthCheck;

/// How a container's program behaves. The default is a well-behaved server: it starts, passes
/// its health checks at once, never exits and uses no memory worth modelling.
#[derive(Clone, Debug)]
pub struct ContainerBehaviour {
    /// `false`: the container cannot start (`CannotStartContainerError`), so the task stops
    /// before it ever runs.
    pub starts: bool,
    /// How long after the container starts its health check begins to pass.
    pub ready_after: DurationDist,
    /// `false`: every health check fails.
    pub passes_health_checks: bool,
    /// The HTTP status code the program answers a load balancer's health check with once it is
    /// ready (default 200); a code outside the target group's `matcher` fails the check, such as
    /// a 301 redirect to a `200` matcher.
    pub health_check_response: u16,
    /// The process exits by itself this long after the task reaches RUNNING, with `exit_code`.
    pub exits_after: Option<DurationDist>,
    pub exit_code: i32,
    pub memory: Option<MemoryUse>,
}

impl Default for ContainerBehaviour {
    fn default() -> Self {
        ContainerBehaviour {
            starts: true,
            ready_after: DurationDist::constant(SimDuration::ZERO),
            passes_health_checks: true,
            health_check_response: 200,
            exits_after: None,
            exit_code: 1,
            memory: None,
        }
    }
}

/// A container's memory use over time: a baseline once started, plus a steady growth (a leak, a
/// cache that is never trimmed).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MemoryUse {
    pub baseline_mib: f64,
    pub growth_mib_per_hour: f64,
}

impl MemoryUse {
    /// How long after the start the use first exceeds `limit_mib` (the kernel's OOM killer fires
    /// then), or `None` if it never does.
    pub fn exceeds_after(&self, limit_mib: u32) -> Option<SimDuration> {
        let limit = f64::from(limit_mib);
        if self.baseline_mib > limit {
            return Some(SimDuration::ZERO);
        }
        (self.growth_mib_per_hour > 0.0)
            .then(|| SimDuration::from_secs_f64((limit - self.baseline_mib) / self.growth_mib_per_hour * 3600.0))
    }
}

/// How the health checks of a program that stopped answering fail (the `fail_health_checks`
/// fault's `probes`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProbeFailure {
    /// Each check is refused at once (the connection is reset, the command exits non-zero): a
    /// failure every `interval`, UNHEALTHY `retries × interval` after the fault.
    #[default]
    FailFast,
    /// Each check hangs until its `timeout` kills it, and Docker starts the next one `interval`
    /// after that: UNHEALTHY `retries × (interval + timeout)` after the fault.
    Hang,
}

impl ProbeFailure {
    /// How long after the program stops answering a container with `check` turns UNHEALTHY:
    /// the fault lands just after a check, so each of the `retries` counted failures takes an
    /// interval, plus the timeout for a hanging probe (aws-behaviour.md §1.3).
    pub fn unhealthy_after(self, check: &HealthCheck) -> SimDuration {
        let per_check = match self {
            ProbeFailure::FailFast => check.interval,
            ProbeFailure::Hang => check.interval + check.timeout,
        };
        per_check.saturating_mul(u64::from(check.retries))
    }
}

/// A container's health as Docker reports it to ECS.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Health {
    /// Still evaluating, or no health check.
    Unknown,
    Healthy,
    Unhealthy,
}

impl Health {
    pub fn as_str(self) -> &'static str {
        match self {
            Health::Unknown => "UNKNOWN",
            Health::Healthy => "HEALTHY",
            Health::Unhealthy => "UNHEALTHY",
        }
    }
}

/// The health transitions of a container whose checks begin to pass `ready` after it started
/// (never, if `ready` is `None`), as times since the start.
///
/// Docker runs the check every `interval`, the first one `interval` after the start. A check fails
/// until the program is ready; failures inside `start_period` do not count; `retries` counted
/// failures in a row make the container UNHEALTHY; any pass makes it HEALTHY (and resets the
/// count). So a slow starter with too short a start period turns UNHEALTHY first and HEALTHY
/// later — what ECS's grace period is for.
pub fn health_transitions(check: &HealthCheck, ready: Option<SimDuration>) -> Vec<(SimDuration, Health)> {
    let mut transitions = Vec::new();
    let mut failures = 0;
    let mut k = 0;
    loop {
        k += 1;
        let at = check.interval.saturating_mul(k);
        if ready.is_some_and(|r| at >= r) {
            transitions.push((at, Health::Healthy));
            return transitions;
        }
        if at >= check.start_period {
            failures += 1;
        }
        if failures == check.retries {
            transitions.push((at, Health::Unhealthy));
            // From here only a pass changes anything: jump to the first check after `ready`.
            if let Some(r) = ready {
                let first_pass = r.as_micros().div_ceil(check.interval.as_micros()).max(k + 1);
                transitions.push((check.interval.saturating_mul(first_pass), Health::Healthy));
            }
            return transitions;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(interval: u64, retries: u32, start_period: u64) -> HealthCheck {
        HealthCheck {
            command: vec!["CMD".into()],
            interval: SimDuration::from_secs(interval),
            timeout: SimDuration::from_secs(5),
            retries,
            start_period: SimDuration::from_secs(start_period),
        }
    }

    fn secs(s: u64) -> SimDuration {
        SimDuration::from_secs(s)
    }

    #[test]
    fn a_ready_program_is_healthy_at_the_first_check() {
        assert_eq!(health_transitions(&check(30, 3, 0), Some(secs(0))), vec![(secs(30), Health::Healthy)]);
    }

    #[test]
    fn a_failing_program_is_unhealthy_after_retries_checks_past_the_start_period() {
        // Checks at 10, 20, ..., s; the start period swallows those before 25 s; the 3rd counted
        // failure is the check at 50 s (30, 40, 50).
        assert_eq!(health_transitions(&check(10, 3, 25), None), vec![(secs(50), Health::Unhealthy)]);
    }

    #[test]
    fn a_slow_starter_turns_unhealthy_then_healthy() {
        // Ready at 95 s, checks every 10 s, 2 retries, no start period: fails at 10 and 20 →
        // UNHEALTHY at 20 s; first pass at the check at 100 s.
        assert_eq!(
            health_transitions(&check(10, 2, 0), Some(secs(95))),
            vec![(secs(20), Health::Unhealthy), (secs(100), Health::Healthy)]
        );
    }

    #[test]
    fn a_hanging_probe_takes_its_timeout_before_it_fails() {
        let check = HealthCheck { timeout: secs(50), ..check(5, 3, 0) };
        // Fail fast: 3 × 5 s; hanging: 3 × (5 s + 50 s), the timeout dominating.
        assert_eq!(ProbeFailure::FailFast.unhealthy_after(&check), secs(15));
        assert_eq!(ProbeFailure::Hang.unhealthy_after(&check), secs(165));
    }

    #[test]
    fn memory_growth_reaches_the_limit() {
        let use_ = MemoryUse { baseline_mib: 256.0, growth_mib_per_hour: 128.0 };
        // (512 - 256) / 128 MiB per hour = 2 h.
        assert_eq!(use_.exceeds_after(512), Some(SimDuration::from_mins(120)));
        assert_eq!(MemoryUse { growth_mib_per_hour: 0.0, ..use_ }.exceeds_after(512), None);
        assert_eq!(MemoryUse { baseline_mib: 600.0, ..use_ }.exceeds_after(512), Some(SimDuration::ZERO));
    }
}
