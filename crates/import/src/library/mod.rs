//! A reader's library in and out: the exports of Goodreads, The StoryGraph,
//! BookWyrm and LibraryThing read into one [`Entry`] type, written into the
//! database for one reader ([`preview`], [`apply`]), and given back as
//! Goodreads or StoryGraph CSV ([`export`], [`write_goodreads`],
//! [`write_storygraph`]).
//!
//! Reading is by column name, streamed under a byte cap with UTF-8 checked
//! as the bytes pass. A bad row never stops the read: it becomes a
//! [`Skipped`] row with its line, field and reason, and a doubtful value
//! (an ISBN that fails its checksum, 3.75 stars) a [`Warning`]. Only
//! problems with the whole file are errors ([`LibraryError`]): too large,
//! not UTF-8, a row of thousands of columns, a file cut short, another
//! format than the one asked for.

mod apply;
mod bookwyrm;
mod export;
mod goodreads;
mod input;
mod librarything;
mod row;
mod storygraph;

pub use apply::{Keep, Outcome, Planned, PreviewRow, Progress, Report, RowReport, apply, preview};
pub use export::{GOODREADS_HEADER, STORYGRAPH_HEADER, export, write_goodreads, write_storygraph};
pub use goodreads::review_text;

use crate::goodbooks::SeriesRef;
use input::{Stop, Watched, stop_of};
use quire_domain::{Format as BookFormat, Isbn13, Rating};
use quire_storage::library::LibrarySource;
use row::{Columns, Row};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use time::Date;

/// The largest file accepted. A library of 10,000 books with long reviews
/// is about 15 MB.
pub const MAX_FILE_BYTES: u64 = 20 * 1024 * 1024;
/// The longest field accepted other than a review, in characters.
pub const MAX_FIELD_CHARS: usize = 4_000;
/// More columns than any export has; a row with more is not an export.
pub const MAX_COLUMNS: usize = 200;

/// The kinds of library export Quire reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    Goodreads,
    StoryGraph,
    BookWyrm,
    LibraryThing,
}

impl Format {
    pub const ALL: [Format; 4] = [
        Format::Goodreads,
        Format::StoryGraph,
        Format::BookWyrm,
        Format::LibraryThing,
    ];

    /// The name a person knows it by.
    pub fn label(self) -> &'static str {
        match self {
            Format::Goodreads => "Goodreads",
            Format::StoryGraph => "StoryGraph",
            Format::BookWyrm => "BookWyrm",
            Format::LibraryThing => "LibraryThing",
        }
    }

    /// The word on the command line and in URLs.
    pub fn key(self) -> &'static str {
        self.source().as_str()
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|f| f.key().eq_ignore_ascii_case(s.trim()))
    }

    pub fn source(self) -> LibrarySource {
        match self {
            Format::Goodreads => LibrarySource::Goodreads,
            Format::StoryGraph => LibrarySource::StoryGraph,
            Format::BookWyrm => LibrarySource::BookWyrm,
            Format::LibraryThing => LibrarySource::LibraryThing,
        }
    }

    /// The columns that together say a header row is this format's.
    fn signature(self) -> &'static [&'static str] {
        match self {
            Format::Goodreads => &["book id", "title", "author", "exclusive shelf", "my rating"],
            Format::StoryGraph => &["title", "authors", "isbn/uid", "star rating"],
            Format::BookWyrm => &["title", "author_text", "remote_id", "shelf"],
            Format::LibraryThing => &["book id", "title", "primary author", "collections"],
        }
    }

    /// Which export a header row (its cells) is, if any.
    pub fn sniff<S: AsRef<str>>(header: &[S]) -> Option<Format> {
        let names: Vec<String> = header.iter().map(|h| row::column_key(h.as_ref())).collect();
        Self::ALL.into_iter().find(|f| {
            f.signature().iter().all(|c| {
                names.iter().any(|n| n == c)
                    || (*c == "read status" && names.iter().any(|n| n == "readstatus"))
            })
        })
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// Where a book stands for the reader: Goodreads' exclusive shelf,
/// StoryGraph's and BookWyrm's read status.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Status {
    Read,
    ToRead,
    CurrentlyReading,
    /// "dropped", "did-not-finish", "dnf", "abandoned", BookWyrm's
    /// "stopped-reading".
    DidNotFinish,
    /// Any other shelf a reader named (kept as a shelf of that name).
    Other(String),
}

