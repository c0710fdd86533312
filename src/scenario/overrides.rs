//! Overrides: changes to a scenario document by path, made before it is validated, so that a
//! variant of an experiment or a `run --set` is checked exactly like a scenario file.
//!
//! A path names a node the way diagnostics do: map keys joined by `.`, list items as `[i]`
//! (`services.web.autoscaling.target_tracking[0].target`). A key holding a `.` or `[` is written in
//! double quotes (`services."api.v2".desired_count`). Every step but the last must exist in the
//! document, so a misspelt name is an error with "did you mean" rather than a new empty block; the
//! last key may be new (setting a field the base leaves at its default, or adding a service),
//! and the scenario's own validation then checks it like any other field. A list item must
//! exist. Setting a node replaces it whole, block and all; unsetting removes it.

use serde_yaml::{Mapping, Value};

use super::diagnostics::{closest, Diagnostic};

/// One change to a scenario document.
#[derive(Clone, Debug, PartialEq)]
pub struct Override {
    /// Where in the scenario, e.g. `services.web.desired_count`.
    pub path: String,
    /// The new node; `None` removes it.
    pub value: Option<Value>,
    /// Where the override was written, for its diagnostics.
    pub origin: Origin,
}

/// Where an override was written: a file, the line, and the path inside that file (an
/// experiment's `variants[1].set`), or the command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    pub file: String,
    pub line: Option<usize>,
    pub path: String,
}

/// One step of a path.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Step {
    Key(String),
    Index(usize),
}

/// Splits `path` into steps, or says what is wrong with it.
fn parse_path(path: &str) -> Result<Vec<Step>, String> {
    let mut steps = Vec::new();
    let mut rest = path.trim();
    if rest.is_empty() {
        return Err("the path is empty".into());
    }
    let mut first = true;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('[') {
            let end = after.find(']').ok_or("a `[` has no closing `]`")?;
            let index = after[..end]
                .trim()
                .parse::<usize>()
                .map_err(|_| format!("`[{}]` is not a list index (a whole number from 0)", &after[..end]))?;
            steps.push(Step::Index(index));
            rest = &after[end + 1..];
        } else {
            if !first {
                rest = rest.strip_prefix('.').ok_or_else(|| format!("expected `.` or `[` before `{rest}`"))?;
            }
            if let Some(after) = rest.strip_prefix('"') {
                let end = after.find('"').ok_or("a quoted key has no closing `\"`")?;
                steps.push(Step::Key(after[..end].to_string()));
                rest = &after[end + 1..];
            } else {
                let end = rest.find(['.', '[']).unwrap_or(rest.len());
                let key = &rest[..end];
                if key.is_empty() {
                    return Err("a key between two dots is empty".into());
                }
                steps.push(Step::Key(key.to_string()));
                rest = &rest[end..];
            }
        }
        first = false;
    }
    Ok(steps)
}

/// The path of the first `n` steps, as diagnostics write it.
fn shown(steps: &[Step]) -> String {
    let mut out = String::new();
    for step in steps {
        match step {
            Step::Key(k) if k.contains(['.', '[']) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(&format!("\"{k}\""));
            }
            Step::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Step::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    if out.is_empty() {
        ".".into()
    } else {
        out
    }
}

/// What kind of node `v` is, in words.
fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "empty",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a map",
        Value::Tagged(_) => "a tagged value",
    }
}

fn key_names(map: &Mapping) -> Vec<String> {
    map.keys().filter_map(|k| k.as_str().map(str::to_string)).collect()
}

/// Applies every override to `doc` in order. Returns a diagnostic per override that cannot be
/// applied (all of them, not the first), located where the override was written.
pub fn apply(doc: &mut Value, overrides: &[Override]) -> Vec<Diagnostic> {
    overrides
        .iter()
        .filter_map(|o| {
            apply_one(doc, &o.path, o.value.clone()).err().map(|(message, hint)| Diagnostic {
                file: Some(o.origin.file.clone()),
                path: o.origin.path.clone(),
                line: o.origin.line,
                message,
                hint,
            })
        })
        .collect()
}

type Problem = (String, Option<String>);

