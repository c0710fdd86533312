//! The task table: every task ever started, stopped ones included, indexed by [`TaskId`] (an
//! [`Arena`]: ids are positions, never reused). Other modules read through its functions; only
//! the crate changes a task.

use crate::ids::{Arena, TaskId};

use super::Task;

/// Every task of the run, in id order.
pub type Tasks = Arena<TaskId, Task>;

impl Tasks {
    /// The tasks of `ids` (a service's, an instance's), in that order.
    pub fn of<'a>(&'a self, ids: &'a [TaskId]) -> impl Iterator<Item = &'a Task> + Clone + 'a {
        ids.iter().map(|t| self.get(*t))
    }

    /// Those of `ids` still meant to run (not told to stop), in that order.
    pub fn live<'a>(&'a self, ids: &'a [TaskId]) -> impl Iterator<Item = TaskId> + Clone + 'a {
        ids.iter().copied().filter(|t| self.get(*t).desired_running)
    }
}
