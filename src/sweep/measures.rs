//! The per-run measures an experiment compares: what a run cost, how fast it answered, how much
//! capacity it used and how it came through its faults, each over the run after its warm-up.
//!
//! [`MeasureRecorder`] is a [`Recorder`] that folds the run's rows, events and interval
//! histograms into those figures as they stream by (memory fixed in the number of events and
//! requests; one point per interval for the over-time series), optionally passing everything on
//! to another recorder (a run folder's files). [`MEASURES`] names them once: runs.csv's columns,
//! the objective's and constraints' names, and the README's table come from it.

use crate::engine::{SimDuration, SimTime};
use crate::metrics::{Column, Summary};
use crate::record::{Breakdown, EventKind, Latencies, LogEvent, MetricsRow, Recorder};
use crate::task::{Placement, TaskStatus};
use crate::world::World;

/// What a measure counts, for parsing constraints and writing values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    Usd,
    Seconds,
    Percent,
    Minutes,
    Count,
}

impl Unit {
    /// How the unit is written after a number in tables.
    pub fn suffix(self) -> &'static str {
        match self {
            Unit::Usd => " USD",
            Unit::Seconds => " s",
            Unit::Percent => " %",
            Unit::Minutes => " min",
            Unit::Count => "",
        }
    }
}

/// One measure: its name (runs.csv column, objective name), unit, decimals written, and meaning.
pub struct Measure {
    pub name: &'static str,
    pub unit: Unit,
    pub decimals: usize,
    pub about: &'static str,
}

const fn measure(name: &'static str, unit: Unit, decimals: usize, about: &'static str) -> Measure {
    Measure { name, unit, decimals, about }
}

/// Every measure, in column order. Each leaves out the warm-up, except `steady_state` (time from
/// the start).
pub const MEASURES: [Measure; 21] = [
    measure("cost_per_day", Unit::Usd, 4, "cluster cost after the warm-up, scaled to 24 hours"),
    measure("requests", Unit::Count, 3, "requests to every load-balanced service"),
    measure("error_rate", Unit::Percent, 4, "5xx (target, 502, 503, 504) per request, all load-balanced services"),
    measure("p50", Unit::Seconds, 6, "median target response time, all load-balanced services"),
    measure("p90", Unit::Seconds, 6, "90th percentile target response time"),
    measure("p99", Unit::Seconds, 6, "99th percentile target response time"),
    measure("response_time_mean", Unit::Seconds, 6, "mean target response time"),
    measure("tasks_peak", Unit::Count, 0, "most RUNNING tasks at one metrics sample, all services"),
    measure("tasks_mean", Unit::Count, 4, "RUNNING tasks, time-weighted mean"),
    measure("instances_peak", Unit::Count, 0, "most registered container instances at one sample"),
    measure("instances_mean", Unit::Count, 4, "registered container instances, time-weighted mean"),
    measure("steady_state", Unit::Seconds, 4, "from the start until the last service first reached a steady state"),
    measure("capacity_waits", Unit::Count, 0, "tasks that waited in PROVISIONING for capacity"),
    measure("capacity_wait_mean", Unit::Seconds, 4, "their mean wait (0 when none waited)"),
    measure("capacity_wait_max", Unit::Seconds, 4, "the longest wait (0 when none waited)"),
    measure("scaling_activities", Unit::Count, 0, "service scaling activities and Auto Scaling group capacity changes"),
    measure(
        "recovery_max",
        Unit::Seconds,
        4,
        "worst time from a fault until every service ran its desired count again",
    ),
    measure("recovery_mean", Unit::Seconds, 4, "mean of that time over the run's faults"),
    measure("faults_unrecovered", Unit::Count, 0, "faults after which a service was still short at the end"),
    measure("slo_breach_minutes", Unit::Minutes, 4, "minutes in which some service missed its SLO"),
    measure("error_budget_used", Unit::Percent, 4, "the largest share of a service's error budget its 5xx used"),
];

/// The index of the measure called `name`.
pub fn measure_index(name: &str) -> Option<usize> {
    MEASURES.iter().position(|m| m.name == name)
}

