//! The `fluid` fidelity: each source's rate, the pattern's mean over each span, is split over the
//! targets the load balancer would route to (by their routing shares), and each target's span goes
//! through the queueing formulas of [`queueing`](super::queueing). A span ends at every step
//! boundary, every minute boundary (so each minute's work and errors are in its own CloudWatch
//! datapoint, whatever the step) and before every change of where requests may go (see
//! [`catch_up`]). Response times enter the same histograms
//! as in the `requests` fidelity, as points of each step's response-time distribution weighted
//! by the requests they stand for; so both fidelities write the same columns.

use crate::engine::{Generation, SimDuration, SimTime};
use crate::ids::{LoadBalancerId, TargetGroupId, TaskId};
use crate::world::{Ctx, World};

use super::queueing::{self, Backlog, FluidStep, FluidTarget, ServiceTime};
use super::quiet;
use super::routed_arrivals::{self, Arrivals};
use super::stats::Failure;

/// The response-time distribution is entered as these quantiles, each at the middle of the share
/// of requests it stands for: tenths in the body, hundredths from p91 to p98, finer in the tail.
/// p50, p90 and p99 each fall inside a point's own share (p50 in the 0.475–0.525 of the
/// 0.5 point), so the histogram's percentiles are the formulas' and a small change of weights
/// never tips them to a neighbouring point (p50 and p90 used to sit exactly on the boundary of two
/// points: half a percent more weight on one side moved a p50 by 35 %; the histogram's p99 used
/// to fall on the 99.3rd percentile, 8 % above an exponential's p99).
const POINTS: [(f64, f64); 23] = [
    (0.05, 0.1),
    (0.15, 0.1),
    (0.25, 0.1),
    (0.35, 0.1),
    (0.4375, 0.075),
    (0.5, 0.05),
    (0.5625, 0.075),
    (0.65, 0.1),
    (0.75, 0.1),
    (0.845, 0.09),
    (0.9, 0.02),
    (0.915, 0.01),
    (0.925, 0.01),
    (0.935, 0.01),
    (0.945, 0.01),
    (0.955, 0.01),
    (0.965, 0.01),
    (0.975, 0.01),
    (0.98375, 0.0075),
    (0.99, 0.005),
    (0.99425, 0.0035),
    (0.9975, 0.003),
    (0.9995, 0.001),
];
/// Histogram weight per request: fractions of a request per point stay visible.
const WEIGHT_PER_REQUEST: f64 = 1000.0;

/// Starts the clocks (see [`quiet`](super::quiet)): each first span is computed at its end,
/// before anything changes at that instant, so a metrics row or a scaling decision then
/// includes it.
pub fn start(world: &mut World, ctx: &mut Ctx, end: SimTime) {
    quiet::start(world, ctx, end);
}

/// A span's planned end for `lb`: the requests since its last settling flow through its
/// targets, and its next span is planned. A stale wake-up (its span was re-planned) does
/// nothing.
pub fn on_wake(world: &mut World, ctx: &mut Ctx, lb: LoadBalancerId, stamp: Generation) {
    if quiet::take_wake(world, lb, stamp) {
        catch_up(world, ctx, lb);
        quiet::plan(world, ctx, lb);
    }
}

/// Lets the requests to `lb` from its last settling up to now flow, under the routing as it has
/// been since: at every span's end, and before anything changes where its requests go (a health
/// check, a deregistration), so no span's requests reach a target that was not routable during
/// it. Each span's rate is the pattern's mean over the span, so the requests sent are the
/// pattern's whatever the step. A quiet span whose rates stayed flat is one span; any other goes
/// step by step ([`quiet`](super::quiet)). At each span's end the CPU shares of the instances its
/// targets are on are set anew ([`share_cpu`]).
pub fn catch_up(world: &mut World, ctx: &mut Ctx, lb: LoadBalancerId) {
    flow_until(world, ctx, lb, ctx.sched.now(), true);
}

/// [`catch_up`] to `now`, sharing the CPU at each span's end if `share`.
fn flow_until(world: &mut World, ctx: &mut Ctx, lb: LoadBalancerId, now: SimTime, share: bool) {
    if world.traffic.clocks[lb.index()].until >= now {
        return;
    }
    if let Some(rates) = quiet::merged_rates(world, lb, now) {
        span(world, ctx, lb, now, Some(&rates), share);
    }
    let width = world.traffic.spec.step.as_micros().max(1);
    while world.traffic.clocks[lb.index()].until < now {
        let step = world.traffic.clocks[lb.index()].until.as_micros() / width;
        span(world, ctx, lb, SimTime::from_micros((step + 1) * width).min(now), None, share);
    }
}

