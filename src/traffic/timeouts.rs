//! Request timeouts, one timer per target group (request fidelity).
//!
//! Every request a target group sends has the same timeout — its service's application timeout
//! or its load balancer's idle timeout, whichever is shorter — so deadlines come in the order
//! the requests were sent. Each group keeps them first in, first out, with one scheduled
//! `Timeouts` event at the deadline of the oldest request still in flight: answered requests are
//! dropped from the front when it fires, and one with each request sent, so the queue stays
//! near the requests since the oldest one in flight. An event per request instead kept a minute
//! of requests in the scheduler's heap (60,000 at 1,000/s), whose pops were a third of a request
//! run.
//!
//! Contract: a request still in flight at its deadline times out then, exactly as before; one
//! answered sooner costs a queue entry until it reaches the front, and nothing else.

use std::collections::VecDeque;

use crate::engine::{SimDuration, SimTime};
use crate::ids::TargetGroupId;
use crate::world::event::TrafficEvent;
use crate::world::{Ctx, Event, World};

use super::server::RequestId;
use super::stats::Failure;

/// One target group's requests awaiting their deadline, oldest first.
#[derive(Clone, Debug, Default)]
pub struct TimeoutQueue {
    pending: VecDeque<Pending>,
    /// Whether a `Timeouts` event is scheduled.
    armed: bool,
}

#[derive(Clone, Copy, Debug)]
struct Pending {
    deadline: SimTime,
    request: RequestId,
    /// How it is answered when it times out (`None`: by the application, a target 5xx).
    failure: Option<Failure>,
}

/// Request `request`, sent by `tg` now, times out after `timeout` unless answered before.
pub fn start(
    world: &mut World,
    ctx: &mut Ctx,
    tg: TargetGroupId,
    request: RequestId,
    timeout: (SimDuration, Option<Failure>),
) {
    let deadline = ctx.sched.now() + timeout.0;
    let queue = &mut world.traffic.timeouts[tg.index()];
    // An answered request leaves the front with each one sent, not only when the timer fires:
    // while the oldest requests are answered the queue does not grow, instead of holding a
    // whole timeout's worth (60,000 at 1,000/s). The timer fires when it was set either way.
    if queue.pending.front().is_some_and(|p| world.traffic.in_flight.get(&p.request).is_none()) {
        queue.pending.pop_front();
    }
    debug_assert!(queue.pending.back().is_none_or(|p| p.deadline <= deadline), "a group's timeout is constant");
    queue.pending.push_back(Pending { deadline, request, failure: timeout.1 });
    if !queue.armed {
        queue.armed = true;
        ctx.sched.at(deadline, Event::Traffic(TrafficEvent::Timeouts(tg)));
    }
}

/// The group's timer: every request still in flight whose deadline has come times out; the
/// timer is set again for the oldest request still in flight, if any.
pub fn on_timer(world: &mut World, ctx: &mut Ctx, tg: TargetGroupId) {
    let now = ctx.sched.now();
    loop {
        let queue = &mut world.traffic.timeouts[tg.index()];
        let Some(front) = queue.pending.front().copied() else {
            queue.armed = false;
            return;
        };
        let Some(task) = world.traffic.in_flight.get(&front.request).map(|r| r.task) else {
            queue.pending.pop_front();
            continue;
        };
        if front.deadline > now {
            ctx.sched.at(front.deadline, Event::Traffic(TrafficEvent::Timeouts(tg)));
            return;
        }
        queue.pending.pop_front();
        super::requests::on_timeout(world, ctx, front.request, front.failure);
        super::targets::on_request_ended(world, ctx, task);
    }
}
