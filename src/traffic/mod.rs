//! Traffic into the cluster: load patterns and trace replay, the per-service request model, and
//! the Application Load Balancer's target groups and routing (aws-behaviour.md §9, §10).
//!
//! Two fidelities share everything but how requests are served (design rule 9): in `requests`
//! every request is an event ([`requests`]); in `fluid` rates go through queueing formulas once
//! per step ([`fluid`]). Registration, health checks and draining ([`targets`]) are events in
//! both.

mod backend;
mod backends;
pub mod cpu_share;
mod fluid;
pub mod group_health;
pub mod health_check;
mod in_flight;
mod listener;
pub mod matcher;
pub mod one_worker;
pub mod pool;
pub mod queueing;
mod quiet;
pub mod rate;
mod requests;
mod response_time;
pub mod routed_arrivals;
mod routing;
pub mod server;
pub mod spec;
mod state;
mod stats;
pub mod stickiness;
pub mod target_group;
mod targets;
mod tickets;
mod timeouts;

pub use listener::Listener;
pub use rate::Rate;
pub use state::{Traffic, TrafficSetup};
pub use stats::{Failure, ServiceTraffic, TrafficCounts};
pub use targets::{stop_answering, target_group_of, target_state};

use crate::engine::{SimDuration, SimTime};
use crate::ids::{LoadBalancerId, ServiceId, TargetGroupId, TaskId};
use crate::record::{Recorder, TrafficRow};
use crate::world::event::TrafficEvent;
use crate::world::{Ctx, World};
use spec::Fidelity;

/// Starts the sources: the first arrivals, or the first fluid step.
pub fn start(world: &mut World, ctx: &mut Ctx, end: SimTime) {
    if world.traffic.spec.sources.is_empty() {
        return;
    }
    match world.traffic.spec.fidelity {
        Fidelity::Requests => requests::start(world, ctx, end),
        Fidelity::Fluid => fluid::start(world, ctx, end),
    }
}

pub fn on_event(world: &mut World, ctx: &mut Ctx, event: TrafficEvent, end: SimTime) {
    match event {
        TrafficEvent::Arrival(source) => requests::on_arrival(world, ctx, source, end),
        TrafficEvent::Completion { task, version } => {
            requests::on_completion(world, ctx, task, version);
            targets::on_request_ended(world, ctx, task);
        }
        TrafficEvent::Timeouts(tg) => timeouts::on_timer(world, ctx, tg),
        TrafficEvent::Probe(task) => {
            // A check that may change where requests go: what flowed before it flowed as it was.
            if probe_may_reroute(world, task, ctx.sched.now()) {
                settle(world, ctx, task);
            }
            targets::on_probe(world, ctx, task)
        }
        TrafficEvent::FluidStep(lb, stamp) => fluid::on_wake(world, ctx, lb, stamp),
    }
}

/// In the fluid fidelity, lets the requests to the load balancer of `task`'s target up to now
/// flow before the routing changes, which disturbs its flows (the next step is computed on its
/// own: see [`quiet`]). A task that is no target changes no routing.
fn settle(world: &mut World, ctx: &mut Ctx, task: TaskId) {
    let Some(tg) = world.traffic.backends.get(&task).map(|b| b.target_group) else { return };
    if is_fluid(world) {
        let lb = world.traffic.load_balancer_of(tg);
        fluid::catch_up(world, ctx, lb);
        quiet::disturb(world, ctx, lb);
    }
}

fn is_fluid(world: &World) -> bool {
    world.traffic.spec.fidelity == Fidelity::Fluid && !world.traffic.spec.sources.is_empty()
}

/// Something the fluid flows of `lb` read is about to change (a target registers, the listener
/// shifts): a quiet span open now is closed first, and the next step is computed on its own. See
/// [`quiet`].
fn touch(world: &mut World, ctx: &mut Ctx, lb: LoadBalancerId) {
    if is_fluid(world) {
        if world.traffic.clocks[lb.index()].is_quiet() {
            fluid::catch_up(world, ctx, lb);
        }
        quiet::disturb(world, ctx, lb);
    }
}

/// A metrics row is about to read the interval: the quiet fluid spans open now are closed first,
/// so the row holds their work up to now (at any metrics interval). Nothing changes: no
/// disturbance.
pub fn before_sample(world: &mut World, ctx: &mut Ctx) {
    if !is_fluid(world) {
        return;
    }
    for i in 0..world.traffic.clocks.len() {
        if world.traffic.clocks[i].is_quiet() {
            let lb = LoadBalancerId::from_index(i);
            fluid::catch_up(world, ctx, lb);
            quiet::plan(world, ctx, lb);
        }
    }
}

/// A task reaches RUNNING: its target registers with its group (see
/// [`targets::on_task_running`]), which may change where requests go (a group failing open
/// routes to every registered target).
pub fn on_task_running(world: &mut World, ctx: &mut Ctx, id: TaskId) {
    if let Some(tg) = crate::service::target_group_of(world, id) {
        touch(world, ctx, world.traffic.load_balancer_of(tg));
    }
    targets::on_task_running(world, ctx, id)
}

