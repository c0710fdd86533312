//! One ECS task serving HTTP requests, event by event (the `requests` fidelity).
//!
//! Each request needs `work`: CPU time at one full vCPU, after an optional `io_wait` that takes no
//! CPU (waiting for a database, say). The requests in their CPU phase share the task's vCPUs, each
//! progressing at `min(1, vcpus / n)` vCPU with `n` of them (a single request is one thread and
//! cannot use more than one vCPU). [`Concurrency`] says how many may be in service: a request in
//! its I/O wait holds its worker. `vcpus` is what the task may use now: its instance's CPU shares
//! move it ([`Server::set_vcpus`], see [`super::cpu_share`]).
//!
//! The model runs on *virtual time*: `V(t)` is the service attained by any request that has been
//! in service since `V = 0`, and grows at the per-request rate `min(1, vcpus / n)`. A request that
//! starts at `V0` finishes when `V = V0 + work`, so one ordered set of finish points gives the next
//! completion and nothing per request is updated when `n` changes. Remaining work is always
//! recomputed from `V`, never accumulated per request, so rounding does not drift.
//!
//! Event times are whole microseconds: a completion is rounded *up* to the next microsecond so it
//! never fires before its work is done, and the state is only ever advanced to such instants.
//!
//! Storage: an accepted request gets a [`Ticket`], its place in a window of slots that runs from
//! the oldest request not yet handed back to the newest, so finding it again is an index. Two
//! implementations keep the rest: [`Pool`] (any concurrency: heaps of finish points and I/O
//! ends, a FIFO of waiting requests) and [`OneWorker`] (`workers: 1`: the one request held and
//! a FIFO), which answers exactly as a pool of one would, with a third of its instructions.
//! (Four B-trees, a third of a request run, once did the pool's work with a search per
//! operation.)

use std::cmp::Ordering;

use crate::engine::{ceil_u64, SimDuration, SimTime};

pub use super::one_worker::OneWorker;
pub use super::pool::Pool;

/// A request, named by the caller; ties between simultaneous completions fall to the smaller id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RequestId(pub u64);

/// An accepted request's place at its server, for [`Server::abandon`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ticket(pub(super) u64);

/// How many requests a task works on at once.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Concurrency {
    /// Every request in flight is in service (an async server: Node, Go, ...).
    ProcessorSharing,
    /// A fixed pool of workers (Gunicorn sync workers, a thread pool): at most `count` in service,
    /// the rest wait first in, first out; with `queue: Some(q)`, an arrival finding `q` requests
    /// waiting is rejected (a full listen backlog).
    Workers { count: u32, queue: Option<u32> },
}

/// What happened to an arriving request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Admission {
    Accepted(Ticket),
    Rejected,
}

/// Finish points within this much of "now", in microseconds, count as reached: float rounding in
/// `V` must not push a completion one microsecond later than the instant announced for it.
pub(super) const ROUNDING_SLACK_MICROS: f64 = 1e-3;

/// When a request in service at `rate` (vCPU) reaches its finish point `finish`, virtual time
/// being `v` at `clock`: rounded up to the microsecond, `None` without CPU. Both servers ask
/// this one formula, which is what keeps their instants identical.
pub(super) fn finish_instant(clock: SimTime, v: f64, rate: f64, finish: f64) -> Option<SimTime> {
    if rate <= 0.0 {
        return None; // no CPU: nothing ever finishes
    }
    // At a full vCPU (the usual rate) the division is skipped: dividing by 1.0 is exact, so
    // the instant is the same, and a division is the longest wait on this path.
    let left = if rate == 1.0 { finish - v } else { (finish - v) / rate };
    // Saturating: an absurdly long request finishes at the end of time.
    let micros = ceil_u64(left * 1e6 - ROUNDING_SLACK_MICROS);
    Some(clock + SimDuration::from_micros(micros))
}

/// A point on the virtual-time axis (vCPU-seconds), totally ordered so it can key a heap.
#[derive(Clone, Copy, Debug)]
pub(super) struct Virtual(pub(super) f64);

