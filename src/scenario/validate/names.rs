//! The name table: every name the scenario declares, by kind, and the typed id it stands for.
//!
//! [`Names`] is built once from the raw scenario, before any check runs, and every validator
//! resolves a reference through it: [`Table::resolve`] gives the id, or reports "unknown X `y`"
//! with "did you mean". An id is the entry's position in its table, which is also its index in
//! the validated list of [`Scenario`](crate::scenario::Scenario) (`services`, `zones`...):
//! what a validator made of each entry is kept by id in a [`Checked`], so an entry with problems
//! of its own leaves a hole instead of shifting the ids of the entries after it.
//!
//! A name declared twice (a zone listed twice, a target group under two load balancers) keeps
//! an id per declaration, and resolves to the first; the repetition is reported by the check of
//! the kind.

use std::collections::BTreeMap;
use std::marker::PhantomData;

use super::checker::Checker;
use crate::capacity::{FARGATE, FARGATE_SPOT};
use crate::ids::{AlarmId, LoadBalancerId, ProviderId, ServiceId, TargetGroupId, TaskDefId, ZoneId};
use crate::scenario::diagnostics::suggestion;
use crate::scenario::path::Path;
use crate::scenario::schema::{names as keys, RawScenario};

pub use crate::ids::ArenaId as Id;

/// The names of one kind, in declaration order; a name's id is its position.
pub struct Table<I> {
    /// What an entry is, in "unknown task definition `x`".
    noun: &'static str,
    names: Vec<String>,
    /// The first position of every name.
    first: BTreeMap<String, usize>,
    id: PhantomData<I>,
}

impl<I: Id> Table<I> {
    pub fn new<'a>(noun: &'static str, names: impl IntoIterator<Item = &'a str>) -> Table<I> {
        let names: Vec<String> = names.into_iter().map(str::to_string).collect();
        let mut first = BTreeMap::new();
        for (i, name) in names.iter().enumerate() {
            first.entry(name.clone()).or_insert(i);
        }
        Table { noun, names, first, id: PhantomData }
    }

    /// The id of `name`, if it is declared.
    pub fn get(&self, name: &str) -> Option<I> {
        self.first.get(name).map(|&i| I::from_index(i))
    }

    /// The id of `name`, or "unknown <noun> `name`" at `path` with "did you mean".
    pub fn resolve(&self, c: &mut Checker, path: &Path, name: &str) -> Option<I> {
        let id = self.get(name);
        if id.is_none() {
            c.error(path, &format!("unknown {} `{name}`", self.noun), Some(&self.suggest(name)));
        }
        id
    }

    /// "did you mean" the nearest declared name, or the list of them.
    pub fn suggest(&self, name: &str) -> String {
        suggestion(name, self.names())
    }

    pub fn name(&self, id: I) -> &str {
        &self.names[id.index()]
    }

    /// Every declared name, in order (a repeated one as often as it is declared).
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.names.iter().map(String::as_str)
    }

    /// Every id, in order.
    pub fn ids(&self) -> impl Iterator<Item = I> {
        (0..self.names.len()).map(I::from_index)
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }
}

/// Every kind of name a scenario declares.
pub struct Names {
    pub zones: Table<ZoneId>,
    pub task_definitions: Table<TaskDefId>,
    /// The built-in FARGATE and FARGATE_SPOT, then the declared providers by name.
    pub providers: Table<ProviderId>,
    pub services: Table<ServiceId>,
    pub load_balancers: Table<LoadBalancerId>,
    /// By load balancer, then by name.
    pub target_groups: Table<TargetGroupId>,
    /// Each target group's load balancer, and each (load balancer, target group name)'s id.
    target_group_owners: Vec<LoadBalancerId>,
    target_group_ids: BTreeMap<(LoadBalancerId, String), TargetGroupId>,
    pub custom_metrics: Table<usize>,
    /// The scenario's own CloudWatch alarms (`alarms:`).
    pub alarms: Table<AlarmId>,
}

impl Names {
    pub fn new(raw: &RawScenario) -> Names {
        let load_balancers: Table<LoadBalancerId> = Table::new("load balancer", keys(&raw.load_balancers));
        let groups: Vec<(LoadBalancerId, &str)> = raw
            .load_balancers
            .iter()
            .zip(load_balancers.ids())
            .flat_map(|((_, lb), id)| lb.target_groups.keys().map(move |tg| (id, tg.as_str())))
            .collect();
        let target_group_ids = groups
            .iter()
            .enumerate()
            .map(|(i, (lb, tg))| ((*lb, tg.to_string()), TargetGroupId::from_index(i)))
            .collect();
        let builtin = [FARGATE, FARGATE_SPOT].into_iter();
        Names {
            zones: Table::new("zone", raw.zones.iter().map(String::as_str)),
            task_definitions: Table::new("task definition", keys(&raw.task_definitions)),
            providers: Table::new("capacity provider", builtin.chain(keys(&raw.capacity_providers))),
            services: Table::new("service", keys(&raw.services)),
            target_groups: Table::new("target group", groups.iter().map(|(_, tg)| *tg)),
            target_group_owners: groups.iter().map(|(lb, _)| *lb).collect(),
            target_group_ids,
            load_balancers,
            custom_metrics: Table::new("custom metric", keys(&raw.custom_metrics)),
            alarms: Table::new("alarm", keys(&raw.alarms)),
        }
    }

