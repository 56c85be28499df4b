//! `quire import openlibrary FILE…`: Open Library dump lines into the
//! catalog. A dump line is `type TAB key TAB revision TAB last_modified
//! TAB json`; files are plain text or gzip (told by their first bytes), of
//! any size, read line by line.
//!
//! Authors are read first (whatever the order of the files given: each
//! file is sorted by the type of its first record), then works, then
//! editions, so a work can name its authors and an edition its work.
//! Authors become the contributors credited on works and editions; a work
//! keeps its Open Library key as an outside identifier ("openlibrary",
//! "/works/OL…W") and its id derives from that key, so a second run finds
//! every work again. An edition joins the work it names (by that
//! identifier); without one (or
//! when that work is not in the catalog) it is matched like any import, by
//! ISBN, then by normalised title and first author, and otherwise becomes
//! a work of its own.
//!
//! Bounded: a line longer than [`MAX_LINE_BYTES`] is skipped without being
//! held, the author names kept are capped at [`MAX_AUTHORS`], and writes go
//! in batches. Lines that cannot be used (not five columns, bad JSON, an
//! unknown type, no title) are skipped and reported with file and line.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use quire_domain::{EditionId, Format, Isbn10, Isbn13, PubDate, WorkId};
use quire_storage::catalog::{self, NewCredit, NewEdition, NewWork};
use quire_storage::{Db, StorageError};
use serde::Deserialize;

use crate::error::display_name;

/// The longest line read; longer ones are skipped (real records are a few
/// kilobytes; the largest works with every subject stay under 200 KB).
pub const MAX_LINE_BYTES: usize = 1024 * 1024;
/// Author names kept in memory for crediting (about 100 bytes each).
pub const MAX_AUTHORS: usize = 2_000_000;
/// Skipped lines listed with their reasons; beyond these only counted.
pub const MAX_SKIPS_LISTED: usize = 200;
/// Works written per transaction.
const BATCH: usize = 500;

#[derive(Debug, thiserror::Error)]
pub enum OpenLibraryError {
    #[error("{file}: cannot read the file: {source}")]
    Io {
        file: String,
        #[source]
        source: std::io::Error,
    },
    #[error("saving the records failed: {0}")]
    Storage(#[from] StorageError),
}

/// A line left out, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkippedLine {
    pub file: String,
    pub line: u64,
    pub reason: String,
}

/// What an import did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OpenLibraryReport {
    pub lines: u64,
    pub authors: u64,
    /// Work and edition records read.
    pub works: u64,
    pub editions: u64,
    /// Works added to the catalog (from work lines, or from edition lines
    /// whose work was not there).
    pub works_created: u64,
    /// Work and edition records that joined a work the catalog had (a
    /// second run matches all of them).
    pub records_matched: u64,
    pub skipped_total: u64,
    pub skipped: Vec<SkippedLine>,
    /// Authors named by a record but not found among the author lines.
    pub unknown_authors: u64,
}

