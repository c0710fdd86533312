//! The state of the cluster: arenas of entities indexed by typed ids.

use crate::capacity::{CapacityProvider, Instance};
use crate::scenario::Scenario;
use crate::service::Service;
use crate::sim::ids::{TaskDefId, TaskId};
use crate::task::{Task, TaskDefinition};

/// Everything that exists in the simulated cluster.
#[derive(Clone, Debug)]
pub struct World {
    pub zones: Vec<String>,
    pub task_definitions: Vec<TaskDefinition>,
    pub providers: Vec<CapacityProvider>,
    pub instances: Vec<Instance>,
    /// Every task ever started, stopped ones included.
    pub tasks: Vec<Task>,
    pub services: Vec<Service>,
}

impl World {
    /// The world before anything has happened: no instances, no tasks.
    pub fn new(scenario: &Scenario) -> Self {
        World {
            zones: scenario.zones.clone(),
            task_definitions: scenario.task_definitions.clone(),
            providers: scenario.capacity_providers.clone(),
            instances: Vec::new(),
            tasks: Vec::new(),
            services: scenario.services.iter().cloned().map(Service::new).collect(),
        }
    }

    pub fn task_definition(&self, id: TaskDefId) -> &TaskDefinition {
        &self.task_definitions[id.index()]
    }

    /// The task's name in events and outputs: its service and its ordinal in that service.
    pub fn task_label(&self, id: TaskId) -> String {
        let task = &self.tasks[id.index()];
        format!("{}-{}", self.services[task.service.index()].spec.name, task.ordinal)
    }
}
