//! Every structural problem of a document at once: unknown fields, missing fields, values of the
//! wrong type, wherever they are.
//!
//! serde stops at the first problem. [`problems`] deserializes a YAML tree again and again, each
//! time taking out the node the last problem was about (an unknown field's entry; the value of
//! the wrong type; the map that lacks a field), until the rest deserializes or nothing is left to
//! take out. What taking a node out causes itself (its parent now "missing" it) is not reported.
//! Paths are reported as the author wrote them: a list item taken out does not renumber the
//! items after it.
//!
//! At most [`MAX_PROBLEMS`] are reported, so the cost stays linear in the document's size.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde_path_to_error::Segment;
use serde_yaml::Value;

use super::diagnostics::Diagnostic;

/// Past this many structural problems the rest are not looked for.
pub const MAX_PROBLEMS: usize = 50;

/// One step of a path into a YAML tree.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Step {
    Key(String),
    Index(usize),
}

/// `T` from `value`, or every structural problem found in it (paths only: the caller places them);
/// `diagnose` turns one serde error into a problem.
pub fn deserialize<T: DeserializeOwned>(
    value: Value,
    diagnose: impl Fn(&serde_path_to_error::Error<serde_yaml::Error>) -> Diagnostic,
) -> Result<T, Vec<Diagnostic>> {
    let mut value = value;
    let mut problems = Vec::new();
    // List items taken out so far, by the list's path as written, as indices as written.
    let mut taken: BTreeMap<Vec<Step>, Vec<usize>> = BTreeMap::new();
    // Every node taken out, as written: a problem its absence makes is not reported.
    let mut gone: Vec<Vec<Step>> = Vec::new();
    // Each round takes one node out; what a taking causes is at most one round per level above it.
    for _ in 0..MAX_PROBLEMS * 4 + 256 {
        let error = match serde_path_to_error::deserialize::<_, T>(value.clone()) {
            Ok(t) if problems.is_empty() => return Ok(t),
            Ok(_) => return Err(problems),
            Err(e) => e,
        };
        let Some(current) = steps(error.path()) else {
            problems.push(diagnose(&error));
            return Err(problems);
        };
        let written = as_written(&current, &taken);
        let mut d = diagnose(&error);
        d.path = format_path(&written);
        let at = node(&value, &current);
        explain_one_entry(&mut d, at);
        let emptied = matches!(at, Some(Value::Mapping(m)) if m.is_empty());
        let consequence = gone.iter().any(|g| caused_by_taking(&d.message, emptied, &written, g));
        // The first problem is always reported (nothing is taken out before it).
        if !consequence {
            problems.push(d);
        }
        if problems.len() >= MAX_PROBLEMS || current.is_empty() || !take_out(&mut value, &current) {
            return Err(problems);
        }
        if let Some((Step::Index(i), list)) = written.split_last() {
            let indices = taken.entry(list.to_vec()).or_default();
            indices.push(*i);
            indices.sort_unstable();
        }
        gone.push(written);
    }
    Err(problems)
}

/// Whether a problem at `path` only says that the node `gone` (taken out) is missing: its
/// parent "missing field `x`", or whatever a map left `emptied` by it says.
fn caused_by_taking(message: &str, emptied: bool, path: &[Step], gone: &[Step]) -> bool {
    let Some((Step::Key(key), parent)) = gone.split_last() else { return false };
    path == parent && (emptied || message.starts_with(&format!("missing field `{key}`")))
}

/// A path from serde as steps, or `None` where it has a step that cannot be followed.
fn steps(path: &serde_path_to_error::Path) -> Option<Vec<Step>> {
    path.iter()
        .map(|segment| match segment {
            Segment::Seq { index } => Some(Step::Index(*index)),
            Segment::Map { key } => Some(Step::Key(key.clone())),
            Segment::Enum { variant } => Some(Step::Key(variant.clone())),
            Segment::Unknown => None,
        })
        .collect()
}

/// `current` (a path in the tree with items taken out) as the author wrote it.
fn as_written(current: &[Step], taken: &BTreeMap<Vec<Step>, Vec<usize>>) -> Vec<Step> {
    let mut written = Vec::with_capacity(current.len());
    for step in current {
        let step = match step {
            Step::Index(i) => {
                let mut index = *i;
                for gone in taken.get(&written).map_or(&[][..], Vec::as_slice) {
                    if *gone <= index {
                        index += 1;
                    }
                }
                Step::Index(index)
            }
            key => key.clone(),
        };
        written.push(step);
    }
    written
}

/// The path in the validator's format: keys joined by `.`, indices as `[i]`, `.` for the root.
fn format_path(steps: &[Step]) -> String {
    let mut out = String::new();
    for step in steps {
        match step {
            Step::Key(k) if out.is_empty() => out.push_str(k),
            Step::Key(k) => {
                out.push('.');
                out.push_str(k);
            }
            Step::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    if out.is_empty() {
        out.push('.');
    }
    out
}

fn key_matches(key: &Value, name: &str) -> bool {
    match key {
        Value::String(s) => s == name,
        Value::Number(n) => n.to_string() == name,
        Value::Bool(b) => b.to_string() == name,
        _ => false,
    }
}

fn node<'a>(value: &'a Value, path: &[Step]) -> Option<&'a Value> {
    path.iter().try_fold(value, |v, step| match (v, step) {
        (Value::Mapping(m), Step::Key(k)) => m.iter().find(|(key, _)| key_matches(key, k)).map(|(_, v)| v),
        (Value::Sequence(s), Step::Index(i)) => s.get(*i),
        (Value::Tagged(t), step) => node(&t.value, std::slice::from_ref(step)),
        _ => None,
    })
}

