//! `import:` with overrides: the fields a scenario writes beside `import:` are merged over the
//! AWS task definition the file holds, so an imported definition can be given a `behaviour:` (an
//! OOM, a crash), another `cpu`, or a sidecar without copying the file.
//!
//! The rule, like a strategic merge patch keyed by container name:
//! - a task-level field written in the scenario (`cpu`, `memory`, `network_mode`,
//!   `requires_compatibilities`, `runtime_platform`, `placement_constraints`) replaces the file's;
//! - a container the scenario lists under `container_definitions` with the `name` of one of the
//!   file's is merged into it field by field: each field written replaces the file's whole (a
//!   `behaviour:`, a `health_check:`, the `port_mappings` list), the others stay the file's;
//! - a container of another name is added after the file's, and must be complete (an `image`).
//!
//! A service's fields beside `import:` replace the file's whole, field by field
//! ([`merge_service`]): `desired_count`, `deployment_configuration`, and what AWS's JSON has no
//! place for (`requests:`, `autoscaling:`, `load:`).
//!
//! [`merge`] also says where each written field ended up, so that a problem in it is reported at
//! its line in the scenario, and every other problem of the definition at its place in the JSON.

use super::schema::{
    RawAutoScalingGroup, RawCapacityProvider, RawContainerDefinition, RawScalingPolicies, RawService, RawTaskDefinition,
};

/// Where a field written beside `import:` ended up: its path in the merged definition and in the
/// scenario, both relative to the definition (`container_definitions[1].behaviour` and
/// `container_definitions[0].behaviour`).
#[derive(Clone, Debug, PartialEq)]
pub struct Written {
    pub merged: String,
    pub written: String,
}

/// `over` (the scenario's fields, its `import` aside) merged over `imported` (the file's
/// definition), and where each written field is in the result.
pub fn merge(imported: RawTaskDefinition, over: RawTaskDefinition) -> (RawTaskDefinition, Vec<Written>) {
    // Destructured in full so that a new field cannot be forgotten here.
    let RawTaskDefinition {
        import: _,
        cpu,
        memory,
        network_mode,
        requires_compatibilities,
        runtime_platform,
        placement_constraints,
        container_definitions,
    } = over;
    let mut written = Vec::new();
    let mut note = |field: &str, given: bool| {
        if given {
            written.push(Written { merged: field.into(), written: field.into() });
        }
    };
    note("cpu", cpu.is_some());
    note("memory", memory.is_some());
    note("network_mode", network_mode.is_some());
    note("requires_compatibilities", requires_compatibilities.is_some());
    note("runtime_platform", runtime_platform.is_some());
    note("placement_constraints", placement_constraints.is_some());
    let mut containers = imported.container_definitions;
    for (i, c) in container_definitions.into_iter().enumerate() {
        let from = format!("container_definitions[{i}]");
        match containers.iter().position(|base| base.name == c.name) {
            Some(j) => {
                let to = format!("container_definitions[{j}]");
                for field in container_fields(&c) {
                    written.push(Written { merged: format!("{to}.{field}"), written: format!("{from}.{field}") });
                }
                let base = std::mem::take(&mut containers[j]);
                containers[j] = merge_container(base, c);
            }
            None => {
                written.push(Written { merged: format!("container_definitions[{}]", containers.len()), written: from });
                containers.push(c);
            }
        }
    }
    let merged = RawTaskDefinition {
        import: imported.import,
        cpu: cpu.or(imported.cpu),
        memory: memory.or(imported.memory),
        network_mode: network_mode.or(imported.network_mode),
        requires_compatibilities: requires_compatibilities.or(imported.requires_compatibilities),
        runtime_platform: runtime_platform.or(imported.runtime_platform),
        placement_constraints: placement_constraints.or(imported.placement_constraints),
        container_definitions: containers,
    };
    (merged, written)
}

