//! What the run would cost on AWS: EC2 instance time and Fargate task time (aws-behaviour.md §2.4,
//! §3.2), at the catalog's us-east-1 on-demand prices or the scenario's `pricing:` overrides.
//!
//! # One billing rule for the intervals and the total
//!
//! Every billed thing (an instance, a Fargate task) is a span, billed per second from its start
//! until it stops, with a minimum. [`bill`] gives the cost *accrued* by an instant; summary.json
//! is what is accrued by the end of the run, and each metrics.csv row is what was accrued by its
//! time less what was accrued by the previous row's. Accrued cost grows with the clock and an
//! instant's figure never changes as the run goes on (what happens later only adds spans that
//! accrued nothing by then), so the rows telescope: they add up to the summary's total.
//!
//! The minimum needs a rule, since a task stopped after 20 s is billed 60 s but ran only in one
//! interval: **a span accrues the seconds it actually runs, in the intervals where it runs, and
//! the minimum's remainder (minimum − run, if positive) at the instant it stops, or at the end of
//! the run if it is still running then.** A span still running at an instant before the end has
//! accrued no remainder: whether it will need one is not known yet (it may run past the minimum),
//! and a sample must not depend on the future.
//!
//! Outputs print dollars with 6 decimals. Rows are differences of accrued costs rounded to 6
//! decimals ([`Bill::since`]), not rounded differences, so the printed rows add up to the printed
//! total exactly instead of drifting by up to half a micro-dollar per row.

use std::collections::BTreeMap;

use crate::capacity::Instance;
use crate::catalog::fargate::{
    FargatePrices, FARGATE_ARM, FARGATE_MINIMUM_BILLED_SECONDS, FARGATE_SPOT_DISCOUNT, FARGATE_X86,
};
use crate::catalog::{CpuArchitecture, InstanceType, EC2_SPOT_DISCOUNT};
use crate::engine::{SimDuration, SimTime};
use crate::record::Cost;
use crate::task::{Placement, TaskDefinition, TaskOwner};
use crate::world::World;

/// EC2 billing minimum per instance (per-second billing after), UNVERIFIED.
const EC2_MINIMUM_BILLED: SimDuration = SimDuration::from_secs(60);
const FARGATE_MINIMUM_BILLED: SimDuration = SimDuration::from_secs(FARGATE_MINIMUM_BILLED_SECONDS);
const MICROS_PER_HOUR: f64 = 3_600_000_000.0;

/// The prices a run is billed at: the catalog's unless the scenario's `pricing:` overrides them
/// (another region, a later price list, a negotiated discount).
#[derive(Clone, Debug, PartialEq)]
pub struct Pricing {
    /// USD per instance-hour of the types whose price the scenario overrides, keyed by the
    /// catalog's name; every other type costs its catalog price.
    pub instance_types: BTreeMap<&'static str, f64>,
    /// Fargate on Linux/x86_64, per vCPU-hour and GB-hour.
    pub fargate: FargatePrices,
    /// Fargate on Linux/ARM64 (Graviton): tasks whose definition asks for `ARM64`.
    pub fargate_arm: FargatePrices,
    /// Fargate Spot's price is on-demand × (1 − this), in [0, 1).
    pub fargate_spot_discount: f64,
    /// EC2 Spot instances' price is on-demand × (1 − this), in [0, 1).
    pub ec2_spot_discount: f64,
}

/// The catalog's prices: us-east-1 Linux on-demand (see `crate::catalog`).
impl Default for Pricing {
    fn default() -> Self {
        Pricing {
            instance_types: BTreeMap::new(),
            fargate: FARGATE_X86,
            fargate_arm: FARGATE_ARM,
            fargate_spot_discount: FARGATE_SPOT_DISCOUNT,
            ec2_spot_discount: EC2_SPOT_DISCOUNT,
        }
    }
}

impl Pricing {
    /// USD per hour of one instance of `itype`.
    pub fn instance_hour(&self, itype: &InstanceType) -> f64 {
        self.instance_types.get(itype.name).copied().unwrap_or(itype.price_per_hour)
    }

    /// USD per hour of an EC2 instance: its type's price, less the Spot discount if it is a Spot
    /// instance.
    fn ec2_hour(&self, instance: &Instance, itype: &InstanceType) -> f64 {
        let on_demand = self.instance_hour(itype);
        if instance.spot {
            on_demand * (1.0 - self.ec2_spot_discount)
        } else {
            on_demand
        }
    }

    /// USD per hour of one Fargate task of `td`: its configured size (not what it uses) at the
    /// prices of its CPU architecture, less the Spot discount on Fargate Spot.
    pub fn fargate_hour(&self, td: &TaskDefinition, spot: bool) -> f64 {
        let prices = match td.cpu_architecture {
            Some(CpuArchitecture::Arm64) => &self.fargate_arm,
            Some(CpuArchitecture::X86_64) | None => &self.fargate,
        };
        let on_demand = prices.hourly_price(td.reserved_cpu(), td.reserved_memory());
        if spot {
            on_demand * (1.0 - self.fargate_spot_discount)
        } else {
            on_demand
        }
    }
}

