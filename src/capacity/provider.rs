//! Capacity providers and capacity provider strategies (aws-behaviour.md §5.1).

use std::cmp::Reverse;

use crate::catalog::InstanceType;
use crate::engine::SimDuration;
use crate::ids::{ProviderId, ZoneId};

/// A group's `DefaultCooldown` (aws-behaviour.md §8).
pub const DEFAULT_COOLDOWN: SimDuration = SimDuration::from_secs(300);

/// Names AWS reserves for its Fargate providers; every cluster has both.
pub const FARGATE: &str = "FARGATE";
pub const FARGATE_SPOT: &str = "FARGATE_SPOT";

/// An Auto Scaling group of one instance type or a mixed instances policy, spread over zones. Its
/// desired capacity changes during a run (managed scaling, scaling policies, `set_desired_capacity`)
/// and always stays within `[min_size, max_size]`; a group declared without a minimum and maximum
/// has both equal to its desired capacity, i.e. a fixed size.
#[derive(Clone, Debug)]
pub struct AutoScalingGroup {
    /// The types the group launches, in priority order: one, or a mixed instances policy's list.
    pub instance_types: Vec<&'static InstanceType>,
    /// How a mixed instances policy splits On-Demand and Spot; `None` for a single-type group,
    /// whose instances are all of `purchase_option`.
    pub distribution: Option<InstancesDistribution>,
    /// The run-time desired capacity (AWS's `DesiredCapacity`).
    pub desired_capacity: u32,
    pub min_size: u32,
    pub max_size: u32,
    pub zones: Vec<ZoneId>,
    /// `ECS_RESERVED_MEMORY` of the agent, MiB: subtracted from each instance's registered memory.
    pub ecs_reserved_memory: u32,
    /// The account's `awsvpcTrunking` setting for these instances.
    pub eni_trunking: bool,
    /// Custom attributes the instances register with.
    pub attributes: std::collections::BTreeMap<String, String>,
    /// With managed scaling, tasks that do not fit wait in PROVISIONING for capacity instead of
    /// failing to place, and ECS scales the group on CapacityProviderReservation.
    pub managed_scaling: Option<ManagedScaling>,
    /// On-Demand or Spot instances (single-type groups; see `distribution` otherwise).
    pub purchase_option: PurchaseOption,
    /// The agent's `ECS_ENABLE_SPOT_INSTANCE_DRAINING`: a Spot interruption notice sets the
    /// instance DRAINING (aws-behaviour.md §5.3).
    pub spot_instance_draining: bool,
    /// EC2 health checks ignore an impaired instance younger than this (0 s, the API default).
    pub health_check_grace_period: SimDuration,
    /// The group's `DefaultInstanceWarmup`, for its own scaling policies (unset by default).
    pub default_instance_warmup: Option<SimDuration>,
    /// `NewInstancesProtectedFromScaleIn`: instances launch protected from scale-in.
    pub new_instances_protected_from_scale_in: bool,
    /// The provider's managed termination protection: ECS keeps instances with non-daemon tasks
    /// protected from scale-in and unprotects empty ones.
    pub managed_termination_protection: bool,
    /// The provider's managed draining: ECS drains an instance the group scales in before EC2
    /// terminates it; without it the instance is terminated at once, its tasks with it.
    pub managed_draining: bool,
}

impl AutoScalingGroup {
    /// A type's capacity as the group's instances register it: CPU units, then MiB.
    fn capacity(&self, t: &InstanceType) -> (u32, u32) {
        (t.registered_cpu(), t.registered_memory_mib(self.ecs_reserved_memory))
    }

