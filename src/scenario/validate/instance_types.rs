//! `instance_types:`: instance types the catalog lacks, defined by the scenario with the
//! catalog's columns. Each field is checked against the range AWS's types span; a defined type is
//! then usable everywhere a catalog type is (capacity providers, `pricing:`, `speed:`).

use std::collections::BTreeMap;

use crate::catalog::{define_instance_type, instance_type, CpuArchitecture, InstanceType};
use crate::scenario::path::Path;
use crate::scenario::schema::RawInstanceType;

use super::checker::Checker;
use super::pricing::price;
use super::speeds::speed;

/// vCPUs of the largest EC2 instances (u7in-32tb.224xlarge: 896), rounded up.
const MAX_VCPUS: i64 = 1024;
/// Memory of the largest EC2 instances (32 TiB), MiB.
const MAX_MEMORY_MIB: i64 = 32 * 1024 * 1024;
/// Network interfaces beyond any EC2 type's (the largest attach well under 200).
const MAX_ENIS: i64 = 200;
/// Private IPv4 addresses per interface: 50 on the largest types.
const MAX_IPV4_PER_ENI: i64 = 50;
/// The highest awsvpc task limit in the ECS trunking table.
const MAX_TRUNK_TASKS: i64 = 120;

/// The scenario's types by name, each checked field by field; a bad one is reported and left out
/// (the scenario is rejected anyway).
pub fn check(c: &mut Checker, raw: &BTreeMap<String, RawInstanceType>) -> BTreeMap<String, &'static InstanceType> {
    let root = Path::root("instance_types");
    let mut defined = BTreeMap::new();
    for (name, t) in raw {
        let path = root.key(name);
        if let Some(itype) = one(c, &path, name, t) {
            defined.insert(name.clone(), itype);
        }
    }
    defined
}

fn one(c: &mut Checker, path: &Path, name: &str, t: &RawInstanceType) -> Option<&'static InstanceType> {
    if let Some(known) = instance_type(name) {
        let hint = format!(
            "the catalog has {name} (price {}, speed {}); change those with `pricing.instance_types` and \
             `speed.instance_types`",
            known.price_per_hour, known.speed
        );
        c.error(path, &format!("`{name}` is already in the catalog"), Some(&hint));
        return None;
    }
    if name.is_empty() || name.chars().any(|ch| ch.is_whitespace() || ch.is_uppercase()) {
        c.error(
            path,
            &format!("`{name}` is not an instance type name"),
            Some("write AWS's name, e.g. `x2iedn.xlarge`"),
        );
        return None;
    }
    let vcpus = c.int_in(&path.field("vcpus"), t.vcpus, 1, MAX_VCPUS);
    let memory_mib = c.int_in(&path.field("memory_mib"), t.memory_mib, 1, MAX_MEMORY_MIB);
    let max_enis = c.int_in(&path.field("max_enis"), t.max_enis, 2, MAX_ENIS);
    let ipv4_per_eni = c.int_in(&path.field("ipv4_per_eni"), t.ipv4_per_eni, 1, MAX_IPV4_PER_ENI);
    // Trunking only ever raises the limit above the plain ENIs - 1.
    let trunk = match (t.trunk_task_limit, max_enis) {
        (None, _) => Some(None),
        (Some(limit), Some(enis)) => {
            c.int_in(&path.field("trunk_task_limit"), limit, i64::from(enis) - 1, MAX_TRUNK_TASKS).map(Some)
        }
        (Some(_), None) => None,
    };
    let usd = price(c, &path.field("price_per_hour"), t.price_per_hour, "USD per instance-hour, on-demand");
    let architecture = match t.architecture.as_str() {
        "x86_64" | "X86_64" => Some(CpuArchitecture::X86_64),
        "arm64" | "ARM64" => Some(CpuArchitecture::Arm64),
        other => {
            let message = format!("unknown architecture `{other}`");
            c.error(&path.field("architecture"), &message, Some("expected `x86_64` or `arm64`"));
            None
        }
    };
    let hint = "per-vCPU speed relative to an m5 (1.0); `ecsim catalog instances` shows the catalog's";
    let speed = speed(c, &path.field("speed"), t.speed, hint);
    Some(define_instance_type(name, vcpus?, memory_mib?, max_enis?, ipv4_per_eni?, trunk?, usd?, architecture?, speed?))
}
