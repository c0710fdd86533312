//! `distinctInstance`: every task of the group on a different instance.

use crate::capacity::Instance;
use crate::sim::ids::GroupId;
use crate::sim::World;

/// Whether `instance` holds no live task of `group`.
pub fn allows(world: &World, instance: &Instance, group: GroupId) -> bool {
    world.group_tasks_on(group, instance.id) == 0
}
