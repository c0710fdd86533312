//! ECS's wording of the service scheduler's events and of the stopped reasons it gives
//! (aws-behaviour.md §6; "service X has reached a steady state." and its siblings, as ECS's
//! service event messages say them, where ECS has a message; ecsim's own sentence in the same
//! voice where it has none, such as a deployment's start or rollback).
//!
//! Contract: every function here is pure — names, counts and labels in, one sentence out — so
//! the scheduler decides *when* something is said and this file alone decides *how*. Task labels
//! are given bare (`web-3`) and worded `(task web-3)`.

use crate::ids::InstanceId;
use crate::placement::{describe_failure, Unplaced};

use super::tasks::StopCause;
use super::{DeploymentConfiguration, DeploymentStrategy};

/// `update_service` changed the desired count.
pub fn desired_count_changed(service: &str, from: u32, to: u32) -> String {
    format!("service {service} desired count changed from {from} to {to}.")
}

/// A new primary deployment of `new_family` replaces the one of `old_family`, worded with the
/// bounds its strategy rolls within.
pub fn deployment_started(
    service: &str,
    deployment: &str,
    new_family: &str,
    old_family: &str,
    config: &DeploymentConfiguration,
) -> String {
    let minutes = |d: crate::engine::SimDuration| d.as_secs_f64() / 60.0;
    let bake = minutes(config.bake_time);
    let bounds = match config.strategy {
        DeploymentStrategy::Rolling => format!(
            "minimumHealthyPercent {}, maximumPercent {}",
            config.minimum_healthy_percent, config.maximum_percent
        ),
        DeploymentStrategy::BlueGreen => format!("BLUE_GREEN, bake time {bake} min"),
        DeploymentStrategy::Canary { percent, bake_time } => {
            format!("CANARY {percent:.1}% for {} min, bake time {bake} min", minutes(bake_time))
        }
        DeploymentStrategy::Linear { step_percent, step_bake_time } => {
            format!("LINEAR {step_percent:.1}% every {} min, bake time {bake} min", minutes(step_bake_time))
        }
    };
    format!("service {service} deployment {deployment} started: task definition {new_family} replaces {old_family} ({bounds}).")
}

fn task_list(labels: &[String]) -> String {
    labels.iter().map(|l| format!("(task {l})")).collect::<Vec<_>>().join(" ")
}

pub fn tasks_started(service: &str, labels: &[String]) -> String {
    format!("service {service} has started {} tasks: {}.", labels.len(), task_list(labels))
}

/// The run starts from a describe-services snapshot's counts.
pub fn from_snapshot(service: &str, running: u32, pending: u32) -> String {
    format!("service {service} starts the run from its snapshot: {running} tasks RUNNING, {pending} PENDING.")
}

/// Only `placed` of a snapshot's `running` tasks found room at time 0.
pub fn snapshot_short(service: &str, placed: u32, running: u32) -> String {
    let left = running - placed;
    format!(
        "service {service} could place only {placed} of its snapshot's {running} running tasks at time 0; the other \
         {left} are not carried over, and the scheduler starts what the desired count still needs."
    )
}

pub fn tasks_stopped(service: &str, labels: &[String]) -> String {
    format!("service {service} has stopped {} running tasks: {}.", labels.len(), task_list(labels))
}

/// The stopped reason a task gets for `cause`, during the primary deployment `deployment`.
pub fn stopped_reason(cause: StopCause, deployment: &str) -> String {
    match cause {
        StopCause::ScaleIn | StopCause::Deployment => {
            format!("Scaling activity initiated by (deployment {deployment})")
        }
        StopCause::Draining => "Container instance is draining".to_string(),
        StopCause::Unhealthy => "Task failed container health checks".to_string(),
        StopCause::Rebalancing => "Availability Zone rebalancing".to_string(),
    }
}

/// The stopped reason of a task replaced because its load balancer target is unhealthy.
pub fn failed_elb_health_checks(target_group: &str) -> String {
    format!("Task failed ELB health checks in (target-group {target_group})")
}

/// The deployment's own bounds stop it: nothing may start and nothing may stop.
pub fn deployment_blocked(service: &str) -> String {
    format!(
        "service {service} was unable to stop or start tasks during a deployment because of the service deployment \
         configuration. Update the minimumHealthyPercent or maximumPercent value and try again."
    )
}

/// A task could not be placed, and why; `label_of` names the closest matching instance.
pub fn unable_to_place(service: &str, why: &Unplaced, label_of: impl Fn(InstanceId) -> String) -> String {
    match why {
        Unplaced::NoInstances => {
            format!(
                "service {service} was unable to place a task. Reason: No Container Instances were found in your \
                 cluster."
            )
        }
        Unplaced::NoFargateCapacity => format!(
            "service {service} was unable to place a task. Reason: Capacity is unavailable at this time. Please try \
             again later or in a different availability zone."
        ),
        Unplaced::Rejected { closest, reason, counts } => format!(
            "service {service} was unable to place a task because no container instance met all of its requirements. \
             The closest matching container-instance {} {} {}",
            label_of(*closest),
            reason.sentence(),
            describe_failure(counts)
        ),
    }
}

/// Launch throttling: the gap between attempts has started to grow.
pub fn unable_to_consistently_start(service: &str) -> String {
    format!("service {service} is unable to consistently start tasks successfully.")
}

/// The circuit breaker tripped: `failures` reached `threshold`, counted in its second stage once
/// a task of the deployment had run.
pub fn deployment_failed(service: &str, deployment: &str, any_running: bool, failures: u32, threshold: u32) -> String {
    let stage = if any_running { "tasks failed health checks or exited" } else { "tasks failed to start" };
    format!(
        "service {service} (deployment {deployment}) deployment failed: {stage} ({failures} failures, threshold \
         {threshold})."
    )
}

