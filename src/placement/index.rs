//! Indexes that let placement find the best instance of a large fleet without scanning it.
//!
//! ECS ranks instances by a lexicographic key. The chains services use most —
//! `[spread(attribute)]` then `[binpack(resource) | spread(instanceId)]` — can be answered from
//! two kinds of index kept up to date as tasks come and go:
//! - *spread counts*: live tasks of each group per value of each spread attribute, so a spread
//!   rank is one lookup instead of a pass over the fleet;
//! - *ordered classes*: for each value of the leading spread attribute (or the whole cluster), its
//!   instances ordered by the second key (free CPU, free memory, tasks of a group, or id).
//!
//! A search visits the classes in tiers of equal spread count, lowest first, and walks each
//! class's ordered set from the first value that can fit, stopping at the first instance that
//! passes every rule: the same answer as ranking every instance, in logarithmic time when most
//! instances fit. [`super::place`] checks that the two agree in debug builds.

use std::collections::{BTreeMap, BTreeSet};

use crate::capacity::Instance;
use crate::ids::{GroupId, InstanceId};

use super::{PlacementStrategy, Resource, SpreadField};

/// The second key of an indexed chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Order {
    /// binpack: free amount of the resource (least first).
    Free(Resource),
    /// spread by instance: the group's tasks on the instance (fewest first).
    GroupCount(GroupId),
    /// No second key: lowest id first.
    Id,
}

/// A chain the index can answer: an optional leading spread attribute, then an order.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Plan {
    pub spread_attribute: Option<String>,
    pub order: Order,
}

impl Plan {
    /// The plan for a strategy chain of `group`, if the index can answer it.
    pub fn for_chain(strategies: &[PlacementStrategy], group: GroupId) -> Option<Plan> {
        let (spread_attribute, rest) = match strategies {
            [PlacementStrategy::Spread(SpreadField::Attribute(a)), rest @ ..] => (Some(a.clone()), rest),
            rest => (None, rest),
        };
        let order = match rest {
            [] => Order::Id,
            [PlacementStrategy::Binpack(r)] => Order::Free(*r),
            [PlacementStrategy::Spread(SpreadField::Instance)] => Order::GroupCount(group),
            _ => return None,
        };
        Some(Plan { spread_attribute, order })
    }
}

/// A class of instances: those sharing a value of an attribute (`None`: lacking it), or the whole
/// cluster when the plan has no spread attribute.
type Class = (Option<String>, Option<String>);

/// See the module docs.
#[derive(Clone, Debug, Default)]
pub struct PlacementIndex {
    plans: BTreeSet<Plan>,
    /// Attributes some spread strategy balances over.
    spread_attributes: BTreeSet<String>,
    ordered: BTreeMap<(Class, Order), BTreeSet<(u32, InstanceId)>>,
    /// Values seen per plan attribute, to enumerate the classes.
    values: BTreeMap<Option<String>, BTreeSet<Option<String>>>,
    spread_counts: BTreeMap<(GroupId, String, Option<String>), u32>,
}

impl PlacementIndex {
    /// Prepares the index for the scenario's chains (before any instance registers).
    pub fn register_chain(&mut self, strategies: &[PlacementStrategy], group: GroupId) {
        for s in strategies {
            if let PlacementStrategy::Spread(SpreadField::Attribute(a)) = s {
                self.spread_attributes.insert(a.clone());
            }
        }
        if let Some(plan) = Plan::for_chain(strategies, group) {
            self.plans.insert(plan);
        }
    }

    /// Whether searches for this plan can use the index.
    pub fn has(&self, plan: &Plan) -> bool {
        self.plans.contains(plan)
    }

    /// Live tasks of `group` on instances whose `attribute` is `value`.
    pub fn spread_count(&self, group: GroupId, attribute: &str, value: Option<&String>) -> u32 {
        self.spread_counts.get(&(group, attribute.to_string(), value.cloned())).copied().unwrap_or(0)
    }

