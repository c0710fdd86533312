//! A server's accepted requests by [`Ticket`](super::server::Ticket), and the two lists both
//! servers ([`super::pool`], [`super::one_worker`]) keep of them the same way: the requests
//! waiting for a worker, first in first out, and those finished but not yet handed back.
//!
//! The requests are a window of slots from the oldest one not yet handed back to the newest, so
//! a ticket finds its request by index. A waiting request that is abandoned leaves a stale entry
//! in the waiting list, dropped as soon as it reaches the front (so the front is always live).
//!
//! Contract: tickets are handed out in increasing order; a ticket handed back (or outside the
//! window) reads as [`Stage::Gone`]; memory is a slot per request since the oldest one not
//! handed back.

use std::collections::VecDeque;

use crate::engine::SimDuration;

use super::server::{RequestId, Stage};

#[derive(Clone, Debug, Default)]
pub struct Tickets {
    /// The requests from ticket `first` on: id and stage. The front is never `Gone`.
    slots: VecDeque<(RequestId, Stage)>,
    first: u64,
    /// Waiting requests' tickets, first come first; stale entries never in front.
    waiting: VecDeque<u64>,
    /// Requests waiting (the live entries of `waiting`).
    queued: usize,
    /// Finished but not yet handed back, in finishing order.
    done: VecDeque<u64>,
}

impl Tickets {
    /// Takes request `id` in at `stage`: its ticket.
    pub fn take(&mut self, id: RequestId, stage: Stage) -> u64 {
        let ticket = self.first + self.slots.len() as u64;
        self.slots.push_back((id, stage));
        ticket
    }

    /// Takes request `id` in to wait for a worker, with the I/O wait and work it needs then.
    pub fn take_waiting(&mut self, id: RequestId, io_wait: SimDuration, work: SimDuration) -> u64 {
        let ticket = self.take(id, Stage::Waiting { io_wait, work });
        self.waiting.push_back(ticket);
        self.queued += 1;
        ticket
    }

    /// The first waiting request, out of the list: its ticket, I/O wait and work.
    pub fn next_waiting(&mut self) -> Option<(u64, SimDuration, SimDuration)> {
        let ticket = self.waiting.pop_front()?;
        let Stage::Waiting { io_wait, work } = self.get(ticket).1 else {
            unreachable!("stale entries are never in front")
        };
        self.queued -= 1;
        self.drop_stale();
        Some((ticket, io_wait, work))
    }

    /// Requests waiting for a worker.
    pub fn queued(&self) -> usize {
        self.queued
    }

    /// The request of `ticket` finished: it waits to be handed back.
    pub fn finished(&mut self, ticket: u64) {
        self.set(ticket, Stage::Done);
        self.done.push_back(ticket);
    }

    /// Whether a finished request waits to be handed back.
    pub fn any_done(&self) -> bool {
        !self.done.is_empty()
    }

    /// Hands back the first finished request.
    pub fn pop_done(&mut self) -> Option<RequestId> {
        let ticket = self.done.pop_front()?;
        let id = self.get(ticket).0;
        self.hand_back(ticket);
        Some(id)
    }

    /// The request of `ticket` leaves early: the stage it left (a finished one leaves the list
    /// of finished ones, a waiting one the count of waiting ones), `None` if it was gone
    /// already. What held a worker is the caller's to free.
    pub fn abandon(&mut self, ticket: u64) -> Option<Stage> {
        let stage = self.stage(ticket);
        match stage {
            Stage::Gone => return None,
            Stage::Done => {
                let pos = self.done.iter().position(|&d| d == ticket).expect("a finished request is in `done`");
                self.done.remove(pos);
            }
            Stage::Waiting { .. } => self.queued -= 1,
            Stage::InService | Stage::Io { .. } => {}
        }
        self.hand_back(ticket);
        self.drop_stale();
        Some(stage)
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

    /// Every request not handed back, in id order; everything is emptied.
    pub fn evict_all(&mut self) -> Vec<RequestId> {
        let mut ids: Vec<RequestId> =
            self.slots.iter().filter(|(_, stage)| *stage != Stage::Gone).map(|&(id, _)| id).collect();
        ids.sort_unstable();
        self.first += self.slots.len() as u64;
        self.slots.clear();
        self.waiting.clear();
        self.queued = 0;
        self.done.clear();
        ids
    }

    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty() && self.waiting.is_empty() && self.done.is_empty()
    }

    /// The request of `ticket` leaves; the window starts at the oldest one still here.
    fn hand_back(&mut self, ticket: u64) {
        self.set(ticket, Stage::Gone);
        while let Some((_, Stage::Gone)) = self.slots.front() {
            self.slots.pop_front();
            self.first += 1;
        }
    }

    /// Drops the entries of abandoned requests from the front of the waiting list.
    fn drop_stale(&mut self) {
        while let Some(&t) = self.waiting.front() {
            if matches!(self.stage(t), Stage::Waiting { .. }) {
                break;
            }
            self.waiting.pop_front();
        }
    }
}