    /// The type of most capacity (CPU, then memory, ties to the earlier listed): managed scaling
    /// binpacks its estimate onto it.
    pub fn largest_type(&self) -> &'static InstanceType {
        let best = self.instance_types.iter().enumerate().max_by_key(|(i, t)| (self.capacity(t), Reverse(*i)));
        best.map(|(_, t)| *t).expect("validation guarantees a group has an instance type")
    }

    /// The type of least capacity (ties to the earlier listed): tasks that do not fit it are left
    /// out of managed scaling's estimate.
    pub fn smallest_type(&self) -> &'static InstanceType {
        let best = self.instance_types.iter().enumerate().min_by_key(|(i, t)| (self.capacity(t), *i));
        best.map(|(_, t)| *t).expect("validation guarantees a group has an instance type")
    }

    /// How long a new instance warms up for the group's own scaling policies: its
    /// `DefaultInstanceWarmup`, or, unset, the 300 s `DefaultCooldown` AWS falls back on when a
    /// policy gives no estimated warm-up (aws-behaviour.md §8).
    pub fn policy_warmup(&self) -> SimDuration {
        self.default_instance_warmup.unwrap_or(DEFAULT_COOLDOWN)
    }

    /// Whether some of its instances may be Spot instances.
    pub fn may_have_spot(&self) -> bool {
        match &self.distribution {
            Some(d) => d.on_demand_percentage_above_base_capacity < 100,
            None => self.purchase_option == PurchaseOption::Spot,
        }
    }
}

/// A mixed instances policy's `InstancesDistribution` (aws-behaviour.md §8).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InstancesDistribution {
    /// The first instances are On-Demand (default 0).
    pub on_demand_base_capacity: u32,
    /// Of the instances beyond the base, this percentage is On-Demand (default 100), fractions
    /// rounded toward On-Demand.
    pub on_demand_percentage_above_base_capacity: u32,
    pub spot_allocation_strategy: SpotAllocationStrategy,
}

/// AWS's defaults: no On-Demand base, every instance above it On-Demand, price-capacity-optimized.
impl Default for InstancesDistribution {
    fn default() -> Self {
        InstancesDistribution {
            on_demand_base_capacity: 0,
            on_demand_percentage_above_base_capacity: 100,
            spot_allocation_strategy: SpotAllocationStrategy::default(),
        }
    }
}

/// How a mixed group picks the type of a Spot instance. ecsim models no per-pool Spot capacity,
/// so the capacity-aware strategies are deterministic stand-ins (see `mixed::spot_type`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SpotAllocationStrategy {
    /// AWS's recommended strategy: here, spread over the types (the one with the fewest Spot
    /// instances of the group), ties to the cheapest, then the earlier listed.
    #[default]
    PriceCapacityOptimized,
    /// Here, spread over the types, ties to the earlier listed (priority order).
    CapacityOptimized,
    /// The cheapest type by the catalog's price, ties to the earlier listed.
    LowestPrice,
}

/// How a group's instances are bought.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PurchaseOption {
    #[default]
    OnDemand,
    /// Spot instances: cheaper, and EC2 may reclaim them with a two-minute notice.
    Spot,
}

/// Cluster auto scaling settings of a provider (aws-behaviour.md §5.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ManagedScaling {
    /// `targetCapacity`, percent (1-100): the CapacityProviderReservation ECS tracks.
    pub target_capacity: u32,
    /// Fewest instances a scale-out adds (1-10000).
    pub minimum_scaling_step_size: u32,
    /// Most instances a scale-out adds (1-10000).
    pub maximum_scaling_step_size: u32,
    /// No new scale-out until every instance launched is at least this old (0-10000 s).
    pub instance_warmup_period: SimDuration,
    /// Consecutive one-minute datapoints above target before a scale-out (1: the high alarm as
    /// observed, UNVERIFIED).
    pub scale_out_datapoints: u32,
    /// Consecutive one-minute datapoints below target before a scale-in (15).
    pub scale_in_datapoints: u32,
}

impl Default for ManagedScaling {
    fn default() -> Self {
        ManagedScaling {
            target_capacity: 100,
            minimum_scaling_step_size: 1,
            maximum_scaling_step_size: 10_000,
            instance_warmup_period: SimDuration::from_secs(300),
            scale_out_datapoints: 1,
            scale_in_datapoints: 15,
        }
    }
}

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

    /// Its Auto Scaling group, to change at run time (desired capacity).
    pub fn auto_scaling_group_mut(&mut self) -> Option<&mut AutoScalingGroup> {
        match &mut self.kind {
            ProviderKind::AutoScalingGroup(asg) => Some(asg),
            ProviderKind::Fargate | ProviderKind::FargateSpot => None,
        }
    }

    /// Whether its capacity is Spot capacity, which can be interrupted: FARGATE_SPOT, or a group
    /// of Spot instances.
    pub fn is_spot(&self) -> bool {
        match &self.kind {
            ProviderKind::FargateSpot => true,
            ProviderKind::AutoScalingGroup(asg) => asg.may_have_spot(),
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
