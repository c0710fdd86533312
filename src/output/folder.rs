//! The output folder, staged beside its final place and swapped in at the end, so that nothing of
//! the user's is ever deleted and a folder that looks complete is complete.
//!
//! Contract:
//! - `--out DIR` (with or without a trailing `/`) is staged in `DIR.partial`, which holds the
//!   marker [`STAGING_MARKER`] from its creation; a `DIR.partial` without it is the user's and is
//!   never touched (the run is refused);
//! - an existing `DIR` is replaced only if it is an ecsim output: it holds the marker
//!   [`MARKER`], which lists the entries ecsim wrote there, or (folders of ecsim before the
//!   marker) a `run.json` or `sweep.json` of ecsim's; an empty folder is fine; anything else is
//!   refused before the run starts;
//! - at the commit every staged file is flushed to disk, the marker lists the new entries, the
//!   old folder's entries that ecsim did not write (a user's notes) move into the new folder,
//!   the old folder is renamed aside (`DIR.old`), the new one renamed in, and the old one, now
//!   only ecsim's files, removed: at every instant either the old or the new output is whole;
//! - a folder dropped before its commit (an error, a panic) is removed, and so is every staging
//!   folder still open when the process gets SIGINT or SIGTERM ([`remove_open_staging`]).

use std::collections::BTreeSet;
use std::fs;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

use super::OutputError;

/// The file that makes a folder an ecsim output: its first line, then one entry ecsim wrote per
/// line.
pub const MARKER: &str = ".ecsim";
/// The file that makes a `DIR.partial` ecsim's staging folder.
pub const STAGING_MARKER: &str = ".ecsim-partial";
const MARKER_HEADER: &str = "ecsim output folder: ecsim wrote the entries below and replaces them on the next run";
/// What made a folder an ecsim output before the marker existed.
const LEGACY_MARKERS: [&str; 2] = ["run.json", "sweep.json"];

/// Staging folders being written, for the signal handler to remove.
static OPEN_STAGING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// A staging folder that becomes the output folder on [`RunFolder::commit`], and is deleted if
/// dropped before.
pub struct RunFolder {
    staging: PathBuf,
    target: PathBuf,
    committed: bool,
    /// The staging folder holds something that must not be deleted (the user's entries moved
    /// in, or a finished output the commit could not swap in): it is left where it is.
    keep: bool,
}

impl RunFolder {
    /// Creates `<target>.partial` (clearing a stale one of ecsim's). Refuses a target that exists
    /// but is not an ecsim output folder, and a `.partial` that is not ecsim's.
    pub fn create(target: &Path) -> Result<Self, OutputError> {
        let target = normalized(target)?;
        if target.exists() && owned_entries(&target).is_none() && !is_empty_dir(&target) {
            return Err(OutputError::NotAnOutputFolder(target));
        }
        Self::create_staging(&target)
    }

    /// The staging folder beside `target` (checked by the caller), new and marked as ecsim's.
    fn create_staging(target: &Path) -> Result<Self, OutputError> {
        let target = target.to_path_buf();
        let staging = sibling(&target, "partial");
        if staging.exists() {
            if !is_staging(&staging) {
                return Err(OutputError::NotOurs(staging));
            }
            fs::remove_dir_all(&staging).map_err(at(&staging))?;
        }
        fs::create_dir_all(&staging).map_err(at(&staging))?;
        fs::write(staging.join(STAGING_MARKER), format!("{MARKER_HEADER}\n")).map_err(at(&staging))?;
        if let Ok(mut open) = OPEN_STAGING.lock() {
            open.push(staging.clone());
        }
        Ok(RunFolder { staging, target, committed: false, keep: false })
    }

    /// Where a file of the run is written until the commit.
    pub fn file(&self, name: &str) -> PathBuf {
        self.staging.join(name)
    }

    /// The staging folder itself: where the files are until the commit.
    pub fn path(&self) -> &Path {
        &self.staging
    }

    /// Replaces the target folder with the staged one (see the module's contract).
    pub fn commit(mut self) -> Result<PathBuf, OutputError> {
        let written = entries(&self.staging).map_err(at(&self.staging))?;
        let written: BTreeSet<String> = written.into_iter().filter(|e| e != STAGING_MARKER).collect();
        fs::write(self.staging.join(MARKER), marker_text(&written)).map_err(at(&self.staging))?;
        fs::remove_file(self.staging.join(STAGING_MARKER)).map_err(at(&self.staging))?;
        sync_tree(&self.staging).map_err(at(&self.staging))?;
        if self.target.exists() {
            self.swap(&written)?;
        } else {
            fs::rename(&self.staging, &self.target).map_err(at(&self.target))?;
        }
        if let Some(parent) = self.target.parent() {
            sync_dir(parent);
        }
        self.committed = true;
        forget(&self.staging);
        Ok(self.target.clone())
    }

