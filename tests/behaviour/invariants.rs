//! Invariants of the scheduler under random faults and deployments, checked at every event over
//! many seeds: every task is in exactly one place, no instance is oversubscribed, a service never
//! runs more tasks than its maximum percent allows, and it returns to its desired count of
//! healthy tasks of its last deployment once the faults stop.

use crate::common::{scenario, Memory};
use ecsim::ids::ServiceId;
use ecsim::sim::Simulation;
use ecsim::task::{Placement, TaskOwner, TaskStatus};
use ecsim::world::World;

/// Six tasks on three m5.large; random crashes, stops and out-of-memory kills for 40 minutes,
/// with a deployment at 10 min and another at 25 min, then calm until 1 h.
fn chaos(seed: u64) -> String {
    format!(
        r#"
seed: {seed}
duration: 1h
zones: [us-east-1a, us-east-1b, us-east-1c]
task_definitions:
  v1: {{ container_definitions: [{{ name: app, image: app:1, cpu: 512, memory: 512, stop_time: 5s,
        health_check: {{ command: [CMD, check], interval: 5s, retries: 2 }},
        behaviour: {{ ready_after: {{ uniform: {{ min: 1s, max: 20s }} }} }} }}] }}
  v2: {{ container_definitions: [{{ name: app, image: app:2, cpu: 512, memory: 512, stop_time: 5s,
        behaviour: {{ memory: {{ baseline: 400, growth_per_hour: 300 }} }} }}] }}
capacity_providers:
  ec2: {{ auto_scaling_group: {{ instance_type: m5.large, desired_capacity: 3 }} }}
services:
  web:
    task_definition: v1
    desired_count: 6
    capacity_provider_strategy: [{{ capacity_provider: ec2 }}]
    deployment_configuration: {{ minimum_healthy_percent: 50, maximum_percent: 150 }}
actions:
  - {{ at: 10m, deploy: {{ service: web, task_definition: v2 }} }}
  - {{ at: 25m, deploy: {{ service: web, task_definition: v1 }} }}
faults:
  - {{ every: {{ exponential: {{ mean: 3m }} }}, until: 40m, crash_tasks: {{ service: web }} }}
  - {{ every: {{ exponential: {{ mean: 5m }} }}, until: 40m, stop_tasks: {{ service: web, count: 2 }} }}
"#
    )
}

fn check_invariants(world: &World) {
    for (i, svc) in world.services().iter().enumerate() {
        // The service's list holds exactly its tasks that are not STOPPED.
        let mine: Vec<_> = world
            .tasks()
            .iter()
            .filter(|t| t.owner == TaskOwner::Service(ecsim::ids::ServiceId::from_index(i)))
            .filter(|t| t.status != TaskStatus::Stopped)
            .map(|t| t.id)
            .collect();
        let mut listed = svc.tasks.clone();
        listed.sort();
        assert_eq!(listed, mine, "service {} lists exactly its unstopped tasks", svc.spec.name);
        // floor(6 × 150 / 100) = 9 tasks at most are not asked to stop.
        let live = world.tasks().live(&svc.tasks).count() as u32;
        assert!(live <= svc.spec.deployment.max_tasks(svc.desired_count), "{live} live tasks");
    }
    for instance in world.instances() {
        assert!(
            instance.reserved_cpu <= instance.registered_cpu && instance.reserved_memory <= instance.registered_memory
        );
        // An instance holds exactly the unstopped tasks placed on it.
        let mut held: Vec<_> = world
            .tasks()
            .iter()
            .filter(|t| t.status != TaskStatus::Stopped && t.placement == Placement::Instance(instance.id))
            .map(|t| t.id)
            .collect();
        let mut on = instance.tasks.clone();
        held.sort();
        on.sort();
        assert_eq!(on, held);
    }
}