impl Status {
    pub fn parse(name: &str) -> Self {
        let name = name.trim();
        match name.to_lowercase().replace(['_', ' '], "-").as_str() {
            "read" => Status::Read,
            "to-read" | "want-to-read" | "toread" => Status::ToRead,
            "currently-reading" | "reading" | "current" => Status::CurrentlyReading,
            "dropped" | "did-not-finish" | "dnf" | "abandoned" | "stopped-reading" => {
                Status::DidNotFinish
            }
            _ => Status::Other(name.to_string()),
        }
    }

    /// The Goodreads shelf name (and StoryGraph read status).
    pub fn shelf_name(&self) -> &str {
        match self {
            Status::Read => "read",
            Status::ToRead => "to-read",
            Status::CurrentlyReading => "currently-reading",
            Status::DidNotFinish => "did-not-finish",
            Status::Other(n) => n,
        }
    }
}

/// One reading with what the file says of its dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ReadDates {
    pub started: Option<Date>,
    pub finished: Option<Date>,
}

/// What StoryGraph records that Quire has no place for yet: kept with the
/// imported row and written back by [`write_storygraph`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize)]
pub struct Extras {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub moods: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pace: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub character_or_plot: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strong_character_development: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loveable_characters: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diverse_characters: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flawed_characters: Option<String>,
    /// As written ("Graphic: Violence; Moderate: Grief").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_warnings: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_warning_description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owned: Option<bool>,
    /// Other contributors as StoryGraph lists them ("Name (Translator)").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contributors: Option<String>,
}

/// One book of a reader's library, from any of the formats.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// Where the row starts in the file (1-based, as an editor shows it).
    pub line: u64,
    /// The book's id in the file: Goodreads' Book Id, StoryGraph's
    /// ISBN/UID, BookWyrm's remote id, LibraryThing's Book Id ("" if none).
    pub source_id: String,
    /// The title without its series suffix.
    pub title: String,
    pub series: Option<SeriesRef>,
    /// The first is the primary author.
    pub authors: Vec<String>,
    pub isbn13: Option<Isbn13>,
    pub rating: Option<Rating>,
    pub publisher: Option<String>,
    pub format: Option<BookFormat>,
    pub pages: Option<u32>,
    pub year_published: Option<i32>,
    pub original_year: Option<i32>,
    pub status: Status,
    /// Readings with dates, oldest first. Goodreads gives only the last.
    pub reads: Vec<ReadDates>,
    pub date_added: Option<Date>,
    /// Times read, as the file counts them (0 when it does not say).
    pub read_count: u32,
    /// The reader's own shelves or tags.
    pub shelves: Vec<String>,
    /// The place in the want-to-read queue (Goodreads' `to-read (#6)`).
    pub queue_position: Option<u32>,
    /// Plain text with Markdown emphasis.
    pub review: Option<String>,
    pub spoiler: bool,
    pub extras: Extras,
}

impl Entry {
    pub fn first_author(&self) -> &str {
        self.authors.first().map_or("", String::as_str)
    }

    /// An entry with only its line: a read book with nothing known.
    pub fn blank(line: u64) -> Entry {
        Entry {
            line,
            source_id: String::new(),
            title: String::new(),
            series: None,
            authors: Vec::new(),
            isbn13: None,
            rating: None,
            publisher: None,
            format: None,
            pages: None,
            year_published: None,
            original_year: None,
            status: Status::Read,
            reads: Vec::new(),
            date_added: None,
            read_count: 0,
            shelves: Vec::new(),
            queue_position: None,
            review: None,
            spoiler: false,
            extras: Extras::default(),
        }
    }
}

/// A row left out, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub line: u64,
    pub field: String,
    pub reason: String,
}

impl std::fmt::Display for Skipped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.field.is_empty() {
            write!(f, "line {}: {}", self.line, self.reason)
        } else {
            write!(
                f,
                "line {}, field \"{}\": {}",
                self.line, self.field, self.reason
            )
        }
    }
}

/// A value left out or changed (the row itself was kept).
pub type Warning = Skipped;

/// A file read: its good rows, its skipped rows and its warnings.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    pub format: Format,
    /// The name used in messages.
    pub file: String,
    pub entries: Vec<Entry>,
    pub skipped: Vec<Skipped>,
    pub warnings: Vec<Warning>,
}

