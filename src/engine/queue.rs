//! The event queue: a 4-ary heap (`dary_heap`: half the depth of a binary one) keyed by
//! `(time, phase, seq)`.
//!
//! `seq` is a counter bumped on every push, so events at the same instant and phase run in the
//! order they were scheduled (FIFO). `phase` orders the kinds of work within one instant: first
//! the settling of continuous quantities up to the instant ([`Phase::Settle`]: what flowed
//! during the time before it, under the world as it was then), then every state change
//! ([`Phase::Act`]), then every observation ([`Phase::Observe`]), so a metrics sample sees the
//! world after all that happened at its instant, whatever the scheduling order.
//!
//! # Lanes
//!
//! Events that a caller schedules in time order may keep to a *lane* beside the heap
//! ([`EventQueue::push_lane`]), a first-in, first-out queue that costs a comparison instead of a
//! heap push and pop: a traffic source's next arrival (half of a request run's events), a target
//! group's health checks (every one an interval after the last). Lanes change nothing of the
//! order: a lane event gets its `seq` like any other, and a pop takes whichever of the heap's top
//! and the earliest lane front has the smaller key. An event earlier than its lane's last, or of
//! a lane past the first [`LANES`] opened, goes to the heap instead, so a caller never has to
//! know; the lanes only make the common case cheap.

use dary_heap::QuaternaryHeap;
use std::cmp::Ordering;
use std::collections::VecDeque;

use super::SimTime;

/// Which part of an instant an event belongs to; see the module docs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Phase {
    /// Events that account for the time up to the instant (a fluid flow's interval), before
    /// anything changes at it.
    Settle,
    /// Events that change the world.
    Act,
    /// Events that only look at the world (metric samples), after every change of the instant.
    Observe,
}

/// An event and its place in the order: `(time, phase, seq)` packed into one integer (time in
/// the high 64 bits, then the phase in 2 bits, then `seq` in 62), so that a comparison in the
/// heap is one integer comparison, not three.
struct Entry<E> {
    key: u128,
    event: E,
}

/// The largest `seq` the key holds: 4.6 × 10¹⁸ pushes.
const SEQ_BITS: u32 = 62;

impl<E> Entry<E> {
    fn new(time: SimTime, phase: Phase, seq: u64, event: E) -> Self {
        assert!(seq < 1 << SEQ_BITS, "more than 2^62 events scheduled");
        let key = (u128::from(time.as_micros()) << 64) | (u128::from(phase as u8) << SEQ_BITS) | u128::from(seq);
        Entry { key, event }
    }

    fn time(&self) -> SimTime {
        SimTime::from_micros((self.key >> 64) as u64)
    }
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl<E> Eq for Entry<E> {}

/// Ordered *backwards* by key, so the max-heap pops the earliest event: each comparison is one
/// `u128` comparison, written out for the operators the heap uses (not through `Ordering`).
impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }

    fn lt(&self, other: &Self) -> bool {
        self.key > other.key
    }

    fn le(&self, other: &Self) -> bool {
        self.key >= other.key
    }

    fn gt(&self, other: &Self) -> bool {
        self.key < other.key
    }

    fn ge(&self, other: &Self) -> bool {
        self.key <= other.key
    }
}

impl<E> Ord for Entry<E> {
    fn cmp(&self, other: &Self) -> Ordering {
        other.key.cmp(&self.key)
    }
}

/// How many lanes a queue keeps beside its heap: the earliest front is found again by a scan
/// after each lane pop, so they stay few.
pub const LANES: usize = 8;

/// The key of no event: above every real one (whose top bits are a time below the end of time).
const NO_KEY: u128 = u128::MAX;

/// A lane of a queue ([`EventQueue::open_lane`]); see the module docs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lane(usize);

/// A min-queue of events by `(time, phase, seq)`.
pub struct EventQueue<E> {
    heap: QuaternaryHeap<Entry<E>>,
    /// Each lane's events, in key order; see the module docs.
    lanes: [VecDeque<Entry<E>>; LANES],
    /// The lane whose front is the earliest lane event, and its key (`NO_KEY`: all empty).
    first_lane: (usize, u128),
    /// Lanes handed out so far (past `LANES`, they are the heap).
    opened: usize,
    next_seq: u64,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        EventQueue {
            heap: QuaternaryHeap::new(),
            lanes: std::array::from_fn(|_| VecDeque::new()),
            first_lane: (0, NO_KEY),
            opened: 0,
            next_seq: 0,
        }
    }
}

impl<E> EventQueue<E> {
    pub fn push(&mut self, time: SimTime, phase: Phase, event: E) {
        let entry = self.entry(time, phase, event);
        self.heap.push(entry);
    }

    /// A new lane for events its caller schedules in time order.
    pub fn open_lane(&mut self) -> Lane {
        self.opened += 1;
        Lane(self.opened - 1)
    }

    /// Pushes an event of `lane`: at the back of the lane if it comes after the lane's last
    /// event (and the lane is one of the first `LANES`), else into the heap. The order of
    /// events is the same either way.
    pub fn push_lane(&mut self, Lane(lane): Lane, time: SimTime, phase: Phase, event: E) {
        let entry = self.entry(time, phase, event);
        match self.lanes.get_mut(lane) {
            Some(fifo) if fifo.back().is_none_or(|last| last.key < entry.key) => {
                if fifo.is_empty() && entry.key < self.first_lane.1 {
                    self.first_lane = (lane, entry.key);
                }
                fifo.push_back(entry);
            }
            _ => self.heap.push(entry),
        }
    }

