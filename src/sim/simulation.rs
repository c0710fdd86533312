//! A run: the world, its streams and recorder, driven by the engine until the scenario's end.

use crate::engine::{Model, Scheduler, SimTime};
use crate::faults::{self, Fault};
use crate::ids::{ActionId, FaultId, RunTaskId, ServiceId};
use crate::metrics::{self, Summary};
use crate::record::Recorder;
use crate::scenario::Scenario;
use crate::service::{Action, ActionKind, SchedulingStrategy};
use crate::task::LifecycleTiming;
use crate::world::event::ServiceEvent;
use crate::world::{Ctx, Event, Streams, World};

use super::transitions::fan_out;
use crate::{autoscaling, capacity, service, task, traffic};

/// The ECS model as the engine sees it: routes each event to the domain module that owns it.
struct Ecs<'r> {
    world: World,
    streams: Streams,
    recorder: &'r mut dyn Recorder,
    timing: LifecycleTiming,
    faults: Vec<Fault>,
    actions: Vec<Action>,
    explain_placement: bool,
    metrics_interval: crate::engine::SimDuration,
    end: SimTime,
    /// What metrics rows and the summary bill the run at.
    pricing: metrics::Pricing,
}

impl Model for Ecs<'_> {
    type Event = Event;

    fn handle(&mut self, event: Event, sched: &mut Scheduler<Event>) {
        let mut ctx = Ctx::new(sched, &mut self.streams, &mut *self.recorder, &self.timing, fan_out);
        ctx.explain_placement = self.explain_placement;
        let world = &mut self.world;
        #[cfg(debug_assertions)]
        let checked = super::invariants::worth_checking(&event).then_some(event);
        match event {
            Event::Task(step) => task::on_step(world, &mut ctx, step),
            Event::Container(e) => task::on_container_event(world, &mut ctx, e),
            Event::Service(e) => service::on_event(world, &mut ctx, e),
            Event::Capacity(e) => capacity::on_event(world, &mut ctx, e),
            Event::Fault(id) => faults::on_fault(world, &mut ctx, &self.faults[id.index()], id, self.end),
            Event::Action(id) => match self.actions[id.index()].kind {
                ActionKind::UpdateService { service, desired_count } => {
                    service::update_desired_count(world, &mut ctx, service, desired_count)
                }
                ActionKind::Deploy { service, task_definition } => {
                    service::deploy(world, &mut ctx, service, task_definition)
                }
            },
            Event::RunTask(id) => service::on_run_task(world, &mut ctx, id),
            Event::Traffic(e) => traffic::on_event(world, &mut ctx, e, self.end),
            Event::Scaling(e) => autoscaling::on_event(world, &mut ctx, e, self.end),
            Event::Sample => {
                // The one change an observation makes: each service's traffic interval is cut at
                // this instant (nothing else reads it before the next sample); then the row
                // reads the world.
                let now = ctx.sched.now();
                traffic::before_sample(world, &mut ctx);
                let traffic = traffic::close_intervals(world, now, ctx.recorder);
                let at = metrics::SampleAt { now, interval: self.metrics_interval, end: self.end };
                metrics::sample(world, ctx.recorder, &self.pricing, at, traffic);
                if let Some(next) = metrics::next_sample(ctx.sched.now(), self.metrics_interval, self.end) {
                    ctx.sched.observe_at(next, Event::Sample);
                }
            }
        }
        #[cfg(debug_assertions)]
        if let Some(event) = checked {
            super::invariants::check(world, &event, ctx.sched.now());
        }
    }
}

/// One run of a scenario.
pub struct Simulation<'r> {
    sched: Scheduler<Event>,
    model: Ecs<'r>,
    scenario_name: String,
    seed: u64,
}

impl<'r> Simulation<'r> {
    /// Sets the world up at time zero: the initial fleet registers, services start from their
    /// snapshot's running and pending tasks, every service is reconciled (daemon services
    /// first, as ECS places them first), and the timeline (faults, actions,
    /// RunTask calls) and the first metrics sample are scheduled. `explain_placement` logs why each
    /// task went where it did.
    pub fn new(scenario: &Scenario, recorder: &'r mut dyn Recorder, explain_placement: bool) -> Self {
        let mut sched = Scheduler::default();
        let mut model = Ecs {
            world: super::world_of(scenario),
            streams: super::streams_of(scenario),
            recorder,
            timing: scenario.timing.clone(),
            faults: scenario.faults.clone(),
            actions: scenario.actions.clone(),
            explain_placement,
            metrics_interval: scenario.metrics_interval,
            end: SimTime::ZERO + scenario.duration,
            pricing: scenario.pricing.clone(),
        };
        let mut ctx = Ctx::new(&mut sched, &mut model.streams, &mut *model.recorder, &model.timing, fan_out);
        ctx.explain_placement = explain_placement;
        capacity::launch_initial_fleet(&mut model.world, &mut ctx, &scenario.external_instances);
        capacity::managed_scaling::start(&model.world, &mut ctx);
        traffic::start(&mut model.world, &mut ctx, model.end);
        autoscaling::start(&mut model.world, &mut ctx, model.end);
        let mut services: Vec<_> = scenario.services.iter().enumerate().collect();
        services.sort_by_key(|(i, s)| (s.scheduling_strategy != SchedulingStrategy::Daemon, *i));
        for (i, _) in &services {
            service::start_from_snapshot(&mut model.world, &mut ctx, ServiceId::from_index(*i));
        }
        for (i, _) in services {
            sched.at(SimTime::ZERO, Event::Service(ServiceEvent::Reconcile(ServiceId::from_index(i))));
        }
        for (i, f) in scenario.faults.iter().enumerate() {
            if let Some(at) = faults::first_firing(f, model.streams.fault(FaultId::from_index(i)), model.end) {
                sched.at(at, Event::Fault(FaultId::from_index(i)));
            }
        }
        for (i, a) in scenario.actions.iter().enumerate() {
            sched.at(a.at, Event::Action(ActionId::from_index(i)));
        }
        for (i, r) in scenario.run_tasks.iter().enumerate() {
            sched.at(r.at, Event::RunTask(RunTaskId::from_index(i)));
        }
        sched.observe_at(SimTime::ZERO, Event::Sample);
        Simulation { sched, model, scenario_name: scenario.name.clone(), seed: scenario.seed }
    }

    /// Runs the next event due before the end; returns its time, or `None` when the run is over.
    pub fn step(&mut self) -> Option<SimTime> {
        let end = self.model.end;
        self.sched.step(&mut self.model, end)
    }

    pub fn world(&self) -> &World {
        &self.model.world
    }

    pub fn now(&self) -> SimTime {
        self.sched.now()
    }

    /// Runs to the end and returns the summary.
    pub fn run(mut self) -> (World, Summary) {
        let end = self.model.end;
        let stats = self.sched.run_until(&mut self.model, end);
        let summary = Summary::new(&self.scenario_name, self.seed, &self.model.world, end, stats, &self.model.pricing);
        (self.model.world, summary)
    }
}
