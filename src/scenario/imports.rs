//! `import:` of AWS's own JSON: task definitions (`task_definitions.<name>.import`), services
//! (`services.<name>.import`), a service's scaling (`services.<name>.autoscaling.import`) and
//! capacity providers (`capacity_providers.<name>.import`). Each file is read relative to the
//! scenario, parsed in its AWS shape ([`aws_json`]), and the fields written beside `import:` are merged over it ([`import_merge`]).
//! Validation then sees the merged entries; [`Imports::place`] moves each of its problems to
//! where the author can fix it: the scenario's line for a written field, the JSON file's path
//! and line for the file's.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::diagnostics::{suggestion, Diagnostic};
use super::path::Path as DocPath;
use super::schema::{RawDefaultStrategy, RawScenario};
use super::{aws_json, companion, import_merge, ImportedFile};

/// What resolving `import:` left for validation to know.
///
/// A definition whose import failed is left out of validation, and so are the problems that its
/// absence causes: a service or `tasks:` entry that names it is not reported as naming an unknown
/// task definition.
/// Everything else is validated, so the author sees the import problems and the scenario's own in
/// one pass. (Keeping a placeholder definition instead would let checks on what services do with
/// their definition report problems about the placeholder.)
#[derive(Default)]
pub(super) struct Imports {
    /// Problems with the imports themselves.
    pub(super) problems: Vec<Diagnostic>,
    /// Paths (`services.web.task_definition`, `tasks.batch.task_definition`) whose problems only say
    /// that a failed import is missing.
    hidden: BTreeSet<String>,
    /// When an import failed: references to undeclared definitions, by path, with every
    /// declared name, so that "did you mean" still considers the definitions left out.
    unknown: BTreeMap<String, String>,
    declared: Vec<String>,
    /// Imported definitions by name.
    files: BTreeMap<String, Imported>,
    /// Imported services by name.
    services: BTreeMap<String, Imported>,
    /// Services whose import failed: their own problems would only say that the file is missing.
    hidden_services: BTreeSet<String>,
    /// Capacity providers whose import failed, likewise.
    hidden_providers: BTreeSet<String>,
    /// Entries read from several files (a service's `autoscaling`, a capacity provider), by their
    /// path in the scenario (`services.web.autoscaling`): where each imported part came from, and
    /// where each written field is.
    origins: Vec<(String, Vec<aws_json::JsonOrigin>, Vec<import_merge::Written>)>,
    /// Every file read, by its path as the scenario writes it: the run's inputs besides the scenario.
    pub(super) read: Vec<ImportedFile>,
}

/// A definition or service read from an AWS JSON file.
struct Imported {
    /// The file's name in diagnostics.
    shown: String,
    text: String,
    /// The fields the scenario wrote beside `import:`, where they are in the merged definition.
    written: Vec<import_merge::Written>,
}

/// Replaces every task definition that has `import:` by the AWS task definition JSON it names
/// (relative to `base`, the scenario's directory) with the fields written beside `import:`
/// merged over it. A failed import removes the definition.
pub(super) fn resolve_imports(raw: &mut RawScenario, base: &Path) -> Imports {
    let mut imports = Imports::default();
    resolve_services(raw, base, &mut imports);
    resolve_scaling(raw, base, &mut imports);
    resolve_capacity(raw, base, &mut imports);
    resolve_cluster(raw, base, &mut imports);
    let mut failed = BTreeSet::new();
    for (name, td) in &mut raw.task_definitions {
        let Some(import) = td.import.clone() else { continue };
        let path = DocPath::root("task_definitions").key(name).field("import");
        let Some((shown, text)) = read(base, &import, path, &mut imports.problems) else {
            failed.insert(name.clone());
            continue;
        };
        match aws_json::parse_task_definition(&text, &shown) {
            Ok(parsed) => {
                // The fields written beside `import:` merge over the file's (see import_merge).
                let (merged, written) = import_merge::merge(parsed, std::mem::take(td));
                *td = merged;
                imports.read.push(ImportedFile { path: import.clone(), text: text.clone() });
                imports.files.insert(name.clone(), Imported { shown, text, written });
            }
            Err(problems) => {
                imports.problems.extend(problems);
                failed.insert(name.clone());
            }
        }
    }
    if failed.is_empty() {
        return imports;
    }
    // Everything that names a task definition: services and standalone (RunTask) tasks.
    let services = raw.services.iter().map(|(name, s)| (DocPath::root("services").key(name), &s.task_definition));
    let tasks = raw.tasks.iter().map(|(name, t)| (DocPath::root("tasks").key(name), &t.task_definition));
    for (entry, reference) in services.chain(tasks) {
        let path = entry.field("task_definition");
        if failed.contains(reference) {
            imports.hidden.insert(path.into());
        } else if !raw.task_definitions.contains_key(reference) {
            imports.unknown.insert(path.into(), reference.clone());
        }
    }
    imports.declared = raw.task_definitions.keys().cloned().collect();
    raw.task_definitions.retain(|name, _| !failed.contains(name));
    imports
}