impl Parsed {
    /// Data rows in the file (good and skipped).
    pub fn rows(&self) -> usize {
        self.entries.len() + self.skipped.len()
    }
}

/// Why a whole file was refused. Nothing of it is written.
#[derive(Debug, thiserror::Error)]
pub enum LibraryError {
    #[error("{file}: cannot read the file: {source}")]
    Io {
        file: String,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{file} is larger than {limit_bytes} bytes, the most Quire reads from one export; check that this is the right file"
    )]
    TooLarge { file: String, limit_bytes: u64 },
    #[error(
        "{file} line {line} (byte {byte}) is not UTF-8 text{hint}; open the file in a spreadsheet or text editor and save it again as \"CSV UTF-8\""
    )]
    NotUtf8 {
        file: String,
        line: u64,
        byte: u64,
        hint: &'static str,
    },
    #[error("{file} is empty")]
    Empty { file: String },
    #[error(
        "{file} line {line} has {count} columns; an export has far fewer (at most {MAX_COLUMNS} are read), so this is not a library export"
    )]
    TooManyColumns {
        file: String,
        line: u64,
        count: usize,
    },
    #[error(
        "{file} ends in the middle of line {line}: the file looks cut short (an unfinished download or copy); export it again"
    )]
    Truncated { file: String, line: u64 },
    #[error("{file} line {line}: not a readable CSV row: {message}")]
    Csv {
        file: String,
        line: u64,
        message: String,
    },
    #[error(
        "{file} looks like a {found} export, not a {expected} one; choose {found} as the format, or pick the {expected} file"
    )]
    WrongFormat {
        file: String,
        expected: Format,
        found: Format,
    },
    #[error(
        "{file} is not a CSV library export: its first line has none of the column sets of Goodreads, StoryGraph, BookWyrm or LibraryThing exports{detail}"
    )]
    NotAnExport { file: String, detail: String },
    #[error(transparent)]
    Storage(#[from] quire_storage::StorageError),
}

/// Read a library export file of the given format.
pub fn read_file(path: &Path, format: Format) -> Result<Parsed, LibraryError> {
    let name = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|source| LibraryError::Io {
        file: name.clone(),
        source,
    })?;
    if let Ok(meta) = file.metadata()
        && meta.len() > MAX_FILE_BYTES
    {
        return Err(LibraryError::TooLarge {
            file: name,
            limit_bytes: MAX_FILE_BYTES,
        });
    }
    read(file, &name, Some(format))
}

