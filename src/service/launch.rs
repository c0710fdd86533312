//! Starting one task, for the service scheduler and RunTask alike: choose the capacity provider
//! (or launch type), then the instance or Fargate zone, then launch.

use crate::capacity::{choose_provider, Instance, ProviderKind, MAX_PROVISIONING_TASKS};
use crate::ids::{GroupId, InstanceId, ProviderId, TaskDefId, TaskId, ZoneId};
use crate::placement::{self, PlacementConstraint, PlacementStrategy, Request, Unplaced};
use crate::record::EventKind;
use crate::task::{self, NewTask, Placement, TaskOwner};
use crate::world::{Ctx, World};

use super::{CapacitySource, LaunchType, PeerCounts};

/// Everything needed to start one task of an owner; its capacity and placement rules are the
/// owner's spec's ([`Rules::of`]).
pub struct Launch<'a> {
    pub owner: TaskOwner,
    pub group: GroupId,
    pub task_definition: TaskDefId,
    /// The owner's deployment the task belongs to (0 for standalone tasks).
    pub deployment: u32,
    pub ordinal: u32,
    /// How the owner's live tasks are spread over providers and Fargate zones.
    pub peers: Peers<'a>,
    /// The task is already RUNNING (a snapshot's, at time 0): it goes where there is room now
    /// and never waits for capacity; [`start_task`] leaves it for the owner to count and put in
    /// RUNNING with [`task::run_from_start`].
    pub running: bool,
}

/// Where a launch reads how its owner's live tasks are spread.
pub enum Peers<'a> {
    /// The service's own counts ([`crate::service::Service`]'s, kept as its tasks come and go).
    Service,
    /// The tasks a RunTask call has started so far.
    Batch(&'a PeerCounts),
}

/// The owner's capacity and placement rules, borrowed from its spec.
struct Rules<'w> {
    capacity: &'w CapacitySource,
    strategies: &'w [PlacementStrategy],
    constraints: &'w [PlacementConstraint],
    peers: &'w PeerCounts,
}

