//! `capacity_providers:`, capacity provider strategies (aws-behaviour.md §5.1) and
//! `external_instances:`.

use crate::scenario::path::Path;
use std::collections::{BTreeMap, BTreeSet};

use super::checker::Checker;
use super::names::{Checked, Names};
use super::task_definitions::aws_quantity;
use crate::capacity::{
    AutoScalingGroup, CapacityProvider, ExternalFleet, FleetTiming, InstancesDistribution, ManagedScaling,
    ProviderKind, PurchaseOption, StrategyItem, FARGATE, FARGATE_SPOT,
};
use crate::catalog::{CpuArchitecture, InstanceType};
use crate::engine::SimDuration;
use crate::ids::{ProviderId, ZoneId};
use crate::scenario::diagnostics::instance_type_hint;
use crate::scenario::schema::{
    RawAutoScalingGroup, RawCapacityProvider, RawEnabled, RawExternalFleet, RawManagedScaling, RawStrategyItem,
    RawTiming,
};
use crate::scenario::values::Scalar;
use crate::service::{CapacitySource, LaunchType};

const MAX_BASE: i64 = 100_000;
const MAX_WEIGHT: i64 = 1_000;
/// Prefixes AWS refuses in capacity provider names.
const RESERVED_PREFIXES: [&str; 3] = ["aws", "ecs", "fargate"];

/// The built-in FARGATE and FARGATE_SPOT providers, then every valid declared one.
pub fn check_providers(
    c: &mut Checker,
    names: &Names,
    raw: &BTreeMap<String, RawCapacityProvider>,
) -> Checked<ProviderId, CapacityProvider> {
    let mut providers = Checked::new(&names.providers);
    for (name, kind) in [(FARGATE, ProviderKind::Fargate), (FARGATE_SPOT, ProviderKind::FargateSpot)] {
        if let Some(id) = names.providers.get(name) {
            providers.set(id, CapacityProvider { name: name.to_string(), kind });
        }
    }
    for (name, p) in raw {
        let path = Path::root("capacity_providers").key(name);
        if RESERVED_PREFIXES.iter().any(|prefix| name.to_lowercase().starts_with(prefix)) {
            c.error(
                &path,
                &format!("capacity provider names may not start with `aws`, `ecs` or `fargate` (`{name}`)"),
                Some("FARGATE and FARGATE_SPOT are built in: use them in a strategy without declaring them"),
            );
            continue;
        }
        // Every name equal to a built-in one has a reserved prefix: the id is the declared one's.
        let id = names.providers.get(name);
        if let (Some(id), Some(asg)) = (id, auto_scaling_group(c, &path, p, names)) {
            providers.set(id, CapacityProvider { name: name.clone(), kind: ProviderKind::AutoScalingGroup(asg) });
        }
    }
    providers
}

