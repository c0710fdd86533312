//! The crate's layers (stated in `src/lib.rs`), checked on its source: a module may use modules of
//! lower layers, and only the domain layer's modules use each other. A back-edge fails here with
//! the file and line that adds it. Test code (`#[cfg(test)]` modules, inline or in their own
//! file) may use anything: a unit test builds its world with `sim::Harness`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Bottom to top. Within a layer only the domain modules (and the world they share) may import
/// each other; `world` composes their tables, so they form one strongly connected layer.
const LAYERS: &[(&str, &[&str])] = &[
    ("engine", &["engine"]),
    ("vocabulary", &["ids", "catalog", "record"]),
    ("domain", &["world", "capacity", "placement", "task", "service", "autoscaling", "traffic", "faults"]),
    ("readers", &["metrics"]),
    ("scenario", &["scenario"]),
    ("dispatch", &["sim"]),
    ("experiments", &["sweep"]),
    ("output", &["output"]),
    ("cli", &["cli"]),
];

/// Pairs of domain modules that import each other today: the number may go down, not up.
const MAX_MUTUAL_DOMAIN_PAIRS: usize = 12;

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|(_, modules)| modules.contains(&module))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).expect("src/ is readable").flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level modules a line names through `crate::`, `crate::{a, b::c}` included.
fn named_modules(line: &str) -> Vec<String> {
    let mut names = Vec::new();
    for (i, _) in line.match_indices("crate::") {
        let rest = &line[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let inner = group.split('}').next().unwrap_or("");
            names.extend(inner.split(',').filter_map(|p| p.trim().split("::").next()).map(str::to_string));
        } else {
            names.push(rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect());
        }
    }
    names.retain(|n| !n.is_empty() && n != "self");
    names
}

/// Every edge between top-level modules, with where it is written.
fn edges() -> BTreeMap<(String, String), Vec<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let tests = test_module_files(&files);
    let mut edges: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for file in files.into_iter().filter(|f| !tests.contains(f)) {
        let relative = file.strip_prefix(&src).expect("under src").to_string_lossy().replace('\\', "/");
        let from = relative.split('/').next().unwrap_or("").trim_end_matches(".rs").to_string();
        if from == "lib" || from == "main" {
            continue;
        }
        let text = std::fs::read_to_string(&file).expect("source is UTF-8");
        let text = without_inline_tests(&text);
        // `use crate::{a, b};` may span lines: join each statement before reading it.
        let joined = text.replace(",\n", ", ").replace("{\n", "{");
        for (n, line) in joined.lines().enumerate() {
            if line.trim_start().starts_with("//") {
                continue;
            }
            for to in named_modules(line) {
                if to != from {
                    edges.entry((from.clone(), to)).or_default().push(format!("src/{relative}:{}", n + 1));
                }
            }
        }
    }
    edges
}

/// The text before its inline `#[cfg(test)] mod tests { .. }` (which comes last, by convention).
fn without_inline_tests(text: &str) -> &str {
    let mut from = 0;
    while let Some(at) = text[from..].find("#[cfg(test)]\nmod ") {
        let start = from + at;
        let line = text[start..].lines().nth(1).unwrap_or("");
        if line.trim_end().ends_with('{') {
            return &text[..start];
        }
        from = start + 1;
    }
    text
}

/// Files of modules declared `#[cfg(test)] mod name;`.
fn test_module_files(files: &[PathBuf]) -> BTreeSet<PathBuf> {
    let mut tests = BTreeSet::new();
    for file in files {
        let text = std::fs::read_to_string(file).expect("source is UTF-8");
        let dir = match file.file_name().and_then(|n| n.to_str()) {
            Some("mod.rs" | "lib.rs" | "main.rs") => file.parent().map(Path::to_path_buf),
            _ => file.parent().map(|p| p.join(file.file_stem().unwrap_or_default())),
        };
        let Some(dir) = dir else { continue };
        for declared in text.split("#[cfg(test)]\n").skip(1) {
            let line = declared.lines().next().unwrap_or("").trim();
            if let Some(name) = line.strip_prefix("mod ").and_then(|l| l.strip_suffix(';')) {
                tests.insert(dir.join(format!("{name}.rs")));
                tests.insert(dir.join(name).join("mod.rs"));
            }
        }
    }
    tests
}

#[test]
fn every_module_has_a_layer() {
    let modules: BTreeSet<String> = edges().into_keys().flat_map(|(a, b)| [a, b]).collect();
    let homeless: Vec<_> = modules.iter().filter(|m| layer_of(m).is_none()).collect();
    assert!(homeless.is_empty(), "modules without a layer in tests/behaviour/layers.rs: {homeless:?}");
}

#[test]
fn no_module_reaches_up_a_layer() {
    let domain = layer_of("world");
    let mut back_edges = Vec::new();
    for ((from, to), at) in edges() {
        let (Some(a), Some(b)) = (layer_of(&from), layer_of(&to)) else { continue };
        if b > a || (a == b && Some(a) != domain) {
            back_edges.push(format!("{from} -> {to} ({} -> {} layer) at {}", LAYERS[a].0, LAYERS[b].0, at.join(", ")));
        }
    }
    assert!(back_edges.is_empty(), "imports against the layering of src/lib.rs:\n{}", back_edges.join("\n"));
}

#[test]
fn the_domain_layer_does_not_grow_new_mutual_imports() {
    let edges = edges();
    let domain = layer_of("world");
    let mutual: Vec<_> = edges
        .keys()
        .filter(|(a, b)| a < b && layer_of(a) == domain && edges.contains_key(&(b.clone(), a.clone())))
        .collect();
    assert!(
        mutual.len() <= MAX_MUTUAL_DOMAIN_PAIRS,
        "{} pairs of domain modules import each other (at most {MAX_MUTUAL_DOMAIN_PAIRS}): {mutual:?}; \
         route the new call through a query or command function of the lower one, or the fan-out in sim",
        mutual.len()
    );
}
