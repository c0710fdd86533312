//! The state of the cluster: arenas of entities indexed by typed ids.
//!
//! Contract: every table is `pub(crate)`; the domain owning it changes it through its own
//! functions, and readers outside the crate (tools, the behaviour tests) get the read-only view of
//! [`World::tasks`], [`World::instances`], [`World::services`] and the other accessors below. The
//! placement index and the group counts are kept in step only by the commands of this file.

use std::collections::BTreeMap;

use crate::autoscaling::metric::MetricStore;
use crate::autoscaling::Autoscaling;
use crate::capacity::{CapacityProvider, Fleet, Instance, Instances};
use crate::ids::{GroupId, InstanceId, TaskDefId, TaskId, ZoneId};
use crate::placement::{Order, PlacementIndex, Resource};
use crate::service::{RunTask, RunTaskSpec, Service, ServiceSpec, Services};
use crate::task::{Placement, TaskDefinition, TaskOwner, Tasks};
use crate::traffic::Traffic;

/// Everything that exists in the simulated cluster.
#[derive(Clone, Debug)]
pub struct World {
    pub(crate) zones: Vec<String>,
    pub(crate) task_definitions: Vec<TaskDefinition>,
    pub(crate) providers: Vec<CapacityProvider>,
    /// Every container instance that ever joined, INACTIVE ones included (owned by `capacity`).
    pub(crate) instances: Instances,
    /// Every task ever started, stopped ones included (owned by `task`).
    pub(crate) tasks: Tasks,
    /// The scenario's services (owned by `service`).
    pub(crate) services: Services,
    /// The scenario's standalone task entries.
    pub(crate) run_tasks: Vec<RunTask>,
    /// Task group names (`service:web`, `family:batch`), indexed by `GroupId`.
    pub(crate) groups: Vec<String>,
    /// Live tasks of each group on each instance (absent: none).
    group_counts: BTreeMap<(GroupId, InstanceId), u32>,
    /// Tasks in PROVISIONING waiting for capacity, oldest first.
    pub(crate) awaiting_capacity: Vec<TaskId>,
    /// What lets placement skip scanning the fleet; kept in step by `register_instance`,
    /// `change_instance`, `hold` and `unhold`. It holds only instances that accept tasks.
    pub(crate) placement_index: PlacementIndex,
    /// Bumped whenever an instance is added or a task's share of one changes: a placement that
    /// failed cannot succeed before it moves.
    pub(crate) capacity_changes: u64,
    /// Launches in flight, zones down, Spot capacity unavailable.
    pub(crate) fleet: Fleet,
    /// Load balancers, their targets and the requests in flight.
    pub(crate) traffic: Traffic,
    /// Service auto scaling: metrics, alarms and scalable targets.
    pub(crate) autoscaling: Autoscaling,
}

impl World {
    /// The world before anything has happened: no instances, no tasks, no services yet (add them
    /// with `World::add_service` and `World::add_run_task`, in id order).
    pub(crate) fn new(
        zones: Vec<String>,
        task_definitions: Vec<TaskDefinition>,
        providers: Vec<CapacityProvider>,
        traffic: Traffic,
        autoscaling: Autoscaling,
    ) -> Self {
        World {
            zones,
            task_definitions,
            providers,
            instances: Instances::default(),
            tasks: Tasks::default(),
            services: Services::default(),
            run_tasks: Vec::new(),
            groups: Vec::new(),
            group_counts: BTreeMap::new(),
            placement_index: PlacementIndex::default(),
            awaiting_capacity: Vec::new(),
            capacity_changes: 0,
            fleet: Fleet::default(),
            traffic,
            autoscaling,
        }
    }

    /// Adds the next service (its `ServiceId` is the number of services before it), in its task
    /// group `service:NAME`.
    pub(crate) fn add_service(&mut self, spec: ServiceSpec) {
        let group = self.group(&format!("service:{}", spec.name));
        self.placement_index.register_chain(&spec.placement_strategy, group);
        self.services.push(Service::new(spec, group));
    }

