//! The container instance table: every instance that ever joined the cluster, INACTIVE ones
//! included (for history and billing), indexed by [`InstanceId`].
//!
//! Contract: an instance's id is its position and instances are never removed. Only
//! [`crate::world::World::register_instance`] adds one and only the crate changes one (through
//! `World::change_instance` where the placement index must follow); other modules read through
//! [`Instances::get`], [`Instances::iter`] and [`Instances::registered`].

use crate::ids::InstanceId;

use super::Instance;

/// Every container instance of the run, in id order.
#[derive(Clone, Debug, Default)]
pub struct Instances {
    pub(crate) instances: Vec<Instance>,
}

impl Instances {
    /// The instance `id`.
    pub fn get(&self, id: InstanceId) -> &Instance {
        &self.instances[id.index()]
    }

    pub(crate) fn get_mut(&mut self, id: InstanceId) -> &mut Instance {
        &mut self.instances[id.index()]
    }

    /// Every instance, in id order.
    pub fn iter(&self) -> std::slice::Iter<'_, Instance> {
        self.instances.iter()
    }

    /// How many instances ever joined.
    pub fn len(&self) -> usize {
        self.instances.len()
    }

    pub fn is_empty(&self) -> bool {
        self.instances.is_empty()
    }

    /// Every instance's id, in order.
    pub fn ids(&self) -> impl Iterator<Item = InstanceId> {
        (0..self.instances.len()).map(InstanceId::from_index)
    }

    /// The id the next instance registered will get.
    pub(crate) fn next_id(&self) -> InstanceId {
        InstanceId::from_index(self.instances.len())
    }

    /// Adds an instance; its id must be [`Instances::next_id`].
    pub(crate) fn push(&mut self, instance: Instance) {
        debug_assert_eq!(instance.id, self.next_id(), "an instance's id is its position");
        self.instances.push(instance);
    }

    /// Instances registered to the cluster now (ACTIVE or DRAINING), in id order.
    pub fn registered(&self) -> impl Iterator<Item = &Instance> {
        self.instances.iter().filter(|i| i.is_registered())
    }

    /// Whether instance `id` is registered (ACTIVE or DRAINING).
    pub fn is_registered(&self, id: InstanceId) -> bool {
        self.get(id).is_registered()
    }
}

impl<'a> IntoIterator for &'a Instances {
    type Item = &'a Instance;
    type IntoIter = std::slice::Iter<'a, Instance>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}
