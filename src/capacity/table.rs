//! The container instance table: every instance that ever joined the cluster, INACTIVE ones
//! included (for history and billing), indexed by [`InstanceId`] (an [`Arena`]).
//!
//! Contract: only [`crate::world::World::register_instance`] adds an instance and only the crate
//! changes one (through `World::change_instance` where the placement index must follow); other
//! modules read through the table's functions.

use crate::ids::{Arena, InstanceId};

use super::Instance;

/// Every container instance of the run, in id order.
pub type Instances = Arena<InstanceId, Instance>;

impl Instances {
    /// Instances registered to the cluster now (ACTIVE or DRAINING), in id order.
    pub fn registered(&self) -> impl Iterator<Item = &Instance> {
        self.iter().filter(|i| i.is_registered())
    }

    /// Whether instance `id` is registered (ACTIVE or DRAINING).
    pub fn is_registered(&self, id: InstanceId) -> bool {
        self.get(id).is_registered()
    }
}
