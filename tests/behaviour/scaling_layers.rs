//! Both scaling layers together, end to end, on the `scenarios/autoscaling.yaml` lab: a traffic
//! spike drives Service Auto Scaling, the new tasks wait in PROVISIONING for capacity-provider
//! managed scaling to grow the Auto Scaling group, latency recovers once they are placed; after
//! the spike both layers come down, and no running task is lost on the way.

use crate::common::{run, scenario, Memory};
use ecsim::record::{EventKind, MetricsRow};

const LAB: &str = include_str!("../../scenarios/autoscaling.yaml");

/// Seconds of the first event of `kind` whose message contains `text`, at or after `from`.
fn first(rec: &Memory, kind: EventKind, text: &str, from: f64) -> f64 {
    rec.events
        .iter()
        .find(|e| e.kind == kind && e.message.contains(text) && e.time.as_secs_f64() >= from)
        .map(|e| e.time.as_secs_f64())
        .unwrap_or_else(|| panic!("no {kind:?} event with `{text}` after {from} s"))
}

/// The rows of minutes [from, to), in seconds.
fn rows(rec: &Memory, from: f64, to: f64) -> impl Iterator<Item = &MetricsRow> {
    rec.rows.iter().filter(move |r| (from..to).contains(&r.time.as_secs_f64()))
}

fn p99(row: &MetricsRow) -> f64 {
    row.traffic.as_ref().and_then(|t| t.response_time.as_ref()).map_or(0.0, |p| p.p99)
}

#[test]
fn a_spike_scales_tasks_then_instances_out_and_both_back_in() {
    let (world, summary, rec) = run(&scenario(LAB));
    let minute = 60.0;

    // 1. Service scale-out. The spike starts rising at 30 min and passes 60% CPU (4 tasks serve
    // 100 req/s at 48% with ~19 ms of CPU per request: 100 × 0.019 / 4 = 0.48) within its first
    // minute; AlarmHigh needs 3 one-minute datapoints above 60%, so it fires at 33 min.
    let service_out = first(&rec, EventKind::ScalingActivity, "AlarmHigh in ALARM", 0.0);
    assert!((32.0 * minute..=34.0 * minute).contains(&service_out), "service scale-out at {service_out} s");

    // 2. The new tasks find no room (2 m5.large full with 2 tasks of 1 vCPU each) and wait in
    // PROVISIONING; CapacityProviderReservation goes above 100% at the next managed-scaling
    // minute and the group's desired capacity rises.
    let group_out =
        first(&rec, EventKind::AsgDesiredCapacityChanged, "CapacityProviderReservation 200.0 > target 100", 0.0);
    assert!(group_out > service_out && group_out <= service_out + 2.0 * minute, "group scale-out at {group_out} s");
    let reservation = |from: f64, to: f64| rows(&rec, from, to).filter_map(|r| r.capacity_provider_reservation);
    assert!(reservation(0.0, service_out).all(|r| r == 100.0), "2 full instances before: M = N = 2");
    assert!(reservation(group_out, group_out + minute).any(|r| r > 100.0), "metrics.csv shows what ECS saw");

    // 3. Instances register after their launch time, and the waiting tasks are placed on them.
    let registered = first(&rec, EventKind::ContainerInstanceRegistered, "i-00003", 0.0);
    assert!(registered > group_out && registered < group_out + 5.0 * minute, "i-00003 registered at {registered} s");
    let waited = rec.messages(EventKind::TaskPlacement);
    assert!(waited.iter().filter(|m| m.contains("in PROVISIONING for capacity")).count() >= 5, "{waited:?}");
    let first_waiter = first(&rec, EventKind::TaskPlacement, "in PROVISIONING for capacity", 0.0);
    assert_eq!(first_waiter, registered, "a waiting task is placed as soon as capacity registers");

    // 4. Latency recovers: p99 is seconds while 4 tasks face 4x the load, and back under 0.5 s
    // with no 5xx once the scaled-out tasks serve it (from 45 min to the end of the spike).
    let peak = rows(&rec, 32.0 * minute, 37.0 * minute).map(p99).fold(0.0, f64::max);
    assert!(peak > 1.0, "p99 at the peak {peak} s");
    for row in rows(&rec, 45.0 * minute, 60.0 * minute) {
        let t = row.traffic.as_ref().unwrap();
        assert!(p99(row) < 0.5, "p99 {} s at {} s", p99(row), row.time.as_secs_f64());
        assert_eq!((t.target_5xx, t.elb_5xx()), (0.0, 0.0), "errors at {} s", row.time.as_secs_f64());
        assert!(row.running >= 12 && row.instances >= 6, "scaled out at {} s: {row:?}", row.time.as_secs_f64());
    }

    // 5. Scale-in, service first: the spike falls from 58 to 60 min, and 14 tasks drop below 54%
    // (0.9 × 60) during its fall; AlarmLow needs 15 one-minute datapoints below that, so the
    // service scales in at about 73 min.
    let service_in = first(&rec, EventKind::ScalingActivity, "AlarmLow in ALARM", 60.0 * minute);
    assert!((72.0 * minute..=76.0 * minute).contains(&service_in), "service scale-in at {service_in} s");
    // Then the instances: empty ones keep the reservation below 100% for 15 minutes.
    let group_in = first(&rec, EventKind::AsgDesiredCapacityChanged, "< target 100", service_in);
    assert!(
        group_in >= service_in + 15.0 * minute && group_in <= service_in + 17.0 * minute,
        "group scale-in at {group_in} s"
    );

    // 6. Nothing running is lost: every task stopped after the spike was stopped by the service's
    // own scale-in, none by an instance going away, and running never falls below desired.
    let stopped_late: Vec<_> =
        world.tasks().iter().filter_map(|t| t.stopped_at).filter(|at| at.as_secs_f64() > service_in + minute).collect();
    assert!(stopped_late.is_empty(), "tasks stopped after the service's scale-in: {stopped_late:?}");
    for row in rows(&rec, service_in + minute, f64::INFINITY) {
        assert!(row.running >= row.desired, "running below desired at {} s: {row:?}", row.time.as_secs_f64());
    }
    let last = rec.rows.last().unwrap();
    assert_eq!((last.desired, last.running), (4, 4));
    assert!(last.instances < 7 && last.instances_desired == last.instances, "{last:?}");
    assert_eq!(summary.services[0].running_at_end, 4);
}
