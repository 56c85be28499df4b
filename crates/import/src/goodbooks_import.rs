//! `quire import goodbooks DIR`: a goodbooks-shaped folder (`books.csv`,
//! `tags.csv` + `book_tags.csv`, `ratings.csv`, `to_read.csv`) into the
//! catalog for real, at any size.
//!
//! Books become works through the catalog's one-work-per-book matching
//! (`catalog::import_works`: by id, outside identifier, ISBN, then title
//! and first author), each with its goodbooks and Goodreads identifiers and
//! its shelves as subjects. Readers become accounts that cannot sign in,
//! as the demo's do (`goodbooks-17`); their ratings go to the works their
//! books became (and, when asked, a rated book that is on none of their
//! shelves goes on "read"), and their to-read rows become their queue in
//! file order.
//!
//! Ratings and to-read rows are read as a stream, in batches, and handed
//! to `storage::bulk`, which keeps each as a dozen bytes (about 70 MB for
//! 6 million ratings) to sort them before writing. A row that cannot
//! be read (not a number, a rating outside 1–5, a book not in books.csv,
//! the wrong number of fields) is skipped and reported with its line; the
//! rest load. Ratings, readings and queues are one transaction: an import
//! that fails half-way keeps nothing of them, and running it again adds
//! nothing. Ids derive from the data set's numbers (as the demo's do), so
//! `quire import goodbooks` of the real data after `quire demo` matches
//! every book and reader.

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};

use quire_domain::{Rating, UserId, WorkId};
use quire_storage::bulk::RatingsLoad;
use quire_storage::catalog::{self, NewWork};
use quire_storage::{Db, StorageError};

use crate::error::{ImportError, display_name, find_columns, from_csv, open_capped};
use crate::goodbooks::{self, GoodbooksBook};

/// The largest `ratings.csv` or `to_read.csv` read (6 million ratings are
/// about 70 MB; the cap only refuses the wrong file).
pub const MAX_ROWS_BYTES: u64 = 4 * 1024 * 1024 * 1024;

/// Rows staged at a time.
const BATCH: usize = 50_000;

/// Skipped rows kept with their reasons; beyond these only counted.
pub const MAX_SKIPS_LISTED: usize = 200;

#[derive(Debug, thiserror::Error)]
pub enum GoodbooksImportError {
    #[error(transparent)]
    Read(#[from] ImportError),
    #[error("saving the import failed (nothing of the ratings and to-read lists was kept): {0}")]
    Storage(#[from] StorageError),
    #[error("{0} is missing: a goodbooks folder has at least books.csv")]
    Missing(String),
}

/// A row left out, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    pub file: String,
    pub line: u64,
    pub reason: String,
}

/// What an import did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GoodbooksReport {
    pub books: u64,
    /// Works added to the catalog.
    pub works_created: u64,
    /// Books that joined a work the catalog had (a second run matches all).
    pub works_matched: u64,
    /// Rating rows read, and ratings added (a reader's existing rating of a
    /// book is kept).
    pub rating_rows: u64,
    pub ratings_added: u64,
    pub to_read_rows: u64,
    pub queued_added: u64,
    /// Readers seen, and accounts created for them.
    pub readers: u64,
    pub readers_created: u64,
    /// Rated books put on "read".
    pub readings_added: u64,
    pub skipped_total: u64,
    /// The first [`MAX_SKIPS_LISTED`] skipped rows.
    pub skipped: Vec<Skipped>,
    pub seconds: f64,
}

impl GoodbooksReport {
    fn skip(&mut self, file: &str, line: u64, reason: String) {
        self.skipped_total += 1;
        if self.skipped.len() < MAX_SKIPS_LISTED {
            self.skipped.push(Skipped {
                file: file.to_string(),
                line,
                reason,
            });
        }
    }
}

/// Where the import is, for a progress bar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Works written so far of all books.
    Books,
    /// Bytes of ratings.csv and to_read.csv read so far of their sizes.
    Rows,
    /// Moving the staged rows into place and recomputing totals.
    Finishing,
}

/// The files of a goodbooks-shaped folder.
#[derive(Clone, Debug)]
pub struct GoodbooksFolder {
    pub books: PathBuf,
    pub tags: PathBuf,
    pub book_tags: PathBuf,
    pub ratings: PathBuf,
    pub to_read: PathBuf,
}

impl GoodbooksFolder {
    /// The usual names; `toread.csv` is accepted for `to_read.csv`.
    pub fn in_folder(dir: &Path) -> Self {
        let to_read = if !dir.join("to_read.csv").exists() && dir.join("toread.csv").exists() {
            dir.join("toread.csv")
        } else {
            dir.join("to_read.csv")
        };
        Self {
            books: dir.join("books.csv"),
            tags: dir.join("tags.csv"),
            book_tags: dir.join("book_tags.csv"),
            ratings: dir.join("ratings.csv"),
            to_read,
        }
    }
}

