//! `capacity_providers: { ec2: { import: [...] } }` reads create-capacity-provider and
//! create-auto-scaling-group JSON (or their describe output), with what is written beside
//! `import:` merged over them.

use ecsim::scenario::{load_str, Scenario};

use crate::common::run;

fn scenario(provider: &str) -> String {
    format!(
        r#"
duration: 30m
zones: [us-east-1a, us-east-1b]
task_definitions:
  api: {{ cpu: 512, memory: 1024, container_definitions: [{{ name: api, image: api }}] }}
capacity_providers:
  ec2: {provider}
services:
  api: {{ task_definition: api, desired_count: 6, capacity_provider_strategy: [{{ capacity_provider: ec2 }}] }}
"#
    )
}

fn load(yaml: &str) -> Result<Scenario, String> {
    load_str(yaml, "tests/fixtures/s.yaml", "s").map_err(|e| e.to_string())
}

#[test]
fn a_provider_and_its_group_map_onto_the_scenarios_provider() {
    let yaml =
        scenario("{ import: [capacity/create-capacity-provider.json, capacity/describe-auto-scaling-groups.json] }");
    let s = load(&yaml).unwrap_or_else(|e| panic!("{e}"));
    let p =
        s.capacity_providers.iter().find(|p| p.name == "ec2").and_then(|p| p.auto_scaling_group()).expect("a group");
    let managed = p.managed_scaling.expect("managedScaling ENABLED");
    assert_eq!(managed.target_capacity, 90, "the file's target");
    assert_eq!(managed.maximum_scaling_step_size, 10_000, "AWS's default filled in");
    assert_eq!((p.min_size, p.max_size, p.desired_capacity), (1, 8, 2));
    let types: Vec<&str> = p.instance_types.iter().map(|t| t.name).collect();
    assert_eq!(types, ["m5.large", "m6i.large"], "the mixed instances policy's overrides, in order");
    // Managed scaling launches what the six tasks need.
    let (_, summary, _) = run(&s);
    assert_eq!(summary.services[0].running_at_end, 6);
}

#[test]
fn a_launch_templates_instance_type_is_written_beside_the_import() {
    let without = scenario("{ import: [capacity/create-auto-scaling-group.json] }");
    let report = load(&without).unwrap_err();
    assert!(
        report.contains("tests/fixtures/s.yaml:7: capacity_providers.ec2.import: the group's JSON names no instance type: it is in the group's launch template"),
        "{report}"
    );
    assert!(!report.contains("mixed_instances_policy"), "one problem, not the group's generic one too: {report}");
    let with = scenario(
        "{ import: [capacity/create-auto-scaling-group.json], auto_scaling_group: { instance_type: c5.xlarge, desired_capacity: 3 } }",
    );
    let s = load(&with).unwrap_or_else(|e| panic!("{e}"));
    let p =
        s.capacity_providers.iter().find(|p| p.name == "ec2").and_then(|p| p.auto_scaling_group()).expect("a group");
    assert_eq!((p.instance_types[0].name, p.desired_capacity, p.max_size), ("c5.xlarge", 3, 4));
    assert!(p.managed_scaling.is_none(), "no capacity provider file: no managed scaling");
}

#[test]
fn problems_point_into_the_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("asg.json"),
        "{\n  \"AutoScalingGroupName\": \"ec2\",\n  \"MinSize\": 1,\n  \"MaxSzie\": 3\n}\n",
    )
    .unwrap();
    let file = dir.path().join("s.yaml").display().to_string();
    let report =
        load_str(&scenario("{ import: [asg.json], auto_scaling_group: { instance_type: m5.large } }"), &file, "s")
            .map(|_| ())
            .unwrap_err()
            .to_string();
    assert!(report.contains("asg.json:4: MaxSzie: unknown field `MaxSzie`"), "{report}");
    assert!(report.contains("did you mean `MaxSize`?"), "{report}");
}

/// `default_capacity_provider_strategy: { import: ... }` with the group of `scenario()`.
fn with_cluster(name: &str, file: &str) -> String {
    let provider = "{ import: [capacity/create-capacity-provider.json, capacity/describe-auto-scaling-groups.json] }";
    let services = "services:\n  api: { task_definition: api, desired_count: 6, capacity_provider_strategy: [{ capacity_provider: ec2 }] }\n";
    let yaml = scenario(provider).replace(services, "services:\n  api: { task_definition: api, desired_count: 6 }\n");
    format!("name: {name}\ndefault_capacity_provider_strategy: {{ import: {file} }}\n{yaml}")
}

#[test]
fn a_clusters_default_strategy_is_read_from_put_cluster_capacity_providers_and_describe_clusters() {
    use ecsim::service::CapacitySource;
    for file in ["capacity/put-cluster-capacity-providers.json", "capacity/describe-clusters.json"] {
        let s = load(&with_cluster("prod", file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        let api = s.services.iter().find(|x| x.name == "api").unwrap();
        let CapacitySource::Strategy(items) = &api.capacity else { panic!("{file}: the default strategy applies") };
        let got: Vec<(String, u32, u32)> =
            items.iter().map(|i| (s.capacity_providers[i.provider.index()].name.clone(), i.base, i.weight)).collect();
        assert_eq!(got, [("ec2".into(), 2, 1)], "{file}: the prod cluster's strategy");
        assert!(s.imported_files.iter().any(|i| i.path == file), "{file} is hashed in run.json with the other imports");
    }
}

#[test]
fn a_strategy_naming_a_provider_the_cluster_lacks_is_refused_where_it_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cluster.json");
    std::fs::write(
        &file,
        r#"{ "cluster": "prod", "capacityProviders": ["ec2"],
  "defaultCapacityProviderStrategy": [{ "capacityProvider": "FARGATE_SPOT", "weight": 1 }] }"#,
    )
    .unwrap();
    let err = load(&with_cluster("prod", file.to_str().unwrap())).unwrap_err();
    let shown = file.display().to_string();
    assert!(
        err.starts_with(&format!(
            "{shown}:2: defaultCapacityProviderStrategy[0].capacityProvider: `FARGATE_SPOT` is not one of the cluster's `capacityProviders`"
        )),
        "{err}"
    );
    assert!(err.contains("hint: ECS takes only associated providers in a strategy"), "{err}");
    let err = load(&with_cluster("dev", "capacity/describe-clusters.json")).unwrap_err();
    assert!(err.contains("clusters: the file describes 2 clusters, none named `dev`"), "{err}");
}
