//! `task_definitions:` — containers, CPU and memory as ECS accepts them for EC2 (aws-behaviour.md
//! §1.1). Fargate's stricter rules depend on where a service runs its tasks, so `services` checks
//! them through [`check_fargate`].

use crate::scenario::path::Path;
use std::collections::{BTreeMap, BTreeSet};

use super::checker::Checker;
use super::names::{Checked, Names, Table};
use crate::catalog::fargate;
use crate::engine::{DurationDist, SimDuration};
use crate::ids::TaskDefId;
use crate::scenario::schema::{RawContainerDefinition, RawHealthCheck, RawPortMapping, RawTaskDefinition};
use crate::scenario::values::Scalar;
use crate::task::{
    Compatibility, ContainerBehaviour, ContainerDefinition, DependencyCondition, HealthCheck, NetworkMode, PortMapping,
    Protocol, TaskDefinition,
};

/// Task-level CPU bounds on EC2: 0.125 to 192 vCPU.
const TASK_CPU_RANGE: (i64, i64) = (128, 196_608);
/// Docker >= 20.10 refuses containers with less memory.
const MIN_CONTAINER_MEMORY_MIB: i64 = 6;
const FARGATE_MAX_STOP_TIMEOUT: SimDuration = SimDuration::from_secs(120);

/// Checks every task definition; the valid ones by id.
pub fn check(
    c: &mut Checker,
    names: &Names,
    raw: &BTreeMap<String, RawTaskDefinition>,
) -> Checked<TaskDefId, TaskDefinition> {
    let mut checked = Checked::new(&names.task_definitions);
    for (name, td) in raw {
        let id = names.task_definitions.get(name);
        if let (Some(id), Some(td)) = (id, check_one(c, &Path::root("task_definitions").key(name), name, td)) {
            checked.set(id, td);
        }
    }
    checked
}

fn check_one(c: &mut Checker, path: &Path, family: &str, raw: &RawTaskDefinition) -> Option<TaskDefinition> {
    let cpu = raw.cpu.as_ref().map(|v| cpu_units(c, &path.field("cpu"), v));
    let memory = raw.memory.as_ref().map(|v| memory_mib(c, &path.field("memory"), v));
    let mut requires_compatibilities: Vec<Compatibility> =
        raw.requires_compatibilities.iter().flatten().copied().collect();
    requires_compatibilities.sort();
    requires_compatibilities.dedup();
    // Fargate's definitions default to awsvpc in spirit, but ECS requires it to be written.
    let network_mode = raw.network_mode.unwrap_or(NetworkMode::Bridge);
    if let Some(os) = raw.runtime_platform.as_ref().and_then(|p| p.operating_system_family.as_deref()) {
        if os != "LINUX" {
            c.error(
                &path.field("runtime_platform").field("operating_system_family"),
                &format!("`{os}`: ecsim simulates Linux tasks only"),
                Some("use `LINUX`"),
            );
        }
    }
    let cpu_architecture = raw.runtime_platform.as_ref().and_then(|p| p.cpu_architecture);
    let placement_constraints = super::placement::constraints(
        c,
        &path.field("placement_constraints"),
        raw.placement_constraints.as_deref().unwrap_or_default(),
        true,
    );
    if raw.container_definitions.is_empty() {
        c.error(&path.field("container_definitions"), "a task definition needs at least one container", None);
    }
    let containers: Vec<_> = raw
        .container_definitions
        .iter()
        .enumerate()
        .map(|(i, cd)| container(c, &path.field("container_definitions").index(i), cd, network_mode))
        .collect();
    // Outer None: not given (fine); inner None: given but invalid (already reported).
    let (cpu, memory) = (cpu.map_or(Some(None), |v| v.map(Some))?, memory.map_or(Some(None), |v| v.map(Some))?);
    let containers: Vec<_> = containers.into_iter().collect::<Option<_>>()?;
    let mut td = TaskDefinition {
        family: family.to_string(),
        cpu,
        memory,
        network_mode,
        requires_compatibilities,
        cpu_architecture,
        placement_constraints: placement_constraints?,
        containers,
    };
    if !check_container_set(c, path, &td) {
        return None;
    }
    td.containers_depend_on(c, path, raw)?;
    if td.requires_compatibilities.contains(&Compatibility::Fargate) {
        check_fargate(c, family, &td, "its requiresCompatibilities include FARGATE");
    }
    Some(td)
}

