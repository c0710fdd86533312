//! EC2 instance types that ECS container instances commonly run on.
//!
//! Sources, per `docs/aws-behaviour.md` §3.2: vCPU and memory are standard EC2 specs; maximum
//! ENIs and IPv4 addresses per ENI come from EC2 DescribeInstanceTypes via the VPC CNI \[CNI];
//! awsvpc task limits with ENI trunking come from the ECS trunking table \[DG23:Elastic network
//! interface trunking]; prices are Linux on-demand, us-east-1, generated 2026-07-20 \[KARP].

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
}

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

/// Builds an x86_64 row; positional so each table line reads like the table in §3.2.
const fn x86(
    name: &'static str,
    vcpus: u32,
    memory_mib: u32,
    max_enis: u32,
    ipv4_per_eni: u32,
    trunk_task_limit: Option<u32>,
    price_per_hour: f64,
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
    }
}

/// Builds an arm64 (Graviton) row.
const fn arm64(
    name: &'static str,
    vcpus: u32,
    memory_mib: u32,
    max_enis: u32,
    ipv4_per_eni: u32,
    trunk_task_limit: Option<u32>,
    price_per_hour: f64,
) -> InstanceType {
    InstanceType {
        architecture: CpuArchitecture::Arm64,
        ..x86(name, vcpus, memory_mib, max_enis, ipv4_per_eni, trunk_task_limit, price_per_hour)
    }
}

/// The catalog, in the order of `docs/aws-behaviour.md` §3.2.
/// Columns: name, vCPU, memory, max ENIs, IPv4/ENI, trunked awsvpc task limit, $/hour.
static INSTANCE_TYPES: &[InstanceType] = &[
    // Burstable: not trunk-capable, so awsvpc tasks = ENIs - 1.
    x86("t3.nano", 2, GIB / 2, 2, 2, None, 0.0052),
    x86("t3.micro", 2, GIB, 2, 2, None, 0.0104),
    x86("t3.small", 2, 2 * GIB, 3, 4, None, 0.0208),
    x86("t3.medium", 2, 4 * GIB, 3, 6, None, 0.0416),
    x86("t3.large", 2, 8 * GIB, 3, 12, None, 0.0832),
    x86("t3.xlarge", 4, 16 * GIB, 4, 15, None, 0.1664),
    x86("t3.2xlarge", 8, 32 * GIB, 4, 15, None, 0.3328),
    // General purpose: m5 and m6i share every figure in §3.2, price included.
    x86("m5.large", 2, 8 * GIB, 3, 10, Some(10), 0.096),
    x86("m6i.large", 2, 8 * GIB, 3, 10, Some(10), 0.096),
    x86("m5.xlarge", 4, 16 * GIB, 4, 15, Some(20), 0.192),
    x86("m6i.xlarge", 4, 16 * GIB, 4, 15, Some(20), 0.192),
    x86("m5.2xlarge", 8, 32 * GIB, 4, 15, Some(40), 0.384),
    x86("m6i.2xlarge", 8, 32 * GIB, 4, 15, Some(40), 0.384),
    x86("m5.4xlarge", 16, 64 * GIB, 8, 30, Some(60), 0.768),
    x86("m6i.4xlarge", 16, 64 * GIB, 8, 30, Some(60), 0.768),
    // Compute optimised.
    x86("c5.large", 2, 4 * GIB, 3, 10, Some(10), 0.085),
    x86("c5.xlarge", 4, 8 * GIB, 4, 15, Some(20), 0.170),
    x86("c5.2xlarge", 8, 16 * GIB, 4, 15, Some(40), 0.340),
    x86("c5.4xlarge", 16, 32 * GIB, 8, 30, Some(60), 0.680),
    // Memory optimised.
    x86("r5.large", 2, 16 * GIB, 3, 10, Some(10), 0.126),
    x86("r5.xlarge", 4, 32 * GIB, 4, 15, Some(20), 0.252),
    x86("r5.2xlarge", 8, 64 * GIB, 4, 15, Some(40), 0.504),
    x86("r5.4xlarge", 16, 128 * GIB, 8, 30, Some(60), 1.008),
    // Newer generations (§3.2 "Also"; prices [KARP]). Only their prices are sourced: the ENI
    // figures (3 ENIs, 10 IPv4/ENI, 10 trunked tasks) are assumed equal to m5.large, like the
    // other .large Nitro types — **UNVERIFIED**.
    arm64("m6g.large", 2, 8 * GIB, 3, 10, Some(10), 0.077),
    arm64("m7g.large", 2, 8 * GIB, 3, 10, Some(10), 0.0816),
    x86("m7i.large", 2, 8 * GIB, 3, 10, Some(10), 0.1008),
    x86("c6i.large", 2, 4 * GIB, 3, 10, Some(10), 0.085),
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
        assert_eq!(get("m6i.xlarge"), &InstanceType { name: "m6i.xlarge", ..get("m5.xlarge").clone() });
        assert_eq!(get("m6g.large").architecture, CpuArchitecture::Arm64);
        assert_eq!(get("m7g.large").architecture.as_str(), "arm64");
        assert_eq!(get("m7i.large").architecture.as_str(), "x86_64");
        assert_eq!(get("c6i.large").memory_mib, 4096);
        assert_eq!(instance_type_names().next(), Some("t3.nano"));
    }

    #[test]
    fn lookup_is_exact() {
        assert!(instance_type("M5.LARGE").is_none());
        assert!(instance_type("m5.larg").is_none());
        assert!(instance_type("").is_none());
    }
}