fn apply_one(doc: &mut Value, path: &str, value: Option<Value>) -> Result<(), Problem> {
    let steps = parse_path(path).map_err(|e| {
        (
            format!("`{path}` is not a scenario path: {e}"),
            Some("write it as `services.web.desired_count` or `faults[0].at`".into()),
        )
    })?;
    let (last, parents) = steps.split_last().ok_or_else(|| ("the path is empty".to_string(), None))?;
    let mut node = doc;
    for (i, step) in parents.iter().enumerate() {
        node = child(node, step, &steps[..=i], &steps[..i])?;
    }
    let at = shown(&steps);
    let parent = shown(parents);
    match (last, node, value) {
        (Step::Key(k), Value::Mapping(map), Some(v)) => {
            map.insert(Value::String(k.clone()), v);
            Ok(())
        }
        (Step::Key(k), Value::Mapping(map), None) => match map.remove(k.as_str()) {
            Some(_) => Ok(()),
            None => {
                let (message, hint) = missing(&at, k, map);
                // Nothing to remove: the hint about adding a block does not apply.
                let names = key_names(map).iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ");
                let hint = hint.filter(|h| h.starts_with("did you mean")).or_else(|| Some(format!("it has {names}")));
                Err((message, hint))
            }
        },
        // An absent block (`autoscaling:` with nothing under it) takes its first field.
        (Step::Key(k), node @ Value::Null, Some(v)) => {
            let mut map = Mapping::new();
            map.insert(Value::String(k.clone()), v);
            *node = Value::Mapping(map);
            Ok(())
        }
        (Step::Index(i), Value::Sequence(seq), value) => {
            if *i >= seq.len() {
                return Err(out_of_range(&at, *i, seq.len()));
            }
            match value {
                Some(v) => seq[*i] = v,
                None => {
                    seq.remove(*i);
                }
            }
            Ok(())
        }
        (Step::Key(_), node, _) => {
            Err((format!("`{parent}` is {}, not a map: `{at}` cannot be set", kind(node)), None))
        }
        (Step::Index(_), node, _) => {
            Err((format!("`{parent}` is {}, not a list: `{at}` cannot be set", kind(node)), None))
        }
    }
}

/// The child of `node` at `step`, which must exist; `upto` is the path including it.
fn child<'v>(node: &'v mut Value, step: &Step, upto: &[Step], parent: &[Step]) -> Result<&'v mut Value, Problem> {
    let at = shown(upto);
    match (step, node) {
        (Step::Key(k), Value::Mapping(map)) => {
            if !map.contains_key(k.as_str()) {
                return Err(missing(&at, k, map));
            }
            map.get_mut(k.as_str()).ok_or_else(|| (format!("`{at}` does not exist in the scenario"), None))
        }
        (Step::Index(i), Value::Sequence(seq)) => {
            let len = seq.len();
            seq.get_mut(*i).ok_or_else(|| out_of_range(&at, *i, len))
        }
        (Step::Key(_), node) => {
            Err((format!("`{}` is {}, not a map: `{at}` does not exist", shown(parent), kind(node)), None))
        }
        (Step::Index(_), node) => {
            Err((format!("`{}` is {}, not a list: `{at}` does not exist", shown(parent), kind(node)), None))
        }
    }
}

fn missing(at: &str, key: &str, map: &Mapping) -> Problem {
    let names = key_names(map);
    let hint = match closest(key, names.iter().map(String::as_str)) {
        Some(c) => format!("did you mean `{c}`?"),
        None if names.is_empty() => "the block is empty here: set the whole block instead".to_string(),
        None => format!(
            "it has {}; to add a block, set its parent whole",
            names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
        ),
    };
    (format!("`{at}` does not exist in the scenario"), Some(hint))
}

fn out_of_range(at: &str, index: usize, len: usize) -> Problem {
    let has = match len {
        0 => "the list is empty".to_string(),
        1 => "the list has 1 item, `[0]`".to_string(),
        n => format!("the list has {n} items, `[0]` to `[{}]`", n - 1),
    };
    (
        format!("`{at}` does not exist: {has}"),
        Some(format!("index {index} is past the end; set the whole list to add items")),
    )
}

