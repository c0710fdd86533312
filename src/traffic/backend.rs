//! A task seen as a load balancer target: the requests it is serving, the vCPUs it may use (its
//! instance's CPU shares, [`super::cpu_share`]), whether its application answers health checks,
//! and the bookkeeping behind its utilization metrics.

use crate::engine::{SimDuration, SimTime};
use crate::ids::{ServiceId, TargetGroupId, TaskId};

use super::cpu_share::TaskCpu;
use super::queueing::Backlog;
use super::server::{Concurrency, Server};
use super::stats::TrafficCounts;

/// A RUNNING (or draining) task registered with a target group.
///
/// Laid out as written (`repr(C)`), the fields every request reads first, then its server, then
/// the rest: a request touches a few neighbouring cache lines of it instead of fields spread over
/// all eight (2 to 3 % of the reference request workload).
#[derive(Clone, Debug)]
#[repr(C)]
pub struct Backend {
    /// Bumped whenever the pending completion event is replaced: older ones are stale.
    pub completion_version: u32,
    pub task: TaskId,
    pub service: ServiceId,
    pub target_group: TargetGroupId,
    /// The completion event pending, if any.
    pub completion_at: Option<SimTime>,
    /// Requests the load balancer sent it (request fidelity), whether it took them or not.
    pub received: u64,
    /// Its host's per-vCPU speed (1.0 = m5): a request's `cpu_time` takes `cpu_time / speed`.
    pub speed: f64,
    /// The memory limit past which the kernel kills it, MiB.
    pub limit_mib: Option<f64>,
    /// Memory the application holds without requests (its essential containers' baselines),
    /// MiB.
    pub baseline_mib: f64,
    /// The vCPUs its requests may share now: its cap while its instance has CPU to spare, its
    /// share of the instance when contended (set by [`super::cpu_share::rebalance`]).
    pub vcpus: f64,
    pub server: Server,
    /// Its instance, weight and cap, for the CPU shares.
    pub cpu: TaskCpu,
    pub concurrency: Concurrency,
    /// The vCPUs it reserves (task or containers' CPU units / 1024): CloudWatch's denominator of
    /// CPUUtilization, which therefore exceeds 100 % when the task uses idle CPU beyond them.
    pub reserved_vcpus: f64,
    /// The CPU load (vCPUs) offered to it in its load balancer's last fluid span: its demand for
    /// the CPU shares of the spans after.
    pub fluid_demand: f64,
    /// When the application first answers health checks (its slowest essential container's
    /// `ready_after`), and whether it ever does (`passes_health_checks`, no `fail_health_checks`
    /// fault).
    pub ready_at: SimTime,
    pub answering: bool,
    /// The HTTP code the application answers the load balancer's health check with, once it
    /// answers (its first essential container's `behaviour.health_check_response`).
    pub health_check_response: u16,
    /// The memory the task reserves, MiB (CloudWatch's denominator of MemoryUtilization).
    pub reserved_mib: f64,
    /// Requests the fluid model has not served yet.
    pub backlog: Backlog,
    /// Up to when its CPU and memory use are in the service's counters, and the server's
    /// cumulative readings then.
    accounted_until: SimTime,
    cpu_read: f64,
    in_flight_read: f64,
}

/// What a new backend is made of.
pub struct NewBackend {
    pub task: TaskId,
    pub service: ServiceId,
    pub target_group: TargetGroupId,
    pub cpu: TaskCpu,
    pub reserved_vcpus: f64,
    pub speed: f64,
    pub concurrency: Concurrency,
    pub ready_at: SimTime,
    pub answering: bool,
    pub health_check_response: u16,
    pub baseline_mib: f64,
    pub reserved_mib: f64,
    pub limit_mib: Option<f64>,
}

impl Backend {
    pub fn new(new: NewBackend, now: SimTime) -> Self {
        Backend {
            task: new.task,
            service: new.service,
            target_group: new.target_group,
            server: Server::new(new.cpu.cap, new.concurrency),
            concurrency: new.concurrency,
            vcpus: new.cpu.cap,
            cpu: new.cpu,
            reserved_vcpus: new.reserved_vcpus,
            fluid_demand: 0.0,
            speed: new.speed,
            ready_at: new.ready_at,
            answering: new.answering,
            health_check_response: new.health_check_response,
            baseline_mib: new.baseline_mib,
            reserved_mib: new.reserved_mib,
            limit_mib: new.limit_mib,
            completion_version: 0,
            completion_at: None,
            backlog: Backlog::default(),
            received: 0,
            accounted_until: now,
            cpu_read: 0.0,
            in_flight_read: 0.0,
        }
    }

    /// A request's CPU work at speed 1.0, as this task's host runs it: `work / speed`, to the
    /// microsecond (at least one, so a request never takes no time).
    pub fn on_host(&self, work: SimDuration) -> SimDuration {
        if self.speed == 1.0 {
            return work;
        }
        let micros = (work.as_micros() as f64 / self.speed).round() as u64;
        SimDuration::from_micros(micros.max(u64::from(work.as_micros() > 0)))
    }

    /// Whether the application answers a health check at `now`.
    pub fn passes_check(&self, now: SimTime) -> bool {
        self.answering && now >= self.ready_at
    }

    /// Whether one more request in flight would take the task past its memory limit.
    pub fn would_run_out_of_memory(&self, in_flight: f64, per_request_mib: f64) -> bool {
        self.limit_mib.is_some_and(|limit| self.baseline_mib + in_flight * per_request_mib > limit)
    }

    /// Adds the CPU and memory use since the last account to `counts` (request fidelity: read
    /// from the server's cumulative figures).
    pub fn account(&mut self, now: SimTime, per_request_mib: f64, counts: &mut TrafficCounts) {
        let cpu = self.server.cpu_seconds(now);
        let in_flight = self.server.in_flight_seconds(now);
        let (used_cpu, in_flight_seconds) = (cpu - self.cpu_read, in_flight - self.in_flight_read);
        self.cpu_read = cpu;
        self.in_flight_read = in_flight;
        self.add_use(now, used_cpu, in_flight_seconds, per_request_mib, counts);
    }

    /// Adds use measured elsewhere (fluid fidelity) over the time since the last account.
    pub fn add_use(
        &mut self,
        now: SimTime,
        cpu_seconds: f64,
        in_flight_seconds: f64,
        per_request_mib: f64,
        counts: &mut TrafficCounts,
    ) {
        let alive = now.since(self.accounted_until).as_secs_f64();
        self.accounted_until = now;
        counts.cpu_seconds += cpu_seconds;
        counts.cpu_capacity_seconds += self.reserved_vcpus * alive;
        counts.memory_mib_seconds += self.baseline_mib * alive + per_request_mib * in_flight_seconds;
        counts.memory_capacity_mib_seconds += self.reserved_mib * alive;
        counts.in_flight_seconds += in_flight_seconds;
    }

    /// The time the next completion event must come, if it changed: the caller schedules it.
    pub fn reschedule(&mut self) -> Option<(SimTime, u32)> {
        let next = self.server.next_completion();
        if next == self.completion_at {
            return None;
        }
        self.completion_at = next;
        self.completion_version = self.completion_version.wrapping_add(1);
        next.map(|at| (at, self.completion_version))
    }
}
