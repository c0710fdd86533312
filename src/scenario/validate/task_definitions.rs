//! `task_definitions:` — containers, CPU and memory as ECS accepts them for EC2 (aws-behaviour.md
//! §1.1). Fargate's stricter rules depend on where a service runs its tasks, so `services` checks
//! them through [`check_fargate`].

use std::collections::{BTreeMap, BTreeSet};

use super::checker::Checker;
use crate::catalog::fargate;
use crate::engine::{DurationDist, SimDuration};
use crate::scenario::schema::{RawContainerDefinition, RawPortMapping, RawTaskDefinition};
use crate::scenario::values::Scalar;
use crate::task::{ContainerDefinition, NetworkMode, PortMapping, TaskDefinition};

/// Task-level CPU bounds on EC2: 0.125 to 192 vCPU.
const TASK_CPU_RANGE: (i64, i64) = (128, 196_608);
/// Docker >= 20.10 refuses containers with less memory.
const MIN_CONTAINER_MEMORY_MIB: i64 = 6;
const DEFAULT_STOP_TIMEOUT: SimDuration = SimDuration::from_secs(30);
const FARGATE_MAX_STOP_TIMEOUT: SimDuration = SimDuration::from_secs(120);
/// Assumed compressed image size when the scenario gives none (a small web service image).
const DEFAULT_IMAGE_SIZE_MB: f64 = 100.0;
const DEFAULT_START_TIME: SimDuration = SimDuration::from_secs(1);
const DEFAULT_STOP_TIME: SimDuration = SimDuration::from_secs(1);

/// Checks every task definition; returns those that are valid, by name.
pub fn check(c: &mut Checker, raw: &BTreeMap<String, RawTaskDefinition>) -> Vec<(String, TaskDefinition)> {
    raw.iter()
        .filter_map(|(name, td)| Some((name.clone(), check_one(c, &format!("task_definitions.{name}"), name, td)?)))
        .collect()
}

fn check_one(c: &mut Checker, path: &str, family: &str, raw: &RawTaskDefinition) -> Option<TaskDefinition> {
    let cpu = raw.cpu.as_ref().map(|v| cpu_units(c, &format!("{path}.cpu"), v));
    let memory = raw.memory.as_ref().map(|v| memory_mib(c, &format!("{path}.memory"), v));
    let network_mode = raw.network_mode.unwrap_or(NetworkMode::Bridge);
    if raw.container_definitions.is_empty() {
        c.error(&format!("{path}.container_definitions"), "a task definition needs at least one container", None);
    }
    let containers: Vec<_> = raw
        .container_definitions
        .iter()
        .enumerate()
        .map(|(i, cd)| container(c, &format!("{path}.container_definitions[{i}]"), cd, network_mode))
        .collect();
    // Outer None: not given (fine); inner None: given but invalid (already reported).
    let (cpu, memory) = (cpu.map_or(Some(None), |v| v.map(Some))?, memory.map_or(Some(None), |v| v.map(Some))?);
    let containers: Vec<_> = containers.into_iter().collect::<Option<_>>()?;
    let td = TaskDefinition { family: family.to_string(), cpu, memory, network_mode, containers };
    check_container_set(c, path, &td).then_some(td)
}

