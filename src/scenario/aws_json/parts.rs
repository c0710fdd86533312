//! What every multi-file import shares ([`super::scaling`], [`super::capacity`]): a JSON file
//! read once with its source map, where an imported part came from, and its problems located at
//! their JSON path and line.

use crate::scenario::diagnostics::{closest, Diagnostic};
use crate::scenario::load::without_first_position;
use crate::scenario::source_map::SourceMap;

/// One file to read: its name in diagnostics, its text, and its lines by JSON path.
pub struct JsonFile<'a> {
    pub shown: &'a str,
    pub text: &'a str,
    map: SourceMap,
}

impl<'a> JsonFile<'a> {
    pub fn new(shown: &'a str, text: &'a str) -> Self {
        JsonFile { shown, text, map: SourceMap::parse(text) }
    }
}

/// Where an imported part came from: its path in the scenario's entry (`target_tracking[0]`,
/// `min_capacity`, `auto_scaling_group`), its file and its JSON path and line there.
#[derive(Clone, Debug)]
pub struct JsonOrigin {
    pub entry: String,
    pub file: String,
    pub json_path: String,
    pub line: Option<usize>,
}

impl JsonOrigin {
    /// `entry` of the scenario's form, from the object at `json_path` of `file`.
    pub fn new(file: &JsonFile, entry: &str, json_path: &str) -> Self {
        JsonOrigin {
            entry: entry.to_string(),
            file: file.shown.to_string(),
            json_path: json_path.to_string(),
            line: file.map.line_of(json_path),
        }
    }
}

/// A JSON syntax error of `file`.
pub fn syntax(file: &JsonFile, e: &serde_json::Error) -> Diagnostic {
    Diagnostic {
        file: Some(file.shown.to_string()),
        path: ".".into(),
        line: Some(e.line()),
        message: without_first_position(&e.to_string()),
        hint: Some("JSON syntax: check quotes, commas and brackets around this line".to_string()),
    }
}

/// A problem in `file` at JSON `path`.
pub fn problem(file: &JsonFile, path: &str, message: String, hint: Option<String>) -> Diagnostic {
    Diagnostic {
        file: Some(file.shown.to_string()),
        path: path.to_string(),
        line: file.map.line_of(path),
        message,
        hint,
    }
}

/// `field` of the object at JSON `path` (`.` for the document).
pub fn join(path: &str, field: &str) -> String {
    if path == "." {
        field.to_string()
    } else {
        format!("{path}.{field}")
    }
}

/// `value` (at `path` of `file`) as AWS shape `T`, or its problem at its JSON path.
pub fn typed<T: serde::de::DeserializeOwned>(
    file: &JsonFile,
    path: &str,
    value: &serde_json::Value,
) -> Result<T, Diagnostic> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let inner = e.path().to_string();
        let full = if inner == "." { path.to_string() } else { join(path, &inner) };
        let message = without_first_position(&e.inner().to_string());
        let hint = message.strip_prefix("unknown field `").and_then(|rest| {
            let mut quoted = rest.split('`').step_by(2);
            let field = quoted.next()?;
            closest(field, quoted).map(|c| format!("did you mean `{c}`?"))
        });
        problem(file, &full, message, hint)
    })
}
