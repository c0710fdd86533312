//! AWS's own JSON shapes, exactly as the AWS CLI reads and prints them, into the scenario's raw
//! form: task definitions ([`task_definition`]), services ([`service`]) and a service's Application
//! Auto Scaling and alarms ([`scaling`]), capacity providers and Auto Scaling groups
//! ([`capacity`]), each read by
//! `import:` in the scenario. Fields that change what the simulation does are mapped; every other
//! field of AWS's API is accepted and ignored, from an explicit list of AWS's own names, so that a
//! misspelt field is an error at its JSON path and line, never silently dropped.

mod capacity;
mod cluster;
mod parts;
mod scaling;
mod service;
mod task_definition;

pub use capacity::parse_capacity;
pub use cluster::parse_cluster_strategy;
pub use parts::{JsonFile, JsonOrigin};
pub use scaling::parse_scaling;
pub use service::{locate_service, parse_service};
pub use task_definition::{locate, parse_task_definition};

use crate::scenario::schema::{RawConstraintKind, RawPlacementConstraint};
use crate::scenario::values::Scalar;

/// `container_definitions[0]` → `containerDefinitions[0]`: AWS's spelling of one path segment.
fn camel_case(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    let mut upper = false;
    for ch in segment.chars() {
        match ch {
            '_' => upper = true,
            c if upper => {
                out.push(c.to_ascii_uppercase());
                upper = false;
            }
            c => out.push(c),
        }
    }
    out
}

/// AWS's whole seconds as a scenario duration.
fn seconds(n: i64) -> Scalar {
    Scalar(format!("{n}s"))
}

/// A placement constraint in AWS's JSON, as a task definition's and a service's are written.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PlacementConstraint {
    #[serde(rename = "type")]
    kind: RawConstraintKind,
    expression: Option<String>,
}

impl PlacementConstraint {
    fn into_raw(self) -> RawPlacementConstraint {
        RawPlacementConstraint { kind: self.kind, expression: self.expression }
    }
}
