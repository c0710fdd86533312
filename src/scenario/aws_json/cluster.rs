//! A cluster's capacity providers in AWS's JSON into the scenario's
//! `default_capacity_provider_strategy: { import: cluster.json }`.
//!
//! Read by its keys: `put-cluster-capacity-providers` input (`cluster`, `capacityProviders`,
//! `defaultCapacityProviderStrategy`), its output (the cluster under `cluster`), or
//! `describe-clusters` output (`clusters: [...]`, one cluster, or the one the scenario's `name`
//! names when it lists several). Mapped: `defaultCapacityProviderStrategy`; the cluster's
//! `capacityProviders` are its associations, which ECS requires of every provider the default
//! strategy names (checked here). The rest of a described cluster (counts, statistics, settings,
//! tags, attachments) is accepted and ignored.

use serde::de::IgnoredAny;
use serde::Deserialize;

use super::parts::{join, problem, syntax, typed, JsonFile};
use crate::scenario::diagnostics::Diagnostic;
use crate::scenario::schema::RawStrategyItem;

/// The default capacity provider strategy of the cluster in `file` (`name` picks one cluster of
/// several in describe-clusters output).
pub fn parse_cluster_strategy(file: &JsonFile, name: &str) -> Result<Vec<RawStrategyItem>, Diagnostic> {
    let value: serde_json::Value = serde_json::from_str(file.text).map_err(|e| syntax(file, &e))?;
    let (path, node) = if let Some(list) = value.get("clusters").and_then(serde_json::Value::as_array) {
        let named = |c: &serde_json::Value| c.get("clusterName").and_then(serde_json::Value::as_str) == Some(name);
        match list.iter().position(named).or((list.len() == 1).then_some(0)) {
            Some(i) => (format!("clusters[{i}]"), &list[i]),
            None => {
                return Err(problem(
                    file,
                    "clusters",
                    format!("the file describes {} clusters, none named `{name}`", list.len()),
                    Some("name the scenario (`name:`) after the cluster, or describe only that cluster".into()),
                ))
            }
        }
    } else if let Some(cluster) = value.get("cluster").filter(|c| c.is_object()) {
        ("cluster".to_string(), cluster)
    } else {
        (".".to_string(), &value)
    };
    let cluster: Cluster = typed(file, &path, node)?;
    let Some(strategy) = cluster.default_capacity_provider_strategy else {
        return Err(problem(
            file,
            &path,
            "the cluster has no `defaultCapacityProviderStrategy`".into(),
            Some("put-cluster-capacity-providers or describe-clusters JSON with the strategy".into()),
        ));
    };
    let associated = cluster.capacity_providers.unwrap_or_default();
    let mut items = Vec::new();
    for (i, item) in strategy.into_iter().enumerate() {
        if !associated.is_empty() && !associated.contains(&item.capacity_provider) {
            return Err(problem(
                file,
                &join(&path, &format!("defaultCapacityProviderStrategy[{i}].capacityProvider")),
                format!("`{}` is not one of the cluster's `capacityProviders`", item.capacity_provider),
                Some(format!(
                    "ECS takes only associated providers in a strategy: add it to `capacityProviders` ({})",
                    associated.join(", ")
                )),
            ));
        }
        items.push(RawStrategyItem { capacity_provider: item.capacity_provider, base: item.base, weight: item.weight });
    }
    Ok(items)
}

// PutClusterCapacityProviders' request and the Cluster of its response and of DescribeClusters
// (Amazon ECS API Reference).

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Cluster {
    capacity_providers: Option<Vec<String>>,
    default_capacity_provider_strategy: Option<Vec<StrategyItem>>,
    _cluster: Option<IgnoredAny>,
    _cluster_arn: Option<IgnoredAny>,
    _cluster_name: Option<IgnoredAny>,
    _configuration: Option<IgnoredAny>,
    _status: Option<IgnoredAny>,
    _registered_container_instances_count: Option<IgnoredAny>,
    _running_tasks_count: Option<IgnoredAny>,
    _pending_tasks_count: Option<IgnoredAny>,
    _active_services_count: Option<IgnoredAny>,
    _statistics: Option<IgnoredAny>,
    _tags: Option<IgnoredAny>,
    _settings: Option<IgnoredAny>,
    _attachments: Option<IgnoredAny>,
    _attachments_status: Option<IgnoredAny>,
    _service_connect_defaults: Option<IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct StrategyItem {
    capacity_provider: String,
    base: Option<i64>,
    weight: Option<i64>,
}
