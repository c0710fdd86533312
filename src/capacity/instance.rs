//! EC2 container instances: what each registered, and what its tasks hold of it.

use std::collections::{BTreeMap, BTreeSet};

use crate::catalog::InstanceType;
use crate::engine::SimTime;
use crate::sim::ids::{InstanceId, ProviderId, TaskId, ZoneId};
use crate::task::TaskDefinition;

/// Ports the ECS agent reserves on every instance by default (`ECS_RESERVED_PORTS`).
pub const AGENT_RESERVED_PORTS: [u16; 5] = [22, 2375, 2376, 51678, 51679];

/// The first requirement of a task an instance cannot meet, in the order ECS checks them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Shortfall {
    Cpu,
    Memory,
    Port(u16),
    Eni,
}

impl Shortfall {
    /// ECS's wording for "the closest matching container-instance ... has ...".
    pub fn describe(self) -> String {
        match self {
            Shortfall::Cpu => "insufficient CPU units available".to_string(),
            Shortfall::Memory => "insufficient memory available".to_string(),
            Shortfall::Port(p) => format!("port {p} already in use"),
            Shortfall::Eni => "no elastic network interface available".to_string(),
        }
    }
}

/// A container instance registered to the cluster.
#[derive(Clone, Debug)]
pub struct Instance {
    pub id: InstanceId,
    pub provider: ProviderId,
    pub instance_type: &'static InstanceType,
    pub zone: ZoneId,
    pub registered_at: SimTime,
    /// CPU units registered (vCPUs x 1024).
    pub registered_cpu: u32,
    /// Memory registered, MiB (OS-visible memory minus the agent's reservation).
    pub registered_memory: u32,
    pub reserved_cpu: u32,
    pub reserved_memory: u32,
    /// Agent-reserved ports and the static host ports of tasks placed here.
    pub ports_in_use: BTreeSet<u16>,
    /// awsvpc tasks here, each holding one ENI.
    pub enis_in_use: u32,
    pub eni_limit: u32,
    /// When each image pulled here is (or will be) available: Docker keeps pulled images and
    /// shares a pull in progress, so a task waits only for images not already on their way.
    pub images_ready_at: BTreeMap<String, SimTime>,
    /// Tasks placed here and not yet stopped.
    pub tasks: Vec<TaskId>,
}

impl Instance {
    pub fn new(
        id: InstanceId,
        provider: ProviderId,
        itype: &'static InstanceType,
        zone: ZoneId,
        ecs_reserved_memory: u32,
        now: SimTime,
    ) -> Self {
        Instance {
            id,
            provider,
            instance_type: itype,
            zone,
            registered_at: now,
            registered_cpu: itype.registered_cpu(),
            registered_memory: itype.registered_memory_mib(ecs_reserved_memory),
            reserved_cpu: 0,
            reserved_memory: 0,
            ports_in_use: AGENT_RESERVED_PORTS.into_iter().collect(),
            enis_in_use: 0,
            eni_limit: itype.awsvpc_task_limit(false),
            images_ready_at: BTreeMap::new(),
            tasks: Vec::new(),
        }
    }

    /// Every requirement of `td` this instance cannot meet now (empty if the task fits).
    pub fn shortfalls(&self, td: &TaskDefinition) -> Vec<Shortfall> {
        let mut missing = Vec::new();
        if self.reserved_cpu + td.reserved_cpu() > self.registered_cpu {
            missing.push(Shortfall::Cpu);
        }
        if self.reserved_memory + td.reserved_memory() > self.registered_memory {
            missing.push(Shortfall::Memory);
        }
        missing.extend(td.static_host_ports().filter(|p| self.ports_in_use.contains(p)).map(Shortfall::Port));
        if td.uses_eni() && self.enis_in_use >= self.eni_limit {
            missing.push(Shortfall::Eni);
        }
        missing
    }

    /// Takes the resources `td` needs; the caller has checked that it fits.
    pub fn reserve(&mut self, task: TaskId, td: &TaskDefinition) {
        self.reserved_cpu += td.reserved_cpu();
        self.reserved_memory += td.reserved_memory();
        self.ports_in_use.extend(td.static_host_ports());
        self.enis_in_use += u32::from(td.uses_eni());
        self.tasks.push(task);
    }

    /// Gives back what [`Instance::reserve`] took.
    pub fn release(&mut self, task: TaskId, td: &TaskDefinition) {
        self.reserved_cpu -= td.reserved_cpu();
        self.reserved_memory -= td.reserved_memory();
        for p in td.static_host_ports() {
            self.ports_in_use.remove(&p);
        }
        self.enis_in_use -= u32::from(td.uses_eni());
        self.tasks.retain(|t| *t != task);
    }

    /// The instance's name in events and outputs.
    pub fn label(&self) -> String {
        format!("i-{:05}", self.id.index() + 1)
    }
}