/// A service level objective of one service: a p99 response time and an error rate, each
/// judged per metrics interval.
#[derive(Clone, Debug, PartialEq)]
pub struct Slo {
    pub service: String,
    pub p99: Option<SimDuration>,
    /// Percent of requests.
    pub error_rate: Option<f64>,
}

/// A metrics.csv column followed over time, for one service.
#[derive(Clone, Copy)]
pub struct OverTime {
    pub column: &'static Column,
    /// The service whose rows give it (cluster columns are the same on every service's row).
    pub service: usize,
}

/// What a run's measures are taken over.
#[derive(Clone, Default)]
pub struct MeasureSpec {
    /// Left out of every measure; a multiple of the metrics interval.
    pub warm_up: SimDuration,
    pub slos: Vec<Slo>,
    pub over_time: Option<OverTime>,
    /// Metrics samples a run takes (room reserved for the over-time series up front).
    pub samples: usize,
}

/// A run's measures, in [`MEASURES`] order (`None`: undefined in this run, e.g. p99 without a
/// load balancer), rounded as runs.csv writes them, and the over-time series (exact values: a
/// shard writes them so that they read back to the same numbers).
#[derive(Clone, Debug, PartialEq)]
pub struct RunMeasures {
    pub values: Vec<Option<f64>>,
    /// (seconds, value) at every metrics sample, warm-up included; empty without `over_time`.
    pub series: Vec<(f64, Option<f64>)>,
}

/// Rounds `x` to `decimals` the way a CSV writes it, so a value read back from runs.csv is
/// exactly the one the sweep computed its statistics from.
pub fn rounded(x: f64, decimals: usize) -> f64 {
    format!("{x:.decimals$}").parse().unwrap_or(x)
}

/// A fault being watched: when it came, whether a service has fallen short since, when all were
/// whole again.
struct Watch {
    at: SimTime,
    short: bool,
    recovered: Option<SimDuration>,
}

/// The rows of one sampling instant, summed over services.
#[derive(Default)]
struct Instant {
    time: SimTime,
    tasks: u32,
    instances: u32,
    cost: f64,
    short: bool,
    breach: bool,
    series: Option<f64>,
}

/// Folds a run's observations into its measures; see the module docs.
pub struct MeasureRecorder<'s, 'r> {
    spec: &'s MeasureSpec,
    inner: Option<&'r mut dyn Recorder>,
    warm_up: SimTime,
    instant: Option<Instant>,
    row_index: usize,
    previous: SimTime,
    observed: SimDuration,
    cost: f64,
    tasks: (u32, f64),
    instances: (u32, f64),
    requests: f64,
    failed: f64,
    /// Requests and 503s without a target: the error rate's denominator.
    attempts: f64,
    /// Response times after the warm-up, every load-balanced service's (filled at the end from
    /// the run's histograms when there is no warm-up).
    latencies: Latencies,
    has_traffic: bool,
    /// Per SLO: failed and attempted requests after the warm-up.
    slo_errors: Vec<(f64, f64)>,
    breach: SimDuration,
    scaling: u32,
    watches: Vec<Watch>,
    series: Vec<(f64, Option<f64>)>,
}

impl<'s, 'r> MeasureRecorder<'s, 'r> {
    /// A recorder measuring by `spec`, passing every observation on to `inner` if given.
    pub fn new(spec: &'s MeasureSpec, inner: Option<&'r mut dyn Recorder>) -> Self {
        MeasureRecorder {
            spec,
            inner,
            warm_up: SimTime::ZERO + spec.warm_up,
            instant: None,
            row_index: 0,
            previous: SimTime::ZERO,
            observed: SimDuration::ZERO,
            cost: 0.0,
            tasks: (0, 0.0),
            instances: (0, 0.0),
            requests: 0.0,
            failed: 0.0,
            attempts: 0.0,
            latencies: Latencies::default(),
            has_traffic: false,
            slo_errors: vec![(0.0, 0.0); spec.slos.len()],
            breach: SimDuration::ZERO,
            scaling: 0,
            watches: Vec::new(),
            series: if spec.over_time.is_some() { Vec::with_capacity(spec.samples) } else { Vec::new() },
        }
    }

    fn after_warm_up(&self, t: SimTime) -> bool {
        t > self.warm_up
    }

