//! The committed reports (results/*/report.html, results/experiments/*/report.html and the
//! teaching labs' results/labs/*/report.html), opened in a
//! real browser: headless Chromium loads each page from disk, runs its script, and the test fails
//! on any console message (an error, a failed load), on a page whose script did not run to its
//! end (`body[data-ready]`), on a panel missing one of its series, and on an events table that
//! does not list the run's events. A screenshot of each page goes to
//! `target/report-screenshots/`.
//!
//! The browser is `$ECSIM_CHROMIUM`, else `chromium`, `chromium-browser` or `google-chrome` on
//! the PATH. Without one the test says so and passes, unless `ECSIM_BROWSER_TESTS=require`
//! (which `.ci/run` sets after installing Chromium): then a missing browser fails it.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn chromium() -> Option<PathBuf> {
    if let Some(path) = env::var_os("ECSIM_CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let path = env::var_os("PATH")?;
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|name| env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|p| p.is_file())
}

/// The page's DOM after its script ran, and the console messages of the load.
fn open(browser: &Path, page: &Path) -> (String, Vec<String>) {
    let url = format!("file://{}", page.canonicalize().unwrap().display());
    let out = Command::new(browser)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0", "--dump-dom", &url])
        .output()
        .unwrap();
    assert!(out.status.success(), "{} failed on {url}: {}", browser.display(), String::from_utf8_lossy(&out.stderr));
    let console =
        String::from_utf8_lossy(&out.stderr).lines().filter(|l| l.contains(":CONSOLE")).map(str::to_string).collect();
    (String::from_utf8_lossy(&out.stdout).into_owned(), console)
}

fn screenshot(browser: &Path, page: &Path, name: &str) {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("../report-screenshots");
    fs::create_dir_all(&dir).unwrap();
    let shot = dir.join(format!("{name}.png"));
    let url = format!("file://{}", page.canonicalize().unwrap().display());
    let arg = format!("--screenshot={}", shot.display());
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--window-size=1280,4000",
            &arg,
            &url,
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "no screenshot of {url}");
    let size = fs::metadata(&shot).map(|m| m.len()).unwrap_or(0);
    assert!(size > 20_000, "the screenshot of {name} is {size} bytes: a blank page?");
}

/// An attribute of an element's opening tag.
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    Some(&tag[start..start + tag[start..].find('"')?])
}

/// Every run panel (a `figure` with `data-series`) draws each of its series: the series'
/// colour strokes its legend sample and at least one line of data.
fn check_panels(dom: &str, page: &str) -> usize {
    let mut panels = 0;
    for figure in dom.split("<figure ").skip(1) {
        let tag = &figure[..figure.find('>').unwrap()];
        let body = &figure[..figure.find("</figure>").unwrap()];
        assert!(body.contains("<svg"), "{page}: a panel without its chart");
        let (Some(series), Some(colors)) = (attribute(tag, "data-series"), attribute(tag, "data-colors")) else {
            continue;
        };
        panels += 1;
        let title = attribute(tag, "data-title").unwrap_or("?");
        for (label, color) in series.split('|').zip(colors.split('|')).filter(|(l, _)| !l.is_empty()) {
            let strokes = body.matches(&format!("stroke=\"{color}\"")).count()
                + body.matches(&format!("fill=\"{color}\"")).count();
            assert!(strokes >= 2, "{page}: panel {title:?} does not draw its series {label:?} ({color})");
        }
    }
    panels
}

#[test]
fn every_committed_report_opens_in_a_browser_without_errors() {
    let required = env::var("ECSIM_BROWSER_TESTS").is_ok_and(|v| v == "require");
    let Some(browser) = chromium() else {
        assert!(!required, "ECSIM_BROWSER_TESTS=require but no Chromium: install it (`apt-get install chromium`)");
        eprintln!("skipped: no Chromium on the PATH (set ECSIM_CHROMIUM, or ECSIM_BROWSER_TESTS=require to fail)");
        return;
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("results");
    let mut folders: Vec<PathBuf> = fs::read_dir(&root).unwrap().map(|e| e.unwrap().path()).collect();
    folders.extend(fs::read_dir(root.join("experiments")).unwrap().map(|e| e.unwrap().path()));
    folders.extend(fs::read_dir(root.join("labs")).unwrap().map(|e| e.unwrap().path()));
    folders.retain(|f| f.join("report.html").is_file());
    folders.sort();
    assert!(folders.len() >= 20, "the examples', experiments' and teaching labs' reports are committed: {folders:?}");
    for folder in folders {
        let name = folder.file_name().unwrap().to_string_lossy().into_owned();
        let page = folder.join("report.html");
        let (dom, console) = open(&browser, &page);
        assert!(console.is_empty(), "{name}: console messages:\n{}", console.join("\n"));
        assert!(dom.contains("data-ready=\"1\""), "{name}: the page's script did not run to its end");
        if folder.join("run.json").is_file() {
            let panels = check_panels(&dom, &name);
            assert!(panels >= 6, "{name}: {panels} panels");
            let events = fs::read_to_string(folder.join("events.jsonl")).unwrap();
            let rows = dom.matches("<tr class=\"event").count();
            assert_eq!(rows, events.lines().count(), "{name}: the events table lists every event");
            let first: serde_json::Value = serde_json::from_str(events.lines().next().unwrap()).unwrap();
            assert!(dom.contains(first["type"].as_str().unwrap()));
        } else {
            assert!(dom.contains("<table>") && dom.contains("Pareto front"), "{name}: the comparison and the front");
        }
        screenshot(&browser, &page, &name);
    }
}
