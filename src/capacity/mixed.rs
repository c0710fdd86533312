//! Which instance type and purchase option an Auto Scaling group's next instance gets
//! (aws-behaviour.md §8, mixed instances groups). A single-type group always launches its type with
//! its purchase option. A mixed group keeps its On-Demand base, then splits the instances above the
//! base by its On-Demand percentage, fractions rounded toward On-Demand; On-Demand instances take
//! the first listed type (the `prioritized` strategy: ecsim models no On-Demand shortage, so the
//! first choice never fails), Spot instances the type the Spot allocation strategy picks.

use std::collections::BTreeMap;

use crate::catalog::InstanceType;
use crate::ids::ProviderId;
use crate::world::World;

use super::{AutoScalingGroup, InstancesDistribution, PurchaseOption, SpotAllocationStrategy};

/// What a group holds, as the choice of its next instance needs it: On-Demand and Spot counts,
/// and Spot instances by type (no zero entries). Kept up to date by the group's
/// [`census`](super::census) as instances and launches come and go.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Mix {
    on_demand: u32,
    spot: u32,
    spot_by_type: BTreeMap<&'static str, u32>,
}

impl Mix {
    /// A group with nothing.
    pub const EMPTY: Mix = Mix { on_demand: 0, spot: 0, spot_by_type: BTreeMap::new() };

    /// Counts (`delta` = 1) or uncounts (-1) an instance or launch of `instance_type`.
    pub fn count(&mut self, instance_type: &'static InstanceType, spot: bool, delta: i32) {
        let change = |n: &mut u32| *n = n.checked_add_signed(delta).expect("a mix never counts below zero");
        if spot {
            change(&mut self.spot);
            let n = self.spot_by_type.entry(instance_type.name).or_default();
            change(n);
            if *n == 0 {
                self.spot_by_type.remove(instance_type.name);
            }
        } else {
            change(&mut self.on_demand);
        }
    }

    /// The type of the group's next instance and whether it is a Spot instance.
    pub fn next(&self, asg: &AutoScalingGroup) -> (&'static InstanceType, bool) {
        let Some(distribution) = &asg.distribution else {
            return (asg.instance_types[0], asg.purchase_option == PurchaseOption::Spot);
        };
        if !next_is_spot(distribution, self.on_demand, self.spot) {
            return (asg.instance_types[0], false);
        }
        let spot_of = |t: &InstanceType| self.spot_by_type.get(t.name).copied().unwrap_or(0);
        (spot_type(asg, distribution.spot_allocation_strategy, spot_of), true)
    }
}

/// The type of `provider`'s next instance and whether it is a Spot instance, given the instances
/// its group counts now (booting ones included).
pub fn next_instance(world: &World, provider: ProviderId) -> Option<(&'static InstanceType, bool)> {
    let asg = world.providers[provider.index()].auto_scaling_group()?;
    Some(world.fleet.census(provider).mix().next(asg))
}

/// Whether the next instance of a group with `on_demand` and `spot` instances is a Spot one: the
/// base fills first; above it, the instance is On-Demand while the On-Demand instances above the
/// base, this one included, would be fewer than the percentage of all instances above the base
/// rounded up (toward On-Demand).
pub fn next_is_spot(d: &InstancesDistribution, on_demand: u32, spot: u32) -> bool {
    if on_demand < d.on_demand_base_capacity {
        return false;
    }
    let above_after = u64::from(on_demand + spot + 1 - d.on_demand_base_capacity);
    let on_demand_wanted = (above_after * u64::from(d.on_demand_percentage_above_base_capacity)).div_ceil(100);
    u64::from(on_demand - d.on_demand_base_capacity) >= on_demand_wanted
}

/// The type of the next Spot instance. `lowest_price`: the cheapest by the catalog's price.
/// `capacity_optimized` and `price_capacity_optimized`: ecsim has no Spot pool depths to optimise
/// for, so both spread over the listed types (the type with the fewest Spot instances of the group,
/// which diversifies pools as AWS's capacity-aware strategies tend to), ties to the earlier listed
/// or, for `price_capacity_optimized`, to the cheaper first. Ties always end in list order.
fn spot_type(
    asg: &AutoScalingGroup,
    strategy: SpotAllocationStrategy,
    spot_of: impl Fn(&InstanceType) -> u32,
) -> &'static InstanceType {
    // Prices compared in micro-dollars per hour: integers, so the comparison is total.
    let price = |t: &InstanceType| (t.price_per_hour * 1e6).round() as u64;
    let types = asg.instance_types.iter().enumerate();
    let chosen = match strategy {
        SpotAllocationStrategy::LowestPrice => types.min_by_key(|(i, t)| (price(t), *i)),
        SpotAllocationStrategy::CapacityOptimized => types.min_by_key(|(i, t)| (spot_of(t), *i)),
        SpotAllocationStrategy::PriceCapacityOptimized => types.min_by_key(|(i, t)| (spot_of(t), price(t), *i)),
    };
    chosen.map(|(_, t)| *t).unwrap_or(asg.instance_types[0])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(base: u32, percentage: u32, n: u32) -> (u32, u32) {
        let d = InstancesDistribution {
            on_demand_base_capacity: base,
            on_demand_percentage_above_base_capacity: percentage,
            spot_allocation_strategy: SpotAllocationStrategy::LowestPrice,
        };
        let (mut on_demand, mut spot) = (0, 0);
        for _ in 0..n {
            if next_is_spot(&d, on_demand, spot) {
                spot += 1;
            } else {
                on_demand += 1;
            }
        }
        (on_demand, spot)
    }

    #[test]
    fn base_then_percentage_rounded_toward_on_demand() {
        // Base 1, then 50 %: 5 instances = 1 + 4 above the base, 2 of them On-Demand → 3 / 2.
        assert_eq!(split(1, 50, 5), (3, 2));
        // Base 2, then 25 %: 7 = 2 + 5; 25 % of 5 = 1.25 → 2 On-Demand (toward On-Demand) → 4 / 3.
        assert_eq!(split(2, 25, 7), (4, 3));
        // Defaults (base 0, 100 %): all On-Demand; 0 %: all Spot beyond the base.
        assert_eq!(split(0, 100, 4), (4, 0));
        assert_eq!(split(1, 0, 4), (1, 3));
    }
}
