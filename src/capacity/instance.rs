//! EC2 container instances: what each registered, and what its tasks hold of it.

use std::collections::{BTreeMap, BTreeSet};

use crate::catalog::InstanceType;
use crate::engine::SimTime;
use crate::sim::ids::{InstanceId, ProviderId, TaskId, ZoneId};
use crate::task::{HostPort, Protocol, TaskDefinition};

/// TCP ports the ECS agent reserves on every instance by default (`ECS_RESERVED_PORTS`).
pub const AGENT_RESERVED_PORTS: [u16; 5] = [22, 2375, 2376, 51678, 51679];

/// The agent version instances report (`agentVersion` in the cluster query language).
pub const AGENT_VERSION: &str = "1.90.0";

/// A container instance registered to the cluster.
#[derive(Clone, Debug)]
pub struct Instance {
    pub id: InstanceId,
    pub provider: ProviderId,
    pub instance_type: &'static InstanceType,
    pub zone: ZoneId,
    pub registered_at: SimTime,
    /// Built-in (`ecs.availability-zone`, `ecs.instance-type`, `ecs.os-type`, `ecs.cpu-architecture`...)
    /// and custom attributes, for constraints and spread.
    pub attributes: BTreeMap<String, String>,
    /// CPU units registered (vCPUs x 1024).
    pub registered_cpu: u32,
    /// Memory registered, MiB (OS-visible memory minus the agent's reservation).
    pub registered_memory: u32,
    pub reserved_cpu: u32,
    pub reserved_memory: u32,
    /// Agent-reserved ports and the static host ports of tasks placed here.
    pub ports_in_use: BTreeSet<HostPort>,
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
    /// An instance as it registers; `attributes` are its built-in and custom attributes.
    pub fn new(
        id: InstanceId,
        provider: ProviderId,
        itype: &'static InstanceType,
        zone: ZoneId,
        (ecs_reserved_memory, eni_trunking): (u32, bool),
        attributes: BTreeMap<String, String>,
        now: SimTime,
    ) -> Self {
        Instance {
            id,
            provider,
            instance_type: itype,
            zone,
            registered_at: now,
            attributes,
            registered_cpu: itype.registered_cpu(),
            registered_memory: itype.registered_memory_mib(ecs_reserved_memory),
            reserved_cpu: 0,
            reserved_memory: 0,
            ports_in_use: AGENT_RESERVED_PORTS.into_iter().map(|p| (Protocol::Tcp, p)).collect(),
            enis_in_use: 0,
            eni_limit: itype.awsvpc_task_limit(eni_trunking),
            images_ready_at: BTreeMap::new(),
            tasks: Vec::new(),
        }
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
