//! A server's accepted requests by [`Ticket`](super::server::Ticket): a window of slots from the oldest request not yet
//! handed back to the newest, so a ticket finds its request by index. Both servers
//! ([`super::pool`], [`super::one_worker`]) keep their requests here.
//!
//! Contract: tickets are handed out in increasing order; a ticket handed back (or outside the
//! window) reads as [`Stage::Gone`]; memory is a slot per request since the oldest one not
//! handed back.

use std::collections::VecDeque;

use super::server::{RequestId, Stage};

#[derive(Clone, Debug, Default)]
pub struct Tickets {
    /// The requests from ticket `first` on: id and stage. The front is never `Gone`.
    slots: VecDeque<(RequestId, Stage)>,
    first: u64,
}

impl Tickets {
    /// Takes request `id` in at `stage`: its ticket.
    pub fn take(&mut self, id: RequestId, stage: Stage) -> u64 {
        let ticket = self.first + self.slots.len() as u64;
        self.slots.push_back((id, stage));
        ticket
    }

    /// The request of `ticket`, in the window.
    pub fn get(&self, ticket: u64) -> (RequestId, Stage) {
        self.slots[(ticket - self.first) as usize]
    }

    /// Moves the request of `ticket`, in the window, to `stage`.
    pub fn set(&mut self, ticket: u64, stage: Stage) {
        self.slots[(ticket - self.first) as usize].1 = stage;
    }

    /// The stage of `ticket`, `Gone` outside the window (left it, or never in it).
    pub fn stage(&self, ticket: u64) -> Stage {
        let at = ticket.checked_sub(self.first).and_then(|at| usize::try_from(at).ok());
        at.and_then(|at| self.slots.get(at)).map_or(Stage::Gone, |&(_, stage)| stage)
    }

    /// The request of `ticket` leaves; the window starts at the oldest one still here.
    pub fn hand_back(&mut self, ticket: u64) {
        self.set(ticket, Stage::Gone);
        while let Some((_, Stage::Gone)) = self.slots.front() {
            self.slots.pop_front();
            self.first += 1;
        }
    }

    /// Every request not handed back, in id order; the window is emptied.
    pub fn evict_all(&mut self) -> Vec<RequestId> {
        let mut ids: Vec<RequestId> =
            self.slots.iter().filter(|(_, stage)| *stage != Stage::Gone).map(|&(id, _)| id).collect();
        ids.sort_unstable();
        self.first += self.slots.len() as u64;
        self.slots.clear();
        ids
    }

    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }
}
