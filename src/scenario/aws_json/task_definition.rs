//! AWS task definition JSON, exactly as the AWS CLI reads and prints it, into the scenario's raw
//! form: `task_definitions: { api: { import: taskdefs/api.json } }`.
//!
//! Two shapes are read: RegisterTaskDefinition input (`aws ecs register-task-definition
//! --cli-input-json`, and what the console's "JSON" tab shows) and DescribeTaskDefinition output
//! (`aws ecs describe-task-definition`, the definition under a `taskDefinition` key). Fields that
//! change what the simulation does are mapped; every other field of AWS's API is accepted and
//! ignored, from an explicit list of AWS's own names, so that a misspelt field is an error and is
//! never silently dropped. Problems carry the JSON path (`containerDefinitions[0].memory`) and
//! serde_json's line.
//!
//! AWS JSON has no image size: imported containers get the scenario's default `image_size_mb`. The
//! JSON's `family` is ignored too: the scenario's key names the definition.

use serde::de::{Error as _, IgnoredAny};
use serde::{Deserialize, Deserializer};

use super::{camel_case, seconds, PlacementConstraint};
use crate::catalog::CpuArchitecture;
use crate::scenario::diagnostics::{closest, Diagnostic};
use crate::scenario::load::{unknown_name_hint, without_first_position};
use crate::scenario::schema::{
    RawContainerDefinition, RawContainerDependency, RawHealthCheck, RawPortMapping, RawRuntimePlatform,
    RawTaskDefinition,
};
use crate::scenario::source_map::SourceMap;
use crate::scenario::values::Scalar;
use crate::task::{Compatibility, DependencyCondition, NetworkMode, Protocol};

/// Reads an AWS task definition as the AWS CLI writes it (register-task-definition input, or
/// describe-task-definition output with its `taskDefinition` wrapper) into the scenario's raw form.
/// `file` names the file in diagnostics.
pub fn parse_task_definition(text: &str, file: &str) -> Result<RawTaskDefinition, Vec<Diagnostic>> {
    let described = is_describe_output(text);
    let mut de = serde_json::Deserializer::from_str(text);
    let parsed = if described {
        serde_path_to_error::deserialize::<_, DescribeOutput>(&mut de).map(|d| d.task_definition)
    } else {
        serde_path_to_error::deserialize::<_, TaskDefinition>(&mut de)
    };
    let td = parsed.map_err(|e| vec![diagnostic(&e, file, described)])?;
    // Whatever follows the definition (a second document, a stray bracket) is a syntax error too.
    de.end().map_err(|e| {
        vec![Diagnostic {
            file: Some(file.to_string()),
            path: ".".into(),
            line: Some(e.line()),
            message: without_first_position(&e.to_string()),
            hint: Some("the file must hold exactly one JSON object".into()),
        }]
    })?;
    Ok(td.into_raw())
}

/// Where a problem that validation found in an imported definition sits in its JSON file: `path`
/// is relative to the definition in the scenario's snake_case form (`container_definitions[0].cpu`,
/// empty for the definition itself); returns AWS's path (`containerDefinitions[0].cpu`, under
/// `taskDefinition` in describe-task-definition output) and its line, or its closest parent's.
pub fn locate(text: &str, path: &str) -> (String, Option<usize>) {
    let camel = path.split('.').filter(|s| !s.is_empty()).map(camel_case).collect::<Vec<_>>().join(".");
    let json_path = match (is_describe_output(text), camel.is_empty()) {
        (true, true) => "taskDefinition".to_string(),
        (true, false) => format!("taskDefinition.{camel}"),
        (false, true) => ".".to_string(),
        (false, false) => camel,
    };
    // JSON is YAML (flow style), so the scenario's source map finds the lines.
    let line = SourceMap::parse(text).line_of(&json_path);
    (json_path, line)
}

/// Whether the document is describe-task-definition output: an object with a `taskDefinition` key.
/// Text that is not JSON is read as register-task-definition input, whose parse reports the error.
fn is_describe_output(text: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(text).is_ok_and(|v| v.get("taskDefinition").is_some())
}

