//! How long the steps of a task's life take, where AWS gives no per-task number. Every value is a
//! scenario knob under `timing:`; the defaults are documented in the README with their sources.

use crate::engine::{DurationDist, SimDuration};

/// Image pull cost: a fixed latency (registry auth, manifest) plus size over throughput.
#[derive(Clone, Debug)]
pub struct ImagePull {
    pub latency: SimDuration,
    pub throughput_mb_per_s: f64,
}

impl ImagePull {
    /// Time to pull `size_mb` of images; images of one task are pulled sharing one link.
    pub fn duration(&self, size_mb: f64) -> SimDuration {
        self.latency + SimDuration::from_secs_f64(size_mb / self.throughput_mb_per_s)
    }
}

/// A growing delay: `first`, then each one `factor` times the last, never above `max`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Backoff {
    pub first: SimDuration,
    pub factor: f64,
    pub max: SimDuration,
}

impl Backoff {
    /// The delay after `last` (`None`: the first).
    pub fn next(&self, last: Option<SimDuration>) -> SimDuration {
        match last {
            None => self.first.min(self.max),
            Some(d) => SimDuration::from_secs_f64(d.as_secs_f64() * self.factor).min(self.max),
        }
    }
}

/// Lifecycle timing shared by every task of a run.
#[derive(Clone, Debug)]
pub struct LifecycleTiming {
    /// Fargate PROVISIONING: capacity and ENI for the task.
    pub fargate_provisioning: DurationDist,
    /// EC2 awsvpc tasks: attaching the task's ENI (PROVISIONING), and releasing it (DEPROVISIONING,
    /// also on Fargate).
    pub eni_attachment: DurationDist,
    pub fargate_image_pull: ImagePull,
    /// EC2 pulls; an image already on the instance is not pulled again.
    pub ec2_image_pull: ImagePull,
    /// How the service scheduler spaces out attempts while placements or launches keep failing.
    pub launch_backoff: Backoff,
    /// How long a task waits in PROVISIONING for a managed-scaling provider's capacity before it
    /// is stopped.
    pub capacity_wait_timeout: SimDuration,
    /// How long the Auto Scaling groups take to launch, notice losses and replace instances.
    pub fleet: crate::capacity::FleetTiming,
}

/// The defaults: Fargate ENI provisioning ~10 s (measured, UNVERIFIED), EC2 ENI attachment "several
/// seconds" (AWS), pulls fitted to a measured 413 MB Fargate cold start of 53-62 s (UNVERIFIED).
impl Default for LifecycleTiming {
    fn default() -> Self {
        let secs = SimDuration::from_secs;
        let uniform = |lo, hi| DurationDist::uniform(secs(lo), secs(hi)).expect("static bounds are ordered");
        LifecycleTiming {
            fargate_provisioning: uniform(5, 15),
            eni_attachment: uniform(2, 6),
            fargate_image_pull: ImagePull { latency: secs(5), throughput_mb_per_s: 12.0 },
            ec2_image_pull: ImagePull { latency: secs(2), throughput_mb_per_s: 50.0 },
            // AWS publishes only the 15-minute cap; doubling from 30 s is ecsim's choice.
            launch_backoff: Backoff { first: secs(30), factor: 2.0, max: secs(15 * 60) },
            // Cluster auto scaling keeps tasks in PROVISIONING "10-30 minutes" before stopping them.
            capacity_wait_timeout: secs(30 * 60),
            fleet: crate::capacity::FleetTiming::default(),
        }
    }
}
