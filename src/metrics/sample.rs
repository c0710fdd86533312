//! Per-interval rows of metrics.csv.
//!
//! Rows are taken at time 0, then every interval, and once more at the end of the run when the
//! duration is not a whole number of intervals: each row's costs cover the time since the
//! previous row, so without that last row the tail of the run would be billed in no row, and the
//! rows would not add up to the summary's total.

use crate::engine::{SimDuration, SimTime};
use crate::ids::{ProviderId, ServiceId};
use crate::service::CapacitySource;
use crate::task::TaskStatus;
use crate::world::World;

use super::cost::{bill, Bill, Pricing};
use crate::record::{MetricsRow, Recorder, TrafficRow};

/// When the next row is due after the one at `now`: one interval later, or the end of the run if
/// that comes first; `None` once the row at the end is taken.
pub fn next_sample(now: SimTime, interval: SimDuration, end: SimTime) -> Option<SimTime> {
    (now < end).then(|| (now + interval).min(end))
}

/// The time of the row before the one at `now` (the largest multiple of `interval` before it),
/// or `None` for the first row, at time 0.
fn previous_sample(now: SimTime, interval: SimDuration) -> Option<SimTime> {
    let (now, interval) = (now.as_micros(), interval.as_micros().max(1));
    (now > 0).then(|| SimTime::from_micros((now - 1) / interval * interval))
}

/// When a row is taken: the instant, the metrics interval and the end of the run.
#[derive(Clone, Copy, Debug)]
pub struct SampleAt {
    pub now: SimTime,
    pub interval: SimDuration,
    pub end: SimTime,
}

/// Records one row per service, describing the world at this instant and what the run cost
/// since the previous row, at `pricing`. `traffic` is each service's closed interval, by
/// `ServiceId` (`traffic::close_intervals`): reading the world changes nothing in it.
pub fn sample(
    world: &World,
    recorder: &mut dyn Recorder,
    pricing: &Pricing,
    at: SampleAt,
    traffic: Vec<Option<TrafficRow>>,
) {
    let SampleAt { now, interval, end } = at;
    let (cpu, memory) = crate::capacity::cluster_reservation(world).unwrap_or((0.0, 0.0));
    let (instances_desired, instances_launching) = group_capacity(world);
    let before = previous_sample(now, interval).map_or_else(Bill::default, |t| bill(world, pricing, t, end));
    let cost = bill(world, pricing, now, end).since(&before);
    for (i, traffic) in traffic.into_iter().enumerate() {
        let svc = world.services.get(ServiceId::from_index(i));
        let tasks: Vec<_> = world.tasks.of(&svc.tasks).collect();
        let held = |f: fn(&crate::task::TaskDefinition) -> u32| -> u64 {
            tasks.iter().map(|t| u64::from(f(world.task_definition(t.task_definition)))).sum()
        };
        let row = MetricsRow {
            time: now,
            service: svc.spec.name.clone(),
            desired: crate::service::desired_count(world, ServiceId::from_index(i)),
            running: tasks.iter().filter(|t| t.status == TaskStatus::Running).count() as u32,
            pending: tasks.iter().filter(|t| t.status.is_starting()).count() as u32,
            stopped_total: svc.stats.tasks_stopped,
            cpu_reserved: held(|td| td.reserved_cpu()),
            memory_reserved: held(|td| td.reserved_memory()),
            instances: world.registered_instances().count() as u32,
            instances_desired,
            instances_launching,
            capacity_provider_reservation: provider_reservation(world, &svc.spec.capacity),
            cluster_cpu_reservation: cpu,
            cluster_memory_reservation: memory,
            service_fargate_cost: cost.services[i],
            cluster_cost: cost.cluster,
            traffic,
        };
        let bad = cfg!(debug_assertions).then(|| super::first_non_finite(&row)).flatten();
        debug_assert!(bad.is_none(), "ecsim invariant broken: metrics of {} at {now}: {bad:?}", row.service);
        recorder.row(&row);
    }
    if recorder.wants_breakdown() {
        for breakdown in super::breakdowns(world, now) {
            recorder.breakdown(&breakdown);
        }
    }
}

/// The Auto Scaling groups' desired capacity and the launches in flight, over all groups.
fn group_capacity(world: &World) -> (u32, u32) {
    let groups = world.providers.iter().enumerate().filter_map(|(i, p)| p.auto_scaling_group().map(|g| (i, g)));
    groups.fold((0, 0), |(desired, launching), (i, g)| {
        let provider = ProviderId::from_index(i);
        (desired + g.desired_capacity, launching + world.fleet.pending_launches(provider).count() as u32)
    })
}

/// The CapacityProviderReservation of the first provider of `capacity` that publishes one.
fn provider_reservation(world: &World, capacity: &CapacitySource) -> Option<f64> {
    match capacity {
        CapacitySource::Strategy(items) => {
            items.iter().find_map(|i| world.fleet.capacity_provider_reservation(i.provider))
        }
        CapacitySource::LaunchType(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: u64) -> SimTime {
        SimTime::ZERO + SimDuration::from_secs(secs)
    }

    #[test]
    fn rows_every_interval_and_at_the_end() {
        let (ten, end) = (SimDuration::from_secs(10), at(25));
        assert_eq!(next_sample(at(0), ten, end), Some(at(10)));
        assert_eq!(next_sample(at(20), ten, end), Some(end), "the last row comes at the end");
        assert_eq!(next_sample(end, ten, end), None);
        assert_eq!(next_sample(at(20), ten, at(30)), Some(at(30)));
        assert_eq!(next_sample(at(30), ten, at(30)), None, "no extra row when the intervals fit");
    }

    #[test]
    fn each_row_covers_the_time_since_the_previous_one() {
        let ten = SimDuration::from_secs(10);
        assert_eq!(previous_sample(at(0), ten), None);
        assert_eq!(previous_sample(at(10), ten), Some(at(0)));
        assert_eq!(previous_sample(at(30), ten), Some(at(20)));
        assert_eq!(previous_sample(at(25), ten), Some(at(20)), "the end's row follows the last whole interval");
    }
}
