//! Typed ids: indexes into the world's arenas. Signatures say `InstanceId`, never `u32`, so an id of
//! one kind cannot be passed where another is expected.

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
    )*};
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
