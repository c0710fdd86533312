//! Helpers shared by the behaviour tests.

use ecsim::metrics::Summary;
use ecsim::record::{EventKind, LogEvent, MetricsRow, Recorder};
use ecsim::scenario::{load_str, Scenario};
use ecsim::sim::Simulation;
use ecsim::world::World;

/// Parses and validates a scenario written in the test.
pub fn scenario(yaml: &str) -> Scenario {
    load_str(yaml, "test.yaml", "test").unwrap_or_else(|e| panic!("test scenario is invalid:\n{e}"))
}

/// Keeps everything a run records, for assertions.
#[derive(Default)]
pub struct Memory {
    pub events: Vec<LogEvent>,
    pub rows: Vec<MetricsRow>,
}

impl Recorder for Memory {
    fn event(&mut self, event: &LogEvent) {
        self.events.push(event.clone());
    }
    fn row(&mut self, row: &MetricsRow) {
        self.rows.push(row.clone());
    }
}

impl Memory {
    /// Messages of the given kind, in order.
    pub fn messages(&self, kind: EventKind) -> Vec<&str> {
        self.events.iter().filter(|e| e.kind == kind).map(|e| e.message.as_str()).collect()
    }

    /// Seconds at which `task` entered `status`.
    pub fn entered(&self, task: &str, status: &str) -> Option<f64> {
        self.events
            .iter()
            .find(|e| e.task.as_deref() == Some(task) && e.status == Some(status))
            .map(|e| e.time.as_secs_f64())
    }
}

/// Runs a scenario to its end, keeping everything recorded.
pub fn run(scenario: &Scenario) -> (World, Summary, Memory) {
    let mut memory = Memory::default();
    let (world, summary) = Simulation::new(scenario, &mut memory, false).run();
    (world, summary, memory)
}

/// Edits of a test's YAML that must find their pattern exactly once: when a fixture changes under
/// a test, the test fails here instead of running on text its edit silently missed.
pub trait ReplaceOnce {
    fn replace_once(&self, from: &str, to: &str) -> String;
}

impl ReplaceOnce for str {
    fn replace_once(&self, from: &str, to: &str) -> String {
        let found = self.matches(from).count();
        assert_eq!(found, 1, "the edit's pattern {from:?} is in the text {found} times, not once:\n{self}");
        self.replacen(from, to, 1)
    }
}
