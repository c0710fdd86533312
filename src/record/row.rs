//! A metrics row: one service at one sampling instant, with the cost of the interval that ends
//! there and what its load balancer saw. The readers of the world (`metrics::sample`) fill it;
//! recorders write or reduce it.

use serde::{Deserialize, Serialize};

use crate::engine::SimTime;

use super::Percentiles;

/// One row of metrics.csv: a service at one sampling instant, and the cost of the interval that
/// ends there (see `metrics::bill` for how billing minimums are attributed).
#[derive(Clone, Debug, PartialEq)]
pub struct MetricsRow {
    pub time: SimTime,
    pub service: String,
    pub desired: u32,
    /// Tasks in RUNNING.
    pub running: u32,
    /// Tasks in PROVISIONING, PENDING or ACTIVATING.
    pub pending: u32,
    /// Tasks of the service that reached STOPPED since the start.
    pub stopped_total: u32,
    /// CPU units and MiB held by the service's tasks that are not yet STOPPED.
    pub cpu_reserved: u64,
    pub memory_reserved: u64,
    /// Container instances registered to the cluster (ACTIVE or DRAINING).
    pub instances: u32,
    /// The desired capacity of the cluster's Auto Scaling groups, summed: the instance layer's
    /// target, as `desired` is the task layer's.
    pub instances_desired: u32,
    /// Instances the groups are launching that have not registered yet.
    pub instances_launching: u32,
    /// CapacityProviderReservation last published for the service's capacity provider (the
    /// first of its strategy with managed scaling), percent; `None` without one.
    pub capacity_provider_reservation: Option<f64>,
    /// Cluster CPUReservation and MemoryReservation, percent (CloudWatch's definition).
    pub cluster_cpu_reservation: f64,
    pub cluster_memory_reservation: f64,
    /// USD the service's Fargate and Fargate Spot tasks were billed since the previous row (EC2
    /// instances are shared by services, so their cost is only the cluster's).
    pub service_fargate_cost: f64,
    /// USD the whole cluster was billed since the previous row, standalone tasks included; the
    /// same on every service's row of an instant.
    pub cluster_cost: Cost,
    /// What the service's load balancer and tasks saw in the interval; `None` without one.
    pub traffic: Option<TrafficRow>,
}

/// A metrics row's traffic columns for one service and interval.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TrafficRow {
    pub requests: f64,
    /// `RequestCountPerTarget`: requests over the healthy targets (all registered ones when none
    /// is healthy).
    pub requests_per_target: f64,
    /// Target response time percentiles, seconds; `None` when no target answered.
    pub response_time: Option<Percentiles>,
    pub target_5xx: f64,
    pub elb_502: f64,
    pub elb_503: f64,
    pub elb_504: f64,
    pub healthy_hosts: u32,
    pub unhealthy_hosts: u32,
    /// Percent, CloudWatch's definitions; `None` when no task ran in the interval.
    pub cpu_utilization: Option<f64>,
    pub memory_utilization: Option<f64>,
}

impl TrafficRow {
    pub fn elb_5xx(&self) -> f64 {
        self.elb_502 + self.elb_503 + self.elb_504
    }
}

/// US dollars spent, by kind of capacity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
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