/// Read a library export from any source (an upload, say). `expected`
/// `None` takes whichever format the header row shows; `Some` refuses a
/// file of another format. `file` is used in messages.
pub fn read(
    input: impl Read,
    file: &str,
    expected: Option<Format>,
) -> Result<Parsed, LibraryError> {
    let mut input = BufReader::with_capacity(64 * 1024, Watched::new(input, MAX_FILE_BYTES));
    let head = input.fill_buf().map_err(|e| io_error(file, e, 0))?;
    if head.is_empty() {
        return Err(LibraryError::Empty { file: file.into() });
    }
    let bom = if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
        3
    } else {
        0
    };
    let first_line = head[bom..]
        .split(|b| *b == b'\n')
        .next()
        .unwrap_or_default();
    let tabs = first_line.iter().filter(|b| **b == b'\t').count();
    let commas = first_line.iter().filter(|b| **b == b',').count();
    let delimiter = if tabs > commas { b'\t' } else { b',' };
    input.consume(bom);

    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        // LibraryThing's TSV does not quote.
        .quoting(delimiter == b',')
        .from_reader(input);
    let mut rec = csv::StringRecord::new();
    let mut last_line = 0;
    if !next(&mut rdr, &mut rec, file, &mut last_line)? {
        return Err(LibraryError::Empty { file: file.into() });
    }
    if rec.len() > MAX_COLUMNS {
        return Err(LibraryError::TooManyColumns {
            file: file.into(),
            line: 1,
            count: rec.len(),
        });
    }
    let header: Vec<String> = rec.iter().map(str::to_string).collect();
    let found = Format::sniff(&header);
    let format = match (found, expected) {
        (Some(found), Some(expected)) if found != expected => {
            return Err(LibraryError::WrongFormat {
                file: file.into(),
                expected,
                found,
            });
        }
        (Some(found), _) => found,
        (None, Some(expected)) => {
            let missing: Vec<&str> = expected
                .signature()
                .iter()
                .filter(|c| !header.iter().any(|h| row::column_key(h) == **c))
                .copied()
                .collect();
            return Err(LibraryError::NotAnExport {
                file: file.into(),
                detail: format!(
                    " (a {expected} export has the columns {})",
                    missing
                        .iter()
                        .map(|c| format!("\"{c}\""))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
        }
        (None, None) => {
            return Err(LibraryError::NotAnExport {
                file: file.into(),
                detail: String::new(),
            });
        }
    };
    let cols = Columns::new(&header);
    let mut out = Parsed {
        format,
        file: file.into(),
        entries: Vec::new(),
        skipped: Vec::new(),
        warnings: Vec::new(),
    };
    let mut last_len = header.len();
    while next(&mut rdr, &mut rec, file, &mut last_line)? {
        let line = last_line;
        last_len = rec.len();
        if rec.len() > MAX_COLUMNS {
            return Err(LibraryError::TooManyColumns {
                file: file.into(),
                line,
                count: rec.len(),
            });
        }
        if rec.len() == 1 && rec.get(0).is_some_and(|c| c.trim().is_empty()) {
            continue;
        }
        if rec.len() != header.len() {
            // A short last row may be a file cut short: decided below.
            out.skipped.push(Skipped {
                line,
                field: String::new(),
                reason: format!(
                    "the row has {} fields but the header has {}",
                    rec.len(),
                    header.len()
                ),
            });
            continue;
        }
        let mut r = Row::new(&cols, &rec, line);
        let parsed = match format {
            Format::Goodreads => goodreads::entry(&mut r),
            Format::StoryGraph => storygraph::entry(&mut r),
            Format::BookWyrm => bookwyrm::entry(&mut r),
            Format::LibraryThing => librarything::entry(&mut r),
        };
        match parsed {
            Ok(e) => {
                out.warnings.append(&mut r.warnings);
                out.entries.push(e);
            }
            Err(p) => out.skipped.push(Skipped {
                line,
                field: p.field,
                reason: p.reason,
            }),
        }
    }
    let seen = &rdr.get_ref().get_ref().seen;
    let unfinished_row = seen.last.is_some_and(|b| b != b'\n') && last_len < header.len();
    if (seen.in_quotes && delimiter == b',') || unfinished_row {
        return Err(LibraryError::Truncated {
            file: file.into(),
            line: last_line.max(1),
        });
    }
    Ok(out)
}

fn next<R: Read>(
    rdr: &mut csv::Reader<R>,
    rec: &mut csv::StringRecord,
    file: &str,
    last_line: &mut u64,
) -> Result<bool, LibraryError> {
    match rdr.read_record(rec) {
        Ok(true) => {
            *last_line = rec.position().map_or(*last_line + 1, |p| p.line());
            Ok(true)
        }
        Ok(false) => Ok(false),
        Err(e) => {
            let line = e.position().map_or(*last_line + 1, |p| p.line());
            Err(match e.into_kind() {
                csv::ErrorKind::Io(io) => io_error(file, io, line),
                csv::ErrorKind::Utf8 { err, .. } => LibraryError::NotUtf8 {
                    file: file.into(),
                    line,
                    byte: err.valid_up_to() as u64,
                    hint: "",
                },
                other => LibraryError::Csv {
                    file: file.into(),
                    line,
                    message: format!("{other:?}"),
                },
            })
        }
    }
}

fn io_error(file: &str, e: std::io::Error, _line: u64) -> LibraryError {
    match stop_of(&e) {
        Some(Stop::TooLarge) => LibraryError::TooLarge {
            file: file.into(),
            limit_bytes: MAX_FILE_BYTES,
        },
        Some(Stop::NotUtf8 { line, byte }) => LibraryError::NotUtf8 {
            file: file.into(),
            line: *line,
            byte: *byte,
            hint: "",
        },
        Some(Stop::Utf16) => LibraryError::NotUtf8 {
            file: file.into(),
            line: 1,
            byte: 0,
            hint: " (it is UTF-16)",
        },
        None => LibraryError::Io {
            file: file.into(),
            source: e,
        },
    }
}
