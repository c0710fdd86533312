//! Reading the files a scenario names beside itself (`import:` task definitions, whole: regular
//! files only, at most [`MAX_BYTES`], UTF-8 text; `trace:` files, streamed by
//! `rate::trace_file`, pass [`check_regular`] only).
//!
//! A FIFO or a device named by mistake would block or stream without end, and a folder says
//! nothing useful, so anything but a regular file (a symbolic link to one is fine) is refused
//! before it is opened for reading. The size is checked before reading and again while reading,
//! so a file that grows meanwhile cannot make ecsim read more than the cap.

use std::io::Read;
use std::path::Path;

/// The largest companion file read whole: 256 MiB is far beyond any task definition.
pub const MAX_BYTES: u64 = 256 * 1024 * 1024;

/// Why a companion file could not be read: what to say, and a hint when one helps.
#[derive(Debug)]
pub struct Unreadable {
    pub why: String,
    pub hint: Option<&'static str>,
    /// There is nothing at the path (the caller says where paths are relative to).
    pub not_found: bool,
}

impl Unreadable {
    fn new(why: impl Into<String>, hint: &'static str) -> Unreadable {
        Unreadable { why: why.into(), hint: Some(hint), not_found: false }
    }
}

/// What an I/O error means for a companion file.
pub fn io_problem(e: std::io::Error) -> Unreadable {
    match e.kind() {
        std::io::ErrorKind::NotFound => Unreadable { why: "no such file".into(), hint: None, not_found: true },
        std::io::ErrorKind::PermissionDenied => Unreadable::new("permission denied", "check the file's permissions"),
        _ => Unreadable { why: e.to_string(), hint: None, not_found: false },
    }
}

/// Refuses anything at `path` but a regular file (or a symbolic link to one), without opening it;
/// gives the file's size.
pub fn check_regular(path: &Path) -> Result<u64, Unreadable> {
    let meta = std::fs::metadata(path).map_err(io_problem)?;
    if !meta.is_file() {
        let what = if meta.is_dir() { "a folder" } else { "not a regular file (a FIFO, socket or device)" };
        return Err(Unreadable::new(what, "name a regular file"));
    }
    Ok(meta.len())
}

/// The text of the regular file at `path`.
pub fn read_text(path: &Path) -> Result<String, Unreadable> {
    let len = check_regular(path)?;
    let too_large = || {
        Unreadable::new(
            format!("larger than {} MiB", MAX_BYTES / (1024 * 1024)),
            "split the file, or resample it to a coarser period",
        )
    };
    if len > MAX_BYTES {
        return Err(too_large());
    }
    let mut bytes = Vec::with_capacity(len as usize);
    std::fs::File::open(path).map_err(io_problem)?.take(MAX_BYTES + 1).read_to_end(&mut bytes).map_err(io_problem)?;
    if bytes.len() as u64 > MAX_BYTES {
        return Err(too_large());
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let line = 1 + e.as_bytes()[..at].iter().filter(|b| **b == b'\n').count();
        Unreadable::new(format!("not UTF-8 text (line {line})"), "save the file as UTF-8")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_of_bounded_size_in_utf8_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let ok = dir.path().join("ok.csv");
        std::fs::write(&ok, "Timestamp,Sum\n0,1\n").unwrap();
        assert_eq!(read_text(&ok).unwrap(), "Timestamp,Sum\n0,1\n");
        let missing = read_text(&dir.path().join("nope.csv")).unwrap_err();
        assert!(missing.not_found && missing.why == "no such file");
        assert_eq!(read_text(dir.path()).unwrap_err().why, "a folder");
        let latin1 = dir.path().join("latin1.csv");
        std::fs::write(&latin1, b"a,b\n0,1\n0,caf\xe9\n").unwrap();
        assert_eq!(read_text(&latin1).unwrap_err().why, "not UTF-8 text (line 3)");
        #[cfg(unix)]
        {
            let zero = read_text(Path::new("/dev/zero")).unwrap_err();
            assert!(zero.why.starts_with("not a regular file"), "{}", zero.why);
            let fifo = dir.path().join("fifo");
            let made = std::process::Command::new("mkfifo").arg(&fifo).status();
            if made.is_ok_and(|s| s.success()) {
                // Refused without opening it: opening a FIFO for reading blocks until a writer comes.
                assert!(read_text(&fifo).unwrap_err().why.starts_with("not a regular file"));
            }
        }
    }
}