impl OpenLibraryReport {
    fn skip(&mut self, file: &str, line: u64, reason: impl Into<String>) {
        self.skipped_total += 1;
        if self.skipped.len() < MAX_SKIPS_LISTED {
            self.skipped.push(SkippedLine {
                file: file.to_string(),
                line,
                reason: reason.into(),
            });
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Author,
    Work,
    Edition,
    Other,
}

fn kind_of(t: &str) -> Kind {
    match t {
        "/type/author" => Kind::Author,
        "/type/work" => Kind::Work,
        "/type/edition" => Kind::Edition,
        _ => Kind::Other,
    }
}

/// Open a dump file, inflating it when it starts as gzip does.
fn open(path: &Path) -> Result<Box<dyn BufRead>, OpenLibraryError> {
    let io = |source| OpenLibraryError::Io {
        file: display_name(path),
        source,
    };
    let mut file = BufReader::with_capacity(1 << 16, File::open(path).map_err(io)?);
    let gzip = file.fill_buf().map_err(io)?.starts_with(&[0x1f, 0x8b]);
    Ok(if gzip {
        Box::new(BufReader::with_capacity(
            1 << 16,
            flate2::bufread::MultiGzDecoder::new(file),
        ))
    } else {
        Box::new(file)
    })
}

/// Read the next line into `buf` (without its line end), up to
/// [`MAX_LINE_BYTES`]; the rest of a longer line is read past without
/// being kept. `None` at the end; `Some(false)` for an over-long line.
fn next_line(input: &mut dyn BufRead, buf: &mut Vec<u8>) -> std::io::Result<Option<bool>> {
    buf.clear();
    let mut too_long = false;
    let mut any = false;
    loop {
        let chunk = input.fill_buf()?;
        if chunk.is_empty() {
            return Ok(any.then_some(!too_long));
        }
        any = true;
        let (take, done) = match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => (i, true),
            None => (chunk.len(), false),
        };
        if !too_long {
            if buf.len() + take > MAX_LINE_BYTES {
                too_long = true;
                buf.clear();
            } else {
                buf.extend_from_slice(&chunk[..take]);
            }
        }
        input.consume(if done { take + 1 } else { take });
        if done {
            if buf.last() == Some(&b'\r') {
                buf.pop();
            }
            return Ok(Some(!too_long));
        }
    }
}

/// The first record's kind, to order the files.
fn first_kind(path: &Path) -> Result<Kind, OpenLibraryError> {
    let mut input = open(path)?;
    let mut buf = Vec::new();
    while let Some(ok) =
        next_line(&mut *input, &mut buf).map_err(|source| OpenLibraryError::Io {
            file: display_name(path),
            source,
        })?
    {
        if ok && !buf.is_empty() {
            let t = buf.split(|&b| b == b'\t').next().unwrap_or_default();
            return Ok(kind_of(&String::from_utf8_lossy(t)));
        }
    }
    Ok(Kind::Other)
}

#[derive(Deserialize)]
struct KeyRef {
    key: String,
}

#[derive(Deserialize)]
struct WorkAuthor {
    author: Option<KeyRef>,
}

#[derive(Deserialize)]
struct AuthorRecord {
    name: Option<String>,
}

#[derive(Deserialize)]
struct WorkRecord {
    title: Option<String>,
    subtitle: Option<String>,
    #[serde(default)]
    authors: Vec<WorkAuthor>,
    first_publish_date: Option<String>,
    #[serde(default)]
    subjects: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
struct EditionRecord {
    title: Option<String>,
    subtitle: Option<String>,
    #[serde(default)]
    authors: Vec<KeyRef>,
    #[serde(default)]
    works: Vec<KeyRef>,
    #[serde(default)]
    isbn_13: Vec<String>,
    #[serde(default)]
    isbn_10: Vec<String>,
    number_of_pages: Option<serde_json::Value>,
    #[serde(default)]
    publishers: Vec<String>,
    publish_date: Option<String>,
    physical_format: Option<String>,
    #[serde(default)]
    languages: Vec<KeyRef>,
}

/// A year in a free-form date ("1966", "March 1963", "c1920").
fn year_in(text: &str) -> Option<PubDate> {
    let digits: Vec<&str> = text
        .split(|c: char| !c.is_ascii_digit())
        .filter(|w| w.len() == 4)
        .collect();
    digits
        .first()
        .and_then(|y| y.parse::<i32>().ok())
        .and_then(PubDate::known_year)
}

/// Open Library's MARC language codes, as the two-letter codes the
/// catalog uses where one exists.
fn language(key: &str) -> Option<String> {
    let code = key.rsplit('/').next()?.trim();
    if code.is_empty() || code.len() > 8 {
        return None;
    }
    let two = match code {
        "eng" => "en",
        "fre" | "fra" => "fr",
        "ger" | "deu" => "de",
        "spa" => "es",
        "ita" => "it",
        "por" => "pt",
        "rus" => "ru",
        "jpn" => "ja",
        "chi" | "zho" => "zh",
        "dut" | "nld" => "nl",
        "swe" => "sv",
        "pol" => "pl",
        "ara" => "ar",
        "hin" => "hi",
        "lat" => "la",
        "gre" | "ell" => "el",
        other => other,
    };
    Some(two.to_string())
}

fn clean(s: Option<String>) -> Option<String> {
    s.map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|t| !t.is_empty())
        .map(|t| t.chars().take(1000).collect())
}

/// State across files.
struct Run<'a> {
    db: &'a Db,
    report: OpenLibraryReport,
    authors: HashMap<String, String>,
    works: Vec<NewWork>,
}

