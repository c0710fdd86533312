//! A task with a single worker (`workers: 1`: one Gunicorn sync worker, a one-thread server),
//! served by its own code instead of the general [`Pool`](super::server::Pool): at most one
//! request is in service, so no ordered set of finish points is kept, only the request the worker
//! holds, and the waiting ones in a first-in, first-out queue. A request costs a third of the
//! general server's instructions, which the reference request workload (100 one-worker targets)
//! spends most of its time in.
//!
//! Contract: every answer, instant and integral is exactly the general server's with
//! `Workers { count: 1, queue }` (the same floating-point operations in the same order: virtual
//! time `V`, its reset when the worker goes idle, the rounding up to the microsecond). The
//! property test of `server_tests` holds the two servers to the B-tree oracle on random
//! workloads.

use crate::engine::{SimDuration, SimTime};

use super::server::{finish_instant, Admission, RequestId, Stage, Ticket};
use super::tickets::Tickets;

/// What the worker is doing.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Worker {
    Idle,
    /// The I/O wait of the request of `ticket`, ending at `until`; it then needs `work`.
    Io {
        ticket: u64,
        until: SimTime,
        work: SimDuration,
    },
    /// The CPU phase of the request of `ticket`, done when `V` reaches `finish`.
    Cpu {
        ticket: u64,
        finish: f64,
    },
}

/// One task's request processing with a single worker; see the module docs.
#[derive(Clone, Debug)]
pub struct OneWorker {
    vcpus: f64,
    /// `min(1, vcpus)`: the rate of the request in its CPU phase.
    rate: f64,
    /// The most requests that may wait (a full listen backlog refuses the next), if bounded.
    queue_limit: Option<u32>,
    clock: SimTime,
    /// Virtual time (vCPU-seconds), reset to zero whenever no request is in its CPU phase.
    v: f64,
    /// The requests accepted and not yet handed back.
    tickets: Tickets,
    worker: Worker,
    cpu_seconds: f64,
    in_flight_seconds: f64,
}

impl OneWorker {
    pub fn new(vcpus: f64, queue_limit: Option<u32>) -> Self {
        OneWorker {
            vcpus,
            rate: vcpus.min(1.0),
            queue_limit,
            clock: SimTime::ZERO,
            v: 0.0,
            tickets: Tickets::default(),
            worker: Worker::Idle,
            cpu_seconds: 0.0,
            in_flight_seconds: 0.0,
        }
    }

    pub fn arrive_with_io(
        &mut self,
        now: SimTime,
        id: RequestId,
        io_wait: SimDuration,
        work: SimDuration,
    ) -> Admission {
        self.advance(now);
        let free = self.worker == Worker::Idle;
        if !free && self.queue_limit.is_some_and(|q| self.tickets.queued() >= q as usize) {
            return Admission::Rejected;
        }
        let ticket = if free {
            let ticket = self.tickets.take(id, Stage::Gone);
            self.begin(ticket, io_wait, work);
            ticket
        } else {
            self.tickets.take_waiting(id, io_wait, work)
        };
        Admission::Accepted(Ticket(ticket))
    }

    pub fn next_completion(&self) -> Option<SimTime> {
        if self.tickets.any_done() {
            return Some(self.clock);
        }
        match self.worker {
            Worker::Idle => None,
            Worker::Io { until, .. } => Some(until),
            Worker::Cpu { finish, .. } => self.finish_time(finish),
        }
    }

    pub fn set_vcpus(&mut self, now: SimTime, vcpus: f64) {
        self.advance(now);
        self.vcpus = vcpus;
        self.rate = vcpus.min(1.0);
    }

    pub fn cpu_demand(&self) -> f64 {
        self.serving() as f64
    }

    pub fn pop_completed(&mut self, now: SimTime) -> Option<RequestId> {
        self.advance(now);
        self.tickets.pop_done()
    }

    pub fn abandon(&mut self, now: SimTime, Ticket(ticket): Ticket) -> bool {
        self.advance(now);
        let Some(stage) = self.tickets.abandon(ticket) else { return false };
        if matches!(stage, Stage::InService | Stage::Io { .. }) {
            self.worker = Worker::Idle;
            self.fill_worker();
        }
        true
    }

    pub fn evict_all(&mut self, now: SimTime) -> Vec<RequestId> {
        self.advance(now);
        let ids = self.tickets.evict_all();
        self.worker = Worker::Idle;
        self.v = 0.0;
        ids
    }

    pub fn in_flight(&self) -> u32 {
        let held = usize::from(self.worker != Worker::Idle);
        u32::try_from(held + self.tickets.queued()).unwrap_or(u32::MAX)
    }

    pub fn cpu_seconds(&mut self, now: SimTime) -> f64 {
        self.advance(now);
        self.cpu_seconds
    }

    pub fn in_flight_seconds(&mut self, now: SimTime) -> f64 {
        self.advance(now);
        self.in_flight_seconds
    }

    #[cfg(test)]
    pub(super) fn holds_nothing(&self) -> bool {
        self.tickets.is_empty() && self.worker == Worker::Idle
    }

    /// Requests in their CPU phase: 0 or 1.
    fn serving(&self) -> usize {
        usize::from(matches!(self.worker, Worker::Cpu { .. }))
    }

    /// When `V` reaches `finish` (the general server's formula).
    fn finish_time(&self, finish: f64) -> Option<SimTime> {
        finish_instant(self.clock, self.v, self.rate, finish)
    }

    fn advance(&mut self, now: SimTime) {
        debug_assert!(now >= self.clock, "time went backwards: {now} < {}", self.clock);
        loop {
            match self.worker {
                Worker::Cpu { ticket, finish } => match self.finish_time(finish) {
                    Some(f) if f <= now => {
                        self.run_until(f);
                        self.finish(ticket);
                    }
                    _ => break,
                },
                Worker::Io { ticket, until, work } if until <= now => {
                    self.run_until(until);
                    self.start(ticket, work);
                }
                _ => break,
            }
        }
        self.run_until(now);
    }

    fn run_until(&mut self, t: SimTime) {
        if t <= self.clock {
            return;
        }
        let dt = t.since(self.clock).as_secs_f64();
        if self.serving() > 0 {
            self.v += self.rate * dt;
            self.cpu_seconds += 1f64.min(self.vcpus) * dt;
        }
        self.in_flight_seconds += f64::from(self.in_flight()) * dt;
        self.clock = t;
    }

    fn finish(&mut self, ticket: u64) {
        self.worker = Worker::Idle;
        self.tickets.finished(ticket);
        self.fill_worker();
    }

    /// The worker, if free, takes the first waiting request; `V` restarts when nothing is in
    /// its CPU phase.
    fn fill_worker(&mut self) {
        if self.worker == Worker::Idle {
            if let Some((ticket, io_wait, work)) = self.tickets.next_waiting() {
                self.begin(ticket, io_wait, work);
            }
        }
        if self.serving() == 0 {
            self.v = 0.0;
        }
    }

    fn begin(&mut self, ticket: u64, io_wait: SimDuration, work: SimDuration) {
        if io_wait.is_zero() {
            self.start(ticket, work);
        } else {
            self.worker = Worker::Io { ticket, until: self.clock + io_wait, work };
            self.tickets.set(ticket, Stage::Io { work });
        }
    }

    fn start(&mut self, ticket: u64, work: SimDuration) {
        self.worker = Worker::Cpu { ticket, finish: self.v + work.as_secs_f64() };
        self.tickets.set(ticket, Stage::InService);
    }
}
