//! `services.<name>.deployment_configuration` and `alternate_target_group`: the deployment
//! strategy and what each strategy takes (aws-behaviour.md §6.4, §6.5, §6a).
//!
//! - ROLLING (the default): `minimum_healthy_percent` 0-100 and `maximum_percent` >= 100
//!   (exactly 100 for a daemon), the circuit breaker with or without rollback;
//! - BLUE_GREEN, CANARY, LINEAR: a REPLICA service behind a load balancer with an
//!   `alternate_target_group` on the same load balancer; `bake_time` in whole minutes up to 1440;
//!   CANARY's `canary_percent` 0.1-100 and LINEAR's `step_percent` 3-100, in steps of 0.1, with
//!   their own bake times; no circuit breaker (ECS's is the rolling update's only);
//! - `alarms` (any strategy): names of the scenario's `alarms:`, with or without rollback.

use super::checker::Checker;
use super::names::Names;
use crate::engine::SimDuration;
use crate::ids::TargetGroupId;
use crate::scenario::path::Path;
use crate::scenario::schema::{RawDeploymentConfiguration, RawDeploymentStrategy, RawService};
use crate::scenario::values::Scalar;
use crate::service::{
    CircuitBreaker, DeploymentAlarms, DeploymentConfiguration, DeploymentStrategy, SchedulingStrategy,
};

/// ecsim's bound on `maximum_percent` (AWS documents none): 100 times the desired count.
const MAX_MAXIMUM_PERCENT: i64 = 10_000;
/// ECS's bound on every bake time: 1440 minutes.
const MAX_BAKE_MINUTES: u64 = 1_440;
/// LINEAR's smallest step.
const MIN_STEP_PERCENT: f64 = 3.0;

/// `deployment_configuration`: AWS's defaults per scheduling strategy, then what the file sets.
pub fn check(
    c: &mut Checker,
    names: &Names,
    path: &Path,
    raw: Option<&RawDeploymentConfiguration>,
    scheduling: SchedulingStrategy,
) -> Option<DeploymentConfiguration> {
    let mut config = DeploymentConfiguration::default_for(scheduling);
    let Some(raw) = raw else { return Some(config) };
    let path = path.field("deployment_configuration");
    let before = c.error_count();
    if let Some(min) = raw.minimum_healthy_percent {
        let min = c.int_in(&path.field("minimum_healthy_percent"), min, 0, 100);
        config.minimum_healthy_percent = min.unwrap_or(config.minimum_healthy_percent);
    }
    if let Some(max) = raw.maximum_percent {
        let field = path.field("maximum_percent");
        let max = match scheduling {
            SchedulingStrategy::Daemon if max != 100 => {
                c.error(&field, &format!("{max} is not allowed: a DAEMON service's maximum is 100"), None);
                None
            }
            _ => c.int_in(&field, max, 100, MAX_MAXIMUM_PERCENT),
        };
        config.maximum_percent = max.unwrap_or(config.maximum_percent);
    }
    if let Some(breaker) = &raw.deployment_circuit_breaker {
        if breaker.rollback && !breaker.enable {
            c.error(
                &path.field("deployment_circuit_breaker").field("rollback"),
                "rollback needs the circuit breaker enabled",
                Some("set `enable: true`"),
            );
        }
        config.circuit_breaker = breaker.enable.then_some(CircuitBreaker { rollback: breaker.rollback });
    }
    let shifts = shifts_traffic(Some(raw));
    let kind = raw.strategy.map_or("ROLLING", name);
    config.strategy = strategy(c, &path, raw, scheduling).unwrap_or_default();
    if let Some(bake) = &raw.bake_time {
        config.bake_time = bake_time(c, &path.field("bake_time"), bake).unwrap_or_default();
        if !shifts {
            let hint = "a bake time is for `strategy: BLUE_GREEN`, `CANARY` or `LINEAR`";
            c.error(&path.field("bake_time"), "a ROLLING deployment has no bake time", Some(hint));
        }
    }
    if shifts && config.circuit_breaker.is_some() {
        c.error(
            &path.field("deployment_circuit_breaker"),
            &format!("ECS's circuit breaker is for rolling updates only, not {kind}"),
            Some("watch a `blue_green`, `canary` or `linear` deployment with `alarms: { alarm_names: [...], enable: true, rollback: true }`"),
        );
    }
    if let Some(alarms) = &raw.alarms {
        let path = path.field("alarms");
        let ids: Vec<_> = alarms
            .alarm_names
            .iter()
            .enumerate()
            .filter_map(|(i, name)| names.alarms.resolve(c, &path.field("alarm_names").index(i), name))
            .collect();
        if alarms.enable && alarms.alarm_names.is_empty() {
            c.error(&path.field("alarm_names"), "no alarm to watch", Some("name an entry of `alarms:`"));
        }
        if alarms.rollback && !alarms.enable {
            c.error(&path.field("rollback"), "rollback needs the alarms enabled", Some("set `enable: true`"));
        }
        config.alarms = alarms.enable.then_some(DeploymentAlarms { alarms: ids, rollback: alarms.rollback });
    }
    (c.error_count() == before).then_some(config)
}