/// One span of `lb`, from its clock's `until` to `to`: each of its sources' mean rate over it
/// (`rates`, if already read) goes through the listener; then, if `share`, the CPU shares of the
/// instances its targets are on are set from the load the span offered them.
fn span(world: &mut World, ctx: &mut Ctx, lb: LoadBalancerId, to: SimTime, rates: Option<&[f64]>, share: bool) {
    let clock = &mut world.traffic.clocks[lb.index()];
    let from = clock.until;
    let dt = SimDuration::from_micros(to.as_micros() - from.as_micros());
    let seed = world.traffic.seed;
    clock.begin_span();
    clear_demand(&mut world.traffic, lb);
    for k in 0..world.traffic.clocks[lb.index()].sources.len() {
        let source = &world.traffic.spec.sources[world.traffic.clocks[lb.index()].sources[k]];
        let rate = rates.map_or_else(|| source.rate.mean_over(from, to, seed), |r| r[k]);
        world.traffic.clocks[lb.index()].last_rates[k] = rate;
        forward(world, ctx, lb, rate, (to, dt));
    }
    world.traffic.clocks[lb.index()].until = to;
    if share && share_cpu(world, ctx, lb, to) {
        world.traffic.clocks[lb.index()].at_rest = false;
    }
}

/// The targets of `lb` are offered no CPU load until its span's flows say what they are.
fn clear_demand(traffic: &mut super::Traffic, lb: LoadBalancerId) {
    for task in super::state::targets_of(&traffic.listeners, &traffic.target_groups, lb) {
        if let Some(backend) = traffic.backends.get_mut(&task) {
            backend.fluid_demand = 0.0;
        }
    }
}

/// Sets the CPU shares of the instances the targets of `lb` are on from the load each task was
/// offered in its load balancer's last span ([`cpu_share`](super::cpu_share)); returns whether
/// any moved. A task of another load balancer whose share moves first has its open span closed
/// under the share it had, and its flows disturbed ([`quiet`](super::quiet)): so one load
/// balancer's spans are cut by another's only where they share a contended instance.
fn share_cpu(world: &mut World, ctx: &mut Ctx, lb: LoadBalancerId, now: SimTime) -> bool {
    let mut hosts: Vec<usize> =
        world.traffic.backends_of(lb).filter_map(|b| b.cpu.instance()).map(|i| i.index()).collect();
    hosts.sort_unstable();
    hosts.dedup();
    let mut moved = false;
    for host in hosts {
        let traffic = &mut world.traffic;
        let limits =
            super::cpu_share::new_limits(&traffic.backends, &mut traffic.on_instance[host], |b| b.fluid_demand);
        for &(task, _) in &limits {
            let tg = world.traffic.backends[&task].target_group;
            let other = world.traffic.load_balancer_of(tg);
            if other != lb {
                flow_until(world, ctx, other, now, false);
                quiet::disturb(world, ctx, other);
            }
        }
        moved |= !limits.is_empty();
        super::cpu_share::apply(&mut world.traffic.backends, now, &limits);
    }
    moved
}

/// Splits a load balancer's rate over its target groups by weight.
fn forward(world: &mut World, ctx: &mut Ctx, lb: LoadBalancerId, rate: f64, span: (SimTime, SimDuration)) {
    let total: u32 = world.traffic.listeners[lb.index()].forward().iter().map(|(_, w)| w).sum();
    for i in 0..world.traffic.listeners[lb.index()].forward().len() {
        let (tg, weight) = world.traffic.listeners[lb.index()].forward()[i];
        if weight > 0 {
            flow(world, ctx, tg, rate * f64::from(weight) / f64::from(total), span);
        }
    }
}

/// One target group's span ending at `now`: its share of requests to each routable target, 503
/// for the rest.
fn flow(world: &mut World, ctx: &mut Ctx, tg: TargetGroupId, rate: f64, (now, span): (SimTime, SimDuration)) {
    let Some(service) = world.traffic.service_of(tg) else { return };
    let dt = span.as_secs_f64();
    let group = &world.traffic.target_groups[tg.index()];
    let (shares, served) = (group.shares(now), group.served_fraction(&world.traffic.zones));
    let shapes = routed_arrivals::of_targets(group, &shares);
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
    let io_wait = model.io_wait.as_ref().map_or(0.0, |d| d.mean_secs());
    // Targets with the same load, backlog, host speed and vCPUs, and arrivals have the same step:
    // computed once.
    let mut previous: Option<(f64, f64, Host, Arrivals, FluidStep, Backlog)> = None;
    for ((task, share), arrivals) in shares.into_iter().zip(shapes) {
        let Some(backend) = world.traffic.backends.get_mut(&task) else { continue };
        let lambda = rate * share;
        let before = backend.backlog.requests;
        let speed = (backend.speed, backend.vcpus);
        // The host runs the CPU work `speed` times as fast: the mean shrinks, the shape stays.
        let service_time = ServiceTime { mean: service_time.mean / speed.0, ..service_time };
        // Its demand for the next span's CPU shares (super::cpu_share).
        backend.fluid_demand += lambda * service_time.mean;
        let result = match previous {
            Some((l, b, s, a, r, after)) if l == lambda && b == before && s == speed && a == arrivals => {
                backend.backlog = after;
                r
            }
            _ => {
                let target = FluidTarget {
                    vcpus: backend.vcpus,
                    concurrency: backend.concurrency,
                    timeout: timeout.as_secs_f64(),
                    io_wait,
                };
                let r = queueing::routed_step(&target, service_time, arrivals, lambda, dt, &mut backend.backlog);
                previous = Some((lambda, before, speed, arrivals, r, backend.backlog));
                r
            }
        };
        let tolerance = world.traffic.spec.quiet_tolerance;
        if !quiet::at_rest(&result, backend.backlog.requests, tolerance) {
            let lb = world.traffic.load_balancer_of(tg);
            world.traffic.clocks[lb.index()].at_rest = false;
        }
        let limits = Limits { failure, dt, now, per_request };
        let cache = &mut world.traffic.fluid_points[tg.index()];
        let spread = response_spread(cache, (lambda, before, speed, arrivals), &result, timeout);
        account(world, ctx, task, (&result, &spread), &limits);
    }
}

