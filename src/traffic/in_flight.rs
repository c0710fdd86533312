//! The requests being served (request fidelity), by request id: ids are handed out in sending
//! order and every request ends within its timeout, so the table is a window of slots from the
//! oldest request still in flight to the newest, not a map to search. A B-tree's inserts and
//! removals were a tenth of a request run.
//!
//! Contract: a map's insert / get / remove for ids inserted in increasing order; memory is a
//! slot per request sent since the oldest one still in flight.

use std::collections::VecDeque;

use super::server::RequestId;
use super::state::InFlight;

#[derive(Clone, Debug, Default)]
pub struct InFlightTable {
    /// The id of `slots[0]`.
    first: u64,
    slots: VecDeque<Option<InFlight>>,
    len: usize,
}

impl InFlightTable {
    /// Adds request `id`, newer than every one added before.
    pub fn insert(&mut self, id: RequestId, request: InFlight) {
        if self.slots.is_empty() {
            self.first = id.0;
        }
        let at = usize::try_from(id.0 - self.first).expect("a window of requests fits in memory");
        debug_assert!(at >= self.slots.len(), "requests are added in id order");
        self.slots.resize(at, None);
        self.slots.push_back(Some(request));
        self.len += 1;
    }

    /// Requests in flight.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn get(&self, id: &RequestId) -> Option<&InFlight> {
        let at = id.0.checked_sub(self.first)?;
        self.slots.get(usize::try_from(at).ok()?)?.as_ref()
    }

    pub fn remove(&mut self, id: &RequestId) -> Option<InFlight> {
        let at = usize::try_from(id.0.checked_sub(self.first)?).ok()?;
        let removed = self.slots.get_mut(at)?.take();
        self.len -= usize::from(removed.is_some());
        // The oldest ended: the window starts at the next one still in flight.
        while let Some(None) = self.slots.front() {
            self.slots.pop_front();
            self.first += 1;
        }
        removed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{SimDuration, SimTime};
    use crate::ids::TaskId;
    use crate::traffic::server::{Admission, Concurrency, Server};

    fn req(n: usize) -> InFlight {
        let mut server = Server::new(1.0, Concurrency::ProcessorSharing);
        let Admission::Accepted(ticket) =
            server.arrive(SimTime::ZERO, RequestId(n as u64), SimDuration::from_micros(1))
        else {
            unreachable!("a processor-sharing server takes every request")
        };
        InFlight { task: TaskId::from_index(n), arrived: SimTime::ZERO, ticket }
    }

    #[test]
    fn behaves_as_a_map_of_increasing_ids_and_keeps_only_the_window() {
        let mut t = InFlightTable::default();
        t.insert(RequestId(3), req(3));
        t.insert(RequestId(5), req(5)); // 4 was refused and never added
        t.insert(RequestId(6), req(6));
        assert_eq!(t.get(&RequestId(4)).map(|r| r.task), None);
        assert_eq!(t.remove(&RequestId(5)).map(|r| r.task), Some(TaskId::from_index(5)));
        assert!(t.remove(&RequestId(5)).is_none(), "gone");
        assert_eq!(t.len(), 2);
        assert_eq!(t.slots.len(), 4, "3 is still in flight: the window starts there");
        assert_eq!(t.remove(&RequestId(3)).map(|r| r.task), Some(TaskId::from_index(3)));
        assert_eq!((t.first, t.slots.len()), (6, 1), "the window moved past 4 and 5");
        assert!(t.get(&RequestId(2)).is_none() && t.get(&RequestId(99)).is_none());
        assert!(t.remove(&RequestId(6)).is_some());
        t.insert(RequestId(10), req(10));
        assert_eq!(t.get(&RequestId(10)).map(|r| r.task), Some(TaskId::from_index(10)));
    }
}
