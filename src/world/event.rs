//! The closed set of events, grouped by the domain that handles them. Events hold ids, never
//! references, and timers carry their target's generation (lazy cancellation).

use crate::capacity::Termination;
use crate::engine::Generation;
use crate::ids::{
    ActionId, FaultId, InstanceId, LaunchId, LoadBalancerId, ProviderId, RunTaskId, ScalableTargetId,
    ScheduledActionId, ServiceId, SourceId, TargetGroupId, TaskId, ZoneId,
};
use crate::task::Health;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// A task's current lifecycle step is over.
    Task(TaskStep),
    /// A container of a RUNNING task exits or changes health by itself.
    Container(ContainerEvent),
    Service(ServiceEvent),
    /// Instances, Auto Scaling groups, zones and Spot capacity.
    Capacity(CapacityEvent),
    /// A fault of the plan fires.
    Fault(FaultId),
    /// An operator action of the timeline happens.
    Action(ActionId),
    /// A `tasks:` entry calls RunTask.
    RunTask(RunTaskId),
    /// Requests, health checks and fluid steps.
    Traffic(TrafficEvent),
    /// Service auto scaling: the minute's metrics and alarms, scheduled actions.
    Scaling(ScalingEvent),
    /// Record a metrics row per service (runs after every change of its instant).
    Sample,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrafficEvent {
    /// The next request of a source reaches its load balancer.
    Arrival(SourceId),
    /// Requests at a target finish; stale unless `version` is the target's current one.
    Completion { task: TaskId, version: u32 },
    /// A target group's requests whose deadline has come time out (one timer per group, see
    /// `traffic::timeouts`).
    Timeouts(TargetGroupId),
    /// The load balancer health-checks a target (the chain stops when it is deregistered).
    Probe(TaskId),
    /// A span of a load balancer's fluid flows ends; stale unless its stamp is its clock's live
    /// one.
    FluidStep(LoadBalancerId, Generation),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalingEvent {
    /// A minute is over: publish its datapoints, evaluate alarms, apply policies (every 60 s
    /// from 60 s).
    Tick,
    /// A scheduled action of a scalable target runs.
    Scheduled { target: ScalableTargetId, action: ScheduledActionId },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TaskStep {
    pub task: TaskId,
    pub generation: Generation,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ContainerEvent {
    pub task: TaskId,
    pub generation: Generation,
    /// The container's index in the task definition.
    pub container: u16,
    pub change: ContainerChange,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContainerChange {
    /// The process exits with this code; `out_of_memory` when the kernel killed it.
    Exit { code: i32, out_of_memory: bool },
    /// Its health check result changed.
    Health(Health),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServiceEvent {
    /// Compare the service's tasks with its desired count and act.
    Reconcile(ServiceId),
    /// Retry after a placement failure (at most one is pending per service).
    RetryPlacement(ServiceId),
    /// Look again when a task will count as healthy or launches may resume (at most one is
    /// pending per service).
    Wake(ServiceId),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CapacityEvent {
    /// An instance an Auto Scaling group launched has booted: it registers (or the launch fails,
    /// its zone being down).
    LaunchDone(LaunchId),
    /// The group's health checks notice that an instance it counts is gone.
    LossNoticed(InstanceId),
    /// EC2 terminates the instance: a Spot notice ran out, the group gave up on an impaired
    /// instance, or a rebalancing drain is over. Dropped if the instance is gone already.
    Terminate { instance: InstanceId, cause: Termination },
    /// An operator's drain ends; stamped with the instance's generation at the drain.
    DrainEnds { instance: InstanceId, generation: Generation },
    /// A zone's outage ends (unless a later outage extended it).
    ZoneRecovers(ZoneId),
    /// A provider's Spot capacity can be had again (unless a later interruption extended it).
    SpotCapacityReturns(ProviderId),
    /// A Fargate Spot task's two-minute notice is over: it is gone whatever its state.
    SpotTaskReclaimed(TaskStep),
    /// A minute of a provider's managed scaling: ECS publishes CapacityProviderReservation and
    /// its target tracking acts on it.
    ManagedScalingTick(ProviderId),
}
