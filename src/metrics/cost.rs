//! What the run would cost on AWS: EC2 instance time and Fargate task time, at the catalog's
//! us-east-1 on-demand prices (aws-behaviour.md §2.4, §3.2).

use serde::Serialize;

use crate::catalog::fargate::{FARGATE_MINIMUM_BILLED_SECONDS, FARGATE_SPOT_DISCOUNT, FARGATE_X86};
use crate::engine::{SimDuration, SimTime};
use crate::sim::World;
use crate::task::Placement;

/// EC2 billing minimum per instance (per-second billing after), UNVERIFIED.
const EC2_MINIMUM_BILLED: SimDuration = SimDuration::from_secs(60);
const FARGATE_MINIMUM_BILLED: SimDuration = SimDuration::from_secs(FARGATE_MINIMUM_BILLED_SECONDS);

/// US dollars spent, by kind of capacity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Cost {
    pub ec2: f64,
    pub fargate: f64,
    pub fargate_spot: f64,
}

impl Cost {
    pub fn total(&self) -> f64 {
        self.ec2 + self.fargate + self.fargate_spot
    }
}

fn hours(billed: SimDuration, minimum: SimDuration) -> f64 {
    billed.max(minimum).as_secs_f64() / 3600.0
}

/// Adds up instance-hours from registration, and Fargate task-hours from the start of the image
/// pull to STOPPED (or the end of the run), each with its billing minimum.
pub fn cost_of_run(world: &World, end: SimTime) -> Cost {
    let mut cost = Cost::default();
    for i in &world.instances {
        cost.ec2 += hours(end - i.registered_at, EC2_MINIMUM_BILLED) * i.instance_type.price_per_hour;
    }
    for t in &world.tasks {
        let (Placement::Fargate { spot, .. }, Some(from)) = (t.placement, t.pull_started_at) else { continue };
        let td = world.task_definition(t.task_definition);
        let hourly = FARGATE_X86.hourly_price(td.reserved_cpu(), td.reserved_memory());
        let billed = hours(t.stopped_at.unwrap_or(end) - from, FARGATE_MINIMUM_BILLED) * hourly;
        if spot {
            cost.fargate_spot += billed * (1.0 - FARGATE_SPOT_DISCOUNT);
        } else {
            cost.fargate += billed;
        }
    }
    cost
}
