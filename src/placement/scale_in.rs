//! Which tasks a service stops when it scales in: the placement strategies applied in reverse
//! (aws-behaviour.md §4.2, §6.6). Tasks not yet RUNNING go first (an ecsim choice: stopping them
//! costs no capacity that serves); then, strategy by strategy, `binpack` stops the task whose
//! instance will have the most of the resource free afterwards, `spread` takes from the value
//! holding the most of the group's tasks, `random` draws. Remaining ties stop the newest task.

use crate::engine::StreamRng;
use crate::sim::ids::TaskId;
use crate::sim::World;
use crate::task::{Placement, TaskStatus};

use super::{binpack, random, PlacementStrategy, Resource, SpreadField, AZ_ATTRIBUTE};

/// Chooses `n` of `tasks` (the live tasks of one group), one at a time: each choice sees the
/// counts left by the previous ones.
pub fn choose_tasks_to_stop(
    world: &World,
    tasks: &[TaskId],
    strategies: &[PlacementStrategy],
    n: usize,
    rng: &mut StreamRng,
) -> Vec<TaskId> {
    let mut left: Vec<TaskId> = tasks.to_vec();
    let mut chosen = Vec::new();
    while chosen.len() < n && !left.is_empty() {
        let keys: Vec<(Vec<u64>, TaskId)> =
            left.iter().map(|t| (stop_key(world, *t, &left, strategies, rng), *t)).collect();
        let Some((_, pick)) = keys.into_iter().max() else { break };
        left.retain(|t| *t != pick);
        chosen.push(pick);
    }
    chosen
}

/// Higher stops first.
fn stop_key(
    world: &World,
    task: TaskId,
    group: &[TaskId],
    strategies: &[PlacementStrategy],
    rng: &mut StreamRng,
) -> Vec<u64> {
    let t = &world.tasks[task.index()];
    let mut key = vec![u64::from(t.status < TaskStatus::Running)];
    for s in strategies {
        key.push(match s {
            PlacementStrategy::Binpack(r) => match t.placement {
                Placement::Instance(i) => {
                    let td = world.task_definition(t.task_definition);
                    let freed = match r {
                        Resource::Cpu => td.reserved_cpu(),
                        Resource::Memory => td.reserved_memory(),
                    };
                    binpack::remaining_after(&world.instances[i.index()], *r, 0) + u64::from(freed)
                }
                Placement::Fargate { .. } | Placement::AwaitingCapacity(_) => 0,
            },
            PlacementStrategy::Spread(field) => {
                let mine = value_of(world, task, field);
                group.iter().filter(|other| value_of(world, **other, field) == mine).count() as u64
            }
            PlacementStrategy::Random => random::draw(rng),
        });
    }
    key
}

/// The task's value of a spread field: its instance, or its instance's (or Fargate zone's) attribute.
fn value_of(world: &World, task: TaskId, field: &SpreadField) -> Option<String> {
    let t = &world.tasks[task.index()];
    match (field, t.placement) {
        (SpreadField::Instance, Placement::Instance(i)) => Some(world.instances[i.index()].label()),
        (SpreadField::Attribute(a), Placement::Instance(i)) => world.instances[i.index()].attributes.get(a).cloned(),
        (SpreadField::Attribute(a), Placement::Fargate { zone, .. }) if a == AZ_ATTRIBUTE => {
            Some(world.zones[zone.index()].clone())
        }
        _ => None,
    }
}