/// Parses `PATH=VALUE` from the command line; VALUE is YAML (`4`, `c5.xlarge`, `{ min: 1 }`).
pub fn parse_assignment(text: &str) -> Result<(String, Value), String> {
    let (path, value) = text
        .split_once('=')
        .ok_or_else(|| format!("`{text}` is not PATH=VALUE (e.g. services.web.desired_count=4)"))?;
    parse_path(path).map_err(|e| format!("`{path}` is not a scenario path: {e}"))?;
    let value: Value = serde_yaml::from_str(value).map_err(|e| format!("the value of `{path}` is not YAML: {e}"))?;
    Ok((path.trim().to_string(), value))
}

/// The scenario paths an override changes (the node itself and everything under it): the
/// diagnostics of a variant at or under one of them point at the override, not at the base file.
pub fn covers(override_path: &str, diagnostic_path: &str) -> bool {
    let Ok(steps) = parse_path(override_path) else { return false };
    let path = shown(&steps);
    diagnostic_path == path
        || diagnostic_path
            .strip_prefix(path.as_str())
            .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> Value {
        serde_yaml::from_str(
            "services:\n  web:\n    desired_count: 2\n    autoscaling:\n    policies: [{ target: 50 }, { target: 60 }]\n",
        )
        .unwrap()
    }

    fn set(path: &str, value: &str) -> Override {
        Override {
            path: path.into(),
            value: Some(serde_yaml::from_str(value).unwrap()),
            origin: Origin { file: "e.yaml".into(), line: Some(3), path: format!("set.{path}") },
        }
    }

    #[test]
    fn paths_split_into_keys_and_indices() {
        assert_eq!(
            parse_path("a.b[2].\"c.d\"").unwrap(),
            [Step::Key("a".into()), Step::Key("b".into()), Step::Index(2), Step::Key("c.d".into())]
        );
        assert!(parse_path("a..b").is_err());
        assert!(parse_path("a[x]").is_err());
        assert!(parse_path("").is_err());
    }

    #[test]
    fn sets_replaces_and_removes() {
        let mut d = doc();
        let unset = Override { value: None, ..set("services.web.autoscaling", "0") };
        let problems = apply(
            &mut d,
            &[set("services.web.desired_count", "5"), set("services.web.policies[1].target", "40"), unset],
        );
        assert!(problems.is_empty(), "{problems:?}");
        let web = &d["services"]["web"];
        assert_eq!(web["desired_count"], Value::from(5));
        assert_eq!(web["policies"][1]["target"], Value::from(40));
        assert!(web.get("autoscaling").is_none());
    }

    #[test]
    fn a_new_last_key_is_added_and_an_empty_block_takes_it() {
        let mut d = doc();
        assert!(
            apply(&mut d, &[set("services.web.autoscaling.min_capacity", "1"), set("services.api", "{}")]).is_empty()
        );
        assert_eq!(d["services"]["web"]["autoscaling"]["min_capacity"], Value::from(1));
    }

    #[test]
    fn every_missing_step_is_reported_where_the_override_was_written() {
        let mut d = doc();
        let problems = apply(&mut d, &[set("services.wbe.desired_count", "1"), set("services.web.policies[5]", "1")]);
        assert_eq!(problems.len(), 2);
        assert_eq!(problems[0].message, "`services.wbe` does not exist in the scenario");
        assert_eq!(problems[0].hint.as_deref(), Some("did you mean `web`?"));
        assert_eq!((problems[0].file.as_deref(), problems[0].line), (Some("e.yaml"), Some(3)));
        assert_eq!(
            problems[1].message,
            "`services.web.policies[5]` does not exist: the list has 2 items, `[0]` to `[1]`"
        );
        let problems = apply(&mut d, &[set("services.web.desired_count.x", "1")]);
        assert_eq!(
            problems[0].message,
            "`services.web.desired_count` is a number, not a map: `services.web.desired_count.x` cannot be set"
        );
    }

    #[test]
    fn command_line_assignments_are_yaml() {
        assert_eq!(parse_assignment("a.b=4").unwrap(), ("a.b".into(), Value::from(4)));
        assert_eq!(parse_assignment("a={ x: 1 }").unwrap().1["x"], Value::from(1));
        assert!(parse_assignment("a.b").is_err());
    }

    #[test]
    fn an_override_covers_its_node_and_what_is_under_it() {
        assert!(covers("services.web", "services.web"));
        assert!(covers("services.web", "services.web.desired_count"));
        assert!(covers("services.web", "services.web[0]"));
        assert!(!covers("services.web", "services.webapp"));
    }
}
