//! Reading a scenario file and turning every problem into a located diagnostic.

use std::path::{Path, PathBuf};

use super::diagnostics::{suggestion, Diagnostic, ScenarioError};
use super::schema::RawScenario;
use super::source_map::SourceMap;
use super::{validate, Scenario};

/// Why a scenario could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read scenario {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    /// The file was read but is not a valid scenario (exit code 1).
    #[error("{0}")]
    Invalid(#[from] ScenarioError),
}

/// Loads and validates the scenario at `path`. Returns the scenario and the file's bytes (whose
/// hash identifies the run's input).
pub fn load(path: &Path) -> Result<(Scenario, Vec<u8>), LoadError> {
    let bytes = std::fs::read(path).map_err(|source| LoadError::Io { path: path.to_path_buf(), source })?;
    let file = path.display().to_string();
    let text = String::from_utf8(bytes.clone()).map_err(|e| {
        let d = Diagnostic {
            path: ".".into(),
            line: None,
            message: format!("the file is not UTF-8 text ({e})"),
            hint: None,
        };
        ScenarioError::new(file.clone(), vec![d])
    })?;
    let stem = path.file_stem().map_or("scenario".into(), |s| s.to_string_lossy().into_owned());
    Ok((load_str(&text, &file, &stem)?, bytes))
}

/// Parses and validates scenario `text`; `file` names it in diagnostics and `default_name` names the
/// scenario when the file does not.
pub fn load_str(text: &str, file: &str, default_name: &str) -> Result<Scenario, ScenarioError> {
    let map = SourceMap::parse(text);
    let locate = |mut d: Diagnostic| {
        d.line = d.line.or_else(|| map.line_of(&d.path));
        d
    };
    let de = serde_yaml::Deserializer::from_str(text);
    let raw: RawScenario = serde_path_to_error::deserialize(de)
        .map_err(|e| ScenarioError::new(file, vec![locate(parse_diagnostic(&e))]))?;
    validate::validate(raw, default_name).map_err(|ds| ScenarioError::new(file, ds.into_iter().map(locate).collect()))
}

/// A parser error as a diagnostic: serde's message without serde_yaml's position suffix (the line
/// is reported in front), and "did you mean" for unknown fields and variants.
fn parse_diagnostic(e: &serde_path_to_error::Error<serde_yaml::Error>) -> Diagnostic {
    let inner = e.inner();
    let mut message = inner.to_string();
    if let Some(at) = message.find(" at line ") {
        message.truncate(at);
    }
    let path = e.path().to_string();
    if let Some(prefix) = message.strip_prefix(&format!("{path}: ")) {
        message = prefix.to_string();
    }
    let hint = unknown_name_hint(&message);
    let line = inner.location().map(|l| l.line());
    Diagnostic { path, line, message, hint }
}

/// serde words unknown names as "unknown field `x`, expected one of `a`, `b`" (or "expected `a`").
fn unknown_name_hint(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field ").or_else(|| message.strip_prefix("unknown variant "))?;
    let mut quoted = rest.split('`').skip(1).step_by(2);
    let name = quoted.next()?;
    let expected: Vec<&str> = quoted.collect();
    Some(match expected.as_slice() {
        [] => "this map takes no fields".to_string(),
        _ => suggestion(name, expected.iter().copied()),
    })
}
