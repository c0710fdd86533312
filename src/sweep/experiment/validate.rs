//! Raw experiment → [`Experiment`]: every problem collected, then every variant validated as a
//! whole scenario.

use std::collections::BTreeSet;
use std::path::Path;

use serde_yaml::Value;

use super::schema::{RawAxis, RawExperiment, RawVariant};
use super::{folder_name, Constraint, Experiment, ExperimentError, Objective, Variant};
use crate::engine::SimDuration;
use crate::metrics::column_named;
use crate::scenario::{
    default_name, identify_experiment, parse_yaml, suggestion, Diagnostic, Document, Origin, Override, Scenario,
    ScenarioError, SourceMap,
};
use crate::sweep::measures::{measure_index, MeasureSpec, OverTime, Slo, Unit, MEASURES};

/// The most seeds or variants one experiment may have: enough for any comparison, few enough
/// that a typo (`seeds: 1000000`) is caught before it runs for days.
pub const MAX_SEEDS: usize = 10_000;
pub const MAX_VARIANTS: usize = 1_000;

/// Problems of the experiment file, located by its source map.
struct Problems<'a> {
    file: &'a str,
    map: &'a SourceMap,
    found: Vec<Diagnostic>,
}

impl Problems<'_> {
    fn add(&mut self, path: &str, message: impl Into<String>, hint: Option<String>) {
        self.found.push(Diagnostic {
            file: None,
            path: path.to_string(),
            line: self.map.line_of(path),
            message: message.into(),
            hint,
        });
    }

    fn origin(&self, path: &str) -> Origin {
        Origin { file: self.file.to_string(), line: self.map.line_of(path), path: path.to_string() }
    }
}

fn measure_names() -> impl Iterator<Item = &'static str> {
    MEASURES.iter().map(|m| m.name)
}

/// Reads a base scenario path: its display name and bytes, or why not.
pub type BaseReader<'a> = dyn Fn(&str) -> Result<(String, Vec<u8>), String> + 'a;

