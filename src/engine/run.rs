//! The run loop: pop the earliest event, advance the clock to it, hand it to the model.

use super::{EventQueue, Lane, Phase, SimDuration, SimTime};

/// What the engine drives: something that reacts to its own events.
pub trait Model {
    type Event;

    /// Handles one event at `sched.now()`; may schedule more through `sched`.
    fn handle(&mut self, event: Self::Event, sched: &mut Scheduler<Self::Event>);
}

/// Counters of a run, for benchmarks and the summary.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RunStats {
    /// Events handed to the model.
    pub events: u64,
}

/// The clock and the queue of future events.
pub struct Scheduler<E> {
    now: SimTime,
    queue: EventQueue<E>,
    stats: RunStats,
}

impl<E> Default for Scheduler<E> {
    fn default() -> Self {
        Scheduler { now: SimTime::ZERO, queue: EventQueue::default(), stats: RunStats::default() }
    }
}

impl<E> Scheduler<E> {
    pub fn now(&self) -> SimTime {
        self.now
    }

    pub fn stats(&self) -> RunStats {
        self.stats
    }

    /// Number of events waiting.
    pub fn pending(&self) -> usize {
        self.queue.len()
    }

    /// Schedules a change of the world at `time` (never before now: the past is clamped to now).
    pub fn at(&mut self, time: SimTime, event: E) {
        self.queue.push(time.max(self.now), Phase::Act, event);
    }

    /// A lane for changes its caller schedules in time order ([`EventQueue::push_lane`]).
    pub fn open_lane(&mut self) -> Lane {
        self.queue.open_lane()
    }

    /// Schedules a change of the world at `time` in `lane`: the same order as
    /// [`Scheduler::at`], cheaper while the lane's events come in time order.
    pub fn at_lane(&mut self, lane: Lane, time: SimTime, event: E) {
        self.queue.push_lane(lane, time.max(self.now), Phase::Act, event);
    }

    /// Schedules a change of the world `delay` from now.
    pub fn after(&mut self, delay: SimDuration, event: E) {
        self.at(self.now + delay, event);
    }

    /// Schedules the settling of what flowed until `time`, before every change of that instant.
    pub fn settle_at(&mut self, time: SimTime, event: E) {
        self.queue.push(time.max(self.now), Phase::Settle, event);
    }

    /// Schedules an observation at `time`, after every change of that instant.
    pub fn observe_at(&mut self, time: SimTime, event: E) {
        self.queue.push(time.max(self.now), Phase::Observe, event);
    }

    /// Runs the next event if it is due at or before `until`; returns its time.
    pub fn step<M: Model<Event = E>>(&mut self, model: &mut M, until: SimTime) -> Option<SimTime> {
        if self.queue.peek_time()? > until {
            return None;
        }
        let (time, event) = self.queue.pop()?;
        self.now = time;
        self.stats.events += 1;
        model.handle(event, self);
        Some(time)
    }

    /// Runs every event due at or before `until`, then leaves the clock at `until`.
    pub fn run_until<M: Model<Event = E>>(&mut self, model: &mut M, until: SimTime) -> RunStats {
        while self.step(model, until).is_some() {}
        self.now = self.now.max(until);
        self.stats
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Generation;

    /// A toy model: a timer that re-arms itself, and a job whose completion can be cancelled.
    #[derive(Default)]
    struct Toy {
        log: Vec<(u64, &'static str)>,
        job: Generation,
    }

    enum Ev {
        Tick,
        JobDone(Generation),
        CancelJob,
    }

    impl Model for Toy {
        type Event = Ev;
        fn handle(&mut self, event: Ev, sched: &mut Scheduler<Ev>) {
            let now = sched.now().as_micros();
            match event {
                Ev::Tick => {
                    self.log.push((now, "tick"));
                    sched.after(SimDuration::from_micros(10), Ev::Tick);
                }
                Ev::JobDone(stamp) if self.job.is_current(stamp) => self.log.push((now, "done")),
                Ev::JobDone(_) => self.log.push((now, "stale")),
                Ev::CancelJob => self.job.bump(),
            }
        }
    }

    #[test]
    fn run_until_stops_at_the_horizon_and_leaves_later_events_queued() {
        let (mut toy, mut sched) = (Toy::default(), Scheduler::default());
        sched.at(SimTime::ZERO, Ev::Tick);
        let stats = sched.run_until(&mut toy, SimTime::from_micros(25));
        assert_eq!(toy.log, [(0, "tick"), (10, "tick"), (20, "tick")]);
        assert_eq!(stats.events, 3);
        assert_eq!(sched.now(), SimTime::from_micros(25));
        assert_eq!(sched.pending(), 1, "the tick at 30 waits for a later run_until");
    }

    #[test]
    fn a_bumped_generation_makes_pending_events_stale() {
        let (mut toy, mut sched) = (Toy::default(), Scheduler::default());
        sched.at(SimTime::from_micros(50), Ev::JobDone(toy.job));
        sched.at(SimTime::from_micros(20), Ev::CancelJob);
        sched.run_until(&mut toy, SimTime::from_micros(100));
        assert_eq!(toy.log, [(50, "stale")]);
    }

    #[test]
    fn events_scheduled_in_the_past_run_now() {
        let (mut toy, mut sched) = (Toy::default(), Scheduler::default());
        sched.run_until(&mut toy, SimTime::from_micros(40));
        sched.at(SimTime::from_micros(5), Ev::JobDone(toy.job));
        sched.run_until(&mut toy, SimTime::from_micros(40));
        assert_eq!(toy.log, [(40, "done")]);
    }
}