/// Removes the node at `path` (not the root) from its parent; whether there was one.
fn take_out(value: &mut Value, path: &[Step]) -> bool {
    let Some((last, parent)) = path.split_last() else { return false };
    let mut v = value;
    for step in parent {
        let next = match (v, step) {
            (Value::Mapping(m), Step::Key(k)) => m.iter_mut().find(|(key, _)| key_matches(key, k)).map(|(_, v)| v),
            (Value::Sequence(s), Step::Index(i)) => s.get_mut(*i),
            (Value::Tagged(t), Step::Key(_)) => Some(&mut t.value),
            _ => None,
        };
        match next {
            Some(n) => v = n,
            None => return false,
        }
    }
    match (v, last) {
        (Value::Mapping(m), Step::Key(k)) => {
            let key = m.keys().find(|key| key_matches(key, k)).cloned();
            key.is_some_and(|key| m.remove(&key).is_some())
        }
        (Value::Sequence(s), Step::Index(i)) if *i < s.len() => {
            s.remove(*i);
            true
        }
        _ => false,
    }
}

/// serde words a map that should hold one entry naming its kind (a distribution, a rate pattern)
/// but holds several as "invalid length 2, expected map containing 1 entry": name the entries.
fn explain_one_entry(d: &mut Diagnostic, at: Option<&Value>) {
    // The wording from YAML text, and from a YAML tree.
    let one_entry = ["expected map containing 1 entry", "expected fewer elements in map"];
    let (true, Some(Value::Mapping(m))) = (one_entry.iter().any(|w| d.message.contains(w)), at) else { return };
    let keys: Vec<String> = m
        .keys()
        .map(|k| match k {
            Value::String(s) => format!("`{s}`"),
            other => format!("`{}`", serde_yaml::to_string(other).unwrap_or_default().trim()),
        })
        .collect();
    d.message = match keys.len() {
        0 => "this needs one entry naming its kind, and is empty".into(),
        _ => format!("this takes one entry naming its kind, but has {}: {}", keys.len(), keys.join(", ")),
    };
    d.hint = Some(match keys.first() {
        Some(first) => format!(
            "keep the one that names the kind, its settings inside it: `{{ {}: {{ ... }} }}`",
            first.trim_matches('`')
        ),
        None => "write the kind with its settings inside it, such as `{ uniform: { min: 1s, max: 3s } }`".into(),
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Doc {
        services: BTreeMap<String, Service>,
        #[serde(default)]
        list: Vec<super::super::values::RawDistribution>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Service {
        task_definition: String,
        #[serde(default)]
        desired_count: u32,
    }

    fn problems_of(text: &str) -> Vec<(String, String)> {
        let value: Value = serde_yaml::from_str(text).unwrap();
        let diagnose = |e: &serde_path_to_error::Error<serde_yaml::Error>| Diagnostic {
            file: None,
            path: e.path().to_string(),
            line: None,
            message: e.inner().to_string(),
            hint: None,
        };
        match deserialize::<Doc>(value, diagnose) {
            Ok(_) => vec![],
            Err(ds) => ds.into_iter().map(|d| (d.path, d.message.split(',').next().unwrap().to_string())).collect(),
        }
    }

    #[test]
    fn three_misspelt_fields_in_three_services_are_three_problems() {
        let text = "services:\n  a: { task_definition: x, desird_count: 1 }\n  b: { task_definition: x, desired_cnt: 2 }\n  c: { task_definiton: x }\n";
        assert_eq!(
            problems_of(text),
            [
                ("services.a.desird_count".to_string(), "unknown field `desird_count`".to_string()),
                ("services.b.desired_cnt".into(), "unknown field `desired_cnt`".into()),
                ("services.c.task_definiton".into(), "unknown field `task_definiton`".into()),
            ]
        );
    }

    #[test]
    fn a_wrong_required_value_is_one_problem_not_two() {
        let text = "services:\n  a: { task_definition: [1] }\n  b: { desired_count: many, task_definition: x }\n";
        let got = problems_of(text);
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got[0].0, "services.a.task_definition");
        assert_eq!(got[1].0, "services.b.desired_count");
    }

    #[test]
    fn list_items_keep_the_numbers_the_author_wrote() {
        let text = "services: {}\nlist:\n  - { uniform: { min: 1s } }\n  - 2s\n  - { unifrm: 1 }\n  - [1]\n  - { uniform: { min: 1s, max: 2s }, constant: 2 }\n";
        let got = problems_of(text);
        let paths: Vec<&str> = got.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(paths, ["list[0].uniform", "list[2].unifrm", "list[3]", "list[4]"], "{got:?}");
    }

    #[test]
    fn a_map_of_two_kinds_names_both() {
        let value: Value =
            serde_yaml::from_str("services: {}\nlist: [{ uniform: { min: 1s, max: 2s }, foo: 1 }]").unwrap();
        let diagnose = |e: &serde_path_to_error::Error<serde_yaml::Error>| Diagnostic {
            file: None,
            path: String::new(),
            line: None,
            message: e.inner().to_string(),
            hint: None,
        };
        let ds = deserialize::<Doc>(value, diagnose).unwrap_err();
        assert_eq!(ds[0].message, "this takes one entry naming its kind, but has 2: `uniform`, `foo`");
        assert_eq!(
            ds[0].hint.as_deref(),
            Some("keep the one that names the kind, its settings inside it: `{ uniform: { ... } }`")
        );
    }

    #[test]
    fn problems_are_capped() {
        let services: String = (0..200).map(|i| format!("  s{i}: {{ task_definition: x, oops: 1 }}\n")).collect();
        assert_eq!(problems_of(&format!("services:\n{services}")).len(), MAX_PROBLEMS);
    }
}
