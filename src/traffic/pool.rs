//! The general request server of a task (see [`super::server`] for the model): any number of
//! workers, or processor sharing, on virtual time. The requests in service and those in their
//! I/O wait sit in binary heaps by finish point and end of wait, the waiting ones in a FIFO; a
//! request that leaves early leaves a stale entry behind, dropped when it reaches the front.
//!
//! Contract: the operations of [`super::server::Server`], exact to the microsecond; every
//! accepted request is handed back exactly once.

use std::cell::Cell;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::engine::{SimDuration, SimTime};

use super::server::{finish_instant, Admission, Concurrency, RequestId, Stage, Ticket, Virtual};
use super::tickets::Tickets;

/// The general server: any number of workers, or processor sharing.
#[derive(Clone, Debug)]
pub struct Pool {
    vcpus: f64,
    concurrency: Concurrency,
    /// The instant up to which the state and the integrals are accounted.
    clock: SimTime,
    /// Virtual time, in vCPU-seconds; reset to zero whenever nobody is in service, so it stays
    /// small and precise over long runs.
    v: f64,
    /// The requests accepted and not yet handed back.
    tickets: Tickets,
    /// In-service requests by finish point, the first to finish on top (ties by id); entries
    /// whose request left early are stale, never on top.
    finishing: BinaryHeap<Reverse<(Virtual, RequestId, u64)>>,
    serving: usize,
    /// Requests in their I/O wait by when it ends (ties by id); stale entries never on top.
    io: BinaryHeap<Reverse<(SimTime, RequestId, u64)>>,
    in_io: usize,
    cpu_seconds: f64,
    in_flight_seconds: f64,
    /// `min(1, vcpus / serving)`, kept in step with both.
    rate: f64,
    /// [`Pool::next_finish`] as of the current state, once asked: it is asked several times
    /// per request between changes (two dependent divisions each), and a change forgets it.
    finish: Cell<Option<Option<SimTime>>>,
}

