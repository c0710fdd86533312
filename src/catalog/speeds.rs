//! How fast a task's host runs a request's CPU work: the catalog's per-vCPU speeds (1.0 = m5)
//! with the scenario's `speed:` overrides applied.
//!
//! A request's `cpu_time` is its CPU work at speed 1.0; on a host of speed `s` it takes
//! `cpu_time / s` of a vCPU. EC2 types take [`super::InstanceType::speed`] unless the scenario
//! overrides it; Fargate takes [`FARGATE_SPEED`] (AWS does not say which processor a Fargate task
//! gets), overridable too.

use std::collections::BTreeMap;

use super::InstanceType;

/// Fargate's per-vCPU speed: 1.0, the m5's. **ecsim's default**: AWS does not publish which
/// processors Fargate runs on; `speed.fargate` overrides it.
pub const FARGATE_SPEED: f64 = 1.0;

/// The speeds a run uses.
#[derive(Clone, Debug, PartialEq)]
pub struct Speeds {
    /// Per-vCPU speed of the types the scenario overrides, keyed by the catalog's name; every
    /// other type runs at its catalog speed.
    pub instance_types: BTreeMap<&'static str, f64>,
    /// Per-vCPU speed of Fargate tasks (x86_64 and ARM64 alike).
    pub fargate: f64,
}

impl Default for Speeds {
    fn default() -> Self {
        Speeds { instance_types: BTreeMap::new(), fargate: FARGATE_SPEED }
    }
}

impl Speeds {
    /// The per-vCPU speed of an instance of `itype`.
    pub fn instance(&self, itype: &InstanceType) -> f64 {
        self.instance_types.get(itype.name).copied().unwrap_or(itype.speed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::instance_type;

    #[test]
    fn overrides_replace_the_catalog() {
        let m6g = instance_type("m6g.large").expect("in the catalog");
        let c5 = instance_type("c5.xlarge").expect("in the catalog");
        let mut speeds = Speeds::default();
        assert_eq!((speeds.instance(m6g), speeds.fargate), (0.81, 1.0));
        speeds.instance_types.insert("m6g.large", 0.9);
        assert_eq!((speeds.instance(m6g), speeds.instance(c5)), (0.9, 1.1));
    }
}
