//! Bringing up the EC2 fleet of each Auto Scaling group at the start of a run.

use crate::catalog::InstanceType;
use crate::metrics::EventKind;
use crate::sim::ids::{InstanceId, ProviderId, ZoneId};
use crate::sim::{Ctx, World};

use super::{Instance, ProviderKind};

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
            register(world, ctx, provider, zone, asg.instance_type, asg.ecs_reserved_memory);
        }
    }
}

fn register(
    world: &mut World,
    ctx: &mut Ctx,
    provider: ProviderId,
    zone: ZoneId,
    itype: &'static InstanceType,
    reserved_memory: u32,
) {
    let id = InstanceId::from_index(world.instances.len());
    let instance = Instance::new(id, provider, itype, zone, reserved_memory, ctx.sched.now());
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
    world.instances.push(instance);
}
