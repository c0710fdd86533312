//! Scenario errors as the author needs them: `file:line: path: message`, a hint, all at once.

use std::fmt;

/// One problem in a scenario file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file the problem is in, when it is not the scenario itself (an imported JSON file).
    pub file: Option<String>,
    /// Where in the document, e.g. `services.web.desired_count` or `faults[0].at`.
    pub path: String,
    /// 1-based line in the file, when known.
    pub line: Option<usize>,
    pub message: String,
    pub hint: Option<String>,
}

/// Every problem found in one scenario file, sorted by path.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct ScenarioError {
    pub file: String,
    pub diagnostics: Vec<Diagnostic>,
}

impl ScenarioError {
    pub fn new(file: impl Into<String>, mut diagnostics: Vec<Diagnostic>) -> Self {
        diagnostics.sort_by(|a, b| (&a.file, &a.path, a.line, &a.message).cmp(&(&b.file, &b.path, b.line, &b.message)));
        diagnostics.dedup();
        ScenarioError { file: file.into(), diagnostics }
    }
}

/// `text` with its line breaks written as `\n` (and `\r`).
fn one_line(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains(['\n', '\r']) {
        text.replace('\n', "\\n").replace('\r', "\\r").into()
    } else {
        text.into()
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.diagnostics.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            let file = d.file.as_deref().unwrap_or(&self.file);
            // One problem, one line: a value quoted with a line break in it is written `\n`, so a
            // message is never split (a hint may have lines of its own, e.g. a caret under an
            // expression).
            let (path, message) = (one_line(&d.path), one_line(&d.message));
            // A message quotes values: however long the value, the message stays readable.
            let message = cut(&message, MESSAGE_CHARS);
            match d.line {
                Some(line) => write!(f, "{file}:{line}: {path}: {message}")?,
                None => write!(f, "{file}: {path}: {message}")?,
            }
            if let Some(hint) = &d.hint {
                write!(f, "\n  hint: {hint}")?;
            }
        }
        Ok(())
    }
}

/// The most of a value from a user's file that a message quotes: a cell of 200 MB must not be
/// echoed whole.
const SHOWN_CHARS: usize = 60;

/// The most of one message written (a message quoting a whole value of a scenario file).
const MESSAGE_CHARS: usize = 2_000;

/// `value` as a message quotes it: whole when short, else its start and how long it is.
pub fn shown(value: &str) -> std::borrow::Cow<'_, str> {
    cut(value, SHOWN_CHARS)
}

fn cut(value: &str, chars: usize) -> std::borrow::Cow<'_, str> {
    match value.char_indices().nth(chars) {
        None => value.into(),
        Some((end, _)) => format!("{}… ({} characters)", &value[..end], value.chars().count()).into(),
    }
}

/// The candidate closest to a misspelt `name`, if one is close enough to be a likely typo.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::normalized_damerau_levenshtein(&name.to_lowercase(), &c.to_lowercase()), c))
        .filter(|(score, _)| *score >= 0.5)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, c)| c)
}

/// A "did you mean" hint for an unknown name, or the list of valid names when none is close.
pub fn suggestion<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    let candidates: Vec<&str> = candidates.into_iter().collect();
    match closest(name, candidates.iter().copied()) {
        Some(c) => format!("did you mean `{c}`?"),
        None => {
            let all: Vec<String> = candidates.iter().map(|c| format!("`{c}`")).collect();
            if all.is_empty() {
                "none is defined".to_string()
            } else {
                format!("expected one of {}", all.join(", "))
            }
        }
    }
}

/// How a scenario gets a type the catalog lacks; the last sentence of every unknown-type hint.
const ADD_A_TYPE: &str = "or define it under the scenario's top-level `instance_types:` with its AWS figures: \
     `instance_types: { NAME: { vcpus, memory_mib, max_enis, ipv4_per_eni, trunk_task_limit (null: cannot trunk), \
     price_per_hour, architecture (x86_64 or arm64), speed (1.0 = an m5's vCPU) } }`";

/// The most types a hint names from each list (same family, same size).
const NEAREST_SHOWN: usize = 6;

/// The hint for an instance type neither the catalog nor the scenario has. A likely typo
/// (`m5.lrage`) gets "did you mean"; a real-looking name the catalog lacks (`m4.16xlarge`,
/// `x2iedn.xlarge`) gets the nearest catalog types, the same family's sizes first (nearest size
/// first), then the same size in other families, and how to define the type in the scenario.
pub fn instance_type_hint(name: &str) -> String {
    use crate::catalog::{instance_type_names, nearest_instance_types};
    let (family, size) = nearest_instance_types(name);
    let count = instance_type_names().count();
    if family.is_empty() && size.is_empty() {
        return match closest(name, instance_type_names()) {
            Some(c) => format!("did you mean `{c}`?"),
            None => format!("use a type `ecsim catalog instances` lists (the catalog has {count}) {ADD_A_TYPE}"),
        };
    }
    let listed = |names: &[&str]| {
        let shown: Vec<String> = names.iter().take(NEAREST_SHOWN).map(|n| format!("`{n}`")).collect();
        match names.len().saturating_sub(NEAREST_SHOWN) {
            0 => shown.join(", "),
            more => format!("{} and {more} more", shown.join(", ")),
        }
    };
    let mut parts = Vec::new();
    if !family.is_empty() {
        parts.push(format!("nearest in the same family: {}", listed(&family)));
    }
    if !size.is_empty() {
        parts.push(format!("the same size in other families: {}", listed(&size)));
    }
    format!(
        "the catalog lacks this type; {} (`ecsim catalog instances` lists all {count}); use one of them {ADD_A_TYPE}",
        parts.join("; ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_file_line_path_message_and_hint_sorted_by_path() {
        let err = ScenarioError::new(
            "s.yaml",
            vec![
                Diagnostic {
                    file: None,
                    path: "services.web".into(),
                    line: Some(9),
                    message: "b".into(),
                    hint: Some("h".into()),
                },
                Diagnostic { file: None, path: "duration".into(), line: None, message: "a".into(), hint: None },
            ],
        );
        assert_eq!(err.to_string(), "s.yaml: duration: a\ns.yaml:9: services.web: b\n  hint: h");
    }

    #[test]
    fn suggests_the_closest_name_or_lists_them() {
        assert_eq!(suggestion("wbe", ["web", "api"]), "did you mean `web`?");
        assert_eq!(suggestion("desired_cnt", ["desired_count", "task_definition"]), "did you mean `desired_count`?");
        assert_eq!(suggestion("zzzz", ["web", "api"]), "expected one of `web`, `api`");
        assert_eq!(suggestion("x", []), "none is defined");
    }
}
