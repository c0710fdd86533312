//! Reading a scenario file and turning every problem into a located diagnostic.

use std::path::{Path, PathBuf};

use super::path::Path as DocPath;

use super::diagnostics::{closest, Diagnostic, ScenarioError};
use super::overrides::Override;
use super::schema::RawScenario;
use super::source_map::SourceMap;
use super::{bounds, file_kind, imports, structure};
use super::{validate, Scenario, TraceFile};

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
    let (text, bytes, file) = read(path)?;
    Ok((load_str(&text, &file, &default_name(path))?, bytes))
}

/// [`load`], with `overrides` applied to the document before it is validated (`run --set`).
pub fn load_overridden(path: &Path, overrides: &[Override]) -> Result<(Scenario, Vec<u8>), LoadError> {
    let (text, bytes, file) = read(path)?;
    let document = Document::parse(&text, &file, &default_name(path))?;
    Ok((document.load(overrides)?, bytes))
}

/// The name of a scenario whose file does not give one: the file's stem.
pub fn default_name(path: &Path) -> String {
    path.file_stem().map_or("scenario".into(), |s| s.to_string_lossy().into_owned())
}

/// A scenario file's text (it must be UTF-8), its bytes, and its name in diagnostics.
fn read(path: &Path) -> Result<(String, Vec<u8>, String), LoadError> {
    let bytes = std::fs::read(path).map_err(|source| LoadError::Io { path: path.to_path_buf(), source })?;
    let file = path.display().to_string();
    if let Some(d) = file_kind::identify_compressed(&bytes, &file) {
        return Err(ScenarioError::new(file, vec![d]).into());
    }
    let text = String::from_utf8(bytes.clone()).map_err(|e| {
        // The line of the first byte that is not UTF-8, as a reader counts lines.
        let at = e.utf8_error().valid_up_to();
        let line = 1 + bytes[..at].iter().filter(|b| **b == b'\n').count();
        let d = Diagnostic {
            file: None,
            path: ".".into(),
            line: Some(line),
            message: "the file is not UTF-8 text: this line has a byte that is not UTF-8".into(),
            hint: Some("save the file as UTF-8".into()),
        };
        ScenarioError::new(file.clone(), vec![d])
    })?;
    Ok((text, bytes, file))
}

/// Parses and validates scenario `text`; `file` names it in diagnostics (and its directory is where
/// `import:` paths start) and `default_name` names the scenario when the file does not.
pub fn load_str(text: &str, file: &str, default_name: &str) -> Result<Scenario, ScenarioError> {
    if let Some(d) = bounds::check(text) {
        return Err(ScenarioError::new(file, vec![d]));
    }
    let map = SourceMap::parse(text);
    // Problems in the scenario get their line from its source map; those in an imported file
    // already have theirs.
    let locate = |mut d: Diagnostic| {
        if d.file.is_none() {
            d.line = d.line.or_else(|| map.line_of(&d.path));
        }
        d
    };
    let repeated = duplicate_keys(&map);
    let with = |more: Vec<Diagnostic>| ScenarioError::new(file, repeated.iter().cloned().chain(more).collect());
    let raw: RawScenario = deserialize_text(text).map_err(|ds| {
        // A file of another kind (an AWS JSON shape, a template) says what it is instead.
        if let Some(d) = file_kind::identify(text, file) {
            return ScenarioError::new(file, vec![d]);
        }
        // serde's "duplicate field" is the repetition already reported, with both lines.
        let repetition = |d: &Diagnostic| !repeated.is_empty() && d.message.starts_with("duplicate field");
        with(ds.into_iter().filter(|d| !repetition(d)).map(locate).collect())
    })?;
    let base = Path::new(file).parent().unwrap_or(Path::new(""));
    match finish(raw, file, base, default_name, &locate) {
        Ok(_) if !repeated.is_empty() => Err(with(Vec::new())),
        Err(e) => Err(with(e.diagnostics)),
        ok => ok,
    }
}

/// Keys written twice in one map (two services of one name, say): YAML keeps the last silently,
/// so each repetition is a problem naming both lines.
fn duplicate_keys(map: &SourceMap) -> Vec<Diagnostic> {
    map.duplicates()
        .iter()
        .map(|(path, first, again)| {
            let key = path.rsplit(['.', '[']).next().unwrap_or(path);
            Diagnostic {
                file: None,
                path: path.clone(),
                line: Some(*again),
                message: format!("`{key}` is written twice in the same map (first on line {first})"),
                hint: Some("keep one: YAML would silently keep only the last".into()),
            }
        })
        .collect()
}

