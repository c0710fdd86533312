//! A world and everything a handler needs, outside a run: for unit tests of one handler and for
//! tools that drive the model by hand. [`Harness::act`] hands a closure the world and a [`Ctx`]
//! built exactly as a run builds it (the same streams, timing and fan-out), so a handler behaves
//! as it would at that instant of a run; [`Harness::next_event`] then shows
//! what it scheduled.

use crate::engine::{Model, Scheduler, SimTime};
use crate::record::Recorder;
use crate::scenario::Scenario;
use crate::task::LifecycleTiming;

use crate::world::{Ctx, Event, Streams, World};

/// The world of a scenario at time zero, before anything was launched, with its own queue,
/// streams and recorder.
pub struct Harness<R> {
    pub world: World,
    pub recorder: R,
    sched: Scheduler<Event>,
    streams: Streams,
    timing: LifecycleTiming,
}

impl<R: Recorder> Harness<R> {
    /// The empty world of `scenario`: no instance registered, no task, nothing scheduled.
    pub fn new(scenario: &Scenario, recorder: R) -> Self {
        Harness {
            world: super::world_of(scenario),
            recorder,
            sched: Scheduler::default(),
            streams: super::streams_of(scenario),
            timing: scenario.timing.clone(),
        }
    }

    /// Registers the scenario's initial fleet (its groups' desired capacity and its external
    /// instances), as a run does at time zero.
    pub fn with_initial_fleet(mut self, scenario: &Scenario) -> Self {
        self.act(|world, ctx| crate::capacity::launch_initial_fleet(world, ctx, &scenario.external_instances));
        self
    }

    /// Runs `f` with the world and a handler's context at the current time.
    pub fn act<T>(&mut self, f: impl FnOnce(&mut World, &mut Ctx) -> T) -> T {
        let mut ctx =
            Ctx::new(&mut self.sched, &mut self.streams, &mut self.recorder, &self.timing, super::transitions::fan_out);
        f(&mut self.world, &mut ctx)
    }

    pub fn now(&self) -> SimTime {
        self.sched.now()
    }

    /// Events scheduled and not yet run.
    pub fn pending_events(&self) -> usize {
        self.sched.pending()
    }

    /// Takes the next scheduled event due before `until`, moving the clock to its time, without
    /// running it: a test asserts what a handler scheduled, then hands it on with [`Harness::act`].
    pub fn next_event(&mut self, until: SimTime) -> Option<(SimTime, Event)> {
        let mut taken = Taken(None);
        let at = self.sched.step(&mut taken, until)?;
        taken.0.map(|event| (at, event))
    }
}

/// A model that keeps the one event it is handed.
struct Taken(Option<Event>);

impl Model for Taken {
    type Event = Event;

    fn handle(&mut self, event: Event, _: &mut Scheduler<Event>) {
        self.0 = Some(event);
    }
}
