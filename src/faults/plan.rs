//! The fault plan: what the scenario breaks, and when.

use crate::engine::{DurationDist, SimDuration, SimTime};
use crate::ids::{InstanceId, ProviderId, ServiceId, ZoneId};
use crate::task::ProbeFailure;

/// How many of the candidates a fault hits, drawn at random from its stream.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Amount {
    /// This many (all of them if there are fewer).
    Count(u32),
    /// This share of them, rounded up.
    Fraction(f64),
}

impl Amount {
    /// How many of `n` candidates are hit.
    pub fn of(self, n: usize) -> usize {
        match self {
            Amount::Count(c) => (c as usize).min(n),
            Amount::Fraction(f) => ((f * n as f64).ceil() as usize).min(n),
        }
    }

    /// What was asked, for the log: "2 asked", "25% asked".
    pub fn describe(self) -> String {
        match self {
            Amount::Count(n) => format!("{n} asked"),
            Amount::Fraction(f) => format!("{:.0}% asked", f * 100.0),
        }
    }
}

/// Which of a service's RUNNING tasks a fault hits.
#[derive(Clone, Debug, PartialEq)]
pub enum Victims {
    Amount(Amount),
    /// The task with this ordinal (`web-3` is ordinal 3 of service `web`).
    Task(u32),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    pub service: ServiceId,
    pub victims: Victims,
}

/// Which EC2 instances a fault hits.
#[derive(Clone, Debug, PartialEq)]
pub enum InstanceVictims {
    Amount(Amount),
    /// The instance of this id (`i-00003` is the third instance registered).
    Instance(InstanceId),
}

/// EC2 instances of Auto Scaling groups: of one `provider` and/or one `zone` if given.
#[derive(Clone, Debug, PartialEq)]
pub struct InstanceTarget {
    pub provider: Option<ProviderId>,
    pub zone: Option<ZoneId>,
    pub victims: InstanceVictims,
}

#[derive(Clone, Debug, PartialEq)]
pub enum FaultKind {
    /// Stop tasks as `aws ecs stop-task` would (SIGTERM, then SIGKILL at the stop timeout).
    StopTasks { target: Target, reason: String },
    /// An essential container exits on its own with `exit_code`: the task stops as ECS stops it then.
    CrashTasks { target: Target, exit_code: i32 },
    /// The tasks' programs stop answering their container health checks: they turn UNHEALTHY
    /// after `retries` failed checks (each failing at once, or hanging for its timeout, as
    /// `probes` says), and the service replaces them.
    FailHealthChecks { target: Target, probes: ProbeFailure },
    /// The EC2 instances fail or are terminated: their tasks stop at once, and their groups
    /// replace them once their health checks notice.
    TerminateInstances(InstanceTarget),
    /// The EC2 instances fail their status checks: no placements on them, and their groups
    /// replace them once their tolerance runs out.
    ImpairInstances(InstanceTarget),
    /// `update-container-instances-state --status DRAINING`, back to ACTIVE after `duration`
    /// (`None`: drained for the rest of the run).
    DrainInstances { target: InstanceTarget, duration: Option<SimDuration> },
    /// The zone goes down for `duration` (`None`: for the rest of the run).
    AzOutage { zone: ZoneId, duration: Option<SimDuration> },
    /// Spot capacity reclaimed from FARGATE_SPOT (its tasks) or a Spot group (its instances),
    /// with a two-minute notice; no Spot capacity can be had for `unavailable_for` afterwards.
    SpotInterruption { provider: ProviderId, amount: Amount, unavailable_for: Option<SimDuration> },
}

/// When a fault fires.
#[derive(Clone, Debug)]
pub enum Timing {
    Once(SimTime),
    /// Again and again, at intervals drawn from `interval` (e.g. exponential with the mean time
    /// between failures), from `from` until `until` (or the end of the run).
    Every {
        interval: DurationDist,
        from: SimTime,
        until: Option<SimTime>,
    },
}

#[derive(Clone, Debug)]
pub struct Fault {
    pub timing: Timing,
    pub kind: FaultKind,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_round_fractions_up_and_never_exceed_the_candidates() {
        assert_eq!(Amount::Fraction(0.4).of(6), 3, "2.4 rounds up");
        assert_eq!(Amount::Fraction(1.0).of(6), 6);
        assert_eq!(Amount::Count(5).of(3), 3);
        assert_eq!(Amount::Count(2).of(0), 0);
    }
}
