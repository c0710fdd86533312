//! Container instances — EC2 instances of Auto Scaling groups, and external (ECS Anywhere)
//! instances — what each registered, and what its tasks hold of it.

use std::collections::{BTreeMap, BTreeSet};

use crate::catalog::{CpuArchitecture, InstanceType};
use crate::engine::{Generation, SimDuration, SimTime};
use crate::ids::{InstanceId, ProviderId, TaskId, ZoneId};
use crate::task::{HostPort, Protocol, TaskDefinition};

use super::Termination;

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
    /// Deregistered: its EC2 instance is gone (terminated, or lost with its zone). ECS shows a
    /// terminated container instance as INACTIVE; it stays in the arena for history and billing.
    Inactive,
}

impl InstanceStatus {
    /// ECS's word for the status.
    pub fn as_str(self) -> &'static str {
        match self {
            InstanceStatus::Active => "ACTIVE",
            InstanceStatus::Draining => "DRAINING",
            InstanceStatus::Inactive => "INACTIVE",
        }
    }
}

/// Where an EC2 instance stands with its Auto Scaling group, which only knows what its health
/// checks have told it: an instance lost to a fault stays `InService` (and counted toward the
/// desired capacity) until the group notices.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupLifecycle {
    /// Counted toward the desired capacity.
    InService,
    /// The group chose to terminate it (scale-in or AZ rebalancing, the cause), and drains it
    /// first with managed draining: no longer counted.
    Terminating(Termination),
    /// Gone, and the group knows it.
    Gone,
}

/// A container instance registered to the cluster.
#[derive(Clone, Debug)]
pub struct Instance {
    pub id: InstanceId,
    pub status: InstanceStatus,
    /// The EC2 instance fails its status checks: its agent is disconnected (ECS status unchanged)
    /// until the Auto Scaling group replaces it.
    pub impaired: bool,
    /// Where it stands with its Auto Scaling group (external instances are always `InService`).
    pub lifecycle: GroupLifecycle,
    /// A Spot instance (its group's purchase option), billed at the Spot discount.
    pub spot: bool,
    /// Protected from scale-in: its group skips it when it terminates instances to lower its
    /// capacity (not when it replaces an unhealthy one, nor against a Spot interruption).
    pub protected_from_scale_in: bool,
    /// When EC2 will reclaim it, once a Spot interruption notice came.
    pub interruption_at: Option<SimTime>,
    /// Bumped on every status change: a timer stamped with an older generation (the end of an
    /// operator's drain, say) no longer applies.
    pub generation: Generation,
    /// When its Auto Scaling group launched it: EC2 bills from here.
    pub launched_at: SimTime,
    /// Part of the fleet the scenario starts with (registered at time 0): not "newly launched", so
    /// no warm-up holds back managed scaling or the group's policies for it (aws-behaviour.md
    /// §5.2, §8: both warm-ups are for instances a scale-out launched).
    pub initial: bool,
    /// When it left the cluster (status INACTIVE): billing stops here.
    pub deregistered_at: Option<SimTime>,
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
    /// An EC2 instance of an Auto Scaling group provider, as it registers `now` after its launch
    /// at `launched_at`; `attributes` are its built-in and custom attributes.
    pub fn ec2(
        id: InstanceId,
        (provider, zone): (ProviderId, ZoneId),
        itype: &'static InstanceType,
        (ecs_reserved_memory, eni_trunking, spot): (u32, bool, bool),
        attributes: BTreeMap<String, String>,
        (launched_at, now): (SimTime, SimTime),
    ) -> Self {
        Instance {
            provider: Some(provider),
            instance_type: Some(itype),
            zone: Some(zone),
            architecture: itype.architecture,
            eni_limit: itype.awsvpc_task_limit(eni_trunking),
            spot,
            launched_at,
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
            impaired: false,
            lifecycle: GroupLifecycle::InService,
            spot: false,
            protected_from_scale_in: false,
            interruption_at: None,
            generation: Generation::default(),
            launched_at: now,
            initial: false,
            deregistered_at: None,
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

    /// Whether it is still warming up at `now` after a warm-up of `warmup` from `since` (its
    /// launch or its registration): never for an instance of the initial fleet.
    pub fn warming(&self, since: SimTime, warmup: SimDuration, now: SimTime) -> bool {
        !self.initial && now < since + warmup
    }

    pub fn is_draining(&self) -> bool {
        self.status == InstanceStatus::Draining
    }

    /// Still registered to the cluster (ACTIVE or DRAINING), not deregistered.
    pub fn is_registered(&self) -> bool {
        self.status != InstanceStatus::Inactive
    }

    /// Its EC2 instance fails its status checks and its agent is disconnected.
    pub fn is_impaired(&self) -> bool {
        self.impaired
    }

    /// Whether ECS may place a task here: only ACTIVE instances with a connected agent.
    pub fn accepts_tasks(&self) -> bool {
        self.status == InstanceStatus::Active && !self.impaired
    }

    /// Bound to leave the cluster: under a Spot notice, or being terminated by its group. Such an
    /// instance never goes back to ACTIVE.
    pub fn is_leaving(&self) -> bool {
        self.interruption_at.is_some() || self.lifecycle != GroupLifecycle::InService
    }

    /// Moves to `status`, invalidating the timers of the previous one. The caller keeps the
    /// placement index in step (see `World::change_instance`).
    pub fn set_status(&mut self, status: InstanceStatus) {
        self.status = status;
        self.generation.bump();
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
        named(if self.is_external() { "mi" } else { "i" }, self.id)
    }

    /// The name an EC2 instance of id `id` has (or will have, once registered): `i-00003`.
    pub fn ec2_label(id: InstanceId) -> String {
        named("i", id)
    }

    /// The id of the EC2 instance named `label` (`i-00003`, or `i-3`), if it is such a name.
    pub fn parse_ec2_label(label: &str) -> Option<InstanceId> {
        let n: u32 = label.strip_prefix("i-")?.parse().ok()?;
        n.checked_sub(1).map(|i| InstanceId::from_index(i as usize))
    }
}

/// `i-00003`, `mi-00003`: the prefix and the id counted from 1.
fn named(prefix: &str, id: InstanceId) -> String {
    format!("{prefix}-{:05}", id.index() + 1)
}