/// The group of the provider at `provider_path`.
fn auto_scaling_group(
    c: &mut Checker,
    provider_path: &Path,
    provider: &RawCapacityProvider,
    names: &Names,
) -> Option<AutoScalingGroup> {
    let path = &provider_path.field("auto_scaling_group");
    let raw = &provider.auto_scaling_group;
    let (instance_types, distribution) = instance_types(c, path, raw);
    let sizes = sizes(c, path, raw);
    let reserved = c.count(&path.field("ecs_reserved_memory"), raw.ecs_reserved_memory.unwrap_or(0));
    let asg_zones = group_zones(c, path, raw, names);
    let purchase_option = raw.purchase_option.unwrap_or(PurchaseOption::OnDemand);
    if raw.purchase_option.is_some() && raw.mixed_instances_policy.is_some() {
        c.error(
            &path.field("purchase_option"),
            "a mixed instances policy decides On-Demand and Spot itself",
            Some("drop `purchase_option`; set `on_demand_percentage_above_base_capacity` in the policy"),
        );
    }
    let spot_instance_draining = raw.ecs_enable_spot_instance_draining.unwrap_or(false);
    if spot_instance_draining && !raw.may_have_spot() {
        c.error(
            &path.field("ecs_enable_spot_instance_draining"),
            "Spot instance draining needs Spot instances",
            Some("add `purchase_option: spot`, or drop the setting"),
        );
    }
    let grace = optional_duration(c, &path.field("health_check_grace_period"), &raw.health_check_grace_period);
    let warmup_path = path.field("default_instance_warmup");
    let warmup = optional_duration(c, &warmup_path, &raw.default_instance_warmup).and_then(|w| match w {
        // EC2 Auto Scaling's DefaultInstanceWarmup: 0-3600 s (aws-behaviour.md §8).
        Some(d) if d > MAX_DEFAULT_INSTANCE_WARMUP => {
            c.error(
                &warmup_path,
                "default_instance_warmup must be at most 3600s",
                Some("EC2 Auto Scaling allows 0-3600 seconds"),
            );
            None
        }
        w => Some(w),
    });
    let managed_scaling = provider.managed_scaling.as_ref().and_then(|m| managed_scaling(c, provider_path, m));
    let termination_protection = provider.managed_termination_protection == Some(RawEnabled::Enabled);
    if termination_protection && provider.managed_scaling.is_none() {
        c.error(
            &provider_path.field("managed_termination_protection"),
            "managed termination protection needs managed scaling",
            Some("add `managed_scaling: {}`, or drop the setting"),
        );
    }
    if termination_protection && raw.new_instances_protected_from_scale_in == Some(false) {
        c.error(
            &path.field("new_instances_protected_from_scale_in"),
            "managed termination protection needs the group's instances protected from scale-in",
            Some("drop the field: it defaults to true with managed termination protection"),
        );
    }
    if raw.scaling_policies.is_some() {
        let at = path.field("scaling_policies");
        if provider.managed_scaling.is_some() {
            c.error(
                &at,
                "a group with managed scaling cannot have its own scaling policies",
                Some("ECS owns its scaling policy (target tracking on CapacityProviderReservation): remove `scaling_policies`, or `managed_scaling`"),
            );
        }
        if raw.min_size.is_none() || raw.max_size.is_none() {
            c.error(
                &at,
                "scaling policies need the group's `min_size` and `max_size`",
                Some("add `min_size` and `max_size`: the policies move the desired capacity between them"),
            );
        }
    }
    let (desired, min, max) = sizes?;
    Some(AutoScalingGroup {
        instance_types: instance_types?,
        distribution,
        desired_capacity: desired,
        min_size: min,
        max_size: max,
        zones: asg_zones?,
        ecs_reserved_memory: reserved?,
        eni_trunking: raw.eni_trunking.unwrap_or(false),
        attributes: raw.attributes.clone(),
        managed_scaling: if provider.managed_scaling.is_some() { Some(managed_scaling?) } else { None },
        purchase_option,
        spot_instance_draining,
        health_check_grace_period: grace?.unwrap_or(SimDuration::ZERO),
        default_instance_warmup: warmup?,
        new_instances_protected_from_scale_in: raw
            .new_instances_protected_from_scale_in
            .unwrap_or(termination_protection),
        managed_termination_protection: termination_protection,
        managed_draining: provider.managed_draining != Some(RawEnabled::Disabled),
    })
}

/// The longest `DefaultInstanceWarmup` EC2 Auto Scaling accepts.
const MAX_DEFAULT_INSTANCE_WARMUP: SimDuration = SimDuration::from_secs(3600);

/// `Some(None)` when absent, `Some(Some(d))` when valid, `None` when invalid.
fn optional_duration(c: &mut Checker, path: &Path, raw: &Option<Scalar>) -> Option<Option<SimDuration>> {
    match raw {
        None => Some(None),
        Some(v) => c.duration(path, v).map(Some),
    }
}