impl PartialEq for Virtual {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Virtual {}

impl PartialOrd for Virtual {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Virtual {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// Where an accepted request is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Stage {
    /// Waiting for a worker; the I/O wait and the work it needs once it has one.
    Waiting { io_wait: SimDuration, work: SimDuration },
    /// In its I/O wait (holding a worker, using no CPU); the work it needs after.
    Io { work: SimDuration },
    /// In its CPU phase.
    InService,
    /// Finished, not yet handed back by `pop_completed`.
    Done,
    /// Handed back: popped, abandoned or evicted.
    Gone,
}

/// One task's request processing. Memory is proportional to the requests in flight and those
/// sent after the oldest of them: nothing is kept for a request once it and every request before
/// it have been handed back.
///
/// Every accepted request is handed back exactly once: by [`Server::pop_completed`],
/// [`Server::abandon`] (returning `true`) or [`Server::evict_all`].
///
/// A single worker has its own, leaner code ([`OneWorker`]) that answers exactly as [`Pool`]
/// would; any other concurrency is a [`Pool`].
#[derive(Clone, Debug)]
pub enum Server {
    Pool(Pool),
    One(OneWorker),
}

/// Calls the method on whichever server it is.
macro_rules! either {
    ($self:ident, $s:ident => $call:expr) => {
        match $self {
            Server::Pool($s) => $call,
            Server::One($s) => $call,
        }
    };
}

impl Server {
    /// A task with `vcpus` vCPUs (task CPU units / 1024; validated > 0 elsewhere).
    pub fn new(vcpus: f64, concurrency: Concurrency) -> Self {
        match concurrency {
            Concurrency::Workers { count: 1, queue } => Server::One(OneWorker::new(vcpus, queue)),
            _ => Server::Pool(Pool::new(vcpus, concurrency)),
        }
    }

    /// A request without I/O wait arrives at `now` (see [`Server::arrive_with_io`]).
    pub fn arrive(&mut self, now: SimTime, id: RequestId, work: SimDuration) -> Admission {
        self.arrive_with_io(now, id, SimDuration::ZERO, work)
    }

    /// A request arrives at `now`: it starts at once if a worker is free, else waits, else (the
    /// waiting queue is full) is rejected. Once started it waits `io_wait` without CPU, then
    /// needs `work`.
    pub fn arrive_with_io(
        &mut self,
        now: SimTime,
        id: RequestId,
        io_wait: SimDuration,
        work: SimDuration,
    ) -> Admission {
        either!(self, s => s.arrive_with_io(now, id, io_wait, work))
    }

    /// When the server must next be woken (None if idle): the next request to finish, or the next
    /// I/O wait to end (after which [`Server::pop_completed`] may return nothing). Changes after
    /// every arrive/pop/abandon/set_vcpus. A request already found finished is due at once.
    pub fn next_completion(&self) -> Option<SimTime> {
        either!(self, s => s.next_completion())
    }

    /// The task may use `vcpus` from `now` on (its instance's CPU shares moved): the requests in
    /// service are advanced at the old rate up to `now`, then go on at the new one.
    pub fn set_vcpus(&mut self, now: SimTime, vcpus: f64) {
        either!(self, s => s.set_vcpus(now, vcpus))
    }

    /// The vCPUs the requests in their CPU phase could use at once: one each (as of the last
    /// call that advanced the server).
    pub fn cpu_demand(&self) -> f64 {
        either!(self, s => s.cpu_demand())
    }

    /// Removes and returns one request finished by `now` (call until None).
    pub fn pop_completed(&mut self, now: SimTime) -> Option<RequestId> {
        either!(self, s => s.pop_completed(now))
    }

    /// Drops a request (timed out, or its client gave up); true if it was here. An in-service
    /// request's worker takes the next waiting request. A request that finished at this very
    /// instant but was not yet popped counts as here: the caller decides which event won.
    pub fn abandon(&mut self, now: SimTime, ticket: Ticket) -> bool {
        either!(self, s => s.abandon(now, ticket))
    }

    /// The task is gone: every request in flight (in service or queued), in id order, with any
    /// finished but not yet popped (pop first to count those as served).
    pub fn evict_all(&mut self, now: SimTime) -> Vec<RequestId> {
        either!(self, s => s.evict_all(now))
    }

    /// Requests in service (in their I/O wait or CPU phase) plus queued.
    pub fn in_flight(&self) -> u32 {
        either!(self, s => s.in_flight())
    }

    /// CPU-seconds of work done since creation, up to `now` (for CloudWatch CPUUtilization).
    pub fn cpu_seconds(&mut self, now: SimTime) -> f64 {
        either!(self, s => s.cpu_seconds(now))
    }

    /// Integral of in_flight over time since creation, in request-seconds, up to `now` (for
    /// Little's law and memory-utilization averages).
    pub fn in_flight_seconds(&mut self, now: SimTime) -> f64 {
        either!(self, s => s.in_flight_seconds(now))
    }

    /// Whether nothing of any request is kept (every one handed back), for tests.
    #[cfg(test)]
    pub(super) fn holds_nothing(&self) -> bool {
        either!(self, s => s.holds_nothing())
    }
}

#[cfg(test)]
#[path = "server_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "server_oracle.rs"]
mod server_oracle;
