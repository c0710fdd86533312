//! Registering instances: each Auto Scaling group's desired EC2 instances and the external (ECS
//! Anywhere) fleets at the start of a run, and the instances groups launch later.

use std::collections::BTreeMap;

use crate::catalog::CpuArchitecture;
use crate::ids::{InstanceId, ProviderId};
use crate::placement::AZ_ATTRIBUTE;
use crate::record::EventKind;
use crate::world::{Ctx, World};

use super::{asg, mixed, Instance, Launch, LaunchOutcome};

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
/// instances, ties to the zone listed first), then the external fleets. They are the initial
/// fleet: none of them warms up.
pub fn launch_initial_fleet(world: &mut World, ctx: &mut Ctx, external: &[ExternalFleet]) {
    for p in 0..world.providers.len() {
        let provider = ProviderId::from_index(p);
        let Some(desired) = world.providers[p].auto_scaling_group().map(|asg| asg.desired_capacity) else { continue };
        // Each registration is counted in the group's census at once, so each choice costs as
        // many steps as the group has zones: the fleet's time is linear in its size.
        for _ in 0..desired {
            let zone = asg::zone_with_fewest(world, provider).expect("validation guarantees a group has zones");
            let (instance_type, spot) = mixed::next_instance(world, provider).expect("the provider is a group");
            let now = ctx.sched.now();
            let launch =
                Launch { provider, zone, instance_type, spot, started_at: now, outcome: LaunchOutcome::Pending };
            let id = register_ec2(world, ctx, &launch);
            world.instances.get_mut(id).initial = true;
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

/// Registers the EC2 instance of `launch` (its group, zone, type, purchase option and launch
/// time) as ACTIVE now, protected from scale-in if its group protects new instances; returns its
/// id.
pub fn register_ec2(world: &mut World, ctx: &mut Ctx, launch: &Launch) -> InstanceId {
    let (provider, zone, launched_at, itype, spot) =
        (launch.provider, launch.zone, launch.started_at, launch.instance_type, launch.spot);
    let id = InstanceId::from_index(world.instances.len());
    let asg = world.providers[provider.index()].auto_scaling_group().expect("only groups launch EC2 instances");
    let builtin = [
        (AZ_ATTRIBUTE, world.zones[zone.index()].as_str()),
        ("ecs.instance-type", itype.name),
        ("ecs.cpu-architecture", itype.architecture.as_str()),
    ];
    let attributes = attributes(&builtin, &asg.attributes);
    let settings = (asg.ecs_reserved_memory, asg.eni_trunking, spot);
    let mut instance = Instance::ec2(id, (provider, zone), itype, settings, attributes, (launched_at, ctx.sched.now()));
    instance.protected_from_scale_in = asg.new_instances_protected_from_scale_in;
    let detail = format!(
        "({}{}, {}) registered with {} CPU units and {} MiB of memory (capacity provider {})",
        itype.name,
        if spot { " Spot" } else { "" },
        world.zones[zone.index()],
        instance.registered_cpu,
        instance.registered_memory,
        world.providers[provider.index()].name
    );
    log_registration(ctx, &instance, &detail);
    world.register_instance(instance);
    super::census::count_registered(world, id);
    id
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
