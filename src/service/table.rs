//! The service table: the scenario's services, indexed by [`ServiceId`] (an [`Arena`]: a
//! service's id is its position in the scenario's sorted list). Other modules read through its
//! functions; only the crate changes a service.

use crate::ids::{Arena, ServiceId};

use super::Service;

/// Every service, in id order.
pub type Services = Arena<ServiceId, Service>;
