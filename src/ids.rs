//! Typed ids: indexes into the world's arenas. Signatures say `InstanceId`, never `u32`, so an id of
//! one kind cannot be passed where another is expected.

use std::marker::PhantomData;

/// A typed index into an [`Arena`].
pub trait ArenaId: Copy {
    fn from_index(index: usize) -> Self;
    fn index(self) -> usize;
}

macro_rules! arena_id {
    ($(#[$doc:meta] $name:ident),* $(,)?) => {$(
        #[$doc]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(u32);

        impl $name {
            /// The id of the `index`-th entry of its arena.
            pub fn from_index(index: usize) -> Self {
                $name(u32::try_from(index).expect(concat!("more than u32::MAX ", stringify!($name), "s")))
            }

            pub fn index(self) -> usize {
                self.0 as usize
            }
        }

        impl ArenaId for $name {
            fn from_index(index: usize) -> Self {
                $name::from_index(index)
            }

            fn index(self) -> usize {
                $name::index(self)
            }
        }
    )*};
}

/// Plain positions, for what has no typed id (a task definition's containers, custom metrics).
impl ArenaId for usize {
    fn from_index(index: usize) -> Self {
        index
    }

    fn index(self) -> usize {
        self
    }
}

/// Entities of one kind indexed by their typed id: an entity's id is its position, ids are
/// handed out by [`Arena::push`] in order, and entities are never removed, so an id stays valid
/// for the whole run. The crate's domain tables (`task::Tasks`, `capacity::Instances`,
/// `service::Services`) are arenas with queries of their own; outside the crate they are
/// read-only.
#[derive(Clone, Debug)]
pub struct Arena<I, T> {
    items: Vec<T>,
    id: PhantomData<I>,
}

impl<I, T> Default for Arena<I, T> {
    fn default() -> Self {
        Arena { items: Vec::new(), id: PhantomData }
    }
}

impl<I: ArenaId, T> Arena<I, T> {
    /// The entity `id`.
    pub fn get(&self, id: I) -> &T {
        &self.items[id.index()]
    }

    pub(crate) fn get_mut(&mut self, id: I) -> &mut T {
        &mut self.items[id.index()]
    }

    /// Every entity, in id order.
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.items.iter()
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Every id, in order.
    pub fn ids(&self) -> impl Iterator<Item = I> {
        (0..self.items.len()).map(I::from_index)
    }

    /// The id the next entity pushed will get.
    pub(crate) fn next_id(&self) -> I {
        I::from_index(self.items.len())
    }

    /// Adds an entity; it gets the id returned ([`Arena::next_id`] before the push).
    pub(crate) fn push(&mut self, item: T) -> I {
        self.items.push(item);
        I::from_index(self.items.len() - 1)
    }
}

impl<'a, I, T> IntoIterator for &'a Arena<I, T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

arena_id! {
    /// An availability zone of the cluster, in the order the scenario lists them.
    ZoneId,
    /// A task definition.
    TaskDefId,
    /// A capacity provider (the built-in FARGATE and FARGATE_SPOT first).
    ProviderId,
    /// A container instance (an EC2 instance registered to the cluster).
    InstanceId,
    /// A task, ever created in the run (stopped tasks keep their id).
    TaskId,
    /// A service.
    ServiceId,
    /// A task group (`service:web`, `family:batch`): what spread and distinctInstance count.
    GroupId,
    /// A `tasks:` entry of the scenario (standalone tasks started with RunTask).
    RunTaskId,
    /// An EC2 instance launch an Auto Scaling group began during the run.
    LaunchId,
    /// An Application Load Balancer.
    LoadBalancerId,
    /// A target group, across all load balancers.
    TargetGroupId,
    /// A `traffic.sources` entry.
    SourceId,
    /// A `faults:` entry of the scenario.
    FaultId,
    /// An `actions:` entry of the scenario (an operator's call on the timeline).
    ActionId,
    /// A scalable target of Application Auto Scaling (a service's desired count or a group's desired capacity).
    ScalableTargetId,
    /// A scheduled action of its scalable target, in the target's order.
    ScheduledActionId,
    /// An `alarms:` entry of the scenario (a CloudWatch alarm of its own, which deployments watch).
    AlarmId,
}