impl Pool {
    pub fn new(vcpus: f64, concurrency: Concurrency) -> Self {
        Pool {
            vcpus,
            concurrency,
            clock: SimTime::ZERO,
            v: 0.0,
            tickets: Tickets::default(),
            finishing: BinaryHeap::new(),
            serving: 0,
            io: BinaryHeap::new(),
            in_io: 0,
            cpu_seconds: 0.0,
            in_flight_seconds: 0.0,
            rate: Self::rate_of(vcpus, 0),
            finish: Cell::new(None),
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
        let free = self.has_free_worker();
        if !free && self.queue_is_full() {
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
        match (self.next_finish(), self.io_end()) {
            (Some(f), Some(e)) => Some(f.min(e)),
            (f, e) => f.or(e),
        }
    }

    pub fn set_vcpus(&mut self, now: SimTime, vcpus: f64) {
        self.advance(now);
        self.vcpus = vcpus;
        self.changed();
    }

    pub fn cpu_demand(&self) -> f64 {
        self.serving as f64
    }

    pub fn pop_completed(&mut self, now: SimTime) -> Option<RequestId> {
        self.advance(now);
        self.tickets.pop_done()
    }

    pub fn abandon(&mut self, now: SimTime, ticket: Ticket) -> bool {
        self.advance(now);
        let Some(stage) = self.tickets.abandon(ticket.0) else { return false };
        match stage {
            Stage::InService => {
                self.serving -= 1;
                self.changed();
            }
            Stage::Io { .. } => self.in_io -= 1,
            _ => {}
        }
        self.drop_stale();
        if matches!(stage, Stage::InService | Stage::Io { .. }) {
            self.fill_workers(); // its worker is free
        }
        true
    }

    pub fn evict_all(&mut self, now: SimTime) -> Vec<RequestId> {
        self.advance(now);
        let ids = self.tickets.evict_all();
        self.finishing.clear();
        self.io.clear();
        (self.serving, self.in_io) = (0, 0);
        self.v = 0.0;
        self.changed();
        ids
    }

    pub fn in_flight(&self) -> u32 {
        u32::try_from(self.serving + self.in_io + self.tickets.queued()).unwrap_or(u32::MAX)
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
        self.tickets.is_empty() && self.finishing.is_empty() && self.io.is_empty()
    }

    /// Drops the entries of requests that left early from the front of the heaps (the waiting
    /// list drops its own).
    fn drop_stale(&mut self) {
        while let Some(&Reverse((_, _, t))) = self.finishing.peek() {
            if self.tickets.stage(t) == Stage::InService {
                break;
            }
            self.finishing.pop();
            self.changed();
        }
        while let Some(&Reverse((_, _, t))) = self.io.peek() {
            if matches!(self.tickets.stage(t), Stage::Io { .. }) {
                break;
            }
            self.io.pop();
        }
    }

    /// Per-request progress rate, in vCPU: `min(1, vcpus / n)`.
    fn rate(&self) -> f64 {
        debug_assert_eq!(self.rate.to_bits(), Self::rate_of(self.vcpus, self.serving).to_bits());
        self.rate
    }

    fn rate_of(vcpus: f64, serving: usize) -> f64 {
        (vcpus / serving as f64).min(1.0)
    }

    /// What the rate and the next finish are computed from moved: the rate is recomputed, the
    /// next finish forgotten.
    fn changed(&mut self) {
        self.rate = Self::rate_of(self.vcpus, self.serving);
        self.finish.set(None);
    }

    /// When the first in-service request reaches its finish point, rounded up to the
    /// microsecond: remembered until the state changes.
    fn next_finish(&self) -> Option<SimTime> {
        if let Some(known) = self.finish.get() {
            debug_assert_eq!(known, self.compute_next_finish(), "a change did not forget the next finish");
            return known;
        }
        let next = self.compute_next_finish();
        self.finish.set(Some(next));
        next
    }

    fn compute_next_finish(&self) -> Option<SimTime> {
        let &Reverse((Virtual(finish), _, _)) = self.finishing.peek()?;
        finish_instant(self.clock, self.v, self.rate(), finish)
    }

    /// When the first I/O wait ends.
    fn io_end(&self) -> Option<SimTime> {
        self.io.peek().map(|&Reverse((t, _, _))| t)
    }

    /// Brings the state to `now`, finishing requests and ending I/O waits one at a time at their
    /// own instants so the sharing rate between them is exact even if the caller arrives late (a
    /// finish before an I/O wait ending at the same instant).
    fn advance(&mut self, now: SimTime) {
        debug_assert!(now >= self.clock, "time went backwards: {now} < {}", self.clock);
        loop {
            let finish = self.next_finish().filter(|&t| t <= now);
            let io_end = self.io_end().filter(|&t| t <= now);
            match (finish, io_end) {
                (Some(f), e) if e.is_none_or(|e| f <= e) => {
                    self.run_until(f);
                    self.finish_first();
                }
                (_, Some(e)) => {
                    self.run_until(e);
                    self.end_io_wait();
                }
                _ => break,
            }
        }
        self.run_until(now);
    }

    /// The first I/O wait ends: its request starts its CPU phase.
    fn end_io_wait(&mut self) {
        let Some(Reverse((_, _, ticket))) = self.io.pop() else { return };
        let Stage::Io { work } = self.tickets.get(ticket).1 else { unreachable!("stale entries are never on top") };
        self.in_io -= 1;
        self.start(ticket, work);
        self.drop_stale();
    }

    /// Advances over a stretch where the set in service does not change.
    fn run_until(&mut self, t: SimTime) {
        if t <= self.clock {
            return; // nothing elapses: every integral and `V` stay as they are
        }
        let dt = t.since(self.clock).as_secs_f64();
        if self.serving > 0 {
            self.v += self.rate() * dt;
            self.cpu_seconds += (self.serving as f64).min(self.vcpus) * dt;
        }
        self.in_flight_seconds += f64::from(self.in_flight()) * dt;
        self.clock = t;
        self.finish.set(None);
    }

    fn finish_first(&mut self) {
        let Some(Reverse((_, _, ticket))) = self.finishing.pop() else { return };
        self.serving -= 1;
        self.changed();
        self.tickets.finished(ticket);
        self.drop_stale();
        self.fill_workers();
    }

    /// Starts waiting requests while workers are free; resets `V` when the task goes idle.
    fn fill_workers(&mut self) {
        while self.has_free_worker() {
            let Some((ticket, io_wait, work)) = self.tickets.next_waiting() else { break };
            self.begin(ticket, io_wait, work);
            self.drop_stale();
        }
        if self.serving == 0 {
            self.v = 0.0;
            self.changed();
            // Stale entries never stay on top, and none is live: no finish point V no longer measures.
            debug_assert!(self.finishing.is_empty(), "a stale entry outlived the last request in service");
        }
    }

    /// A request gets its worker: its I/O wait first, if any, then its CPU phase.
    fn begin(&mut self, ticket: u64, io_wait: SimDuration, work: SimDuration) {
        if io_wait.is_zero() {
            self.start(ticket, work);
        } else {
            let end = self.clock + io_wait;
            self.io.push(Reverse((end, self.tickets.get(ticket).0, ticket)));
            self.in_io += 1;
            self.tickets.set(ticket, Stage::Io { work });
        }
    }

    /// A request starts its CPU phase.
    fn start(&mut self, ticket: u64, work: SimDuration) {
        let finish = Virtual(self.v + work.as_secs_f64());
        self.finishing.push(Reverse((finish, self.tickets.get(ticket).0, ticket)));
        self.serving += 1;
        self.changed();
        self.tickets.set(ticket, Stage::InService);
    }

    fn has_free_worker(&self) -> bool {
        match self.concurrency {
            Concurrency::ProcessorSharing => true,
            Concurrency::Workers { count, .. } => self.serving + self.in_io < count as usize,
        }
    }

    fn queue_is_full(&self) -> bool {
        match self.concurrency {
            Concurrency::Workers { queue: Some(q), .. } => self.tickets.queued() >= q as usize,
            _ => false,
        }
    }
}