impl Imports {
    /// Validation's problems, without those that only say a failed import is missing, and with those
    /// inside an imported definition moved to where they are in its JSON file.
    pub(super) fn place(&self, diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
        diagnostics
            .into_iter()
            .filter(|d| !self.hidden.contains(&d.path))
            .filter(|d| under(&d.path, "services.", &self.hidden_services).is_none())
            .filter(|d| under(&d.path, "capacity_providers.", &self.hidden_providers).is_none())
            .map(|mut d| {
                if let Some(reference) = self.unknown.get(&d.path) {
                    d.hint = Some(suggestion(reference, self.declared.iter().map(String::as_str)));
                }
                for (prefix, origins, written) in &self.origins {
                    if let Some(inner) = d.path.strip_prefix(prefix.as_str()).and_then(|r| r.strip_prefix('.')) {
                        let inner = inner.to_string();
                        place_origin(&mut d, prefix, origins, written, &inner);
                        return d;
                    }
                }
                let (section, imported) = match under(&d.path, "task_definitions.", &self.files) {
                    Some(found) => ("task_definitions", Some(found)),
                    None => ("services", under(&d.path, "services.", &self.services)),
                };
                let Some((name, file, inner)) = imported else { return d };
                match import_merge::written_path(&file.written, &inner) {
                    // A field the scenario wrote: the problem stays in the scenario, at its path.
                    Some(p) => d.path = format!("{section}.{name}.{p}"),
                    None => {
                        let (path, line) = if section == "services" {
                            aws_json::locate_service(&file.text, name, &inner)
                        } else {
                            aws_json::locate(&file.text, &inner)
                        };
                        (d.file, d.path, d.line) = (Some(file.shown.clone()), path, line);
                    }
                }
                d
            })
            .collect()
    }
}

/// The entry of `entries` (keyed by name) that `path` lies in under `section` (`services.`), and
/// the path inside it.
fn under<'a, V, E: Entries<'a, V>>(path: &str, section: &str, entries: E) -> Option<(&'a str, V, String)> {
    let rest = path.strip_prefix(section)?;
    entries.find(|name| {
        let inner = rest.strip_prefix(name)?;
        match inner.strip_prefix('.') {
            Some(inner) => Some(inner.to_string()),
            None if inner.is_empty() => Some(String::new()),
            None => None,
        }
    })
}

/// Named entries [`under`] searches: a map's (name, value) or a set's names.
trait Entries<'a, V> {
    fn find(self, inner: impl Fn(&str) -> Option<String>) -> Option<(&'a str, V, String)>;
}

impl<'a, T> Entries<'a, &'a T> for &'a BTreeMap<String, T> {
    fn find(self, inner: impl Fn(&str) -> Option<String>) -> Option<(&'a str, &'a T, String)> {
        self.iter().find_map(|(name, value)| inner(name).map(|i| (name.as_str(), value, i)))
    }
}