#[test]
fn under_random_faults_and_deployments_the_service_heals_to_its_last_deployment() {
    for seed in 1..=12 {
        let scenario = scenario(&chaos(seed));
        let mut memory = Memory::default();
        let mut sim = Simulation::new(&scenario, &mut memory, false);
        while sim.step().is_some() {
            check_invariants(sim.world());
        }
        let world = sim.world();
        let svc = world.services().get(ServiceId::from_index(0));
        let running: Vec<_> = world.tasks().of(&svc.tasks).collect();
        assert_eq!(running.len(), 6, "seed {seed}: back to 6 tasks");
        assert!(
            running.iter().all(|t| t.status == TaskStatus::Running && t.deployment == svc.primary_index()),
            "seed {seed}: all RUNNING in the last deployment"
        );
        assert_eq!(svc.deployments.len(), 3, "seed {seed}");
    }
}

/// A service on a load that wanders (noise around a step up and down), tracking 60 % CPU, on a
/// managed-scaling group of m5.large; tasks crash and an instance is terminated now and then
/// for 50 minutes, then calm until 1h30.
fn scaling_chaos(seed: u64) -> String {
    format!(
        r#"
seed: {seed}
duration: 90m
zones: [us-east-1a, us-east-1b]
task_definitions:
  t: {{ cpu: 1024, memory: 1024, container_definitions: [{{ name: app, image: app, stop_time: 2s }}] }}
capacity_providers:
  ec2:
    auto_scaling_group: {{ instance_type: m5.large, min_size: 1, max_size: 10, desired_capacity: 2 }}
    managed_scaling: {{ instance_warmup_period: 60s }}
    managed_termination_protection: enabled
services:
  web:
    task_definition: t
    desired_count: 3
    capacity_provider_strategy: [{{ capacity_provider: ec2 }}]
    load: {{ cpu: {{ noise: {{ of: {{ spike: {{ base: 1500, peak: 9000, at: 10m, hold: 25m }} }}, relative: 0.3 }} }} }}
    autoscaling:
      min_capacity: 2
      max_capacity: 14
      target_tracking: [{{ metric: cpu, target: 60, scale_in_cooldown: 120s, scale_out_cooldown: 60s }}]
faults:
  - {{ every: {{ exponential: {{ mean: 4m }} }}, until: 50m, crash_tasks: {{ service: web }} }}
  - {{ every: {{ exponential: {{ mean: 15m }} }}, until: 50m, terminate_instances: {{ provider: ec2, count: 1 }} }}
"#
    )
}

#[test]
fn while_both_layers_scale_through_faults_nothing_is_oversubscribed_and_bounds_hold() {
    for seed in 1..=8 {
        let scenario = scenario(&scaling_chaos(seed));
        let mut memory = Memory::default();
        let mut sim = Simulation::new(&scenario, &mut memory, false);
        let mut peak = 0;
        while sim.step().is_some() {
            let world = sim.world();
            check_invariants(world);
            let desired = world.services().get(ServiceId::from_index(0)).desired_count;
            assert!((2..=14).contains(&desired), "seed {seed}: desired {desired} outside [2, 14]");
            let group = world.providers().iter().find_map(|p| p.auto_scaling_group()).unwrap();
            assert!((1..=10).contains(&group.desired_capacity), "seed {seed}: group at {}", group.desired_capacity);
            peak = peak.max(desired);
        }
        let world = sim.world();
        let svc = world.services().get(ServiceId::from_index(0));
        assert!(peak > 3, "seed {seed}: the spike scaled the service out (peak {peak})");
        // Calm for 40 minutes at 1,500 CPU units: ceil(1500 / (1024 × 0.6)) = 3 tasks would hold
        // 60 %; whatever the count, every task the service wants is RUNNING.
        let running = world.tasks().of(&svc.tasks).filter(|t| t.status == TaskStatus::Running).count();
        assert_eq!(running as u32, svc.desired_count, "seed {seed}: converged to its desired count");
    }
}
