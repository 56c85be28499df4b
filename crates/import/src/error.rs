//! The one error type of the importers, and the small helpers every reader
//! uses to produce it: a size-capped file opener and the translation of CSV
//! failures into messages that name the file and the line.
//!
//! Every message says where the problem is (file, 1-based line as an editor
//! shows it, column) so that a person can open the file and fix it.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

/// Why an import failed.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{file}: cannot read the file: {source}")]
    Io {
        file: String,
        #[source]
        source: io::Error,
    },

    #[error("{file}: the header row has no \"{column}\" column; check that this is the right file")]
    MissingColumn { file: String, column: String },

    #[error("{file} line {line}, field \"{field}\": {message}")]
    Row {
        file: String,
        line: u64,
        field: String,
        message: String,
    },

    #[error(
        "{file} is larger than {limit_bytes} bytes, the most this importer reads; check that this is the right file"
    )]
    TooLarge { file: String, limit_bytes: u64 },

    #[error("{file} line {line}: not a valid CSV row: {message}")]
    Csv {
        file: String,
        line: u64,
        message: String,
    },

    #[error("{file} is not a Project Gutenberg text: {message}")]
    NotGutenberg { file: String, message: String },

    #[error("{file} is not a usable EPUB: {message}")]
    NotEpub { file: String, message: String },

    /// A book's text or an EPUB refused by `quire-text` (its message names
    /// the file and the place).
    #[error(transparent)]
    Text(#[from] quire_text::TextError),

    /// A text read from `file` that storage refused (over its bounds) or
    /// could not save; nothing of it was kept.
    #[error("{file}: {source}")]
    Attach {
        file: String,
        #[source]
        source: quire_storage::texts::AttachError,
    },
}

impl ImportError {
    pub(crate) fn row(
        file: &str,
        line: u64,
        field: &str,
        message: impl Into<String>,
    ) -> ImportError {
        ImportError::Row {
            file: file.to_string(),
            line,
            field: field.to_string(),
            message: message.into(),
        }
    }

    pub(crate) fn io(file: &str, source: io::Error) -> ImportError {
        ImportError::Io {
            file: file.to_string(),
            source,
        }
    }
}

/// The name used for a path in messages: the path as the caller gave it.
pub(crate) fn display_name(path: &Path) -> String {
    path.display().to_string()
}

/// A reader that fails with [`io::ErrorKind::FileTooLarge`] once more than
/// `limit` bytes have come through, so that an upload of unknown size can be
/// streamed without trusting it.
pub(crate) struct Capped<R> {
    inner: R,
    remaining: u64,
}

impl<R: Read> Capped<R> {
    pub(crate) fn new(inner: R, limit: u64) -> Self {
        Capped {
            inner,
            remaining: limit,
        }
    }
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.remaining == 0 {
            // At the limit: the input is acceptable only if it ends here.
            let mut probe = [0u8; 1];
            return match self.inner.read(&mut probe)? {
                0 => Ok(0),
                _ => Err(io::Error::from(io::ErrorKind::FileTooLarge)),
            };
        }
        let want = buf
            .len()
            .min(usize::try_from(self.remaining).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        self.remaining = self.remaining.saturating_sub(n as u64);
        Ok(n)
    }
}

/// Open a file for reading, refusing it up front when it is over `limit`
/// bytes; the returned reader also stops at the limit in case the file grows.
pub(crate) fn open_capped(path: &Path, limit: u64) -> Result<Capped<File>, ImportError> {
    let name = display_name(path);
    let file = File::open(path).map_err(|e| ImportError::io(&name, e))?;
    let len = file
        .metadata()
        .map_err(|e| ImportError::io(&name, e))?
        .len();
    if len > limit {
        return Err(ImportError::TooLarge {
            file: name,
            limit_bytes: limit,
        });
    }
    Ok(Capped::new(file, limit))
}

/// Turn an IO failure met while reading `file` into an [`ImportError`],
/// recognising the size cap of [`Capped`].
pub(crate) fn from_io(file: &str, err: io::Error, limit: u64) -> ImportError {
    if err.kind() == io::ErrorKind::FileTooLarge {
        ImportError::TooLarge {
            file: file.to_string(),
            limit_bytes: limit,
        }
    } else {
        ImportError::io(file, err)
    }
}

