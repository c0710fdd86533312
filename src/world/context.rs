//! What a handler may touch besides the world: the clock and queue, its random streams, the
//! recorder and the run's timing settings.

use crate::engine::{RngStreams, Scheduler, StreamRng};
use crate::ids::{FaultId, LoadBalancerId, ProviderId, ServiceId, SourceId, TargetGroupId};
use crate::record::{EventKind, LogEvent, Recorder};
use crate::task::{Announce, LifecycleTiming, TaskOwner};
use crate::world::Event;

/// Stable stream purposes: changing one changes every recorded result.
const LIFECYCLE_STREAM: u32 = 1;
const FAULT_STREAM: u32 = 2;
const STANDALONE_LIFECYCLE_STREAM: u32 = 3;
const PLACEMENT_STREAM: u32 = 4;
const FLEET_STREAM: u32 = 5;
const ARRIVAL_STREAM: u32 = 6;
const WORK_STREAM: u32 = 7;
const ROUTING_STREAM: u32 = 8;
const FORWARDING_STREAM: u32 = 9;
const HEALTH_CHECK_STREAM: u32 = 10;
const CLIENT_STREAM: u32 = 11;

/// The run's random streams, one per purpose (and per service where draws are per service), so
/// that a change in one part of a scenario does not shift the draws of another.
pub struct Streams {
    lifecycle: Vec<StreamRng>,
    standalone_lifecycle: Vec<StreamRng>,
    /// One stream per fault entry: when it fires and whom it hits.
    faults: Vec<StreamRng>,
    /// Placement's `random` strategy and scale-in draws.
    pub placement: StreamRng,
    /// One stream per capacity provider: its Auto Scaling group's launch times.
    fleet: Vec<StreamRng>,
    /// One per traffic source: when its requests arrive.
    arrivals: Vec<StreamRng>,
    /// One per service: the CPU time of each request.
    work: Vec<StreamRng>,
    /// One per target group: routing draws; and health-check phases and readiness.
    routing: Vec<StreamRng>,
    health_checks: Vec<StreamRng>,
    /// One per load balancer: which target group a request is forwarded to.
    forwarding: Vec<StreamRng>,
    /// One per traffic source: which of its clients sends each request (sticky sessions only).
    clients: Vec<StreamRng>,
}

/// How many of each thing draws from its own stream.
pub struct StreamCounts {
    pub services: usize,
    pub run_tasks: usize,
    pub faults: usize,
    pub providers: usize,
    pub sources: usize,
    pub target_groups: usize,
    pub load_balancers: usize,
}

impl Streams {
    /// The streams of a run with `seed` and these many of each thing.
    pub fn new(seed: u64, n: &StreamCounts) -> Self {
        let rng = RngStreams::new(seed);
        let each = |purpose, n: usize| (0..n).map(|i| rng.stream(purpose, i as u32)).collect();
        Streams {
            lifecycle: each(LIFECYCLE_STREAM, n.services),
            standalone_lifecycle: each(STANDALONE_LIFECYCLE_STREAM, n.run_tasks),
            faults: each(FAULT_STREAM, n.faults),
            placement: rng.stream(PLACEMENT_STREAM, 0),
            fleet: each(FLEET_STREAM, n.providers),
            arrivals: each(ARRIVAL_STREAM, n.sources),
            work: each(WORK_STREAM, n.services),
            routing: each(ROUTING_STREAM, n.target_groups),
            health_checks: each(HEALTH_CHECK_STREAM, n.target_groups),
            forwarding: each(FORWARDING_STREAM, n.load_balancers),
            clients: each(CLIENT_STREAM, n.sources),
        }
    }

    pub fn arrivals(&mut self, source: SourceId) -> &mut StreamRng {
        &mut self.arrivals[source.index()]
    }

    pub fn work(&mut self, service: ServiceId) -> &mut StreamRng {
        &mut self.work[service.index()]
    }

    pub fn routing(&mut self, tg: TargetGroupId) -> &mut StreamRng {
        &mut self.routing[tg.index()]
    }

    pub fn health_checks(&mut self, tg: TargetGroupId) -> &mut StreamRng {
        &mut self.health_checks[tg.index()]
    }

    pub fn clients(&mut self, source: SourceId) -> &mut StreamRng {
        &mut self.clients[source.index()]
    }

    pub fn forwarding(&mut self, lb: LoadBalancerId) -> &mut StreamRng {
        &mut self.forwarding[lb.index()]
    }

    /// Draws of a capacity provider's Auto Scaling group.
    pub fn fleet(&mut self, provider: ProviderId) -> &mut StreamRng {
        &mut self.fleet[provider.index()]
    }

    /// Draws of a fault entry.
    pub fn fault(&mut self, fault: FaultId) -> &mut StreamRng {
        &mut self.faults[fault.index()]
    }

    /// Draws for the lifecycle timing (and run time) of an owner's tasks.
    pub fn lifecycle(&mut self, owner: TaskOwner) -> &mut StreamRng {
        match owner {
            TaskOwner::Service(s) => &mut self.lifecycle[s.index()],
            TaskOwner::Standalone(r) => &mut self.standalone_lifecycle[r.index()],
        }
    }
}

/// A handler's view of everything but the world.
pub struct Ctx<'a> {
    pub sched: &'a mut Scheduler<Event>,
    pub streams: &'a mut Streams,
    pub recorder: &'a mut dyn Recorder,
    pub timing: &'a LifecycleTiming,
    /// Log why each task went where it did (`--explain-placement`).
    pub explain_placement: bool,
    /// Where a task's changes fan out to the domains (`sim`'s fan-out, in a run).
    pub announce: Announce,
}

impl<'a> Ctx<'a> {
    /// A handler's context over these parts, announcing task changes through `announce`.
    pub fn new(
        sched: &'a mut Scheduler<Event>,
        streams: &'a mut Streams,
        recorder: &'a mut dyn Recorder,
        timing: &'a LifecycleTiming,
        announce: Announce,
    ) -> Self {
        Ctx { sched, streams, recorder, timing, explain_placement: false, announce }
    }

    /// Starts an event-log entry at the current time.
    pub fn log(&mut self, kind: EventKind) -> LogEntry<'_> {
        let event = LogEvent {
            time: self.sched.now(),
            kind,
            service: None,
            task: None,
            instance: None,
            zone: None,
            capacity_provider: None,
            status: None,
            message: String::new(),
        };
        LogEntry { recorder: &mut *self.recorder, event }
    }
}

/// An event-log entry being filled in; [`LogEntry::emit`] records it.
#[must_use = "call emit() to record the entry"]
pub struct LogEntry<'a> {
    recorder: &'a mut dyn Recorder,
    event: LogEvent,
}

impl LogEntry<'_> {
    pub fn service(mut self, name: impl Into<String>) -> Self {
        self.event.service = Some(name.into());
        self
    }

    pub fn task(mut self, label: impl Into<String>) -> Self {
        self.event.task = Some(label.into());
        self
    }

    pub fn instance(mut self, label: impl Into<String>) -> Self {
        self.event.instance = Some(label.into());
        self
    }

    pub fn zone(mut self, name: impl Into<String>) -> Self {
        self.event.zone = Some(name.into());
        self
    }

    pub fn capacity_provider(mut self, name: impl Into<String>) -> Self {
        self.event.capacity_provider = Some(name.into());
        self
    }

    pub fn status(mut self, status: &'static str) -> Self {
        self.event.status = Some(status);
        self
    }

    pub fn message(mut self, message: impl Into<String>) -> Self {
        self.event.message = message.into();
        self
    }

    pub fn emit(self) {
        self.recorder.event(&self.event);
    }
}
