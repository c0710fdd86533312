//! What must hold after every event of every run, checked in debug builds (so on every test and
//! lab that `cargo test` runs) and compiled out of release builds:
//! - every task is in one place: a service lists exactly its tasks that are not STOPPED, and an
//!   instance holds exactly the unstopped tasks placed on it;
//! - no container instance is oversubscribed: what its tasks reserve is within what it registers;
//! - each Auto Scaling group's census (instances in service and launches booting per zone, and
//!   their mix) equals a recount of the fleet ([`crate::capacity::census_drift`]);
//! - each service's live-task counts per provider and Fargate zone equal a recount of its tasks
//!   ([`crate::service::peer_drift`]);
//! - (in `metrics::sample`) every metrics row is finite: no NaN or infinity reaches a number a
//!   user reads.
//!
//! A violation is a bug in ecsim, never a user's mistake: it panics naming the event and instant.
//! Request arrivals, completions and timeouts change no task, instance or service, so the checks
//! are skipped after them (the cost stays linear in the events that do change something).

use crate::engine::SimTime;
use crate::ids::ServiceId;
use crate::task::{Placement, TaskOwner, TaskStatus};
use crate::world::event::TrafficEvent;
use crate::world::{Event, World};

/// Whether `event` may change what [`check`] looks at.
pub(super) fn worth_checking(event: &Event) -> bool {
    !matches!(
        event,
        Event::Traffic(TrafficEvent::Arrival(_) | TrafficEvent::Completion { .. } | TrafficEvent::Timeouts(_))
    )
}

/// Panics with what broke if the world after `event` at `now` breaks an invariant.
pub(super) fn check(world: &World, event: &Event, now: SimTime) {
    if let Err(broken) = broken(world) {
        panic!("ecsim invariant broken after {event:?} at {now}: {broken}");
    }
}

fn broken(world: &World) -> Result<(), String> {
    let services = world.services();
    let mut listed: Vec<Vec<_>> = services.iter().map(|s| s.tasks.clone()).collect();
    let mut owned: Vec<Vec<_>> = vec![Vec::new(); services.len()];
    let instances = world.instances();
    let mut held: Vec<Vec<_>> = vec![Vec::new(); instances.len()];
    for task in world.tasks().iter().filter(|t| t.status != TaskStatus::Stopped) {
        if let TaskOwner::Service(s) = task.owner {
            owned[s.index()].push(task.id);
        }
        if let Placement::Instance(i) = task.placement {
            held[i.index()].push(task.id);
        }
    }
    for (i, (listed, owned)) in listed.iter_mut().zip(&mut owned).enumerate() {
        listed.sort();
        owned.sort();
        if listed != owned {
            let name = &services.get(ServiceId::from_index(i)).spec.name;
            return Err(format!("service {name} lists {listed:?}, but its unstopped tasks are {owned:?}"));
        }
    }
    for (instance, held) in instances.iter().zip(&mut held) {
        if instance.reserved_cpu > instance.registered_cpu || instance.reserved_memory > instance.registered_memory {
            return Err(format!(
                "instance {:?} reserves {} CPU units and {} MiB of {} and {}",
                instance.id,
                instance.reserved_cpu,
                instance.reserved_memory,
                instance.registered_cpu,
                instance.registered_memory
            ));
        }
        let mut on = instance.tasks.clone();
        on.sort();
        held.sort();
        if on != *held {
            return Err(format!("instance {:?} lists {on:?}, but the tasks placed on it are {held:?}", instance.id));
        }
    }
    crate::capacity::census_drift(world)?;
    crate::service::peer_drift(world)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{LogEvent, MetricsRow, Recorder};
    use crate::sim::Harness;

    struct Nothing;
    impl Recorder for Nothing {
        fn event(&mut self, _: &LogEvent) {}
        fn row(&mut self, _: &MetricsRow) {}
    }

    #[test]
    fn a_task_listed_twice_or_an_oversubscribed_instance_is_caught() {
        let yaml = include_str!("../../scenarios/quickstart.yaml");
        let scenario = crate::scenario::load_str(yaml, "quickstart.yaml", "quickstart").unwrap();
        let mut h = Harness::new(&scenario, Nothing).with_initial_fleet(&scenario);
        assert_eq!(broken(&h.world), Ok(()));
        let instance = h.world.instances.iter().next().unwrap().id;
        h.world.instances.get_mut(instance).reserved_cpu = u32::MAX;
        assert!(broken(&h.world).unwrap_err().contains("reserves 4294967295 CPU units"));
        h.world.instances.get_mut(instance).reserved_cpu = 0;
        h.world.services.get_mut(ServiceId::from_index(0)).tasks.push(crate::ids::TaskId::from_index(0));
        assert!(broken(&h.world).unwrap_err().contains("lists [TaskId(0)], but its unstopped tasks are []"));
    }
}