/// Whether the configuration asks for a traffic-shifting strategy (whatever its parameters).
pub fn shifts_traffic(raw: Option<&RawDeploymentConfiguration>) -> bool {
    raw.and_then(|r| r.strategy).is_some_and(|k| k != RawDeploymentStrategy::Rolling)
}

/// ECS's name of a strategy.
fn name(kind: RawDeploymentStrategy) -> &'static str {
    match kind {
        RawDeploymentStrategy::Rolling => "ROLLING",
        RawDeploymentStrategy::BlueGreen => "BLUE_GREEN",
        RawDeploymentStrategy::Canary => "CANARY",
        RawDeploymentStrategy::Linear => "LINEAR",
    }
}

/// The strategy and its own configuration.
fn strategy(
    c: &mut Checker,
    path: &Path,
    raw: &RawDeploymentConfiguration,
    scheduling: SchedulingStrategy,
) -> Option<DeploymentStrategy> {
    let kind = raw.strategy.unwrap_or(RawDeploymentStrategy::Rolling);
    let misplaced = |c: &mut Checker, field: &str, wants: &str| {
        c.error(&path.field(field), &format!("`{field}` is for `strategy: {wants}`"), None);
    };
    if raw.canary_configuration.is_some() && kind != RawDeploymentStrategy::Canary {
        misplaced(c, "canary_configuration", "CANARY");
    }
    if raw.linear_configuration.is_some() && kind != RawDeploymentStrategy::Linear {
        misplaced(c, "linear_configuration", "LINEAR");
    }
    if kind != RawDeploymentStrategy::Rolling && scheduling == SchedulingStrategy::Daemon {
        let hint = "DAEMON services deploy with the rolling update only";
        c.error(&path.field("strategy"), "a DAEMON service runs one task per instance", Some(hint));
        return None;
    }
    match kind {
        RawDeploymentStrategy::Rolling => Some(DeploymentStrategy::Rolling),
        RawDeploymentStrategy::BlueGreen => Some(DeploymentStrategy::BlueGreen),
        RawDeploymentStrategy::Canary => {
            let (raw, path) = (raw.canary_configuration.as_ref(), path.field("canary_configuration"));
            let percent = raw
                .and_then(|r| r.canary_percent)
                .map_or(Some(DeploymentStrategy::CANARY_PERCENT), |p| tenths(c, &path.field("canary_percent"), p, 0.1));
            let bake =
                raw.and_then(|r| r.canary_bake_time.as_ref()).map_or(Some(DeploymentStrategy::CANARY_BAKE_TIME), |b| {
                    bake_time(c, &path.field("canary_bake_time"), b)
                });
            Some(DeploymentStrategy::Canary { percent: percent?, bake_time: bake? })
        }
        RawDeploymentStrategy::Linear => {
            let (raw, path) = (raw.linear_configuration.as_ref(), path.field("linear_configuration"));
            let step = raw.and_then(|r| r.step_percent).map_or(Some(DeploymentStrategy::LINEAR_STEP_PERCENT), |p| {
                tenths(c, &path.field("step_percent"), p, MIN_STEP_PERCENT)
            });
            let bake = raw
                .and_then(|r| r.step_bake_time.as_ref())
                .map_or(Some(DeploymentStrategy::LINEAR_STEP_BAKE_TIME), |b| {
                    bake_time(c, &path.field("step_bake_time"), b)
                });
            Some(DeploymentStrategy::Linear { step_percent: step?, step_bake_time: bake? })
        }
    }
}

