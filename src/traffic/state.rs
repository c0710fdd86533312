//! The traffic part of the world: each target group's state, the backends (tasks registered
//! with a target group), the requests in flight and each service's counters.

use crate::catalog::Speeds;
use crate::engine::{Lane, SimTime};
use crate::ids::{LoadBalancerId, ServiceId, SourceId, TargetGroupId, TaskId, ZoneId};

use super::backend::Backend;
use super::fluid::PointCache;
use super::listener::Listener;
use super::server::{RequestId, Ticket};
use super::spec::{LoadBalancerSpec, TargetGroupSpec, TrafficSpec};
use super::stats::ServiceTraffic;
use super::stickiness::CookieJar;
use super::target_group::TargetGroup;

/// A request between its arrival at a target and its answer.
#[derive(Clone, Copy, Debug)]
pub struct InFlight {
    pub task: TaskId,
    pub arrived: SimTime,
    /// Its place at the target's server.
    pub ticket: Ticket,
}

/// Where a source is in its arrival process: requests come as a Poisson process whose rate is
/// held constant over each step (see `requests::schedule_arrival`).
#[derive(Clone, Copy, Debug, Default)]
pub struct ArrivalClock {
    /// The step whose rate is cached, and that rate.
    pub cached: Option<(u64, f64)>,
    /// How far, in microseconds (0 to 1), the pending arrival's event comes after the arrival's
    /// exact instant: the next gap is measured from that instant.
    pub behind: f64,
    /// The scheduler's lane its arrivals keep to, once its first is scheduled.
    pub lane: Option<Lane>,
}

#[derive(Clone, Debug)]
pub struct Traffic {
    pub spec: TrafficSpec,
    pub load_balancers: Vec<LoadBalancerSpec>,
    /// Each load balancer's listener as it is now: its forward action's weights, which a
    /// blue/green, canary or linear deployment shifts (see [`super::listener`]).
    pub listeners: Vec<Listener>,
    pub target_group_specs: Vec<TargetGroupSpec>,
    /// By service id, the target groups its tasks register with (read at every metrics row).
    pub groups_of_service: Vec<Vec<TargetGroupId>>,
    pub target_groups: Vec<TargetGroup>,
    /// Per target group, the sticky-session cookies its clients hold (empty without stickiness).
    pub cookies: Vec<CookieJar>,
    /// Tasks registered with a target group, RUNNING or draining.
    pub backends: super::backends::Backends,
    /// The backends on each instance, in task order, by instance index: who shares its CPU
    /// ([`super::cpu_share`]). An index, not a search: it is read at every request's arrival
    /// and completion.
    pub on_instance: Vec<super::cpu_share::Sharers>,
    /// Per target group, the scheduler's lane its health checks keep to, once it has a target
    /// (each is an interval after the one before).
    pub probe_lanes: Vec<Option<Lane>>,
    /// Per target group, its requests' deadlines (request fidelity).
    pub timeouts: Vec<super::timeouts::TimeoutQueue>,
    /// Requests being served, request fidelity only: bounded by what is in flight.
    pub in_flight: super::in_flight::InFlightTable,
    pub next_request: u64,
    pub arrivals: Vec<ArrivalClock>,
    /// By service id; services without a target group keep zeros.
    pub services: Vec<ServiceTraffic>,
    /// The run's seed: rate patterns with noise draw from it.
    pub seed: u64,
    /// The per-vCPU speeds a task's host runs its requests' CPU work at.
    pub speeds: Speeds,
    /// The load balancers' zones: the cluster's (an ALB is enabled in each).
    pub zones: Vec<ZoneId>,
    /// Per target group, the fluid fidelity's last response-time points.
    pub fluid_points: Vec<Option<PointCache>>,
    /// Where the fluid fidelity stands, by load balancer: how far its requests have flowed, and
    /// its next wake-up.
    pub clocks: Vec<super::quiet::FluidClock>,
}

/// What the traffic runtime starts from: the validated specs, and how many services and zones
/// there are.
pub struct TrafficSetup {
    pub spec: TrafficSpec,
    pub load_balancers: Vec<LoadBalancerSpec>,
    pub target_groups: Vec<TargetGroupSpec>,
    pub services: usize,
    pub zones: usize,
    /// The run's seed: rate patterns with noise draw from it.
    pub seed: u64,
    /// The per-vCPU speeds of the hosts.
    pub speeds: Speeds,
}

impl Traffic {
    /// Requests being served now (request fidelity: each request is an entity).
    pub fn requests_in_flight(&self) -> usize {
        self.in_flight.len()
    }

    /// Tasks registered with a target group now, RUNNING or draining.
    pub fn registered_targets(&self) -> usize {
        self.backends.len()
    }

