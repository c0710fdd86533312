//! A zstd stream read as text: every frame in turn, as the `zstd` command line does.
//!
//! A `.zst` file is one or more frames (RFC 8878 §3): `cat a.zst b.zst` and `zstd -T0` outputs
//! hold several, and skippable frames (user metadata) may stand between them. `ruzstd`'s own
//! `StreamingDecoder` stops after the first frame, so this reader drives its `FrameDecoder` one
//! frame after another: it skips skippable frames, ends where the file ends at a frame boundary,
//! and reports a file cut inside a frame, or bytes that are not a frame, as invalid data (which
//! the trace reader names "damaged"). Content checksums, where a frame has one, are verified.
//! Memory stays at one window (at most the frame's declared window size), whatever the file size.

use std::io::{self, BufRead, Read};

use ruzstd::decoding::errors::{FrameDecoderError, ReadFrameHeaderError};
use ruzstd::decoding::{BlockDecodingStrategy, FrameDecoder};

/// Decompresses every frame of `source`, one after another.
pub(crate) struct Frames<R> {
    source: R,
    decoder: FrameDecoder,
    /// Whether `decoder` holds a frame whose bytes are not all handed out yet.
    in_frame: bool,
}

impl<R: BufRead> Frames<R> {
    pub fn new(source: R) -> Frames<R> {
        Frames { source, decoder: FrameDecoder::new(), in_frame: false }
    }

    /// Starts the next frame; false at the end of the file. Skippable frames are passed over.
    fn next_frame(&mut self) -> io::Result<bool> {
        loop {
            if self.source.fill_buf()?.is_empty() {
                return Ok(false);
            }
            match self.decoder.reset(&mut self.source) {
                Ok(()) => return Ok(true),
                Err(FrameDecoderError::ReadFrameHeaderError(ReadFrameHeaderError::SkipFrame { length, .. })) => {
                    let skipped = io::copy(&mut (&mut self.source).take(u64::from(length)), &mut io::sink())?;
                    if skipped < u64::from(length) {
                        return Err(invalid("a skippable frame is cut short"));
                    }
                }
                Err(e) => return Err(invalid(e)),
            }
        }
    }

    /// The frame's checksum, where it has one, against the bytes decoded.
    fn verify_checksum(&self) -> io::Result<()> {
        match (self.decoder.get_checksum_from_data(), self.decoder.get_calculated_checksum()) {
            (Some(stored), Some(calculated)) if stored != calculated => {
                Err(invalid("a frame's content checksum does not match its data"))
            }
            _ => Ok(()),
        }
    }
}

impl<R: BufRead> Read for Frames<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            if !self.in_frame {
                if !self.next_frame()? {
                    return Ok(0);
                }
                self.in_frame = true;
            }
            // Decode until `buf` can be filled or the frame ends (a block may add fewer bytes than
            // asked, and the last window's bytes are held back until the frame is finished).
            while self.decoder.can_collect() < buf.len() && !self.decoder.is_finished() {
                let wanted = buf.len() - self.decoder.can_collect();
                self.decoder
                    .decode_blocks(&mut self.source, BlockDecodingStrategy::UptoBytes(wanted))
                    .map_err(invalid)?;
            }
            let n = self.decoder.read(buf)?;
            if n > 0 {
                return Ok(n);
            }
            // The frame is finished and drained: on to the next one.
            self.verify_checksum()?;
            self.in_frame = false;
        }
    }
}

fn invalid(e: impl std::fmt::Display) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("zstd: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ruzstd::encoding::{compress_to_vec, CompressionLevel};
    use std::io::BufReader;

    fn text(lines: usize, start: usize) -> Vec<u8> {
        (start..start + lines).map(|i| format!("{i},{}\n", i % 97)).collect::<String>().into_bytes()
    }

    fn decode(bytes: &[u8]) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        // A small buffer, so that reads stop in the middle of frames and block headers.
        Frames::new(BufReader::with_capacity(7, bytes)).read_to_end(&mut out)?;
        Ok(out)
    }

    #[test]
    fn concatenated_and_skippable_frames_are_read_in_turn() {
        let (a, b) = (text(50_000, 0), text(3, 50_000));
        let mut file = compress_to_vec(&a[..], CompressionLevel::Fastest);
        // A skippable frame: magic 0x184D2A50..5F, a little-endian length, then that many bytes.
        file.extend_from_slice(&0x184D_2A53u32.to_le_bytes());
        file.extend_from_slice(&5u32.to_le_bytes());
        file.extend_from_slice(b"meta!");
        file.extend(compress_to_vec(&b[..], CompressionLevel::Uncompressed));
        assert_eq!(decode(&file).unwrap(), [a, b].concat());
        assert_eq!(decode(&compress_to_vec(&b""[..], CompressionLevel::Fastest)).unwrap(), b"");
    }

    #[test]
    fn a_cut_or_foreign_tail_is_invalid_data() {
        let whole = compress_to_vec(&text(20_000, 0)[..], CompressionLevel::Fastest);
        for bad in [&whole[..whole.len() / 2], &whole[..whole.len() - 1], &[&whole[..], b"junk"].concat()[..]] {
            assert_eq!(decode(bad).unwrap_err().kind(), io::ErrorKind::InvalidData);
        }
        let mut wrong_checksum = whole.clone();
        *wrong_checksum.last_mut().unwrap() ^= 1;
        let error = decode(&wrong_checksum).unwrap_err();
        assert!(error.to_string().contains("checksum"), "{error}");
        let mut skip = whole.clone();
        skip.extend_from_slice(&0x184D_2A50u32.to_le_bytes());
        skip.extend_from_slice(&100u32.to_le_bytes());
        skip.extend_from_slice(b"short");
        assert_eq!(decode(&skip).unwrap_err().kind(), io::ErrorKind::InvalidData);
    }

    #[test]
    fn damaged_frames_are_errors_or_text_never_a_panic() {
        let whole = compress_to_vec(&text(2_000, 0)[..], CompressionLevel::Fastest);
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for _ in 0..2_000 {
            let mut bytes = whole.clone();
            for _ in 0..1 + next() % 4 {
                let at = (next() % bytes.len() as u64) as usize;
                bytes[at] = next() as u8;
            }
            let cut = bytes.len() - (next() % 8) as usize;
            // Whatever the damage, the reader answers: text (a byte that did not matter) or an error.
            let _ = decode(&bytes[..cut]);
        }
    }
}
