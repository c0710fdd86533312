//! `ecsim import cloudformation TEMPLATE [--param K=V]...`: the scenario written from a template,
//! on standard output, checked as `validate` would check it.

use std::path::Path;

use super::{say, Failure};
use crate::scenario::{self, ImportOptions};

/// `K=V` of `--param`.
pub(super) fn parameter(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.to_string())),
        _ => Err(format!("`{text}` is not NAME=VALUE, e.g. `--param DesiredCount=4`")),
    }
}

pub(super) fn cloudformation(template: &Path, params: &[(String, String)]) -> Result<(), Failure> {
    let text = std::fs::read_to_string(template)
        .map_err(|e| Failure::Other(anyhow::anyhow!("cannot read {}: {e}", template.display())))?;
    let shown = template.display().to_string();
    let stack = scenario::default_name(template);
    let options = ImportOptions { file: &shown, stack: &stack, params };
    let yaml = scenario::import_template(&text, &options)
        .map_err(|report| Failure::invalid(&report, report.diagnostics.len()))?;
    say(&yaml)?;
    // What the template gave must make a scenario that runs; if it does not, say what to fix in it.
    if let Err(report) = scenario::load_str(&yaml, "the imported scenario", &stack) {
        let n = report.diagnostics.len();
        eprintln!("{report}\nthe scenario written above does not validate yet: fix these in it before `ecsim run`");
        return Err(Failure::invalid(&format!("imported from {shown}"), n));
    }
    Ok(())
}
