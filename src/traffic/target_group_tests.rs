//! The target group's health, draining and slow-start rules, one target at a time.

use super::*;

pub(in crate::traffic) fn secs(s: u64) -> SimTime {
    SimTime::ZERO + SimDuration::from_secs(s)
}

pub(in crate::traffic) fn task(n: usize) -> TaskId {
    TaskId::from_index(n)
}

pub(in crate::traffic) fn zone(n: usize) -> ZoneId {
    ZoneId::from_index(n)
}

fn group_with(initial_checks: InitialChecks) -> TargetGroup {
    TargetGroup::new(TargetGroupConfig { initial_checks, ..TargetGroupConfig::default() })
}

/// Feeds `n` probes of one result 30 s apart from `start`, returning the last change.
fn probes(tg: &mut TargetGroup, t: TaskId, passed: bool, n: u64, start: u64) -> Option<(TargetState, TargetState)> {
    let mut last = None;
    for k in 0..n {
        if let Some(change) = tg.record_probe(t, passed, secs(start + 30 * k)) {
            last = Some(change);
        }
    }
    last
}

#[test]
fn defaults_are_albs() {
    let c = TargetGroupConfig::default();
    // 30 s interval, 5 s timeout, 5 to rise, 2 to fall, 300 s drain, slow start off.
    assert_eq!(c.health_check.interval, SimDuration::from_secs(30));
    assert_eq!(c.health_check.timeout, SimDuration::from_secs(5));
    assert_eq!(c.health_check.healthy_threshold, 5);
    assert_eq!(c.health_check.unhealthy_threshold, 2);
    assert_eq!(c.deregistration_delay, SimDuration::from_secs(300));
    assert!(c.slow_start.is_zero());
    assert!(c.cross_zone);
    assert_eq!(c.algorithm, Algorithm::RoundRobin);
    assert_eq!(c.initial_checks, InitialChecks::One);
}

#[test]
fn a_new_target_is_initial_and_one_pass_makes_it_healthy_by_default() {
    let mut tg = group_with(InitialChecks::One);
    tg.register(task(0), zone(0), secs(0));
    assert_eq!(tg.target(task(0)).map(|t| t.state), Some(TargetState::Initial));
    // InitialChecks::One: the first passing probe, at 10 s, is enough.
    let change = tg.record_probe(task(0), true, secs(10));
    assert_eq!(change, Some((TargetState::Initial, TargetState::Healthy)));
    assert_eq!(tg.target(task(0)).and_then(|t| t.healthy_since), Some(secs(10)));
}

#[test]
fn with_healthy_threshold_a_new_target_needs_five_passes() {
    let mut tg = group_with(InitialChecks::HealthyThreshold);
    tg.register(task(0), zone(0), secs(0));
    // Four passes (0, 30, 60, 90 s) are one short of the threshold of 5.
    assert_eq!(probes(&mut tg, task(0), true, 4, 0), None);
    // The fifth, at 120 s, makes it healthy.
    let change = tg.record_probe(task(0), true, secs(120));
    assert_eq!(change, Some((TargetState::Initial, TargetState::Healthy)));
}

#[test]
fn an_initial_target_failing_twice_becomes_unhealthy() {
    let mut tg = group_with(InitialChecks::HealthyThreshold);
    tg.register(task(0), zone(0), secs(0));
    // unhealthy_threshold = 2 consecutive failures.
    let change = probes(&mut tg, task(0), false, 2, 0);
    assert_eq!(change, Some((TargetState::Initial, TargetState::Unhealthy)));
}

#[test]
fn healthy_becomes_unhealthy_after_two_failures() {
    let mut tg = group_with(InitialChecks::One);
    tg.register(task(0), zone(0), secs(0));
    tg.record_probe(task(0), true, secs(0));
    // One failure is below the threshold of 2...
    assert_eq!(tg.record_probe(task(0), false, secs(30)), None);
    // ...the second makes it unhealthy.
    let change = tg.record_probe(task(0), false, secs(60));
    assert_eq!(change, Some((TargetState::Healthy, TargetState::Unhealthy)));
    assert_eq!(tg.target(task(0)).and_then(|t| t.healthy_since), None);
}

#[test]
fn a_failure_resets_the_pass_streak_of_an_unhealthy_target() {
    let mut tg = group_with(InitialChecks::One);
    tg.register(task(0), zone(0), secs(0));
    probes(&mut tg, task(0), false, 2, 0);
    // 4 passes, a failure, then 4 more passes: never 5 in a row, still unhealthy.
    assert_eq!(probes(&mut tg, task(0), true, 4, 60), None);
    assert_eq!(tg.record_probe(task(0), false, secs(180)), None);
    assert_eq!(probes(&mut tg, task(0), true, 4, 210), None);
    // The fifth consecutive pass (at 330 s) brings it back.
    let change = tg.record_probe(task(0), true, secs(330));
    assert_eq!(change, Some((TargetState::Unhealthy, TargetState::Healthy)));
}

