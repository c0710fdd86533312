//! The state of the cluster: arenas of entities indexed by typed ids.

use std::collections::BTreeMap;

use crate::capacity::{CapacityProvider, Instance};
use crate::scenario::Scenario;
use crate::service::{RunTask, Service};
use crate::sim::ids::{GroupId, InstanceId, TaskDefId, TaskId};
use crate::task::{Task, TaskDefinition, TaskOwner};

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
    /// The scenario's standalone task entries.
    pub run_tasks: Vec<RunTask>,
    /// Task group names (`service:web`, `family:batch`), indexed by `GroupId`.
    pub groups: Vec<String>,
    /// Live tasks of each group on each instance (absent: none).
    group_counts: BTreeMap<(GroupId, InstanceId), u32>,
}

impl World {
    /// The world before anything has happened: no instances, no tasks.
    pub fn new(scenario: &Scenario) -> Self {
        let mut world = World {
            zones: scenario.zones.clone(),
            task_definitions: scenario.task_definitions.clone(),
            providers: scenario.capacity_providers.clone(),
            instances: Vec::new(),
            tasks: Vec::new(),
            services: Vec::new(),
            run_tasks: Vec::new(),
            groups: Vec::new(),
            group_counts: BTreeMap::new(),
        };
        for spec in &scenario.services {
            let group = world.group(&format!("service:{}", spec.name));
            world.services.push(Service::new(spec.clone(), group));
        }
        for spec in &scenario.run_tasks {
            let group = world.group(&spec.group);
            world.run_tasks.push(RunTask::new(spec.clone(), group));
        }
        world
    }

    /// The id of a task group, created on first use.
    fn group(&mut self, name: &str) -> GroupId {
        match self.groups.iter().position(|g| g == name) {
            Some(i) => GroupId::from_index(i),
            None => {
                self.groups.push(name.to_string());
                GroupId::from_index(self.groups.len() - 1)
            }
        }
    }

    pub fn task_definition(&self, id: TaskDefId) -> &TaskDefinition {
        &self.task_definitions[id.index()]
    }

    /// Live tasks of `group` on `instance`.
    pub fn group_tasks_on(&self, group: GroupId, instance: InstanceId) -> u32 {
        self.group_counts.get(&(group, instance)).copied().unwrap_or(0)
    }

    /// Puts a task on an instance: its resources are reserved and its group counted there.
    pub fn hold(&mut self, task: TaskId, instance: InstanceId) {
        let t = &self.tasks[task.index()];
        *self.group_counts.entry((t.group, instance)).or_insert(0) += 1;
        self.instances[instance.index()].reserve(task, &self.task_definitions[t.task_definition.index()]);
    }

    /// Undoes [`World::hold`] when the task stops.
    pub fn unhold(&mut self, task: TaskId, instance: InstanceId) {
        let t = &self.tasks[task.index()];
        if let Some(n) = self.group_counts.get_mut(&(t.group, instance)) {
            *n -= 1;
            if *n == 0 {
                self.group_counts.remove(&(t.group, instance));
            }
        }
        self.instances[instance.index()].release(task, &self.task_definitions[t.task_definition.index()]);
    }

    /// The task's name in events and outputs: its service (or task entry) and its ordinal there.
    pub fn task_label(&self, id: TaskId) -> String {
        let task = &self.tasks[id.index()];
        let owner = match task.owner {
            TaskOwner::Service(s) => &self.services[s.index()].spec.name,
            TaskOwner::Standalone(r) => &self.run_tasks[r.index()].spec.name,
        };
        format!("{owner}-{}", task.ordinal)
    }

    /// The name of the service or task entry a task belongs to.
    pub fn owner_name(&self, owner: TaskOwner) -> &str {
        match owner {
            TaskOwner::Service(s) => &self.services[s.index()].spec.name,
            TaskOwner::Standalone(r) => &self.run_tasks[r.index()].spec.name,
        }
    }
}
