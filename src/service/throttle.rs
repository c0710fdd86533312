//! Holding a service's launches back while they keep failing (aws-behaviour.md §6.3).
//!
//! Contract: two throttles share one back-off shape (`timing.launch_backoff`: the first gap,
//! then each gap `factor` times the last, never above the maximum), and each says "unable to
//! consistently start tasks successfully" exactly when its gap first grows — once per run of
//! failures, not at every failure:
//!
//! - [`LaunchBackoff`]: a task stopped before it ever reached RUNNING. No task starts until the
//!   gap has passed; failures while launches are held back count as one (they were started
//!   together). A task reaching RUNNING resets the gap, a new deployment resets it and lifts the
//!   hold at once (ECS resets it for a new task definition).
//! - [`PlacementRetry`]: a task could not be placed. One retry is scheduled at a time, the gap
//!   between retries growing while placements keep failing; until capacity changes or the retry
//!   fires, no other look tries to place again. A task placed resets the gap.

use crate::engine::{SimDuration, SimTime};
use crate::ids::ServiceId;
use crate::placement::Unplaced;
use crate::record::EventKind;
use crate::task::Backoff;
use crate::world::event::ServiceEvent;
use crate::world::{Ctx, Event, World};

use super::{reconcile, wording};

/// A service's two throttles.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Throttle {
    pub launches: LaunchBackoff,
    pub placement: PlacementRetry,
}

/// The gap after `last` (which it becomes), and whether the gap grows for the first time (ECS's
/// throttling event is said then).
fn next_gap(backoff: &Backoff, last: &mut Option<SimDuration>) -> (SimDuration, bool) {
    let grows_first_time = *last == Some(backoff.first);
    let gap = backoff.next(*last);
    *last = Some(gap);
    (gap, grows_first_time)
}

/// Launch-failure throttling: the current gap between launches, once tasks stopped before
/// reaching RUNNING; no task starts before `blocked_until`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LaunchBackoff {
    gap: Option<SimDuration>,
    blocked_until: SimTime,
}

impl LaunchBackoff {
    /// When launches may start again, if they are held back at `now`.
    pub fn holds_until(&self, now: SimTime) -> Option<SimTime> {
        (now < self.blocked_until).then_some(self.blocked_until)
    }

    /// A task stopped at `now` before it ever ran: launches are held back for the next gap,
    /// unless they already are. Returns whether the throttling event is due.
    pub fn failed(&mut self, now: SimTime, backoff: &Backoff) -> bool {
        if self.holds_until(now).is_some() {
            return false;
        }
        let (gap, say) = next_gap(backoff, &mut self.gap);
        self.blocked_until = now + gap;
        say
    }

    /// A task reached RUNNING: the next failure starts from the first gap again.
    pub fn ran(&mut self) {
        self.gap = None;
    }

    /// A new deployment: the gap starts afresh and launches may start at once.
    pub fn restart(&mut self, now: SimTime) {
        self.gap = None;
        self.blocked_until = now;
    }
}

/// Whether a placement retry is scheduled, and whether the last placement failed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Retry {
    /// No retry is scheduled: placements may be tried.
    #[default]
    Idle,
    /// A retry is scheduled, and a placement worked since the last failure.
    Scheduled,
    /// A retry is scheduled and the last placement failed when `World::capacity_changes` was
    /// this: until capacity changes, only the retry tries again (and says so again).
    Unplaceable { capacity_changes: u64 },
}

/// Retrying placements that failed: the gap before the next retry, `None` while placements work.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PlacementRetry {
    gap: Option<SimDuration>,
    retry: Retry,
}

impl PlacementRetry {
    /// Whether placing is pointless now: the last placement failed and capacity has not changed.
    pub fn waits_for_capacity(&self, capacity_changes: u64) -> bool {
        self.retry == Retry::Unplaceable { capacity_changes }
    }

    /// Whether the last placement failed and a retry is scheduled: room freed anywhere is worth
    /// a look before the retry.
    pub fn waits(&self) -> bool {
        matches!(self.retry, Retry::Unplaceable { .. })
    }

    /// A task was placed: the gap starts afresh (a scheduled retry still comes).
    pub fn placed(&mut self) {
        self.gap = None;
        if let Retry::Unplaceable { .. } = self.retry {
            self.retry = Retry::Scheduled;
        }
    }