    /// Closes the instant whose rows have all been seen.
    fn flush(&mut self) {
        let Some(i) = self.instant.take() else { return };
        if self.spec.over_time.is_some() {
            self.series.push((i.time.as_secs_f64(), i.series));
        }
        let span = i.time - self.previous;
        self.previous = i.time;
        for w in self.watches.iter_mut().filter(|w| w.recovered.is_none() && w.at <= i.time) {
            if i.short {
                w.short = true;
            } else if w.short {
                w.recovered = Some(i.time - w.at);
            }
        }
        if !self.after_warm_up(i.time) {
            return;
        }
        let secs = span.as_secs_f64();
        self.observed = self.observed + span;
        self.cost += i.cost;
        self.tasks = (self.tasks.0.max(i.tasks), self.tasks.1 + f64::from(i.tasks) * secs);
        self.instances = (self.instances.0.max(i.instances), self.instances.1 + f64::from(i.instances) * secs);
        if i.breach {
            self.breach = self.breach + span;
        }
    }

    /// The measures of the run, once it is over: `world` and `summary` are what it ended with.
    pub fn finish(mut self, world: &World, summary: &Summary) -> RunMeasures {
        self.flush();
        let end = SimTime::ZERO + SimDuration::from_secs_f64(summary.duration_s);
        let observed = self.observed.as_secs_f64();
        let mean = |weighted: f64| if observed > 0.0 { weighted / observed } else { 0.0 };
        let waits: Vec<f64> = world
            .tasks
            .iter()
            .filter(|t| t.created_at >= self.warm_up)
            .filter_map(|t| match (t.capacity_wait, t.placement, t.status) {
                (Some(w), ..) => Some(w),
                // Still waiting at the end: it waited until the end.
                (None, Placement::AwaitingCapacity(_), TaskStatus::Provisioning) => Some(end - t.created_at),
                _ => None,
            })
            .map(SimDuration::as_secs_f64)
            .collect();
        let recoveries: Vec<f64> = self
            .watches
            .iter()
            .map(|w| match (w.recovered, w.short) {
                (Some(r), _) => r.as_secs_f64(),
                (None, true) => (end - w.at).as_secs_f64(),
                (None, false) => 0.0,
            })
            .collect();
        let unrecovered = self.watches.iter().filter(|w| w.short && w.recovered.is_none()).count();
        if self.spec.warm_up.is_zero() {
            let served =
                world.services.iter().zip(&world.traffic.services).filter(|(s, _)| s.spec.target_group.is_some());
            for (_, traffic) in served {
                self.latencies.absorb(&traffic.run_latencies);
            }
        }
        let percentiles = self.latencies.percentiles();
        let traffic = |x: f64| self.has_traffic.then_some(x);
        let steady =
            summary.services.iter().map(|s| s.first_steady_state_s).try_fold(0.0_f64, |m, s| s.map(|s| m.max(s)));
        let budget = self
            .spec
            .slos
            .iter()
            .zip(&self.slo_errors)
            .filter_map(|(slo, (failed, attempts))| {
                let rate = slo.error_rate?;
                let used = if *attempts > 0.0 { 100.0 * failed / attempts } else { 0.0 };
                Some(if rate > 0.0 {
                    100.0 * used / rate
                } else if used > 0.0 {
                    f64::INFINITY
                } else {
                    0.0
                })
            })
            .filter(|x| x.is_finite())
            .fold(None, |m: Option<f64>, x| Some(m.map_or(x, |m| m.max(x))));
        let has_slo = !self.spec.slos.is_empty();
        let values = [
            // No sample after the warm-up (a scenario without services writes no rows): undefined.
            (observed > 0.0).then(|| self.cost * 86_400.0 / observed),
            traffic(self.requests),
            traffic(if self.attempts > 0.0 { 100.0 * self.failed / self.attempts } else { 0.0 }),
            percentiles.map(|p| p.p50),
            percentiles.map(|p| p.p90),
            percentiles.map(|p| p.p99),
            self.latencies.mean(),
            (observed > 0.0).then_some(f64::from(self.tasks.0)),
            (observed > 0.0).then(|| mean(self.tasks.1)),
            (observed > 0.0).then_some(f64::from(self.instances.0)),
            (observed > 0.0).then(|| mean(self.instances.1)),
            steady,
            Some(waits.len() as f64),
            Some(if waits.is_empty() { 0.0 } else { waits.iter().sum::<f64>() / waits.len() as f64 }),
            Some(waits.iter().copied().fold(0.0, f64::max)),
            Some(f64::from(self.scaling)),
            (!recoveries.is_empty()).then(|| recoveries.iter().copied().fold(0.0, f64::max)),
            (!recoveries.is_empty()).then(|| recoveries.iter().sum::<f64>() / recoveries.len() as f64),
            (!self.watches.is_empty()).then_some(unrecovered as f64),
            has_slo.then(|| self.breach.as_secs_f64() / 60.0),
            budget,
        ];
        let values = values
            .iter()
            .zip(&MEASURES)
            .map(|(v, m)| v.filter(|x| x.is_finite()).map(|x| rounded(x, m.decimals)))
            .collect();
        RunMeasures { values, series: self.series }
    }
}