/// What was billed: the cluster's bill by kind of capacity, and each service's share.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Bill {
    pub cluster: Cost,
    /// USD per service, indexed by `ServiceId`: its Fargate and Fargate Spot tasks. EC2 cost is
    /// billed per instance, which services share, so it is the cluster's only. Standalone tasks
    /// (`tasks:`) count in the cluster's figures and in no service's.
    pub services: Vec<f64>,
}

/// Something AWS bills by the second from `from` until it stops, with a minimum.
#[derive(Clone, Copy, Debug)]
struct Span {
    from: SimTime,
    /// When billing stopped; `None` while it runs.
    until: Option<SimTime>,
    minimum: SimDuration,
    usd_per_hour: f64,
}

impl Span {
    /// Billed time accrued up to and including instant `t` of a run that ends at `end` (the rule
    /// in the module docs): the time run before `t`, plus the minimum's remainder once the span
    /// has stopped by `t`, or once `t` is the end of the run.
    fn accrued(&self, t: SimTime, end: SimTime) -> SimDuration {
        let t = t.min(end);
        let stop = self.until.map(|u| u.min(end)).or((t == end).then_some(end));
        let ran = stop.map_or(t, |s| s.min(t)) - self.from;
        match stop {
            Some(s) if s <= t => ran + self.minimum.saturating_sub(s - self.from),
            _ => ran,
        }
    }

    /// USD accrued by instant `t` of a run that ends at `end`.
    fn cost_by(&self, t: SimTime, end: SimTime) -> f64 {
        self.accrued(t, end).as_micros() as f64 * self.usd_per_hour / MICROS_PER_HOUR
    }
}

/// What is billed by instant `by` of a run that ends at `end` (unrounded): instances from their
/// launch until they are terminated, Spot instances at the Spot discount, Fargate tasks from the start of their image pull (the end of PROVISIONING) to
/// STOPPED, each with its minimum (see the module docs for when the minimum is counted). Tasks
/// stopped before their pull began are not billed; tasks on instances are paid for by the
/// instance. This is the only place costs are computed: the per-interval rows and the summary
/// both call it.
///
/// It visits every instance and every task ever started, in arena order (so the float sums are
/// the same whenever they are computed), and keeps nothing between calls: a sample costs time in
/// proportion to the run's history, not memory.
pub fn bill(world: &World, pricing: &Pricing, by: SimTime, end: SimTime) -> Bill {
    let mut bill = Bill { cluster: Cost::default(), services: vec![0.0; world.services.len()] };
    // External (ECS Anywhere) instances are the owner's machines: no EC2 bill. (AWS's
    // per-instance ECS Anywhere fee is not modelled.)
    for (i, itype) in world.instances.iter().filter_map(|i| Some((i, i.instance_type?))) {
        let span = Span {
            from: i.launched_at,
            until: i.deregistered_at,
            minimum: EC2_MINIMUM_BILLED,
            usd_per_hour: pricing.ec2_hour(i, itype),
        };
        bill.cluster.ec2 += span.cost_by(by, end);
    }
    for t in &world.tasks {
        let (Placement::Fargate { spot, .. }, Some(from)) = (t.placement, t.pull_started_at) else { continue };
        let span = Span {
            from,
            until: t.stopped_at,
            minimum: FARGATE_MINIMUM_BILLED,
            usd_per_hour: pricing.fargate_hour(world.task_definition(t.task_definition), spot),
        };
        let cost = span.cost_by(by, end);
        if spot {
            bill.cluster.fargate_spot += cost;
        } else {
            bill.cluster.fargate += cost;
        }
        if let TaskOwner::Service(s) = t.owner {
            bill.services[s.index()] += cost;
        }
    }
    bill
}

/// The whole run's bill, rounded as outputs show it.
pub fn cost_of_run(world: &World, pricing: &Pricing, end: SimTime) -> Bill {
    bill(world, pricing, end, end).rounded()
}

/// Rounds dollars to 6 decimals (a micro-dollar), the precision of every output.
pub fn round_usd(x: f64) -> f64 {
    (x * 1_000_000.0).round() / 1_000_000.0
}

impl Bill {
    /// Every figure rounded to 6 decimals.
    pub fn rounded(&self) -> Bill {
        let c = &self.cluster;
        Bill {
            cluster: Cost {
                ec2: round_usd(c.ec2),
                fargate: round_usd(c.fargate),
                fargate_spot: round_usd(c.fargate_spot),
            },
            services: self.services.iter().map(|&x| round_usd(x)).collect(),
        }
    }

