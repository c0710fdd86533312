//! Bringing up the EC2 fleet of each Auto Scaling group at the start of a run.

use std::collections::BTreeMap;

use crate::catalog::InstanceType;
use crate::metrics::EventKind;
use crate::placement::AZ_ATTRIBUTE;
use crate::sim::ids::{InstanceId, ProviderId, ZoneId};
use crate::sim::{Ctx, World};

use super::{AutoScalingGroup, Instance, ProviderKind};

/// Registers every group's desired instances at `now`, balanced over the group's zones as an
/// Auto Scaling group launches them: each into the zone with the fewest of the group's
/// instances, ties to the zone listed first.
pub fn launch_initial_fleet(world: &mut World, ctx: &mut Ctx) {
    for p in 0..world.providers.len() {
        let ProviderKind::AutoScalingGroup(asg) = &world.providers[p].kind else { continue };
        let asg = asg.clone();
        let provider = ProviderId::from_index(p);
        for _ in 0..asg.desired_capacity {
            let zone = *asg
                .zones
                .iter()
                .min_by_key(|z| {
                    (world.instances.iter().filter(|i| i.provider == provider && i.zone == **z).count(), **z)
                })
                .expect("validation guarantees a group has zones");
            register(world, ctx, provider, zone, &asg);
        }
    }
}

/// The attributes an instance registers with: ECS's built-in ones, then the group's custom ones.
fn attributes(itype: &InstanceType, zone: &str, asg: &AutoScalingGroup) -> BTreeMap<String, String> {
    let mut attributes = BTreeMap::from([
        (AZ_ATTRIBUTE.to_string(), zone.to_string()),
        ("ecs.instance-type".to_string(), itype.name.to_string()),
        ("ecs.os-type".to_string(), "linux".to_string()),
        ("ecs.os-family".to_string(), "LINUX".to_string()),
        ("ecs.cpu-architecture".to_string(), itype.architecture.as_str().to_string()),
    ]);
    attributes.extend(asg.attributes.clone());
    attributes
}

fn register(world: &mut World, ctx: &mut Ctx, provider: ProviderId, zone: ZoneId, asg: &AutoScalingGroup) {
    let id = InstanceId::from_index(world.instances.len());
    let itype = asg.instance_type;
    let attributes = attributes(itype, &world.zones[zone.index()], asg);
    let settings = (asg.ecs_reserved_memory, asg.eni_trunking);
    let instance = Instance::new(id, provider, itype, zone, settings, attributes, ctx.sched.now());
    let message = format!(
        "container instance {} ({}, {}) registered with {} CPU units and {} MiB of memory (capacity provider {}).",
        instance.label(),
        itype.name,
        world.zones[zone.index()],
        instance.registered_cpu,
        instance.registered_memory,
        world.providers[provider.index()].name
    );
    ctx.log(EventKind::ContainerInstanceRegistered).instance(instance.label()).message(message).emit();
    world.register_instance(instance);
}