/// `over` (a service's fields beside `import:`) merged over `imported` (the file's service): each
/// field written replaces the file's whole.
pub fn merge_service(imported: RawService, over: RawService) -> (RawService, Vec<Written>) {
    // Destructured in full so that a new field cannot be forgotten here.
    let RawService {
        import: _,
        task_definition,
        desired_count,
        scheduling_strategy,
        launch_type,
        capacity_provider_strategy,
        placement_strategy,
        placement_constraints,
        deployment_configuration,
        health_check_grace_period,
        availability_zone_rebalancing,
        load_balancer,
        alternate_target_group,
        requests,
        autoscaling,
        load,
    } = over;
    let given = [
        ("task_definition", !task_definition.is_empty()),
        ("desired_count", desired_count.is_some()),
        ("scheduling_strategy", scheduling_strategy.is_some()),
        ("launch_type", launch_type.is_some()),
        ("capacity_provider_strategy", capacity_provider_strategy.is_some()),
        ("placement_strategy", placement_strategy.is_some()),
        ("placement_constraints", placement_constraints.is_some()),
        ("deployment_configuration", deployment_configuration.is_some()),
        ("health_check_grace_period", health_check_grace_period.is_some()),
        ("availability_zone_rebalancing", availability_zone_rebalancing.is_some()),
        ("load_balancer", load_balancer.is_some()),
        ("alternate_target_group", alternate_target_group.is_some()),
        ("requests", requests.is_some()),
        ("autoscaling", autoscaling.is_some()),
        ("load", load.is_some()),
    ];
    let written =
        given.iter().filter(|(_, g)| *g).map(|(f, _)| Written { merged: (*f).into(), written: (*f).into() }).collect();
    let merged = RawService {
        import: imported.import,
        task_definition: if task_definition.is_empty() { imported.task_definition } else { task_definition },
        desired_count: desired_count.or(imported.desired_count),
        scheduling_strategy: scheduling_strategy.or(imported.scheduling_strategy),
        launch_type: launch_type.or(imported.launch_type),
        capacity_provider_strategy: capacity_provider_strategy.or(imported.capacity_provider_strategy),
        placement_strategy: placement_strategy.or(imported.placement_strategy),
        placement_constraints: placement_constraints.or(imported.placement_constraints),
        deployment_configuration: deployment_configuration.or(imported.deployment_configuration),
        health_check_grace_period: health_check_grace_period.or(imported.health_check_grace_period),
        availability_zone_rebalancing: availability_zone_rebalancing.or(imported.availability_zone_rebalancing),
        load_balancer: load_balancer.or(imported.load_balancer),
        alternate_target_group: alternate_target_group.or(imported.alternate_target_group),
        requests: requests.or(imported.requests),
        autoscaling: autoscaling.or(imported.autoscaling),
        load: load.or(imported.load),
    };
    (merged, written)
}

/// Merges `imported` (a service's Application Auto Scaling files) under `scaling` (what the
/// scenario wrote beside `import:`), in place: written bounds replace the files', the files'
/// policies and schedules come first and the written ones after. Returns where each written
/// field or entry is in the result.
pub fn merge_scaling(scaling: &mut RawScalingPolicies, imported: RawScalingPolicies) -> Vec<Written> {
    let mut written = Vec::new();
    for (field, given) in
        [("min_capacity", scaling.min_capacity.is_some()), ("max_capacity", scaling.max_capacity.is_some())]
    {
        if given {
            written.push(Written { merged: field.into(), written: field.into() });
        }
    }
    scaling.min_capacity = scaling.min_capacity.or(imported.min_capacity);
    scaling.max_capacity = scaling.max_capacity.or(imported.max_capacity);
    fn prepend<T>(list: &mut Vec<T>, before: Vec<T>, field: &str, written: &mut Vec<Written>) {
        let n = before.len();
        for i in 0..list.len() {
            written.push(Written { merged: format!("{field}[{}]", n + i), written: format!("{field}[{i}]") });
        }
        let mine = std::mem::replace(list, before);
        list.extend(mine);
    }
    prepend(&mut scaling.target_tracking, imported.target_tracking, "target_tracking", &mut written);
    prepend(&mut scaling.step_scaling, imported.step_scaling, "step_scaling", &mut written);
    prepend(&mut scaling.simple_scaling, imported.simple_scaling, "simple_scaling", &mut written);
    prepend(&mut scaling.scheduled, imported.scheduled, "scheduled", &mut written);
    written
}