impl<'a> Entries<'a, ()> for &'a BTreeSet<String> {
    fn find(self, inner: impl Fn(&str) -> Option<String>) -> Option<(&'a str, (), String)> {
        self.iter().find_map(|name| inner(name).map(|i| (name.as_str(), (), i)))
    }
}

/// The text of the file `import` names (relative to `base`) and its name in diagnostics; or
/// `None`, the problem of reading it added to `problems` at `path` (where `import` is written).
fn read(base: &Path, import: &str, path: DocPath, problems: &mut Vec<Diagnostic>) -> Option<(String, String)> {
    let resolved = base.join(import);
    let shown = resolved.display().to_string();
    match companion::read_text(&resolved) {
        Ok(text) => Some((shown, text)),
        Err(e) => {
            let hint = e.hint.or(e.not_found.then_some("`import` paths are relative to the scenario file's directory"));
            problems.push(Diagnostic {
                file: None,
                path: path.into(),
                line: None,
                message: format!("cannot read `{shown}`: {}", e.why),
                hint: hint.map(str::to_string),
            });
            None
        }
    }
}

/// Replaces every service that has `import:` by the AWS service JSON it names, with the fields
/// written beside `import:` merged over it. A service whose import failed keeps its written
/// fields, and its own problems are not reported (they would only say what the file had).
fn resolve_services(raw: &mut RawScenario, base: &Path, imports: &mut Imports) {
    for (name, service) in &mut raw.services {
        let Some(import) = service.import.clone() else { continue };
        let path = DocPath::root("services").key(name).field("import");
        let Some((shown, text)) = read(base, &import, path, &mut imports.problems) else {
            imports.hidden_services.insert(name.clone());
            continue;
        };
        match aws_json::parse_service(&text, &shown, name) {
            Ok(parsed) => {
                let (merged, written) = import_merge::merge_service(parsed, std::mem::take(service));
                *service = merged;
                imports.read.push(ImportedFile { path: import.clone(), text: text.clone() });
                imports.services.insert(name.clone(), Imported { shown, text, written });
            }
            Err(problems) => {
                imports.problems.extend(problems);
                imports.hidden_services.insert(name.clone());
            }
        }
    }
}

/// Replaces `default_capacity_provider_strategy: { import: file }` by the file's strategy (or drops
/// it, its problem reported: then strategies falling back on it are not checked against it).
fn resolve_cluster(raw: &mut RawScenario, base: &Path, imports: &mut Imports) {
    let Some(RawDefaultStrategy::Import { import }) = &raw.default_capacity_provider_strategy else { return };
    let import = import.clone();
    let path = DocPath::root("default_capacity_provider_strategy").field("import");
    raw.default_capacity_provider_strategy = None;
    let Some((shown, text)) = read(base, &import, path, &mut imports.problems) else { return };
    let file = aws_json::JsonFile::new(&shown, &text);
    match aws_json::parse_cluster_strategy(&file, raw.name.as_deref().unwrap_or_default()) {
        Ok(items) => {
            raw.default_capacity_provider_strategy = Some(RawDefaultStrategy::Items(items));
            imports.read.push(ImportedFile { path: import, text: text.clone() });
        }
        Err(problem) => imports.problems.push(problem),
    }
}

/// Moves a problem at `inner` of the merged entry at `prefix` to the scenario's path of a written
/// field, or to the JSON file and object an imported part came from.
fn place_origin(
    d: &mut Diagnostic,
    prefix: &str,
    origins: &[aws_json::JsonOrigin],
    written: &[import_merge::Written],
    inner: &str,
) {
    if let Some(p) = import_merge::written_path(written, inner) {
        d.path = format!("{prefix}.{p}");
        return;
    }
    let within = |entry: &str| {
        inner == entry || inner.starts_with(&format!("{entry}.")) || inner.starts_with(&format!("{entry}["))
    };
    if let Some(o) = origins.iter().find(|o| within(&o.entry)) {
        let field = format!("`{prefix}.{inner}` in the scenario's terms");
        d.hint = Some(match d.hint.take() {
            Some(h) => format!("{h} ({field})"),
            None => field,
        });
        (d.file, d.path, d.line) = (Some(o.file.clone()), o.json_path.clone(), o.line);
    }
}