/// `instance_type` or `mixed_instances_policy`, exactly one: the types in priority order, and the
/// policy's distribution.
fn instance_types(
    c: &mut Checker,
    path: &Path,
    raw: &RawAutoScalingGroup,
) -> (Option<Vec<&'static InstanceType>>, Option<InstancesDistribution>) {
    let known = |c: &mut Checker, path: &Path, name: &str| {
        let t = c.instance_type(name);
        if t.is_none() && !c.rejected_instance_types.contains(name) {
            c.error(path, &format!("unknown instance type `{name}`"), Some(&instance_type_hint(name)));
        }
        t
    };
    match (&raw.instance_type, &raw.mixed_instances_policy) {
        (Some(name), None) => (known(c, &path.field("instance_type"), name).map(|t| vec![t]), None),
        (None, Some(policy)) => {
            let ppath = path.field("mixed_instances_policy");
            if policy.instance_types.is_empty() {
                c.error(&ppath.field("instance_types"), "a mixed instances policy needs at least one type", None);
            }
            let types: Vec<_> = policy
                .instance_types
                .iter()
                .enumerate()
                .map(|(i, name)| known(c, &ppath.field("instance_types").index(i), name))
                .collect();
            let defaults = InstancesDistribution::default();
            let base = policy.on_demand_base_capacity.unwrap_or(defaults.on_demand_base_capacity.into());
            let base = c.count(&ppath.field("on_demand_base_capacity"), base);
            let percentage = c.int_in(
                &ppath.field("on_demand_percentage_above_base_capacity"),
                policy
                    .on_demand_percentage_above_base_capacity
                    .unwrap_or(defaults.on_demand_percentage_above_base_capacity.into()),
                0,
                100,
            );
            let spot_allocation_strategy = policy.spot_allocation_strategy.unwrap_or(defaults.spot_allocation_strategy);
            let distribution = base.zip(percentage).map(|(b, p)| InstancesDistribution {
                on_demand_base_capacity: b,
                on_demand_percentage_above_base_capacity: p,
                spot_allocation_strategy,
            });
            let types = types.into_iter().collect::<Option<Vec<_>>>().filter(|t| !t.is_empty());
            (types.filter(|_| distribution.is_some()), distribution)
        }
        (Some(_), Some(_)) => {
            c.error(
                path,
                "give either `instance_type` or `mixed_instances_policy`, not both",
                Some("list every type under `mixed_instances_policy.instance_types`"),
            );
            (None, None)
        }
        (None, None) => {
            c.error(path, "an Auto Scaling group needs `instance_type` or `mixed_instances_policy`", None);
            (None, None)
        }
    }
}

/// `desired_capacity`, `min_size`, `max_size`: without a minimum and maximum the group is fixed at
/// its desired capacity; with them desired defaults to the minimum and must lie between them.
fn sizes(c: &mut Checker, path: &Path, raw: &RawAutoScalingGroup) -> Option<(u32, u32, u32)> {
    let desired = raw.desired_capacity.map(|d| c.count(&path.field("desired_capacity"), d));
    let min = raw.min_size.map(|m| c.count(&path.field("min_size"), m));
    let max = raw.max_size.map(|m| c.count(&path.field("max_size"), m));
    match (desired, min, max) {
        (Some(d), None, None) => d.map(|d| (d, d, d)),
        (None, None, None) => {
            c.error(
                &path.field("desired_capacity"),
                "an Auto Scaling group needs a size",
                Some("give `desired_capacity` (a fixed size), or `min_size` and `max_size`"),
            );
            None
        }
        (d, Some(min), Some(max)) => {
            let (min, max) = (min?, max?);
            let d = match d {
                Some(d) => d?,
                None => min,
            };
            if min > max {
                c.error(&path.field("min_size"), &format!("min_size ({min}) must be <= max_size ({max})"), None);
                return None;
            }
            if d < min || d > max {
                c.error(
                    &path.field("desired_capacity"),
                    &format!("desired_capacity ({d}) must lie between min_size ({min}) and max_size ({max})"),
                    None,
                );
                return None;
            }
            Some((d, min, max))
        }
        (_, min, _) => {
            let missing = if min.is_some() { "max_size" } else { "min_size" };
            c.error(&path.field(missing), "give both `min_size` and `max_size`, or neither (a fixed size)", None);
            None
        }
    }
}