/// A parser error as a diagnostic in the JSON file. serde's "unknown field" message lists every
/// known field, dozens for a container; it becomes one sentence and a "did you mean".
fn diagnostic(e: &serde_path_to_error::Error<serde_json::Error>, file: &str, described: bool) -> Diagnostic {
    let inner = e.inner();
    let path = e.path().to_string();
    let message = without_first_position(&inner.to_string());
    let (message, hint) = match message.strip_prefix("unknown field `") {
        Some(rest) => {
            let mut quoted = rest.split('`').step_by(2);
            let field = quoted.next().unwrap_or_default();
            let (what, shape) = object_kind(&path, described);
            let hint = match closest(field, quoted) {
                Some(c) => format!("did you mean `{c}`?"),
                None => format!("{shape} in the Amazon ECS API Reference lists the fields (camelCase)"),
            };
            (format!("`{field}` is not a field of {what}"), Some(hint))
        }
        None => {
            let hint = if message.starts_with("unknown variant `MANAGED_INSTANCES`") {
                Some("ecsim does not simulate ECS Managed Instances; use `EC2` or `FARGATE`".to_string())
            } else if inner.is_syntax() || inner.is_eof() {
                Some("JSON syntax: check quotes, commas and brackets around this line".to_string())
            } else {
                unknown_name_hint(&message)
            };
            (message, hint)
        }
    };
    Diagnostic { file: Some(file.to_string()), path, line: (inner.line() > 0).then_some(inner.line()), message, hint }
}

/// What holds the unknown field at `path` (for the message), and AWS's name of its shape (for the
/// hint), from the key of its parent.
fn object_kind(path: &str, described: bool) -> (&'static str, &'static str) {
    let parent = path.rsplit_once('.').map_or("", |(p, _)| p);
    let key = parent.rsplit('.').next().unwrap_or_default();
    let key = key.split('[').next().unwrap_or_default();
    match key {
        "" if described => ("describe-task-definition output", "DescribeTaskDefinition"),
        "" => ("an AWS task definition", "RegisterTaskDefinition"),
        "taskDefinition" => ("an AWS task definition", "TaskDefinition"),
        "containerDefinitions" => ("an AWS container definition", "ContainerDefinition"),
        "portMappings" => ("an AWS port mapping", "PortMapping"),
        "healthCheck" => ("an AWS container health check", "HealthCheck"),
        "dependsOn" => ("an AWS container dependency", "ContainerDependency"),
        "runtimePlatform" => ("an AWS runtime platform", "RuntimePlatform"),
        "placementConstraints" => ("an AWS task placement constraint", "TaskDefinitionPlacementConstraint"),
        _ => ("this AWS object", "The ECS API Reference"),
    }
}

// The AWS shapes. Fields named with a leading `_` are AWS's and are accepted and ignored: serde's
// camelCase renaming drops the underscore (`_task_role_arn` reads `taskRoleArn`), which keeps them
// out of the dead-code lint. The lists follow the ECS API Reference (RegisterTaskDefinition,
// DescribeTaskDefinition, TaskDefinition, ContainerDefinition, PortMapping, HealthCheck,
// ContainerDependency, RuntimePlatform, TaskDefinitionPlacementConstraint), 2025-2026 edition.

/// describe-task-definition (and register-task-definition) output.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct DescribeOutput {
    task_definition: TaskDefinition,
    _tags: Option<IgnoredAny>,
}

