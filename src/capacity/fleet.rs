//! Bringing up the cluster's instances at the start of a run: each Auto Scaling group's desired
//! EC2 instances, and the external (ECS Anywhere) fleets.

use std::collections::BTreeMap;

use crate::catalog::CpuArchitecture;
use crate::metrics::EventKind;
use crate::placement::AZ_ATTRIBUTE;
use crate::sim::ids::{InstanceId, ProviderId, ZoneId};
use crate::sim::{Ctx, World};

use super::{AutoScalingGroup, Instance, ProviderKind};

/// A fleet of external (ECS Anywhere) instances: on-premises or other-cloud machines registered
/// to the cluster, with no Auto Scaling group and no availability zone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExternalFleet {
    pub name: String,
    pub count: u32,
    /// CPU units and MiB each instance registers.
    pub cpu: u32,
    pub memory: u32,
    pub architecture: CpuArchitecture,
    /// Custom attributes each instance registers with.
    pub attributes: BTreeMap<String, String>,
}

/// Registers every group's desired instances at time zero, balanced over the group's zones as an
/// Auto Scaling group launches them (each into the zone with the fewest of the group's
/// instances, ties to the zone listed first), then the external fleets.
pub fn launch_initial_fleet(world: &mut World, ctx: &mut Ctx, external: &[ExternalFleet]) {
    for p in 0..world.providers.len() {
        let ProviderKind::AutoScalingGroup(asg) = &world.providers[p].kind else { continue };
        let asg = asg.clone();
        let provider = ProviderId::from_index(p);
        for _ in 0..asg.desired_capacity {
            let in_zone = |z: ZoneId| {
                world.instances.iter().filter(|i| i.provider == Some(provider) && i.zone == Some(z)).count()
            };
            let zone =
                *asg.zones.iter().min_by_key(|z| (in_zone(**z), **z)).expect("validation guarantees a group has zones");
            register_ec2(world, ctx, provider, zone, &asg);
        }
    }
    for fleet in external {
        for _ in 0..fleet.count {
            register_external(world, ctx, fleet);
        }
    }
}

/// The attributes every instance registers with: ECS's built-in ones, then custom ones.
fn attributes(builtin: &[(&str, &str)], custom: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    let mut attributes: BTreeMap<String, String> =
        builtin.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    attributes.insert("ecs.os-type".to_string(), "linux".to_string());
    attributes.insert("ecs.os-family".to_string(), "LINUX".to_string());
    attributes.extend(custom.clone());
    attributes
}

fn register_ec2(world: &mut World, ctx: &mut Ctx, provider: ProviderId, zone: ZoneId, asg: &AutoScalingGroup) {
    let id = InstanceId::from_index(world.instances.len());
    let itype = asg.instance_type;
    let builtin = [
        (AZ_ATTRIBUTE, world.zones[zone.index()].as_str()),
        ("ecs.instance-type", itype.name),
        ("ecs.cpu-architecture", itype.architecture.as_str()),
    ];
    let attributes = attributes(&builtin, &asg.attributes);
    let settings = (asg.ecs_reserved_memory, asg.eni_trunking);
    let instance = Instance::ec2(id, (provider, zone), itype, settings, attributes, ctx.sched.now());
    let detail = format!(
        "({}, {}) registered with {} CPU units and {} MiB of memory (capacity provider {})",
        itype.name,
        world.zones[zone.index()],
        instance.registered_cpu,
        instance.registered_memory,
        world.providers[provider.index()].name
    );
    log_registration(ctx, &instance, &detail);
    world.register_instance(instance);
}

fn register_external(world: &mut World, ctx: &mut Ctx, fleet: &ExternalFleet) {
    let id = InstanceId::from_index(world.instances.len());
    let attributes = attributes(&[("ecs.cpu-architecture", fleet.architecture.as_str())], &fleet.attributes);
    let instance = Instance::external(id, (fleet.cpu, fleet.memory), fleet.architecture, attributes, ctx.sched.now());
    let detail = format!(
        "(external, fleet {}) registered with {} CPU units and {} MiB of memory",
        fleet.name, instance.registered_cpu, instance.registered_memory
    );
    log_registration(ctx, &instance, &detail);
    world.register_instance(instance);
}

fn log_registration(ctx: &mut Ctx, instance: &Instance, detail: &str) {
    let message = format!("container instance {} {detail}.", instance.label());
    ctx.log(EventKind::ContainerInstanceRegistered).instance(instance.label()).message(message).emit();
}
