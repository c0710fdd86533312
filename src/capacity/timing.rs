//! How long the Auto Scaling groups take to act. Every value is a scenario knob under `timing:`;
//! the defaults and their sources are in the README.

use crate::engine::{DurationDist, SimDuration};

/// The Auto Scaling groups' timing, shared by every group of a run.
#[derive(Clone, Debug)]
pub struct FleetTiming {
    /// From a group's launch of an instance to the instance's registration with ECS as ACTIVE
    /// (EC2 boot plus the agent's registration).
    pub instance_launch: DurationDist,
    /// From the loss of an instance the group did not terminate itself (a fault, a zone outage, a
    /// Spot reclaim) until the group's health checks notice and it launches a replacement.
    pub instance_loss_detection: SimDuration,
    /// How long the group's EC2 status check tolerates an impaired instance before it terminates
    /// and replaces it.
    pub impaired_instance_tolerance: SimDuration,
    /// How long an instance the group terminates to rebalance its zones drains first, at most:
    /// it is terminated as soon as no service task is left on it, or when this runs out.
    pub termination_drain_timeout: SimDuration,
}

/// The defaults: launch to ECS ACTIVE uniform 60–90 s (EC2 boot 5–30 s measured, plus the agent's
/// registration, UNVERIFIED: aws-behaviour.md §8); losses noticed after 60 s (EC2 runs its status
/// checks every minute); an impaired instance tolerated 5 minutes (ecsim's reading of AWS's "a
/// few minutes"); a rebalancing drain of at most 1 hour (the default heartbeat of an Auto Scaling
/// lifecycle hook, which managed draining relies on).
impl Default for FleetTiming {
    fn default() -> Self {
        FleetTiming {
            instance_launch: DurationDist::uniform(SimDuration::from_secs(60), SimDuration::from_secs(90))
                .expect("static bounds are ordered"),
            instance_loss_detection: SimDuration::from_secs(60),
            impaired_instance_tolerance: SimDuration::from_mins(5),
            termination_drain_timeout: SimDuration::from_mins(60),
        }
    }
}