impl Run<'_> {
    fn credits(&mut self, keys: impl Iterator<Item = String>) -> Vec<NewCredit> {
        let mut out = Vec::new();
        for k in keys {
            match self.authors.get(&k) {
                Some(name) => out.push(NewCredit::author(name.clone())),
                None => self.report.unknown_authors += 1,
            }
        }
        out
    }

    async fn flush(&mut self) -> Result<(), StorageError> {
        if self.works.is_empty() {
            return Ok(());
        }
        let done = catalog::import_works(self.db, &self.works).await?;
        self.report.works_created += done.added;
        self.report.records_matched += self.works.len() as u64 - done.added;
        self.works.clear();
        Ok(())
    }

    fn line(&mut self, file: &str, line: u64, kind: Kind, key: &str, json: &[u8]) {
        match kind {
            Kind::Author => match serde_json::from_slice::<AuthorRecord>(json) {
                Ok(a) => {
                    self.report.authors += 1;
                    if let Some(name) = clean(a.name) {
                        if self.authors.len() < MAX_AUTHORS || self.authors.contains_key(key) {
                            self.authors.insert(key.to_string(), name);
                        }
                    } else {
                        self.report.skip(file, line, "the author has no name");
                    }
                }
                Err(e) => self
                    .report
                    .skip(file, line, format!("not a valid author record: {e}")),
            },
            Kind::Work => match serde_json::from_slice::<WorkRecord>(json) {
                Ok(w) => {
                    let Some(title) = clean(w.title) else {
                        self.report.skip(file, line, "the work has no title");
                        return;
                    };
                    self.report.works += 1;
                    let mut work = NewWork::new(WorkId::derived("openlibrary", key), &title);
                    work.subtitle = clean(w.subtitle);
                    work.first_published = w.first_publish_date.as_deref().and_then(year_in);
                    work.credits = self.credits(
                        w.authors
                            .into_iter()
                            .filter_map(|a| a.author.map(|k| k.key)),
                    );
                    let subjects: Vec<String> = w
                        .subjects
                        .iter()
                        .filter_map(|s| s.as_str())
                        .filter(|s| !s.is_empty() && s.len() <= 100)
                        .take(6)
                        .map(str::to_string)
                        .collect();
                    let n = subjects.len() as i64;
                    work.subjects = subjects
                        .into_iter()
                        .enumerate()
                        .map(|(i, s)| (s, n - i as i64))
                        .collect();
                    work.identifiers = vec![("openlibrary".into(), key.to_string())];
                    self.works.push(work);
                }
                Err(e) => self
                    .report
                    .skip(file, line, format!("not a valid work record: {e}")),
            },
            Kind::Edition => match serde_json::from_slice::<EditionRecord>(json) {
                Ok(e) => {
                    let Some(title) = clean(e.title) else {
                        self.report.skip(file, line, "the edition has no title");
                        return;
                    };
                    self.report.editions += 1;
                    let isbn = e
                        .isbn_13
                        .iter()
                        .find_map(|i| Isbn13::parse(i).ok())
                        .or_else(|| {
                            e.isbn_10
                                .iter()
                                .find_map(|i| Isbn10::parse(i).ok().map(|i| i.to_isbn13()))
                        });
                    let format = e
                        .physical_format
                        .as_deref()
                        .map_or(Format::Other, Format::from_binding);
                    let mut ed =
                        NewEdition::new(EditionId::derived("openlibrary", key), &title, format);
                    ed.subtitle = clean(e.subtitle);
                    ed.isbn13 = isbn;
                    ed.pages = e
                        .number_of_pages
                        .as_ref()
                        .and_then(serde_json::Value::as_u64)
                        .and_then(|p| u32::try_from(p).ok())
                        .filter(|p| (1..100_000).contains(p));
                    ed.publisher = clean(e.publishers.into_iter().next());
                    ed.published = e.publish_date.as_deref().and_then(year_in);
                    ed.language = e.languages.first().and_then(|l| language(&l.key));
                    // The work it belongs to: by the work's key when the
                    // edition names one (the same id the work line gave).
                    // Its own id (not the work's: a work found by its id
                    // gains nothing), and the work's key as an identifier,
                    // which finds the work the work line made.
                    let work_key = e.works.first().map(|w| w.key.clone());
                    let id = WorkId::derived("openlibrary-edition", key);
                    let mut work = NewWork::new(id, &title);
                    work.subtitle = ed.subtitle.clone();
                    work.original_language = ed.language.clone();
                    work.credits = self.credits(e.authors.into_iter().map(|a| a.key));
                    if let Some(k) = work_key {
                        work.identifiers.push(("openlibrary".into(), k));
                    }
                    ed.is_primary = true;
                    work.editions.push(ed);
                    self.works.push(work);
                }
                Err(e) => self
                    .report
                    .skip(file, line, format!("not a valid edition record: {e}")),
            },
            Kind::Other => {}
        }
    }
}