/// Whether a health check of `task` at `now` could move its target in or out of the healthy
/// set: it would pass and the target is not healthy, or fail and it is (the check
/// [`targets::on_probe`] makes; a failing check of a healthy target may still be below the
/// unhealthy threshold, which only costs a settling).
fn probe_may_reroute(world: &World, task: TaskId, now: SimTime) -> bool {
    let Some(passes) = targets::probe_passes(world, task, now) else { return false };
    let healthy = target_state(world, task) == Some(target_group::TargetState::Healthy);
    passes != healthy
}

/// ECS stops a RUNNING task: its target drains (see [`targets::on_task_deactivating`]).
pub fn on_task_deactivating(world: &mut World, ctx: &mut Ctx, id: TaskId) -> SimDuration {
    settle(world, ctx, id);
    targets::on_task_deactivating(world, ctx, id)
}

/// The task's containers stop or its host is gone (see [`targets::on_task_gone`]).
pub fn on_task_gone(world: &mut World, ctx: &mut Ctx, id: TaskId) {
    settle(world, ctx, id);
    targets::on_task_gone(world, ctx, id)
}

/// Brings the service's CPU and memory counters up to `now`: each backend's use since it was
/// last accounted goes into the open interval (request fidelity: read from the server; fluid:
/// the steps added the work, only the time alive is left to add).
pub fn account_backends(world: &mut World, service: ServiceId, now: SimTime) {
    let per_request = world.services.get(service).spec.requests.memory_per_request;
    let traffic = &mut world.traffic;
    let counts = &mut traffic.services[service.index()].interval;
    // The service's live tasks, in id order as the backends are: every one with a backend is
    // among them (a backend goes at STOPPING, a task leaves the service at STOPPED).
    for task in &world.services.get(service).tasks {
        let Some(backend) = traffic.backends.get_mut(task) else { continue };
        if traffic.spec.fidelity == Fidelity::Requests {
            backend.account(now, per_request, counts);
        } else {
            backend.add_use(now, 0.0, 0.0, per_request, counts);
        }
    }
}

/// Closes the metrics interval of every service at `now`: each one's traffic row (`None` for a
/// service without a target group), indexed by `ServiceId`. The interval's response times go to
/// the recorder first ([`Recorder::interval_latencies`]), service by service.
pub fn close_intervals(world: &mut World, now: SimTime, recorder: &mut dyn Recorder) -> Vec<Option<TrafficRow>> {
    (0..world.services.len()).map(|i| close_interval(world, ServiceId::from_index(i), now, recorder)).collect()
}

fn close_interval(
    world: &mut World,
    service: ServiceId,
    now: SimTime,
    recorder: &mut dyn Recorder,
) -> Option<TrafficRow> {
    let hosts = hosts(world, service)?;
    account_backends(world, service, now);
    world.traffic.services[service.index()].record_held();
    let name = &world.services.get(service).spec.name;
    recorder.interval_latencies(now, name, &world.traffic.services[service.index()].latencies);
    Some(world.traffic.services[service.index()].close_interval((hosts.healthy, hosts.unhealthy), hosts.registered))
}

/// Sends `percent` of the production traffic that `from` and `to` share to `to` (a blue/green,
/// canary or linear deployment's shift, or a rollback's shift back), on the listener of their
/// load balancer.
pub fn shift_production(world: &mut World, ctx: &mut Ctx, from: TargetGroupId, to: TargetGroupId, percent: f64) {
    let lb = world.traffic.load_balancer_of(from);
    touch(world, ctx, lb);
    world.traffic.listeners[lb.index()].shift(from, to, percent);
}

/// Requests the load balancer has sent to `task`'s target so far (request fidelity); `None` for
/// a task that is not registered with a target group now.
pub fn requests_received(world: &World, task: TaskId) -> Option<u64> {
    world.traffic.backends.get(&task).map(|b| b.received)
}

/// A target group's name.
pub fn target_group_name(world: &World, tg: TargetGroupId) -> &str {
    &world.traffic.target_group_specs[tg.index()].name
}

/// A service's targets now, over the target groups that serve it (two during a blue/green,
/// canary or linear deployment).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Hosts {
    pub healthy: u32,
    pub unhealthy: u32,
    /// Registered targets, draining ones included.
    pub registered: u32,
}

/// The service's targets; `None` for a service behind no target group.
pub fn hosts(world: &World, service: ServiceId) -> Option<Hosts> {
    let traffic = &world.traffic;
    let serving = &traffic.groups_of_service[service.index()];
    if serving.is_empty() {
        return None;
    }
    let mut hosts = Hosts::default();
    for tg in serving {
        let group = &traffic.target_groups[tg.index()];
        hosts.healthy += group.healthy_count();
        hosts.unhealthy += group.unhealthy_count();
        hosts.registered += group.targets().count() as u32;
    }
    Some(hosts)
}
