//! The service table, indexed by [`ServiceId`] in the scenario's order.
//!
//! Contract: a service's id is its position; services are added once, before the run starts
//! ([`crate::world::World::add_service`]), and never removed. Other modules read through
//! [`Services::get`] and [`Services::iter`]; only the crate changes a service.

use crate::ids::ServiceId;

use super::Service;

/// Every service of the scenario, in id order.
#[derive(Clone, Debug, Default)]
pub struct Services {
    pub(crate) services: Vec<Service>,
}

impl Services {
    /// The service `id`.
    pub fn get(&self, id: ServiceId) -> &Service {
        &self.services[id.index()]
    }

    pub(crate) fn get_mut(&mut self, id: ServiceId) -> &mut Service {
        &mut self.services[id.index()]
    }

    /// Every service, in id order.
    pub fn iter(&self) -> std::slice::Iter<'_, Service> {
        self.services.iter()
    }

    /// Every service with its id, in id order.
    pub fn entries(&self) -> impl Iterator<Item = (ServiceId, &Service)> {
        self.services.iter().enumerate().map(|(i, s)| (ServiceId::from_index(i), s))
    }

    pub fn len(&self) -> usize {
        self.services.len()
    }

    pub fn is_empty(&self) -> bool {
        self.services.is_empty()
    }

    /// Every service's id, in order.
    pub fn ids(&self) -> impl Iterator<Item = ServiceId> {
        (0..self.services.len()).map(ServiceId::from_index)
    }

    /// Adds the next service; it gets the id returned.
    pub(crate) fn push(&mut self, service: Service) -> ServiceId {
        self.services.push(service);
        ServiceId::from_index(self.services.len() - 1)
    }
}

impl<'a> IntoIterator for &'a Services {
    type Item = &'a Service;
    type IntoIter = std::slice::Iter<'a, Service>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}
