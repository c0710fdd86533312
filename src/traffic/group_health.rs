//! Target group health (aws-behaviour.md §9; the live ALB guide's "Target group health" page):
//! how many targets must be healthy before the load balancer acts, for each of its two unhealthy
//! state actions.
//!
//! - **Unhealthy state routing** (routing failover): when the healthy targets fall below the
//!   threshold, the load balancer *fails open* and routes to every target that may take a
//!   request, healthy and unhealthy alike (`initial` and draining ones still never). AWS's
//!   default, a count of 1, is the classic rule: fail open when no target is healthy.
//! - **DNS failover**: below the threshold, AWS marks the load balancer node's addresses
//!   unhealthy in DNS. ecsim simulates one load balancer and no other DNS record, so it reads a
//!   configured DNS failover as "clients are sent elsewhere": requests fail with **503** while
//!   the threshold is breached (counted as ELB 503s, so the loss is visible). AWS's default
//!   count of 1 has no effect on a lone load balancer (all its nodes turn unhealthy together and
//!   Route 53 then answers with all of them), so ecsim's default is off.
//!
//! A threshold is a `count` and/or a `percentage` of the registered targets (draining ones not
//! counted); the action is taken when either is breached, as AWS does. ecsim decides for the
//! whole target group, cross-zone on or off (AWS decides per zone when cross-zone is off).

/// One action's threshold: `None` parts are off.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MinimumHealthyTargets {
    /// Healthy targets below this count breach the threshold.
    pub count: Option<u32>,
    /// Healthy targets below this percentage (1-100) of the registered ones breach it.
    pub percentage: Option<u32>,
}

impl MinimumHealthyTargets {
    /// Whether `healthy` of `registered` targets breach the threshold (either part).
    pub fn breached(&self, healthy: u32, registered: u32) -> bool {
        let by_count = self.count.is_some_and(|c| healthy < c);
        let by_share = self.percentage.is_some_and(|p| u64::from(healthy) * 100 < u64::from(p) * u64::from(registered));
        by_count || by_share
    }
}

/// A target group's `target_group_health` attributes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TargetGroupHealth {
    pub unhealthy_state_routing: MinimumHealthyTargets,
    pub dns_failover: MinimumHealthyTargets,
}

/// Routing failover at a count of 1 (AWS's default); DNS failover off (see the module docs).
impl Default for TargetGroupHealth {
    fn default() -> Self {
        TargetGroupHealth {
            unhealthy_state_routing: MinimumHealthyTargets { count: Some(1), percentage: None },
            dns_failover: MinimumHealthyTargets::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn either_part_of_a_threshold_breaches_it() {
        let t = MinimumHealthyTargets { count: Some(2), percentage: Some(50) };
        // 10 registered: 5 healthy meets both; 4 is below 50 %; 1 of 2 is below the count.
        assert!(!t.breached(5, 10));
        assert!(t.breached(4, 10));
        assert!(t.breached(1, 2));
        assert!(!MinimumHealthyTargets::default().breached(0, 10), "off never breaches");
        assert!(TargetGroupHealth::default().unhealthy_state_routing.breached(0, 3));
    }
}
