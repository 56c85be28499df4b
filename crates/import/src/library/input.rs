//! The bytes of an uploaded library file, read as a stream under watch:
//! capped in size, checked to be UTF-8 as they pass (so a bad byte is
//! reported with its line and offset, and nothing is ever held whole), and
//! with the state needed at the end to tell a file that was cut short (an
//! open quoted field, a last line without its end).

use std::io::{self, Read};

/// What the watch saw, kept for the reader's error messages.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(super) struct Seen {
    /// Bytes passed on so far.
    pub bytes: u64,
    /// Line breaks passed on so far.
    pub lines: u64,
    /// An odd number of quote characters so far: inside a quoted field.
    pub in_quotes: bool,
    pub last: Option<u8>,
}

/// Why the stream stopped early (carried inside an `io::Error`).
#[derive(Debug)]
pub(super) enum Stop {
    TooLarge,
    /// Not UTF-8 at this 1-based line and 0-based byte offset of the file.
    NotUtf8 {
        line: u64,
        byte: u64,
    },
    /// A UTF-16 byte order mark at the start.
    Utf16,
}

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self:?}")
    }
}

impl std::error::Error for Stop {}

pub(super) struct Watched<R> {
    inner: R,
    limit: u64,
    /// Up to three bytes of a character split across two reads.
    pending: Vec<u8>,
    pub seen: Seen,
}

impl<R: Read> Watched<R> {
    pub(super) fn new(inner: R, limit: u64) -> Self {
        Watched {
            inner,
            limit,
            pending: Vec::new(),
            seen: Seen {
                lines: 0,
                ..Seen::default()
            },
        }
    }

    fn check(&mut self, chunk: &[u8]) -> io::Result<()> {
        // Validate what is pending plus the start of the new chunk, then
        // the rest, without copying the whole chunk.
        let mut start = 0;
        if self.seen.bytes == 0
            && (chunk.starts_with(&[0xFF, 0xFE]) || chunk.starts_with(&[0xFE, 0xFF]))
        {
            return Err(io::Error::new(io::ErrorKind::InvalidData, Stop::Utf16));
        }
        if !self.pending.is_empty() {
            let take = chunk.len().min(4);
            let mut joined = self.pending.clone();
            joined.extend_from_slice(&chunk[..take]);
            match std::str::from_utf8(&joined) {
                Ok(_) => {
                    start = take;
                }
                Err(e) if e.valid_up_to() >= self.pending.len() => {
                    start = e.valid_up_to() - self.pending.len();
                }
                Err(e) if e.error_len().is_none() && take == chunk.len() => {
                    self.pending = joined;
                    return Ok(());
                }
                Err(_) => {
                    let byte = self.seen.bytes - self.pending.len() as u64;
                    return Err(self.bad(byte));
                }
            }
            self.pending.clear();
        }
        let rest = &chunk[start..];
        if let Err(e) = std::str::from_utf8(rest) {
            let good = e.valid_up_to();
            if e.error_len().is_none() && rest.len() - good < 4 {
                self.pending.extend_from_slice(&rest[good..]);
            } else {
                let before = chunk.len() - rest.len() + good;
                let lines = chunk[..before].iter().filter(|b| **b == b'\n').count() as u64;
                self.seen.lines += lines;
                let err = self.bad(self.seen.bytes + before as u64);
                self.seen.lines -= lines;
                return Err(err);
            }
        }
        Ok(())
    }

    fn bad(&self, byte: u64) -> io::Error {
        io::Error::new(
            io::ErrorKind::InvalidData,
            Stop::NotUtf8 {
                line: self.seen.lines + 1,
                byte,
            },
        )
    }
}

impl<R: Read> Read for Watched<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let room = self.limit.saturating_sub(self.seen.bytes);
        if room == 0 {
            let mut probe = [0u8; 1];
            return match self.inner.read(&mut probe)? {
                0 => self.finish().map(|_| 0),
                _ => Err(io::Error::new(io::ErrorKind::FileTooLarge, Stop::TooLarge)),
            };
        }
        let want = buf.len().min(usize::try_from(room).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        if n == 0 {
            self.finish()?;
            return Ok(0);
        }
        let chunk = &buf[..n];
        self.check(chunk)?;
        self.seen.lines += chunk.iter().filter(|b| **b == b'\n').count() as u64;
        let quotes = chunk.iter().filter(|b| **b == b'"').count();
        self.seen.in_quotes ^= quotes % 2 == 1;
        self.seen.last = chunk.last().copied();
        self.seen.bytes += n as u64;
        Ok(n)
    }
}

impl<R: Read> Watched<R> {
    /// At the end of the input: a character cut in half is not UTF-8.
    fn finish(&mut self) -> io::Result<()> {
        if self.pending.is_empty() {
            Ok(())
        } else {
            let byte = self.seen.bytes - self.pending.len() as u64;
            Err(self.bad(byte))
        }
    }
}

/// The stop inside an IO error raised by [`Watched`], if it is one.
pub(super) fn stop_of(e: &io::Error) -> Option<&Stop> {
    e.get_ref().and_then(|inner| inner.downcast_ref::<Stop>())
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Trickle<'a>(&'a [u8], usize);
    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.1.min(self.0.len()).min(buf.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    fn run(bytes: &[u8], step: usize) -> Result<Seen, (u64, u64)> {
        let mut w = Watched::new(Trickle(bytes, step), 1 << 20);
        let mut out = Vec::new();
        match w.read_to_end(&mut out) {
            Ok(_) => Ok(w.seen),
            Err(e) => match stop_of(&e) {
                Some(Stop::NotUtf8 { line, byte }) => Err((*line, *byte)),
                _ => panic!("{e}"),
            },
        }
    }

    #[test]
    fn utf8_split_across_reads_is_fine_and_bad_bytes_are_placed() {
        let text = "a,b\n\"é\",ü€😀\n".as_bytes();
        for step in 1..6 {
            let seen = run(text, step).unwrap();
            assert_eq!(seen.lines, 2);
            assert!(!seen.in_quotes);
        }
        let bad = b"a,b\nok,fine\nx,caf\xe9\n";
        for step in 1..8 {
            assert_eq!(run(bad, step), Err((3, 17)), "step {step}");
        }
        // A character cut off by the end of the file.
        assert_eq!(run(b"ab\n\xe2\x82", 1), Err((2, 3)));
    }

    #[test]
    fn the_cap_stops_the_stream() {
        let mut w = Watched::new(io::repeat(b'a').take(100), 10);
        let e = w.read_to_end(&mut Vec::new()).unwrap_err();
        assert!(matches!(stop_of(&e), Some(Stop::TooLarge)));
    }
}