    /// Adds the next standalone task entry (its `RunTaskId` is the number of entries before it).
    pub(crate) fn add_run_task(&mut self, spec: RunTaskSpec) {
        let group = self.group(&spec.group);
        self.placement_index.register_chain(&spec.placement_strategy, group);
        self.run_tasks.push(RunTask::new(spec, group));
    }

    /// Adds a container instance to the cluster.
    pub(crate) fn register_instance(&mut self, instance: Instance) {
        let mut index = std::mem::take(&mut self.placement_index);
        index.insert(&instance, |order| self.order_value(&instance, order));
        self.placement_index = index;
        self.instances.push(instance);
        self.capacity_changes += 1;
    }

    /// An instance's value under an indexed order.
    fn order_value(&self, instance: &Instance, order: Order) -> u32 {
        match order {
            Order::Free(Resource::Cpu) => instance.registered_cpu.saturating_sub(instance.reserved_cpu),
            Order::Free(Resource::Memory) => instance.registered_memory.saturating_sub(instance.reserved_memory),
            Order::GroupCount(g) => self.group_tasks_on(g, instance.id),
            Order::Id => 0,
        }
    }

    /// Applies `change` to an instance, keeping the placement index in step: an instance that no
    /// longer accepts tasks (DRAINING, INACTIVE, impaired) leaves the index, and comes back when
    /// it does again.
    fn reindexed(&mut self, instance: InstanceId, change: impl FnOnce(&mut World)) {
        self.reindexed_in(instance, |_| true, change);
    }

    /// [`World::reindexed`] for a change that moves the instance only in the orders `affected`
    /// accepts (its free resources, a group's count on it), and never in or out of the index.
    fn reindexed_in(
        &mut self,
        instance: InstanceId,
        affected: impl Fn(Order) -> bool,
        change: impl FnOnce(&mut World),
    ) {
        let mut index = std::mem::take(&mut self.placement_index);
        index.remove_where(
            self.instances.get(instance),
            |o| self.order_value(self.instances.get(instance), o),
            &affected,
        );
        change(self);
        let changed = self.instances.get(instance);
        if changed.accepts_tasks() {
            index.insert_where(changed, |o| self.order_value(changed, o), &affected);
        }
        self.placement_index = index;
        self.capacity_changes += 1;
    }

    /// Changes an instance's status or health (see [`World::reindexed`]).
    pub(crate) fn change_instance(&mut self, instance: InstanceId, change: impl FnOnce(&mut Instance)) {
        self.reindexed(instance, |w| change(w.instances.get_mut(instance)));
    }

    /// The Availability Zone a task runs in: its instance's, or its Fargate zone; none while it
    /// waits for capacity, or on an external instance.
    pub fn task_zone(&self, task: TaskId) -> Option<ZoneId> {
        match self.tasks.get(task).placement {
            Placement::Instance(i) => self.instances.get(i).zone,
            Placement::Fargate { zone, .. } => Some(zone),
            Placement::AwaitingCapacity(_) => None,
        }
    }

    /// Instances registered to the cluster now (ACTIVE or DRAINING).
    pub fn registered_instances(&self) -> impl Iterator<Item = &Instance> {
        self.instances.registered()
    }

    /// The cluster's Availability Zones, indexed by `ZoneId`.
    pub fn zones(&self) -> &[String] {
        &self.zones
    }

    /// The name of zone `id`.
    pub fn zone_name(&self, id: ZoneId) -> &str {
        &self.zones[id.index()]
    }

    /// Every task definition (revision) of the scenario, indexed by `TaskDefId`.
    pub fn task_definitions(&self) -> &[TaskDefinition] {
        &self.task_definitions
    }

    /// The capacity providers, indexed by `ProviderId` (FARGATE and FARGATE_SPOT first).
    pub fn providers(&self) -> &[CapacityProvider] {
        &self.providers
    }