impl TaskDefinition {
    /// Resolves `dependsOn` to container indexes: known names, no self-dependency, no cycle, and
    /// `HEALTHY` only on a container with a health check.
    fn containers_depend_on(&mut self, c: &mut Checker, path: &Path, raw: &RawTaskDefinition) -> Option<()> {
        let before = c.error_count();
        let names: Table<usize> = Table::new("container", self.containers.iter().map(|cd| cd.name.as_str()));
        let mut edges: Vec<Vec<(usize, DependencyCondition)>> = vec![Vec::new(); self.containers.len()];
        for (i, raw_cd) in raw.container_definitions.iter().enumerate() {
            for (j, dep) in raw_cd.depends_on.iter().flatten().enumerate() {
                let dpath = path.field("container_definitions").index(i).field("depends_on").index(j);
                let Some(target) = names.resolve(c, &dpath.field("container_name"), &dep.container_name) else {
                    continue;
                };
                if target == i {
                    c.error(&dpath.field("container_name"), "a container cannot depend on itself", None);
                    continue;
                }
                let condition = dep.condition;
                if condition == DependencyCondition::Healthy && self.containers[target].health_check.is_none() {
                    c.error(
                        &dpath.field("condition"),
                        &format!("HEALTHY needs a health check on `{}`", dep.container_name),
                        None,
                    );
                }
                edges[i].push((target, condition));
            }
        }
        if let Some(cycle_at) = first_cycle(&edges) {
            c.error(
                &path.field("container_definitions").index(cycle_at).field("depends_on"),
                "container dependencies form a cycle",
                None,
            );
        }
        for (cd, deps) in self.containers.iter_mut().zip(edges) {
            cd.depends_on = deps;
        }
        (c.error_count() == before).then_some(())
    }
}

/// The first container (by index) on a dependency cycle, if any (depth-first search).
fn first_cycle(edges: &[Vec<(usize, DependencyCondition)>]) -> Option<usize> {
    fn visit(n: usize, edges: &[Vec<(usize, DependencyCondition)>], state: &mut [u8]) -> bool {
        match state[n] {
            1 => return true,
            2 => return false,
            _ => {}
        }
        state[n] = 1;
        let cyclic = edges[n].iter().any(|(m, _)| visit(*m, edges, state));
        state[n] = 2;
        cyclic
    }
    let mut state = vec![0u8; edges.len()];
    (0..edges.len()).find(|&n| visit(n, edges, &mut state))
}

