//! Starting one task, for the service scheduler and RunTask alike: choose the capacity provider
//! (or launch type), then the instance or Fargate zone, then launch.

use crate::capacity::{choose_provider, Instance, ProviderKind, MAX_PROVISIONING_TASKS};
use crate::ids::{GroupId, InstanceId, ProviderId, TaskDefId, TaskId, ZoneId};
use crate::placement::{self, PlacementConstraint, PlacementStrategy, Request, Unplaced};
use crate::record::EventKind;
use crate::task::{self, NewTask, Placement, TaskOwner};
use crate::world::{Ctx, World};

use super::{CapacitySource, LaunchType};

/// Everything needed to start one task of an owner.
pub struct Launch<'a> {
    pub owner: TaskOwner,
    pub group: GroupId,
    pub task_definition: TaskDefId,
    /// The owner's deployment the task belongs to (0 for standalone tasks).
    pub deployment: u32,
    pub ordinal: u32,
    pub capacity: &'a CapacitySource,
    pub strategies: &'a [PlacementStrategy],
    pub constraints: &'a [PlacementConstraint],
    /// The owner's live tasks: how they are spread over providers and zones.
    pub peers: &'a [TaskId],
}

/// Launches the task (on the instance `only`, if given: a daemon's), or says why no instance
/// could take it.
pub fn start_task(
    world: &mut World,
    ctx: &mut Ctx,
    launch: &Launch,
    only: Option<InstanceId>,
) -> Result<TaskId, Unplaced> {
    let (provider, placement) = match launch.capacity {
        CapacitySource::LaunchType(LaunchType::Fargate) => (None, fargate(world, launch, None)?),
        CapacitySource::LaunchType(LaunchType::Ec2) => (None, on_instance(world, ctx, launch, Pool::Ec2, only)?),
        CapacitySource::LaunchType(LaunchType::External) => {
            (None, on_instance(world, ctx, launch, Pool::External, only)?)
        }
        CapacitySource::Strategy(items) => {
            let count_on = |p: ProviderId| peers_on(world, launch.peers, p);
            let provider = choose_provider(items, count_on).expect("validated strategies always yield a provider");
            let placement = match world.providers[provider.index()].kind {
                ProviderKind::Fargate => fargate(world, launch, None)?,
                ProviderKind::FargateSpot => fargate(world, launch, Some(provider))?,
                ProviderKind::AutoScalingGroup(ref asg) => {
                    let waits = asg.managed_scaling.is_some() && world.awaiting_capacity.len() < MAX_PROVISIONING_TASKS;
                    match on_instance(world, ctx, launch, Pool::Provider(provider), only) {
                        Err(_) if waits => Placement::AwaitingCapacity(provider),
                        placed => placed?,
                    }
                }
            };
            (Some(provider), placement)
        }
    };
    let new = NewTask {
        owner: launch.owner,
        group: launch.group,
        task_definition: launch.task_definition,
        ordinal: launch.ordinal,
        deployment: launch.deployment,
    };
    Ok(task::launch(world, ctx, new, provider, placement))
}

fn peers_on(world: &World, peers: &[TaskId], provider: ProviderId) -> u32 {
    world.tasks.of(peers).filter(|t| t.desired_running && t.provider == Some(provider)).count() as u32
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
    pool: Pool,
    only: Option<InstanceId>,
) -> Result<Placement, Unplaced> {
    let request = Request {
        task_definition: world.task_definition(launch.task_definition),
        group: launch.group,
        strategies: launch.strategies,
        constraints: launch.constraints,
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
fn fargate(world: &World, launch: &Launch, spot: Option<ProviderId>) -> Result<Placement, Unplaced> {
    if spot.is_some_and(|p| world.fleet.is_spot_unavailable(p)) {
        return Err(Unplaced::NoFargateCapacity);
    }
    let in_zone = |z: ZoneId| {
        launch
            .peers
            .iter()
            .map(|t| world.tasks.get(*t))
            .filter(|t| t.desired_running && matches!(t.placement, Placement::Fargate { zone, .. } if zone == z))
            .count()
    };
    let zone = (0..world.zones.len())
        .map(ZoneId::from_index)
        .filter(|z| !world.fleet.is_zone_down(*z))
        .min_by_key(|z| (in_zone(*z), *z))
        .ok_or(Unplaced::NoFargateCapacity)?;
    Ok(Placement::Fargate { zone, spot: spot.is_some() })
}

/// Capacity was freed on `provider`: tasks waiting for it in PROVISIONING are placed, oldest first,
/// with their owner's placement rules, as long as they fit.
pub fn place_awaiting(world: &mut World, ctx: &mut Ctx, provider: ProviderId) {
    let waiting: Vec<TaskId> = world
        .awaiting_capacity
        .iter()
        .copied()
        .filter(|t| world.tasks.get(*t).placement == Placement::AwaitingCapacity(provider))
        .collect();
    for id in waiting {
        let t = world.tasks.get(id);
        let (strategies, constraints) = match t.owner {
            TaskOwner::Service(s) => {
                let spec = &world.services.get(s).spec;
                (spec.placement_strategy.clone(), spec.placement_constraints.clone())
            }
            TaskOwner::Standalone(r) => {
                let spec = &world.run_tasks[r.index()].spec;
                (spec.placement_strategy.clone(), spec.placement_constraints.clone())
            }
        };
        let request = Request {
            task_definition: world.task_definition(t.task_definition),
            group: t.group,
            strategies: &strategies,
            constraints: &constraints,
        };
        let candidate = |i: &Instance| Pool::Provider(provider).contains(i);
        if let Ok(decision) = placement::place(world, candidate, &request, &mut ctx.streams.placement, false) {
            task::assign_instance(world, ctx, id, decision.instance);
        }
    }
}