    /// Launches in flight, zones down, Spot capacity unavailable, managed scaling's readings.
    pub fn fleet(&self) -> &Fleet {
        &self.fleet
    }

    /// Load balancers, their targets and the requests in flight.
    pub fn traffic(&self) -> &Traffic {
        &self.traffic
    }

    /// The metric datapoints service and cluster auto scaling read (CloudWatch's view).
    pub fn metric_store(&self) -> &MetricStore {
        &self.autoscaling.store
    }

    /// Every task ever started, stopped ones included.
    pub fn tasks(&self) -> &Tasks {
        &self.tasks
    }

    /// Every container instance that ever joined the cluster, INACTIVE ones included.
    pub fn instances(&self) -> &Instances {
        &self.instances
    }

    /// The scenario's services.
    pub fn services(&self) -> &Services {
        &self.services
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

    /// The task definition (revision) `id`.
    pub fn task_definition(&self, id: TaskDefId) -> &TaskDefinition {
        &self.task_definitions[id.index()]
    }

    /// Live tasks (not told to stop) of `group` on `instance`.
    pub fn group_tasks_on(&self, group: GroupId, instance: InstanceId) -> u32 {
        self.group_counts.get(&(group, instance)).copied().unwrap_or(0)
    }

    /// Puts a task on an instance: its resources are reserved and its group counted there.
    pub(crate) fn hold(&mut self, task: TaskId, instance: InstanceId) {
        let (group, td) = (self.tasks.get(task).group, self.tasks.get(task).task_definition);
        let affected = |o: Order| matches!(o, Order::Free(_)) || o == Order::GroupCount(group);
        self.reindexed_in(instance, affected, |w| {
            *w.group_counts.entry((group, instance)).or_insert(0) += 1;
            w.instances.get_mut(instance).reserve(task, &w.task_definitions[td.index()]);
        });
        self.placement_index.count(group, self.instances.get(instance), 1);
    }

    /// The task was told to stop: it no longer counts in its group on the instance (for spread and
    /// distinctInstance), though it holds its resources until it is STOPPED.
    pub(crate) fn leave_group(&mut self, task: TaskId, instance: InstanceId) {
        let group = self.tasks.get(task).group;
        self.reindexed_in(
            instance,
            |o| o == Order::GroupCount(group),
            |w| {
                if let Some(n) = w.group_counts.get_mut(&(group, instance)) {
                    *n -= 1;
                    if *n == 0 {
                        w.group_counts.remove(&(group, instance));
                    }
                }
            },
        );
        self.placement_index.count(group, self.instances.get(instance), -1);
    }

    /// Undoes the rest of [`World::hold`] when the task is STOPPED: its resources are free.
    pub(crate) fn unhold(&mut self, task: TaskId, instance: InstanceId) {
        let td = self.tasks.get(task).task_definition;
        let affected = |o: Order| matches!(o, Order::Free(_));
        self.reindexed_in(instance, affected, |w| {
            w.instances.get_mut(instance).release(task, &w.task_definitions[td.index()])
        });
    }

    /// Whether the task sits on a DRAINING instance.
    pub fn on_draining_instance(&self, task: TaskId) -> bool {
        matches!(self.tasks.get(task).placement, Placement::Instance(i) if self.instances.get(i).is_draining())
    }

    /// The task's name in events and outputs: its service (or task entry) and its ordinal there.
    pub fn task_label(&self, id: TaskId) -> String {
        let task = self.tasks.get(id);
        let owner = match task.owner {
            TaskOwner::Service(s) => &self.services.get(s).spec.name,
            TaskOwner::Standalone(r) => &self.run_tasks[r.index()].spec.name,
        };
        format!("{owner}-{}", task.ordinal)
    }

    /// The name of the service or task entry a task belongs to.
    pub fn owner_name(&self, owner: TaskOwner) -> &str {
        match owner {
            TaskOwner::Service(s) => &self.services.get(s).spec.name,
            TaskOwner::Standalone(r) => &self.run_tasks[r.index()].spec.name,
        }
    }
}
