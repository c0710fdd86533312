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

impl Written {
    fn same(path: String) -> Self {
        Written { merged: path.clone(), written: path }
    }
}

/// Builds `$ty` from `$over` merged over `$base`: each listed field is `$over`'s when it is
/// given (`Some`, or a non-empty list or map, per [`Given`]), else `$base`'s, and each given
/// field's name (after `$prefix`) is pushed to `$written`; the fields after `;` are set as
/// given. The struct literal names every field, so a new one cannot be forgotten.
macro_rules! merged {
    ($ty:ident, $over:ident, $base:ident, $written:expr, $prefix:expr; $($field:ident),* ; $($rest:tt)*) => {
        $ty {
            $($field: {
                let given = Given::given(&$over.$field);
                if given {
                    $written.push(format!("{}{}", $prefix, stringify!($field)));
                }
                if given { $over.$field } else { $base.$field }
            },)*
            $($rest)*
        }
    };
}

/// Whether a field is written: `Some`, a non-empty list, map or name.
trait Given {
    fn given(&self) -> bool;
}

impl<T> Given for Option<T> {
    fn given(&self) -> bool {
        self.is_some()
    }
}

impl<T> Given for Vec<T> {
    fn given(&self) -> bool {
        !self.is_empty()
    }
}

impl<K, V> Given for std::collections::BTreeMap<K, V> {
    fn given(&self) -> bool {
        !self.is_empty()
    }
}

impl Given for String {
    fn given(&self) -> bool {
        !self.is_empty()
    }
}

/// `over` (the scenario's fields, its `import` aside) merged over `imported` (the file's
/// definition), and where each written field is in the result.
pub fn merge(imported: RawTaskDefinition, over: RawTaskDefinition) -> (RawTaskDefinition, Vec<Written>) {
    let mut names = Vec::new();
    let mut containers = imported.container_definitions;
    let mut written = Vec::new();
    for (i, c) in over.container_definitions.into_iter().enumerate() {
        let from = format!("container_definitions[{i}]");
        match containers.iter().position(|base| base.name == c.name) {
            Some(j) => {
                let to = format!("container_definitions[{j}]");
                let base = std::mem::take(&mut containers[j]);
                let mut fields = Vec::new();
                containers[j] = merged!(RawContainerDefinition, c, base, fields, "";
                    image, image_size_mb, cpu, memory, memory_reservation, essential, port_mappings, start_time,
                    stop_time, stop_timeout, health_check, depends_on, behaviour;
                    name: c.name);
                written.extend(
                    fields.into_iter().map(|f| Written { merged: format!("{to}.{f}"), written: format!("{from}.{f}") }),
                );
            }
            None => {
                written.push(Written { merged: format!("container_definitions[{}]", containers.len()), written: from });
                containers.push(c);
            }
        }
    }
    let merged = merged!(RawTaskDefinition, over, imported, names, "";
        cpu, memory, network_mode, requires_compatibilities, runtime_platform, placement_constraints;
        import: imported.import, container_definitions: containers);
    written.extend(names.into_iter().map(Written::same));
    (merged, written)
}

/// `over` (a service's fields beside `import:`) merged over `imported` (the file's service): each
/// field written replaces the file's whole.
pub fn merge_service(imported: RawService, over: RawService) -> (RawService, Vec<Written>) {
    let mut names = Vec::new();
    let merged = merged!(RawService, over, imported, names, "";
        task_definition, desired_count, running_count, pending_count, scheduling_strategy, launch_type, capacity_provider_strategy,
        placement_strategy, placement_constraints, deployment_configuration, health_check_grace_period,
        availability_zone_rebalancing, load_balancer, alternate_target_group, requests, autoscaling, load;
        import: imported.import);
    (merged, names.into_iter().map(Written::same).collect())
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
            written.push(Written::same(field.into()));
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
/// each field written replaces the files', the group's field by field. A written instance type
/// stands for the launch template's and replaces the files' mixed instances policy.
pub fn merge_capacity(imported: RawCapacityProvider, over: RawCapacityProvider) -> (RawCapacityProvider, Vec<Written>) {
    let mut names = Vec::new();
    let (mut base, group) = (imported.auto_scaling_group, over.auto_scaling_group);
    if group.instance_type.is_some() && group.mixed_instances_policy.is_none() {
        base.mixed_instances_policy = None;
    }
    let group = merged!(RawAutoScalingGroup, group, base, names, "auto_scaling_group.";
        instance_type, mixed_instances_policy, desired_capacity, min_size, max_size, health_check_grace_period,
        default_instance_warmup, scaling_policies, new_instances_protected_from_scale_in, availability_zones,
        ecs_reserved_memory, eni_trunking, attributes, purchase_option, ecs_enable_spot_instance_draining;);
    let merged = merged!(RawCapacityProvider, over, imported, names, "";
        managed_scaling, managed_termination_protection, managed_draining;
        import: imported.import, auto_scaling_group: group);
    (merged, names.into_iter().map(Written::same).collect())
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
