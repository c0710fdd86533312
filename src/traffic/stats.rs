//! What a service's traffic did during one metrics interval (and over the whole run): the ALB's
//! counts, the targets' response times, and the work the tasks did, from which CloudWatch's
//! CPUUtilization and MemoryUtilization follow (aws-behaviour.md §9, §10).

use crate::engine::SimDuration;
use crate::record::{Latencies, TrafficRow};

/// How a request that got no answer from its application ended, in the ALB's metric names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The target went away with the request in flight (`HTTPCode_ELB_502_Count`).
    Elb502,
    /// No target to send it to (`HTTPCode_ELB_503_Count`).
    Elb503,
    /// The target did not answer within the idle timeout (`HTTPCode_ELB_504_Count`).
    Elb504,
}

/// Counters of one service's traffic.
#[derive(Clone, Debug, Default)]
pub struct TrafficCounts {
    /// Requests the load balancer sent to a target (`RequestCount`). Fractional in the fluid
    /// fidelity, where rates are integrated over time.
    pub requests: f64,
    /// 5xx answers from the targets themselves: a full queue, the application's own timeout
    /// (`HTTPCode_Target_5XX_Count`).
    pub target_5xx: f64,
    pub elb_502: f64,
    pub elb_503: f64,
    pub elb_504: f64,
    /// Requests routed while every target was unhealthy (`UnhealthyRoutingRequestCount`).
    pub unhealthy_routing: f64,
    /// CPU-seconds of work the tasks did, and the CPU-seconds their task sizes allowed.
    pub cpu_seconds: f64,
    pub cpu_capacity_seconds: f64,
    /// MiB·seconds of memory used, and MiB·seconds reserved.
    pub memory_mib_seconds: f64,
    pub memory_capacity_mib_seconds: f64,
    /// Request·seconds in flight at the targets (its rate over time is the average number of
    /// requests in flight: the service's queue depth).
    pub in_flight_seconds: f64,
    /// Answers from targets, weighted as the latency histogram weighs them, and their response
    /// times times those weights (their ratio is `TargetResponseTime`'s average).
    pub response_weight: f64,
    pub response_weighted_seconds: f64,
}

impl TrafficCounts {
    pub fn fail(&mut self, failure: Failure, weight: f64) {
        match failure {
            Failure::Elb502 => self.elb_502 += weight,
            Failure::Elb503 => self.elb_503 += weight,
            Failure::Elb504 => self.elb_504 += weight,
        }
    }

    fn add(&mut self, other: &TrafficCounts) {
        self.requests += other.requests;
        self.target_5xx += other.target_5xx;
        self.elb_502 += other.elb_502;
        self.elb_503 += other.elb_503;
        self.elb_504 += other.elb_504;
        self.unhealthy_routing += other.unhealthy_routing;
        self.cpu_seconds += other.cpu_seconds;
        self.cpu_capacity_seconds += other.cpu_capacity_seconds;
        self.memory_mib_seconds += other.memory_mib_seconds;
        self.memory_capacity_mib_seconds += other.memory_capacity_mib_seconds;
        self.in_flight_seconds += other.in_flight_seconds;
        self.response_weight += other.response_weight;
        self.response_weighted_seconds += other.response_weighted_seconds;
    }
}

/// One service's traffic: the interval in progress and the run so far.
#[derive(Clone, Debug, Default)]
pub struct ServiceTraffic {
    pub interval: TrafficCounts,
    pub latencies: Latencies,
    pub run: TrafficCounts,
    pub run_latencies: Latencies,
    /// The fluid model's response-time points not yet in `latencies` (see [`Self::answered_spread`]).
    held: Option<Held>,
}

/// A spread of response times held while consecutive fluid steps and targets repeat it (the
/// fluid model reuses its points for minutes): recorded once, with the sum of the requests it
/// answered, when it changes or the interval closes. Recording 21 points per target and step
/// into a 190 KB histogram cost a quarter of a fluid run, and more as services multiply.
#[derive(Clone, Debug)]
struct Held {
    /// Each point's response time and histogram weight per request answered.
    points: Vec<(SimDuration, f64)>,
    completed: f64,
}

impl Held {
    /// Each point's response time and weight, rounded to whole histogram counts.
    fn weights(&self) -> impl Iterator<Item = (SimDuration, u64)> + '_ {
        self.points.iter().map(|(took, per)| (*took, (self.completed * per).round() as u64))
    }
}

impl ServiceTraffic {
    /// The run so far: the closed intervals' counters plus the open one's (what service auto
    /// scaling takes per-minute differences of, whatever the metrics interval).
    pub fn cumulative(&self) -> TrafficCounts {
        let mut total = self.run.clone();
        total.add(&self.interval);
        for (took, weight) in self.held.iter().flat_map(Held::weights) {
            total.response_weight += weight as f64;
            total.response_weighted_seconds += took.as_secs_f64() * weight as f64;
        }
        total
    }

    /// Records `completed` requests answered with the spread `points` (each point's response
    /// time and histogram weight per request), held while the next steps repeat it.
    pub fn answered_spread(&mut self, points: &[(SimDuration, f64)], completed: f64) {
        if let Some(held) = self.held.as_mut().filter(|h| h.points == points) {
            held.completed += completed;
            return;
        }
        self.record_held();
        self.held = Some(Held { points: points.to_vec(), completed });
    }

    /// Puts the held spread in the interval's histogram and counters (before anyone reads them).
    pub fn record_held(&mut self) {
        if let Some(held) = self.held.take() {
            for (took, weight) in held.weights() {
                self.answered(took, weight);
            }
        }
    }

    /// Closes the interval: its row, and its figures folded into the run's.
    pub fn close_interval(&mut self, hosts: (u32, u32), registered: u32) -> TrafficRow {
        self.record_held();
        let c = &self.interval;
        let per = if hosts.0 > 0 { hosts.0 } else { registered };
        let pct = |used: f64, capacity: f64| (capacity > 0.0).then(|| 100.0 * used / capacity);
        let row = TrafficRow {
            requests: c.requests,
            requests_per_target: if per > 0 { c.requests / f64::from(per) } else { 0.0 },
            response_time: self.latencies.percentiles(),
            target_5xx: c.target_5xx,
            elb_502: c.elb_502,
            elb_503: c.elb_503,
            elb_504: c.elb_504,
            healthy_hosts: hosts.0,
            unhealthy_hosts: hosts.1,
            cpu_utilization: pct(c.cpu_seconds, c.cpu_capacity_seconds),
            memory_utilization: pct(c.memory_mib_seconds, c.memory_capacity_mib_seconds),
        };
        self.run.add(&self.interval);
        self.run_latencies.absorb(&self.latencies);
        self.interval = TrafficCounts::default();
        self.latencies.clear();
        row
    }

    /// Records a response from a target.
    pub fn answered(&mut self, took: SimDuration, weight: u64) {
        self.latencies.record(took, weight);
        self.interval.response_weight += weight as f64;
        self.interval.response_weighted_seconds += took.as_secs_f64() * weight as f64;
    }
}