    /// A placement failed: returns the gap to schedule a retry after, and whether the throttling
    /// event is due, unless a retry is already scheduled.
    pub fn failed(&mut self, capacity_changes: u64, backoff: &Backoff) -> Option<(SimDuration, bool)> {
        let scheduled = self.retry != Retry::Idle;
        self.retry = Retry::Unplaceable { capacity_changes };
        (!scheduled).then(|| next_gap(backoff, &mut self.gap))
    }

    /// The scheduled retry is due: placements may be tried again.
    pub fn due(&mut self) {
        self.retry = Retry::Idle;
    }
}

/// Whether new tasks are held back at `now`: by launch-failure throttling (then the service
/// looks again when it ends), or because the last placement failed and capacity has not changed
/// since (then the scheduled retry looks again).
pub(super) fn throttled(world: &mut World, ctx: &mut Ctx, id: ServiceId) -> bool {
    let svc = world.services.get(id);
    if let Some(until) = svc.throttle.launches.holds_until(ctx.sched.now()) {
        reconcile::wake_at(world, ctx, id, until);
        return true;
    }
    svc.throttle.placement.waits_for_capacity(world.capacity_changes)
}

/// A task stopped before it ever ran: the gap before the next launch grows.
pub(super) fn launch_failed(world: &mut World, ctx: &mut Ctx, id: ServiceId) {
    let now = ctx.sched.now();
    let svc = world.services.get_mut(id);
    if svc.throttle.launches.failed(now, &ctx.timing.launch_backoff) {
        say_throttled(ctx, &svc.spec.name);
    }
}

/// ECS's service event for a task it could not place, then a retry after the placement gap.
pub(super) fn report_unplaceable(world: &mut World, ctx: &mut Ctx, id: ServiceId, why: Unplaced) {
    let name = world.services.get(id).spec.name.clone();
    let message = wording::unable_to_place(&name, &why, |i| world.instances.get(i).label());
    ctx.log(EventKind::ServiceTaskPlacementFailure).service(name.clone()).message(message).emit();
    let changes = world.capacity_changes;
    let svc = world.services.get_mut(id);
    svc.stats.placement_failures += 1;
    let Some((gap, say)) = svc.throttle.placement.failed(changes, &ctx.timing.launch_backoff) else { return };
    if say {
        say_throttled(ctx, &name);
    }
    ctx.sched.after(gap, Event::Service(ServiceEvent::RetryPlacement(id)));
}