    /// The target exists: the user's entries move into the new folder, the old folder goes aside,
    /// the new one comes in, the old one (only ecsim's entries now) is removed.
    fn swap(&mut self, written: &BTreeSet<String>) -> Result<(), OutputError> {
        let Some(ours) = owned_entries(&self.target).or_else(|| is_empty_dir(&self.target).then(BTreeSet::new)) else {
            return Err(OutputError::NotAnOutputFolder(self.target.clone()));
        };
        let existing = entries(&self.target).map_err(at(&self.target))?;
        let users: Vec<String> = existing.into_iter().filter(|e| !ours.contains(e) && e != MARKER).collect();
        if let Some(clash) = users.iter().find(|e| written.contains(*e)) {
            self.keep = true;
            return Err(OutputError::WouldOverwrite(self.target.join(clash)));
        }
        // A `DIR.old` left by an interrupted swap goes first, before anything of the user's moves.
        let old = sibling(&self.target, "old");
        if old.exists() {
            if owned_entries(&old).is_none() {
                return Err(OutputError::NotOurs(old));
            }
            fs::remove_dir_all(&old).map_err(at(&old))?;
        }
        self.keep = !users.is_empty();
        for entry in &users {
            fs::rename(self.target.join(entry), self.staging.join(entry)).map_err(at(&self.target.join(entry)))?;
        }
        fs::rename(&self.target, &old).map_err(at(&self.target))?;
        fs::rename(&self.staging, &self.target).map_err(at(&self.target))?;
        fs::remove_dir_all(&old).map_err(at(&old))
    }
}

impl Drop for RunFolder {
    fn drop(&mut self) {
        if !self.committed && !self.keep {
            // Best effort: a leftover staging folder is named `.partial` and never looks complete.
            let _ = fs::remove_dir_all(&self.staging);
            forget(&self.staging);
        }
    }
}

/// Remakes some files of the output folder `dir` in place (`ecsim report DIR`): `write` fills a
/// staging folder (`DIR.partial`, as a run's) and returns the names it wrote; each then replaces
/// its namesake by a rename (atomic: a reader sees the old file or the new, whole), and the
/// marker lists them. Refuses a folder that is not ecsim's, and a name in it that ecsim did not
/// write (a file of the user's is never replaced); the folder's other entries are untouched.
pub fn rewrite_in_place(
    dir: &Path,
    write: impl FnOnce(&Path) -> Result<Vec<&'static str>, OutputError>,
) -> Result<Vec<&'static str>, OutputError> {
    let dir = normalized(dir)?;
    let Some(mut ours) = owned_entries(&dir) else {
        return Err(OutputError::NotAnOutputFolder(dir));
    };
    let staging = RunFolder::create_staging(&dir)?;
    let names = write(&staging.staging)?;
    if let Some(clash) = names.iter().find(|n| dir.join(n).exists() && !ours.contains(**n)) {
        return Err(OutputError::WouldOverwrite(dir.join(clash)));
    }
    sync_tree(&staging.staging).map_err(at(&staging.staging))?;
    for name in &names {
        fs::rename(staging.staging.join(name), dir.join(name)).map_err(at(&dir.join(name)))?;
        ours.insert(name.to_string());
    }
    let fresh = staging.staging.join(MARKER);
    fs::write(&fresh, marker_text(&ours)).map_err(at(&fresh))?;
    fs::rename(&fresh, dir.join(MARKER)).map_err(at(&dir))?;
    sync_dir(&dir);
    Ok(names)
}

/// The marker's text: its header, then one entry ecsim wrote per line.
fn marker_text(entries: &BTreeSet<String>) -> String {
    entries.iter().fold(format!("{MARKER_HEADER}\n"), |mut text, entry| {
        text.push_str(entry);
        text.push('\n');
        text
    })
}

/// Removes every staging folder still being written: for a signal handler, before the process
/// exits. Returns how many it removed.
pub fn remove_open_staging() -> usize {
    let Ok(open) = OPEN_STAGING.lock() else { return 0 };
    open.iter().filter(|p| fs::remove_dir_all(p).is_ok()).count()
}

/// The error of an I/O step on `path`.
fn at(path: &Path) -> impl FnOnce(std::io::Error) -> OutputError {
    let path = path.to_path_buf();
    move |source| OutputError::Io { path, source }
}

fn forget(staging: &Path) {
    if let Ok(mut open) = OPEN_STAGING.lock() {
        open.retain(|p| p != staging);
    }
}

