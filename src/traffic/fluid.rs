//! The `fluid` fidelity: once per step, each source's rate is split over the targets the load
//! balancer would route to (by their routing shares), and each target's step goes through the
//! queueing formulas of [`queueing`](super::queueing). Response times enter the same histograms
//! as in the `requests` fidelity, as points of each step's response-time distribution weighted
//! by the requests they stand for; so both fidelities write the same columns.

use crate::engine::{SimDuration, SimTime};
use crate::ids::{LoadBalancerId, TargetGroupId, TaskId};
use crate::world::event::TrafficEvent;
use crate::world::{Ctx, Event, World};

use super::queueing::{self, FluidStep, FluidTarget, ServiceTime};
use super::stats::Failure;

/// The response-time distribution is entered as these quantiles, each standing for the share of
/// requests around it: tenths up to p90, hundredths up to p99, then finer in the tail, so p50,
/// p90 and p99 of the histogram are within a bin of the formulas'.
const POINTS: [(f64, f64); 21] = [
    (0.05, 0.1),
    (0.15, 0.1),
    (0.25, 0.1),
    (0.35, 0.1),
    (0.45, 0.1),
    (0.55, 0.1),
    (0.65, 0.1),
    (0.75, 0.1),
    (0.85, 0.1),
    (0.905, 0.01),
    (0.915, 0.01),
    (0.925, 0.01),
    (0.935, 0.01),
    (0.945, 0.01),
    (0.955, 0.01),
    (0.965, 0.01),
    (0.975, 0.01),
    (0.985, 0.01),
    (0.993, 0.006),
    (0.9975, 0.003),
    (0.9995, 0.001),
];
/// Histogram weight per request: fractions of a request per point stay visible.
const WEIGHT_PER_REQUEST: f64 = 1000.0;

/// Schedules the first step's end (a step is computed at its end, so a metrics row at that
/// instant includes it).
pub fn start(world: &World, ctx: &mut Ctx) {
    ctx.sched.after(world.traffic.spec.step, Event::Traffic(TrafficEvent::FluidStep));
}

/// The step that ends now: every source's requests flow through their targets.
pub fn on_step(world: &mut World, ctx: &mut Ctx, end: SimTime) {
    let now = ctx.sched.now();
    let step = world.traffic.spec.step;
    let start = SimTime::from_micros(now.as_micros() - step.as_micros());
    let middle = start + SimDuration::from_micros(step.as_micros() / 2);
    let seed = world.traffic.seed;
    for i in 0..world.traffic.spec.sources.len() {
        let source = &world.traffic.spec.sources[i];
        let (lb, rate) = (source.load_balancer, source.rate.at(middle, seed));
        forward(world, ctx, lb, rate, step);
    }
    if now < end {
        ctx.sched.after(step, Event::Traffic(TrafficEvent::FluidStep));
    }
}

/// Splits a load balancer's rate over its target groups by weight.
fn forward(world: &mut World, ctx: &mut Ctx, lb: LoadBalancerId, rate: f64, step: SimDuration) {
    let total: u32 = world.traffic.listeners[lb.index()].forward().iter().map(|(_, w)| w).sum();
    for i in 0..world.traffic.listeners[lb.index()].forward().len() {
        let (tg, weight) = world.traffic.listeners[lb.index()].forward()[i];
        if weight > 0 {
            flow(world, ctx, tg, rate * f64::from(weight) / f64::from(total), step);
        }
    }
}

