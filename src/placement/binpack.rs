//! `binpack`: the instance with the least of a resource left that still fits (fewest instances in
//! use). Scale-in: stop the task on the instance that will have the most of it free afterwards.

use crate::capacity::Instance;

use super::Resource;

/// What is left of the resource on `instance` after placing `need` (lower ranks first).
pub fn remaining_after(instance: &Instance, resource: Resource, need: u32) -> u64 {
    let (registered, reserved) = match resource {
        Resource::Cpu => (instance.registered_cpu, instance.reserved_cpu),
        Resource::Memory => (instance.registered_memory, instance.reserved_memory),
    };
    u64::from(registered.saturating_sub(reserved).saturating_sub(need))
}