#[test]
fn host_counts_leave_out_initial_and_draining() {
    let mut tg = group_with(InitialChecks::One);
    for n in 0..4 {
        tg.register(task(n), zone(0), secs(0));
    }
    tg.record_probe(task(0), true, secs(1));
    tg.record_probe(task(1), true, secs(1));
    probes(&mut tg, task(2), false, 2, 1);
    tg.deregister(task(1), secs(100));
    // task 0 healthy, 1 draining, 2 unhealthy, 3 initial: one of each counted kind.
    assert_eq!(tg.healthy_count(), 1);
    assert_eq!(tg.unhealthy_count(), 1);
    tg.remove(task(2));
    assert_eq!(tg.unhealthy_count(), 0);
}

#[test]
fn deregister_returns_the_drain_end_once_and_ignores_later_probes() {
    let mut tg = group_with(InitialChecks::One);
    tg.register(task(0), zone(0), secs(0));
    tg.record_probe(task(0), true, secs(1));
    // 100 s + the default 300 s delay.
    assert_eq!(tg.deregister(task(0), secs(100)), Some(secs(400)));
    assert_eq!(tg.deregister(task(0), secs(110)), None);
    assert_eq!(tg.deregister(task(9), secs(110)), None);
    assert_eq!(probes(&mut tg, task(0), false, 3, 120), None);
    let t = tg.target(task(0));
    assert_eq!(t.map(|t| t.state.as_str()), Some("draining"));
    assert_eq!(t.and_then(|t| t.drain_ends), Some(secs(400)));
}

#[test]
fn outstanding_counts_saturate_and_survive_removal_of_others() {
    let config = TargetGroupConfig { algorithm: Algorithm::LeastOutstandingRequests, ..TargetGroupConfig::default() };
    let mut tg = TargetGroup::new(config);
    tg.register(task(0), zone(0), secs(0));
    tg.register(task(1), zone(0), secs(0));
    tg.request_started(task(1));
    tg.request_started(task(1));
    tg.request_finished(task(0));
    tg.remove(task(0));
    tg.request_finished(task(0));
    // task 1: +1 +1 = 2; task 0's finish saturated at 0 and is a no-op once removed.
    assert_eq!(tg.target(task(1)).map(|t| t.outstanding), Some(2));
    assert!(tg.target(task(0)).is_none());
    let order: Vec<TaskId> = tg.targets().map(|t| t.task).collect();
    assert_eq!(order, vec![task(1)]);
}

#[test]
fn outstanding_requests_are_counted_only_where_routing_reads_them() {
    let mut tg = group_with(InitialChecks::One);
    assert_eq!(tg.config().algorithm, Algorithm::RoundRobin, "the default");
    tg.register(task(0), zone(0), secs(0));
    tg.request_started(task(0));
    assert_eq!(tg.target(task(0)).map(|t| t.outstanding), Some(0), "round robin never reads it");
}

#[test]
fn targets_registered_together_on_an_empty_group_skip_slow_start_but_a_later_one_ramps() {
    let mut tg =
        TargetGroup::new(TargetGroupConfig { slow_start: SimDuration::from_secs(100), ..TargetGroupConfig::default() });
    // Three targets registered at 0 s, before any is healthy; they pass at 2, 5 and 9 s.
    for n in 0..3 {
        tg.register(task(n), zone(0), secs(0));
    }
    for (n, at) in [(0, 2), (1, 5), (2, 9)] {
        tg.record_probe(task(n), true, secs(at));
    }
    // None ramps: equal thirds at once.
    assert!((0..3).all(|n| tg.target(task(n)).and_then(|t| t.slow_start_until).is_none()));
    assert_eq!(tg.shares(secs(10)).iter().map(|(_, s)| (s * 3.0).round()).collect::<Vec<_>>(), [1.0; 3]);
    // A target registered at 20 s, once the group has settled healthy targets, ramps.
    tg.register(task(3), zone(0), secs(20));
    tg.record_probe(task(3), true, secs(20));
    assert_eq!(tg.target(task(3)).and_then(|t| t.slow_start_until), Some(secs(120)));
}

#[test]
fn a_target_in_service_before_the_run_is_healthy_at_once_without_slow_start() {
    let mut tg =
        TargetGroup::new(TargetGroupConfig { slow_start: SimDuration::from_secs(100), ..TargetGroupConfig::default() });
    tg.register_in_service(task(0), zone(0), secs(0));
    tg.register_in_service(task(1), zone(0), secs(0));
    for n in 0..2 {
        let t = tg.target(task(n)).unwrap();
        assert_eq!((t.state, t.healthy_since, t.slow_start_until), (TargetState::Healthy, Some(secs(0)), None));
    }
    assert_eq!(tg.shares(secs(0)).len(), 2, "both take requests from the first instant");
    // A task started later is new to the group: it passes its checks first, then ramps.
    tg.register(task(2), zone(0), secs(30));
    assert_eq!(tg.target(task(2)).map(|t| t.state), Some(TargetState::Initial));
    tg.record_probe(task(2), true, secs(40));
    assert_eq!(tg.target(task(2)).and_then(|t| t.slow_start_until), Some(secs(140)));
}
