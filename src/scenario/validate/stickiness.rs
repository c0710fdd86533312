//! A target group's `stickiness:` and a traffic source's `clients:`, and the rules between them:
//! `lb_cookie` with a duration of 1 s to 7 days (AWS's range), sticky target groups reached only
//! by sources with clients (without them no cookie ever comes back), and the `requests`
//! fidelity (the fluid model has no clients).

use super::checker::Checker;
use super::names::{Checked, Names};
use crate::ids::{LoadBalancerId, TargetGroupId};
use crate::scenario::path::Path;
use crate::scenario::schema::{RawStickiness, RawTraffic};
use crate::traffic::spec::{Fidelity, LoadBalancerSpec, TargetGroupSpec, TrafficSpec};
use crate::traffic::stickiness::{Stickiness, DEFAULT_COOKIE_DURATION};

/// AWS's range of `stickiness.lb_cookie.duration_seconds`: 1 second to 7 days.
const COOKIE_DURATION: (u64, u64) = (1, 604_800);
/// The most clients a source may have: the cookie table holds one per client.
const MAX_CLIENTS: i64 = 10_000_000;

/// `stickiness: { type: lb_cookie, duration: 1d }`; `Off` when absent.
pub fn check(c: &mut Checker, path: &Path, raw: Option<&RawStickiness>) -> Option<Stickiness> {
    let Some(raw) = raw else { return Some(Stickiness::Off) };
    let path = path.field("stickiness");
    let kind = match raw.kind.as_str() {
        "lb_cookie" => Some(()),
        "app_cookie" => {
            let hint = "ecsim simulates duration-based stickiness only: use `type: lb_cookie`";
            c.error(&path.field("type"), "application-based stickiness (`app_cookie`) is not modelled", Some(hint));
            None
        }
        other => {
            let hint = "an ALB target group's stickiness is `lb_cookie` (duration-based) or `app_cookie`";
            c.error(&path.field("type"), &format!("unknown stickiness type `{other}`"), Some(hint));
            None
        }
    };
    let duration = raw.duration.as_ref().map_or(Some(DEFAULT_COOKIE_DURATION), |d| {
        let path = path.field("duration");
        let d = c.duration(&path, d)?;
        let (min, max) = COOKIE_DURATION;
        let whole = d.as_micros() % 1_000_000 == 0;
        let inside = d.as_micros() >= min * 1_000_000 && d.as_micros() <= max * 1_000_000;
        if !whole || !inside {
            c.error(
                &path,
                &format!("{d} must be a whole number of seconds from 1s to 7 days"),
                Some("AWS's `stickiness.lb_cookie.duration_seconds` is 1 to 604800; the default is 1d"),
            );
            return None;
        }
        Some(d)
    });
    kind?;
    Some(Stickiness::LbCookie { duration: duration? })
}

/// A source's `clients`: 1 or more; `None` when absent.
pub fn clients(c: &mut Checker, path: &Path, raw: Option<i64>) -> Option<Option<u32>> {
    match raw {
        None => Some(None),
        Some(n) => c.int_in(&path.field("clients"), n, 1, MAX_CLIENTS).map(Some),
    }
}

/// Every sticky target group is reached only by sources with `clients`, in the `requests`
/// fidelity.
pub fn check_sticky_sources(
    c: &mut Checker,
    names: &Names,
    raw: Option<&RawTraffic>,
    balancers: &Checked<LoadBalancerId, LoadBalancerSpec>,
    groups: &Checked<TargetGroupId, TargetGroupSpec>,
) {
    let sticky = |tg: TargetGroupId| groups.get(tg).is_some_and(|g| g.config.stickiness != Stickiness::Off);
    let fluid = raw.and_then(|t| t.fidelity).unwrap_or(TrafficSpec::default().fidelity) == Fidelity::Fluid;
    if fluid && raw.is_some_and(|t| !t.sources.is_empty()) {
        for (_, spec) in groups.iter().filter(|(tg, _)| sticky(*tg)) {
            let lb = balancers.get(spec.load_balancer).map_or("", |b| b.name.as_str());
            c.error(
                &Path::root("load_balancers").key(lb).field("target_groups").key(&spec.name).field("stickiness"),
                "stickiness is simulated in the `requests` fidelity only: the fluid model has no clients",
                Some("set `traffic.fidelity: requests`, or remove `stickiness`"),
            );
        }
        return;
    }
    let Some(raw) = raw else { return };
    for (i, source) in raw.sources.iter().enumerate().filter(|(_, s)| s.clients.is_none()) {
        let Some(lb) = names.load_balancers.get(&source.to) else { continue };
        let Some(spec) = balancers.get(lb) else { continue };
        for (tg, _) in spec.target_groups.iter().filter(|(tg, _)| sticky(*tg)) {
            let tg_name = groups.get(*tg).map_or("", |g| g.name.as_str());
            c.error(
                &Path::root("traffic").field("sources").index(i),
                &format!(
                    "target group `{tg_name}` is sticky but this source has no `clients`: every request \
                     would come from a new client and stickiness would have no effect"
                ),
                Some("add `clients: N` (a fixed population of clients), or remove the target group's `stickiness`"),
            );
        }
    }
}