/// Reads every service's `autoscaling.import` files and merges what is written beside them:
/// written bounds replace the files', written policies and schedules come after theirs.
fn resolve_scaling(raw: &mut RawScenario, base: &Path, imports: &mut Imports) {
    for (name, service) in &mut raw.services {
        let Some(scaling) = service.autoscaling.as_mut() else { continue };
        let Some(files) = scaling.import.clone() else { continue };
        let path = DocPath::root("services").key(name).field("autoscaling").field("import");
        let Some(texts) = read_all(base, &files, &path, &mut imports.problems) else {
            imports.hidden_services.insert(name.clone());
            continue;
        };
        let parts: Vec<aws_json::JsonFile> =
            texts.iter().map(|(_, (shown, text))| aws_json::JsonFile::new(shown, text)).collect();
        match aws_json::parse_scaling(&parts, name) {
            Ok((parsed, origins)) => {
                let written = import_merge::merge_scaling(scaling, parsed);
                for (file, (_, text)) in texts {
                    imports.read.push(ImportedFile { path: file, text });
                }
                let prefix = format!("services.{name}.autoscaling");
                imports.origins.push((prefix, origins, written));
            }
            Err(problems) => {
                imports.problems.extend(problems);
                imports.hidden_services.insert(name.clone());
            }
        }
    }
}

/// Reads the files of every capacity provider with `import:` and merges what is written beside
/// them. A provider whose import failed keeps its written fields, and its own problems are not
/// reported (they would only say what the files had); strategies naming it still find it.
fn resolve_capacity(raw: &mut RawScenario, base: &Path, imports: &mut Imports) {
    for (name, provider) in &mut raw.capacity_providers {
        let Some(files) = provider.import.clone() else { continue };
        let path = DocPath::root("capacity_providers").key(name).field("import");
        let Some(texts) = read_all(base, &files, &path, &mut imports.problems) else {
            imports.hidden_providers.insert(name.clone());
            continue;
        };
        let parts: Vec<aws_json::JsonFile> =
            texts.iter().map(|(_, (shown, text))| aws_json::JsonFile::new(shown, text)).collect();
        match aws_json::parse_capacity(&parts, name) {
            Ok((parsed, origins)) => {
                let (merged, written) = import_merge::merge_capacity(parsed, std::mem::take(provider));
                *provider = merged;
                let group = &provider.auto_scaling_group;
                if group.instance_type.is_none() && group.mixed_instances_policy.is_none() {
                    imports.problems.push(Diagnostic {
                        file: None,
                        path: path.clone().into(),
                        line: None,
                        message: "the group's JSON names no instance type: it is in the group's launch template".into(),
                        hint: Some(
                            "write it beside `import:`, e.g. `auto_scaling_group: { instance_type: m5.large }`".into(),
                        ),
                    });
                    imports.hidden_providers.insert(name.clone());
                }
                for (file, (_, text)) in texts {
                    imports.read.push(ImportedFile { path: file, text });
                }
                imports.origins.push((format!("capacity_providers.{name}"), origins, written));
            }
            Err(problems) => {
                imports.problems.extend(problems);
                imports.hidden_providers.insert(name.clone());
            }
        }
    }
}

/// The texts of `files` (relative to `base`) by their path as written, with their names in
/// diagnostics; `None` (the problems added, at `path[i]`) if any cannot be read.
fn read_all(
    base: &Path,
    files: &[String],
    path: &DocPath,
    problems: &mut Vec<Diagnostic>,
) -> Option<Vec<(String, (String, String))>> {
    let texts: Vec<_> = files
        .iter()
        .enumerate()
        .map(|(i, file)| Some((file.clone(), read(base, file, path.index(i), problems)?)))
        .collect();
    texts.into_iter().collect()
}