/// Validates experiment `text` of `file`; `read_base` reads a base scenario path relative to the
/// experiment file, giving its display name and bytes.
pub fn from_str(text: &str, file: &str, read_base: &BaseReader<'_>) -> Result<Experiment, ExperimentError> {
    let (raw, map): (RawExperiment, SourceMap) = parse_yaml(text, file).map_err(|e| {
        // A scenario or an AWS file given as the experiment says what it is instead.
        let e = match identify_experiment(text, file) {
            Some(d) => ScenarioError::new(file, vec![d]),
            None => e,
        };
        ExperimentError::Invalid(vec![(String::new(), e)])
    })?;
    let mut p = Problems { file, map: &map, found: Vec::new() };
    if raw.experiment.trim().is_empty() {
        p.add("experiment", "the experiment needs a name", Some("e.g. `experiment: capacity-plan`".into()));
    }
    let (document, base_file, base_bytes) = match &raw.base {
        Value::String(path) => match read_base(path) {
            Ok((shown, bytes)) => {
                let parsed = Document::parse(&String::from_utf8_lossy(&bytes), &shown, &default_name(Path::new(path)));
                (Some(parsed), shown, bytes)
            }
            Err(message) => {
                p.add("base", message, Some("`base` paths are relative to the experiment file".into()));
                (None, String::new(), Vec::new())
            }
        },
        Value::Mapping(_) => {
            let doc = Document::inline(raw.base.clone(), text, "base", file, &raw.experiment);
            (Some(Ok(doc)), file.to_string(), text.as_bytes().to_vec())
        }
        _ => {
            let hint = Some("write a path (`base: ../web.yaml`) or the scenario itself under `base:`".into());
            p.add("base", "`base` must be a scenario file's path or a scenario", hint);
            (None, String::new(), Vec::new())
        }
    };
    let mut failures: Vec<(String, ScenarioError)> = Vec::new();
    let document = match document {
        Some(Ok(d)) => Some(d),
        Some(Err(e)) => {
            failures.push(("base scenario".into(), e));
            None
        }
        None => None,
    };
    let base = document.as_ref().and_then(|d| match d.load(&[]) {
        Ok(s) => Some(s),
        Err(e) => {
            failures.push(("base scenario".into(), e));
            None
        }
    });

    let seeds = seeds(&raw, &mut p);
    let confidence = raw.confidence.unwrap_or(0.95);
    if !(confidence > 0.5 && confidence < 1.0) {
        p.add(
            "confidence",
            format!("{confidence} is not a confidence level"),
            Some("between 0.5 and 1, e.g. 0.95".into()),
        );
    }
    let warm_up = raw.warm_up.as_deref().map_or(Some(SimDuration::ZERO), |w| duration(&mut p, "warm_up", w, true));
    let variants = variant_list(&raw, &mut p);
    let names: Vec<&str> = variants.iter().map(|(n, _)| n.as_str()).collect();
    let baseline = match &raw.baseline {
        None => 0,
        Some(b) => names.iter().position(|n| n == b).unwrap_or_else(|| {
            p.add("baseline", format!("no variant is called `{b}`"), Some(suggestion(b, names.iter().copied())));
            0
        }),
    };
    let slos = slos(&raw, base.as_ref(), &mut p);
    let objective = objective(&raw, &mut p);
    let half_widths = half_widths(&raw, &mut p);
    let over_time = over_time(&raw, base.as_ref(), &mut p);

    let mut built = Vec::new();
    if let (Some(doc), Some(base), Some(warm_up)) = (&document, &base, warm_up) {
        if let Some(problem) = warm_up_problem(warm_up, base) {
            p.add("warm_up", problem, None);
        }
        if base.services.is_empty() {
            let hint = Some("the measures come from the services' metrics rows; add a service".into());
            p.add("base", "the base scenario has no services: an experiment has nothing to measure", hint);
        }
        let timing = |s: &Scenario| (s.duration, s.metrics_interval);
        for (name, overrides) in variants {
            match doc.load(&overrides) {
                Ok(scenario) => {
                    // A variant that keeps the base's timing has the base's warm-up problem, said once.
                    let own = warm_up_problem(warm_up, &scenario).filter(|_| timing(&scenario) != timing(base));
                    if let Some(problem) = own {
                        p.add("warm_up", format!("variant `{name}`: {problem}"), None);
                    }
                    for problem in missing_services(&scenario, &slos, over_time.as_ref()) {
                        p.add("variants", format!("variant `{name}`: {problem}"), None);
                    }
                    let spec = spec(&scenario, warm_up, &slos, over_time.as_ref());
                    built.push(Variant { name, overrides, scenario, spec });
                }
                Err(e) => failures.push((format!("variant `{name}`"), e)),
            }
        }
    }
    if !p.found.is_empty() {
        failures.insert(0, (String::new(), ScenarioError::new(file, std::mem::take(&mut p.found))));
    }
    if !failures.is_empty() {
        return Err(ExperimentError::Invalid(failures));
    }
    Ok(Experiment {
        name: raw.experiment.clone(),
        file: file.to_string(),
        bytes: text.as_bytes().to_vec(),
        base_file,
        base_bytes,
        seeds,
        variants: built,
        baseline,
        confidence,
        warm_up: warm_up.unwrap_or(SimDuration::ZERO),
        slos,
        objective,
        half_widths,
        over_time,
    })
}

fn duration(p: &mut Problems, path: &str, text: &str, zero_ok: bool) -> Option<SimDuration> {
    match humantime::parse_duration(text.trim()) {
        Ok(d) if d.is_zero() && !zero_ok => {
            p.add(path, "must be greater than 0s", None);
            None
        }
        Ok(d) => Some(d.into()),
        Err(e) => {
            p.add(
                path,
                format!("`{text}` is not a duration: {e}"),
                Some("write a number with a unit, e.g. `300ms`, `10m`".into()),
            );
            None
        }
    }
}

