//! Task placement on container instances, as a pure function of the world (aws-behaviour.md §4).
//!
//! ECS's order: keep the instances that can hold the task ([`fit`]: CPU, memory, ports, ENIs,
//! architecture), then those that satisfy every constraint ([`distinct_instance`], [`member_of`]),
//! then rank them by the strategies in the order listed ([`binpack`], [`spread`], [`random`]):
//! the ranks form a lexicographic key, and remaining ties go to the lowest instance id, so a
//! placement never depends on iteration order. [`scale_in`] applies the same rules in reverse to
//! choose which tasks to stop.

mod binpack;
mod distinct_instance;
mod explain;
mod fit;
mod index;
mod member_of;
pub mod query;
mod random;
mod scale_in;
mod spread;

use std::collections::BTreeMap;

pub use explain::describe_failure;
pub use fit::MAX_RESERVED_PORTS;
pub use index::{Order, PlacementIndex};
pub use scale_in::choose_tasks_to_stop;

use crate::capacity::Instance;
use crate::engine::StreamRng;
use crate::ids::{GroupId, InstanceId};
use crate::task::TaskDefinition;
use crate::world::World;
use query::Expression;

/// The resource a `binpack` strategy packs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Resource {
    Cpu,
    Memory,
}

/// What a `spread` strategy balances over.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SpreadField {
    /// `instanceId` or `host`.
    Instance,
    /// `attribute:<name>`, e.g. `ecs.availability-zone`.
    Attribute(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PlacementStrategy {
    Binpack(Resource),
    Spread(SpreadField),
    Random,
}

impl PlacementStrategy {
    /// ECS's default for services on EC2 without a strategy: the zone with the fewest tasks of the
    /// service, then the instance with the fewest (aws-behaviour.md §4.2).
    pub fn service_default() -> Vec<PlacementStrategy> {
        vec![
            PlacementStrategy::Spread(SpreadField::Attribute(AZ_ATTRIBUTE.to_string())),
            PlacementStrategy::Spread(SpreadField::Instance),
        ]
    }
}

#[derive(Clone, Debug)]
pub enum PlacementConstraint {
    DistinctInstance,
    MemberOf(Expression),
}

/// The attribute every instance in a zone carries.
pub const AZ_ATTRIBUTE: &str = "ecs.availability-zone";

/// Why an instance cannot take a task, in the order ECS checks.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Rejection {
    Architecture,
    Cpu,
    Memory,
    Port(u16),
    PortLimit,
    Eni,
    DistinctInstance,
    MemberOf(String),
}

/// One task to place.
pub struct Request<'a> {
    pub task_definition: &'a TaskDefinition,
    pub group: GroupId,
    pub strategies: &'a [PlacementStrategy],
    /// The service's or RunTask's constraints; the task definition's are added to them.
    pub constraints: &'a [PlacementConstraint],
}

/// Where a task goes, and why, when explanations were asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    pub instance: InstanceId,
    pub explanation: Option<String>,
}

/// Why a task could not be placed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unplaced {
    /// No instance was a candidate at all.
    NoInstances,
    /// Fargate had no capacity: its Spot capacity is unavailable, or every zone is down.
    NoFargateCapacity,
    /// Every candidate was rejected: the one that missed the fewest requirements and the first it
    /// missed, and how many instances each rule filtered out (each counted under its first rule).
    Rejected { closest: InstanceId, reason: Rejection, counts: BTreeMap<Rejection, u32> },
}

/// Every rule `instance` breaks for `request`, in ECS's order (empty: it can take the task).
pub fn rejections(world: &World, instance: &Instance, request: &Request) -> Vec<Rejection> {
    let mut all = fit::resource_shortfalls(instance, request.task_definition);
    let constraints = request.constraints.iter().chain(&request.task_definition.placement_constraints);
    for c in constraints {
        match c {
            PlacementConstraint::DistinctInstance if !distinct_instance::allows(world, instance, request.group) => {
                all.push(Rejection::DistinctInstance)
            }
            PlacementConstraint::MemberOf(e) if !member_of::allows(world, instance, e) => {
                all.push(Rejection::MemberOf(e.to_string()))
            }
            _ => {}
        }
    }
    all
}

