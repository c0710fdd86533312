//! A run's world and streams, built from a validated scenario: the one place where the scenario's
//! lists become the world's arenas (a `ServiceId` is a service's index in `scenario.services`,
//! and so on), so that the domains below never read a `Scenario`.

use crate::autoscaling::Autoscaling;
use crate::scenario::Scenario;
use crate::traffic::{Traffic, TrafficSetup};
use crate::world::{StreamCounts, Streams, World};

/// The world before anything has happened: no instances, no tasks.
pub fn world_of(scenario: &Scenario) -> World {
    let traffic = Traffic::new(TrafficSetup {
        spec: scenario.traffic.clone(),
        load_balancers: scenario.load_balancers.clone(),
        target_groups: scenario.target_groups.clone(),
        services: scenario.services.len(),
        zones: scenario.zones.len(),
        seed: scenario.seed,
        speeds: scenario.speeds.clone(),
    });
    let names: Vec<&str> = scenario.services.iter().map(|s| s.name.as_str()).collect();
    let providers: Vec<&str> = scenario.capacity_providers.iter().map(|p| p.name.as_str()).collect();
    let autoscaling = Autoscaling::new(&scenario.autoscaling, &names, &providers, scenario.seed);
    let mut world = World::new(
        scenario.zones.clone(),
        scenario.task_definitions.clone(),
        scenario.capacity_providers.clone(),
        traffic,
        autoscaling,
    );
    for spec in &scenario.services {
        world.add_service(spec.clone());
    }
    for spec in &scenario.run_tasks {
        world.add_run_task(spec.clone());
    }
    world
}

/// The run's random streams, from its seed.
pub fn streams_of(scenario: &Scenario) -> Streams {
    let counts = StreamCounts {
        services: scenario.services.len(),
        run_tasks: scenario.run_tasks.len(),
        faults: scenario.faults.len(),
        providers: scenario.capacity_providers.len(),
        sources: scenario.traffic.sources.len(),
        target_groups: scenario.target_groups.len(),
        load_balancers: scenario.load_balancers.len(),
    };
    Streams::new(scenario.seed, &counts)
}
