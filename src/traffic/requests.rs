//! The `requests` fidelity: every request is an event. A source's arrivals are a Poisson process
//! whose rate is held constant over each step; the load balancer routes each request to a
//! target, whose [`Server`](super::server::Server) decides when it is answered; a request that
//! outlives the idle timeout (or the application's own) is answered 504.

use rand::RngExt;
use rand_distr::{Distribution, Exp1};

use crate::engine::{ceil_u64, SimDuration, SimTime};
use crate::ids::{InstanceId, LoadBalancerId, SourceId, TargetGroupId, TaskId, ZoneId};
use crate::task::{OUT_OF_MEMORY, SIGKILL_EXIT_CODE};
use crate::world::event::TrafficEvent;
use crate::world::{Ctx, Event, World};

use super::server::{Admission, RequestId};
use super::spec::Fidelity;
use super::state::InFlight;
use super::stats::Failure;
use super::stickiness::ClientId;
use super::target_group::Pick;

/// Schedules the first arrival of every source.
pub fn start(world: &mut World, ctx: &mut Ctx, end: SimTime) {
    for i in 0..world.traffic.spec.sources.len() {
        schedule_arrival(world, ctx, SourceId::from_index(i), end);
    }
}

/// When the next request of `source` comes after its previous one, by inverting the integrated
/// rate: an exponential amount of "rate mass" is drawn and spent step by step, which is exact for
/// a rate that is constant within each step (and skips idle steps without drawing).
///
/// The gaps are measured from the previous arrival's *exact* instant, not from the microsecond
/// its event fired at: the event is rounded up to the next whole microsecond, and the rounding
/// is carried in [`ArrivalClock::behind`](super::state::ArrivalClock) instead of accumulating
/// (rounding every gap up lost half a microsecond per gap: 0.2 % of the requests at 3,800/s).
fn schedule_arrival(world: &mut World, ctx: &mut Ctx, source: SourceId, end: SimTime) {
    let mut mass: f64 = Exp1.sample(ctx.streams.arrivals(source));
    let width = world.traffic.spec.step.as_micros();
    let now = ctx.sched.now().as_micros();
    // The exact instant of the previous arrival (or of the start), in microseconds.
    let mut t = now as f64 - world.traffic.arrivals[source.index()].behind;
    while t < end.as_micros() as f64 {
        let step = (t as u64) / width;
        let step_end = (step + 1) * width;
        let rate = world.traffic.rate_in_step(source, step, end);
        let span = (step_end as f64 - t) / 1e6;
        if rate * span > mass {
            let exact = t + mass / rate * 1e6;
            let at = ceil_u64(exact).clamp(now, step_end);
            let clock = &mut world.traffic.arrivals[source.index()];
            clock.behind = at as f64 - exact;
            // One arrival pending at a time: the source's lane of the scheduler.
            let lane = *clock.lane.get_or_insert_with(|| ctx.sched.open_lane());
            ctx.sched.at_lane(lane, SimTime::from_micros(at), Event::Traffic(TrafficEvent::Arrival(source)));
            return;
        }
        mass -= rate * span;
        t = step_end as f64;
    }
}

/// A request of `source` arrives at its load balancer; the next one is scheduled.
pub fn on_arrival(world: &mut World, ctx: &mut Ctx, source: SourceId, end: SimTime) {
    let lb = world.traffic.spec.sources[source.index()].load_balancer;
    route(world, ctx, source, lb);
    schedule_arrival(world, ctx, source, end);
}

/// The listener forwards the request to a target group by weight; the group picks a target
/// (the client's sticky one if its cookie holds, see [`super::stickiness`]).
fn route(world: &mut World, ctx: &mut Ctx, source: SourceId, lb: LoadBalancerId) {
    let tg = forward(world, ctx, lb);
    let Some(service) = world.traffic.service_of(tg) else {
        return; // A target group no service registers with has no target: 503, counted nowhere.
    };
    let zone = client_zone(world, ctx, tg);
    let now = ctx.sched.now();
    let client = client(world, ctx, source, tg);
    let cookie = client.and_then(|(c, _)| world.traffic.cookies[tg.index()].valid(c, now));
    let group = &mut world.traffic.target_groups[tg.index()];
    let stuck = cookie.and_then(|c| group.sticky_pick(c.target, zone));
    let pick = match stuck {
        Some(pick) => pick,
        None => {
            let pick = group.pick(now, zone, ctx.streams.routing(tg));
            if let (Some((c, duration)), Pick::Target(task) | Pick::FailOpen(task)) = (client, pick) {
                world.traffic.cookies[tg.index()].issue(c, task, now, duration);
            }
            pick
        }
    };
    let counts = &mut world.traffic.services[service.index()].interval;
    let task = match pick {
        Pick::NoTarget => return counts.fail(Failure::Elb503, 1.0),
        Pick::FailOpen(task) => {
            counts.unhealthy_routing += 1.0;
            task
        }
        Pick::Target(task) => task,
    };
    counts.requests += 1.0;
    serve(world, ctx, tg, task);
}

