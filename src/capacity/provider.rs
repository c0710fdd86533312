//! Capacity providers and capacity provider strategies (aws-behaviour.md §5.1).

use crate::catalog::InstanceType;
use crate::sim::ids::{ProviderId, ZoneId};

/// Names AWS reserves for its Fargate providers; every cluster has both.
pub const FARGATE: &str = "FARGATE";
pub const FARGATE_SPOT: &str = "FARGATE_SPOT";

/// A fixed-size Auto Scaling group of one instance type, spread over zones.
#[derive(Clone, Debug)]
pub struct AutoScalingGroup {
    pub instance_type: &'static InstanceType,
    pub desired_capacity: u32,
    pub zones: Vec<ZoneId>,
    /// `ECS_RESERVED_MEMORY` of the agent, MiB: subtracted from each instance's registered memory.
    pub ecs_reserved_memory: u32,
    /// The account's `awsvpcTrunking` setting for these instances.
    pub eni_trunking: bool,
    /// Custom attributes the instances register with.
    pub attributes: std::collections::BTreeMap<String, String>,
    /// With managed scaling, tasks that do not fit wait in PROVISIONING for capacity instead of
    /// failing to place.
    pub managed_scaling: Option<ManagedScaling>,
    /// On-Demand or Spot instances.
    pub purchase_option: PurchaseOption,
    /// The agent's `ECS_ENABLE_SPOT_INSTANCE_DRAINING`: a Spot interruption notice sets the
    /// instance DRAINING (aws-behaviour.md §5.3).
    pub spot_instance_draining: bool,
}

/// How a group's instances are bought.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PurchaseOption {
    #[default]
    OnDemand,
    /// Spot instances: cheaper, and EC2 may reclaim them with a two-minute notice.
    Spot,
}

/// Cluster auto scaling settings of a provider. The waiting it causes is modelled; the scaling
/// itself (target capacity, steps, warm-up) arrives with the autoscaling issue.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ManagedScaling {}

/// ECS's limit of tasks in PROVISIONING per cluster (aws-behaviour.md §4.4).
pub const MAX_PROVISIONING_TASKS: usize = 500;

#[derive(Clone, Debug)]
pub enum ProviderKind {
    AutoScalingGroup(AutoScalingGroup),
    Fargate,
    FargateSpot,
}

#[derive(Clone, Debug)]
pub struct CapacityProvider {
    pub name: String,
    pub kind: ProviderKind,
}

impl CapacityProvider {
    pub fn is_fargate(&self) -> bool {
        matches!(self.kind, ProviderKind::Fargate | ProviderKind::FargateSpot)
    }

    /// Its Auto Scaling group, if it is one.
    pub fn auto_scaling_group(&self) -> Option<&AutoScalingGroup> {
        match &self.kind {
            ProviderKind::AutoScalingGroup(asg) => Some(asg),
            ProviderKind::Fargate | ProviderKind::FargateSpot => None,
        }
    }

    /// Whether its capacity is Spot capacity, which can be interrupted: FARGATE_SPOT, or a group
    /// of Spot instances.
    pub fn is_spot(&self) -> bool {
        match &self.kind {
            ProviderKind::FargateSpot => true,
            ProviderKind::AutoScalingGroup(asg) => asg.purchase_option == PurchaseOption::Spot,
            ProviderKind::Fargate => false,
        }
    }
}

/// One entry of a capacity provider strategy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StrategyItem {
    pub provider: ProviderId,
    /// Tasks that go to this provider before any weight applies (only one item may set it).
    pub base: u32,
    /// Share of the tasks beyond the bases.
    pub weight: u32,
}

/// Picks the provider for the next task of a service, given how many of its tasks each provider
/// already has (`count_on`): fill each base first, in strategy order; then give the task to the
/// provider furthest below its weighted share, i.e. with the least `(tasks above base + 1) / weight`
/// (compared exactly by cross-multiplication), ties to the earlier item. Over many tasks this
/// splits exactly by the weight ratio, and a weight-0 provider gets nothing beyond its base.
/// A single-item strategy takes every task whatever its weight, as AWS allows.
pub fn choose_provider(strategy: &[StrategyItem], count_on: impl Fn(ProviderId) -> u32) -> Option<ProviderId> {
    if let [only] = strategy {
        return Some(only.provider);
    }
    if let Some(item) = strategy.iter().find(|i| count_on(i.provider) < i.base) {
        return Some(item.provider);
    }
    strategy
        .iter()
        .enumerate()
        .filter(|(_, i)| i.weight > 0)
        .min_by(|(ia, a), (ib, b)| {
            let next = |i: &StrategyItem| u64::from(count_on(i.provider).saturating_sub(i.base) + 1);
            (next(a) * u64::from(b.weight)).cmp(&(next(b) * u64::from(a.weight))).then(ia.cmp(ib))
        })
        .map(|(_, i)| i.provider)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn item(p: usize, base: u32, weight: u32) -> StrategyItem {
        StrategyItem { provider: ProviderId::from_index(p), base, weight }
    }

    /// Places `n` tasks one by one and returns the count per provider index.
    fn place(strategy: &[StrategyItem], n: u32) -> BTreeMap<usize, u32> {
        let mut counts = BTreeMap::new();
        for _ in 0..n {
            let p = choose_provider(strategy, |p| counts.get(&p.index()).copied().unwrap_or(0)).unwrap();
            *counts.entry(p.index()).or_insert(0) += 1;
        }
        counts
    }

    #[test]
    fn base_fills_first_then_weights_split_the_rest() {
        // AWS's example: base 2 on A, then A:B = 1:4. 12 tasks: 2 base on A, the other 10 split 2:8.
        let counts = place(&[item(0, 2, 1), item(1, 0, 4)], 12);
        assert_eq!(counts, BTreeMap::from([(0, 4), (1, 8)]));
    }

    #[test]
    fn weight_zero_gets_nothing_beyond_its_base() {
        let counts = place(&[item(0, 3, 0), item(1, 0, 1)], 10);
        assert_eq!(counts, BTreeMap::from([(0, 3), (1, 7)]));
    }

    #[test]
    fn a_single_provider_takes_every_task_even_with_weight_zero() {
        assert_eq!(place(&[item(5, 0, 0)], 4), BTreeMap::from([(5, 4)]));
    }

    #[test]
    fn equal_weights_alternate_starting_with_the_first_item() {
        let mut counts = BTreeMap::new();
        let mut order = vec![];
        for _ in 0..4 {
            let strategy = [item(0, 0, 1), item(1, 0, 1)];
            let p = choose_provider(&strategy, |p| counts.get(&p.index()).copied().unwrap_or(0)).unwrap();
            *counts.entry(p.index()).or_insert(0) += 1;
            order.push(p.index());
        }
        assert_eq!(order, [0, 1, 0, 1]);
    }
}