/// Places one task on the best instance among those `candidate` accepts (the right capacity
/// provider, say). Only instances that take tasks are candidates at all: ACTIVE ones whose agent
/// is connected, as ECS never considers DRAINING or deregistered instances (and the index does
/// not hold the others). `explain` adds a sentence saying what was filtered and why the chosen
/// instance won. Chains the [`PlacementIndex`] knows are answered from it; others, explanations
/// and failures by ranking every candidate — both give the same answer.
pub fn place(
    world: &World,
    candidate: impl Fn(&Instance) -> bool,
    request: &Request,
    rng: &mut StreamRng,
    explain: bool,
) -> Result<Decision, Unplaced> {
    let candidate = |i: &Instance| i.accepts_tasks() && candidate(i);
    if !explain {
        if let Some(instance) = place_from_index(world, &candidate, request) {
            debug_assert_eq!(
                scan(world, &candidate, request, rng, false).map(|d| d.instance),
                Ok(instance),
                "the index and the full ranking must agree"
            );
            return Ok(Decision { instance, explanation: None });
        }
    }
    scan(world, &candidate, request, rng, explain)
}

/// The indexed search, when the request's chain is indexed and some instance accepts the task.
fn place_from_index(world: &World, candidate: &impl Fn(&Instance) -> bool, request: &Request) -> Option<InstanceId> {
    let plan = index::Plan::for_chain(request.strategies, request.group).filter(|p| world.placement_index.has(p))?;
    let start = match plan.order {
        Order::Free(Resource::Cpu) => request.task_definition.reserved_cpu(),
        Order::Free(Resource::Memory) => request.task_definition.reserved_memory(),
        Order::GroupCount(_) | Order::Id => 0,
    };
    world.placement_index.search(&plan, request.group, start, |id| {
        let instance = world.instances.get(id);
        candidate(instance) && rejections(world, instance, request).is_empty()
    })
}

/// Ranks every candidate (ECS's algorithm as written).
fn scan(
    world: &World,
    candidate: &impl Fn(&Instance) -> bool,
    request: &Request,
    rng: &mut StreamRng,
    explain: bool,
) -> Result<Decision, Unplaced> {
    let candidates = world.instances.iter().filter(|i| candidate(i));
    let mut passing = Vec::new();
    let mut counts: BTreeMap<Rejection, u32> = BTreeMap::new();
    let mut closest: Option<(usize, InstanceId, Rejection)> = None;
    for instance in candidates {
        let rejected = rejections(world, instance, request);
        match rejected.first() {
            None => passing.push(instance),
            Some(first) => {
                *counts.entry(first.clone()).or_insert(0) += 1;
                if closest.as_ref().is_none_or(|(n, id, _)| (rejected.len(), instance.id) < (*n, *id)) {
                    closest = Some((rejected.len(), instance.id, first.clone()));
                }
            }
        }
    }
    let ranked: Vec<(Vec<u64>, &Instance)> = passing.into_iter().map(|i| (rank(world, request, i, rng), i)).collect();
    let Some((key, best)) = ranked.iter().min_by_key(|(key, i)| (key.clone(), i.id)) else {
        return Err(match closest {
            None => Unplaced::NoInstances,
            Some((_, closest, reason)) => Unplaced::Rejected { closest, reason, counts },
        });
    };
    let explanation = explain.then(|| explain::describe_choice(request, best, key, ranked.len(), &counts));
    Ok(Decision { instance: best.id, explanation })
}

/// The instance's rank under each strategy, in order (lower is better).
fn rank(world: &World, request: &Request, instance: &Instance, rng: &mut StreamRng) -> Vec<u64> {
    request
        .strategies
        .iter()
        .map(|s| match s {
            PlacementStrategy::Binpack(r) => {
                let need = match r {
                    Resource::Cpu => request.task_definition.reserved_cpu(),
                    Resource::Memory => request.task_definition.reserved_memory(),
                };
                binpack::remaining_after(instance, *r, need)
            }
            PlacementStrategy::Spread(field) => spread::tasks_sharing_value(world, field, request.group, instance),
            PlacementStrategy::Random => random::draw(rng),
        })
        .collect()
}