fn seeds(raw: &RawExperiment, p: &mut Problems) -> Vec<u64> {
    let hint = || Some("a count runs seeds 1 to N (`seeds: 10`); or list them, `[3, 7, 11]`".to_string());
    match &raw.seeds {
        None => vec![1],
        Some(Value::Number(n)) => match n.as_u64().and_then(|n| usize::try_from(n).ok()) {
            Some(count) if (1..=MAX_SEEDS).contains(&count) => (1..=count as u64).collect(),
            _ => {
                p.add("seeds", format!("{n} seeds: expected a whole number from 1 to {MAX_SEEDS}"), hint());
                vec![1]
            }
        },
        Some(Value::Sequence(items)) => {
            let list: Vec<u64> = items.iter().filter_map(Value::as_u64).collect();
            let distinct: BTreeSet<_> = list.iter().collect();
            if list.len() != items.len() {
                p.add("seeds", "every seed must be a whole number from 0", hint());
            } else if list.is_empty() || list.len() > MAX_SEEDS {
                p.add("seeds", format!("{} seeds: expected 1 to {MAX_SEEDS}", list.len()), hint());
            } else if distinct.len() != list.len() {
                p.add(
                    "seeds",
                    "a seed is listed twice",
                    Some("each seed once: a repeated seed repeats a run exactly".into()),
                );
            }
            if list.is_empty() {
                vec![1]
            } else {
                list
            }
        }
        Some(_) => {
            p.add("seeds", "expected a count of seeds or a list of seeds", hint());
            vec![1]
        }
    }
}

/// The overrides of one `set:`/`unset:` block at `path`.
fn overrides_of(v: &RawVariant, path: &str, p: &mut Problems) -> Vec<Override> {
    let mut out = Vec::new();
    for (key, value) in &v.set {
        match key.as_str() {
            Some(k) => out.push(Override {
                path: k.to_string(),
                value: Some(value.clone()),
                origin: p.origin(&format!("{path}.set.{k}")),
            }),
            None => p.add(
                &format!("{path}.set"),
                "a key of `set` is not a scenario path",
                Some("write `services.web.desired_count: 4`".into()),
            ),
        }
    }
    for (i, k) in v.unset.iter().enumerate() {
        out.push(Override { path: k.clone(), value: None, origin: p.origin(&format!("{path}.unset[{i}]")) });
    }
    out
}

/// A short, readable name of an axis value.
fn value_name(v: &Value, index: usize) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => format!("#{}", index + 1),
    }
}

/// The levels of one axis: (name, overrides).
fn axis_levels(axis: &RawAxis, i: usize, p: &mut Problems) -> Vec<(String, Vec<Override>)> {
    let path = format!("axes[{i}]");
    match (&axis.path, &axis.values, &axis.levels) {
        (Some(target), Some(values), None) if !values.is_empty() => values
            .iter()
            .enumerate()
            .map(|(j, v)| {
                let o = Override {
                    path: target.clone(),
                    value: Some(v.clone()),
                    origin: p.origin(&format!("{path}.values[{j}]")),
                };
                (format!("{}={}", axis.name, value_name(v, j)), vec![o])
            })
            .collect(),
        (None, None, Some(levels)) if !levels.is_empty() => levels
            .iter()
            .enumerate()
            .map(|(j, l)| (format!("{}={}", axis.name, l.name), overrides_of(l, &format!("{path}.levels[{j}]"), p)))
            .collect(),
        (Some(_), _, Some(_)) | (_, Some(_), Some(_)) => {
            let hint = "an axis sets one `path` to each of its `values`, or applies each of its `levels`";
            p.add(&path, format!("axis `{}` has both `path`/`values` and `levels`", axis.name), Some(hint.into()));
            Vec::new()
        }
        _ => {
            let hint = "give `path` and a non-empty `values` list, or a non-empty `levels` list of `{ name, set }`";
            p.add(&path, format!("axis `{}` has no levels", axis.name), Some(hint.into()));
            Vec::new()
        }
    }
}

