//! Test support for the scheduler's unit tests: a scenario's world in a [`Harness`], a recorder
//! that keeps the events, and a small loop that runs the events the scheduler's tests involve
//! (tasks, containers, services, capacity) — enough for services without a load balancer.

use crate::engine::{SimDuration, SimTime};
use crate::ids::ServiceId;
use crate::record::{EventKind, LogEvent, MetricsRow, Recorder};
use crate::sim::Harness;
use crate::world::Event;

/// Keeps every event logged.
#[derive(Default)]
pub struct Log(pub Vec<LogEvent>);

impl Recorder for Log {
    fn event(&mut self, event: &LogEvent) {
        self.0.push(event.clone());
    }
    fn row(&mut self, _: &MetricsRow) {}
}

impl Log {
    /// (seconds, message) of the events of `kind`, in order.
    pub fn said(&self, kind: EventKind) -> Vec<(f64, &str)> {
        self.0.iter().filter(|e| e.kind == kind).map(|e| (e.time.as_secs_f64(), e.message.as_str())).collect()
    }
}

/// The world of `yaml` at time zero with its initial fleet, nothing reconciled yet.
pub fn harness(yaml: &str) -> Harness<Log> {
    let scenario = crate::scenario::load_str(yaml, "test.yaml", "test")
        .unwrap_or_else(|e| panic!("test scenario is invalid:\n{e}"));
    Harness::new(&scenario, Log::default()).with_initial_fleet(&scenario)
}

pub fn at(secs: u64) -> SimTime {
    SimTime::ZERO + SimDuration::from_secs(secs)
}

/// The first (in these tests, the only) service.
pub fn web() -> ServiceId {
    ServiceId::from_index(0)
}

/// Runs every event due by `until` (those of domains these tests leave out are dropped), then
/// leaves the clock at `until`.
pub fn run_until(h: &mut Harness<Log>, until: SimTime) {
    h.act(|_, ctx| ctx.sched.observe_at(until, Event::Sample));
    while let Some((_, event)) = h.next_event(until) {
        h.act(|world, ctx| match event {
            Event::Task(step) => crate::task::on_step(world, ctx, step),
            Event::Container(e) => crate::task::on_container_event(world, ctx, e),
            Event::Service(e) => super::on_event(world, ctx, e),
            Event::Capacity(e) => crate::capacity::on_event(world, ctx, e),
            _ => {}
        });
    }
}

/// A Fargate service `web` of `desired` tasks of `v1` without a health check; `extra` is
/// spliced into v1's container definition, `config` into the deployment configuration. `v2` is a
/// task definition that works.
pub fn fargate(desired: u32, extra: &str, config: &str) -> String {
    format!(
        r#"
duration: 2h
zones: [us-east-1a]
task_definitions:
  v1: {{ cpu: 256, memory: 512, network_mode: awsvpc, container_definitions: [{{ name: app, image: app{extra} }}] }}
  v2: {{ cpu: 256, memory: 512, network_mode: awsvpc, container_definitions: [{{ name: app, image: app2 }}] }}
services:
  web:
    task_definition: v1
    desired_count: {desired}
    launch_type: FARGATE
    deployment_configuration: {{ {config} }}
"#
    )
}
