//! EC2 instance types that ECS container instances commonly run on.
//!
//! Sources, per `docs/aws-behaviour.md` §3.2: vCPU and memory are standard EC2 specs; maximum
//! ENIs and IPv4 addresses per ENI come from EC2 DescribeInstanceTypes via the VPC CNI \[CNI];
//! awsvpc task limits with ENI trunking come from the ECS trunking table \[DG23:Elastic network
//! interface trunking]; prices are Linux on-demand, us-east-1, generated 2026-07-20 \[KARP].
//! Per-vCPU speeds are ecsim's default, a rule on AWS's published clocks (see [`Speed`]).

/// The CPU architecture of an instance type. It decides which images and Fargate price list apply,
/// and is what the `ecs.cpu-architecture` placement attribute matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Deserialize)]
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
    /// trunk (t3) \[DG23:Elastic network interface trunking].
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

/// m5 (the reference), r5 and t3: Intel Xeon Platinum 8000 series (Skylake-SP / Cascade Lake,
/// 8175M / 8259CL), all-core turbo up to 3.1 GHz. t3 burst credits are not modelled: a t3 runs at
/// this speed throughout.
pub const SKYLAKE: Speed =
    Speed { processor: "Intel Xeon Platinum 8175M / 8259CL", all_core_ghz: 3.1, core_factor: 1.0, speed: 1.0 };
/// c5: Intel Xeon Platinum 8124M / 8275CL, all-core turbo 3.4 GHz (first generation; later hosts
/// reach 3.6 GHz, which ecsim does not count).
pub const C5: Speed =
    Speed { processor: "Intel Xeon Platinum 8124M / 8275CL", all_core_ghz: 3.4, core_factor: 1.0, speed: 1.1 };
/// m6i / c6i: 3rd generation Xeon Scalable (Ice Lake 8375C), all-core turbo 3.5 GHz.
pub const ICE_LAKE: Speed =
    Speed { processor: "Intel Xeon Platinum 8375C", all_core_ghz: 3.5, core_factor: 1.0, speed: 1.13 };
/// m7i: 4th generation Xeon Scalable (Sapphire Rapids 8488C), all-core turbo 3.2 GHz.
pub const M7I: Speed =
    Speed { processor: "Intel Xeon Platinum 8488C", all_core_ghz: 3.2, core_factor: 1.0, speed: 1.03 };
/// m6g: AWS Graviton2 (Arm Neoverse N1), 2.5 GHz.
pub const GRAVITON2: Speed = Speed { processor: "AWS Graviton2", all_core_ghz: 2.5, core_factor: 1.0, speed: 0.81 };
/// m7g: AWS Graviton3 (Arm Neoverse V1), 2.6 GHz, with the 1.25 factor over Graviton2.
pub const GRAVITON3: Speed = Speed { processor: "AWS Graviton3", all_core_ghz: 2.6, core_factor: 1.25, speed: 1.05 };

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

/// Looks a type up by its exact AWS name (lower case, as AWS spells it).
pub fn instance_type(name: &str) -> Option<&'static InstanceType> {
    INSTANCE_TYPES.iter().find(|t| t.name == name)
}

/// Every known name, in catalog order (for "did you mean" hints and docs).
pub fn instance_type_names() -> impl Iterator<Item = &'static str> {
    INSTANCE_TYPES.iter().map(|t| t.name)
}

const GIB: u32 = 1024;

/// Builds an x86_64 row (eight positional columns, so each line reads like a table row); positional so each table line reads like the table in §3.2.
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

