//! The event log's vocabulary: what happened, in ECS's own words where it has them.

use serde::Serialize;

use crate::engine::SimTime;

/// Kinds of logged events, in ECS's own vocabulary where it has one (EventBridge `eventName`s
/// and task state changes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EventKind {
    ContainerInstanceRegistered,
    /// A task moved to a new `lastStatus`.
    TaskStateChange,
    /// A task's `healthStatus` changed.
    TaskHealthChange,
    /// A non-essential container exited; its task keeps running.
    ContainerExited,
    /// The service scheduler started tasks.
    ServiceTasksStarted,
    /// The service scheduler stopped tasks (scale-in).
    ServiceTasksStopped,
    /// The desired count was changed (`update_service`).
    ServiceUpdated,
    /// Placements keep failing: retries are spaced out.
    ServiceTaskStartThrottled,
    /// Why a task went to its instance (`--explain-placement`).
    TaskPlacement,
    /// Standalone tasks were started with RunTask.
    RunTask,
    /// No instance could take a task.
    ServiceTaskPlacementFailure,
    ServiceSteadyState,
    /// A deployment started (EventBridge's `SERVICE_DEPLOYMENT_IN_PROGRESS`).
    ServiceDeploymentInProgress,
    ServiceDeploymentCompleted,
    /// The circuit breaker tripped.
    ServiceDeploymentFailed,
    /// After a failed deployment, a new one returns to the last completed task definition.
    ServiceDeploymentRolledBack,
    /// A blue/green, canary or linear deployment entered a lifecycle stage (status: ECS's
    /// `lifecycleStage`, e.g. `PRODUCTION_TRAFFIC_SHIFT`, `BAKE_TIME`, `CLEAN_UP`).
    ServiceDeploymentLifecycleStage,
    /// Production traffic moved between a service's two target groups.
    ServiceDeploymentTrafficShifted,
    /// The deployment configuration lets nothing stop or start.
    ServiceDeploymentBlocked,
    /// Availability Zone rebalancing began moving tasks (EventBridge's `SERVICE_REBALANCING_STARTED`).
    ServiceRebalancingStarted,
    ServiceRebalancingCompleted,
    FaultInjected,
    /// A container instance's status changed (DRAINING, ACTIVE, INACTIVE) or its agent
    /// disconnected.
    ContainerInstanceStateChange,
    /// An EC2 instance was terminated (or lost with its zone).
    InstanceTerminated,
    /// A two-minute Spot interruption notice, for an EC2 Spot instance or a Fargate Spot task.
    SpotInterruptionWarning,
    AzOutageStarted,
    AzOutageEnded,
    /// An Auto Scaling group began launching an instance (or the launch failed).
    AsgInstanceLaunched,
    /// A provider's Spot capacity cannot be had for a while.
    SpotCapacityUnavailable,
    /// A provider's Spot capacity can be had again.
    SpotCapacityAvailable,
    /// A service's task was registered with or deregistered from its target group.
    ServiceTargetsChanged,
    /// A target's health under its load balancer changed (initial, healthy, unhealthy).
    TargetHealthChange,
    /// An Auto Scaling group's desired capacity changed (managed scaling, a scaling policy), and why.
    AsgDesiredCapacityChanged,
    /// A CloudWatch alarm of a scaling policy changed state (OK, ALARM, INSUFFICIENT_DATA).
    AlarmStateChange,
    /// A scaling policy or scheduled action changed a service's desired count, saying why, or a
    /// scheduled action set a group's bounds (a group's new desired capacity is logged as
    /// `AsgDesiredCapacityChanged`, with the policy's reason).
    ScalingActivity,
    /// A policy wanted to scale but could not (at a capacity bound, scale-in suspended during a
    /// deployment); said once per change.
    ScalingBlocked,
}

/// One line of events.jsonl (written by [`LogEvent::line`]).
#[derive(Clone, Debug, PartialEq)]
pub struct LogEvent {
    /// Seconds since the start of the run.
    pub time: SimTime,
    pub kind: EventKind,
    pub service: Option<String>,
    pub task: Option<String>,
    pub instance: Option<String>,
    /// The Availability Zone an outage is about.
    pub zone: Option<String>,
    /// The capacity provider whose Spot capacity comes or goes.
    pub capacity_provider: Option<String>,
    /// The task's new status, for task state changes; the container instance's, for its state
    /// changes.
    pub status: Option<&'static str>,
    pub message: String,
}

impl LogEvent {
    /// The event as a line of events.jsonl: `time` in seconds, then, on a calendar, `time_utc`
    /// (the same instant as an ISO 8601 UTC timestamp), then the rest, absent fields left out.
    pub fn line<'a>(&'a self, time_utc: Option<&'a str>) -> impl Serialize + 'a {
        Line {
            time: self.time,
            time_utc,
            kind: self.kind,
            service: self.service.as_deref(),
            task: self.task.as_deref(),
            instance: self.instance.as_deref(),
            zone: self.zone.as_deref(),
            capacity_provider: self.capacity_provider.as_deref(),
            status: self.status,
            message: &self.message,
        }
    }
}

/// Without a calendar: the line of [`LogEvent::line`] with no `time_utc`.
impl Serialize for LogEvent {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.line(None).serialize(s)
    }
}

#[derive(Serialize)]
struct Line<'a> {
    #[serde(serialize_with = "seconds")]
    time: SimTime,
    #[serde(skip_serializing_if = "Option::is_none")]
    time_utc: Option<&'a str>,
    #[serde(rename = "type")]
    kind: EventKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    service: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    task: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    instance: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    zone: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    capacity_provider: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<&'static str>,
    message: &'a str,
}

/// Writes a time as seconds with millisecond precision (a fixed format, identical everywhere).
fn seconds<S: serde::Serializer>(t: &SimTime, s: S) -> Result<S::Ok, S::Error> {
    let ms = t.as_micros() / 1_000;
    s.serialize_f64((ms as f64) / 1_000.0)
}
