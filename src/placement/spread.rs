//! `spread`: even count of the group's tasks per value of a field — per instance
//! (`instanceId`/`host`) or per attribute value (`attribute:ecs.availability-zone`...). Instances
//! without the attribute form a value of their own.

use crate::capacity::Instance;
use crate::ids::GroupId;
use crate::world::World;

use super::SpreadField;

/// The group's live tasks on instances sharing `instance`'s value of `field` (lower ranks first).
pub fn tasks_sharing_value(world: &World, field: &SpreadField, group: GroupId, instance: &Instance) -> u64 {
    match field {
        SpreadField::Instance => u64::from(world.group_tasks_on(group, instance.id)),
        SpreadField::Attribute(name) => {
            u64::from(world.placement_index.spread_count(group, name, instance.attributes.get(name)))
        }
    }
}