/// Import a goodbooks-shaped folder. `shelve_read` also puts each rated
/// book that is on none of its reader's shelves on "read" (as rating one
/// book on its page does, and as the demo does); it costs a second pass
/// over the ratings. `progress(stage, done, total)` is called as it goes.
pub async fn import(
    db: &Db,
    folder: &GoodbooksFolder,
    shelve_read: bool,
    mut progress: impl FnMut(Stage, u64, u64),
) -> Result<GoodbooksReport, GoodbooksImportError> {
    let started = std::time::Instant::now();
    if !folder.books.exists() {
        return Err(GoodbooksImportError::Missing(display_name(&folder.books)));
    }
    let mut report = GoodbooksReport::default();
    let books = goodbooks::read_books(&folder.books)?;
    let tags = if folder.tags.exists() && folder.book_tags.exists() {
        goodbooks::read_tags(&folder.tags, &folder.book_tags, 6)?
    } else {
        HashMap::new()
    };
    report.books = books.len() as u64;

    // Works first, in their own transactions (matching needs the catalog
    // as it is).
    let mut placed: Vec<(u64, WorkId)> = Vec::with_capacity(books.len());
    for chunk in books.chunks(500) {
        let works: Vec<NewWork> = chunk
            .iter()
            .map(|b| crate::demo::goodbooks_work(b, tags.get(&b.goodreads_book_id)))
            .collect();
        let done = catalog::import_works(db, &works).await?;
        report.works_created += done.added;
        report.works_matched += chunk.len() as u64 - done.added;
        placed.extend(chunk.iter().map(|b| u64::from(b.book_id)).zip(done.placed));
        progress(Stage::Books, placed.len() as u64, books.len() as u64);
    }
    let known: HashSet<u64> = books
        .iter()
        .map(|b: &GoodbooksBook| u64::from(b.book_id))
        .collect();

    let mut load = RatingsLoad::begin(db).await?;
    load.books(&placed);
    let total_bytes = [&folder.ratings, &folder.to_read]
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum::<u64>();
    let mut readers: HashSet<u64> = HashSet::new();
    let mut bytes_before = 0;
    if folder.ratings.exists() {
        let mut rows = Rows::open(&folder.ratings, &["user_id", "book_id", "rating"])?;
        let mut batch: Vec<(u64, u64, Rating)> = Vec::with_capacity(BATCH);
        let mut new_readers = Vec::new();
        while let Some(r) = rows.next_row(&mut report)? {
            let [user, book, stars] = [r[0], r[1], r[2]];
            let line = rows.line;
            let Some(rating) = (1..=5)
                .contains(&stars)
                .then(|| Rating::from_stars(stars as i64).ok())
                .flatten()
            else {
                report.skip(
                    &rows.file,
                    line,
                    format!("rating: {stars} is not a rating from 1 to 5 stars"),
                );
                continue;
            };
            if !known.contains(&book) {
                report.skip(
                    &rows.file,
                    line,
                    format!("book_id: book {book} is not in books.csv"),
                );
                continue;
            }
            report.rating_rows += 1;
            if readers.insert(user) {
                new_readers.push(user);
            }
            batch.push((user, book, rating));
            if batch.len() == BATCH {
                report.readers_created += add_readers(&mut load, &mut new_readers).await?;
                load.ratings(&batch);
                batch.clear();
                progress(Stage::Rows, rows.bytes(), total_bytes);
            }
        }
        report.readers_created += add_readers(&mut load, &mut new_readers).await?;
        load.ratings(&batch);
        bytes_before = rows.bytes();
        progress(Stage::Rows, bytes_before, total_bytes);
    }
    if folder.to_read.exists() {
        let mut rows = Rows::open(&folder.to_read, &["user_id", "book_id"])?;
        let mut batch: Vec<(u64, u64)> = Vec::with_capacity(BATCH);
        let mut new_readers = Vec::new();
        while let Some(r) = rows.next_row(&mut report)? {
            let (user, book) = (r[0], r[1]);
            if !known.contains(&book) {
                report.skip(
                    &rows.file,
                    rows.line,
                    format!("book_id: book {book} is not in books.csv"),
                );
                continue;
            }
            report.to_read_rows += 1;
            if readers.insert(user) {
                new_readers.push(user);
            }
            batch.push((user, book));
            if batch.len() == BATCH {
                report.readers_created += add_readers(&mut load, &mut new_readers).await?;
                load.to_read(&batch);
                batch.clear();
                progress(Stage::Rows, bytes_before + rows.bytes(), total_bytes);
            }
        }
        report.readers_created += add_readers(&mut load, &mut new_readers).await?;
        load.to_read(&batch);
    }
    report.readers = readers.len() as u64;
    progress(Stage::Finishing, 0, 1);
    let loaded = load.finish(shelve_read).await?;
    progress(Stage::Finishing, 1, 1);
    report.ratings_added = loaded.ratings;
    report.queued_added = loaded.queued;
    report.readings_added = loaded.readings;
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

/// The reader's account id: the demo's, so both agree on who is who.
pub fn reader_id(user: u64) -> UserId {
    UserId::derived("goodbooks-reader", &user.to_string())
}

async fn add_readers(load: &mut RatingsLoad, new: &mut Vec<u64>) -> Result<u64, StorageError> {
    if new.is_empty() {
        return Ok(0);
    }
    let rows: Vec<(u64, UserId, String, String, String)> = new
        .iter()
        .map(|&u| {
            (
                u,
                reader_id(u),
                format!("goodbooks-{u}"),
                format!("Goodbooks reader {u}"),
                "Reader imported from a goodbooks-10k-shaped data set.".to_string(),
            )
        })
        .collect();
    new.clear();
    load.demo_readers(&rows).await
}

/// A streamed CSV of small whole numbers, by column name; rows that are
/// not numbers are skipped (and reported), CSV damage and IO errors end
/// the import.
struct Rows {
    file: String,
    rdr: csv::Reader<Counted<crate::error::Capped<std::fs::File>>>,
    columns: Vec<usize>,
    rec: csv::ByteRecord,
    line: u64,
    width: usize,
    values: Vec<u64>,
    read: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl Rows {
    fn open(path: &Path, names: &[&str]) -> Result<Rows, ImportError> {
        let file = display_name(path);
        let read = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let input = Counted {
            inner: open_capped(path, MAX_ROWS_BYTES)?,
            read: read.clone(),
        };
        let mut rdr = csv::ReaderBuilder::new()
            .flexible(true)
            .buffer_capacity(1 << 16)
            .from_reader(input);
        let header = rdr
            .headers()
            .map_err(|e| from_csv(&file, e, 1, MAX_ROWS_BYTES))?
            .clone();
        let width = header.len();
        let mut columns = Vec::with_capacity(names.len());
        for name in names {
            let [c] = find_columns(&file, &header, [(name, true)])?;
            columns.push(c.unwrap_or(0));
        }
        Ok(Rows {
            file,
            rdr,
            columns,
            rec: csv::ByteRecord::new(),
            line: 1,
            width,
            values: Vec::new(),
            read,
        })
    }

    fn bytes(&self) -> u64 {
        self.read.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The next row's numbers, in the order of the names asked for.
    fn next_row(&mut self, report: &mut GoodbooksReport) -> Result<Option<&[u64]>, ImportError> {
        loop {
            match self.rdr.read_byte_record(&mut self.rec) {
                Ok(true) => {}
                Ok(false) => return Ok(None),
                Err(e) => return Err(from_csv(&self.file, e, self.line + 1, MAX_ROWS_BYTES)),
            }
            self.line = self.rec.position().map_or(self.line + 1, |p| p.line());
            if self.rec.len() != self.width {
                report.skip(
                    &self.file,
                    self.line,
                    format!(
                        "the row has {} fields but the header has {}",
                        self.rec.len(),
                        self.width
                    ),
                );
                continue;
            }
            self.values.clear();
            let mut bad = None;
            for &c in &self.columns {
                let field = self.rec.get(c).unwrap_or_default();
                match number(field) {
                    Some(n) => self.values.push(n),
                    None => {
                        bad = Some((c, field));
                        break;
                    }
                }
            }
            if let Some((c, field)) = bad {
                let shown: String = String::from_utf8_lossy(field).chars().take(40).collect();
                let name = self
                    .rdr
                    .byte_headers()
                    .ok()
                    .and_then(|h| h.get(c))
                    .map(|h| String::from_utf8_lossy(h).into_owned())
                    .unwrap_or_default();
                report.skip(
                    &self.file,
                    self.line,
                    format!("{name}: \"{shown}\" is not a whole number"),
                );
                continue;
            }
            return Ok(Some(&self.values));
        }
    }
}

/// A small unsigned number from CSV bytes, without allocating.
fn number(bytes: &[u8]) -> Option<u64> {
    let t = bytes.trim_ascii();
    if t.is_empty() || t.len() > 12 {
        return None;
    }
    t.iter().try_fold(0u64, |n, &b| {
        b.is_ascii_digit().then(|| n * 10 + u64::from(b - b'0'))
    })
}

/// Counts the bytes read, for the progress bar.
struct Counted<R> {
    inner: R,
    read: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read
            .fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
        Ok(n)
    }
}