/// The target group a listener forwards to (a weighted draw when it has several).
fn forward(world: &World, ctx: &mut Ctx, lb: LoadBalancerId) -> TargetGroupId {
    let groups = world.traffic.listeners[lb.index()].forward();
    if let [(only, _)] = groups {
        return *only;
    }
    let total: u32 = groups.iter().map(|(_, w)| w).sum();
    let mut draw = ctx.streams.forwarding(lb).random_range(0..total);
    for (tg, weight) in groups {
        if draw < *weight {
            return *tg;
        }
        draw -= weight;
    }
    unreachable!("the draw is below the sum of the weights")
}

/// The client sending the request and the cookie's duration, when `tg` is sticky and the source
/// has a client population (one draw from the source's client stream); `None` otherwise.
fn client(world: &World, ctx: &mut Ctx, source: SourceId, tg: TargetGroupId) -> Option<(ClientId, SimDuration)> {
    let duration = world.traffic.target_groups[tg.index()].config().stickiness.duration()?;
    let clients = world.traffic.spec.sources[source.index()].clients?;
    let index = ctx.streams.clients(source).random_range(0..clients.max(1));
    Some((ClientId { source, index }, duration))
}

/// The zone of the load balancer node that takes the request: clients spread evenly over the
/// cluster's zones. Only drawn when it matters (cross-zone load balancing off).
fn client_zone(world: &World, ctx: &mut Ctx, tg: TargetGroupId) -> ZoneId {
    if world.traffic.target_groups[tg.index()].config().cross_zone {
        return ZoneId::from_index(0);
    }
    ZoneId::from_index(ctx.streams.routing(tg).random_range(0..world.zones.len()))
}

/// The target takes the request: it runs out of memory, refuses it (queue full), or starts on
/// it with a timeout.
fn serve(world: &mut World, ctx: &mut Ctx, tg: TargetGroupId, task: TaskId) {
    let now = ctx.sched.now();
    let Some(backend) = world.traffic.backends.get_mut(&task) else { return };
    backend.received += 1;
    let service = backend.service;
    let model = &world.services.get(service).spec.requests;
    let in_flight = f64::from(backend.server.in_flight() + 1);
    if backend.would_run_out_of_memory(in_flight, model.memory_per_request) {
        world.traffic.services[service.index()].interval.fail(Failure::Elb502, 1.0);
        run_out_of_memory(world, ctx, task);
        return;
    }
    let (timeout, failure) = timeout(world, tg, model.timeout);
    let work = model.cpu_time.sample(ctx.streams.work(service));
    // Drawn only when set, so a model without it draws its CPU times as before.
    let io_wait = model.io_wait.as_ref().map_or(SimDuration::ZERO, |d| d.sample(ctx.streams.work(service)));
    let id = world.traffic.new_request();
    let backend = world.traffic.backends.get_mut(&task).expect("checked above");
    // The host's speed scales the CPU work, not the wait.
    let work = backend.on_host(work);
    let Admission::Accepted(ticket) = backend.server.arrive_with_io(now, id, io_wait, work) else {
        world.traffic.services[service.index()].interval.target_5xx += 1.0;
        return;
    };
    world.traffic.group(tg).request_started(task);
    world.traffic.in_flight.insert(id, InFlight { task, arrived: now, ticket });
    super::timeouts::start(world, ctx, tg, id, (timeout, failure));
    reschedule(world, ctx, task);
}

/// Which comes first, the application's timeout (its own 504, a target 5xx) or the load
/// balancer's idle timeout (an ELB 504).
pub(super) fn timeout(world: &World, tg: TargetGroupId, app: Option<SimDuration>) -> (SimDuration, Option<Failure>) {
    let lb = world.traffic.load_balancer_of(tg);
    let idle = world.traffic.load_balancers[lb.index()].idle_timeout;
    match app {
        Some(app) if app < idle => (app, None),
        _ => (idle, Some(Failure::Elb504)),
    }
}

