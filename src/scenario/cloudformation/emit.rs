//! The imported scenario as YAML a person reads and edits: a header saying which template,
//! parameters and region it came from and which resources were left out and why, then each part
//! under its section with a comment naming the resources (and template lines) it came from. Empty
//! and unset fields are not written.

use std::fmt::Write as _;

use serde::Serialize;
use serde_yaml::Value;

use super::template::Template;
use super::{Entry, ImportOptions, Mapper};
use crate::scenario::source_map::SourceMap;

/// How long the scenario simulates: the template has no such thing.
const DURATION: &str = "1h";

pub fn scenario(template: &Template, mapper: &Mapper, options: &ImportOptions, map: &SourceMap) -> String {
    let out = &mapper.out;
    let mut y = String::new();
    let file = options.file;
    let _ = writeln!(y, "# Imported from the CloudFormation template {file} by `ecsim import cloudformation`.");
    if !template.parameters.is_empty() {
        let _ = writeln!(y, "# Parameters:");
        for (name, value, source) in &template.parameters {
            let _ = writeln!(y, "#   {name} = {value} ({source})");
        }
    }
    let _ = writeln!(
        y,
        "# Region {} (AWS::Region; change it with --param AWS::Region=...); ARNs use account {}.",
        template.names.region,
        super::names::ACCOUNT
    );
    for (id, kind, condition) in &template.skipped {
        let _ = writeln!(y, "# Not created (condition {condition} is false): {id} ({kind})");
    }
    for name in &template.imports {
        let _ = writeln!(y, "# Fn::ImportValue {name} is another stack's output: written as `imported:{name}`");
    }
    if !mapper.left_out.is_empty() {
        let _ = writeln!(y, "#\n# Left out (not simulated):");
        for (id, kind, why) in &mapper.left_out {
            let _ = writeln!(y, "#   {id} ({kind}): {why}");
        }
    }
    let _ = writeln!(y, "\nname: {}", scalar(options.stack));
    let _ = writeln!(y, "duration: {DURATION}  # not in the template: how long to simulate");
    let (zones, from) = zones(mapper, &template.names.region);
    let _ = writeln!(y, "zones: [{}]  # {from}", zones.join(", "));
    let origin = |e: &[(String, String)]| -> String {
        e.iter()
            .map(|(id, kind)| match map.line_of(&format!("Resources.{id}")) {
                Some(line) => format!("{id} ({kind}, line {line})"),
                None => format!("{id} ({kind})"),
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    section(&mut y, "task_definitions", &out.task_definitions, &origin);
    section(&mut y, "capacity_providers", &out.capacity_providers, &origin);
    if let Some(strategy) = &out.default_strategy {
        let _ = writeln!(y, "\n# from {}", origin(&strategy.from));
        y.push_str(&yaml_of(&strategy.key, &strategy.value, 0));
    }
    section(&mut y, "load_balancers", &out.load_balancers, &origin);
    section(&mut y, "services", &out.services, &origin);
    if out.services.iter().any(|s| s.value.load_balancer.is_some()) {
        let _ = writeln!(
            y,
            "\n# The template says nothing of the traffic: add `traffic:` (README: Load balancers and traffic)\n\
             # and each service's `requests:` to send requests to the load balancers."
        );
    }
    y
}

/// Names the resources a part came from.
type Origin<'a> = dyn Fn(&[(String, String)]) -> String + 'a;

/// `key:` and its entries, each under a comment naming its resources.
fn section<T: Serialize>(y: &mut String, key: &str, entries: &[Entry<T>], origin: &Origin) {
    if entries.is_empty() {
        return;
    }
    let _ = writeln!(y, "\n{key}:");
    for e in entries {
        let _ = writeln!(y, "  # from {}", origin(&e.from));
        if let Some(note) = &e.note {
            let _ = writeln!(y, "  # {note}");
        }
        y.push_str(&yaml_of(&e.key, &e.value, 2));
    }
}

/// `key: value` as block YAML indented by `indent`, without nulls and empty collections.
fn yaml_of<T: Serialize>(key: &str, value: &T, indent: usize) -> String {
    let mut v = serde_yaml::to_value(value).expect("the raw scenario serialises");
    prune(&mut v);
    let mut m = serde_yaml::Mapping::new();
    m.insert(Value::String(key.to_string()), v);
    let text = serde_yaml::to_string(&m).expect("YAML values serialise");
    let pad = " ".repeat(indent);
    text.lines().map(|l| format!("{pad}{l}\n")).collect()
}

/// Removes nulls, empty lists and empty maps (fields the scenario leaves to their defaults).
fn prune(v: &mut Value) {
    match v {
        Value::Mapping(m) => {
            for (_, child) in m.iter_mut() {
                prune(child);
            }
            m.retain(|_, child| !empty(child));
        }
        Value::Sequence(items) => items.iter_mut().for_each(prune),
        _ => {}
    }
}

fn empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Mapping(m) => m.is_empty(),
        Value::Sequence(s) => s.is_empty(),
        _ => false,
    }
}

/// The scenario's zones: the groups' `AvailabilityZones`, else three of the region's.
fn zones(mapper: &Mapper, region: &str) -> (Vec<String>, String) {
    let mut zones: Vec<String> = Vec::new();
    for cp in &mapper.out.capacity_providers {
        for z in cp.value.auto_scaling_group.availability_zones.iter().flatten() {
            if !zones.contains(z) {
                zones.push(z.clone());
            }
        }
    }
    if zones.is_empty() {
        let zones = ["a", "b", "c"].iter().map(|z| format!("{region}{z}")).collect();
        (zones, "not in the template (subnets name no zone): three zones of the region".into())
    } else {
        (zones, "the Auto Scaling groups' AvailabilityZones".into())
    }
}

/// A string as a YAML scalar (quoted when plain would change its meaning).
fn scalar(s: &str) -> String {
    serde_yaml::to_string(s).map(|t| t.trim_end().to_string()).unwrap_or_else(|_| format!("{s:?}"))
}
