//! A parsed library into the database for one reader: [`preview`] (what
//! would happen to each row, nothing written) and [`apply`] (write it, in
//! batches of one transaction each, with a report of every row).
//!
//! Each row gets a stable id from the reader, the format and the row's
//! source key (its id in the file, or its title and author when it has
//! none), so a second run of the same file finds every row unchanged, and
//! a run stopped half-way is completed by running the file again.

use super::{Entry, Format, LibraryError, Parsed, Status, Warning};
use crate::goodbooks::SeriesRef;
use quire_domain::text::fold;
use quire_domain::{EditionId, Format as BookFormat, PubDate, ReadingStatus, UserId, WorkId};
use quire_storage::Db;
use quire_storage::catalog::{self, NewCredit, NewEdition, NewWork};
use quire_storage::library::{self as store, LibraryRow, RowDone, RowReading, RowReview};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// Rows written per transaction when good rows are kept.
const BATCH: usize = 500;

/// What to do when some rows were skipped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keep {
    /// Write the good rows; report the skipped ones.
    GoodRows,
    /// Write nothing unless every row is good (then in one transaction).
    AllOrNothing,
}

/// How far an [`apply`] has got, in rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    pub done: usize,
    pub total: usize,
}

/// What became of one row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// A new book was added to the catalog for it.
    Created,
    /// It joined a book the catalog had.
    Matched,
    /// It was imported before and has changed: rewritten.
    Updated,
    /// It was imported before, the same: nothing written.
    Unchanged,
    Skipped {
        field: String,
        reason: String,
    },
    /// A good row not written because the import was all-or-nothing and
    /// another row was skipped.
    NotWritten,
}