/// The variants: those listed, each crossed with every cell of the axes' grid.
fn variant_list(raw: &RawExperiment, p: &mut Problems) -> Vec<(String, Vec<Override>)> {
    let mut listed: Vec<(String, Vec<Override>)> = raw
        .variants
        .iter()
        .enumerate()
        .map(|(i, v)| (v.name.clone(), overrides_of(v, &format!("variants[{i}]"), p)))
        .collect();
    let mut grid: Vec<(String, Vec<Override>)> = vec![(String::new(), Vec::new())];
    for (i, axis) in raw.axes.iter().enumerate() {
        let levels = axis_levels(axis, i, p);
        if levels.is_empty() {
            continue;
        }
        grid = grid
            .iter()
            .flat_map(|(name, os)| {
                levels.iter().map(move |(level, more)| {
                    let joined = if name.is_empty() { level.clone() } else { format!("{name},{level}") };
                    (joined, os.iter().chain(more).cloned().collect())
                })
            })
            .collect();
    }
    if listed.is_empty() {
        if !raw.axes.is_empty() && grid.len() == 1 {
            // Every axis was refused (and said so): there is no variant to name.
            return Vec::new();
        }
        listed.push((if raw.axes.is_empty() { "base".into() } else { String::new() }, Vec::new()));
    }
    let all: Vec<(String, Vec<Override>)> = listed
        .iter()
        .flat_map(|(name, os)| {
            grid.iter().map(move |(cell, more)| {
                let joined = match (name.is_empty(), cell.is_empty()) {
                    (true, _) => cell.clone(),
                    (false, true) => name.clone(),
                    (false, false) => format!("{name},{cell}"),
                };
                (joined, os.iter().chain(more).cloned().collect())
            })
        })
        .collect();
    for (i, v) in raw.variants.iter().enumerate() {
        if v.name.trim().is_empty() && raw.axes.is_empty() {
            p.add(&format!("variants[{i}].name"), "a variant needs a name", None);
        }
    }
    let (mut seen, mut folders) = (BTreeSet::new(), std::collections::BTreeMap::new());
    for (name, _) in &all {
        if name.trim().is_empty() {
            continue;
        }
        if !seen.insert(name.clone()) {
            p.add(
                "variants",
                format!("two variants are called `{name}`"),
                Some("give each variant its own name".into()),
            );
        } else if let Some(other) = folders.insert(folder_name(name), name.clone()) {
            let message =
                format!("variants `{other}` and `{name}` would share the folder `runs/{}`", folder_name(name));
            let hint = "characters other than letters, digits, `.`, `-` and `_` become `_` in folder names: rename one";
            p.add("variants", message, Some(hint.into()));
        }
    }
    if all.len() > MAX_VARIANTS {
        p.add("axes", format!("{} variants: at most {MAX_VARIANTS}", all.len()), Some("fewer axes or values".into()));
        return Vec::new();
    }
    all
}

/// A percent written `0.1%` or as a number.
fn percent(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().strip_suffix('%').unwrap_or(s.trim()).trim().parse().ok(),
        _ => None,
    }
    .filter(|x: &f64| x.is_finite())
}

fn slos(raw: &RawExperiment, base: Option<&Scenario>, p: &mut Problems) -> Vec<Slo> {
    let mut out = Vec::new();
    for (service, slo) in &raw.slo {
        let path = format!("slo.{service}");
        if let Some(base) = base {
            match base.services.iter().find(|s| &s.name == service) {
                None => p.add(
                    &path,
                    format!("no service is called `{service}`"),
                    Some(suggestion(service, base.services.iter().map(|s| s.name.as_str()))),
                ),
                Some(s) if s.target_group.is_none() => p.add(
                    &path,
                    format!("service `{service}` has no load balancer: it answers no requests to judge"),
                    None,
                ),
                Some(_) => {}
            }
        }
        let p99 = slo.p99.as_deref().and_then(|t| duration(p, &format!("{path}.p99"), t, false));
        let error_rate = slo.error_rate.as_ref().and_then(|v| {
            let rate = percent(v).filter(|r| *r > 0.0 && *r <= 100.0);
            if rate.is_none() {
                let hint = Some("e.g. `0.1%`; an SLO of 0% has no error budget to use".into());
                p.add(&format!("{path}.error_rate"), "expected a percent above 0 and at most 100", hint);
            }
            rate
        });
        if slo.p99.is_none() && slo.error_rate.is_none() {
            p.add(
                &path,
                "an SLO needs `p99`, `error_rate` or both",
                Some("e.g. `{ p99: 300ms, error_rate: 0.1% }`".into()),
            );
        }
        out.push(Slo { service: service.clone(), p99, error_rate });
    }
    out
}