    fn entry(&mut self, time: SimTime, phase: Phase, event: E) -> Entry<E> {
        let seq = self.next_seq;
        self.next_seq += 1;
        Entry::new(time, phase, seq, event)
    }

    /// The time of the earliest event, if any.
    pub fn peek_time(&self) -> Option<SimTime> {
        let heap = self.heap.peek().map_or(NO_KEY, |e| e.key);
        let key = heap.min(self.first_lane.1);
        (key != NO_KEY).then(|| SimTime::from_micros((key >> 64) as u64))
    }

    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        let (lane, lane_key) = self.first_lane;
        if lane_key == NO_KEY || self.heap.peek().is_some_and(|top| top.key < lane_key) {
            return self.heap.pop().map(|e| (e.time(), e.event));
        }
        let entry = self.lanes[lane].pop_front().expect("the first lane holds an event");
        self.first_lane = self.lanes.iter().enumerate().fold((0, NO_KEY), |first, (i, fifo)| match fifo.front() {
            Some(e) if e.key < first.1 => (i, e.key),
            _ => first,
        });
        Some((entry.time(), entry.event))
    }

    pub fn len(&self) -> usize {
        self.heap.len() + self.lanes.iter().map(VecDeque::len).sum::<usize>()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain(q: &mut EventQueue<&'static str>) -> Vec<&'static str> {
        std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect()
    }

    #[test]
    fn earlier_events_pop_first() {
        let mut q = EventQueue::default();
        q.push(SimTime::from_micros(30), Phase::Act, "c");
        q.push(SimTime::from_micros(10), Phase::Act, "a");
        q.push(SimTime::from_micros(20), Phase::Act, "b");
        assert_eq!(drain(&mut q), ["a", "b", "c"]);
    }

    #[test]
    fn simultaneous_events_run_in_scheduling_order() {
        let mut q = EventQueue::default();
        let t = SimTime::from_micros(5);
        for e in ["first", "second", "third", "fourth"] {
            q.push(t, Phase::Act, e);
        }
        assert_eq!(drain(&mut q), ["first", "second", "third", "fourth"]);
    }

    #[test]
    fn observations_run_after_every_change_of_their_instant() {
        let mut q = EventQueue::default();
        let t = SimTime::from_micros(5);
        q.push(t, Phase::Observe, "sample");
        q.push(t, Phase::Act, "change");
        q.push(SimTime::from_micros(4), Phase::Observe, "earlier sample");
        assert_eq!(drain(&mut q), ["earlier sample", "change", "sample"]);
    }

    #[test]
    fn settling_runs_before_the_changes_of_its_instant() {
        let mut q = EventQueue::default();
        let t = SimTime::from_micros(5);
        q.push(t, Phase::Observe, "sample");
        q.push(t, Phase::Act, "change");
        q.push(t, Phase::Settle, "settle");
        assert_eq!(drain(&mut q), ["settle", "change", "sample"]);
    }

    #[test]
    fn lane_events_keep_their_place_among_simultaneous_heap_events() {
        let mut q = EventQueue::default();
        let lane = q.open_lane();
        let t = SimTime::from_micros(5);
        q.push(t, Phase::Act, "first");
        q.push_lane(lane, t, Phase::Act, "second");
        q.push(t, Phase::Act, "third");
        q.push_lane(lane, SimTime::from_micros(4), Phase::Act, "earlier: to the heap");
        q.push(t, Phase::Observe, "sample");
        assert_eq!(q.len(), 5);
        assert_eq!(drain(&mut q), ["earlier: to the heap", "first", "second", "third", "sample"]);
        assert!(q.is_empty() && q.peek_time().is_none());
    }

    use proptest::prelude::*;

    proptest! {
        /// Whatever goes to which lane (more lanes than `LANES`, events out of their lane's
        /// order, pops in between), events come out exactly as from the heap alone.
        #[test]
        fn lanes_never_change_the_order(
            ops in proptest::collection::vec((0usize..LANES + 3, 0u64..50, 0u8..3, any::<bool>()), 1..300),
        ) {
            let mut with_lanes = EventQueue::default();
            let mut heap_only = EventQueue::default();
            let lanes: Vec<Lane> = (0..LANES + 3).map(|_| with_lanes.open_lane()).collect();
            let (mut now, mut n) = (0u64, 0u32);
            let phase = |p: u8| [Phase::Settle, Phase::Act, Phase::Observe][usize::from(p)];
            for (lane, delay, p, pop) in ops {
                if pop {
                    let (a, b) = (with_lanes.pop(), heap_only.pop());
                    prop_assert_eq!(a, b);
                    if let Some((t, _)) = a {
                        now = t.as_micros();
                    }
                } else {
                    let t = SimTime::from_micros(now + delay);
                    with_lanes.push_lane(lanes[lane], t, phase(p), n);
                    heap_only.push(t, phase(p), n);
                    n += 1;
                }
                prop_assert_eq!(with_lanes.len(), heap_only.len());
                prop_assert_eq!(with_lanes.peek_time(), heap_only.peek_time());
            }
            let rest = |q: &mut EventQueue<u32>| std::iter::from_fn(|| q.pop()).collect::<Vec<_>>();
            prop_assert_eq!(rest(&mut with_lanes), rest(&mut heap_only));
        }
    }
}