/// Rules that span the containers of one definition.
fn check_container_set(c: &mut Checker, path: &Path, td: &TaskDefinition) -> bool {
    let before = c.error_count();
    let containers = path.field("container_definitions");
    let mut names = BTreeSet::new();
    for (i, cd) in td.containers.iter().enumerate() {
        if !names.insert(&cd.name) {
            c.error(&containers.index(i).field("name"), &format!("container name `{}` is used twice", cd.name), None);
        }
        if td.memory.is_none() && cd.memory.is_none() && cd.memory_reservation.is_none() {
            c.error(
                &containers.index(i),
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
            &path.field("cpu"),
            &format!("the containers' cpu adds up to {container_cpu}, more than the task's {cpu}"),
            None,
        );
    }
    for (i, cd) in td.containers.iter().enumerate() {
        if let (Some(task), Some(mem)) = (td.memory, cd.memory.or(cd.memory_reservation)) {
            if mem > task {
                c.error(
                    &containers.index(i),
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
    path: &Path,
    raw: &RawContainerDefinition,
    mode: NetworkMode,
) -> Option<ContainerDefinition> {
    let before = c.error_count();
    if raw.image.is_none() {
        c.error(path, "missing field `image`", Some("every container names its image, e.g. `image: nginx:1.27`"));
    }
    let cpu = c.count(&path.field("cpu"), raw.cpu.unwrap_or(0));
    let memory = raw.memory.map(|m| c.int_in(&path.field("memory"), m, MIN_CONTAINER_MEMORY_MIB, i64::from(u32::MAX)));
    let reservation = raw
        .memory_reservation
        .map(|m| c.int_in(&path.field("memory_reservation"), m, MIN_CONTAINER_MEMORY_MIB, i64::from(u32::MAX)));
    if let (Some(m), Some(r)) = (raw.memory, raw.memory_reservation) {
        if r >= m {
            c.error(
                &path.field("memory_reservation"),
                &format!("the soft limit ({r} MiB) must be lower than the hard limit `memory` ({m} MiB)"),
                None,
            );
        }
    }
    let image_size_mb = raw.image_size_mb.unwrap_or(ContainerDefinition::DEFAULT_IMAGE_SIZE_MB);
    if !(image_size_mb.is_finite() && image_size_mb >= 0.0) {
        c.error(&path.field("image_size_mb"), &format!("{image_size_mb} must be a number >= 0 (MB)"), None);
    }
    let port_mappings: Vec<_> = raw
        .port_mappings
        .iter()
        .enumerate()
        .map(|(i, p)| port_mapping(c, &path.field("port_mappings").index(i), p, mode))
        .collect();
    let dist = |c: &mut Checker, field: &str, raw: &Option<_>, default| match raw {
        Some(d) => c.distribution(&path.field(field), d),
        None => Some(DurationDist::constant(default)),
    };
    let start_time = dist(c, "start_time", &raw.start_time, ContainerDefinition::DEFAULT_START_TIME);
    let stop_time = dist(c, "stop_time", &raw.stop_time, ContainerDefinition::DEFAULT_STOP_TIME);
    let stop_timeout = raw
        .stop_timeout
        .as_ref()
        .map_or(Some(ContainerDefinition::DEFAULT_STOP_TIMEOUT), |t| c.duration(&path.field("stop_timeout"), t));
    let health_check = raw.health_check.as_ref().map(|h| health_check(c, &path.field("health_check"), h));
    let behaviour = raw.behaviour.as_ref().map(|b| super::behaviour::check(c, &path.field("behaviour"), b));
    if c.error_count() != before {
        return None;
    }
    Some(ContainerDefinition {
        name: raw.name.clone(),
        image: raw.image.clone().unwrap_or_default(),
        image_size_mb,
        cpu: cpu?,
        memory: memory.flatten(),
        memory_reservation: reservation.flatten(),
        essential: raw.essential.unwrap_or(true),
        port_mappings: port_mappings.into_iter().collect::<Option<_>>()?,
        start_time: start_time?,
        stop_time: stop_time?,
        stop_timeout: stop_timeout?,
        health_check: health_check.map_or(Some(None), |h| h.map(Some))?,
        depends_on: Vec::new(),
        behaviour: behaviour.unwrap_or_else(|| Some(ContainerBehaviour::default()))?,
    })
}

/// A duration within `[min, max]` seconds, or the default when not given.
fn seconds_in(
    c: &mut Checker,
    path: &Path,
    raw: Option<&Scalar>,
    (min, max): (u64, u64),
    default: SimDuration,
) -> Option<SimDuration> {
    let Some(raw) = raw else { return Some(default) };
    let d = c.duration(path, raw)?;
    if d < SimDuration::from_secs(min) || d > SimDuration::from_secs(max) {
        c.error(path, &format!("{d} is out of range: ECS accepts {min}s to {max}s"), None);
        return None;
    }
    Some(d)
}

/// A container health check with ECS's ranges and defaults (aws-behaviour.md §1.3).
fn health_check(c: &mut Checker, path: &Path, raw: &RawHealthCheck) -> Option<HealthCheck> {
    if raw.command.is_empty() {
        c.error(
            &path.field("command"),
            "a health check needs a command",
            Some("e.g. `[CMD-SHELL, \"curl -f http://localhost/ || exit 1\"]`"),
        );
    }
    let interval =
        seconds_in(c, &path.field("interval"), raw.interval.as_ref(), (5, 300), HealthCheck::DEFAULT_INTERVAL);
    let timeout = seconds_in(c, &path.field("timeout"), raw.timeout.as_ref(), (2, 60), HealthCheck::DEFAULT_TIMEOUT);
    let retries =
        c.int_in(&path.field("retries"), raw.retries.map_or(i64::from(HealthCheck::DEFAULT_RETRIES), |r| r), 1, 10);
    let start_period = seconds_in(
        c,
        &path.field("start_period"),
        raw.start_period.as_ref(),
        (0, 300),
        HealthCheck::DEFAULT_START_PERIOD,
    );
    if raw.command.is_empty() {
        return None;
    }
    Some(HealthCheck {
        command: raw.command.clone(),
        interval: interval?,
        timeout: timeout?,
        retries: retries?,
        start_period: start_period?,
    })
}

fn port_mapping(c: &mut Checker, path: &Path, raw: &RawPortMapping, mode: NetworkMode) -> Option<PortMapping> {
    let container_port = c.int_in(&path.field("container_port"), raw.container_port, 1, 65_535);
    let host_port = match raw.host_port {
        None | Some(0) => None,
        Some(p) => c.int_in(&path.field("host_port"), p, 1, 65_535),
    };
    let container_port = u16::try_from(container_port?).ok()?;
    let host_port = host_port.and_then(|p| u16::try_from(p).ok());
    if matches!(mode, NetworkMode::Host | NetworkMode::Awsvpc) && host_port.is_some_and(|h| h != container_port) {
        c.error(
            &path.field("host_port"),
            &format!("in {mode:?} mode the host port must equal the container port ({container_port})").to_lowercase(),
            Some("omit `host_port`, or set it to the container port"),
        );
        return None;
    }
    let protocol = raw.protocol.unwrap_or(Protocol::Tcp);
    Some(PortMapping { protocol, container_port, host_port })
}

/// Task CPU: units, or AWS's `"N vCPU"` form.
fn cpu_units(c: &mut Checker, path: &Path, raw: &Scalar) -> Option<u32> {
    let hint = "write CPU units (1024 = 1 vCPU), e.g. `512`, or `\"0.5 vCPU\"`";
    aws_quantity(c, path, raw, ("vcpu", 1024.0), TASK_CPU_RANGE, ("CPU amount", hint))
}

/// Task memory: MiB, or AWS's `"N GB"` form.
fn memory_mib(c: &mut Checker, path: &Path, raw: &Scalar) -> Option<u32> {
    let range = (MIN_CONTAINER_MEMORY_MIB, i64::from(u32::MAX));
    aws_quantity(c, path, raw, ("gb", 1024.0), range, ("memory amount", "write MiB, e.g. `1024`, or `\"1 GB\"`"))
}

/// A whole number of base units, written plainly or with AWS's larger unit (`(suffix, factor)`).
pub(super) fn aws_quantity(
    c: &mut Checker,
    path: &Path,
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

/// Fargate's rules for a task definition that `who` runs on Fargate (aws-behaviour.md §1.3, §2.1).
pub fn check_fargate(c: &mut Checker, family: &str, td: &TaskDefinition, who: &str) {
    let path = Path::root("task_definitions").key(family);
    let why = if who.starts_with("its ") { who.to_string() } else { format!("{who} runs it on Fargate") };
    if td.network_mode != NetworkMode::Awsvpc {
        c.error(
            &path.field("network_mode"),
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
                &path.field("cpu"),
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
                &path.field("container_definitions").index(i).field("stop_timeout"),
                &format!("{} exceeds Fargate's maximum stop timeout of 120s ({why})", cd.stop_timeout),
                None,
            );
        }
    }
}
