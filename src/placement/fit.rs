//! Step 1 of ECS's placement: can the instance hold the task at all? CPU, memory, host ports
//! (per protocol, the agent's reserved ports included, at most 100 reserved ports), ENIs for
//! awsvpc tasks, and the CPU architecture a task definition's `runtimePlatform` asks for.

use crate::capacity::Instance;
use crate::task::TaskDefinition;

use super::Rejection;

/// ECS's limit of reserved ports per container instance (agent-reserved and static task ports).
pub const MAX_RESERVED_PORTS: usize = 100;

/// Every resource requirement of `td` that `instance` cannot meet now, in ECS's order.
pub fn resource_shortfalls(instance: &Instance, td: &TaskDefinition) -> Vec<Rejection> {
    let mut missing = Vec::new();
    if td.cpu_architecture.is_some_and(|a| a != instance.architecture) {
        missing.push(Rejection::Architecture);
    }
    if instance.reserved_cpu + td.reserved_cpu() > instance.registered_cpu {
        missing.push(Rejection::Cpu);
    }
    if instance.reserved_memory + td.reserved_memory() > instance.registered_memory {
        missing.push(Rejection::Memory);
    }
    let ports: Vec<_> = td.static_host_ports().collect();
    if let Some(p) = ports.iter().find(|p| instance.ports_in_use.contains(p)) {
        missing.push(Rejection::Port(p.1));
    } else if instance.ports_in_use.len() + ports.len() > MAX_RESERVED_PORTS {
        missing.push(Rejection::PortLimit);
    }
    if td.uses_eni() && instance.enis_in_use >= instance.eni_limit {
        missing.push(Rejection::Eni);
    }
    missing
}
