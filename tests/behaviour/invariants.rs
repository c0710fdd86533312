//! Invariants of the scheduler under random faults and deployments, checked at every event over
//! many seeds: every task is in exactly one place, no instance is oversubscribed, a service never
//! runs more tasks than its maximum percent allows, and it returns to its desired count of
//! healthy tasks of its last deployment once the faults stop.

use crate::common::{scenario, Memory};
use ecsim::sim::{Simulation, World};
use ecsim::task::{Placement, TaskOwner, TaskStatus};

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
    for (i, svc) in world.services.iter().enumerate() {
        // The service's list holds exactly its tasks that are not STOPPED.
        let mine: Vec<_> = world
            .tasks
            .iter()
            .filter(|t| t.owner == TaskOwner::Service(ecsim::sim::ids::ServiceId::from_index(i)))
            .filter(|t| t.status != TaskStatus::Stopped)
            .map(|t| t.id)
            .collect();
        let mut listed = svc.tasks.clone();
        listed.sort();
        assert_eq!(listed, mine, "service {} lists exactly its unstopped tasks", svc.spec.name);
        // floor(6 × 150 / 100) = 9 tasks at most are not asked to stop.
        let live = svc.tasks.iter().filter(|t| world.tasks[t.index()].desired_running).count() as u32;
        assert!(live <= svc.spec.deployment.max_tasks(svc.desired_count), "{live} live tasks");
    }
    for instance in &world.instances {
        assert!(
            instance.reserved_cpu <= instance.registered_cpu && instance.reserved_memory <= instance.registered_memory
        );
        // An instance holds exactly the unstopped tasks placed on it.
        let mut held: Vec<_> = world
            .tasks
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
        let svc = &world.services[0];
        let running: Vec<_> = svc.tasks.iter().map(|t| &world.tasks[t.index()]).collect();
        assert_eq!(running.len(), 6, "seed {seed}: back to 6 tasks");
        assert!(
            running.iter().all(|t| t.status == TaskStatus::Running && t.deployment == svc.primary_index()),
            "seed {seed}: all RUNNING in the last deployment"
        );
        assert_eq!(svc.deployments.len(), 3, "seed {seed}");
    }
}