/// The response times at [`POINTS`]' quantiles (none past the timeout: those requests timed
/// out), each with its histogram weight per request answered.
pub type Spread = [(SimDuration, f64); POINTS.len()];

/// A host as the fluid step sees it: its per-vCPU speed and the vCPUs the task may use there.
type Host = (f64, f64);

/// A target group's last computed points: for the load and backlog they were computed at.
#[derive(Clone, Copy, Debug)]
pub struct PointCache {
    lambda: f64,
    backlog: f64,
    /// The host speed and vCPUs they were computed at: targets on other types, or with another
    /// share of their instance, never share them.
    speed: Host,
    /// The arrivals' shape they were computed for (it changes with the number of targets).
    arrivals: Arrivals,
    /// The timeout the spread was cut at.
    timeout: SimDuration,
    spread: Spread,
}

/// Loads within this relative difference share their response-time points: a slowly changing
/// rate (a diurnal curve moves ~0.01% a second) then costs one quantile solve every few minutes
/// instead of 21 root-findings every step, and the percentiles move by far less than the
/// formulas' own approximation.
const POINT_REUSE: f64 = 1e-2;

/// The step's response-time points, reused from the previous step at nearly the same load and
/// nearly the same requests in the task, on a host of the same speed.
fn response_spread(
    cache: &mut Option<PointCache>,
    (lambda, backlog, speed, arrivals): (f64, f64, Host, Arrivals),
    r: &FluidStep,
    timeout: SimDuration,
) -> Spread {
    let near = |a: f64, b: f64| (a - b).abs() <= POINT_REUSE * a.max(b);
    if let Some(c) = cache {
        let same = c.speed == speed && c.arrivals == arrivals && c.timeout == timeout;
        if same && near(c.backlog, backlog) && near(c.lambda, lambda) {
            return c.spread;
        }
    }
    // No answer comes after the timeout: those requests are counted as timed out.
    let spread = POINTS
        .map(|(p, mass)| (SimDuration::from_secs_f64(r.answered_quantile(p)).min(timeout), mass * WEIGHT_PER_REQUEST));
    *cache = Some(PointCache { lambda, backlog, speed, arrivals, timeout, spread });
    spread
}

/// What a target group's step applies to each of its targets.
#[derive(Clone, Copy)]
struct Limits {
    /// How a timed-out request is answered (`None`: by the application, a target 5xx).
    failure: Option<Failure>,
    dt: f64,
    /// The end of the span.
    now: SimTime,
    per_request: f64,
}

/// Adds a target's step to its service's counters and histogram, and kills it for memory if its
/// requests in flight took it over its limit.
fn account(world: &mut World, ctx: &mut Ctx, task: TaskId, (r, spread): (&FluidStep, &Spread), limits: &Limits) {
    let Limits { failure, dt, now, per_request } = *limits;
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
    stats.answered_spread(spread, r.completed);
    if out_of_memory {
        super::requests::run_out_of_memory(world, ctx, task);
    }
}

#[cfg(test)]
mod tests {
    use super::POINTS;

    #[test]
    fn each_point_is_the_middle_of_its_share_and_the_read_percentiles_fall_inside_one() {
        let mut below = 0.0;
        let mut shares = Vec::new();
        for (p, mass) in POINTS {
            assert!((p - (below + mass / 2.0)).abs() < 1e-12, "point {p} is not the middle of its share");
            shares.push((below, below + mass));
            below += mass;
        }
        assert!((below - 1.0_f64).abs() < 1e-12);
        for q in [0.5, 0.9, 0.99] {
            let inside = shares.iter().find(|(lo, hi)| *lo < q && q < *hi);
            let (lo, hi) = inside.unwrap_or_else(|| panic!("p{q} lies on a boundary between two points"));
            assert!(q - lo >= 0.002 && hi - q >= 0.002, "p{q} is {} from its point's edge", (q - lo).min(hi - q));
        }
    }
}