    pub fn new(setup: TrafficSetup) -> Self {
        let TrafficSetup { spec, load_balancers, target_groups, services, zones, seed, speeds } = setup;
        Traffic {
            fluid_points: vec![None; target_groups.len()],
            clocks: (0..load_balancers.len())
                .map(|lb| {
                    let fed = spec.sources.iter().enumerate().filter(|(_, s)| s.load_balancer.index() == lb);
                    super::quiet::FluidClock::new(fed.map(|(i, _)| i).collect())
                })
                .collect(),
            target_groups: target_groups.iter().map(|tg| TargetGroup::new(tg.config.clone())).collect(),
            cookies: vec![CookieJar::default(); target_groups.len()],
            timeouts: vec![Default::default(); target_groups.len()],
            probe_lanes: vec![None; target_groups.len()],
            arrivals: vec![ArrivalClock::default(); spec.sources.len()],
            spec,
            listeners: load_balancers.iter().map(Listener::new).collect(),
            load_balancers,
            groups_of_service: (0..services)
                .map(|s| {
                    let serving =
                        target_groups.iter().enumerate().filter(|(_, g)| g.service.map(|id| id.index()) == Some(s));
                    serving.map(|(i, _)| TargetGroupId::from_index(i)).collect()
                })
                .collect(),
            target_group_specs: target_groups,
            backends: Default::default(),
            on_instance: Vec::new(),
            in_flight: Default::default(),
            next_request: 0,
            services: vec![ServiceTraffic::default(); services],
            seed,
            speeds,
            zones: (0..zones).map(ZoneId::from_index).collect(),
        }
    }

    /// Adds a backend, and to its instance's list.
    pub fn add_backend(&mut self, backend: Backend) {
        if let Some(host) = backend.cpu.instance() {
            if self.on_instance.len() <= host.index() {
                self.on_instance.resize_with(host.index() + 1, Default::default);
            }
            self.on_instance[host.index()].add(backend.task);
        }
        self.backends.insert(backend.task, backend);
    }

    /// Removes a backend, and from its instance's list.
    pub fn remove_backend(&mut self, task: TaskId) -> Option<Backend> {
        let backend = self.backends.remove(&task)?;
        if let Some(host) = backend.cpu.instance() {
            if let Some(sharers) = self.on_instance.get_mut(host.index()) {
                sharers.remove(task);
            }
        }
        Some(backend)
    }

    pub fn group(&mut self, id: TargetGroupId) -> &mut TargetGroup {
        &mut self.target_groups[id.index()]
    }

    /// The load balancer `tg` is a target group of.
    pub fn load_balancer_of(&self, tg: TargetGroupId) -> LoadBalancerId {
        self.target_group_specs[tg.index()].load_balancer
    }

    /// The backends of the tasks registered with the target groups `lb` forwards to.
    pub fn backends_of(&self, lb: LoadBalancerId) -> impl Iterator<Item = &Backend> {
        targets_of(&self.listeners, &self.target_groups, lb).filter_map(|t| self.backends.get(&t))
    }

    /// The service whose tasks register with `tg`.
    pub fn service_of(&self, tg: TargetGroupId) -> Option<ServiceId> {
        self.target_group_specs[tg.index()].service
    }

    /// The rate of `source` during step `step`: the pattern's mean over it, or over its part
    /// before the run's `end` (cached: a busy source asks once per step).
    pub fn rate_in_step(&mut self, source: SourceId, step: u64, end: SimTime) -> f64 {
        let clock = &mut self.arrivals[source.index()];
        if let Some((cached, rate)) = clock.cached {
            if cached == step {
                return rate;
            }
        }
        // The step's mean rate, not its midpoint's: the step sends the requests the pattern does
        // (a per-second trace under a 5-minute step lost 0.5 % of them read at the midpoints).
        let width = self.spec.step.as_micros();
        let start = SimTime::from_micros(step * width);
        let stop = SimTime::from_micros((step + 1) * width).min(end);
        let rate = self.spec.sources[source.index()].rate.mean_over(start, stop, self.seed);
        clock.cached = Some((step, rate));
        rate
    }

    /// A fresh request id.
    pub fn new_request(&mut self) -> RequestId {
        self.next_request += 1;
        RequestId(self.next_request)
    }
}

/// The tasks registered with the target groups `lb` forwards to (from the two tables alone, so a
/// caller may change the backends meanwhile).
pub fn targets_of<'a>(
    listeners: &'a [Listener],
    target_groups: &'a [TargetGroup],
    lb: LoadBalancerId,
) -> impl Iterator<Item = TaskId> + 'a {
    let groups = listeners[lb.index()].forward().iter();
    groups.flat_map(|(tg, _)| target_groups[tg.index()].targets()).map(|t| t.task)
}