/// Turn a CSV failure into an [`ImportError`]. `fallback_line` is used when
/// the CSV reader does not know the position (the line after the last
/// record read).
/// Read the next record of `rdr` into `rec` and give its line (1-based, as
/// an editor shows it); `None` at the end of the file. `last_line` carries
/// the line of the previous record, for errors that have no position.
pub(crate) fn next_record<R: std::io::Read>(
    rdr: &mut csv::Reader<R>,
    rec: &mut csv::StringRecord,
    file: &str,
    last_line: &mut u64,
    limit: u64,
) -> Result<Option<u64>, ImportError> {
    match rdr.read_record(rec) {
        Ok(true) => {
            let line = rec.position().map_or(*last_line + 1, |p| p.line());
            *last_line = line;
            Ok(Some(line))
        }
        Ok(false) => Ok(None),
        Err(e) => Err(from_csv(file, e, *last_line + 1, limit)),
    }
}

pub(crate) fn from_csv(file: &str, err: csv::Error, fallback_line: u64, limit: u64) -> ImportError {
    let line = err.position().map_or(fallback_line, |p| p.line());
    match err.into_kind() {
        csv::ErrorKind::Io(e) => from_io(file, e, limit),
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => ImportError::Csv {
            file: file.to_string(),
            line,
            message: format!("the row has {len} fields but the header has {expected_len}"),
        },
        csv::ErrorKind::Utf8 { err, .. } => ImportError::Csv {
            file: file.to_string(),
            line,
            message: format!(
                "field {} is not valid UTF-8 text; save the file as UTF-8",
                err.field() + 1
            ),
        },
        other => ImportError::Csv {
            file: file.to_string(),
            line,
            message: format!("{other:?}"),
        },
    }
}

/// Trim a field and check that it is at most `max` characters long.
pub(crate) fn bounded<'a>(
    file: &str,
    line: u64,
    field: &str,
    value: &'a str,
    max: usize,
) -> Result<&'a str, ImportError> {
    let value = value.trim();
    // Byte length bounds character count from above, so most fields skip the count.
    if value.len() > max {
        let chars = value.chars().count();
        if chars > max {
            return Err(ImportError::row(
                file,
                line,
                field,
                format!("the text is {chars} characters long; the limit is {max}"),
            ));
        }
    }
    Ok(value)
}

/// Find each wanted column in a header row by name (case and surrounding
/// space ignored). Required columns that are absent are an error naming the
/// first one missing; optional ones come back as `None`.
pub(crate) fn find_columns<const N: usize>(
    file: &str,
    header: &csv::StringRecord,
    wanted: [(&str, bool); N],
) -> Result<[Option<usize>; N], ImportError> {
    let names: Vec<String> = header
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').trim().to_lowercase())
        .collect();
    let mut out = [None; N];
    for (slot, (name, required)) in out.iter_mut().zip(wanted) {
        let lower = name.to_lowercase();
        *slot = names.iter().position(|h| *h == lower);
        if slot.is_none() && required {
            return Err(ImportError::MissingColumn {
                file: file.to_string(),
                column: name.to_string(),
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_file_line_and_field() {
        let e = ImportError::row("books.csv", 12, "isbn", "\"12\" is too short");
        assert_eq!(
            e.to_string(),
            "books.csv line 12, field \"isbn\": \"12\" is too short"
        );
        let e = ImportError::MissingColumn {
            file: "x.csv".into(),
            column: "Title".into(),
        };
        assert!(e.to_string().contains("no \"Title\" column"));
    }

    #[test]
    fn capped_reader_stops_at_the_limit() {
        let mut ok = Capped::new(&b"12345"[..], 5);
        let mut s = String::new();
        ok.read_to_string(&mut s).unwrap();
        assert_eq!(s, "12345");

        let mut over = Capped::new(&b"123456"[..], 5);
        let err = over.read_to_string(&mut String::new()).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::FileTooLarge);
        assert!(matches!(
            from_io("f", err, 5),
            ImportError::TooLarge { limit_bytes: 5, .. }
        ));
    }

    #[test]
    fn columns_are_found_by_name() {
        let header = csv::StringRecord::from(vec!["\u{feff}A", " b ", "C"]);
        let cols = find_columns("f", &header, [("a", true), ("B", true), ("d", false)]).unwrap();
        assert_eq!(cols, [Some(0), Some(1), None]);
        let err = find_columns("f", &header, [("d", true)]).unwrap_err();
        assert!(matches!(err, ImportError::MissingColumn { column, .. } if column == "d"));
    }
}
