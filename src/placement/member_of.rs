//! `memberOf`: only instances an expression of the cluster query language accepts.

use crate::capacity::Instance;
use crate::world::World;

use super::query::{Expression, Field, Subject};

/// An instance as the query language sees it.
struct InstanceSubject<'a> {
    world: &'a World,
    instance: &'a Instance,
}

impl Subject for InstanceSubject<'_> {
    fn values(&self, field: &Field) -> Vec<String> {
        let i = self.instance;
        match field {
            Field::Attribute(name) => i.attributes.get(name).cloned().into_iter().collect(),
            Field::AgentConnected => vec![(!i.is_impaired()).to_string()],
            Field::AgentVersion => vec![crate::capacity::AGENT_VERSION.to_string()],
            Field::Ec2InstanceId => vec![i.label()],
            Field::RegisteredAt => vec![format!("{:.3}", i.registered_at.as_secs_f64())],
            Field::RunningTasksCount => vec![i.tasks.len().to_string()],
            Field::TaskGroup => {
                let mut groups: Vec<String> =
                    i.tasks.iter().map(|t| self.world.groups[self.world.tasks.get(*t).group.index()].clone()).collect();
                groups.sort();
                groups.dedup();
                groups
            }
        }
    }
}

pub fn allows(world: &World, instance: &Instance, expression: &Expression) -> bool {
    expression.matches(&InstanceSubject { world, instance })
}
