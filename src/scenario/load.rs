//! Reading a scenario file and turning every problem into a located diagnostic.

use std::path::{Path, PathBuf};

use super::diagnostics::{closest, Diagnostic, ScenarioError};
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
            file: None,
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

/// A parser error as a diagnostic: serde's message without the error's own position (the line is
/// reported in front) or serde_yaml's path prefix, with a hint for misspelt names and YAML syntax.
fn parse_diagnostic(e: &serde_path_to_error::Error<serde_yaml::Error>) -> Diagnostic {
    let inner = e.inner();
    let path = e.path().to_string();
    let mut message = without_first_position(&inner.to_string());
    if let Some((head, rest)) = message.split_once(": ") {
        if path.starts_with(head) {
            message = rest.to_string();
        }
    }
    let hint = unknown_name_hint(&message).or_else(|| {
        let syntax = message.contains("while parsing") || message.contains("while scanning");
        syntax.then(|| "YAML syntax: check brackets, quotes and indentation around this line".to_string())
    });
    Diagnostic { file: None, path, line: inner.location().map(|l| l.line()), message, hint }
}

/// Removes the first " at line N column M" (where the parser stopped; `file:line:` says it).
fn without_first_position(message: &str) -> String {
    let Some(start) = message.find(" at line ") else { return message.to_string() };
    let after = &message[start + " at line ".len()..];
    let end = after
        .find(" column ")
        .map(|c| c + " column ".len())
        .map(|c| c + after[c..].find(|ch: char| !ch.is_ascii_digit()).unwrap_or(after.len() - c));
    match end {
        Some(end) => format!("{}{}", &message[..start], &after[end..]),
        None => message.to_string(),
    }
}

/// serde words unknown names as "unknown field `x`, expected one of `a`, `b`" (or "expected `a`");
/// the hint names the likely intended one (the message already lists them all).
fn unknown_name_hint(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field ").or_else(|| message.strip_prefix("unknown variant "))?;
    let mut quoted = rest.split('`').skip(1).step_by(2);
    let name = quoted.next()?;
    closest(name, quoted).map(|c| format!("did you mean `{c}`?"))
}
