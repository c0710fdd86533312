//! The event queue: a 4-ary heap (`dary_heap`: half the depth of a binary one) keyed by
//! `(time, phase, seq)`.
//!
//! `seq` is a counter bumped on every push, so events at the same instant and phase run in the
//! order they were scheduled (FIFO). `phase` orders the kinds of work within one instant: first
//! the settling of continuous quantities up to the instant ([`Phase::Settle`]: what flowed
//! during the time before it, under the world as it was then), then every state change
//! ([`Phase::Act`]), then every observation ([`Phase::Observe`]), so a metrics sample sees the
//! world after all that happened at its instant, whatever the scheduling order.

use dary_heap::QuaternaryHeap;
use std::cmp::Ordering;

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

/// A min-queue of events by `(time, phase, seq)`.
pub struct EventQueue<E> {
    heap: QuaternaryHeap<Entry<E>>,
    next_seq: u64,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        EventQueue { heap: QuaternaryHeap::new(), next_seq: 0 }
    }
}

impl<E> EventQueue<E> {
    pub fn push(&mut self, time: SimTime, phase: Phase, event: E) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.heap.push(Entry::new(time, phase, seq, event));
    }

    /// The time of the earliest event, if any.
    pub fn peek_time(&self) -> Option<SimTime> {
        self.heap.peek().map(Entry::time)
    }

    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        self.heap.pop().map(|e| (e.time(), e.event))
    }

    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
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
}