    fn class(plan: &Plan, instance: &Instance) -> Class {
        let value = plan.spread_attribute.as_ref().and_then(|a| instance.attributes.get(a).cloned());
        (plan.spread_attribute.clone(), value)
    }

    /// Takes `instance` out of the ordered sets whose order `affected` accepts (before its values
    /// change): a task coming or going moves an instance in the free-resource orders and its own
    /// group's count, not in the count of every other group (with a service per group, updating
    /// every set made each placement cost as much as the number of services).
    pub fn remove_where(
        &mut self,
        instance: &Instance,
        value_of: impl Fn(Order) -> u32,
        affected: impl Fn(Order) -> bool,
    ) {
        for plan in self.plans.iter().filter(|p| affected(p.order)) {
            if let Some(set) = self.ordered.get_mut(&(Self::class(plan, instance), plan.order)) {
                set.remove(&(value_of(plan.order), instance.id));
            }
        }
    }

    /// Puts `instance` into every ordered set (on registration and after its values change).
    pub fn insert(&mut self, instance: &Instance, value_of: impl Fn(Order) -> u32) {
        self.insert_where(instance, value_of, |_| true);
    }

    /// [`PlacementIndex::insert`] into the ordered sets whose order `affected` accepts only (see
    /// [`PlacementIndex::remove_where`]).
    pub fn insert_where(
        &mut self,
        instance: &Instance,
        value_of: impl Fn(Order) -> u32,
        affected: impl Fn(Order) -> bool,
    ) {
        for plan in self.plans.iter().filter(|p| affected(p.order)) {
            let class = Self::class(plan, instance);
            self.values.entry(class.0.clone()).or_default().insert(class.1.clone());
            self.ordered.entry((class, plan.order)).or_default().insert((value_of(plan.order), instance.id));
        }
    }

    /// Counts a task of `group` in (`delta` = 1) or out (-1) of the spread values of `instance`.
    pub fn count(&mut self, group: GroupId, instance: &Instance, delta: i32) {
        for a in &self.spread_attributes {
            let key = (group, a.clone(), instance.attributes.get(a).cloned());
            let n = self.spread_counts.entry(key.clone()).or_insert(0);
            *n = n.saturating_add_signed(delta);
            if *n == 0 {
                self.spread_counts.remove(&key);
            }
        }
    }

    /// The best instance under `plan` that `accepts` (every placement rule), or `None` if no
    /// instance does. `start` is the lowest useful value of the order (a binpack's need).
    pub fn search(
        &self,
        plan: &Plan,
        group: GroupId,
        start: u32,
        accepts: impl Fn(InstanceId) -> bool,
    ) -> Option<InstanceId> {
        let classes: Vec<&Option<String>> = self.values.get(&plan.spread_attribute).into_iter().flatten().collect();
        let mut tiers: BTreeMap<u32, Vec<&Option<String>>> = BTreeMap::new();
        for value in classes {
            let score = match &plan.spread_attribute {
                Some(a) => self.spread_count(group, a, value.as_ref()),
                None => 0,
            };
            tiers.entry(score).or_default().push(value);
        }
        tiers.values().find_map(|tier| {
            tier.iter()
                .filter_map(|value| self.best_in_class(plan, (*value).clone(), start, &accepts))
                .min()
                .map(|(_, id)| id)
        })
    }

    /// The first acceptable instance of one class in the plan's order: (its rank, its id).
    fn best_in_class(
        &self,
        plan: &Plan,
        value: Option<String>,
        start: u32,
        accepts: &impl Fn(InstanceId) -> bool,
    ) -> Option<(u32, InstanceId)> {
        let set = self.ordered.get(&((plan.spread_attribute.clone(), value), plan.order))?;
        let from = (start, InstanceId::from_index(0));
        set.range(from..).find(|(_, id)| accepts(*id)).map(|(v, id)| (v - start, *id))
    }
}
