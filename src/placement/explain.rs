//! Placement explanations in words: what was filtered out and why the chosen instance won.

use std::collections::BTreeMap;

use crate::capacity::Instance;

use super::{PlacementStrategy, Rejection, Request, Resource, SpreadField, MAX_RESERVED_PORTS};

impl Rejection {
    /// A short name for counts ("2 memory, 1 memberOf").
    pub fn label(&self) -> String {
        match self {
            Rejection::Architecture => "CPU architecture".to_string(),
            Rejection::Cpu => "CPU".to_string(),
            Rejection::Memory => "memory".to_string(),
            Rejection::Port(p) => format!("port {p}"),
            Rejection::PortLimit => "reserved port limit".to_string(),
            Rejection::Eni => "ENI".to_string(),
            Rejection::DistinctInstance => "distinctInstance".to_string(),
            Rejection::MemberOf(e) => format!("memberOf({e})"),
        }
    }

    /// ECS's wording after "The closest matching container-instance i-… ".
    pub fn sentence(&self) -> String {
        match self {
            Rejection::Architecture => "does not have the CPU architecture the task definition requires.".to_string(),
            Rejection::Cpu => "has insufficient CPU units available.".to_string(),
            Rejection::Memory => "has insufficient memory available.".to_string(),
            Rejection::Port(p) => format!("is already using a port required by your task (port {p})."),
            Rejection::PortLimit => format!("has reached the limit of {MAX_RESERVED_PORTS} reserved ports."),
            Rejection::Eni => "has no elastic network interface available for another awsvpc task.".to_string(),
            Rejection::DistinctInstance => "already runs a task of this group (distinctInstance).".to_string(),
            Rejection::MemberOf(e) => format!("does not satisfy the placement constraint memberOf({e})."),
        }
    }
}

/// "12 instances rejected: 8 memory, 4 memberOf(...)".
fn filtered(counts: &BTreeMap<Rejection, u32>) -> String {
    let total: u32 = counts.values().sum();
    if total == 0 {
        return "none filtered out".to_string();
    }
    let parts: Vec<String> = counts.iter().map(|(r, n)| format!("{n} {}", r.label())).collect();
    format!("{total} filtered out ({})", parts.join(", "))
}

/// The sentence a placement failure adds: how many instances each rule filtered out.
pub fn describe_failure(counts: &BTreeMap<Rejection, u32>) -> String {
    format!("Instances {}.", filtered(counts))
}

/// "placed on i-00003 (us-east-1b, m5.large): 9 candidates, 3 filtered out (3 memory); spread
/// attribute:ecs.availability-zone: 2 tasks of the group share its value; binpack memory: 1024 MiB left".
pub fn describe_choice(
    request: &Request,
    chosen: &Instance,
    key: &[u64],
    candidates: usize,
    counts: &BTreeMap<Rejection, u32>,
) -> String {
    let zone = chosen.attributes.get(super::AZ_ATTRIBUTE).map_or("no zone", String::as_str);
    let mut out = format!(
        "placed on {} ({zone}, {}): {candidates} candidate{}, {}",
        chosen.label(),
        chosen.type_name(),
        if candidates == 1 { "" } else { "s" },
        filtered(counts)
    );
    for (strategy, value) in request.strategies.iter().zip(key) {
        let reason = match strategy {
            PlacementStrategy::Binpack(Resource::Cpu) => format!("binpack cpu: {value} CPU units left (least)"),
            PlacementStrategy::Binpack(Resource::Memory) => format!("binpack memory: {value} MiB left (least)"),
            PlacementStrategy::Spread(SpreadField::Instance) => {
                format!("spread instanceId: {value} task(s) of the group on it (fewest)")
            }
            PlacementStrategy::Spread(SpreadField::Attribute(a)) => {
                let v = chosen.attributes.get(a).map_or("(none)", String::as_str);
                format!("spread attribute:{a}: {value} task(s) of the group in {v} (fewest)")
            }
            PlacementStrategy::Random => "random".to_string(),
        };
        out.push_str("; ");
        out.push_str(&reason);
    }
    out
}
