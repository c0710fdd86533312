//! `capacity_providers:`, capacity provider strategies (aws-behaviour.md §5.1) and
//! `external_instances:`.

use std::collections::{BTreeMap, BTreeSet};

use super::checker::Checker;
use super::task_definitions::aws_quantity;
use super::zone_id;
use crate::capacity::{
    AutoScalingGroup, CapacityProvider, ExternalFleet, FleetTiming, ManagedScaling, ProviderKind, PurchaseOption,
    StrategyItem, FARGATE, FARGATE_SPOT,
};
use crate::catalog::{instance_type, instance_type_names, CpuArchitecture};
use crate::engine::{DurationDist, SimDuration};
use crate::scenario::diagnostics::suggestion;
use crate::scenario::schema::{
    RawCapacityProvider, RawCpuArchitecture, RawExternalFleet, RawPurchaseOption, RawStrategyItem, RawTiming,
};
use crate::sim::ids::ProviderId;

const MAX_BASE: i64 = 100_000;
const MAX_WEIGHT: i64 = 1_000;
/// Prefixes AWS refuses in capacity provider names.
const RESERVED_PREFIXES: [&str; 3] = ["aws", "ecs", "fargate"];

/// The built-in FARGATE and FARGATE_SPOT providers, then every valid declared one.
pub fn check_providers(
    c: &mut Checker,
    raw: &BTreeMap<String, RawCapacityProvider>,
    zones: &[String],
) -> Vec<CapacityProvider> {
    let builtin = [(FARGATE, ProviderKind::Fargate), (FARGATE_SPOT, ProviderKind::FargateSpot)];
    let mut providers: Vec<_> =
        builtin.into_iter().map(|(name, kind)| CapacityProvider { name: name.to_string(), kind }).collect();
    for (name, p) in raw {
        let path = format!("capacity_providers.{name}");
        if RESERVED_PREFIXES.iter().any(|prefix| name.to_lowercase().starts_with(prefix)) {
            c.error(
                &path,
                &format!("capacity provider names may not start with `aws`, `ecs` or `fargate` (`{name}`)"),
                Some("FARGATE and FARGATE_SPOT are built in: use them in a strategy without declaring them"),
            );
            continue;
        }
        if let Some(asg) = auto_scaling_group(c, &format!("{path}.auto_scaling_group"), p, zones) {
            providers.push(CapacityProvider { name: name.clone(), kind: ProviderKind::AutoScalingGroup(asg) });
        }
    }
    providers
}

fn auto_scaling_group(
    c: &mut Checker,
    path: &str,
    raw: &RawCapacityProvider,
    zones: &[String],
) -> Option<AutoScalingGroup> {
    let managed_scaling = raw.managed_scaling.is_some();
    let raw = &raw.auto_scaling_group;
    let itype = instance_type(&raw.instance_type);
    if itype.is_none() {
        c.error(
            &format!("{path}.instance_type"),
            &format!("unknown instance type `{}`", raw.instance_type),
            Some(&suggestion(&raw.instance_type, instance_type_names())),
        );
    }
    let desired = c.count(&format!("{path}.desired_capacity"), raw.desired_capacity);
    let reserved = c.count(&format!("{path}.ecs_reserved_memory"), raw.ecs_reserved_memory.unwrap_or(0));
    let asg_zones = match &raw.availability_zones {
        None => Some((0..zones.len()).map(crate::sim::ids::ZoneId::from_index).collect()),
        Some(names) if names.is_empty() => {
            c.error(
                &format!("{path}.availability_zones"),
                "an Auto Scaling group needs at least one zone",
                Some("omit the field to use every zone of the cluster"),
            );
            None
        }
        Some(names) => names
            .iter()
            .enumerate()
            .map(|(i, z)| {
                let id = zone_id(zones, z);
                if id.is_none() {
                    let hint = suggestion(z, zones.iter().map(String::as_str));
                    c.error(
                        &format!("{path}.availability_zones[{i}]"),
                        &format!("`{z}` is not a zone of the cluster"),
                        Some(&hint),
                    );
                }
                id
            })
            .collect::<Vec<_>>()
            .into_iter()
            .collect::<Option<Vec<_>>>(),
    };
    let purchase_option = match raw.purchase_option {
        Some(RawPurchaseOption::Spot) => PurchaseOption::Spot,
        Some(RawPurchaseOption::OnDemand) | None => PurchaseOption::OnDemand,
    };
    let spot_instance_draining = raw.ecs_enable_spot_instance_draining.unwrap_or(false);
    if spot_instance_draining && purchase_option != PurchaseOption::Spot {
        c.error(
            &format!("{path}.ecs_enable_spot_instance_draining"),
            "Spot instance draining needs Spot instances",
            Some("add `purchase_option: spot`, or drop the setting"),
        );
    }
    Some(AutoScalingGroup {
        instance_type: itype?,
        desired_capacity: desired?,
        zones: asg_zones?,
        ecs_reserved_memory: reserved?,
        eni_trunking: raw.eni_trunking.unwrap_or(false),
        attributes: raw.attributes.clone(),
        managed_scaling: managed_scaling.then(ManagedScaling::default),
        purchase_option,
        spot_instance_draining,
    })
}