pub fn no_rollback_target(service: &str, failed: &str) -> String {
    format!("service {service} has no completed deployment to roll back to: {failed} stays FAILED.")
}

/// Deployment `new` rolls `failed` back to the task definition `family` of deployment `target`.
pub fn rolled_back(service: &str, failed: &str, new: &str, family: &str, target: &str) -> String {
    format!("service {service} deployment {failed} rolled back: deployment {new} returns to task definition {family} of deployment {target}.")
}

/// A traffic-shifting deployment enters a lifecycle stage.
pub fn stage(service: &str, deployment: &str, stage: &str, detail: &str) -> String {
    format!("service {service} deployment {deployment} entered {stage}: {detail}.")
}

/// Production traffic moved: `percent` of it is now on `to`.
pub fn traffic_shifted(service: &str, deployment: &str, percent: f64, to: &str, from: &str) -> String {
    format!(
        "service {service} deployment {deployment} shifted production traffic: {percent:.1}% to target group {to}, \
         {:.1}% to {from}.",
        100.0 - percent
    )
}

/// A deployment alarm went to ALARM while the deployment was in progress.
pub fn alarm_failed(service: &str, deployment: &str, alarm: &str) -> String {
    format!("service {service} (deployment {deployment}) deployment failed: alarm {alarm} is in ALARM.")
}

pub fn deployment_completed(service: &str, deployment: &str) -> String {
    format!("service {service} (deployment {deployment}) deployment completed.")
}

pub fn steady_state(service: &str) -> String {
    format!("service {service} has reached a steady state.")
}

pub fn rebalancing_started(service: &str) -> String {
    format!("service {service} has started rebalancing tasks across availability zones.")
}

pub fn rebalancing_finished(service: &str) -> String {
    format!("service {service} has finished rebalancing tasks across availability zones.")
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::placement::Rejection;

    #[test]
    fn task_events_list_each_task_in_parentheses() {
        let labels = ["web-1".to_string(), "web-2".to_string()];
        assert_eq!(tasks_started("web", &labels), "service web has started 2 tasks: (task web-1) (task web-2).");
        assert_eq!(tasks_stopped("web", &labels[..1]), "service web has stopped 1 running tasks: (task web-1).");
    }

    #[test]
    fn a_rolling_deployment_names_its_bounds() {
        let config = DeploymentConfiguration::default_for(crate::service::SchedulingStrategy::Replica);
        assert_eq!(
            deployment_started("web", "ecs-svc/2", "v2", "v1", &config),
            "service web deployment ecs-svc/2 started: task definition v2 replaces v1 (minimumHealthyPercent 100, \
             maximumPercent 200)."
        );
    }

    #[test]
    fn stopped_reasons_are_ecss() {
        assert_eq!(
            stopped_reason(StopCause::ScaleIn, "ecs-svc/1"),
            "Scaling activity initiated by (deployment ecs-svc/1)"
        );
        assert_eq!(
            stopped_reason(StopCause::Deployment, "ecs-svc/2"),
            "Scaling activity initiated by (deployment ecs-svc/2)"
        );
        assert_eq!(stopped_reason(StopCause::Draining, "x"), "Container instance is draining");
        assert_eq!(stopped_reason(StopCause::Unhealthy, "x"), "Task failed container health checks");
        assert_eq!(stopped_reason(StopCause::Rebalancing, "x"), "Availability Zone rebalancing");
    }

    #[test]
    fn placement_failures_say_why() {
        let none = |_: InstanceId| -> String { unreachable!("no instance to name") };
        assert_eq!(
            unable_to_place("web", &Unplaced::NoInstances, none),
            "service web was unable to place a task. Reason: No Container Instances were found in your cluster."
        );
        assert!(unable_to_place("web", &Unplaced::NoFargateCapacity, none).ends_with(
            "Reason: Capacity is unavailable at this time. Please try again later or in a different availability zone."
        ));
        let rejected = Unplaced::Rejected {
            closest: InstanceId::from_index(0),
            reason: Rejection::Memory,
            counts: BTreeMap::from([(Rejection::Memory, 2)]),
        };
        let message = unable_to_place("web", &rejected, |_| "i-00001".to_string());
        assert!(
            message.starts_with(
                "service web was unable to place a task because no container instance met all of its requirements. \
                 The closest matching container-instance i-00001 has insufficient memory available. Instances "
            ),
            "{message}"
        );
    }

    #[test]
    fn the_breaker_names_its_stage() {
        assert_eq!(
            deployment_failed("web", "ecs-svc/2", false, 3, 3),
            "service web (deployment ecs-svc/2) deployment failed: tasks failed to start (3 failures, threshold 3)."
        );
        assert!(deployment_failed("web", "ecs-svc/2", true, 5, 5).contains("tasks failed health checks or exited (5"));
        assert_eq!(
            rolled_back("web", "ecs-svc/2", "ecs-svc/3", "v1", "ecs-svc/1"),
            "service web deployment ecs-svc/2 rolled back: deployment ecs-svc/3 returns to task definition v1 of \
             deployment ecs-svc/1."
        );
    }

    #[test]
    fn ecss_service_event_messages() {
        assert_eq!(steady_state("web"), "service web has reached a steady state.");
        assert_eq!(
            unable_to_consistently_start("web"),
            "service web is unable to consistently start tasks successfully."
        );
        assert_eq!(desired_count_changed("web", 2, 4), "service web desired count changed from 2 to 4.");
        assert_eq!(
            deployment_completed("web", "ecs-svc/1"),
            "service web (deployment ecs-svc/1) deployment completed."
        );
        assert!(
            deployment_blocked("web").starts_with("service web was unable to stop or start tasks during a deployment")
        );
    }
}