/// Parses any YAML document `text` of `file` into `T` (unknown fields are errors if `T` says so),
/// with its source map: for files that sit beside scenarios, such as experiments, so their
/// problems read the same way.
pub fn parse_yaml<T: serde::de::DeserializeOwned>(text: &str, file: &str) -> Result<(T, SourceMap), ScenarioError> {
    if let Some(d) = bounds::check(text) {
        return Err(ScenarioError::new(file, vec![d]));
    }
    let map = SourceMap::parse(text);
    let mut problems = duplicate_keys(&map);
    match deserialize_text(text) {
        Ok(value) if problems.is_empty() => Ok((value, map)),
        Ok(_) => Err(ScenarioError::new(file, problems)),
        Err(ds) => {
            let repeated = !problems.is_empty();
            for mut d in ds {
                if !(repeated && d.message.starts_with("duplicate field")) {
                    d.line = d.line.or_else(|| map.line_of(&d.path));
                    problems.push(d);
                }
            }
            Err(ScenarioError::new(file, problems))
        }
    }
}

/// `T` from YAML `text`, or its problems: a syntax error alone (nothing after it can be read), or
/// every structural problem at once ([`structure`]), placed by path only.
fn deserialize_text<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, Vec<Diagnostic>> {
    let e = match serde_path_to_error::deserialize(serde_yaml::Deserializer::from_str(text)) {
        Ok(t) => return Ok(t),
        Err(e) => e,
    };
    let first = parse_diagnostic(&e);
    let tree = (!is_syntax(&first.message)).then(|| serde_yaml::from_str::<serde_yaml::Value>(text).ok()).flatten();
    match tree.map(|tree| structure::deserialize::<T>(tree, parse_diagnostic)) {
        Some(Err(all)) if !all.is_empty() => Err(all),
        _ => Err(vec![first]),
    }
}

/// Whether a parser message is about YAML syntax (after which nothing can be read).
fn is_syntax(message: &str) -> bool {
    message.contains("while parsing") || message.contains("while scanning")
}

/// Resolves a parsed scenario's imports and traces (relative to `base`), validates it, and
/// places every problem with `locate`.
fn finish(
    mut raw: RawScenario,
    file: &str,
    base: &Path,
    default_name: &str,
    locate: &dyn Fn(Diagnostic) -> Diagnostic,
) -> Result<Scenario, ScenarioError> {
    let mut imports = imports::resolve_imports(&mut raw, base);
    let traces = read_traces(&mut raw, base, &mut imports.problems);
    let result = validate::validate(raw, default_name).map_err(|ds| imports.place(ds));
    match (result, imports.problems.is_empty()) {
        (Ok(mut scenario), true) => {
            scenario.imported_files = std::mem::take(&mut imports.read);
            scenario.trace_files = traces;
            Ok(scenario)
        }
        (Ok(_), false) => Err(ScenarioError::new(file, imports.problems.into_iter().map(locate).collect())),
        (Err(ds), _) => Err(ScenarioError::new(file, imports.problems.into_iter().chain(ds).map(locate).collect())),
    }
}

/// A scenario document kept as a YAML tree, so that variants can be made of it by [`Override`]s
/// and each validated as a whole scenario, its problems located in the base file or where the
/// override that caused them was written.
#[derive(Clone, Debug)]
pub struct Document {
    value: serde_yaml::Value,
    map: SourceMap,
    /// The document's path inside the file its lines are in (`base.` for a scenario written
    /// inline in an experiment file; empty for a file of its own).
    prefix: String,
    file: String,
    dir: PathBuf,
    default_name: String,
}

impl Document {
    /// Parses scenario `text` from `file` (whose directory is where `import:` paths start). Only
    /// YAML syntax is checked here; [`Document::load`] validates.
    pub fn parse(text: &str, file: &str, default_name: &str) -> Result<Document, ScenarioError> {
        // No scenario is of another kind (see file_kind): one that is says so, and nothing else.
        if let Some(d) = file_kind::identify(text, file) {
            return Err(ScenarioError::new(file, vec![d]));
        }
        let (value, map) = parse_yaml(text, file)?;
        let dir = Path::new(file).parent().unwrap_or(Path::new("")).to_path_buf();
        Ok(Document { value, map, prefix: String::new(), file: file.into(), dir, default_name: default_name.into() })
    }