/// Parses a constraint on measure `measure` written `<= 300ms` (`<`, `<=`, `>=`, `>`; a value in
/// the measure's unit: a duration for times, `0.1%` for percents, a number otherwise).
pub fn parse_constraint(measure: usize, text: &str) -> Result<Constraint, String> {
    let t = text.trim();
    let (at_most, strict, rest) = if let Some(r) = t.strip_prefix("<=") {
        (true, false, r)
    } else if let Some(r) = t.strip_prefix(">=") {
        (false, false, r)
    } else if let Some(r) = t.strip_prefix('<') {
        (true, true, r)
    } else if let Some(r) = t.strip_prefix('>') {
        (false, true, r)
    } else {
        return Err(format!("`{t}` has no comparison: write `<= 300ms`, `< 1%`, `>= 2`"));
    };
    let rest = rest.trim();
    let m = &MEASURES[measure];
    let bound = match m.unit {
        Unit::Seconds => humantime::parse_duration(rest)
            .map(|d| d.as_secs_f64())
            .map_err(|e| format!("`{rest}` is not a duration ({e}): `{}` is a time, e.g. `300ms`", m.name))?,
        Unit::Percent => {
            percent(&Value::String(rest.into())).ok_or_else(|| format!("`{rest}` is not a percent, e.g. `0.1%`"))?
        }
        Unit::Usd => rest
            .trim_start_matches('$')
            .trim()
            .parse()
            .map_err(|_| format!("`{rest}` is not an amount of USD, e.g. `120`"))?,
        Unit::Count | Unit::Minutes => rest.parse().map_err(|_| format!("`{rest}` is not a number"))?,
    };
    if !f64::is_finite(bound) {
        return Err(format!("`{rest}` is not a finite number"));
    }
    Ok(Constraint { measure, at_most, strict, bound, text: format!("{} {}", &t[..t.len() - rest.len()].trim(), rest) })
}

fn named_measure(p: &mut Problems, path: &str, name: &str) -> Option<usize> {
    let found = measure_index(name);
    if found.is_none() {
        p.add(path, format!("no measure is called `{name}`"), Some(suggestion(name, measure_names())));
    }
    found
}

fn objective(raw: &RawExperiment, p: &mut Problems) -> Option<Objective> {
    let o = raw.objective.as_ref()?;
    let minimize = named_measure(p, "objective.minimize", &o.minimize);
    let against = named_measure(p, "objective.against", o.against.as_deref().unwrap_or("p99"));
    let mut constraints = Vec::new();
    for (name, value) in &o.subject_to {
        let path = format!("objective.subject_to.{name}");
        let Some(m) = named_measure(p, &path, name) else { continue };
        let text = match value {
            Value::String(s) => s.clone(),
            other => {
                p.add(
                    &path,
                    format!(
                        "expected a comparison such as \"<= 300ms\", found {}",
                        serde_yaml::to_string(other).unwrap_or_default().trim()
                    ),
                    None,
                );
                continue;
            }
        };
        match parse_constraint(m, &text) {
            Ok(c) => constraints.push(c),
            Err(e) => p.add(&path, e, None),
        }
    }
    Some(Objective { minimize: minimize?, constraints, against: against? })
}