    /// What was billed after `earlier` (a bill of an earlier instant) until this one: the
    /// difference of both bills rounded, so that consecutive differences add up to the last bill
    /// rounded, to the micro-dollar. Services missing from `earlier` had accrued nothing.
    pub fn since(&self, earlier: &Bill) -> Bill {
        let (now, then) = (self.rounded(), earlier.rounded());
        let diff = |a: f64, b: f64| round_usd(a - b);
        Bill {
            cluster: Cost {
                ec2: diff(now.cluster.ec2, then.cluster.ec2),
                fargate: diff(now.cluster.fargate, then.cluster.fargate),
                fargate_spot: diff(now.cluster.fargate_spot, then.cluster.fargate_spot),
            },
            services: now
                .services
                .iter()
                .enumerate()
                .map(|(i, &x)| diff(x, then.services.get(i).copied().unwrap_or(0.0)))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: u64) -> SimTime {
        SimTime::ZERO + SimDuration::from_secs(secs)
    }

    /// $3.60 an hour is $0.001 a second, so costs read as seconds / 1000.
    fn span(from: u64, until: Option<u64>) -> Span {
        Span { from: at(from), until: until.map(at), minimum: SimDuration::from_secs(60), usd_per_hour: 3.6 }
    }

    fn secs(d: SimDuration) -> u64 {
        d.as_micros() / 1_000_000
    }

    #[test]
    fn runs_accrue_as_they_go_and_the_minimum_when_they_stop() {
        let short = span(10, Some(30));
        assert_eq!(secs(short.accrued(at(10), at(100))), 0);
        assert_eq!(secs(short.accrued(at(20), at(100))), 10);
        assert_eq!(secs(short.accrued(at(29), at(100))), 19);
        // Stopped at 30 after 20 s: the 40 s the minimum adds are accrued at 30.
        assert_eq!(secs(short.accrued(at(30), at(100))), 60);
        assert_eq!(secs(short.accrued(at(100), at(100))), 60);
        let long = span(0, Some(90));
        assert_eq!(secs(long.accrued(at(90), at(100))), 90, "no remainder past the minimum");
    }

    #[test]
    fn a_span_still_running_owes_its_remainder_only_at_the_end() {
        let open = span(70, None);
        assert_eq!(secs(open.accrued(at(90), at(100))), 20, "still running: the future is unknown");
        assert_eq!(secs(open.accrued(at(100), at(100))), 60, "the run ended after 30 s: billed 60");
        assert_eq!(secs(span(0, None).accrued(at(100), at(100))), 100);
    }

    #[test]
    fn rows_telescope_to_the_total() {
        let end = at(100);
        for s in [span(10, Some(30)), span(0, None), span(70, None), span(95, Some(99)), span(0, Some(0))] {
            let total = s.cost_by(end, end);
            let mut sum = s.cost_by(SimTime::ZERO, end);
            for k in 1..=10 {
                sum += s.cost_by(at(10 * k), end) - s.cost_by(at(10 * (k - 1)), end);
            }
            assert!((sum - total).abs() < 1e-12, "{s:?}: {sum} != {total}");
        }
        // Stopped at once at time 0: the row at time 0 carries the whole minimum.
        assert!((span(0, Some(0)).cost_by(SimTime::ZERO, end) - 0.06).abs() < 1e-12);
    }

    #[test]
    fn rounded_differences_add_up_to_the_rounded_total() {
        // $0.0000004 a step: rounding each step would print 0 every time; differences of rounded
        // running totals print 0.000001 every third step or so, and add up to the total.
        let bill = |usd: f64| Bill { cluster: Cost { ec2: usd, ..Cost::default() }, services: vec![usd] };
        let mut sum = 0.0;
        for k in 1..=10 {
            let row = bill(4e-7 * f64::from(k)).since(&bill(4e-7 * f64::from(k - 1)));
            assert_eq!(row.cluster.ec2, row.services[0]);
            sum += row.cluster.ec2;
        }
        assert!((sum - 0.000004).abs() < 1e-12, "{sum}");
        assert_eq!(bill(0.5).since(&Bill::default()).services, [0.5], "a new service accrued nothing before");
    }

    #[test]
    fn default_pricing_is_the_catalog() {
        let p = Pricing::default();
        let m5 = crate::catalog::instance_type("m5.large").unwrap();
        assert_eq!(p.instance_hour(m5), 0.096);
        assert_eq!(p.fargate, FARGATE_X86);
        assert_eq!(p.fargate_arm, FARGATE_ARM);
        assert_eq!(p.fargate_spot_discount, FARGATE_SPOT_DISCOUNT);
        assert_eq!(p.ec2_spot_discount, EC2_SPOT_DISCOUNT);
        let cheap = Pricing { instance_types: BTreeMap::from([("m5.large", 0.05)]), ..Pricing::default() };
        assert_eq!(cheap.instance_hour(m5), 0.05);
    }
}