fn group_zones(c: &mut Checker, path: &Path, raw: &RawAutoScalingGroup, names: &Names) -> Option<Vec<ZoneId>> {
    match &raw.availability_zones {
        None => Some(names.zones.ids().collect()),
        Some(listed) if listed.is_empty() => {
            c.error(
                &path.field("availability_zones"),
                "an Auto Scaling group needs at least one zone",
                Some("omit the field to use every zone of the cluster"),
            );
            None
        }
        Some(listed) => listed
            .iter()
            .enumerate()
            .map(|(i, z)| names.zone(c, &path.field("availability_zones").index(i), z))
            .collect::<Vec<_>>()
            .into_iter()
            .collect::<Option<Vec<_>>>(),
    }
}

/// `managed_scaling:` with AWS's ranges and defaults (aws-behaviour.md §5.2).
fn managed_scaling(c: &mut Checker, provider_path: &Path, raw: &RawManagedScaling) -> Option<ManagedScaling> {
    let path = provider_path.field("managed_scaling");
    let defaults = ManagedScaling::default();
    let mut int = |field: &str, value: Option<i64>, default: u32, (min, max): (i64, i64), hint: &str| {
        let Some(v) = value else { return Some(default) };
        let fpath = path.field(field);
        if v < min || v > max {
            c.error(&fpath, &format!("{field} ({v}) must be between {min} and {max}"), Some(hint));
            return None;
        }
        u32::try_from(v).ok()
    };
    let target = int(
        "target_capacity",
        raw.target_capacity,
        defaults.target_capacity,
        (1, 100),
        "a percentage above 0: 100 fills the instances, 90 keeps about 10 % spare",
    );
    let min_step = int(
        "minimum_scaling_step_size",
        raw.minimum_scaling_step_size,
        defaults.minimum_scaling_step_size,
        (1, 10_000),
        "the fewest instances one scale-out adds (default 1)",
    );
    let max_step = int(
        "maximum_scaling_step_size",
        raw.maximum_scaling_step_size,
        defaults.maximum_scaling_step_size,
        (1, 10_000),
        "the most instances one scale-out adds (default 10000)",
    );
    let datapoints = int(
        "scale_out_datapoints",
        raw.scale_out_datapoints,
        defaults.scale_out_datapoints,
        (1, 60),
        "one-minute datapoints above target before a scale-out (default 1)",
    );
    let warmup = match &raw.instance_warmup_period {
        None => Some(defaults.instance_warmup_period),
        Some(v) => {
            let wpath = path.field("instance_warmup_period");
            let d = c.duration(&wpath, v);
            if d.is_some_and(|d| d > SimDuration::from_secs(10_000)) {
                c.error(&wpath, "instance_warmup_period must be at most 10000s", Some("AWS allows 0-10000 seconds"));
                None
            } else {
                d
            }
        }
    };
    let (min_step, max_step) = (min_step?, max_step?);
    if min_step > max_step {
        c.error(
            &path.field("minimum_scaling_step_size"),
            &format!("minimum_scaling_step_size ({min_step}) must be <= maximum_scaling_step_size ({max_step})"),
            None,
        );
        return None;
    }
    Some(ManagedScaling {
        target_capacity: target?,
        minimum_scaling_step_size: min_step,
        maximum_scaling_step_size: max_step,
        instance_warmup_period: warmup?,
        scale_out_datapoints: datapoints?,
        ..defaults
    })
}

/// `timing:`'s Auto Scaling group knobs, written into `timing`; false if one is invalid.
/// `path` is `timing`'s.
pub fn check_fleet_timing(c: &mut Checker, path: &Path, raw: &RawTiming, timing: &mut FleetTiming) -> bool {
    let mut ok = true;
    if let Some(d) = &raw.instance_launch {
        ok &= c.distribution(&path.field("instance_launch"), d).map(|d| timing.instance_launch = d).is_some();
    }
    let durations = [
        ("instance_loss_detection", &raw.instance_loss_detection, &mut timing.instance_loss_detection),
        ("impaired_instance_tolerance", &raw.impaired_instance_tolerance, &mut timing.impaired_instance_tolerance),
        ("termination_drain_timeout", &raw.termination_drain_timeout, &mut timing.termination_drain_timeout),
    ];
    for (name, value, field) in durations {
        if let Some(v) = value {
            ok &= c.duration(&path.field(name), v).map(|d| *field = d).is_some();
        }
    }
    ok
}