fn half_widths(raw: &RawExperiment, p: &mut Problems) -> Vec<(usize, f64)> {
    let mut out = Vec::new();
    for (name, value) in &raw.half_width {
        let path = format!("half_width.{name}");
        let Some(m) = named_measure(p, &path, name) else { continue };
        let text = match value {
            Value::Number(n) => n.to_string(),
            Value::String(s) => s.clone(),
            _ => String::new(),
        };
        match parse_constraint(m, &format!("<= {text}")) {
            Ok(c) if c.bound > 0.0 => out.push((m, c.bound)),
            Ok(_) => p.add(&path, "a half-width must be greater than 0", None),
            Err(e) => p.add(&path, e, None),
        }
    }
    out
}

fn over_time(raw: &RawExperiment, base: Option<&Scenario>, p: &mut Problems) -> Option<(String, String)> {
    let base = base?;
    let default_service =
        || base.services.iter().find(|s| s.target_group.is_some()).or(base.services.first()).map(|s| s.name.clone());
    let (metric, service) = match &raw.over_time {
        Some(o) => (o.metric.clone(), o.service.clone().or_else(default_service)),
        None => {
            let traffic = base.services.iter().any(|s| s.target_group.is_some());
            ((if traffic { "response_time_p99_s" } else { "running" }).to_string(), default_service())
        }
    };
    if column_named(&metric).is_none() {
        let names = crate::metrics::COLUMNS.iter().map(|c| c.name);
        p.add("over_time.metric", format!("metrics.csv has no column `{metric}`"), Some(suggestion(&metric, names)));
        return None;
    }
    let service = service?;
    if !base.services.iter().any(|s| s.name == service) {
        p.add(
            "over_time.service",
            format!("no service is called `{service}`"),
            Some(suggestion(&service, base.services.iter().map(|s| s.name.as_str()))),
        );
        return None;
    }
    Some((metric, service))
}

fn warm_up_problem(warm_up: SimDuration, s: &Scenario) -> Option<String> {
    if warm_up >= s.duration {
        return Some(format!("{warm_up} leaves nothing of a {} run to measure", s.duration));
    }
    let interval = s.metrics_interval.as_micros().max(1);
    (warm_up.as_micros() % interval != 0).then(|| {
        format!(
            "{warm_up} is not a whole number of metrics intervals ({}): measures start at a sample",
            s.metrics_interval
        )
    })
}

/// The SLOs' and `over_time`'s services that variant `s` lacks (or serves without a load
/// balancer): its measures would silently leave them out.
fn missing_services(s: &Scenario, slos: &[Slo], over_time: Option<&(String, String)>) -> Vec<String> {
    let mut out = Vec::new();
    if s.services.is_empty() {
        out.push("it has no services: an experiment measures services' metrics rows".to_string());
        return out;
    }
    for slo in slos {
        match s.services.iter().find(|x| x.name == slo.service) {
            None => out.push(format!("it has no service `{}`, which `slo` judges", slo.service)),
            Some(x) if x.target_group.is_none() => {
                out.push(format!("its service `{}` has no load balancer, so `slo` cannot judge it", slo.service))
            }
            Some(_) => {}
        }
    }
    if let Some((_, service)) = over_time {
        if !s.services.iter().any(|x| &x.name == service) {
            out.push(format!("it has no service `{service}`, which `over_time` follows"));
        }
    }
    out
}

/// What a variant's runs measure: the experiment's warm-up and SLOs, and its over-time column
/// read from the named service's rows.
fn spec(s: &Scenario, warm_up: SimDuration, slos: &[Slo], over_time: Option<&(String, String)>) -> MeasureSpec {
    let over_time = over_time.and_then(|(metric, service)| {
        Some(OverTime { column: column_named(metric)?, service: s.services.iter().position(|x| &x.name == service)? })
    });
    let samples =
        usize::try_from(s.duration.as_micros() / s.metrics_interval.as_micros().max(1)).unwrap_or(0).saturating_add(2);
    MeasureSpec { warm_up, slos: slos.to_vec(), over_time, samples }
}
