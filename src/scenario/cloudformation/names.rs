//! What a template's resources are called once created, as CloudFormation documents each type's
//! `Ref` and `Fn::GetAtt` return values: a service's ARN and `Name`, a task definition's ARN
//! (`family:1`), a target group's ARN and `TargetGroupName`, a cluster's, capacity provider's
//! and Auto Scaling group's name, a scaling policy's ARN (ending `policyName/NAME`, which is how
//! an alarm's `AlarmActions` name its policy). A resource without its name property gets its
//! logical ID as its name (CloudFormation would add the stack name and a random suffix). The
//! account is the documentation's `123456789012`.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::scenario::diagnostics::suggestion;

/// The AWS account ID written into ARNs.
pub const ACCOUNT: &str = "123456789012";

/// One resource's identity.
#[derive(Clone, Debug)]
pub struct Named {
    pub kind: String,
    /// Its physical name (the name property, or the logical ID).
    pub name: String,
    /// A service's cluster name.
    pub cluster: String,
}

/// Every resource's identity, by logical ID.
#[derive(Debug, Default)]
pub struct Names {
    pub stack: String,
    pub region: String,
    pub resources: BTreeMap<String, Named>,
}

/// The property that names a resource of each type.
pub fn name_property(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "AWS::ECS::TaskDefinition" => "Family",
        "AWS::ECS::Service" => "ServiceName",
        "AWS::ECS::Cluster" => "ClusterName",
        "AWS::ECS::CapacityProvider" => "Name",
        "AWS::AutoScaling::AutoScalingGroup" => "AutoScalingGroupName",
        "AWS::AutoScaling::LaunchConfiguration" => "LaunchConfigurationName",
        "AWS::EC2::LaunchTemplate" => "LaunchTemplateName",
        "AWS::ElasticLoadBalancingV2::TargetGroup" | "AWS::ElasticLoadBalancingV2::LoadBalancer" => "Name",
        "AWS::ApplicationAutoScaling::ScalingPolicy" => "PolicyName",
        "AWS::CloudWatch::Alarm" => "AlarmName",
        _ => return None,
    })
}

impl Names {
    /// What `Ref logical_id` returns, or `None` when there is no such resource.
    pub fn reference(&self, id: &str) -> Option<String> {
        let r = self.resources.get(id)?;
        let (region, name) = (&self.region, &r.name);
        Some(match r.kind.as_str() {
            "AWS::ECS::TaskDefinition" => format!("arn:aws:ecs:{region}:{ACCOUNT}:task-definition/{name}:1"),
            "AWS::ECS::Service" => format!("arn:aws:ecs:{region}:{ACCOUNT}:service/{}/{name}", r.cluster),
            "AWS::ElasticLoadBalancingV2::TargetGroup" => {
                format!("arn:aws:elasticloadbalancing:{region}:{ACCOUNT}:targetgroup/{name}/{}", hex(id))
            }
            "AWS::ElasticLoadBalancingV2::LoadBalancer" => {
                format!("arn:aws:elasticloadbalancing:{region}:{ACCOUNT}:loadbalancer/app/{name}/{}", hex(id))
            }
            "AWS::ApplicationAutoScaling::ScalingPolicy" => format!(
                "arn:aws:autoscaling:{region}:{ACCOUNT}:scalingPolicy:00000000-0000-0000-0000-000000000000:\
                 resource/ecs/{id}:policyName/{name}"
            ),
            _ => name.clone(),
        })
    }

    /// What `Fn::GetAtt logical_id.attribute` returns.
    pub fn attribute(&self, id: &str, attribute: &str) -> Option<String> {
        let r = self.resources.get(id)?;
        let name = &r.name;
        Some(match attribute {
            "Name" | "TargetGroupName" | "LoadBalancerName" | "ClusterName" => name.clone(),
            "Arn" | "ServiceArn" | "TaskDefinitionArn" | "TargetGroupArn" | "LoadBalancerArn" => {
                match r.kind.as_str() {
                    "AWS::ECS::Cluster" => format!("arn:aws:ecs:{}:{ACCOUNT}:cluster/{name}", self.region),
                    _ => self.reference(id)?,
                }
            }
            "TargetGroupFullName" => format!("targetgroup/{name}/{}", hex(id)),
            "LoadBalancerFullName" => format!("app/{name}/{}", hex(id)),
            "LatestVersionNumber" | "DefaultVersionNumber" => "1".to_string(),
            "LaunchTemplateId" => self.reference(id)?,
            other => format!("{id}.{other}"),
        })
    }

    /// A hint for a name that is not a resource: the closest one.
    pub fn hint(&self, id: &str) -> String {
        suggestion(id, self.resources.keys().map(String::as_str))
    }
}

/// A stable 16-digit hexadecimal suffix for an ARN, from the logical ID.
fn hex(id: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// The name a resource's `properties` give it (resolved without resource references), or its
/// logical ID.
pub fn physical_name(kind: &str, id: &str, properties: Option<&Value>) -> String {
    name_property(kind)
        .and_then(|p| properties?.get(p)?.as_str().map(str::to_string))
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| id.to_string())
}