fn say_throttled(ctx: &mut Ctx, service: &str) {
    let message = wording::unable_to_consistently_start(service);
    ctx.log(EventKind::ServiceTaskStartThrottled).service(service).message(message).emit();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::testing::{self, fargate, harness, run_until, web};

    /// The default shape: 30 s, doubling, at most 15 min.
    const BACKOFF: Backoff =
        Backoff { first: SimDuration::from_secs(30), factor: 2.0, max: SimDuration::from_secs(15 * 60) };

    fn at(secs: u64) -> SimTime {
        SimTime::ZERO + SimDuration::from_secs(secs)
    }

    #[test]
    fn launch_failures_hold_launches_back_ever_longer_and_say_so_once() {
        let mut b = LaunchBackoff::default();
        let mut now = at(0);
        let mut holds = Vec::new();
        let mut said = Vec::new();
        for _ in 0..8 {
            said.push(b.failed(now, &BACKOFF));
            let until = b.holds_until(now).expect("held back");
            holds.push(until.since(now).as_secs_f64());
            now = until;
        }
        // 30 s doubling: 30, 60, 120, 240, 480, then capped at 900.
        assert_eq!(holds, [30.0, 60.0, 120.0, 240.0, 480.0, 900.0, 900.0, 900.0]);
        // Said when the gap first grows (30 s → 60 s), and never again in the run.
        assert_eq!(said, [false, true, false, false, false, false, false, false]);
    }

    #[test]
    fn failures_while_held_back_count_as_one() {
        let mut b = LaunchBackoff::default();
        b.failed(at(0), &BACKOFF);
        assert!(!b.failed(at(10), &BACKOFF));
        assert!(!b.failed(at(29), &BACKOFF));
        assert_eq!(b.holds_until(at(29)), Some(at(30)), "the hold did not grow");
        assert_eq!(b.holds_until(at(30)), None);
    }

    #[test]
    fn a_running_task_resets_the_gap_and_a_deployment_lifts_the_hold() {
        let mut b = LaunchBackoff::default();
        b.failed(at(0), &BACKOFF);
        b.failed(at(30), &BACKOFF); // 60 s
        b.ran();
        assert!(!b.failed(at(90), &BACKOFF), "the first gap again: nothing said");
        assert_eq!(b.holds_until(at(90)), Some(at(120)));
        b.restart(at(100));
        assert_eq!(b.holds_until(at(100)), None);
        // After a second failure of the new run the event is due again.
        b.failed(at(100), &BACKOFF);
        assert!(b.failed(at(130), &BACKOFF));
    }

    #[test]
    fn one_placement_retry_at_a_time_with_a_growing_gap() {
        let mut r = PlacementRetry::default();
        assert_eq!(r.failed(7, &BACKOFF), Some((SimDuration::from_secs(30), false)));
        assert!(r.waits_for_capacity(7));
        assert!(!r.waits_for_capacity(8), "capacity changed: worth trying again");
        assert_eq!(r.failed(8, &BACKOFF), None, "a retry is already scheduled");
        r.due();
        assert!(!r.waits_for_capacity(8));
        // Still failing: the gap grows, and the event is said once.
        assert_eq!(r.failed(8, &BACKOFF), Some((SimDuration::from_secs(60), true)));
        r.due();
        assert_eq!(r.failed(8, &BACKOFF), Some((SimDuration::from_secs(120), false)));
    }

    #[test]
    fn a_placed_task_resets_the_gap_but_keeps_the_retry() {
        let mut r = PlacementRetry::default();
        r.failed(1, &BACKOFF);
        r.due();
        r.failed(1, &BACKOFF); // 60 s
        r.placed();
        assert!(!r.waits_for_capacity(1), "placements work again");
        assert_eq!(r.failed(1, &BACKOFF), None, "the scheduled retry still comes");
        r.due();
        assert_eq!(r.failed(1, &BACKOFF), Some((SimDuration::from_secs(30), false)));
    }

    #[test]
    fn an_unplaceable_service_retries_after_a_growing_gap_and_says_it_once() {
        let yaml = r#"
duration: 1h
zones: [us-east-1a]
task_definitions:
  t: { container_definitions: [{ name: t, image: t, cpu: 256, memory: 256 }] }
services:
  web: { task_definition: t, desired_count: 1, launch_type: EC2 }
"#;
        let mut h = harness(yaml);
        h.act(|world, ctx| super::super::on_event(world, ctx, ServiceEvent::Reconcile(web())));
        let mut retries = Vec::new();
        for _ in 0..4 {
            let (when, event) = h.next_event(testing::at(3600)).expect("a retry is scheduled");
            let Event::Service(event) = event else { panic!("{event:?}") };
            assert_eq!(event, ServiceEvent::RetryPlacement(web()));
            retries.push(when.as_secs_f64());
            // A look before the retry does not try again: capacity has not changed.
            h.act(|world, ctx| super::super::on_event(world, ctx, ServiceEvent::Reconcile(web())));
            h.act(|world, ctx| super::super::on_event(world, ctx, event));
        }
        // Gaps of 30, 60, 120 and 240 s.
        assert_eq!(retries, [30.0, 90.0, 210.0, 450.0]);
        assert_eq!(h.recorder.said(EventKind::ServiceTaskPlacementFailure).len(), 5, "once per attempt");
        assert_eq!(
            h.recorder.said(EventKind::ServiceTaskStartThrottled),
            [(30.0, "service web is unable to consistently start tasks successfully.")],
            "said at the second failure, when the gap grew from 30 to 60 s"
        );
        assert_eq!(h.world.services.get(ServiceId::from_index(0)).stats.placement_failures, 5);
    }

    #[test]
    fn tasks_that_never_start_space_out_the_launches() {
        let mut h = harness(&fargate(1, ", behaviour: { starts: false }", ""));
        h.act(|world, ctx| super::super::on_event(world, ctx, ServiceEvent::Reconcile(web())));
        run_until(&mut h, testing::at(3600));
        let starts: Vec<f64> = h.recorder.said(EventKind::ServiceTasksStarted).iter().map(|(t, _)| *t).collect();
        let gaps: Vec<f64> = starts.windows(2).map(|w| w[1] - w[0]).collect();
        // Each gap is the launch's failure time plus a back-off twice the last, up to 15 min.
        assert!(gaps.windows(2).all(|g| g[1] > g[0] || g[1] >= 900.0), "{gaps:?}");
        assert!(gaps.last().is_some_and(|g| *g >= 900.0), "capped at 15 min and beyond: {gaps:?}");
        assert_eq!(h.recorder.said(EventKind::ServiceTaskStartThrottled).len(), 1);
    }
}