impl Outcome {
    pub fn label(&self) -> &'static str {
        match self {
            Outcome::Created => "created",
            Outcome::Matched => "matched",
            Outcome::Updated => "updated",
            Outcome::Unchanged => "unchanged",
            Outcome::Skipped { .. } => "skipped",
            Outcome::NotWritten => "not written",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowReport {
    pub line: u64,
    pub title: String,
    pub author: String,
    pub outcome: Outcome,
    /// The work the row is on, when written (or already there).
    pub work: Option<WorkId>,
}

/// Every row of a file and what became of it, in file order.
#[derive(Clone, Debug)]
pub struct Report {
    pub format: Format,
    pub file: String,
    pub rows: Vec<RowReport>,
    pub warnings: Vec<Warning>,
    /// False when nothing was written (all-or-nothing with skipped rows).
    pub written: bool,
}

impl Report {
    pub fn count(&self, label: &str) -> usize {
        self.rows
            .iter()
            .filter(|r| r.outcome.label() == label)
            .count()
    }

    /// "326 rows: 12 created, 300 matched, 0 updated, 10 unchanged, 4 skipped".
    pub fn summary(&self) -> String {
        let mut s = format!(
            "{} rows: {} created, {} matched, {} updated, {} unchanged, {} skipped",
            self.rows.len(),
            self.count("created"),
            self.count("matched"),
            self.count("updated"),
            self.count("unchanged"),
            self.count("skipped")
        );
        if !self.written {
            s.push_str(&format!(
                "; nothing was written ({} good rows held back because the import was all-or-nothing)",
                self.count("not written")
            ));
        }
        s
    }

    /// The per-row report as CSV: line, outcome, title, author, field,
    /// reason, work id.
    pub fn write_csv(&self, out: impl std::io::Write) -> std::io::Result<()> {
        let mut w = csv::Writer::from_writer(out);
        let io = |e: csv::Error| std::io::Error::other(e.to_string());
        w.write_record([
            "line", "outcome", "title", "author", "field", "reason", "work",
        ])
        .map_err(io)?;
        for r in &self.rows {
            let (field, reason) = match &r.outcome {
                Outcome::Skipped { field, reason } => (field.as_str(), reason.as_str()),
                _ => ("", ""),
            };
            let work = r.work.map(|w| w.0.to_string()).unwrap_or_default();
            w.write_record([
                r.line.to_string().as_str(),
                r.outcome.label(),
                &r.title,
                &r.author,
                field,
                reason,
                &work,
            ])
            .map_err(io)?;
        }
        w.flush()
    }
}

/// What [`preview`] says will happen to a row.
#[derive(Clone, Debug, PartialEq)]
pub enum Planned {
    /// A new book will be added to the catalog.
    New,
    /// It will join this work ("Title" by Author).
    Matches {
        work: WorkId,
        title: String,
        author: Option<String>,
    },
    /// Imported before, the same: nothing to write.
    Unchanged {
        work: WorkId,
    },
    /// Imported before and changed: it will be rewritten.
    Update {
        work: WorkId,
    },
    Skipped {
        field: String,
        reason: String,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct PreviewRow {
    pub line: u64,
    pub title: String,
    pub author: String,
    pub planned: Planned,
}

/// What [`apply`] would do with each row, in file order. Writes nothing.
/// Matching follows the catalog's rules (`catalog::find_matches`); two
/// rows of the same new book both show as new here, while the import puts
/// the second on the first's work.
pub async fn preview(
    db: &Db,
    user: UserId,
    parsed: &Parsed,
) -> Result<Vec<PreviewRow>, LibraryError> {
    let rows = library_rows(user, parsed);
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let known = store::existing(db, &ids).await?;
    let fresh: Vec<NewWork> = rows
        .iter()
        .filter(|r| !known.contains_key(&r.id))
        .map(|r| r.work.clone())
        .collect();
    let matches = catalog::find_matches(db, &fresh).await?;
    let matched_ids: Vec<WorkId> = matches.iter().flatten().copied().collect();
    let summaries = catalog::summaries_of(db, &matched_ids).await?;
    let mut matches = matches.into_iter();
    let mut out = Vec::with_capacity(parsed.rows());
    for (e, r) in parsed.entries.iter().zip(&rows) {
        let planned = match known.get(&r.id) {
            Some((digest, work)) if *digest == r.digest => Planned::Unchanged { work: *work },
            Some((_, work)) => Planned::Update { work: *work },
            None => match matches.next().flatten() {
                Some(work) => {
                    let s = summaries.get(&work);
                    Planned::Matches {
                        work,
                        title: s.map_or_else(|| e.title.clone(), |s| s.title.clone()),
                        author: s.and_then(|s| s.authors.first().cloned()),
                    }
                }
                None => Planned::New,
            },
        };
        out.push(PreviewRow {
            line: e.line,
            title: e.title.clone(),
            author: e.first_author().to_string(),
            planned,
        });
    }
    for s in &parsed.skipped {
        out.push(PreviewRow {
            line: s.line,
            title: String::new(),
            author: String::new(),
            planned: Planned::Skipped {
                field: s.field.clone(),
                reason: s.reason.clone(),
            },
        });
    }
    out.sort_by_key(|r| r.line);
    Ok(out)
}

/// Write a parsed library for `user`. With [`Keep::GoodRows`] the good
/// rows are written in batches (one transaction each, `progress` called
/// after each); with [`Keep::AllOrNothing`] nothing is written when any row
/// was skipped, and otherwise everything in one transaction.
pub async fn apply(
    db: &Db,
    user: UserId,
    parsed: &Parsed,
    keep: Keep,
    mut progress: impl FnMut(Progress),
) -> Result<Report, LibraryError> {
    let total = parsed.entries.len();
    let mut report = Report {
        format: parsed.format,
        file: parsed.file.clone(),
        rows: Vec::with_capacity(parsed.rows()),
        warnings: parsed.warnings.clone(),
        written: true,
    };
    for s in &parsed.skipped {
        report.rows.push(RowReport {
            line: s.line,
            title: String::new(),
            author: String::new(),
            outcome: Outcome::Skipped {
                field: s.field.clone(),
                reason: s.reason.clone(),
            },
            work: None,
        });
    }
    let row_report = |e: &Entry, outcome: Outcome, work: Option<WorkId>| RowReport {
        line: e.line,
        title: e.title.clone(),
        author: e.first_author().to_string(),
        outcome,
        work,
    };
    if keep == Keep::AllOrNothing && !parsed.skipped.is_empty() {
        report.written = false;
        for e in &parsed.entries {
            report.rows.push(row_report(e, Outcome::NotWritten, None));
        }
        report.rows.sort_by_key(|r| r.line);
        return Ok(report);
    }
    let rows = library_rows(user, parsed);
    let source = parsed.format.source();
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let own: HashSet<WorkId> = store::existing(db, &ids)
        .await?
        .into_values()
        .map(|(_, w)| w)
        .collect();
    let base = store::queue_base(db, user, &own).await?;
    let batch = match keep {
        Keep::GoodRows => BATCH,
        Keep::AllOrNothing => rows.len().max(1),
    };
    progress(Progress { done: 0, total });
    let mut done = 0;
    for (chunk, entries) in rows.chunks(batch).zip(parsed.entries.chunks(batch)) {
        let results = store::apply(db, user, source, base, chunk).await?;
        for (e, r) in entries.iter().zip(results) {
            let outcome = match r {
                RowDone::Created(_) => Outcome::Created,
                RowDone::Matched(_) => Outcome::Matched,
                RowDone::Updated(_) => Outcome::Updated,
                RowDone::Unchanged(_) => Outcome::Unchanged,
            };
            report.rows.push(row_report(e, outcome, Some(r.work())));
        }
        done += chunk.len();
        progress(Progress { done, total });
    }
    report.rows.sort_by_key(|r| r.line);
    Ok(report)
}

/// The key of a row within its file: its id there, or its title and
/// first author when it has none; a key seen before in the same file gets
/// the number of its repeat, so two rows never share an id.
fn source_keys(entries: &[Entry]) -> Vec<String> {
    let mut seen: HashMap<String, u32> = HashMap::new();
    entries
        .iter()
        .map(|e| {
            let base = if e.source_id.is_empty() {
                format!("{}|{}", fold(&e.title), fold(e.first_author()))
            } else {
                e.source_id.clone()
            };
            let n = seen.entry(base.clone()).or_insert(0);
            *n += 1;
            if *n == 1 { base } else { format!("{base}#{n}") }
        })
        .collect()
}

/// A hash of everything a row says except where it is in the file.
fn digest(e: &Entry) -> String {
    let mut e = e.clone();
    e.line = 0;
    let hash = Sha256::digest(format!("{e:?}").as_bytes());
    hash.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

fn library_rows(user: UserId, parsed: &Parsed) -> Vec<LibraryRow> {
    let keys = source_keys(&parsed.entries);
    let source = parsed.format.key();
    parsed
        .entries
        .iter()
        .zip(keys)
        .map(|(e, key)| {
            let id = Uuid::new_v5(&user.0, format!("library:{source}:{key}").as_bytes());
            let mut shelves = e.shelves.clone();
            if let Status::Other(name) = &e.status
                && !shelves.contains(name)
            {
                shelves.insert(0, name.clone());
            }
            let review = e.review.as_ref().map(|body| RowReview {
                body: body.clone(),
                body_html: quire_markup::render(body),
                spoiler: e.spoiler,
                at: e
                    .reads
                    .iter()
                    .rev()
                    .find_map(|r| r.finished)
                    .or(e.date_added)
                    .map_or_else(quire_storage::now, |d| d.midnight().assume_utc()),
            });
            LibraryRow {
                id,
                digest: digest(e),
                work: new_work(parsed.format, &key, e),
                rating: e.rating,
                readings: readings_of(e),
                queued: (e.status == Status::ToRead).then(|| queue_place(e)),
                shelves,
                review,
                extras: serde_json::to_string(&e.extras).unwrap_or_else(|_| "{}".into()),
                added_on: e.date_added,
                source_key: key,
            }
        })
        .collect()
}

/// A queued row's place: the file's own number (Goodreads' `to-read
/// (#6)`), or after every numbered one in the order of the file. It
/// depends on the row alone, so a run cut short and completed puts every
/// book where a single run would.
fn queue_place(e: &Entry) -> i64 {
    e.queue_position
        .map_or(1_000_000_000 + e.line as i64, i64::from)
}

/// The work a row stands for, as the catalog would add it.
fn new_work(format: Format, key: &str, e: &Entry) -> NewWork {
    let outside = format!("{}:{key}", format.key());
    let mut w = NewWork::new(WorkId::derived("library", &outside), &e.title);
    w.series = e.series.as_ref().map(SeriesRef::to_pair);
    w.first_published = e
        .original_year
        .or(e.year_published)
        .and_then(PubDate::known_year);
    w.credits = e
        .authors
        .iter()
        .take(10)
        .filter(|a| !a.trim().is_empty())
        .map(NewCredit::author)
        .collect();
    let scheme = match format {
        Format::StoryGraph if e.isbn13.is_some() => None,
        f => Some(f.key()),
    };
    if let Some(scheme) = scheme
        && !e.source_id.is_empty()
    {
        w.identifiers
            .push((scheme.to_string(), e.source_id.clone()));
    }
    let mut ed = NewEdition::new(
        EditionId::derived("library", &outside),
        &e.title,
        e.format.unwrap_or(BookFormat::Other),
    );
    ed.pages = e.pages;
    ed.isbn13 = e.isbn13;
    ed.publisher = e.publisher.clone();
    ed.published = e.year_published.and_then(PubDate::known_year);
    ed.is_primary = true;
    w.editions.push(ed);
    w
}

/// The readings a row stands for. Finished reads come first (undated ones
/// for reads the file counts but does not date), then the current or
/// abandoned one.
fn readings_of(e: &Entry) -> Vec<RowReading> {
    let read = |started, finished| RowReading {
        status: ReadingStatus::Read,
        started_on: started,
        finished_on: finished,
    };
    let finished: Vec<_> = e.reads.iter().filter(|r| r.finished.is_some()).collect();
    let open = e.reads.iter().rev().find(|r| r.finished.is_none());
    let mut out = Vec::new();
    let dated_then = |out: &mut Vec<RowReading>, count: usize| {
        for _ in finished.len()..count {
            out.push(read(None, None));
        }
        for r in &finished {
            out.push(read(r.started, r.finished));
        }
    };
    match &e.status {
        Status::Read => dated_then(&mut out, (e.read_count as usize).max(1)),
        Status::CurrentlyReading => {
            dated_then(&mut out, e.read_count as usize);
            out.push(RowReading {
                status: ReadingStatus::Reading,
                started_on: open.and_then(|r| r.started).or(e.date_added),
                finished_on: None,
            });
        }
        Status::DidNotFinish => {
            let last = e.reads.last();
            let earlier = finished.len().saturating_sub(1);
            for r in finished.iter().take(earlier) {
                out.push(read(r.started, r.finished));
            }
            out.push(RowReading {
                status: ReadingStatus::DidNotFinish,
                started_on: last.and_then(|r| r.started),
                finished_on: last.and_then(|r| r.finished).or(e.date_added),
            });
        }
        Status::ToRead | Status::Other(_) => dated_then(&mut out, e.read_count as usize),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::ReadDates;
    use time::macros::date;

    #[test]
    fn readings_follow_the_status() {
        let mut e = Entry::blank(2);
        e.read_count = 2;
        e.reads.push(ReadDates {
            started: None,
            finished: Some(date!(2020 - 01 - 01)),
        });
        let r = readings_of(&e);
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].finished_on, None);
        assert_eq!(r[1].finished_on, Some(date!(2020 - 01 - 01)));
        e.status = Status::CurrentlyReading;
        e.read_count = 0;
        e.reads = vec![ReadDates {
            started: Some(date!(2021 - 02 - 03)),
            finished: None,
        }];
        let r = readings_of(&e);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].status, ReadingStatus::Reading);
        assert_eq!(r[0].started_on, Some(date!(2021 - 02 - 03)));
        e.status = Status::ToRead;
        assert!(readings_of(&e).is_empty());
    }

    #[test]
    fn repeated_keys_are_numbered() {
        let mut a = Entry::blank(2);
        a.title = "T".into();
        a.authors = vec!["A".into()];
        let b = a.clone();
        let mut c = a.clone();
        c.source_id = "9".into();
        assert_eq!(source_keys(&[a, b, c]), vec!["t|a", "t|a#2", "9"]);
    }
}
