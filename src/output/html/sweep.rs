//! report.html of a sweep folder: the comparison (comparison.md, rendered), the Pareto front, the
//! distribution of every measure and the per-variant time series, each chart the folder's own SVG
//! inlined, so the page is one file and says exactly what the folder's files say.

use std::fs;
use std::path::Path;

use minijinja::{context, Value};
use serde::Serialize;

use super::super::sweep::SweepInfo;
use super::super::OutputError;
use super::{draw_error, environment, to_value};

#[derive(Serialize)]
struct Chart {
    id: String,
    title: String,
    svg: Value,
}

fn read(path: &Path) -> Result<String, OutputError> {
    fs::read_to_string(path).map_err(|source| OutputError::Io { path: path.to_path_buf(), source })
}

/// The folder's charts in reading order: the Pareto front, the measures' distributions (by
/// name), the time series.
fn charts(dir: &Path) -> Result<Vec<Chart>, OutputError> {
    let mut measures: Vec<String> = fs::read_dir(dir)
        .map_err(|source| OutputError::Io { path: dir.to_path_buf(), source })?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with("measure-") && n.ends_with(".svg"))
        .collect();
    measures.sort();
    let names =
        std::iter::once("pareto.svg".to_string()).chain(measures).chain(std::iter::once("over-time.svg".into()));
    let mut out = Vec::new();
    for name in names {
        let path = dir.join(&name);
        if !path.is_file() {
            continue;
        }
        let stem = name.trim_end_matches(".svg");
        let title = match stem {
            "pareto" => "Pareto front: cost against latency".to_string(),
            "over-time" => "per-variant time series (median and 10–90% of seeds)".to_string(),
            m => format!("distribution over seeds: {}", m.trim_start_matches("measure-")),
        };
        out.push(Chart { id: stem.to_string(), title, svg: Value::from_safe_string(read(&path)?) });
    }
    Ok(out)
}

/// Markdown to HTML (tables on): comparison.md as the page shows it.
fn markdown(text: &str) -> String {
    let parser = pulldown_cmark::Parser::new_ext(text, pulldown_cmark::Options::ENABLE_TABLES);
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, parser);
    html
}

/// Writes `dest`/report.html for the sweep folder `source`.
pub fn write_sweep_report(source: &Path, dest: &Path) -> Result<Vec<&'static str>, OutputError> {
    let info_path = source.join("sweep.json");
    let info: SweepInfo = serde_json::from_str(&read(&info_path)?)
        .map_err(|e| OutputError::BadRunFile { path: info_path.clone(), message: e.to_string() })?;
    let comparison_path = source.join("comparison.md");
    // Raw HTML in comparison.md is ecsim's own text, but it is escaped all the same: the page
    // must not run what a scenario's names might contain.
    let comparison = if comparison_path.is_file() {
        let text = read(&comparison_path)?.replace('<', "&lt;");
        markdown(&text)
    } else {
        String::new()
    };
    let charts = charts(source)?;
    let html_path = dest.join("report.html");
    let env = environment().map_err(|e| draw_error(&html_path, e))?;
    let page = env
        .get_template("sweep.html")
        .and_then(|t| {
            t.render(context! {
                kind => "sweep",
                title => format!("{} — ecsim experiment", info.experiment),
                experiment => info.experiment,
                version => info.ecsim_version,
                variants => to_value(&info.variants),
                seeds => info.seeds.len(),
                runs => info.runs,
                comparison => Value::from_safe_string(comparison),
                charts => to_value(&charts),
            })
        })
        .map_err(|e| draw_error(&html_path, e.to_string()))?;
    fs::write(&html_path, page).map_err(|source| OutputError::Io { path: html_path.clone(), source })?;
    Ok(vec!["report.html"])
}
