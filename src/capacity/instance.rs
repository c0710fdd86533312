//! Container instances — EC2 instances of Auto Scaling groups, and external (ECS Anywhere)
//! instances — what each registered, and what its tasks hold of it.

use std::collections::{BTreeMap, BTreeSet};

use crate::catalog::{CpuArchitecture, InstanceType};
use crate::engine::SimTime;
use crate::sim::ids::{InstanceId, ProviderId, TaskId, ZoneId};
use crate::task::{HostPort, Protocol, TaskDefinition};

/// TCP ports the ECS agent reserves on every instance by default (`ECS_RESERVED_PORTS`).
pub const AGENT_RESERVED_PORTS: [u16; 5] = [22, 2375, 2376, 51678, 51679];

/// The agent version instances report (`agentVersion` in the cluster query language).
pub const AGENT_VERSION: &str = "1.90.0";

/// A container instance's ECS status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InstanceStatus {
    /// Takes new tasks.
    Active,
    /// Takes no new tasks; the service scheduler moves its service tasks elsewhere
    /// (aws-behaviour.md §5.3).
    Draining,
}

/// A container instance registered to the cluster.
#[derive(Clone, Debug)]
pub struct Instance {
    pub id: InstanceId,
    pub status: InstanceStatus,
    /// The Auto Scaling group provider it belongs to; `None` for an external instance.
    pub provider: Option<ProviderId>,
    /// `None` for an external instance, which has whatever resources it registered.
    pub instance_type: Option<&'static InstanceType>,
    /// `None` for an external instance (it is in no availability zone).
    pub zone: Option<ZoneId>,
    pub architecture: CpuArchitecture,
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
    /// An EC2 instance of an Auto Scaling group provider, as it registers; `attributes` are its
    /// built-in and custom attributes.
    pub fn ec2(
        id: InstanceId,
        (provider, zone): (ProviderId, ZoneId),
        itype: &'static InstanceType,
        (ecs_reserved_memory, eni_trunking): (u32, bool),
        attributes: BTreeMap<String, String>,
        now: SimTime,
    ) -> Self {
        Instance {
            provider: Some(provider),
            instance_type: Some(itype),
            zone: Some(zone),
            architecture: itype.architecture,
            eni_limit: itype.awsvpc_task_limit(eni_trunking),
            ..Instance::registered(
                id,
                itype.registered_cpu(),
                itype.registered_memory_mib(ecs_reserved_memory),
                attributes,
                now,
            )
        }
    }

    /// An external (ECS Anywhere) instance with the resources it registers. External instances
    /// take no awsvpc tasks.
    pub fn external(
        id: InstanceId,
        (cpu, memory): (u32, u32),
        architecture: CpuArchitecture,
        attributes: BTreeMap<String, String>,
        now: SimTime,
    ) -> Self {
        Instance { architecture, ..Instance::registered(id, cpu, memory, attributes, now) }
    }

    /// What every instance starts with: its registered resources, the agent's ports, nothing held.
    fn registered(id: InstanceId, cpu: u32, memory: u32, attributes: BTreeMap<String, String>, now: SimTime) -> Self {
        Instance {
            id,
            status: InstanceStatus::Active,
            provider: None,
            instance_type: None,
            zone: None,
            architecture: CpuArchitecture::X86_64,
            registered_at: now,
            attributes,
            registered_cpu: cpu,
            registered_memory: memory,
            reserved_cpu: 0,
            reserved_memory: 0,
            ports_in_use: AGENT_RESERVED_PORTS.into_iter().map(|p| (Protocol::Tcp, p)).collect(),
            enis_in_use: 0,
            eni_limit: 0,
            images_ready_at: BTreeMap::new(),
            tasks: Vec::new(),
        }
    }

    pub fn is_draining(&self) -> bool {
        self.status == InstanceStatus::Draining
    }

    /// Whether this is an external (ECS Anywhere) instance.
    pub fn is_external(&self) -> bool {
        self.provider.is_none()
    }

    /// Its instance type's name, or `external`.
    pub fn type_name(&self) -> &'static str {
        self.instance_type.map_or("external", |t| t.name)
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

    /// The instance's name in events and outputs: `i-…` for EC2, `mi-…` (an SSM managed instance)
    /// for external ones.
    pub fn label(&self) -> String {
        let prefix = if self.is_external() { "mi" } else { "i" };
        format!("{prefix}-{:05}", self.id.index() + 1)
    }
}