/// Rules that span the containers of one definition.
fn check_container_set(c: &mut Checker, path: &str, td: &TaskDefinition) -> bool {
    let before = c.error_count();
    let containers = format!("{path}.container_definitions");
    let mut names = BTreeSet::new();
    for (i, cd) in td.containers.iter().enumerate() {
        if !names.insert(&cd.name) {
            c.error(&format!("{containers}[{i}].name"), &format!("container name `{}` is used twice", cd.name), None);
        }
        if td.memory.is_none() && cd.memory.is_none() && cd.memory_reservation.is_none() {
            c.error(
                &format!("{containers}[{i}]"),
                &format!("container `{}` has no memory and the task has no task-level memory", cd.name),
                Some("set `memory` or `memory_reservation` on the container, or `memory` on the task definition"),
            );
        }
    }
    if !td.containers.is_empty() && !td.containers.iter().any(|cd| cd.essential) {
        c.error(
            &containers,
            "at least one container must be essential",
            Some("remove `essential: false` from the main container"),
        );
    }
    let container_cpu: u32 = td.containers.iter().map(|cd| cd.cpu).sum();
    if let Some(cpu) = td.cpu.filter(|&cpu| container_cpu > cpu) {
        c.error(
            &format!("{path}.cpu"),
            &format!("the containers' cpu adds up to {container_cpu}, more than the task's {cpu}"),
            None,
        );
    }
    for (i, cd) in td.containers.iter().enumerate() {
        if let (Some(task), Some(mem)) = (td.memory, cd.memory.or(cd.memory_reservation)) {
            if mem > task {
                c.error(
                    &format!("{containers}[{i}]"),
                    &format!("container `{}` asks for {mem} MiB, more than the task's {task} MiB", cd.name),
                    None,
                );
            }
        }
    }
    c.error_count() == before
}

fn container(
    c: &mut Checker,
    path: &str,
    raw: &RawContainerDefinition,
    mode: NetworkMode,
) -> Option<ContainerDefinition> {
    let before = c.error_count();
    let cpu = c.count(&format!("{path}.cpu"), raw.cpu.unwrap_or(0));
    let memory =
        raw.memory.map(|m| c.int_in(&format!("{path}.memory"), m, MIN_CONTAINER_MEMORY_MIB, i64::from(u32::MAX)));
    let reservation = raw
        .memory_reservation
        .map(|m| c.int_in(&format!("{path}.memory_reservation"), m, MIN_CONTAINER_MEMORY_MIB, i64::from(u32::MAX)));
    if let (Some(m), Some(r)) = (raw.memory, raw.memory_reservation) {
        if r >= m {
            c.error(
                &format!("{path}.memory_reservation"),
                &format!("the soft limit ({r} MiB) must be lower than the hard limit `memory` ({m} MiB)"),
                None,
            );
        }
    }
    let image_size_mb = raw.image_size_mb.unwrap_or(DEFAULT_IMAGE_SIZE_MB);
    if !(image_size_mb.is_finite() && image_size_mb >= 0.0) {
        c.error(&format!("{path}.image_size_mb"), &format!("{image_size_mb} must be a number >= 0 (MB)"), None);
    }
    let port_mappings: Vec<_> = raw
        .port_mappings
        .iter()
        .enumerate()
        .map(|(i, p)| port_mapping(c, &format!("{path}.port_mappings[{i}]"), p, mode))
        .collect();
    let dist = |c: &mut Checker, field: &str, raw: &Option<_>, default| match raw {
        Some(d) => c.distribution(&format!("{path}.{field}"), d),
        None => Some(DurationDist::constant(default)),
    };
    let start_time = dist(c, "start_time", &raw.start_time, DEFAULT_START_TIME);
    let stop_time = dist(c, "stop_time", &raw.stop_time, DEFAULT_STOP_TIME);
    let stop_timeout = raw
        .stop_timeout
        .as_ref()
        .map_or(Some(DEFAULT_STOP_TIMEOUT), |t| c.duration(&format!("{path}.stop_timeout"), t));
    if c.error_count() != before {
        return None;
    }
    Some(ContainerDefinition {
        name: raw.name.clone(),
        image: raw.image.clone(),
        image_size_mb,
        cpu: cpu?,
        memory: memory.flatten(),
        memory_reservation: reservation.flatten(),
        essential: raw.essential.unwrap_or(true),
        port_mappings: port_mappings.into_iter().collect::<Option<_>>()?,
        start_time: start_time?,
        stop_time: stop_time?,
        stop_timeout: stop_timeout?,
    })
}

