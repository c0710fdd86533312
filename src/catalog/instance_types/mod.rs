//! EC2 instance types that ECS container instances commonly run on: the record, the lookup and
//! the nearest-type search for "unknown type" hints. The rows live one file per family group
//! ([`burstable`], [`general`], [`compute`], [`memory`]); the processors and their clocks in
//! [`processors`].
//!
//! Sources, per `docs/aws-behaviour.md` §3.2: vCPU and memory are standard EC2 specs; maximum
//! ENIs and IPv4 addresses per ENI come from EC2 DescribeInstanceTypes via the VPC CNI \[CNI];
//! awsvpc task limits with ENI trunking come from the ECS trunking table \[DG23:Elastic network
//! interface trunking]; prices are Linux on-demand, us-east-1, generated 2026-07-20 \[KARP].
//! Per-vCPU speeds are ecsim's default, a rule on AWS's published clocks (see [`Speed`]).

mod burstable;
mod compute;
mod general;
mod memory;
mod processors;

/// The CPU architecture of an instance type. It decides which images and Fargate price list apply,
/// and is what the `ecs.cpu-architecture` placement attribute matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum CpuArchitecture {
    X86_64,
    Arm64,
}

impl CpuArchitecture {
    /// The spelling AWS uses in attributes and task definitions, so scenarios and placement
    /// expressions can be compared against it verbatim.
    pub fn as_str(self) -> &'static str {
        match self {
            CpuArchitecture::X86_64 => "x86_64",
            CpuArchitecture::Arm64 => "arm64",
        }
    }
}

/// What the simulator needs to know about one EC2 instance type to register it with ECS, place
/// tasks on it and bill it.
#[derive(Clone, Debug, PartialEq)]
pub struct InstanceType {
    /// The AWS name, e.g. `"m5.large"`.
    pub name: &'static str,
    pub vcpus: u32,
    /// Nominal memory (GiB x 1024), before the OS takes its share; see
    /// [`InstanceType::registered_memory_mib`].
    pub memory_mib: u32,
    /// Network interfaces the type can attach, including the primary one \[CNI].
    pub max_enis: u32,
    /// Private IPv4 addresses per interface \[CNI].
    pub ipv4_per_eni: u32,
    /// awsvpc tasks the type can run with ENI trunking enabled, or `None` for types that cannot
    /// trunk (t3, t4g, and the Xen-based m4 and c4) \[DG23:Elastic network interface trunking].
    pub trunk_task_limit: Option<u32>,
    /// USD per hour, Linux on-demand, us-east-1, 2026-07-20 \[KARP].
    pub price_per_hour: f64,
    pub architecture: CpuArchitecture,
    /// How fast one vCPU runs a request's CPU work, relative to an m5's (1.0); see [`Speed`].
    pub speed: f64,
}

/// A family's processor as AWS's instance type pages describe it, and the per-vCPU speed ecsim
/// derives from it.
///
/// **ecsim's default, not an AWS figure**: AWS publishes each family's processor and its
/// sustained all-core turbo clock, not a speed. ecsim takes speed = all-core turbo / 3.1 GHz (the
/// m5's Xeon Platinum 8175M / 8259CL) x a per-core factor: 1.0 for every x86 generation (their
/// per-clock gains are ignored) and for Graviton2; 1.25 for Graviton3, AWS's "up to 25% better
/// compute performance" than Graviton2. Rounded to two decimals. `speed.instance_types` in a
/// scenario overrides it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Speed {
    /// The processor AWS names for the family.
    pub processor: &'static str,
    /// Sustained all-core turbo clock, GHz, as AWS states it.
    pub all_core_ghz: f64,
    /// ecsim's per-core factor for the architecture / generation.
    pub core_factor: f64,
    /// The resulting speed, all_core_ghz / 3.1 x core_factor, to two decimals (checked by a test).
    pub speed: f64,
}

/// The m5's sustained all-core turbo clock, GHz: the reference speed 1.0.
pub const REFERENCE_GHZ: f64 = 3.1;

/// OS-visible memory as a fraction of nominal, fitted to the single documented point: an m4.large
/// with 8192 MiB nominal registers ~7985 MiB \[DG23:Container Instance Memory Management]. Applying
/// the same ratio to other sizes is **UNVERIFIED** (AWS's rule of thumb is ~95-97%).
const OS_VISIBLE_NUMERATOR: u64 = 7985;
const OS_VISIBLE_DENOMINATOR: u64 = 8192;

