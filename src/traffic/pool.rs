//! The general request server of a task (see [`super::server`] for the model): any number of
//! workers, or processor sharing, on virtual time. The requests in service and those in their
//! I/O wait sit in binary heaps by finish point and end of wait, the waiting ones in a FIFO; a
//! request that leaves early leaves a stale entry behind, dropped when it reaches the front.
//!
//! Contract: the operations of [`super::server::Server`], exact to the microsecond; every
//! accepted request is handed back exactly once.

use std::cell::Cell;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use crate::engine::{ceil_u64, SimDuration, SimTime};

use super::server::{Admission, Concurrency, RequestId, Stage, Ticket, Virtual, ROUNDING_SLACK_MICROS};

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
    /// The requests from ticket `first` on: id and stage. The front is never `Gone`.
    slots: VecDeque<(RequestId, Stage)>,
    first: u64,
    /// In-service requests by finish point, the first to finish on top (ties by id); entries
    /// whose request left early are stale, never on top.
    finishing: BinaryHeap<Reverse<(Virtual, RequestId, u64)>>,
    serving: usize,
    /// Requests in their I/O wait by when it ends (ties by id); stale entries never on top.
    io: BinaryHeap<Reverse<(SimTime, RequestId, u64)>>,
    in_io: usize,
    /// Waiting requests' tickets, first come first; stale entries never in front.
    queue: VecDeque<u64>,
    queued: usize,
    /// Finished by `clock` but not yet handed back by `pop_completed`, in finishing order.
    done: VecDeque<u64>,
    cpu_seconds: f64,
    in_flight_seconds: f64,
    /// `min(1, vcpus / serving)`, kept in step with both.
    rate: f64,
    /// [`Server::next_finish`] as of the current state, once asked: it is asked several times
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
            slots: VecDeque::new(),
            first: 0,
            finishing: BinaryHeap::new(),
            serving: 0,
            io: BinaryHeap::new(),
            in_io: 0,
            queue: VecDeque::new(),
            queued: 0,
            done: VecDeque::new(),
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
        let ticket = self.first + self.slots.len() as u64;
        self.slots.push_back((id, Stage::Gone));
        if free {
            self.begin(ticket, io_wait, work);
        } else {
            self.set(ticket, Stage::Waiting { io_wait, work });
            self.queue.push_back(ticket);
            self.queued += 1;
        }
        Admission::Accepted(Ticket(ticket))
    }

    /// When the server must next be woken (None if idle): the next request to finish, or the next
    /// I/O wait to end (after which [`Server::pop_completed`] may return nothing). Changes after
    /// every arrive/pop/abandon/set_vcpus. A request already found finished is due at once.
    pub fn next_completion(&self) -> Option<SimTime> {
        if !self.done.is_empty() {
            return Some(self.clock);
        }
        match (self.next_finish(), self.io_end()) {
            (Some(f), Some(e)) => Some(f.min(e)),
            (f, e) => f.or(e),
        }
    }

    /// The task may use `vcpus` from `now` on (its instance's CPU shares moved): the requests in
    /// service are advanced at the old rate up to `now`, then go on at the new one.
    pub fn set_vcpus(&mut self, now: SimTime, vcpus: f64) {
        self.advance(now);
        self.vcpus = vcpus;
        self.changed();
    }

    /// The vCPUs the requests in their CPU phase could use at once: one each (as of the last
    /// call that advanced the server).
    pub fn cpu_demand(&self) -> f64 {
        self.serving as f64
    }

    /// Removes and returns one request finished by `now` (call until None).
    pub fn pop_completed(&mut self, now: SimTime) -> Option<RequestId> {
        self.advance(now);
        let ticket = self.done.pop_front()?;
        let id = self.slot(ticket).0;
        self.hand_back(ticket);
        Some(id)
    }

    /// Drops a request (timed out, or its client gave up); true if it was here. An in-service
    /// request's worker takes the next waiting request. A request that finished at this very
    /// instant but was not yet popped counts as here: the caller decides which event won.
    pub fn abandon(&mut self, now: SimTime, ticket: Ticket) -> bool {
        self.advance(now);
        let Ticket(ticket) = ticket;
        let stage = self.stage(ticket);
        match stage {
            Stage::Gone => return false,
            Stage::Done => {
                let pos = self.done.iter().position(|&d| d == ticket).expect("a finished request is in `done`");
                self.done.remove(pos);
            }
            Stage::InService => {
                self.serving -= 1;
                self.changed();
            }
            Stage::Io { .. } => self.in_io -= 1,
            Stage::Waiting { .. } => self.queued -= 1,
        }
        self.hand_back(ticket);
        self.drop_stale();
        if matches!(stage, Stage::InService | Stage::Io { .. }) {
            self.fill_workers(); // its worker is free
        }
        true
    }

    /// The task is gone: every request in flight (in service or queued), in id order, with any
    /// finished but not yet popped (pop first to count those as served).
    pub fn evict_all(&mut self, now: SimTime) -> Vec<RequestId> {
        self.advance(now);
        let mut ids: Vec<RequestId> =
            self.slots.iter().filter(|(_, stage)| *stage != Stage::Gone).map(|&(id, _)| id).collect();
        ids.sort_unstable();
        self.first += self.slots.len() as u64;
        self.slots.clear();
        self.finishing.clear();
        self.io.clear();
        self.queue.clear();
        self.done.clear();
        (self.serving, self.in_io, self.queued) = (0, 0, 0);
        self.v = 0.0;
        self.changed();
        ids
    }

    /// Requests in service (in their I/O wait or CPU phase) plus queued.
    pub fn in_flight(&self) -> u32 {
        u32::try_from(self.serving + self.in_io + self.queued).unwrap_or(u32::MAX)
    }

    /// CPU-seconds of work done since creation, up to `now` (for CloudWatch CPUUtilization).
    pub fn cpu_seconds(&mut self, now: SimTime) -> f64 {
        self.advance(now);
        self.cpu_seconds
    }

    /// Integral of in_flight over time since creation, in request-seconds, up to `now` (for
    /// Little's law and memory-utilization averages).
    pub fn in_flight_seconds(&mut self, now: SimTime) -> f64 {
        self.advance(now);
        self.in_flight_seconds
    }

    #[cfg(test)]
    pub(super) fn holds_nothing(&self) -> bool {
        self.slots.is_empty()
            && self.finishing.is_empty()
            && self.io.is_empty()
            && self.queue.is_empty()
            && self.done.is_empty()
    }

    fn slot(&self, ticket: u64) -> (RequestId, Stage) {
        self.slots[(ticket - self.first) as usize]
    }

    fn set(&mut self, ticket: u64, stage: Stage) {
        self.slots[(ticket - self.first) as usize].1 = stage;
    }

    /// The request of `ticket` leaves; the window starts at the oldest one still here.
    fn hand_back(&mut self, ticket: u64) {
        self.set(ticket, Stage::Gone);
        while let Some((_, Stage::Gone)) = self.slots.front() {
            self.slots.pop_front();
            self.first += 1;
        }
    }

    /// The stage of `ticket`, `Gone` outside the window (left it, or never in it).
    fn stage(&self, ticket: u64) -> Stage {
        let at = ticket.checked_sub(self.first).and_then(|at| usize::try_from(at).ok());
        at.and_then(|at| self.slots.get(at)).map_or(Stage::Gone, |&(_, stage)| stage)
    }

    /// Drops the entries of requests that left early from the front of the heaps and the queue.
    fn drop_stale(&mut self) {
        while let Some(&Reverse((_, _, t))) = self.finishing.peek() {
            if self.stage(t) == Stage::InService {
                break;
            }
            self.finishing.pop();
            self.changed();
        }
        while let Some(&Reverse((_, _, t))) = self.io.peek() {
            if matches!(self.stage(t), Stage::Io { .. }) {
                break;
            }
            self.io.pop();
        }
        while let Some(&t) = self.queue.front() {
            if matches!(self.stage(t), Stage::Waiting { .. }) {
                break;
            }
            self.queue.pop_front();
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
        let rate = self.rate();
        if rate <= 0.0 {
            return None; // no CPU: nothing ever finishes
        }
        // Saturating: an absurdly long request finishes at the end of time.
        let micros = ceil_u64((finish - self.v) / rate * 1e6 - ROUNDING_SLACK_MICROS);
        Some(self.clock + SimDuration::from_micros(micros))
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
        let Stage::Io { work } = self.slot(ticket).1 else { unreachable!("stale entries are never on top") };
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
        self.set(ticket, Stage::Done);
        self.done.push_back(ticket);
        self.drop_stale();
        self.fill_workers();
    }

    /// Starts waiting requests while workers are free; resets `V` when the task goes idle.
    fn fill_workers(&mut self) {
        while self.has_free_worker() {
            let Some(ticket) = self.queue.pop_front() else { break };
            let Stage::Waiting { io_wait, work } = self.slot(ticket).1 else {
                unreachable!("stale entries are never in front")
            };
            self.queued -= 1;
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
            self.io.push(Reverse((end, self.slot(ticket).0, ticket)));
            self.in_io += 1;
            self.set(ticket, Stage::Io { work });
        }
    }

    /// A request starts its CPU phase.
    fn start(&mut self, ticket: u64, work: SimDuration) {
        let finish = Virtual(self.v + work.as_secs_f64());
        self.finishing.push(Reverse((finish, self.slot(ticket).0, ticket)));
        self.serving += 1;
        self.changed();
        self.set(ticket, Stage::InService);
    }

    fn has_free_worker(&self) -> bool {
        match self.concurrency {
            Concurrency::ProcessorSharing => true,
            Concurrency::Workers { count, .. } => self.serving + self.in_io < count as usize,
        }
    }

    fn queue_is_full(&self) -> bool {
        match self.concurrency {
            Concurrency::Workers { queue: Some(q), .. } => self.queued >= q as usize,
            _ => false,
        }
    }
}
