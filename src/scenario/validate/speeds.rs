//! `speed:`: overrides of the catalog's per-vCPU speeds (1.0 = an m5's vCPU; see
//! `crate::catalog::Speeds`).

use crate::catalog::{Speeds, FARGATE_SPEED};
use crate::scenario::path::Path;
use crate::scenario::schema::RawSpeed;

use super::checker::Checker;
use super::pricing::instance_type_overrides;

/// Speeds above this are surely a typo (no instance runs a vCPU 100 times an m5's).
const MAX_SPEED: f64 = 100.0;

/// The catalog's speeds with the scenario's overrides applied. A bad value is reported and the
/// catalog's speed kept in its place (the scenario is rejected anyway).
pub fn check(c: &mut Checker, raw: Option<&RawSpeed>) -> Speeds {
    let mut speeds = Speeds::default();
    let Some(raw) = raw else { return speeds };
    let root = Path::root("speed");
    speeds.instance_types = instance_type_overrides(c, &root, &raw.instance_types, |c, path, itype, value| {
        let hint =
            format!("per-vCPU speed relative to an m5 (1.0); the catalog's for {} is {}", itype.name, itype.speed);
        speed(c, path, value, &hint)
    });
    if let Some(value) = raw.fargate {
        let hint = format!("per-vCPU speed of Fargate tasks relative to an m5 (1.0); the default is {FARGATE_SPEED}");
        speeds.fargate = speed(c, &root.field("fargate"), value, &hint).unwrap_or(FARGATE_SPEED);
    }
    speeds
}

/// A speed: finite, above zero and at most [`MAX_SPEED`].
pub(super) fn speed(c: &mut Checker, path: &Path, value: f64, hint: &str) -> Option<f64> {
    // Written so that NaN fails too.
    if value > 0.0 && value <= MAX_SPEED {
        return Some(value);
    }
    c.error(path, &format!("{value} is not a speed: must be greater than 0 and at most {MAX_SPEED}"), Some(hint));
    None
}
