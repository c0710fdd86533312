//! The B-tree server the ticketed one replaced (ecsim 8847177), kept as the oracle of a property
//! test: the same requests, abandonments and CPU changes must give the same answers, instant for
//! instant, in both. `arrive` says whether the request was accepted.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use crate::engine::{SimDuration, SimTime};
// The server's own point type and rounding slack: the oracle differs in its storage only.
use super::{Concurrency, RequestId, Virtual, ROUNDING_SLACK_MICROS};

/// A request waiting for a worker.
#[derive(Clone, Copy, Debug)]
struct Waiting {
    seq: u64,
    io_wait: SimDuration,
    work: SimDuration,
}

/// One task's request processing. Memory is proportional to the requests in flight: nothing is
/// kept for a request once it has been handed back.
///
/// Every accepted request is handed back exactly once: by [`Server::pop_completed`],
/// [`Server::abandon`] (returning `true`) or [`Server::evict_all`].
#[derive(Clone, Debug)]
pub struct Oracle {
    vcpus: f64,
    concurrency: Concurrency,
    /// The instant up to which the state and the integrals are accounted.
    clock: SimTime,
    /// Virtual time, in vCPU-seconds; reset to zero whenever nobody is in service, so it stays
    /// small and precise over long runs.
    v: f64,
    /// In-service requests by finish point; the first finishes next (ties by id).
    finishing: BTreeSet<(Virtual, RequestId)>,
    /// The finish point of each in-service request, to find it when it is abandoned.
    finish_of: BTreeMap<RequestId, Virtual>,
    /// Waiting requests by arrival order.
    queue: BTreeMap<u64, RequestId>,
    /// Where each waiting request is in `queue`, and its work.
    waiting: BTreeMap<RequestId, Waiting>,
    /// Requests in their I/O wait (holding a worker, using no CPU) by when it ends (ties by id).
    io: BTreeSet<(SimTime, RequestId)>,
    /// When each one's I/O wait ends, and the work it needs after.
    io_of: BTreeMap<RequestId, (SimTime, SimDuration)>,
    next_seq: u64,
    /// Finished by `clock` but not yet handed back by `pop_completed`, in finishing order.
    done: VecDeque<RequestId>,
    cpu_seconds: f64,
    in_flight_seconds: f64,
}

impl Oracle {
    /// A task with `vcpus` vCPUs (task CPU units / 1024; validated > 0 elsewhere).
    pub fn new(vcpus: f64, concurrency: Concurrency) -> Self {
        Oracle {
            vcpus,
            concurrency,
            clock: SimTime::ZERO,
            v: 0.0,
            finishing: BTreeSet::new(),
            finish_of: BTreeMap::new(),
            queue: BTreeMap::new(),
            waiting: BTreeMap::new(),
            io: BTreeSet::new(),
            io_of: BTreeMap::new(),
            next_seq: 0,
            done: VecDeque::new(),
            cpu_seconds: 0.0,
            in_flight_seconds: 0.0,
        }
    }

    /// A request arrives at `now`: it starts at once if a worker is free, else waits, else (the
    /// waiting queue is full) is rejected. Once started it waits `io_wait` without CPU, then
    /// needs `work`.
    pub fn arrive_with_io(&mut self, now: SimTime, id: RequestId, io_wait: SimDuration, work: SimDuration) -> bool {
        self.advance(now);
        if self.has_free_worker() {
            self.begin(id, io_wait, work);
        } else if self.queue_is_full() {
            return false;
        } else {
            self.enqueue(id, io_wait, work);
        }
        true
    }

    /// When the server must next be woken (None if idle): the next request to finish, or the next
    /// I/O wait to end (after which [`Server::pop_completed`] may return nothing). Changes after
    /// every arrive/pop/abandon/set_vcpus. A request already found finished is due at once.
    pub fn next_completion(&self) -> Option<SimTime> {
        if !self.done.is_empty() {
            return Some(self.clock);
        }
        let io_end = self.io.first().map(|&(t, _)| t);
        match (self.next_finish(), io_end) {
            (Some(f), Some(e)) => Some(f.min(e)),
            (f, e) => f.or(e),
        }
    }

    /// The task may use `vcpus` from `now` on (its instance's CPU shares moved): the requests in
    /// service are advanced at the old rate up to `now`, then go on at the new one.
    pub fn set_vcpus(&mut self, now: SimTime, vcpus: f64) {
        self.advance(now);
        self.vcpus = vcpus;
    }

    /// The vCPUs the requests in their CPU phase could use at once: one each (as of the last
    /// call that advanced the server).
    pub fn cpu_demand(&self) -> f64 {
        self.finishing.len() as f64
    }

    /// Removes and returns one request finished by `now` (call until None).
    pub fn pop_completed(&mut self, now: SimTime) -> Option<RequestId> {
        self.advance(now);
        self.done.pop_front()
    }