/// One target group's step: its share of requests to each routable target, 503 for the rest.
fn flow(world: &mut World, ctx: &mut Ctx, tg: TargetGroupId, rate: f64, step: SimDuration) {
    let Some(service) = world.traffic.service_of(tg) else { return };
    let now = ctx.sched.now();
    let dt = step.as_secs_f64();
    let group = &world.traffic.target_groups[tg.index()];
    let (shares, served) = (group.shares(now), group.served_fraction(&world.traffic.zones));
    let failing_open = group.healthy_count() == 0;
    let counts = &mut world.traffic.services[service.index()].interval;
    counts.fail(Failure::Elb503, rate * dt * (1.0 - served));
    if failing_open {
        counts.unhealthy_routing += rate * dt * served;
    }
    let rate = rate * served;
    let model = &world.services.get(service).spec.requests;
    let service_time = ServiceTime { mean: model.cpu_time.mean_secs(), scv: model.cpu_time.scv() };
    let per_request = model.memory_per_request;
    let (timeout, failure) = super::requests::timeout(world, tg, model.timeout);
    // Targets with the same load and backlog have the same step: computed once.
    let mut previous: Option<(f64, f64, FluidStep, f64)> = None;
    for (task, share) in shares {
        let Some(backend) = world.traffic.backends.get_mut(&task) else { continue };
        let lambda = rate * share;
        let before = backend.backlog.0;
        let result = match previous {
            Some((l, b, r, after)) if l == lambda && b == before => {
                backend.backlog.0 = after;
                r
            }
            _ => {
                let target = FluidTarget {
                    vcpus: backend.vcpus,
                    concurrency: backend.concurrency,
                    timeout: timeout.as_secs_f64(),
                };
                let r = queueing::step(&target, service_time, lambda, dt, &mut backend.backlog);
                previous = Some((lambda, before, r, backend.backlog.0));
                r
            }
        };
        let limits = Limits { failure, dt, timeout, per_request };
        let points = response_points(&mut world.traffic.fluid_points[tg.index()], lambda, before, &result);
        account(world, ctx, task, (&result, &points), &limits);
    }
}

/// The response times at [`POINTS`]' quantiles, seconds.
pub type Points = [f64; POINTS.len()];

/// A target group's last computed points: for the load and backlog they were computed at.
#[derive(Clone, Copy, Debug)]
pub struct PointCache {
    lambda: f64,
    backlog: f64,
    points: Points,
}

/// Loads within this relative difference share their response-time points: a slowly changing
/// rate (a diurnal curve moves ~0.01% a second) then costs one quantile solve every few minutes
/// instead of 21 root-findings every step, and the percentiles move by far less than the
/// formulas' own approximation.
const POINT_REUSE: f64 = 1e-2;

/// The step's response-time points, reused from the previous step at nearly the same load and
/// nearly the same requests in the task.
fn response_points(cache: &mut Option<PointCache>, lambda: f64, backlog: f64, r: &FluidStep) -> Points {
    let near = |a: f64, b: f64| (a - b).abs() <= POINT_REUSE * a.max(b);
    if let Some(c) = cache {
        if near(c.backlog, backlog) && near(c.lambda, lambda) {
            return c.points;
        }
    }
    let points = POINTS.map(|(p, _)| r.answered_quantile(p));
    *cache = Some(PointCache { lambda, backlog, points });
    points
}

/// What a target group's step applies to each of its targets.
#[derive(Clone, Copy)]
struct Limits {
    /// How a timed-out request is answered (`None`: by the application, a target 5xx).
    failure: Option<Failure>,
    dt: f64,
    timeout: SimDuration,
    per_request: f64,
}

/// Adds a target's step to its service's counters and histogram, and kills it for memory if its
/// requests in flight took it over its limit.
fn account(world: &mut World, ctx: &mut Ctx, task: TaskId, (r, points): (&FluidStep, &Points), limits: &Limits) {
    let Limits { failure, dt, timeout, per_request } = *limits;
    let now = ctx.sched.now();
    let backend = world.traffic.backends.get_mut(&task).expect("a routable target has a backend");
    let service = backend.service;
    let out_of_memory = backend.would_run_out_of_memory(r.in_flight, per_request);
    let stats = &mut world.traffic.services[service.index()];
    backend.add_use(now, r.cpu_seconds, r.in_flight * dt, per_request, &mut stats.interval);
    stats.interval.requests += r.arrived;
    stats.interval.target_5xx += r.rejected;
    match failure {
        Some(f) => stats.interval.fail(f, r.timed_out),
        None => stats.interval.target_5xx += r.timed_out,
    }
    for ((_, mass), took) in POINTS.iter().zip(points) {
        // No answer comes after the timeout: those requests are counted as timed out.
        let took = SimDuration::from_secs_f64(*took).min(timeout);
        stats.answered(took, (r.completed * mass * WEIGHT_PER_REQUEST).round() as u64);
    }
    if out_of_memory {
        super::requests::run_out_of_memory(world, ctx, task);
    }
}