/// `over` (a capacity provider's fields beside `import:`) merged over `imported` (its files'):
/// each field written replaces the files', the group's field by field.
pub fn merge_capacity(imported: RawCapacityProvider, over: RawCapacityProvider) -> (RawCapacityProvider, Vec<Written>) {
    let RawCapacityProvider {
        import: _,
        auto_scaling_group,
        managed_scaling,
        managed_termination_protection,
        managed_draining,
    } = over;
    let mut written = Vec::new();
    let mut note = |field: String, given: bool| {
        if given {
            written.push(Written { merged: field.clone(), written: field });
        }
    };
    note("managed_scaling".into(), managed_scaling.is_some());
    note("managed_termination_protection".into(), managed_termination_protection.is_some());
    note("managed_draining".into(), managed_draining.is_some());
    let (base, over) = (imported.auto_scaling_group, auto_scaling_group);
    let RawAutoScalingGroup {
        instance_type,
        mixed_instances_policy,
        desired_capacity,
        min_size,
        max_size,
        health_check_grace_period,
        default_instance_warmup,
        scaling_policies,
        new_instances_protected_from_scale_in,
        availability_zones,
        ecs_reserved_memory,
        eni_trunking,
        attributes,
        purchase_option,
        ecs_enable_spot_instance_draining,
    } = over;
    for (field, given) in [
        ("instance_type", instance_type.is_some()),
        ("mixed_instances_policy", mixed_instances_policy.is_some()),
        ("desired_capacity", desired_capacity.is_some()),
        ("min_size", min_size.is_some()),
        ("max_size", max_size.is_some()),
        ("health_check_grace_period", health_check_grace_period.is_some()),
        ("default_instance_warmup", default_instance_warmup.is_some()),
        ("scaling_policies", scaling_policies.is_some()),
        ("new_instances_protected_from_scale_in", new_instances_protected_from_scale_in.is_some()),
        ("availability_zones", availability_zones.is_some()),
        ("ecs_reserved_memory", ecs_reserved_memory.is_some()),
        ("eni_trunking", eni_trunking.is_some()),
        ("attributes", !attributes.is_empty()),
        ("purchase_option", purchase_option.is_some()),
        ("ecs_enable_spot_instance_draining", ecs_enable_spot_instance_draining.is_some()),
    ] {
        note(format!("auto_scaling_group.{field}"), given);
    }
    // A written instance type stands for the launch template's: it replaces the files' types.
    let mixed_instances_policy = match (&instance_type, mixed_instances_policy) {
        (Some(_), None) => None,
        (_, written) => written.or(base.mixed_instances_policy),
    };
    let group = RawAutoScalingGroup {
        instance_type: instance_type.or(base.instance_type),
        mixed_instances_policy,
        desired_capacity: desired_capacity.or(base.desired_capacity),
        min_size: min_size.or(base.min_size),
        max_size: max_size.or(base.max_size),
        health_check_grace_period: health_check_grace_period.or(base.health_check_grace_period),
        default_instance_warmup: default_instance_warmup.or(base.default_instance_warmup),
        scaling_policies: scaling_policies.or(base.scaling_policies),
        new_instances_protected_from_scale_in: new_instances_protected_from_scale_in
            .or(base.new_instances_protected_from_scale_in),
        availability_zones: availability_zones.or(base.availability_zones),
        ecs_reserved_memory: ecs_reserved_memory.or(base.ecs_reserved_memory),
        eni_trunking: eni_trunking.or(base.eni_trunking),
        attributes: if attributes.is_empty() { base.attributes } else { attributes },
        purchase_option: purchase_option.or(base.purchase_option),
        ecs_enable_spot_instance_draining: ecs_enable_spot_instance_draining.or(base.ecs_enable_spot_instance_draining),
    };
    let merged = RawCapacityProvider {
        import: imported.import,
        auto_scaling_group: group,
        managed_scaling: managed_scaling.or(imported.managed_scaling),
        managed_termination_protection: managed_termination_protection.or(imported.managed_termination_protection),
        managed_draining: managed_draining.or(imported.managed_draining),
    };
    (merged, written)
}

/// `over` merged into `base` (same name): each field `over` gives replaces `base`'s.
fn merge_container(base: RawContainerDefinition, over: RawContainerDefinition) -> RawContainerDefinition {
    let RawContainerDefinition {
        name,
        image,
        image_size_mb,
        cpu,
        memory,
        memory_reservation,
        essential,
        port_mappings,
        start_time,
        stop_time,
        stop_timeout,
        health_check,
        depends_on,
        behaviour,
    } = over;
    RawContainerDefinition {
        name,
        image: image.or(base.image),
        image_size_mb: image_size_mb.or(base.image_size_mb),
        cpu: cpu.or(base.cpu),
        memory: memory.or(base.memory),
        memory_reservation: memory_reservation.or(base.memory_reservation),
        essential: essential.or(base.essential),
        port_mappings: if port_mappings.is_empty() { base.port_mappings } else { port_mappings },
        start_time: start_time.or(base.start_time),
        stop_time: stop_time.or(base.stop_time),
        stop_timeout: stop_timeout.or(base.stop_timeout),
        health_check: health_check.or(base.health_check),
        depends_on: depends_on.or(base.depends_on),
        behaviour: behaviour.or(base.behaviour),
    }
}