/// Import dump files; `progress(lines_read)` is called as it goes.
pub async fn import(
    db: &Db,
    files: &[PathBuf],
    mut progress: impl FnMut(u64),
) -> Result<OpenLibraryReport, OpenLibraryError> {
    let mut ordered = Vec::with_capacity(files.len());
    for f in files {
        ordered.push((first_kind(f)?, f.clone()));
    }
    ordered.sort_by_key(|(k, _)| *k);
    let mut run = Run {
        db,
        report: OpenLibraryReport::default(),
        authors: HashMap::new(),
        works: Vec::with_capacity(BATCH),
    };
    let mut buf = Vec::new();
    for (_, path) in &ordered {
        let file = display_name(path);
        let mut input = open(path)?;
        let mut line = 0u64;
        loop {
            let got = next_line(&mut *input, &mut buf).map_err(|source| OpenLibraryError::Io {
                file: file.clone(),
                source,
            })?;
            let Some(ok) = got else { break };
            line += 1;
            run.report.lines += 1;
            if !ok {
                run.report.skip(
                    &file,
                    line,
                    format!("the line is longer than {MAX_LINE_BYTES} bytes"),
                );
                continue;
            }
            if buf.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let mut cols = buf.splitn(5, |&b| b == b'\t');
            let (Some(t), Some(key), Some(_rev), Some(_modified), Some(json)) = (
                cols.next(),
                cols.next(),
                cols.next(),
                cols.next(),
                cols.next(),
            ) else {
                run.report.skip(
                    &file,
                    line,
                    "not a dump line (type, key, revision, last modified and JSON, separated by tabs)",
                );
                continue;
            };
            let type_name = String::from_utf8_lossy(t).into_owned();
            let kind = kind_of(&type_name);
            if kind == Kind::Other {
                let shown: String = type_name.chars().take(60).collect();
                run.report
                    .skip(&file, line, format!("unknown record type \"{shown}\""));
                continue;
            }
            let key = String::from_utf8_lossy(key).into_owned();
            let json = json.to_vec();
            run.line(&file, line, kind, &key, &json);
            if run.works.len() >= BATCH {
                run.flush().await?;
            }
            if line.is_multiple_of(10_000) {
                progress(run.report.lines);
            }
        }
        // Works are written before the editions of the next file look for them.
        run.flush().await?;
        progress(run.report.lines);
    }
    run.flush().await?;
    Ok(run.report)
}

/// Read a file's lines the way [`import`] does (for tests of the bounds).
#[doc(hidden)]
pub fn count_lines(mut input: impl Read) -> std::io::Result<(u64, u64)> {
    let mut r = BufReader::new(&mut input);
    let mut buf = Vec::new();
    let (mut ok, mut long) = (0, 0);
    while let Some(good) = next_line(&mut r, &mut buf)? {
        if good {
            ok += 1;
        } else {
            long += 1;
        }
    }
    Ok((ok, long))
}
