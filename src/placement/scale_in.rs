//! Which tasks a service stops when it scales in: the placement strategies applied in reverse
//! (aws-behaviour.md §4.2, §6.6). Tasks not yet RUNNING go first (an ecsim choice: stopping them
//! costs no capacity that serves); then, strategy by strategy, `binpack` stops the task whose
//! instance will have the most of the resource free afterwards, `spread` takes from the value
//! holding the most of the group's tasks, `random` draws. Remaining ties stop the newest task.

use std::collections::BTreeMap;

use crate::engine::StreamRng;
use crate::ids::TaskId;
use crate::task::{Placement, TaskStatus};
use crate::world::World;

use super::{binpack, random, PlacementStrategy, Resource, SpreadField, AZ_ATTRIBUTE};

/// How many of the tasks still in the running share each value of a spread field.
type ValueCounts = BTreeMap<Option<String>, u64>;

/// Chooses `n` of `tasks` (the live tasks of one group), one at a time: each choice sees the
/// counts left by the previous ones. A task's spread values cannot change while choosing, so they
/// are read once and counted per value; each pick only lowers its own values' counts.
pub fn choose_tasks_to_stop(
    world: &World,
    tasks: &[TaskId],
    strategies: &[PlacementStrategy],
    n: usize,
    rng: &mut StreamRng,
) -> Vec<TaskId> {
    let values = |t: TaskId| -> Vec<Option<String>> {
        strategies
            .iter()
            .map(|s| match s {
                PlacementStrategy::Spread(field) => value_of(world, t, field),
                _ => None,
            })
            .collect()
    };
    let mut left: Vec<(TaskId, Vec<Option<String>>)> = tasks.iter().map(|t| (*t, values(*t))).collect();
    let mut counts: Vec<ValueCounts> = vec![BTreeMap::new(); strategies.len()];
    for (_, vs) in &left {
        for (count, v) in counts.iter_mut().zip(vs) {
            *count.entry(v.clone()).or_insert(0) += 1;
        }
    }
    let mut chosen = Vec::new();
    while chosen.len() < n && !left.is_empty() {
        let keys: Vec<(Vec<u64>, usize)> = left
            .iter()
            .enumerate()
            .map(|(i, (t, vs))| (stop_key(world, *t, (vs, &counts), strategies, rng), i))
            .collect();
        let Some((_, at)) = keys.into_iter().max_by(|a, b| (&a.0, left[a.1].0).cmp(&(&b.0, left[b.1].0))) else {
            break;
        };
        let (pick, vs) = left.remove(at);
        for (count, v) in counts.iter_mut().zip(&vs) {
            if let Some(c) = count.get_mut(v) {
                *c -= 1;
            }
        }
        chosen.push(pick);
    }
    chosen
}

/// Higher stops first. `values` are the task's spread values and `counts` how many of the tasks
/// still in the running share each value, per strategy.
fn stop_key(
    world: &World,
    task: TaskId,
    (values, counts): (&[Option<String>], &[ValueCounts]),
    strategies: &[PlacementStrategy],
    rng: &mut StreamRng,
) -> Vec<u64> {
    let t = world.tasks.get(task);
    let mut key = vec![u64::from(t.status < TaskStatus::Running)];
    for (i, s) in strategies.iter().enumerate() {
        key.push(match s {
            PlacementStrategy::Binpack(r) => match t.placement {
                Placement::Instance(i) => {
                    let td = world.task_definition(t.task_definition);
                    let freed = match r {
                        Resource::Cpu => td.reserved_cpu(),
                        Resource::Memory => td.reserved_memory(),
                    };
                    binpack::remaining_after(world.instances.get(i), *r, 0) + u64::from(freed)
                }
                Placement::Fargate { .. } | Placement::AwaitingCapacity(_) => 0,
            },
            PlacementStrategy::Spread(_) => counts[i].get(&values[i]).copied().unwrap_or(0),
            PlacementStrategy::Random => random::draw(rng),
        });
    }
    key
}

/// The task's value of a spread field: its instance, or its instance's (or Fargate zone's) attribute.
fn value_of(world: &World, task: TaskId, field: &SpreadField) -> Option<String> {
    let t = world.tasks.get(task);
    match (field, t.placement) {
        (SpreadField::Instance, Placement::Instance(i)) => Some(world.instances.get(i).label()),
        (SpreadField::Attribute(a), Placement::Instance(i)) => world.instances.get(i).attributes.get(a).cloned(),
        (SpreadField::Attribute(a), Placement::Fargate { zone, .. }) if a == AZ_ATTRIBUTE => {
            Some(world.zones[zone.index()].clone())
        }
        _ => None,
    }
}