    /// A scenario written inline at `prefix` (e.g. `base`) of `file`, whose source map is `text`'s.
    pub fn inline(value: serde_yaml::Value, text: &str, prefix: &str, file: &str, default_name: &str) -> Document {
        let dir = Path::new(file).parent().unwrap_or(Path::new("")).to_path_buf();
        Document {
            value,
            map: SourceMap::parse(text),
            prefix: format!("{prefix}."),
            file: file.into(),
            dir,
            default_name: default_name.into(),
        }
    }

    /// The file the document is in.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// Validates the document changed by `overrides` (applied in order). Problems with the
    /// overrides themselves, or found under a node an override set, point at the override.
    pub fn load(&self, overrides: &[Override]) -> Result<Scenario, ScenarioError> {
        let mut value = self.value.clone();
        // The overrides that cannot be applied are reported with everything validation finds in
        // the document the others made.
        let problems = super::overrides::apply(&mut value, overrides);
        let locate = |mut d: Diagnostic| {
            if d.file.is_some() {
                return d;
            }
            match overrides.iter().rev().find(|o| super::overrides::covers(&o.path, &d.path)) {
                Some(o) => {
                    d.file = Some(o.origin.file.clone());
                    d.line = o.origin.line;
                    let by = format!("the value comes from `{}`", o.origin.path);
                    d.hint = Some(match d.hint.take() {
                        Some(h) => format!("{h} ({by})"),
                        None => by,
                    });
                }
                None => {
                    let path = if d.path == "." {
                        self.prefix.trim_end_matches('.').to_string()
                    } else {
                        format!("{}{}", self.prefix, d.path)
                    };
                    d.line = self.map.line_of(if path.is_empty() { "." } else { &path });
                }
            }
            d
        };
        let with = |more: Vec<Diagnostic>| {
            ScenarioError::new(self.file.clone(), problems.iter().cloned().chain(more).collect())
        };
        let raw: RawScenario =
            structure::deserialize(value, parse_diagnostic).map_err(|ds| with(ds.into_iter().map(locate).collect()))?;
        match finish(raw, &self.file, &self.dir, &self.default_name, &locate) {
            Ok(_) if !problems.is_empty() => Err(with(Vec::new())),
            Err(e) => Err(with(e.diagnostics)),
            ok => ok,
        }
    }
}

/// Reads the trace files of the traffic sources' rates (relative to `base`), so validation finds
/// their samples in place.
fn read_traces(raw: &mut RawScenario, base: &Path, problems: &mut Vec<Diagnostic>) -> Vec<TraceFile> {
    let mut files = Vec::new();
    let mut load = |rate: &mut _, path: DocPath| super::rate::load_traces(rate, &path, base, problems, &mut files);
    for (name, rate) in raw.custom_metrics.iter_mut() {
        load(rate, DocPath::root("custom_metrics").key(name));
    }
    for (name, service) in raw.services.iter_mut() {
        let Some(load_spec) = service.load.as_mut() else { continue };
        for (field, rate) in [("cpu", load_spec.cpu.as_mut()), ("memory", load_spec.memory.as_mut())] {
            if let Some(rate) = rate {
                load(rate, DocPath::root("services").key(name).field("load").field(field));
            }
        }
    }
    if let Some(traffic) = raw.traffic.as_mut() {
        for (i, source) in traffic.sources.iter_mut().enumerate() {
            load(&mut source.rate, DocPath::root("traffic").field("sources").index(i).field("rate"));
        }
    }
    files
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
        is_syntax(&message).then(|| "YAML syntax: check brackets, quotes and indentation around this line".to_string())
    });
    Diagnostic { file: None, path, line: inner.location().map(|l| l.line()), message, hint }
}

/// Removes the first " at line N column M" (where the parser stopped; `file:line:` says it).
pub(super) fn without_first_position(message: &str) -> String {
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
pub(super) fn unknown_name_hint(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field ").or_else(|| message.strip_prefix("unknown variant "))?;
    let mut quoted = rest.split('`').skip(1).step_by(2);
    let name = quoted.next()?;
    closest(name, quoted).map(|c| format!("did you mean `{c}`?"))
}