/// The Auto Scaling groups' timing defaults: launch to ECS ACTIVE uniform 60–90 s (EC2 boot
/// 5–30 s measured, plus the agent's registration, UNVERIFIED: aws-behaviour.md §8); losses
/// noticed after 60 s (EC2 runs its status checks every minute); an impaired instance tolerated 5
/// minutes (ecsim's reading of AWS's "a few minutes"); a rebalancing drain of at most 1 hour (the
/// default heartbeat of an Auto Scaling lifecycle hook, which managed draining relies on).
pub fn default_fleet_timing() -> FleetTiming {
    FleetTiming {
        instance_launch: DurationDist::uniform(SimDuration::from_secs(60), SimDuration::from_secs(90))
            .expect("static bounds are ordered"),
        instance_loss_detection: SimDuration::from_secs(60),
        impaired_instance_tolerance: SimDuration::from_mins(5),
        termination_drain_timeout: SimDuration::from_mins(60),
    }
}

/// `timing:`'s Auto Scaling group knobs, written into `timing`; false if one is invalid.
pub fn check_fleet_timing(c: &mut Checker, raw: &RawTiming, timing: &mut FleetTiming) -> bool {
    let mut ok = true;
    if let Some(d) = &raw.instance_launch {
        ok &= c.distribution("timing.instance_launch", d).map(|d| timing.instance_launch = d).is_some();
    }
    let durations = [
        ("instance_loss_detection", &raw.instance_loss_detection, &mut timing.instance_loss_detection),
        ("impaired_instance_tolerance", &raw.impaired_instance_tolerance, &mut timing.impaired_instance_tolerance),
        ("termination_drain_timeout", &raw.termination_drain_timeout, &mut timing.termination_drain_timeout),
    ];
    for (name, value, field) in durations {
        if let Some(v) = value {
            ok &= c.duration(&format!("timing.{name}"), v).map(|d| *field = d).is_some();
        }
    }
    ok
}

/// A capacity provider strategy: known providers, listed once, one base at most, a positive weight
/// somewhere when there are several, and never Fargate mixed with Auto Scaling group providers.
pub fn check_strategy(
    c: &mut Checker,
    path: &str,
    raw: &[RawStrategyItem],
    providers: &[CapacityProvider],
) -> Option<Vec<StrategyItem>> {
    let before = c.error_count();
    if raw.is_empty() {
        c.error(path, "a capacity provider strategy needs at least one provider", None);
    }
    let mut seen = BTreeSet::new();
    let items: Vec<_> = raw
        .iter()
        .enumerate()
        .filter_map(|(i, item)| {
            let ipath = format!("{path}[{i}]");
            let provider = providers.iter().position(|p| p.name == item.capacity_provider);
            if provider.is_none() {
                let hint = suggestion(&item.capacity_provider, providers.iter().map(|p| p.name.as_str()));
                c.error(
                    &format!("{ipath}.capacity_provider"),
                    &format!("unknown capacity provider `{}`", item.capacity_provider),
                    Some(&hint),
                );
            } else if !seen.insert(&item.capacity_provider) {
                c.error(
                    &format!("{ipath}.capacity_provider"),
                    &format!("`{}` is listed twice", item.capacity_provider),
                    None,
                );
            }
            let base = c.int_in(&format!("{ipath}.base"), item.base.unwrap_or(0), 0, MAX_BASE);
            let weight = c.int_in(&format!("{ipath}.weight"), item.weight.unwrap_or(0), 0, MAX_WEIGHT);
            Some(StrategyItem { provider: ProviderId::from_index(provider?), base: base?, weight: weight? })
        })
        .collect();
    if c.error_count() != before {
        return None;
    }
    if items.iter().filter(|i| i.base > 0).count() > 1 {
        c.error(path, "only one capacity provider in a strategy can have a base", None);
    }
    if items.len() > 1 && items.iter().all(|i| i.weight == 0) {
        c.error(
            path,
            "with several capacity providers, at least one needs a weight above 0",
            Some("weight defaults to 0 as in the ECS API: add `weight: 1`"),
        );
    }
    let fargate = items.iter().filter(|i| providers[i.provider.index()].is_fargate()).count();
    if fargate != 0 && fargate != items.len() {
        c.error(path, "a strategy can hold Fargate providers or Auto Scaling group providers, not both", None);
    }
    (c.error_count() == before).then_some(items)
}

/// `external_instances:` — fleets of ECS Anywhere instances with the resources they register.
pub fn check_external_fleets(c: &mut Checker, raw: &BTreeMap<String, RawExternalFleet>) -> Vec<ExternalFleet> {
    raw.iter()
        .filter_map(|(name, f)| {
            let path = format!("external_instances.{name}");
            let count = c.count(&format!("{path}.count"), f.count);
            let cpu_hint = "write CPU units (1024 = 1 vCPU), e.g. `4096`, or `\"4 vCPU\"`";
            let cpu = aws_quantity(
                c,
                &format!("{path}.cpu"),
                &f.cpu,
                ("vcpu", 1024.0),
                (128, i64::from(u32::MAX)),
                ("CPU amount", cpu_hint),
            );
            let memory_hint = "write MiB, e.g. `16384`, or `\"16 GB\"`";
            let memory = aws_quantity(
                c,
                &format!("{path}.memory"),
                &f.memory,
                ("gb", 1024.0),
                (6, i64::from(u32::MAX)),
                ("memory amount", memory_hint),
            );
            let architecture = match f.cpu_architecture {
                Some(RawCpuArchitecture::Arm64) => CpuArchitecture::Arm64,
                Some(RawCpuArchitecture::X86_64) | None => CpuArchitecture::X86_64,
            };
            Some(ExternalFleet {
                name: name.clone(),
                count: count?,
                cpu: cpu?,
                memory: memory?,
                architecture,
                attributes: f.attributes.clone(),
            })
        })
        .collect()
}