impl<'w> Rules<'w> {
    fn of<'a: 'w>(world: &'w World, launch: &'w Launch<'a>) -> Rules<'w> {
        let (capacity, strategies, constraints) = owner_rules(world, launch.owner);
        let peers = match (&launch.peers, launch.owner) {
            (Peers::Batch(counts), _) => *counts,
            (Peers::Service, TaskOwner::Service(s)) => &world.services.get(s).peers,
            (Peers::Service, TaskOwner::Standalone(_)) => {
                unreachable!("only a service's launch reads the service's counts")
            }
        };
        Rules { capacity, strategies, constraints, peers }
    }
}

/// The capacity, placement strategies and placement constraints of `owner`'s spec.
fn owner_rules(world: &World, owner: TaskOwner) -> (&CapacitySource, &[PlacementStrategy], &[PlacementConstraint]) {
    match owner {
        TaskOwner::Service(s) => {
            let spec = &world.services.get(s).spec;
            (&spec.capacity, &spec.placement_strategy, &spec.placement_constraints)
        }
        TaskOwner::Standalone(r) => {
            let spec = &world.run_tasks[r.index()].spec;
            (&spec.capacity, &spec.placement_strategy, &spec.placement_constraints)
        }
    }
}

/// Launches the task (on the instance `only`, if given: a daemon's), or says why no instance
/// could take it. A [`Launch::running`] task is created in its place, not yet RUNNING.
pub fn start_task(
    world: &mut World,
    ctx: &mut Ctx,
    launch: &Launch,
    only: Option<InstanceId>,
) -> Result<TaskId, Unplaced> {
    let (provider, placement) = choose(world, ctx, launch, only)?;
    let new = NewTask {
        owner: launch.owner,
        group: launch.group,
        task_definition: launch.task_definition,
        ordinal: launch.ordinal,
        deployment: launch.deployment,
    };
    Ok(if launch.running {
        task::launch_running(world, ctx, new, provider, placement)
    } else {
        task::launch(world, ctx, new, provider, placement)
    })
}

/// The provider (none for a launch type) and the place of the launch's task.
fn choose(
    world: &World,
    ctx: &mut Ctx,
    launch: &Launch,
    only: Option<InstanceId>,
) -> Result<(Option<ProviderId>, Placement), Unplaced> {
    let rules = Rules::of(world, launch);
    Ok(match rules.capacity {
        CapacitySource::LaunchType(LaunchType::Fargate) => (None, fargate(world, &rules, None)?),
        CapacitySource::LaunchType(LaunchType::Ec2) => {
            (None, on_instance(world, ctx, launch, &rules, Pool::Ec2, only)?)
        }
        CapacitySource::LaunchType(LaunchType::External) => {
            (None, on_instance(world, ctx, launch, &rules, Pool::External, only)?)
        }
        CapacitySource::Strategy(items) => {
            let count_on = |p: ProviderId| rules.peers.on_provider(p);
            let provider = choose_provider(items, count_on).expect("validated strategies always yield a provider");
            let placement = match world.providers[provider.index()].kind {
                ProviderKind::Fargate => fargate(world, &rules, None)?,
                ProviderKind::FargateSpot => fargate(world, &rules, Some(provider))?,
                ProviderKind::AutoScalingGroup(ref asg) => {
                    let waits = !launch.running
                        && asg.managed_scaling.is_some()
                        && world.awaiting_capacity.len() < MAX_PROVISIONING_TASKS;
                    match on_instance(world, ctx, launch, &rules, Pool::Provider(provider), only) {
                        Err(_) if waits => Placement::AwaitingCapacity(provider),
                        placed => placed?,
                    }
                }
            };
            (Some(provider), placement)
        }
    })
}

/// Places on an EC2 instance (of `provider` if given); logs the explanation when asked to.
/// Which instances a task may go to.
#[derive(Clone, Copy)]
enum Pool {
    /// Launch type EC2: any EC2 instance of the cluster.
    Ec2,
    /// Launch type EXTERNAL: the external instances.
    External,
    /// The instances of one Auto Scaling group provider.
    Provider(ProviderId),
}

impl Pool {
    fn contains(self, instance: &Instance) -> bool {
        match self {
            Pool::Ec2 => !instance.is_external(),
            Pool::External => instance.is_external(),
            Pool::Provider(p) => instance.provider == Some(p),
        }
    }
}

fn on_instance(
    world: &World,
    ctx: &mut Ctx,
    launch: &Launch,
    rules: &Rules,
    pool: Pool,
    only: Option<InstanceId>,
) -> Result<Placement, Unplaced> {
    let request = Request {
        task_definition: world.task_definition(launch.task_definition),
        group: launch.group,
        strategies: rules.strategies,
        constraints: rules.constraints,
    };
    let candidate = |i: &Instance| pool.contains(i) && only.is_none_or(|o| i.id == o);
    let decision = placement::place(world, candidate, &request, &mut ctx.streams.placement, ctx.explain_placement)?;
    if let Some(explanation) = decision.explanation {
        let name = world.owner_name(launch.owner).to_string();
        ctx.log(EventKind::TaskPlacement)
            .service(name)
            .instance(world.instances.get(decision.instance).label())
            .message(explanation)
            .emit();
    }
    Ok(Placement::Instance(decision.instance))
}

/// Fargate spreads an owner's tasks over the zones that are up: the zone with the fewest of its
/// live tasks, ties to the zone listed first. `spot` is the FARGATE_SPOT provider for a Spot task,
/// which fails to place while Spot capacity cannot be had (no fallback to FARGATE, as in ECS); so
/// does any task when every zone is down (ECS's "Capacity is unavailable at this time").
fn fargate(world: &World, rules: &Rules, spot: Option<ProviderId>) -> Result<Placement, Unplaced> {
    if spot.is_some_and(|p| world.fleet.is_spot_unavailable(p)) {
        return Err(Unplaced::NoFargateCapacity);
    }
    let zone = (0..world.zones.len())
        .map(ZoneId::from_index)
        .filter(|z| !world.fleet.is_zone_down(*z))
        .min_by_key(|z| (rules.peers.fargate_in(*z), *z))
        .ok_or(Unplaced::NoFargateCapacity)?;
    Ok(Placement::Fargate { zone, spot: spot.is_some() })
}

/// Capacity was freed on `provider`: tasks waiting for it in PROVISIONING are placed, oldest first,
/// with their owner's placement rules, as long as they fit.
///
/// A task that finds no instance is not retried for the tasks after it that ask the same until a
/// placement changes the cluster: nothing it could fit on has appeared, so the answer is the
/// same, and no random draw is skipped (a failed placement draws nothing). Without placement
/// constraints, whether a task fits anywhere depends on its task definition only (its resources,
/// ports and network mode); with some (distinctInstance and memberOf read the task's group and
/// the tasks on each instance), on its owner and group as well. After a burst of scale-out, a
/// launch that fits two of 500 waiting tasks searched the fleet for every one of them.
pub fn place_awaiting(world: &mut World, ctx: &mut Ctx, provider: ProviderId) {
    let waiting: Vec<TaskId> = world
        .awaiting_capacity
        .iter()
        .copied()
        .filter(|t| world.tasks.get(*t).placement == Placement::AwaitingCapacity(provider))
        .collect();
    let mut no_room: Vec<(TaskDefId, Option<(TaskOwner, GroupId)>)> = Vec::new();
    for id in waiting {
        let t = world.tasks.get(id);
        let (_, strategies, constraints) = owner_rules(world, t.owner);
        let task_definition = world.task_definition(t.task_definition);
        let unconstrained = constraints.is_empty() && task_definition.placement_constraints.is_empty();
        let asks = (t.task_definition, (!unconstrained).then_some((t.owner, t.group)));
        if no_room.contains(&asks) {
            continue;
        }
        let request = Request { task_definition, group: t.group, strategies, constraints };
        let candidate = |i: &Instance| Pool::Provider(provider).contains(i);
        let placed = placement::place(world, candidate, &request, &mut ctx.streams.placement, false);
        match placed {
            Ok(decision) => {
                task::assign_instance(world, ctx, id, decision.instance);
                no_room.clear();
            }
            Err(_) => no_room.push(asks),
        }
    }
}