    /// A zone of the cluster, or "`name` is not a zone of the cluster" at `path`.
    pub fn zone(&self, c: &mut Checker, path: &Path, name: &str) -> Option<ZoneId> {
        let id = self.zones.get(name);
        if id.is_none() {
            c.error(path, &format!("`{name}` is not a zone of the cluster"), Some(&self.zones.suggest(name)));
        }
        id
    }

    /// The load balancer target group `id` is declared under.
    pub fn target_group_owner(&self, id: TargetGroupId) -> LoadBalancerId {
        self.target_group_owners[id.index()]
    }

    /// The id of the target group `name` declared under load balancer `lb`.
    pub fn target_group_of(&self, lb: LoadBalancerId, name: &str) -> Option<TargetGroupId> {
        self.target_group_ids.get(&(lb, name.to_string())).copied()
    }
}

/// What validation made of each entry of one kind, by id: `None` where the entry has problems
/// of its own (already reported).
pub struct Checked<I, T> {
    items: Vec<Option<T>>,
    id: PhantomData<I>,
}

impl<I: Id, T> Checked<I, T> {
    /// Room for every entry of `table`, none checked yet.
    pub fn new(table: &Table<I>) -> Checked<I, T> {
        Checked { items: (0..table.len()).map(|_| None).collect(), id: PhantomData }
    }

    pub fn set(&mut self, id: I, value: T) {
        self.items[id.index()] = Some(value);
    }

    /// The valid entry `id`; `None` for one with problems.
    pub fn get(&self, id: I) -> Option<&T> {
        self.items.get(id.index()).and_then(Option::as_ref)
    }

    pub fn get_mut(&mut self, id: I) -> Option<&mut T> {
        self.items.get_mut(id.index()).and_then(Option::as_mut)
    }

    /// The valid entries with their ids, in order.
    pub fn iter(&self) -> impl Iterator<Item = (I, &T)> {
        self.items.iter().enumerate().filter_map(|(i, t)| Some((I::from_index(i), t.as_ref()?)))
    }

    /// Every entry, when every one is valid: the list the ids index.
    pub fn into_complete(self) -> Option<Vec<T>> {
        self.items.into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::load_str;

    #[test]
    fn a_name_resolves_to_its_first_declaration_or_a_suggestion() {
        let zones: Table<ZoneId> = Table::new("zone", ["a-1", "b-1", "a-1"]);
        assert_eq!(zones.get("a-1"), Some(ZoneId::from_index(0)));
        assert_eq!(zones.get("b-1"), Some(ZoneId::from_index(1)));
        assert_eq!(zones.len(), 3);
        let mut c = Checker::default();
        assert_eq!(zones.resolve(&mut c, &Path::root("z"), "b-2"), None);
        let problem = &c.into_result().unwrap_err()[0];
        assert_eq!(
            (problem.message.as_str(), problem.hint.as_deref()),
            ("unknown zone `b-2`", Some("did you mean `b-1`?"))
        );
    }

    /// A provider with problems of its own leaves a hole: the providers after it keep their ids,
    /// and naming it in a strategy is not also reported as naming an unknown provider.
    #[test]
    fn an_invalid_entry_keeps_its_id_and_is_not_unknown() {
        let yaml = "duration: 1h
zones: [a]
capacity_providers:
  broken: { auto_scaling_group: { instance_type: m5.nosuch, desired_capacity: 1 } }
  good: { auto_scaling_group: { instance_type: m5.large, desired_capacity: 1 } }
default_capacity_provider_strategy: [ { capacity_provider: broken, weight: 1 } ]
";
        let err = load_str(yaml, "s.yaml", "s").unwrap_err();
        let paths: Vec<&str> = err.diagnostics.iter().map(|d| d.path.as_str()).collect();
        assert_eq!(paths, ["capacity_providers.broken.auto_scaling_group.instance_type"]);
        let raw: RawScenario = serde_yaml::from_str(yaml).unwrap();
        let names = Names::new(&raw);
        assert_eq!(names.providers.get("good"), Some(ProviderId::from_index(3)));
    }
}