/// The fields a container entry of the scenario writes (its `name` aside: it is the key).
fn container_fields(c: &RawContainerDefinition) -> Vec<&'static str> {
    let RawContainerDefinition {
        name: _,
        image,
        image_size_mb,
        cpu,
        memory,
        memory_reservation,
        essential,
        port_mappings,
        start_time,
        stop_time,
        stop_timeout,
        health_check,
        depends_on,
        behaviour,
    } = c;
    [
        ("image", image.is_some()),
        ("image_size_mb", image_size_mb.is_some()),
        ("cpu", cpu.is_some()),
        ("memory", memory.is_some()),
        ("memory_reservation", memory_reservation.is_some()),
        ("essential", essential.is_some()),
        ("port_mappings", !port_mappings.is_empty()),
        ("start_time", start_time.is_some()),
        ("stop_time", stop_time.is_some()),
        ("stop_timeout", stop_timeout.is_some()),
        ("health_check", health_check.is_some()),
        ("depends_on", depends_on.is_some()),
        ("behaviour", behaviour.is_some()),
    ]
    .into_iter()
    .filter_map(|(field, given)| given.then_some(field))
    .collect()
}

/// The scenario's path of a problem at `inner` (relative to a merged definition) when it lies in
/// a field the scenario wrote, else `None` (the problem is the file's).
pub fn written_path(written: &[Written], inner: &str) -> Option<String> {
    written.iter().find_map(|w| {
        let rest = inner.strip_prefix(w.merged.as_str())?;
        (rest.is_empty() || rest.starts_with('.') || rest.starts_with('[')).then(|| format!("{}{rest}", w.written))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn container(name: &str, image: Option<&str>, cpu: Option<i64>) -> RawContainerDefinition {
        RawContainerDefinition { name: name.into(), image: image.map(str::to_string), cpu, ..Default::default() }
    }

    #[test]
    fn written_fields_replace_the_files_and_containers_merge_by_name() {
        let imported = RawTaskDefinition {
            container_definitions: vec![
                container("app", Some("app:1"), Some(256)),
                container("log", Some("fluent"), None),
            ],
            ..Default::default()
        };
        let over = RawTaskDefinition {
            import: Some("td.json".into()),
            container_definitions: vec![container("log", None, Some(64)), container("sidecar", Some("envoy"), None)],
            ..Default::default()
        };
        let (merged, written) = merge(imported, over);
        let names: Vec<_> = merged.container_definitions.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["app", "log", "sidecar"]);
        let log = &merged.container_definitions[1];
        assert_eq!((log.image.as_deref(), log.cpu), (Some("fluent"), Some(64)), "the file's image, the scenario's cpu");
        assert_eq!(merged.container_definitions[0].cpu, Some(256), "an unnamed container is the file's");
        assert_eq!(
            written,
            [
                Written {
                    merged: "container_definitions[1].cpu".into(),
                    written: "container_definitions[0].cpu".into()
                },
                Written { merged: "container_definitions[2]".into(), written: "container_definitions[1]".into() },
            ]
        );
    }

    #[test]
    fn a_problem_in_a_written_field_is_the_scenarios() {
        let written = [
            Written { merged: "cpu".into(), written: "cpu".into() },
            Written {
                merged: "container_definitions[1].behaviour".into(),
                written: "container_definitions[0].behaviour".into(),
            },
        ];
        assert_eq!(written_path(&written, "cpu").as_deref(), Some("cpu"));
        assert_eq!(
            written_path(&written, "container_definitions[1].behaviour.exit_code").as_deref(),
            Some("container_definitions[0].behaviour.exit_code")
        );
        assert_eq!(written_path(&written, "container_definitions[1].memory"), None);
        assert_eq!(written_path(&written, "cpu_architecture"), None, "a prefix of a name is not a field");
    }
}