impl InstanceType {
    /// CPU units ECS registers: vCPUs x 1024 \[DG23:Task definition parameters]. Placement compares
    /// task CPU against this, not against vCPUs.
    pub fn registered_cpu(&self) -> u32 {
        self.vcpus.saturating_mul(1024)
    }

    /// Memory ECS registers (MiB): what the OS sees, minus `ECS_RESERVED_MEMORY` \[AGENT; DG23:
    /// Container Instance Memory Management]. Tasks sized to the nominal memory therefore do not
    /// fit, as on real instances.
    ///
    /// OS-visible memory is modelled as nominal x 7985/8192, rounded down. The ratio is a fit to
    /// one documented point (m4.large: 8192 MiB nominal registers ~7985 MiB) and is **UNVERIFIED**
    /// for every other size. A reservation larger than the memory leaves 0, not an underflow.
    pub fn registered_memory_mib(&self, ecs_reserved_memory_mib: u32) -> u32 {
        let os_visible = u64::from(self.memory_mib) * OS_VISIBLE_NUMERATOR / OS_VISIBLE_DENOMINATOR;
        // The ratio is below 1, so the result never exceeds `memory_mib` and always fits a u32.
        let os_visible = u32::try_from(os_visible).unwrap_or(self.memory_mib);
        os_visible.saturating_sub(ecs_reserved_memory_mib)
    }

    /// Most awsvpc-mode tasks one instance can run, since each task takes an ENI
    /// \[DG23:Task networking]. With trunking on a trunk-capable type the trunk table's limit
    /// applies; otherwise every ENI but the primary one (which the instance itself uses) can go to
    /// a task. Asking for trunking on a type that cannot trunk (t3) keeps the plain limit, since
    /// such instances never get a trunk interface.
    pub fn awsvpc_task_limit(&self, trunking: bool) -> u32 {
        match (trunking, self.trunk_task_limit) {
            (true, Some(limit)) => limit,
            _ => self.max_enis.saturating_sub(1),
        }
    }
}

/// Every catalog type, group by group (burstable, general purpose, compute, memory), each family
/// by size.
fn all() -> impl Iterator<Item = &'static InstanceType> {
    [burstable::BURSTABLE, general::GENERAL, compute::COMPUTE, memory::MEMORY].into_iter().flatten()
}

/// Looks a type up by its exact AWS name (lower case, as AWS spells it).
pub fn instance_type(name: &str) -> Option<&'static InstanceType> {
    all().find(|t| t.name == name)
}

/// Every known name, in catalog order (for "did you mean" hints and docs).
pub fn instance_type_names() -> impl Iterator<Item = &'static str> {
    all().map(|t| t.name)
}

/// Scenario-defined types handed out so far; see [`define_instance_type`].
static DEFINED: std::sync::Mutex<Vec<&'static InstanceType>> = std::sync::Mutex::new(Vec::new());

/// A scenario-defined type (the scenario's `instance_types:`), as a `&'static` like the catalog's
/// own, so it goes everywhere a catalog type goes. Definitions are interned: an identical one
/// (the same scenario loaded again, a sweep's variants) gets the same reference, so memory grows
/// only with distinct definitions, each a few dozen bytes kept for the process's life.
#[allow(clippy::too_many_arguments)]
pub fn define_instance_type(
    name: &str,
    vcpus: u32,
    memory_mib: u32,
    max_enis: u32,
    ipv4_per_eni: u32,
    trunk_task_limit: Option<u32>,
    price_per_hour: f64,
    architecture: CpuArchitecture,
    speed: f64,
) -> &'static InstanceType {
    let same = |t: &InstanceType| {
        (t.name, t.vcpus, t.memory_mib, t.max_enis, t.ipv4_per_eni, t.trunk_task_limit, t.architecture)
            == (name, vcpus, memory_mib, max_enis, ipv4_per_eni, trunk_task_limit, architecture)
            && t.price_per_hour.to_bits() == price_per_hour.to_bits()
            && t.speed.to_bits() == speed.to_bits()
    };
    // A poisoned lock only means another thread panicked mid-push; the list is still valid.
    let mut defined = DEFINED.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(t) = defined.iter().find(|t| same(t)) {
        return t;
    }
    let t: &'static InstanceType = Box::leak(Box::new(InstanceType {
        name: Box::leak(name.to_string().into_boxed_str()),
        vcpus,
        memory_mib,
        max_enis,
        ipv4_per_eni,
        trunk_task_limit,
        price_per_hour,
        architecture,
        speed,
    }));
    defined.push(t);
    t
}