/// The kernel kills the task's essential container for memory: a new request pushed it over.
pub(super) fn run_out_of_memory(world: &mut World, ctx: &mut Ctx, task: TaskId) {
    let td = world.task_definition(world.tasks.get(task).task_definition);
    if let Some(container) = td.containers.iter().position(|c| c.essential) {
        crate::task::exit_container(world, ctx, task, container, SIGKILL_EXIT_CODE, OUT_OF_MEMORY);
    }
}

/// Requests finish at a target: each one's response time is recorded.
pub fn on_completion(world: &mut World, ctx: &mut Ctx, task: TaskId, version: u32) {
    let now = ctx.sched.now();
    let Some(backend) = world.traffic.backends.get_mut(&task) else { return };
    if backend.completion_version != version {
        return;
    }
    backend.completion_at = None;
    let (service, tg) = (backend.service, backend.target_group);
    while let Some(id) = world.traffic.backends.get_mut(&task).and_then(|b| b.server.pop_completed(now)) {
        if let Some(request) = world.traffic.in_flight.remove(&id) {
            world.traffic.services[service.index()].answered(now.since(request.arrived), 1);
            world.traffic.group(tg).request_finished(task);
        }
    }
    reschedule(world, ctx, task);
}

/// A request ran out of time: the application answers 504 itself (`failure` None), or the load
/// balancer does.
pub fn on_timeout(world: &mut World, ctx: &mut Ctx, id: RequestId, failure: Option<Failure>) {
    let Some(request) = world.traffic.in_flight.remove(&id) else { return };
    let now = ctx.sched.now();
    let Some(backend) = world.traffic.backends.get_mut(&request.task) else { return };
    backend.server.abandon(now, request.ticket);
    let (service, tg) = (backend.service, backend.target_group);
    let stats = &mut world.traffic.services[service.index()];
    match failure {
        Some(f) => stats.interval.fail(f, 1.0),
        None => {
            stats.interval.target_5xx += 1.0;
            stats.answered(now.since(request.arrived), 1);
        }
    }
    world.traffic.group(tg).request_finished(request.task);
    reschedule(world, ctx, request.task);
}

/// Every request the task is serving fails with `failure` (its host or container is gone).
pub fn fail_in_flight(world: &mut World, ctx: &mut Ctx, task: TaskId, failure: Failure) {
    let now = ctx.sched.now();
    let Some(backend) = world.traffic.backends.get_mut(&task) else { return };
    let (service, tg) = (backend.service, backend.target_group);
    let lost = backend.server.evict_all(now);
    let fluid = std::mem::take(&mut backend.backlog).requests;
    // Nothing left to serve: the pending completion, if any, goes stale.
    backend.reschedule();
    let host = backend.cpu.instance();
    let stats = &mut world.traffic.services[service.index()];
    stats.interval.fail(failure, lost.len() as f64 + fluid);
    for id in lost {
        world.traffic.in_flight.remove(&id);
        world.traffic.group(tg).request_finished(task);
    }
    share_cpu(world, ctx, host);
}

/// Schedules the target's next completion if it moved, after sharing its instance's CPU anew:
/// its requests in service changed, so its demand may have.
fn reschedule(world: &mut World, ctx: &mut Ctx, task: TaskId) {
    let host = world.traffic.backends.get(&task).and_then(|b| b.cpu.instance());
    share_cpu(world, ctx, host);
    reschedule_one(world, ctx, task);
}

fn reschedule_one(world: &mut World, ctx: &mut Ctx, task: TaskId) {
    if let Some((at, version)) = world.traffic.backends.get_mut(&task).and_then(|b| b.reschedule()) {
        ctx.sched.at(at, Event::Traffic(TrafficEvent::Completion { task, version }));
    }
}

/// Shares the vCPUs of `host` (if the task is on an instance) among the tasks on it by their
/// requests in their CPU phase now ([`super::cpu_share`]), and moves the completions of those
/// whose share changed. The request fidelity only: the fluid one shares once a span.
pub(super) fn share_cpu(world: &mut World, ctx: &mut Ctx, host: Option<InstanceId>) {
    let Some(host) = host else { return };
    if world.traffic.spec.fidelity != Fidelity::Requests {
        return;
    }
    let traffic = &mut world.traffic;
    let Some(sharers) = traffic.on_instance.get_mut(host.index()) else { return };
    if sharers.is_fixed() {
        return; // every limit is its cap for good: twice a request on an instance not overcommitted
    }
    let now = ctx.sched.now();
    for task in super::cpu_share::rebalance(&mut traffic.backends, sharers, now, |b| b.server.cpu_demand()) {
        reschedule_one(world, ctx, task);
    }
}
