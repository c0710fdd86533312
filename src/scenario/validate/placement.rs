//! Placement strategies and constraints, for services, RunTask entries and task definitions
//! (aws-behaviour.md §4). Expressions of the cluster query language are parsed here, so a
//! malformed one is a load-time error pointing at the offending token.

use super::checker::Checker;
use crate::placement::query::Expression;
use crate::placement::{PlacementConstraint, PlacementStrategy, Resource, SpreadField};
use crate::scenario::path::Path;
use crate::scenario::schema::{RawConstraintKind, RawPlacementConstraint, RawPlacementStrategy, RawStrategyKind};

/// Strategies per service or task, as the reading of ECS allows.
const MAX_STRATEGIES: usize = 5;
/// Constraints per task, task definition and service or RunTask together.
pub const MAX_CONSTRAINTS: usize = 10;

pub fn strategies(c: &mut Checker, path: &Path, raw: &[RawPlacementStrategy]) -> Option<Vec<PlacementStrategy>> {
    if raw.len() > MAX_STRATEGIES {
        c.error(path, &format!("{} placement strategies given; ECS allows at most {MAX_STRATEGIES}", raw.len()), None);
    }
    let all: Vec<_> = raw.iter().enumerate().map(|(i, s)| strategy(c, &path.index(i), s)).collect();
    all.into_iter().collect()
}

fn strategy(c: &mut Checker, path: &Path, raw: &RawPlacementStrategy) -> Option<PlacementStrategy> {
    let field = raw.field.as_deref();
    match (raw.kind, field) {
        (RawStrategyKind::Random, None) => Some(PlacementStrategy::Random),
        (RawStrategyKind::Random, Some(_)) => {
            c.error(&path.field("field"), "the random strategy takes no field", Some("remove `field`"));
            None
        }
        (RawStrategyKind::Binpack, Some(f)) if f.eq_ignore_ascii_case("cpu") => {
            Some(PlacementStrategy::Binpack(Resource::Cpu))
        }
        (RawStrategyKind::Binpack, Some(f)) if f.eq_ignore_ascii_case("memory") => {
            Some(PlacementStrategy::Binpack(Resource::Memory))
        }
        (RawStrategyKind::Binpack, other) => {
            let what = other.map_or("no field".to_string(), |f| format!("`{f}`"));
            c.error(&path.field("field"), &format!("binpack packs `cpu` or `memory`, not {what}"), None);
            None
        }
        (RawStrategyKind::Spread, Some("instanceId" | "host")) => {
            Some(PlacementStrategy::Spread(SpreadField::Instance))
        }
        (RawStrategyKind::Spread, Some(f)) if f.starts_with("attribute:") && f.len() > "attribute:".len() => {
            Some(PlacementStrategy::Spread(SpreadField::Attribute(f["attribute:".len()..].to_string())))
        }
        (RawStrategyKind::Spread, other) => {
            let what = other.map_or("no field".to_string(), |f| format!("`{f}`"));
            c.error(
                &path.field("field"),
                &format!("spread needs `instanceId`, `host` or `attribute:<name>`, not {what}"),
                Some("e.g. `field: attribute:ecs.availability-zone`"),
            );
            None
        }
    }
}

/// Constraints; `in_task_definition` forbids `distinctInstance`, as ECS does.
pub fn constraints(
    c: &mut Checker,
    path: &Path,
    raw: &[RawPlacementConstraint],
    in_task_definition: bool,
) -> Option<Vec<PlacementConstraint>> {
    let all: Vec<_> = raw
        .iter()
        .enumerate()
        .map(|(i, k)| {
            let path = path.index(i);
            match (k.kind, &k.expression) {
                (RawConstraintKind::DistinctInstance, _) if in_task_definition => {
                    c.error(
                        &path,
                        "distinctInstance is not allowed in a task definition",
                        Some("put it on the service or the task entry"),
                    );
                    None
                }
                (RawConstraintKind::DistinctInstance, None) => Some(PlacementConstraint::DistinctInstance),
                (RawConstraintKind::DistinctInstance, Some(_)) => {
                    c.error(&path.field("expression"), "distinctInstance takes no expression", None);
                    None
                }
                (RawConstraintKind::MemberOf, None) => {
                    c.error(
                        &path,
                        "memberOf needs an expression",
                        Some("e.g. `expression: \"attribute:ecs.instance-type =~ t3.*\"`"),
                    );
                    None
                }
                (RawConstraintKind::MemberOf, Some(text)) => match Expression::parse(text) {
                    Ok(e) => Some(PlacementConstraint::MemberOf(e)),
                    Err(e) => {
                        let pointer = format!("{text}\n        {}^", " ".repeat(e.position));
                        c.error(&path.field("expression"), &e.to_string(), Some(&pointer));
                        None
                    }
                },
            }
        })
        .collect();
    all.into_iter().collect()
}