/// A type name's family and size (`"m5"`, `"large"`), if it has AWS's `family.size` shape.
fn split(name: &str) -> Option<(&str, &str)> {
    name.split_once('.').filter(|(family, size)| !family.is_empty() && !size.is_empty())
}

/// A size's place on AWS's ladder (nano 1, micro 2, small 4, medium 8, large 16, xlarge 32,
/// Nxlarge 32N: roughly proportional to vCPUs), or `None` for a word that is not a size.
fn size_rank(size: &str) -> Option<f64> {
    match size {
        "nano" => Some(1.0),
        "micro" => Some(2.0),
        "small" => Some(4.0),
        "medium" => Some(8.0),
        "large" => Some(16.0),
        "xlarge" => Some(32.0),
        "metal" => Some(32.0 * 96.0),
        _ => size.strip_suffix("xlarge")?.parse::<u32>().ok().filter(|&n| n > 0).map(|n| 32.0 * f64::from(n)),
    }
}

/// The catalog types nearest to a name the catalog lacks, for an "unknown instance type" hint:
/// first the same family's sizes, nearest size first (`m4.16xlarge` -> `m4.4xlarge`,
/// `m4.2xlarge`, ...), then other families' types of the same size (`x2iedn.xlarge` ->
/// `c4.xlarge`, `c5.xlarge`, ...). Empty when the name is not `family.size` with a real size or
/// nothing shares its family or size.
pub fn nearest_instance_types(name: &str) -> (Vec<&'static str>, Vec<&'static str>) {
    let Some((family, size)) = split(name) else { return (Vec::new(), Vec::new()) };
    let Some(rank) = size_rank(size) else { return (Vec::new(), Vec::new()) };
    let mut same_family: Vec<(f64, f64, &'static str)> = all()
        .filter_map(|t| {
            let (f, s) = split(t.name)?;
            let r = size_rank(s)?;
            (f == family).then(|| ((r / rank).ln().abs(), r, t.name))
        })
        .collect();
    // Nearest size first; between two equally near sizes, the larger (it fits what the missing
    // one would have).
    same_family.sort_by(|a, b| a.0.total_cmp(&b.0).then(b.1.total_cmp(&a.1)));
    let same_size = all().filter(|t| split(t.name).is_some_and(|(f, s)| s == size && f != family)).map(|t| t.name);
    (same_family.into_iter().map(|(_, _, n)| n).collect(), same_size.collect())
}

const GIB: u32 = 1024;

/// Builds an x86_64 row: positional columns, so each line of the family files reads like a row
/// of the table in aws-behaviour.md §3.2.
#[allow(clippy::too_many_arguments)]
const fn x86(
    name: &'static str,
    vcpus: u32,
    memory_mib: u32,
    max_enis: u32,
    ipv4_per_eni: u32,
    trunk_task_limit: Option<u32>,
    price_per_hour: f64,
    speed: Speed,
) -> InstanceType {
    InstanceType {
        name,
        vcpus,
        memory_mib,
        max_enis,
        ipv4_per_eni,
        trunk_task_limit,
        price_per_hour,
        architecture: CpuArchitecture::X86_64,
        speed: speed.speed,
    }
}

/// Builds an arm64 (Graviton) row.
#[allow(clippy::too_many_arguments)]
const fn arm64(
    name: &'static str,
    vcpus: u32,
    memory_mib: u32,
    max_enis: u32,
    ipv4_per_eni: u32,
    trunk_task_limit: Option<u32>,
    price_per_hour: f64,
    speed: Speed,
) -> InstanceType {
    InstanceType {
        architecture: CpuArchitecture::Arm64,
        ..x86(name, vcpus, memory_mib, max_enis, ipv4_per_eni, trunk_task_limit, price_per_hour, speed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};

    fn get(name: &str) -> &'static InstanceType {
        instance_type(name).unwrap_or_else(|| panic!("{name} missing from the catalog"))
    }

    #[test]
    fn m5_large_registers_like_aws() {
        let m5 = get("m5.large");
        assert_eq!(m5.registered_cpu(), 2048);
        assert_eq!(m5.registered_memory_mib(0), 8192 * 7985 / 8192);
        assert_eq!(m5.registered_memory_mib(0), 7985);
        assert_eq!(m5.registered_memory_mib(100), 7885);
        assert_eq!(m5.registered_memory_mib(u32::MAX), 0);
    }

    #[test]
    fn registered_memory_rounds_down() {
        // 512 * 7985 / 8192 = 499.06...
        assert_eq!(get("t3.nano").registered_memory_mib(0), 499);
        // 131072 * 7985 / 8192 = 127760 exactly; no overflow on the largest type.
        assert_eq!(get("r5.4xlarge").registered_memory_mib(0), 127_760);
    }

    #[test]
    fn awsvpc_limits() {
        let m5 = get("m5.large");
        assert_eq!(m5.awsvpc_task_limit(false), 2);
        assert_eq!(m5.awsvpc_task_limit(true), 10);
        let t3 = get("t3.large");
        assert_eq!(t3.awsvpc_task_limit(false), 2);
        assert_eq!(t3.awsvpc_task_limit(true), 2, "t3 cannot trunk");
        assert_eq!(get("c5.4xlarge").awsvpc_task_limit(false), 7);
        assert_eq!(get("c5.4xlarge").awsvpc_task_limit(true), 60);
        assert_eq!(get("t3.nano").awsvpc_task_limit(true), 1);
    }

    #[test]
    fn catalog_is_sane() {
        let mut names = BTreeSet::new();
        for t in all() {
            assert!(t.vcpus > 0, "{}", t.name);
            assert!(t.memory_mib > 0, "{}", t.name);
            assert!(t.price_per_hour > 0.0, "{}", t.name);
            assert!(t.max_enis >= 2, "{}", t.name);
            assert!(t.ipv4_per_eni > 0, "{}", t.name);
            // Trunking only ever raises the limit.
            assert!(t.trunk_task_limit.is_none_or(|l| l >= t.max_enis - 1), "{}", t.name);
            assert!(t.speed > 0.0 && processors::ALL.iter().any(|p| p.speed == t.speed), "{}", t.name);
            assert!(names.insert(t.name), "duplicate {}", t.name);
            assert_eq!(instance_type(t.name), Some(t));
            let (family, size) = split(t.name).expect("family.size");
            assert!(size_rank(size).is_some(), "{}", t.name);
            // AWS marks Graviton families with a `g` after the generation (m6g, t4g, c7g).
            let graviton = family.trim_start_matches(|c: char| c.is_ascii_lowercase()).contains('g');
            assert_eq!(t.architecture == CpuArchitecture::Arm64, graviton, "{}", t.name);
        }
        assert_eq!(names.len(), 70);
        assert_eq!(instance_type_names().count(), 70);
    }

    #[test]
    fn families_are_consistent_and_grow_by_size() {
        let mut families: BTreeMap<&str, Vec<&InstanceType>> = BTreeMap::new();
        for t in all() {
            families.entry(split(t.name).unwrap().0).or_default().push(t);
        }
        assert_eq!(families.len(), 15);
        for (family, types) in &families {
            let first = types[0];
            for pair in types.windows(2) {
                let (a, b) = (pair[0], pair[1]);
                assert!(size_rank(split(a.name).unwrap().1) < size_rank(split(b.name).unwrap().1), "{family}: order");
                assert!(a.vcpus <= b.vcpus && a.memory_mib < b.memory_mib, "{family}: {} < {}", a.name, b.name);
                assert!(a.price_per_hour < b.price_per_hour && a.max_enis <= b.max_enis, "{}", b.name);
            }
            for t in types {
                assert_eq!((t.speed, t.architecture), (first.speed, first.architecture), "{}", t.name);
                assert_eq!(t.trunk_task_limit.is_some(), first.trunk_task_limit.is_some(), "{}", t.name);
            }
        }
        for cannot_trunk in ["t3", "t4g", "m4", "c4"] {
            assert!(families[cannot_trunk].iter().all(|t| t.trunk_task_limit.is_none()), "{cannot_trunk}");
        }
    }

    #[test]
    fn doc_table_spot_checks() {
        let r5 = get("r5.4xlarge");
        assert_eq!((r5.vcpus, r5.memory_mib), (16, 128 * 1024));
        assert_eq!(r5.price_per_hour, 1.008);
        assert_eq!(get("t3.nano").memory_mib, 512);
        let m6i = InstanceType { name: "m6i.xlarge", speed: processors::ICE_LAKE.speed, ..get("m5.xlarge").clone() };
        assert_eq!(get("m6i.xlarge"), &m6i);
        assert_eq!(get("m6g.large").architecture, CpuArchitecture::Arm64);
        assert_eq!(get("m7g.large").architecture.as_str(), "arm64");
        assert_eq!(get("m7i.large").architecture.as_str(), "x86_64");
        assert_eq!(get("c6i.large").memory_mib, 4096);
        assert_eq!(instance_type_names().next(), Some("t3.nano"));
        // Previous generation: m4.large has 2 ENIs (1 awsvpc task), c4.large 3; neither trunks.
        assert_eq!((get("m4.large").awsvpc_task_limit(false), get("m4.large").awsvpc_task_limit(true)), (1, 1));
        assert_eq!(get("c4.large").awsvpc_task_limit(true), 2);
        assert_eq!(get("c4.large").memory_mib, 3840);
        assert_eq!(get("m7g.medium").awsvpc_task_limit(false), 1);
        assert_eq!(get("t4g.2xlarge").price_per_hour, 0.2688);
    }

    #[test]
    fn speeds_follow_the_clock_rule() {
        for s in processors::ALL {
            let rule = (s.all_core_ghz / REFERENCE_GHZ * s.core_factor * 100.0).round() / 100.0;
            assert_eq!(s.speed, rule, "{}", s.processor);
        }
        assert_eq!(get("m5.large").speed, 1.0);
        // 3.4 / 3.1 = 1.097 -> 1.10; 2.5 / 3.1 = 0.806 -> 0.81; 2.3 / 3.1 = 0.742 -> 0.74.
        assert_eq!(get("c5.xlarge").speed, 1.1);
        assert_eq!(get("m6g.large").speed, 0.81);
        assert_eq!(get("t4g.small").speed, 0.81);
        assert_eq!(get("m4.xlarge").speed, 0.74);
        assert_eq!(get("c4.xlarge").speed, 1.03);
        assert_eq!(get("r7g.large").speed, 1.05);
    }

    #[test]
    fn nearest_types_same_family_first_then_same_size() {
        let (family, size) = nearest_instance_types("m4.16xlarge");
        assert_eq!(family, ["m4.4xlarge", "m4.2xlarge", "m4.xlarge", "m4.large"]);
        assert!(size.is_empty());
        let (family, size) = nearest_instance_types("x2iedn.xlarge");
        assert!(family.is_empty());
        assert_eq!(size.len(), 15, "{size:?}");
        assert_eq!(size[..3], ["t3.xlarge", "t4g.xlarge", "m4.xlarge"]);
        let (family, _) = nearest_instance_types("m5.medium");
        assert_eq!(family[0], "m5.large");
        assert_eq!(nearest_instance_types("m5.lrage"), (vec![], vec![]));
        assert_eq!(nearest_instance_types("m5"), (vec![], vec![]));
        assert_eq!(nearest_instance_types(".large"), (vec![], vec![]));
        assert_eq!(nearest_instance_types("m5.0xlarge"), (vec![], vec![]));
    }

    #[test]
    fn defined_types_are_interned_and_stay_out_of_the_catalog() {
        let define = |price| define_instance_type("z9.large", 2, 4096, 3, 10, None, price, CpuArchitecture::Arm64, 0.9);
        let (a, b, c) = (define(0.1), define(0.1), define(0.2));
        assert!(std::ptr::eq(a, b), "the same definition is the same type");
        assert!(!std::ptr::eq(a, c) && c.price_per_hour == 0.2);
        assert_eq!((a.name, a.awsvpc_task_limit(true), a.architecture), ("z9.large", 2, CpuArchitecture::Arm64));
        assert!(instance_type("z9.large").is_none());
    }

    #[test]
    fn lookup_is_exact() {
        assert!(instance_type("M5.LARGE").is_none());
        assert!(instance_type("m5.larg").is_none());
        assert!(instance_type("").is_none());
    }
}
