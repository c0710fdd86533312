//! The output folder, staged beside its final place and swapped in at the end.

use std::fs;
use std::path::{Path, PathBuf};

use super::OutputError;

/// Mark a folder as an ecsim output (a run's, a sweep's), so replacing it cannot delete anything
/// else.
const MARKERS: [&str; 2] = ["run.json", "sweep.json"];

/// A staging folder that becomes the output folder on [`RunFolder::commit`], and is deleted if
/// dropped before.
pub struct RunFolder {
    staging: PathBuf,
    target: PathBuf,
    committed: bool,
}

impl RunFolder {
    /// Creates `<target>.partial` (clearing a stale one). Refuses a target that exists but is not
    /// an ecsim output folder.
    pub fn create(target: &Path) -> Result<Self, OutputError> {
        if target.exists()
            && !(target.is_dir() && (MARKERS.iter().any(|m| target.join(m).exists()) || is_empty_dir(target)))
        {
            return Err(OutputError::NotAnOutputFolder(target.to_path_buf()));
        }
        let mut staging = target.as_os_str().to_owned();
        staging.push(".partial");
        let staging = PathBuf::from(staging);
        let io = |source| OutputError::Io { path: staging.clone(), source };
        if staging.exists() {
            fs::remove_dir_all(&staging).map_err(io)?;
        }
        fs::create_dir_all(&staging).map_err(io)?;
        Ok(RunFolder { staging, target: target.to_path_buf(), committed: false })
    }

    /// Where a file of the run is written until the commit.
    pub fn file(&self, name: &str) -> PathBuf {
        self.staging.join(name)
    }

    /// Replaces the target folder with the staged one.
    pub fn commit(mut self) -> Result<PathBuf, OutputError> {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| OutputError::Io { path, source }
        };
        if self.target.exists() {
            fs::remove_dir_all(&self.target).map_err(io(&self.target))?;
        }
        fs::rename(&self.staging, &self.target).map_err(io(&self.target))?;
        self.committed = true;
        Ok(self.target.clone())
    }
}

impl Drop for RunFolder {
    fn drop(&mut self) {
        if !self.committed {
            // Best effort: a leftover staging folder is named `.partial` and never looks complete.
            let _ = fs::remove_dir_all(&self.staging);
        }
    }
}

fn is_empty_dir(path: &Path) -> bool {
    fs::read_dir(path).is_ok_and(|mut d| d.next().is_none())
}
