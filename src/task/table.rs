//! The task table: every task ever started, stopped ones included, indexed by [`TaskId`].
//!
//! Contract: a task's id is its position (ids are handed out by [`Tasks::push`] in order and
//! never reused); tasks are never removed, so an id stays valid for the whole run. Other modules
//! read through [`Tasks::get`] and [`Tasks::iter`]; only the crate changes a task.

use crate::ids::TaskId;

use super::Task;

/// Every task of the run, in id order.
#[derive(Clone, Debug, Default)]
pub struct Tasks {
    pub(crate) tasks: Vec<Task>,
}

impl Tasks {
    /// The task `id`.
    pub fn get(&self, id: TaskId) -> &Task {
        &self.tasks[id.index()]
    }

    pub(crate) fn get_mut(&mut self, id: TaskId) -> &mut Task {
        &mut self.tasks[id.index()]
    }

    /// Every task, in id order.
    pub fn iter(&self) -> std::slice::Iter<'_, Task> {
        self.tasks.iter()
    }

    /// How many tasks were ever started.
    pub fn len(&self) -> usize {
        self.tasks.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tasks.is_empty()
    }

    /// Every task's id, in order.
    pub fn ids(&self) -> impl Iterator<Item = TaskId> {
        (0..self.tasks.len()).map(TaskId::from_index)
    }

    /// The id the next task pushed will get.
    pub(crate) fn next_id(&self) -> TaskId {
        TaskId::from_index(self.tasks.len())
    }

    /// Adds a task; its id must be [`Tasks::next_id`].
    pub(crate) fn push(&mut self, task: Task) -> TaskId {
        debug_assert_eq!(task.id, self.next_id(), "a task's id is its position");
        self.tasks.push(task);
        TaskId::from_index(self.tasks.len() - 1)
    }

    /// The tasks of `ids` (a service's, an instance's), in that order.
    pub fn of<'a>(&'a self, ids: &'a [TaskId]) -> impl Iterator<Item = &'a Task> + Clone + 'a {
        ids.iter().map(|t| self.get(*t))
    }

    /// Those of `ids` still meant to run (not told to stop), in that order.
    pub fn live<'a>(&'a self, ids: &'a [TaskId]) -> impl Iterator<Item = TaskId> + Clone + 'a {
        ids.iter().copied().filter(|t| self.get(*t).desired_running)
    }
}

impl<'a> IntoIterator for &'a Tasks {
    type Item = &'a Task;
    type IntoIter = std::slice::Iter<'a, Task>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}