/// A percent from `min` to 100 in steps of 0.1, as ECS takes them.
fn tenths(c: &mut Checker, path: &Path, value: f64, min: f64) -> Option<f64> {
    let in_tenths = value * 10.0;
    let whole = (in_tenths - in_tenths.round()).abs() < 1e-6;
    if !value.is_finite() || value < min - 1e-9 || value > 100.0 || !whole {
        let message = format!("{value} is not a percent from {min} to 100 in steps of 0.1");
        c.error(path, &message, Some(&format!("e.g. `{min}` or `10.0`")));
        return None;
    }
    Some(in_tenths.round() / 10.0)
}

/// A bake time: whole minutes, 0 to 1440 (ECS's `...InMinutes` fields).
fn bake_time(c: &mut Checker, path: &Path, raw: &Scalar) -> Option<SimDuration> {
    let d = c.duration(path, raw)?;
    let minutes = d.as_secs_f64() / 60.0;
    if d.as_micros() % 60_000_000 != 0 || minutes > MAX_BAKE_MINUTES as f64 {
        c.error(path, &format!("{d} is not a whole number of minutes from 0 to 1440"), Some("e.g. `5m` or `0m`"));
        return None;
    }
    Some(d)
}

/// `alternate_target_group`: required by the traffic-shifting strategies, on the same load
/// balancer as `load_balancer`, and used by nothing else.
pub fn alternate_target_group(
    c: &mut Checker,
    names: &Names,
    path: &Path,
    s: &RawService,
    production: Option<TargetGroupId>,
) -> Option<Option<TargetGroupId>> {
    let raw = s.deployment_configuration.as_ref();
    let shifts = shifts_traffic(raw);
    let field = path.field("alternate_target_group");
    let Some(alternate_name) = &s.alternate_target_group else {
        if shifts && s.load_balancer.is_some() {
            let what = raw.and_then(|r| r.strategy).map_or("", name);
            let hint =
                "name a second target group of the service's load balancer, e.g. `alternate_target_group: web-green`";
            c.error(path, &format!("a {what} deployment needs an `alternate_target_group`"), Some(hint));
            return None;
        }
        if shifts {
            let hint = "add `load_balancer: <target group>` and `alternate_target_group: <another>`";
            c.error(path, "a traffic-shifting deployment needs a load balancer", Some(hint));
            return None;
        }
        return Some(None);
    };
    if !shifts {
        let hint = "set `deployment_configuration.strategy` to BLUE_GREEN, CANARY or LINEAR, or remove it";
        c.error(&field, "an alternate target group is for traffic-shifting deployments", Some(hint));
        return None;
    }
    let alternate = names.target_groups.resolve(c, &field, alternate_name)?;
    let production = production?;
    if alternate == production {
        c.error(&field, "must differ from `load_balancer`", Some("declare a second target group"));
        return None;
    }
    if names.target_group_owner(alternate) != names.target_group_owner(production) {
        let hint = "both target groups must be on the listener of one load balancer";
        c.error(&field, &format!("`{alternate_name}` is not on the service's load balancer"), Some(hint));
        return None;
    }
    Some(Some(alternate))
}