/// A capacity provider strategy: known providers, listed once, one base at most, a positive weight
/// somewhere when there are several, and never Fargate mixed with Auto Scaling group providers.
///
/// A provider declared with problems of its own (reported there) makes the strategy `None`.
pub fn check_strategy(
    c: &mut Checker,
    names: &Names,
    path: &Path,
    raw: &[RawStrategyItem],
    providers: &Checked<ProviderId, CapacityProvider>,
) -> Option<Vec<StrategyItem>> {
    let before = c.error_count();
    if raw.is_empty() {
        c.error(path, "a capacity provider strategy needs at least one provider", None);
    }
    let mut seen = BTreeSet::new();
    let items: Vec<_> = raw
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let ipath = path.index(i);
            let provider = names.providers.resolve(c, &ipath.field("capacity_provider"), &item.capacity_provider);
            if provider.is_some() && !seen.insert(&item.capacity_provider) {
                c.error(
                    &ipath.field("capacity_provider"),
                    &format!("`{}` is listed twice", item.capacity_provider),
                    None,
                );
            }
            let base = c.int_in(&ipath.field("base"), item.base.unwrap_or(0), 0, MAX_BASE);
            let weight = c.int_in(&ipath.field("weight"), item.weight.unwrap_or(0), 0, MAX_WEIGHT);
            let provider = provider.filter(|id| providers.get(*id).is_some());
            Some(StrategyItem { provider: provider?, base: base?, weight: weight? })
        })
        .collect();
    if c.error_count() != before {
        return None;
    }
    let items: Vec<StrategyItem> = items.into_iter().collect::<Option<_>>()?;
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
    let fargate = items.iter().filter(|i| providers.get(i.provider).is_some_and(CapacityProvider::is_fargate)).count();
    if fargate != 0 && fargate != items.len() {
        c.error(path, "a strategy can hold Fargate providers or Auto Scaling group providers, not both", None);
    }
    (c.error_count() == before).then_some(items)
}

/// Whether `capacity` runs tasks on Fargate: [`CapacitySource::runs_on_fargate`] over the
/// providers validated so far (one with problems of its own counts as not Fargate).
pub fn on_fargate(capacity: &CapacitySource, providers: &Checked<ProviderId, CapacityProvider>) -> bool {
    match capacity {
        CapacitySource::LaunchType(lt) => *lt == LaunchType::Fargate,
        CapacitySource::Strategy(items) => {
            items.iter().any(|i| providers.get(i.provider).is_some_and(CapacityProvider::is_fargate))
        }
    }
}

/// `external_instances:` — fleets of ECS Anywhere instances with the resources they register.
pub fn check_external_fleets(c: &mut Checker, raw: &BTreeMap<String, RawExternalFleet>) -> Vec<ExternalFleet> {
    raw.iter()
        .filter_map(|(name, f)| {
            let path = Path::root("external_instances").key(name);
            let count = c.count(&path.field("count"), f.count);
            let cpu_hint = "write CPU units (1024 = 1 vCPU), e.g. `4096`, or `\"4 vCPU\"`";
            let cpu = aws_quantity(
                c,
                &path.field("cpu"),
                &f.cpu,
                ("vcpu", 1024.0),
                (128, i64::from(u32::MAX)),
                ("CPU amount", cpu_hint),
            );
            let memory_hint = "write MiB, e.g. `16384`, or `\"16 GB\"`";
            let memory = aws_quantity(
                c,
                &path.field("memory"),
                &f.memory,
                ("gb", 1024.0),
                (6, i64::from(u32::MAX)),
                ("memory amount", memory_hint),
            );
            let architecture = f.cpu_architecture.unwrap_or(CpuArchitecture::X86_64);
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