    /// Drops a request (timed out, or its client gave up); true if it was here. An in-service
    /// request's worker takes the next waiting request. A request that finished at this very
    /// instant but was not yet popped counts as here: the caller decides which event won.
    pub fn abandon(&mut self, now: SimTime, id: RequestId) -> bool {
        self.advance(now);
        if let Some(pos) = self.done.iter().position(|&d| d == id) {
            self.done.remove(pos);
            return true;
        }
        if let Some(finish) = self.finish_of.remove(&id) {
            self.finishing.remove(&(finish, id));
            self.fill_workers();
            return true;
        }
        if let Some((end, _)) = self.io_of.remove(&id) {
            self.io.remove(&(end, id));
            self.fill_workers();
            return true;
        }
        match self.waiting.remove(&id) {
            Some(w) => self.queue.remove(&w.seq).is_some(),
            None => false,
        }
    }

    /// The task is gone: every request in flight (in service or queued), in id order, with any
    /// finished but not yet popped (pop first to count those as served).
    pub fn evict_all(&mut self, now: SimTime) -> Vec<RequestId> {
        self.advance(now);
        let mut ids: Vec<RequestId> = self.done.drain(..).collect();
        ids.extend(self.finish_of.keys());
        ids.extend(self.waiting.keys());
        ids.extend(self.io_of.keys());
        ids.sort_unstable();
        self.finishing.clear();
        self.finish_of.clear();
        self.queue.clear();
        self.waiting.clear();
        self.io.clear();
        self.io_of.clear();
        self.v = 0.0;
        ids
    }

    /// Requests in service (in their I/O wait or CPU phase) plus queued.
    pub fn in_flight(&self) -> u32 {
        u32::try_from(self.finishing.len() + self.io.len() + self.queue.len()).unwrap_or(u32::MAX)
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

    /// Per-request progress rate, in vCPU: `min(1, vcpus / n)`.
    fn rate(&self) -> f64 {
        let n = self.finishing.len() as f64;
        (self.vcpus / n).min(1.0)
    }

    /// When the first in-service request reaches its finish point, rounded up to the microsecond.
    fn next_finish(&self) -> Option<SimTime> {
        let &(Virtual(finish), _) = self.finishing.first()?;
        let rate = self.rate();
        if rate <= 0.0 {
            return None; // no CPU: nothing ever finishes
        }
        let micros = ((finish - self.v) / rate * 1e6 - ROUNDING_SLACK_MICROS).ceil().max(0.0);
        // `as` saturates: an absurdly long request finishes at the end of time.
        Some(self.clock + SimDuration::from_micros(micros as u64))
    }

    /// Brings the state to `now`, finishing requests and ending I/O waits one at a time at their
    /// own instants so the sharing rate between them is exact even if the caller arrives late (a
    /// finish before an I/O wait ending at the same instant).
    fn advance(&mut self, now: SimTime) {
        debug_assert!(now >= self.clock, "time went backwards: {now} < {}", self.clock);
        loop {
            let finish = self.next_finish().filter(|&t| t <= now);
            let io_end = self.io.first().map(|&(t, _)| t).filter(|&t| t <= now);
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
        if let Some((_, id)) = self.io.pop_first() {
            if let Some((_, work)) = self.io_of.remove(&id) {
                self.start(id, work);
            }
        }
    }

    /// Advances over a stretch where the set in service does not change.
    fn run_until(&mut self, t: SimTime) {
        let dt = t.since(self.clock).as_secs_f64();
        if !self.finishing.is_empty() {
            self.v += self.rate() * dt;
            self.cpu_seconds += (self.finishing.len() as f64).min(self.vcpus) * dt;
        }
        self.in_flight_seconds += f64::from(self.in_flight()) * dt;
        self.clock = self.clock.max(t);
    }

    fn finish_first(&mut self) {
        if let Some((_, id)) = self.finishing.pop_first() {
            self.finish_of.remove(&id);
            self.done.push_back(id);
            self.fill_workers();
        }
    }

    /// Starts waiting requests while workers are free; resets `V` when the task goes idle.
    fn fill_workers(&mut self) {
        while self.has_free_worker() {
            let Some((_, id)) = self.queue.pop_first() else { break };
            if let Some(w) = self.waiting.remove(&id) {
                self.begin(id, w.io_wait, w.work);
            }
        }
        if self.finishing.is_empty() {
            self.v = 0.0;
        }
    }

    /// A request gets its worker: its I/O wait first, if any, then its CPU phase.
    fn begin(&mut self, id: RequestId, io_wait: SimDuration, work: SimDuration) {
        if io_wait.is_zero() {
            self.start(id, work);
        } else {
            let end = self.clock + io_wait;
            self.io.insert((end, id));
            self.io_of.insert(id, (end, work));
        }
    }

    /// A request starts its CPU phase.
    fn start(&mut self, id: RequestId, work: SimDuration) {
        let finish = Virtual(self.v + work.as_secs_f64());
        self.finishing.insert((finish, id));
        self.finish_of.insert(id, finish);
    }

    fn enqueue(&mut self, id: RequestId, io_wait: SimDuration, work: SimDuration) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.queue.insert(seq, id);
        self.waiting.insert(id, Waiting { seq, io_wait, work });
    }

    fn has_free_worker(&self) -> bool {
        match self.concurrency {
            Concurrency::ProcessorSharing => true,
            Concurrency::Workers { count, .. } => self.finishing.len() + self.io.len() < count as usize,
        }
    }

    fn queue_is_full(&self) -> bool {
        match self.concurrency {
            Concurrency::Workers { queue: Some(q), .. } => self.queue.len() >= q as usize,
            _ => false,
        }
    }
}
