//! Opening a trace file as a stream of text: gzip, bzip2 and zstd files are recognised by their
//! first bytes (whatever their name) and decompressed as they are read, so that memory stays flat
//! in the file's size; the SHA-256 of the bytes on disk is taken on the way, for `run.json`.
//!
//! Only regular files are opened ([`companion::check_regular`]): a FIFO or a device would block or
//! stream without end. There is no cap on the bytes read (the stream is never held whole); the
//! parsers cap the samples kept instead.

use std::cell::RefCell;
use std::fmt::Write as _;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;
use std::rc::Rc;

use sha2::{Digest, Sha256};

use crate::scenario::companion::{self, Unreadable};

/// An open trace file: its text, decompressed, and the hash of the bytes read so far.
pub(crate) struct Opened {
    pub text: Box<dyn BufRead>,
    hasher: Rc<RefCell<Sha256>>,
}

impl Opened {
    /// Reads what the parser left (a trailer, trailing blank lines) and gives the lowercase hex
    /// SHA-256 of the file's bytes.
    pub fn finish(mut self) -> io::Result<String> {
        io::copy(&mut self.text, &mut io::sink())?;
        drop(self.text);
        let digest = self.hasher.borrow_mut().clone().finalize();
        Ok(digest.iter().fold(String::new(), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        }))
    }
}

/// A reader that hashes every byte it passes on.
struct Hashing<R> {
    inner: R,
    hasher: Rc<RefCell<Sha256>>,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.borrow_mut().update(&buf[..n]);
        Ok(n)
    }
}

const GZIP: &[u8] = &[0x1f, 0x8b];
const BZIP2: &[u8] = b"BZh";
const ZSTD: &[u8] = &[0x28, 0xb5, 0x2f, 0xfd];

/// Opens the regular file at `path` as text, decompressing it when its first bytes say so.
pub(crate) fn open(path: &Path) -> Result<Opened, Unreadable> {
    companion::check_regular(path)?;
    let file = std::fs::File::open(path).map_err(companion::io_problem)?;
    let hasher = Rc::new(RefCell::new(Sha256::new()));
    let mut raw = BufReader::with_capacity(64 * 1024, Hashing { inner: file, hasher: Rc::clone(&hasher) });
    let head = raw.fill_buf().map_err(companion::io_problem)?;
    let text: Box<dyn BufRead> = if head.starts_with(GZIP) {
        // Multi-member: `cat a.gz b.gz` and pigz's output are one stream.
        Box::new(BufReader::new(flate2::bufread::MultiGzDecoder::new(raw)))
    } else if head.starts_with(BZIP2) {
        Box::new(BufReader::new(bzip2::bufread::MultiBzDecoder::new(raw)))
    } else if head.starts_with(ZSTD) {
        Box::new(BufReader::new(super::zstd_frames::Frames::new(raw)))
    } else {
        Box::new(raw)
    };
    Ok(Opened { text, hasher })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn compressed_files_are_recognised_by_their_bytes_and_hashed_as_stored() {
        let dir = tempfile::tempdir().unwrap();
        let text = b"0,1\n60,2\n";
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(text).unwrap();
        let mut bz = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::default());
        bz.write_all(text).unwrap();
        let files = [
            ("plain.csv", text.to_vec()),
            // A misleading name: the bytes decide.
            ("trace.csv", gz.finish().unwrap()),
            ("trace.bz2", bz.finish().unwrap()),
            ("trace.txt", ruzstd::encoding::compress_to_vec(&text[..], ruzstd::encoding::CompressionLevel::Fastest)),
        ];
        for (name, bytes) in files {
            assert!(name == "plain.csv" || bytes.as_slice() != text, "{name} is compressed");
            let path = dir.path().join(name);
            std::fs::write(&path, &bytes).unwrap();
            let mut opened = open(&path).unwrap();
            let mut read = String::new();
            opened.text.read_to_string(&mut read).unwrap();
            assert_eq!(read.as_bytes(), text, "{name}");
            let expected: String = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
            assert_eq!(opened.finish().unwrap(), expected, "{name}");
        }
    }

    #[test]
    fn a_truncated_compressed_file_is_an_error_not_a_short_trace() {
        let dir = tempfile::tempdir().unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(&b"0,1\n".repeat(10_000)).unwrap();
        let bytes = gz.finish().unwrap();
        let path = dir.path().join("cut.gz");
        std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
        let mut opened = open(&path).unwrap();
        assert!(io::copy(&mut opened.text, &mut io::sink()).is_err());
    }
}