/// RegisterTaskDefinition's request, plus the read-only fields of the TaskDefinition shape.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct TaskDefinition {
    container_definitions: Vec<ContainerDefinition>,
    cpu: Option<Scalar>,
    memory: Option<Scalar>,
    network_mode: Option<NetworkMode>,
    requires_compatibilities: Option<Vec<Compatibility>>,
    runtime_platform: Option<RuntimePlatform>,
    placement_constraints: Option<Vec<PlacementConstraint>>,
    // RegisterTaskDefinition request fields that do not affect the simulation.
    _family: Option<IgnoredAny>,
    _task_role_arn: Option<IgnoredAny>,
    _execution_role_arn: Option<IgnoredAny>,
    _volumes: Option<IgnoredAny>,
    _tags: Option<IgnoredAny>,
    _pid_mode: Option<IgnoredAny>,
    _ipc_mode: Option<IgnoredAny>,
    _proxy_configuration: Option<IgnoredAny>,
    _inference_accelerators: Option<IgnoredAny>,
    _ephemeral_storage: Option<IgnoredAny>,
    _enable_fault_injection: Option<IgnoredAny>,
    // Set by ECS: in describe-task-definition output only.
    _task_definition_arn: Option<IgnoredAny>,
    _revision: Option<IgnoredAny>,
    _status: Option<IgnoredAny>,
    _requires_attributes: Option<IgnoredAny>,
    _compatibilities: Option<IgnoredAny>,
    _registered_at: Option<IgnoredAny>,
    _registered_by: Option<IgnoredAny>,
    _deregistered_at: Option<IgnoredAny>,
    _delete_requested_at: Option<IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ContainerDefinition {
    name: String,
    image: String,
    cpu: Option<i64>,
    memory: Option<i64>,
    memory_reservation: Option<i64>,
    essential: Option<bool>,
    port_mappings: Option<Vec<PortMapping>>,
    health_check: Option<HealthCheck>,
    /// Seconds.
    stop_timeout: Option<i64>,
    depends_on: Option<Vec<ContainerDependency>>,
    // Fields that do not affect the simulation. (`resourceRequirements` reserves GPUs, which
    // ecsim's instances do not model; `startTimeout` bounds waiting on `dependsOn`.)
    _command: Option<IgnoredAny>,
    _credential_specs: Option<IgnoredAny>,
    _disable_networking: Option<IgnoredAny>,
    _dns_search_domains: Option<IgnoredAny>,
    _dns_servers: Option<IgnoredAny>,
    _docker_labels: Option<IgnoredAny>,
    _docker_security_options: Option<IgnoredAny>,
    _entry_point: Option<IgnoredAny>,
    _environment: Option<IgnoredAny>,
    _environment_files: Option<IgnoredAny>,
    _extra_hosts: Option<IgnoredAny>,
    _firelens_configuration: Option<IgnoredAny>,
    _hostname: Option<IgnoredAny>,
    _interactive: Option<IgnoredAny>,
    _links: Option<IgnoredAny>,
    _linux_parameters: Option<IgnoredAny>,
    _log_configuration: Option<IgnoredAny>,
    _mount_points: Option<IgnoredAny>,
    _privileged: Option<IgnoredAny>,
    _pseudo_terminal: Option<IgnoredAny>,
    _readonly_root_filesystem: Option<IgnoredAny>,
    _repository_credentials: Option<IgnoredAny>,
    _resource_requirements: Option<IgnoredAny>,
    _restart_policy: Option<IgnoredAny>,
    _secrets: Option<IgnoredAny>,
    _start_timeout: Option<IgnoredAny>,
    _system_controls: Option<IgnoredAny>,
    _ulimits: Option<IgnoredAny>,
    _user: Option<IgnoredAny>,
    _version_consistency: Option<IgnoredAny>,
    _volumes_from: Option<IgnoredAny>,
    _working_directory: Option<IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PortMapping {
    container_port: i64,
    host_port: Option<i64>,
    protocol: Option<Protocol>,
    /// A range of ports changes which host ports a task binds: not simulated, so an error.
    _container_port_range: Option<PortRange>,
    // Service Connect's names: no effect on placement.
    _name: Option<IgnoredAny>,
    _app_protocol: Option<IgnoredAny>,
}

/// `containerPortRange`, which ecsim rejects where it is written.
struct PortRange;

impl<'de> Deserialize<'de> for PortRange {
    fn deserialize<D: Deserializer<'de>>(_: D) -> Result<Self, D::Error> {
        Err(D::Error::custom(
            "port ranges are not simulated: ecsim needs one `containerPort` (and `hostPort`) per mapping",
        ))
    }
}

