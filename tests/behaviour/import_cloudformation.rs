//! `ecsim import cloudformation TEMPLATE`: a template's ECS resources become a scenario that
//! validates and runs, with its values mapped as `import:` of AWS's JSON maps them, comments
//! naming where each part came from, and the template's problems at their paths and lines.

use std::process::Command;

use ecsim::scenario::{import_template, load_str, ImportOptions};

use crate::common::run;

const WEB: &str = "tests/fixtures/cloudformation/web.yaml";

fn import(text: &str, params: &[(&str, &str)]) -> Result<String, String> {
    let params: Vec<(String, String)> = params.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    import_template(text, &ImportOptions { file: "stack.yaml", stack: "stack", params: &params })
        .map_err(|e| e.to_string())
}

fn yaml(text: &str) -> serde_yaml::Value {
    serde_yaml::from_str(text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

#[test]
fn a_template_becomes_a_scenario_that_validates_and_runs() {
    let out = Command::new(env!("CARGO_BIN_EXE_ecsim")).args(["import", "cloudformation", WEB]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let v = yaml(&text);
    // The task definition, by its Family; the container's numbers from strings, its image from !Sub.
    let c = &v["task_definitions"]["web"]["container_definitions"][0];
    assert_eq!(c["image"].as_str(), Some("123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1.4"));
    assert_eq!((c["cpu"].as_i64(), c["memory"].as_i64()), (Some(512), Some(1024)));
    assert_eq!(c["port_mappings"][0]["container_port"].as_i64(), Some(8080));
    assert_eq!(c["health_check"]["interval"].as_str(), Some("15s"));
    // The capacity provider with its group: the launch template's instance type, !If on a condition.
    let p = &v["capacity_providers"]["ec2"];
    let g = &p["auto_scaling_group"];
    assert_eq!(g["instance_type"].as_str(), Some("m5.large"), "from the group's launch template");
    assert_eq!(
        (g["min_size"].as_i64(), g["max_size"].as_i64(), g["desired_capacity"].as_i64()),
        (Some(1), Some(6), Some(2))
    );
    assert_eq!(g["availability_zones"][1].as_str(), Some("us-east-1b"), "!GetAZs ''");
    assert_eq!(p["managed_scaling"]["target_capacity"].as_i64(), Some(90));
    assert_eq!(p["managed_scaling"]["instance_warmup_period"].as_str(), Some("300s"), "AWS's default filled in");
    assert_eq!(v["default_capacity_provider_strategy"][0]["base"].as_i64(), Some(1));
    // The target group under the load balancer its listener forwards from.
    let tg = &v["load_balancers"]["prod-alb"]["target_groups"]["web-tg"];
    assert_eq!(tg["deregistration_delay"].as_str(), Some("30s"));
    assert_eq!(tg["algorithm"].as_str(), Some("least_outstanding_requests"));
    assert_eq!(tg["health_check"]["path"].as_str(), Some("/health"));
    // The service: a Number parameter's default, its strategy, deployment and scaling.
    let s = &v["services"]["web"];
    assert_eq!(s["desired_count"].as_i64(), Some(3));
    assert_eq!(s["task_definition"].as_str(), Some("web"));
    assert_eq!(s["load_balancer"].as_str(), Some("web-tg"));
    assert_eq!(s["capacity_provider_strategy"][0]["capacity_provider"].as_str(), Some("ec2"));
    assert_eq!(s["placement_strategy"][1]["type"].as_str(), Some("binpack"), "PlacementStrategies");
    assert_eq!(s["deployment_configuration"]["deployment_circuit_breaker"]["rollback"].as_bool(), Some(true));
    assert_eq!(s["health_check_grace_period"].as_str(), Some("60s"));
    let a = &s["autoscaling"];
    assert_eq!((a["min_capacity"].as_i64(), a["max_capacity"].as_i64()), (Some(2), Some(12)));
    assert_eq!(a["target_tracking"][0]["metric"].as_str(), Some("cpu"));
    assert_eq!(a["target_tracking"][0]["target"].as_f64(), Some(60.0));
    // The comments say where each part came from and what was left out.
    for line in [
        "#   Env = prod (default)",
        "#   Vpc (AWS::EC2::VPC): networking is not modelled",
        "#   TaskRole (AWS::IAM::Role): permissions are not modelled",
        "  # from TaskDefinition (AWS::ECS::TaskDefinition, line 77)",
        "CpuPolicy (AWS::ApplicationAutoScaling::ScalingPolicy",
        "LaunchTemplate (AWS::EC2::LaunchTemplate",
    ] {
        assert!(text.contains(line), "missing `{line}` in\n{text}");
    }
    // It validates and runs: the service reaches its tasks on the group's instances.
    let scenario = load_str(&text, "imported.yaml", "web").unwrap_or_else(|e| panic!("{e}\n{text}"));
    let (_, summary, _) = run(&scenario);
    let web = summary.services.iter().find(|s| s.name == "web").unwrap();
    assert!(web.running_at_end >= 2, "{} tasks running", web.running_at_end);
    assert!(web.first_steady_state_s.is_some(), "the service reaches a steady state");
}

#[test]
fn parameters_and_conditions_change_what_is_created() {
    let text = std::fs::read_to_string(WEB).unwrap();
    let v = yaml(&import(&text, &[("Env", "test"), ("DesiredCount", "5"), ("AWS::Region", "eu-west-1")]).unwrap());
    assert_eq!(v["capacity_providers"]["ec2"]["auto_scaling_group"]["max_size"].as_i64(), Some(2), "!If [IsProd, ...]");
    assert_eq!(v["services"]["web"]["desired_count"].as_i64(), Some(5));
    assert!(v["load_balancers"]["test-alb"].is_mapping(), "the load balancer's !Sub name");
    assert_eq!(v["zones"][0].as_str(), Some("eu-west-1a"));
    let image = v["task_definitions"]["web"]["container_definitions"][0]["image"].as_str().unwrap();
    assert!(image.contains(".eu-west-1."), "{image}");
}

#[test]
fn a_json_template_with_long_forms_and_a_step_policy_with_its_alarm() {
    let template = r#"{
  "Resources": {
    "Td": { "Type": "AWS::ECS::TaskDefinition", "Properties": {
      "Family": "api", "Cpu": "512", "Memory": "1024", "NetworkMode": "awsvpc", "RequiresCompatibilities": ["FARGATE"],
      "ContainerDefinitions": [{ "Name": "api", "Image": "api:1", "Essential": true }] } },
    "Svc": { "Type": "AWS::ECS::Service", "Properties": {
      "ServiceName": "api", "TaskDefinition": { "Ref": "Td" }, "DesiredCount": "4",
      "CapacityProviderStrategy": [{ "CapacityProvider": "FARGATE", "Base": 1, "Weight": 1 },
                                   { "CapacityProvider": "FARGATE_SPOT", "Weight": 3 }] } },
    "Target": { "Type": "AWS::ApplicationAutoScaling::ScalableTarget", "Properties": {
      "ServiceNamespace": "ecs", "ScalableDimension": "ecs:service:DesiredCount",
      "ResourceId": { "Fn::Sub": "service/default/${Svc.Name}" }, "MinCapacity": 2, "MaxCapacity": 10,
      "ScheduledActions": [{ "ScheduledActionName": "night", "Schedule": "cron(0 22 * * ? *)",
                             "ScalableTargetAction": { "MinCapacity": 1, "MaxCapacity": 2 } }] } },
    "Up": { "Type": "AWS::ApplicationAutoScaling::ScalingPolicy", "Properties": {
      "PolicyName": "up", "PolicyType": "StepScaling", "ScalingTargetId": { "Ref": "Target" },
      "StepScalingPolicyConfiguration": { "AdjustmentType": "ChangeInCapacity", "Cooldown": 60,
        "StepAdjustments": [{ "MetricIntervalLowerBound": 0, "ScalingAdjustment": 2 }] } } },
    "High": { "Type": "AWS::CloudWatch::Alarm", "Properties": {
      "AlarmName": "api-high-cpu", "Namespace": "AWS/ECS", "MetricName": "CPUUtilization", "Statistic": "Average",
      "Period": 60, "EvaluationPeriods": 3, "Threshold": 70, "ComparisonOperator": "GreaterThanThreshold",
      "AlarmActions": [{ "Ref": "Up" }] } },
    "Other": { "Type": "AWS::CloudWatch::Alarm", "Properties": { "AlarmName": "disk", "MetricName": "Disk",
      "Namespace": "X", "Statistic": "Average", "Period": 60, "EvaluationPeriods": 1, "Threshold": 1,
      "ComparisonOperator": "GreaterThanThreshold" } }
  }
}"#;
    let text = import(template, &[]).unwrap();
    let v = yaml(&text);
    let s = &v["services"]["api"];
    assert_eq!(s["desired_count"].as_i64(), Some(4));
    assert_eq!(s["capacity_provider_strategy"][1]["capacity_provider"].as_str(), Some("FARGATE_SPOT"));
    let a = &s["autoscaling"];
    assert_eq!(a["step_scaling"][0]["alarm"]["threshold"].as_f64(), Some(70.0), "{text}");
    assert_eq!(a["scheduled"][0]["cron"].as_str(), Some("0 22 * * *"), "{text}");
    assert!(
        text.contains("#   Other (AWS::CloudWatch::Alarm): no scaling policy of the template acts on it"),
        "{text}"
    );
    // The template has no traffic and no CPU model: validation says what the alarm needs.
    let err = load_str(&text, "imported.yaml", "api").unwrap_err().to_string();
    assert_eq!(err.lines().count(), 2, "{err}");
    assert!(err.contains("step_scaling[0].alarm.metric: the service publishes no CPUUtilization"), "{err}");
    let with_load =
        text.replace("  api:\n    task_definition: api\n", "  api:\n    task_definition: api\n    load: { cpu: 50 }\n");
    load_str(&with_load, "imported.yaml", "api").unwrap_or_else(|e| panic!("{e}\n{with_load}"));
}

#[test]
fn the_templates_problems_are_reported_at_their_paths_and_lines() {
    let template = "\
Parameters:
  Count:
    Type: Number
Resources:
  Td:
    Type: AWS::ECS::TaskDefinition
    Properties:
      Family: web
      ContainerDefinitions:
        - Name: web
          Image: web
          Memory: 512
          Colour: blue
  Svc:
    Type: AWS::ECS::Service
    Properties:
      TaskDefinition: !Ref TaskDef
      DesiredCount: !Ref Count
";
    let err = import(template, &[]).unwrap_err();
    insta::assert_snapshot!(err, @r"
    stack.yaml:2: Parameters.Count: parameter `Count` has no `Default`
      hint: give it a value: `--param Count=VALUE`
    stack.yaml:17: Resources.Svc.Properties.TaskDefinition: `Ref` names `TaskDef`, which is neither a parameter nor a resource of the template
      hint: expected one of `Count`, `Svc`, `Td`
    ");
    let fixed = template.replace("TaskDef\n", "Td\n");
    let err = import(&fixed, &[("Count", "2")]).unwrap_err();
    assert!(err.starts_with("stack.yaml:13: Resources.Td.Properties.ContainerDefinitions[0].Colour:"), "{err}");
    // A capacity provider's problem in the template's names too, and no silent default for an
    // algorithm ecsim does not route by.
    let web = std::fs::read_to_string(WEB).unwrap();
    let typo = web.replace("          TargetCapacity: 90", "          TargetCapacty: 90");
    let err = import(&typo, &[]).unwrap_err();
    assert!(
        err.starts_with("stack.yaml:66: Resources.Provider.Properties.AutoScalingGroupProvider.ManagedScaling.TargetCapacty: unknown field `TargetCapacty`, expected one of `Status`, `TargetCapacity`"),
        "{err}"
    );
    assert!(err.contains("hint: did you mean `TargetCapacity`?"), "{err}");
    let random = web.replace("Value: least_outstanding_requests", "Value: fastest_first");
    let err = import(&random, &[]).unwrap_err();
    assert!(
        err.contains("Resources.TargetGroup.Properties.TargetGroupAttributes: `fastest_first` is not a load balancing algorithm ecsim simulates"),
        "{err}"
    );
}
