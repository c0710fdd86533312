//! Duration-based sticky sessions (ALB's `lb_cookie` stickiness) of a target group: which target
//! each client's cookie names, and until when (aws-behaviour.md §9; the ALB guide, "Sticky
//! sessions for your Application Load Balancer"). Pure state: no World, no events, no I/O.
//!
//! # The rule
//!
//! A client's first request to the group goes where the group's algorithm sends it, and the
//! load balancer gives the client a cookie naming that target, valid for `duration`. A later
//! request of the same client that carries a valid cookie goes to the cookie's target, whatever
//! the algorithm would choose, as long as that target may take a request now: it is `healthy`
//! (or `unhealthy` while the group fails open), and in the client's zone with cross-zone off
//! ([`TargetGroup::sticky_pick`]). Otherwise — cookie expired, target unhealthy, draining or
//! gone — the algorithm picks a new target and the cookie is reset to it, valid for `duration`
//! from then. A stuck request changes no round-robin cursor.
//!
//! Where AWS is silent, ecsim's reading (documented in the README): the cookie's validity runs
//! from when it was issued and is **not** extended by later requests (AWS: "after this time
//! period expires, the load balancer-generated cookie is considered stale"), and a client keeps
//! its cookie jar for the whole run.
//!
//! # Clients
//!
//! Stickiness needs clients that come back: a source's `clients: N` is a fixed population, each
//! request from one of them drawn uniformly (from the source's own client stream, so no other
//! draw moves). The table holds at most one cookie per client and target group, so its memory
//! is bounded by the clients, not the requests. Only the `requests` fidelity simulates it
//! (validation refuses stickiness under `fluid`).

use std::collections::BTreeMap;

use crate::engine::{SimDuration, SimTime};
use crate::ids::{SourceId, TaskId, ZoneId};

use super::target_group::{Pick, TargetGroup};

/// ALB's default `stickiness.lb_cookie.duration_seconds`: one day.
pub const DEFAULT_COOKIE_DURATION: SimDuration = SimDuration::from_secs(86_400);

/// A target group's `stickiness.*` attributes; off by default, as on ALB.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Stickiness {
    /// Every request is routed on its own (`stickiness.enabled: false`).
    #[default]
    Off,
    /// `stickiness.type: lb_cookie`: a load-balancer cookie valid for this long (AWS: 1 s to
    /// 7 days, default 1 day).
    LbCookie { duration: SimDuration },
}

impl Stickiness {
    /// The cookie's validity, or `None` when stickiness is off.
    pub fn duration(self) -> Option<SimDuration> {
        match self {
            Stickiness::Off => None,
            Stickiness::LbCookie { duration } => Some(duration),
        }
    }
}

/// One client of one traffic source: the `index`-th of its `clients`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ClientId {
    pub source: SourceId,
    pub index: u32,
}

/// A cookie: the target it names, and when it goes stale.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cookie {
    pub target: TaskId,
    pub expires: SimTime,
}

/// The cookies a target group's load balancer has handed out, one per client at most.
#[derive(Clone, Debug, Default)]
pub struct CookieJar {
    cookies: BTreeMap<ClientId, Cookie>,
}

impl CookieJar {
    /// The client's cookie if it is still valid at `now`.
    pub fn valid(&self, client: ClientId, now: SimTime) -> Option<Cookie> {
        self.cookies.get(&client).copied().filter(|c| now < c.expires)
    }

    /// Gives the client a fresh cookie naming `target`, valid for `duration` from `now`.
    pub fn issue(&mut self, client: ClientId, target: TaskId, now: SimTime, duration: SimDuration) {
        self.cookies.insert(client, Cookie { target, expires: now + duration });
    }

    /// Cookies held: at most the number of clients.
    pub fn len(&self) -> usize {
        self.cookies.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cookies.is_empty()
    }
}

impl TargetGroup {
    /// Where a request carrying a valid cookie for `target` goes: to that target if it may take
    /// a request from `client_zone` now (see the module docs), else `None` (pick anew).
    pub fn sticky_pick(&self, target: TaskId, client_zone: ZoneId) -> Option<Pick> {
        let eligible = self.eligible_from(client_zone)?;
        let t = self.target(target)?;
        if !eligible.admits(t) {
            return None;
        }
        Some(if eligible.fail_open { Pick::FailOpen(target) } else { Pick::Target(target) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::traffic::target_group::tests::{secs, task, zone};
    use crate::traffic::target_group::TargetGroupConfig;

    fn client(n: u32) -> ClientId {
        ClientId { source: SourceId::from_index(0), index: n }
    }

    #[test]
    fn a_cookie_is_valid_for_its_duration_and_not_extended() {
        let mut jar = CookieJar::default();
        jar.issue(client(0), task(1), secs(10), SimDuration::from_secs(60));
        // Issued at 10 s for 60 s: valid up to (not at) 70 s.
        assert_eq!(jar.valid(client(0), secs(69)).map(|c| c.target), Some(task(1)));
        assert_eq!(jar.valid(client(0), secs(70)), None);
        assert_eq!(jar.valid(client(1), secs(11)), None);
        // Reissuing replaces the client's cookie: one per client.
        jar.issue(client(0), task(2), secs(80), SimDuration::from_secs(60));
        assert_eq!(jar.len(), 1);
        assert_eq!(jar.valid(client(0), secs(139)).map(|c| c.target), Some(task(2)));
    }

    #[test]
    fn only_a_target_that_may_take_the_request_keeps_its_clients() {
        let mut tg = TargetGroup::new(TargetGroupConfig::default());
        for n in 0..3 {
            tg.register(task(n), zone(0), secs(0));
            tg.record_probe(task(n), true, secs(0));
        }
        assert_eq!(tg.sticky_pick(task(1), zone(0)), Some(Pick::Target(task(1))));
        // Unhealthy (two failures) while others are healthy: the client moves.
        tg.record_probe(task(1), false, secs(30));
        tg.record_probe(task(1), false, secs(60));
        assert_eq!(tg.sticky_pick(task(1), zone(0)), None);
        // Draining, or gone: it moves too.
        tg.deregister(task(2), secs(60));
        assert_eq!(tg.sticky_pick(task(2), zone(0)), None);
        tg.remove(task(2));
        assert_eq!(tg.sticky_pick(task(2), zone(0)), None);
        // With every target unhealthy the group fails open and the cookie holds again.
        tg.record_probe(task(0), false, secs(90));
        tg.record_probe(task(0), false, secs(120));
        assert_eq!(tg.sticky_pick(task(1), zone(0)), Some(Pick::FailOpen(task(1))));
    }
}