/// Durations in whole seconds, as AWS writes them.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct HealthCheck {
    command: Option<Vec<String>>,
    interval: Option<i64>,
    timeout: Option<i64>,
    retries: Option<i64>,
    start_period: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ContainerDependency {
    container_name: String,
    condition: DependencyCondition,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RuntimePlatform {
    cpu_architecture: Option<CpuArchitecture>,
    operating_system_family: Option<String>,
}

impl TaskDefinition {
    fn into_raw(self) -> RawTaskDefinition {
        RawTaskDefinition {
            cpu: self.cpu,
            memory: self.memory,
            network_mode: self.network_mode,
            requires_compatibilities: self.requires_compatibilities,
            runtime_platform: self.runtime_platform.map(|p| RawRuntimePlatform {
                cpu_architecture: p.cpu_architecture,
                operating_system_family: p.operating_system_family,
            }),
            placement_constraints: self
                .placement_constraints
                .map(|cs| cs.into_iter().map(PlacementConstraint::into_raw).collect()),
            container_definitions: self.container_definitions.into_iter().map(ContainerDefinition::into_raw).collect(),
            ..RawTaskDefinition::default()
        }
    }
}

impl ContainerDefinition {
    fn into_raw(self) -> RawContainerDefinition {
        RawContainerDefinition {
            name: self.name,
            image: Some(self.image),
            cpu: self.cpu,
            memory: self.memory,
            memory_reservation: self.memory_reservation,
            essential: self.essential,
            port_mappings: (self.port_mappings.into_iter().flatten())
                .map(|p| RawPortMapping {
                    container_port: p.container_port,
                    host_port: p.host_port,
                    protocol: p.protocol,
                })
                .collect(),
            stop_timeout: self.stop_timeout.map(seconds),
            health_check: self.health_check.map(|h| RawHealthCheck {
                command: h.command.unwrap_or_default(),
                interval: h.interval.map(seconds),
                timeout: h.timeout.map(seconds),
                retries: h.retries,
                start_period: h.start_period.map(seconds),
            }),
            depends_on: self.depends_on.map(|ds| {
                ds.into_iter()
                    .map(|d| RawContainerDependency { container_name: d.container_name, condition: d.condition })
                    .collect()
            }),
            // image_size_mb, start_time, stop_time: not in AWS JSON; the scenario's defaults apply.
            ..RawContainerDefinition::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::schema::RawConstraintKind;

    /// Every field name AWS's API Reference gives the task definition and container definition.
    const TASK_FIELDS: &[&str] = &[
        "compatibilities",
        "containerDefinitions",
        "cpu",
        "deleteRequestedAt",
        "deregisteredAt",
        "enableFaultInjection",
        "ephemeralStorage",
        "executionRoleArn",
        "family",
        "inferenceAccelerators",
        "ipcMode",
        "memory",
        "networkMode",
        "pidMode",
        "placementConstraints",
        "proxyConfiguration",
        "registeredAt",
        "registeredBy",
        "requiresAttributes",
        "requiresCompatibilities",
        "revision",
        "runtimePlatform",
        "status",
        "tags",
        "taskDefinitionArn",
        "taskRoleArn",
        "volumes",
    ];
    const CONTAINER_FIELDS: &[&str] = &[
        "command",
        "cpu",
        "credentialSpecs",
        "dependsOn",
        "disableNetworking",
        "dnsSearchDomains",
        "dnsServers",
        "dockerLabels",
        "dockerSecurityOptions",
        "entryPoint",
        "environment",
        "environmentFiles",
        "essential",
        "extraHosts",
        "firelensConfiguration",
        "healthCheck",
        "hostname",
        "image",
        "interactive",
        "links",
        "linuxParameters",
        "logConfiguration",
        "memory",
        "memoryReservation",
        "mountPoints",
        "name",
        "portMappings",
        "privileged",
        "pseudoTerminal",
        "readonlyRootFilesystem",
        "repositoryCredentials",
        "resourceRequirements",
        "restartPolicy",
        "secrets",
        "startTimeout",
        "stopTimeout",
        "systemControls",
        "ulimits",
        "user",
        "versionConsistency",
        "volumesFrom",
        "workingDirectory",
    ];

    /// A plausible value for each field, so that the mapped ones parse too.
    fn value(field: &str) -> &'static str {
        match field {
            "containerDefinitions" => r#"[{"name": "a", "image": "a:1"}]"#,
            "cpu" | "memory" => "256",
            "networkMode" => r#""awsvpc""#,
            "requiresCompatibilities" => r#"["FARGATE"]"#,
            "runtimePlatform" => r#"{"cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX"}"#,
            "placementConstraints" | "portMappings" | "dependsOn" => "[]",
            "healthCheck" => r#"{"command": ["CMD", "true"]}"#,
            "name" | "image" => r#""x""#,
            "memoryReservation" | "stopTimeout" => "64",
            "essential" => "true",
            _ => r#"{"anything": [1, "two", null]}"#,
        }
    }

    fn object(fields: &[&str]) -> String {
        let entries: Vec<String> = fields.iter().map(|f| format!("{f:?}: {}", value(f))).collect();
        format!("{{{}}}", entries.join(", "))
    }

    fn parse(text: &str) -> Result<RawTaskDefinition, Vec<Diagnostic>> {
        parse_task_definition(text, "td.json")
    }

    fn error(text: &str) -> Diagnostic {
        let mut ds = parse(text).map(|_| ()).expect_err("must fail");
        assert_eq!(ds.len(), 1);
        ds.remove(0)
    }

    /// The names serde's "unknown field" message lists for `T`: every name it accepts.
    fn accepted<T: for<'de> Deserialize<'de>>() -> Vec<String> {
        let message = serde_json::from_str::<T>(r#"{"~": 0}"#).err().unwrap().to_string();
        let list = message.split_once("expected one of ").unwrap().1;
        let mut names: Vec<String> = list.split('`').skip(1).step_by(2).map(str::to_string).collect();
        names.sort();
        names
    }

    #[test]
    fn accepts_exactly_the_fields_of_the_api_reference() {
        assert_eq!(accepted::<TaskDefinition>(), TASK_FIELDS);
        assert_eq!(accepted::<ContainerDefinition>(), CONTAINER_FIELDS);
        let container = object(CONTAINER_FIELDS);
        let td = object(TASK_FIELDS).replace(value("containerDefinitions"), &format!("[{container}]"));
        let raw = parse(&td).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(raw.container_definitions[0].memory_reservation, Some(64));
        assert_eq!(raw.container_definitions[0].stop_timeout, Some(Scalar("64s".into())));
    }

    #[test]
    fn reads_describe_output_under_its_wrapper() {
        let text = r#"{"taskDefinition": {"containerDefinitions": [{"name": "a", "image": "a:1"}], "cpu": "1 vCPU",
            "revision": 3}, "tags": []}"#;
        assert_eq!(parse(text).unwrap().cpu, Some(Scalar("1 vCPU".into())));
        let d = error(r#"{"taskDefinition": {"containerDefinitions": [{"name": "a", "image": "a", "cpuu": 1}]}}"#);
        assert_eq!(d.path, "taskDefinition.containerDefinitions[0].cpuu");
        assert_eq!(d.hint.as_deref(), Some("did you mean `cpu`?"));
        let d = error(r#"{"taskDefinition": {"containerDefinitions": []}, "failures": []}"#);
        assert_eq!(d.message, "`failures` is not a field of describe-task-definition output");
    }

    #[test]
    fn unknown_fields_name_their_object_and_the_likely_intent() {
        let d = error(
            "{\n  \"containerDefinitions\": [\n    {\"name\": \"a\", \"image\": \"a\",\n     \"memroy\": 512}\n  ]\n}",
        );
        assert_eq!(d.file.as_deref(), Some("td.json"));
        assert_eq!((d.path.as_str(), d.line), ("containerDefinitions[0].memroy", Some(4)));
        assert_eq!(d.message, "`memroy` is not a field of an AWS container definition");
        assert_eq!(d.hint.as_deref(), Some("did you mean `memory`?"));
        let d = error(r#"{"containerDefinitions": [], "network_mode": "host"}"#);
        assert_eq!(d.hint.as_deref(), Some("did you mean `networkMode`?"));
        let d = error(r#"{"containerDefinitions": [{"name": "a", "image": "a", "healthCheck": {"intervall": 5}}]}"#);
        assert_eq!(d.message, "`intervall` is not a field of an AWS container health check");
        let d = error(r#"{"containerDefinitions": [], "zzzzzz": 1}"#);
        assert_eq!(
            d.hint.as_deref(),
            Some("RegisterTaskDefinition in the Amazon ECS API Reference lists the fields (camelCase)")
        );
    }

    #[test]
    fn enum_values_are_checked_where_they_are_written() {
        let d = error(r#"{"containerDefinitions": [], "networkMode": "awsvcp"}"#);
        assert_eq!(d.path, "networkMode");
        assert_eq!(d.message, "unknown variant `awsvcp`, expected one of `bridge`, `host`, `awsvpc`, `none`");
        assert_eq!(d.hint.as_deref(), Some("did you mean `awsvpc`?"));
        let d = error(r#"{"containerDefinitions": [], "requiresCompatibilities": ["EC2", "FARGAT"]}"#);
        assert_eq!(
            (d.path.as_str(), d.hint.as_deref()),
            ("requiresCompatibilities[1]", Some("did you mean `FARGATE`?"))
        );
        let d = error(r#"{"containerDefinitions": [], "requiresCompatibilities": ["MANAGED_INSTANCES"]}"#);
        assert!(d.hint.unwrap().contains("Managed Instances"));
        let d = error(
            r#"{"containerDefinitions": [{"name": "a", "image": "a", "portMappings": [{"containerPort": 53, "protocol": "UDP"}]}]}"#,
        );
        assert_eq!(d.path, "containerDefinitions[0].portMappings[0].protocol");
        assert_eq!(d.hint.as_deref(), Some("did you mean `udp`?"));
    }

    #[test]
    fn maps_values_into_the_raw_form() {
        let raw = parse(
            r#"{"cpu": 512, "memory": "2 GB", "networkMode": "bridge", "requiresCompatibilities": ["EC2"],
            "placementConstraints": [{"type": "memberOf", "expression": "attribute:ecs.instance-type == m5.xlarge"}],
            "containerDefinitions": [{"name": "app", "image": "app:1", "cpu": 256, "memoryReservation": 128,
                "essential": false, "stopTimeout": 90,
                "portMappings": [{"containerPort": 53, "hostPort": 0, "protocol": "udp"}],
                "healthCheck": {"command": ["CMD", "true"], "interval": 10, "timeout": 2, "retries": 4, "startPeriod": 0},
                "dependsOn": [{"containerName": "db", "condition": "HEALTHY"}]}]}"#,
        )
        .unwrap();
        assert_eq!((raw.cpu.unwrap().0, raw.memory.unwrap().0), ("512".to_string(), "2 GB".to_string()));
        assert_eq!(raw.network_mode, Some(NetworkMode::Bridge));
        assert_eq!(raw.requires_compatibilities, Some(vec![Compatibility::Ec2]));
        let pc = &raw.placement_constraints.unwrap()[0];
        assert_eq!(
            (pc.kind, pc.expression.as_deref()),
            (RawConstraintKind::MemberOf, Some("attribute:ecs.instance-type == m5.xlarge"))
        );
        let c = &raw.container_definitions[0];
        assert_eq!((c.cpu, c.memory, c.memory_reservation, c.essential), (Some(256), None, Some(128), Some(false)));
        assert_eq!(c.stop_timeout, Some(Scalar("90s".into())));
        assert_eq!(c.image_size_mb, None);
        let p = &c.port_mappings[0];
        assert_eq!((p.container_port, p.host_port, p.protocol), (53, Some(0), Some(Protocol::Udp)));
        let h = c.health_check.as_ref().unwrap();
        assert_eq!(h.command, ["CMD", "true"]);
        let durations = [&h.interval, &h.timeout, &h.start_period].map(|d| d.as_ref().unwrap().0.clone());
        assert_eq!((durations, h.retries), (["10s".to_string(), "2s".into(), "0s".into()], Some(4)));
        let dep = &c.depends_on.as_ref().unwrap()[0];
        assert_eq!((dep.container_name.as_str(), dep.condition), ("db", DependencyCondition::Healthy));
    }

    #[test]
    fn wrong_types_missing_fields_and_syntax() {
        let d = error(r#"{"containerDefinitions": [{"name": "a", "image": "a", "memory": "512"}]}"#);
        assert_eq!(d.path, "containerDefinitions[0].memory");
        assert_eq!(d.message, r#"invalid type: string "512", expected i64"#);
        let d = error("{\"containerDefinitions\": [{\"name\": \"a\"\n}]}");
        assert_eq!(
            (d.path.as_str(), d.message.as_str(), d.line),
            ("containerDefinitions[0]", "missing field `image`", Some(2))
        );
        let d = error("{\"containerDefinitions\": [],\n \"cpu\": \"256\",,\n}");
        assert_eq!(d.line, Some(2));
        assert!(d.hint.unwrap().starts_with("JSON syntax"));
        let d = error(r#"{"containerDefinitions": []} {}"#);
        assert_eq!(d.message, "trailing characters");
        let d = error(
            r#"{"containerDefinitions": [{"name": "a", "image": "a", "portMappings": [{"containerPortRange": "8000-8010"}]}]}"#,
        );
        assert_eq!(d.path, "containerDefinitions[0].portMappings[0].containerPortRange");
        assert!(d.message.starts_with("port ranges are not simulated"), "{}", d.message);
    }

    #[test]
    fn locates_validation_problems_in_the_json() {
        let text = "{\n  \"cpu\": \"256\",\n  \"containerDefinitions\": [\n    {\n      \"name\": \"a\",\n      \"memoryReservation\": 9\n    }\n  ]\n}\n";
        assert_eq!(
            locate(text, "container_definitions[0].memory_reservation"),
            ("containerDefinitions[0].memoryReservation".into(), Some(6))
        );
        assert_eq!(locate(text, "container_definitions[0].memory"), ("containerDefinitions[0].memory".into(), Some(4)));
        assert_eq!(locate(text, ""), (".".into(), Some(1)));
        let described = "{\"taskDefinition\":\n {\"cpu\": \"256\"}}";
        assert_eq!(locate(described, "cpu"), ("taskDefinition.cpu".into(), Some(2)));
        assert_eq!(locate(described, ""), ("taskDefinition".into(), Some(1)));
    }
}