impl Recorder for MeasureRecorder<'_, '_> {
    fn event(&mut self, event: &LogEvent) {
        if let Some(inner) = self.inner.as_deref_mut() {
            inner.event(event);
        }
        if event.time < self.warm_up {
            return;
        }
        match event.kind {
            EventKind::ScalingActivity | EventKind::AsgDesiredCapacityChanged => self.scaling += 1,
            // One fault can log several events at its instant (one per task it stops).
            EventKind::FaultInjected if self.watches.last().is_none_or(|w| w.at < event.time) => {
                self.watches.push(Watch { at: event.time, short: false, recovered: None });
            }
            _ => {}
        }
    }

    fn wants_breakdown(&self) -> bool {
        self.inner.as_deref().is_some_and(|inner| inner.wants_breakdown())
    }

    fn breakdown(&mut self, breakdown: &Breakdown) {
        if let Some(inner) = self.inner.as_deref_mut() {
            inner.breakdown(breakdown);
        }
    }

    fn row(&mut self, row: &MetricsRow) {
        if let Some(inner) = self.inner.as_deref_mut() {
            inner.row(row);
        }
        if self.instant.as_ref().is_some_and(|i| i.time != row.time) {
            self.flush();
            self.row_index = 0;
        }
        let index = self.row_index;
        self.row_index += 1;
        let after = self.after_warm_up(row.time);
        let instant = self.instant.get_or_insert_with(|| Instant {
            time: row.time,
            instances: row.instances,
            cost: row.cluster_cost.total(),
            ..Instant::default()
        });
        instant.tasks += row.running;
        instant.short |= row.running < row.desired;
        if let Some(o) = self.spec.over_time.filter(|o| o.service == index) {
            instant.series = (o.column.value)(row);
        }
        let Some(t) = row.traffic.as_ref() else { return };
        let failed = t.target_5xx + t.elb_5xx();
        let attempts = t.requests + t.elb_503;
        for (slo, errors) in
            self.spec.slos.iter().zip(self.slo_errors.iter_mut()).filter(|(s, _)| s.service == row.service)
        {
            let slow = match (slo.p99, t.response_time) {
                (Some(limit), Some(p)) => p.p99 > limit.as_secs_f64(),
                _ => false,
            };
            let failing = match slo.error_rate {
                Some(rate) if attempts > 0.0 => 100.0 * failed / attempts > rate,
                _ => false,
            };
            instant.breach |= slow || failing;
            if after {
                errors.0 += failed;
                errors.1 += attempts;
            }
        }
        self.has_traffic = true;
        if after {
            self.requests += t.requests;
            self.failed += failed;
            self.attempts += attempts;
        }
    }

    fn interval_latencies(&mut self, time: SimTime, service: &str, latencies: &Latencies) {
        if let Some(inner) = self.inner.as_deref_mut() {
            inner.interval_latencies(time, service, latencies);
        }
        // Without a warm-up the run's own histograms (the world's) already hold every interval:
        // merged once at the end instead.
        if !self.spec.warm_up.is_zero() && self.after_warm_up(time) {
            self.latencies.absorb(latencies);
        }
    }
}