/// The catalog, in the order of `docs/aws-behaviour.md` §3.2.
/// Columns: name, vCPU, memory, max ENIs, IPv4/ENI, trunked awsvpc task limit, $/hour, speed.
static INSTANCE_TYPES: &[InstanceType] = &[
    // Burstable: not trunk-capable, so awsvpc tasks = ENIs - 1.
    x86("t3.nano", 2, GIB / 2, 2, 2, None, 0.0052, SKYLAKE),
    x86("t3.micro", 2, GIB, 2, 2, None, 0.0104, SKYLAKE),
    x86("t3.small", 2, 2 * GIB, 3, 4, None, 0.0208, SKYLAKE),
    x86("t3.medium", 2, 4 * GIB, 3, 6, None, 0.0416, SKYLAKE),
    x86("t3.large", 2, 8 * GIB, 3, 12, None, 0.0832, SKYLAKE),
    x86("t3.xlarge", 4, 16 * GIB, 4, 15, None, 0.1664, SKYLAKE),
    x86("t3.2xlarge", 8, 32 * GIB, 4, 15, None, 0.3328, SKYLAKE),
    // General purpose: m5 and m6i share every figure in §3.2, price included.
    x86("m5.large", 2, 8 * GIB, 3, 10, Some(10), 0.096, SKYLAKE),
    x86("m6i.large", 2, 8 * GIB, 3, 10, Some(10), 0.096, ICE_LAKE),
    x86("m5.xlarge", 4, 16 * GIB, 4, 15, Some(20), 0.192, SKYLAKE),
    x86("m6i.xlarge", 4, 16 * GIB, 4, 15, Some(20), 0.192, ICE_LAKE),
    x86("m5.2xlarge", 8, 32 * GIB, 4, 15, Some(40), 0.384, SKYLAKE),
    x86("m6i.2xlarge", 8, 32 * GIB, 4, 15, Some(40), 0.384, ICE_LAKE),
    x86("m5.4xlarge", 16, 64 * GIB, 8, 30, Some(60), 0.768, SKYLAKE),
    x86("m6i.4xlarge", 16, 64 * GIB, 8, 30, Some(60), 0.768, ICE_LAKE),
    // Compute optimised.
    x86("c5.large", 2, 4 * GIB, 3, 10, Some(10), 0.085, C5),
    x86("c5.xlarge", 4, 8 * GIB, 4, 15, Some(20), 0.170, C5),
    x86("c5.2xlarge", 8, 16 * GIB, 4, 15, Some(40), 0.340, C5),
    x86("c5.4xlarge", 16, 32 * GIB, 8, 30, Some(60), 0.680, C5),
    // Memory optimised.
    x86("r5.large", 2, 16 * GIB, 3, 10, Some(10), 0.126, SKYLAKE),
    x86("r5.xlarge", 4, 32 * GIB, 4, 15, Some(20), 0.252, SKYLAKE),
    x86("r5.2xlarge", 8, 64 * GIB, 4, 15, Some(40), 0.504, SKYLAKE),
    x86("r5.4xlarge", 16, 128 * GIB, 8, 30, Some(60), 1.008, SKYLAKE),
    // Newer generations (§3.2 "Also"; prices [KARP]). Only their prices are sourced: the ENI
    // figures (3 ENIs, 10 IPv4/ENI, 10 trunked tasks) are assumed equal to m5.large, like the
    // other .large Nitro types — **UNVERIFIED**.
    arm64("m6g.large", 2, 8 * GIB, 3, 10, Some(10), 0.077, GRAVITON2),
    arm64("m7g.large", 2, 8 * GIB, 3, 10, Some(10), 0.0816, GRAVITON3),
    x86("m7i.large", 2, 8 * GIB, 3, 10, Some(10), 0.1008, M7I),
    x86("c6i.large", 2, 4 * GIB, 3, 10, Some(10), 0.085, ICE_LAKE),
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

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
        for t in INSTANCE_TYPES {
            assert!(t.vcpus > 0, "{}", t.name);
            assert!(t.memory_mib > 0, "{}", t.name);
            assert!(t.price_per_hour > 0.0, "{}", t.name);
            assert!(t.max_enis >= 2, "{}", t.name);
            assert!(t.ipv4_per_eni > 0, "{}", t.name);
            assert!(names.insert(t.name), "duplicate {}", t.name);
            assert_eq!(instance_type(t.name), Some(t));
        }
        assert_eq!(names.len(), 27);
        assert_eq!(instance_type_names().count(), 27);
    }

    #[test]
    fn doc_table_spot_checks() {
        let r5 = get("r5.4xlarge");
        assert_eq!((r5.vcpus, r5.memory_mib), (16, 128 * 1024));
        assert_eq!(r5.price_per_hour, 1.008);
        assert_eq!(get("t3.nano").memory_mib, 512);
        let m6i = InstanceType { name: "m6i.xlarge", speed: ICE_LAKE.speed, ..get("m5.xlarge").clone() };
        assert_eq!(get("m6i.xlarge"), &m6i);
        assert_eq!(get("m6g.large").architecture, CpuArchitecture::Arm64);
        assert_eq!(get("m7g.large").architecture.as_str(), "arm64");
        assert_eq!(get("m7i.large").architecture.as_str(), "x86_64");
        assert_eq!(get("c6i.large").memory_mib, 4096);
        assert_eq!(instance_type_names().next(), Some("t3.nano"));
    }

    #[test]
    fn speeds_follow_the_clock_rule() {
        for s in [SKYLAKE, C5, ICE_LAKE, M7I, GRAVITON2, GRAVITON3] {
            let rule = (s.all_core_ghz / REFERENCE_GHZ * s.core_factor * 100.0).round() / 100.0;
            assert_eq!(s.speed, rule, "{}", s.processor);
        }
        assert_eq!(get("m5.large").speed, 1.0);
        // 3.4 / 3.1 = 1.097 -> 1.10; 2.5 / 3.1 = 0.806 -> 0.81.
        assert_eq!(get("c5.xlarge").speed, 1.1);
        assert_eq!(get("m6g.large").speed, 0.81);
        assert!(INSTANCE_TYPES.iter().all(|t| t.speed > 0.0));
    }

    #[test]
    fn lookup_is_exact() {
        assert!(instance_type("M5.LARGE").is_none());
        assert!(instance_type("m5.larg").is_none());
        assert!(instance_type("").is_none());
    }
}