fn port_mapping(c: &mut Checker, path: &str, raw: &RawPortMapping, mode: NetworkMode) -> Option<PortMapping> {
    let container_port = c.int_in(&format!("{path}.container_port"), raw.container_port, 1, 65_535);
    let host_port = match raw.host_port {
        None | Some(0) => None,
        Some(p) => c.int_in(&format!("{path}.host_port"), p, 1, 65_535),
    };
    let container_port = u16::try_from(container_port?).ok()?;
    let host_port = host_port.and_then(|p| u16::try_from(p).ok());
    if matches!(mode, NetworkMode::Host | NetworkMode::Awsvpc) && host_port.is_some_and(|h| h != container_port) {
        c.error(
            &format!("{path}.host_port"),
            &format!("in {mode:?} mode the host port must equal the container port ({container_port})").to_lowercase(),
            Some("omit `host_port`, or set it to the container port"),
        );
        return None;
    }
    Some(PortMapping { container_port, host_port })
}

/// Task CPU: units, or AWS's `"N vCPU"` form.
fn cpu_units(c: &mut Checker, path: &str, raw: &Scalar) -> Option<u32> {
    let hint = "write CPU units (1024 = 1 vCPU), e.g. `512`, or `\"0.5 vCPU\"`";
    aws_quantity(c, path, raw, ("vcpu", 1024.0), TASK_CPU_RANGE, ("CPU amount", hint))
}

/// Task memory: MiB, or AWS's `"N GB"` form.
fn memory_mib(c: &mut Checker, path: &str, raw: &Scalar) -> Option<u32> {
    let range = (MIN_CONTAINER_MEMORY_MIB, i64::from(u32::MAX));
    aws_quantity(c, path, raw, ("gb", 1024.0), range, ("memory amount", "write MiB, e.g. `1024`, or `\"1 GB\"`"))
}

/// A whole number of base units, written plainly or with AWS's larger unit (`(suffix, factor)`).
fn aws_quantity(
    c: &mut Checker,
    path: &str,
    raw: &Scalar,
    (suffix, factor): (&str, f64),
    (min, max): (i64, i64),
    (what, hint): (&str, &str),
) -> Option<u32> {
    let text = raw.0.trim();
    let amount = match text.to_lowercase().strip_suffix(suffix) {
        Some(v) => v.trim().parse::<f64>().ok().map(|v| v * factor),
        None => text.parse::<f64>().ok(),
    };
    match amount {
        Some(a) if a.fract() == 0.0 => c.int_in(path, a as i64, min, max),
        _ => {
            c.error(path, &format!("`{text}` is not a {what}"), Some(hint));
            None
        }
    }
}

/// Fargate's rules for a task definition that `service` runs on Fargate (aws-behaviour.md §1.3, §2.1).
pub fn check_fargate(c: &mut Checker, family: &str, td: &TaskDefinition, service: &str) {
    let path = format!("task_definitions.{family}");
    let why = format!("service `{service}` runs it on Fargate");
    if td.network_mode != NetworkMode::Awsvpc {
        c.error(
            &format!("{path}.network_mode"),
            &format!("Fargate requires network_mode awsvpc ({why})"),
            Some("set `network_mode: awsvpc`"),
        );
    }
    match (td.cpu, td.memory) {
        (Some(cpu), Some(mem)) if !fargate::is_valid_size(cpu, mem) => {
            let nearest: Vec<String> = fargate::nearest_valid_sizes(cpu, mem)
                .into_iter()
                .map(|(c, m)| format!("cpu {c} / memory {m} ({})", fargate::describe_size(c, m)))
                .collect();
            c.error(
                &format!("{path}.cpu"),
                &format!("cpu {cpu} with memory {mem} is not a valid Fargate task size ({why})"),
                Some(&format!("nearest valid sizes: {}", nearest.join("; "))),
            );
        }
        (Some(_), Some(_)) => {}
        _ => c.error(
            &path,
            &format!("Fargate requires task-level `cpu` and `memory` ({why})"),
            Some("e.g. `cpu: 256` and `memory: 512`"),
        ),
    }
    for (i, cd) in td.containers.iter().enumerate() {
        if cd.stop_timeout > FARGATE_MAX_STOP_TIMEOUT {
            c.error(
                &format!("{path}.container_definitions[{i}].stop_timeout"),
                &format!("{} exceeds Fargate's maximum stop timeout of 120s ({why})", cd.stop_timeout),
                None,
            );
        }
    }
}
