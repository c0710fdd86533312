//! `distinctInstance`: every task of the group on a different instance.

use crate::capacity::Instance;
use crate::ids::GroupId;
use crate::world::World;

/// Whether `instance` holds no task of `group` that is not yet STOPPED: a task still stopping
/// there counts, so two tasks of the group never share the instance even for a moment (ecsim's
/// reading; spread, by contrast, counts only tasks not told to stop).
pub fn allows(world: &World, instance: &Instance, group: GroupId) -> bool {
    !instance.tasks.iter().any(|t| world.tasks.get(*t).group == group)
}