/// `--out` as a folder path: a trailing `/` or `.` dropped; one that names no folder of its own
/// (`/`, `..`) refused.
fn normalized(target: &Path) -> Result<PathBuf, OutputError> {
    let path: PathBuf = target.components().filter(|c| !matches!(c, Component::CurDir)).collect();
    let named = path.file_name().is_some() && !matches!(path.components().next_back(), Some(Component::ParentDir));
    if !named {
        return Err(OutputError::NoFolderName(target.to_path_buf()));
    }
    Ok(path)
}

/// `DIR.<suffix>` beside `DIR`.
fn sibling(target: &Path, suffix: &str) -> PathBuf {
    let mut name = target.file_name().unwrap_or_default().to_owned();
    name.push(".");
    name.push(suffix);
    target.with_file_name(name)
}

/// The entries ecsim wrote in `dir`, if it is an ecsim output folder: those its marker lists, or
/// for a folder written before the marker, the files ecsim writes by name.
fn owned_entries(dir: &Path) -> Option<BTreeSet<String>> {
    if !dir.is_dir() {
        return None;
    }
    if let Ok(text) = fs::read_to_string(dir.join(MARKER)) {
        let mut lines = text.lines();
        if lines.next() == Some(MARKER_HEADER) {
            return Some(lines.filter(|l| !l.is_empty()).map(str::to_string).collect());
        }
    }
    let legacy = LEGACY_MARKERS.iter().any(|m| {
        let file = dir.join(m);
        file.is_file() && fs::read_to_string(&file).is_ok_and(|t| t.contains("\"ecsim_version\""))
    });
    legacy.then(|| {
        let names = entries(dir).unwrap_or_default();
        names.into_iter().filter(|n| is_legacy_output(n)).collect()
    })
}

/// Names ecsim gave its outputs before the marker: a run's files and charts, a sweep's tables,
/// charts, shard and run folders; and the files added since (a folder kept without its marker,
/// as the committed examples are, holds them too).
fn is_legacy_output(name: &str) -> bool {
    const FILES: [&str; 16] = [
        "breakdown.csv",
        "report.html",
        "metrics.csv",
        "events.jsonl",
        "summary.json",
        "run.json",
        "scenario.yaml",
        "measures.json",
        "sweep.json",
        "runs.csv",
        "series.csv",
        "variants.csv",
        "over-time.csv",
        "comparison.md",
        "runs",
        "failed.csv",
    ];
    FILES.contains(&name) || name.ends_with(".png") || name.ends_with(".svg")
}

fn is_staging(dir: &Path) -> bool {
    dir.is_dir() && (dir.join(STAGING_MARKER).is_file() || owned_entries(dir).is_some())
}

fn entries(dir: &Path) -> std::io::Result<Vec<String>> {
    let mut names = Vec::new();
    for entry in fs::read_dir(dir)? {
        names.push(entry?.file_name().to_string_lossy().into_owned());
    }
    names.sort();
    Ok(names)
}

fn is_empty_dir(path: &Path) -> bool {
    fs::read_dir(path).is_ok_and(|mut d| d.next().is_none())
}

/// Flushes every file below `dir` to disk, then the folders themselves.
fn sync_tree(dir: &Path) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            sync_tree(&path)?;
        } else {
            fs::File::open(&path)?.sync_all()?;
        }
    }
    sync_dir(dir);
    Ok(())
}

/// Flushes a folder's entries (where the platform allows opening a folder).
fn sync_dir(dir: &Path) {
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trailing_slash_names_the_same_folder() {
        assert_eq!(normalized(Path::new("out/run/")).ok(), Some(PathBuf::from("out/run")));
        assert_eq!(normalized(Path::new("./out/./run")).ok(), Some(PathBuf::from("out/run")));
        assert!(normalized(Path::new("/")).is_err());
        assert!(normalized(Path::new("out/..")).is_err());
        assert_eq!(sibling(Path::new("out/run"), "partial"), PathBuf::from("out/run.partial"));
    }

    #[test]
    fn the_marker_lists_what_ecsim_owns_and_nothing_else_counts() {
        let tmp = tempfile::tempdir().expect("a temporary folder");
        let dir = tmp.path().join("out");
        fs::create_dir(&dir).expect("created");
        fs::write(dir.join("run.json"), "my own notes").expect("written");
        assert_eq!(owned_entries(&dir), None, "a user's run.json is not ecsim's");
        fs::write(dir.join(MARKER), format!("{MARKER_HEADER}\nmetrics.csv\nrun.json\n")).expect("written");
        let owned = owned_entries(&dir).expect("an ecsim folder");
        assert_eq!(owned.into_iter().collect::<Vec<_>>(), ["metrics.csv", "run.json"]);
    }
}
