//! The tasks registered as targets, by task: a slot per task id, so that the lookups of every
//! request and fluid step are an index, not a search of a map of large values (a B-tree of 2,000
//! backends cost a fifth of a fluid run of 500 services in cache misses).
//!
//! Contract: the map's operations with its meaning (one backend per task at most, iteration in
//! task id order); memory is a pointer per task the run created plus the live backends.

use std::ops::Index;

use crate::ids::TaskId;

use super::backend::Backend;

#[derive(Clone, Debug, Default)]
pub struct Backends {
    slots: Vec<Option<Box<Backend>>>,
    len: usize,
}

impl Backends {
    pub fn get(&self, task: &TaskId) -> Option<&Backend> {
        self.slots.get(task.index()).and_then(|s| s.as_deref())
    }

    pub fn get_mut(&mut self, task: &TaskId) -> Option<&mut Backend> {
        self.slots.get_mut(task.index()).and_then(|s| s.as_deref_mut())
    }

    /// Adds the backend of `task`, replacing any it had; returns the one replaced.
    pub fn insert(&mut self, task: TaskId, backend: Backend) -> Option<Backend> {
        let i = task.index();
        if self.slots.len() <= i {
            self.slots.resize_with(i + 1, || None);
        }
        let old = self.slots[i].replace(Box::new(backend)).map(|b| *b);
        if old.is_none() {
            self.len += 1;
        }
        old
    }

    pub fn remove(&mut self, task: &TaskId) -> Option<Backend> {
        let old = self.slots.get_mut(task.index())?.take().map(|b| *b);
        if old.is_some() {
            self.len -= 1;
        }
        old
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Every backend, in task id order.
    pub fn values(&self) -> impl Iterator<Item = &Backend> {
        self.slots.iter().filter_map(|s| s.as_deref())
    }

    /// Every backend, in task id order.
    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut Backend> {
        self.slots.iter_mut().filter_map(|s| s.as_deref_mut())
    }
}

impl Index<&TaskId> for Backends {
    type Output = Backend;

    fn index(&self, task: &TaskId) -> &Backend {
        self.get(task).expect("the task has a backend")
    }
}
