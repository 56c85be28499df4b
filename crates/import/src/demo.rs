//! The demo: real public data loaded into Quire so that a fresh install has
//! something to show. Loading is idempotent: every record gets an id derived
//! from its source, and every insert keeps what is already there.
//!
//! - goodbooks-10k: 10,000 books with their Goodreads shelves as subjects,
//!   and the ratings of its 547-book subset as demo readers;
//! - the ten Project Gutenberg novels, each with an ebook edition, its
//!   opening as the excerpt, and Quire's own description and questions;
//! - two real Goodreads exports as two demo readers with their shelves,
//!   ratings and reviews.

use crate::ImportError;
use crate::demo_text::{DEMO_REVIEWS, DEMO_TEXTS};
use crate::goodbooks::{self, GoodbooksBook, SeriesRef};
use crate::goodreads::{self, ExclusiveShelf, GoodreadsEntry};
use crate::gutenberg;
use quire_domain::{
    ContributorRole, EditionId, Format, MaterialKind, PubDate, Rating, ReadingStatus, Source,
    UserId, WorkId,
};
use quire_storage::catalog::{self, NewCredit, NewEdition, NewMaterial, NewWork};
use quire_storage::reviews::ReviewInput;
use quire_storage::shelves::ImportedReading;
use quire_storage::{Db, StorageError, questions, ratings, reviews, shelves, users};
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Instant;
use uuid::Uuid;

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(transparent)]
    Import(#[from] ImportError),
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(
        "{0} is missing: the demo needs the shared data sets (goodbooks-10k, gutenberg, reading-exports)"
    )]
    Missing(String),
}

/// What a load did. Counts are of rows that were new.
#[derive(Debug, Default)]
pub struct DemoReport {
    pub works: u64,
    pub readers: u64,
    pub ratings: u64,
    pub gutenberg_books: usize,
    /// Covers taken from the Gutenberg EPUBs (new ones only).
    pub covers: usize,
    pub export_entries: usize,
    pub reviews: usize,
    /// Gutenberg novels that carry their full text after this load, and
    /// how many of those texts this load attached.
    pub texts: usize,
    pub texts_new: usize,
    /// Demo clubs made by this load (none when they were there already).
    pub clubs: usize,
    pub warnings: Vec<String>,
    pub seconds: f64,
}

impl fmt::Display for DemoReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "Demo data loaded in {:.1} s: {} new works, {} new demo readers, {} new ratings, {} Gutenberg novels ({} new covers, {} with their full text, {} attached now), {} Goodreads export entries ({} reviews), {} new clubs.",
            self.seconds,
            self.works,
            self.readers,
            self.ratings,
            self.gutenberg_books,
            self.covers,
            self.texts,
            self.texts_new,
            self.export_entries,
            self.reviews,
            self.clubs
        )?;
        for w in self.warnings.iter().take(20) {
            writeln!(f, "  note: {w}")?;
        }
        if self.warnings.len() > 20 {
            writeln!(f, "  … and {} more notes", self.warnings.len() - 20)?;
        }
        Ok(())
    }
}

/// Where the demo's files are, below the shared data folder.
pub struct DemoSources {
    pub books: PathBuf,
    pub tags: PathBuf,
    pub book_tags: PathBuf,
    pub ratings: PathBuf,
    pub gutenberg_txt: PathBuf,
    /// The Gutenberg EPUBs, whose cover images the demo uses (optional).
    pub gutenberg_epub: PathBuf,
    pub exports: Vec<(PathBuf, ExportReader)>,
}

/// Who a Goodreads export becomes in Quire.
#[derive(Clone)]
pub struct ExportReader {
    pub key: &'static str,
    pub username: &'static str,
    pub display_name: &'static str,
    pub bio: &'static str,
}

impl DemoSources {
    pub fn in_folder(dir: &Path) -> Self {
        let gb = dir.join("goodbooks-10k");
        let gr = dir.join("reading-exports").join("goodreads");
        Self {
            books: gb.join("books.csv"),
            tags: gb.join("tags.csv"),
            book_tags: gb.join("subset-547").join("book_tags.csv"),
            ratings: gb.join("subset-547").join("ratings.csv"),
            gutenberg_txt: dir.join("gutenberg").join("txt"),
            gutenberg_epub: dir.join("gutenberg").join("epub"),
            exports: vec![
                (
                    gr.join("goodreads_export_2020_31col_MIT.csv"),
                    ExportReader {
                        key: "goodreads-2020",
                        username: "drrodriguez",
                        display_name: "David R. Rodriguez",
                        bio: "Demo reader: shelves, ratings and reviews from David R. Rodriguez's public Goodreads export (MIT licence); the reviews are his own words.",
                    },
                ),
                (
                    gr.join("goodreads_export_2024_24col_CC0.csv"),
                    ExportReader {
                        key: "goodreads-2024",
                        username: "reader2024",
                        display_name: "A 2024 reader",
                        bio: "Demo reader: the shelves of a public-domain (CC0) Goodreads export from January 2024.",
                    },
                ),
            ],
        }
    }
}

/// Load the demo from the shared data folder.
pub async fn load(db: &Db, dir: &Path) -> Result<DemoReport, DemoError> {
    load_from(db, &DemoSources::in_folder(dir)).await
}

pub async fn load_from(db: &Db, src: &DemoSources) -> Result<DemoReport, DemoError> {
    let started = Instant::now();
    for p in [&src.books, &src.gutenberg_txt] {
        if !p.exists() {
            return Err(DemoError::Missing(p.display().to_string()));
        }
    }
    let mut report = DemoReport::default();
    let books = goodbooks::read_books(&src.books)?;
    tracing::info!(books = books.len(), "loading goodbooks-10k");
    let goodbooks_readers = load_goodbooks(db, src, &books, &mut report).await?;
    tracing::info!("loading the Project Gutenberg novels");
    let novels = load_gutenberg(db, src, &books, &mut report).await?;
    for (path, reader) in &src.exports {
        if path.exists() {
            tracing::info!(file = %path.display(), "loading a Goodreads export");
            load_export(db, path, reader, &mut report).await?;
        } else {
            report.warnings.push(format!(
                "{} not found; that demo reader was skipped",
                path.display()
            ));
        }
    }
    tracing::info!("making the demo clubs");
    report.clubs = crate::demo_clubs::load(db, &novels, &club_people(&goodbooks_readers)).await?;
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

pub(crate) fn goodbooks_work(b: &GoodbooksBook, subjects: Option<&Vec<String>>) -> NewWork {
    let id = WorkId::derived("goodbooks", &b.book_id.to_string());
    let mut w = NewWork::new(id, &b.title);
    w.series = b.series.as_ref().map(SeriesRef::to_pair);
    w.original_title = b
        .original_title
        .clone()
        .filter(|t| !t.is_empty() && *t != b.title);
    w.original_language = b.language.clone();
    w.first_published = b.original_publication_year.and_then(PubDate::known_year);
    w.credits = b
        .authors
        .iter()
        .enumerate()
        .map(|(i, name)| NewCredit {
            name: name.clone(),
            role: goodbooks::credited_role(name, i),
        })
        .collect();
    if let Some(s) = subjects {
        let n = s.len() as i64;
        w.subjects = s
            .iter()
            .enumerate()
            .map(|(i, name)| (name.clone(), n - i as i64))
            .collect();
    }
    w.identifiers = vec![
        ("goodbooks".into(), b.book_id.to_string()),
        ("goodreads".into(), b.goodreads_book_id.to_string()),
    ];
    // goodbooks says nothing of format, pages or publisher: the edition
    // carries only what is known.
    let mut e = NewEdition::new(
        EditionId::derived("goodbooks", &b.book_id.to_string()),
        &b.title,
        Format::Other,
    );
    e.isbn13 = b.isbn13;
    e.language = b.language.clone();
    e.is_primary = true;
    w.editions.push(e);
    w
}

async fn load_goodbooks(
    db: &Db,
    src: &DemoSources,
    books: &[GoodbooksBook],
    report: &mut DemoReport,
) -> Result<Vec<u32>, DemoError> {
    let tags = if src.tags.exists() && src.book_tags.exists() {
        goodbooks::read_tags(&src.tags, &src.book_tags, 6)?
    } else {
        HashMap::new()
    };
    let works: Vec<NewWork> = books
        .iter()
        .map(|b| goodbooks_work(b, tags.get(&b.goodreads_book_id)))
        .collect();
    // A goodbooks row that matches a work already in the catalog joins it:
    // its ratings go to the work it joined.
    let mut placed: HashMap<u32, WorkId> = HashMap::with_capacity(books.len());
    for (chunk, rows) in works.chunks(500).zip(books.chunks(500)) {
        let done = catalog::import_works(db, chunk).await?;
        report.works += done.added;
        placed.extend(rows.iter().map(|b| b.book_id).zip(done.placed));
    }
    if !src.ratings.exists() {
        return Ok(Vec::new());
    }
    let known: HashSet<u32> = books.iter().map(|b| b.book_id).collect();
    let mut rows = goodbooks::read_ratings(&src.ratings)?;
    rows.retain(|r| known.contains(&r.book_id));
    let mut readers: Vec<u32> = rows.iter().map(|r| r.user_id).collect();
    readers.sort_unstable();
    readers.dedup();
    let people: Vec<_> = readers
        .iter()
        .map(|u| {
            (
                UserId::derived("goodbooks-reader", &u.to_string()),
                format!("goodbooks-{u}"),
                format!("Goodbooks reader {u}"),
                "Demo reader: ratings from the goodbooks-10k data set (CC BY-SA 4.0).".to_string(),
            )
        })
        .collect();
    tracing::info!(
        readers = people.len(),
        ratings = rows.len(),
        "loading goodbooks-10k ratings"
    );
    report.readers += users::insert_demo_readers(db, &people).await?;
    let ratings: Vec<(UserId, WorkId, Rating)> = rows
        .iter()
        .filter_map(|r| {
            Some((
                UserId::derived("goodbooks-reader", &r.user_id.to_string()),
                *placed.get(&r.book_id)?,
                r.rating,
            ))
        })
        .collect();
    report.ratings += ratings::insert_many(db, &ratings).await?;
    // A goodbooks rating stands for a book read: put it on "read", so the
    // page's "have read" agrees with its ratings.
    ratings::shelve_rated_as_read(db, &ratings).await?;
    Ok(readers)
}

/// The demo readers who people the demo clubs: Quire's reading group, the
/// two export readers and the first goodbooks readers.
fn club_people(goodbooks_readers: &[u32]) -> Vec<UserId> {
    [
        UserId::derived("quire-demo", "reading-group"),
        UserId::derived("demo", "goodreads-2020"),
        UserId::derived("demo", "goodreads-2024"),
    ]
    .into_iter()
    .chain(
        goodbooks_readers
            .iter()
            .take(14)
            .map(|u| UserId::derived("goodbooks-reader", &u.to_string())),
    )
    .collect()
}

/// A title reduced for matching: lower-case letters and digits of the part
/// before any subtitle, without a leading article.
fn title_key(title: &str) -> String {
    let main = title
        .split([';', ':', '('])
        .next()
        .unwrap_or(title)
        .split(" or, ")
        .next()
        .unwrap_or(title);
    let key: String = main
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect();
    key.strip_prefix("the").map(str::to_string).unwrap_or(key)
}

fn surname(name: &str) -> String {
    name.split_whitespace().last().unwrap_or("").to_lowercase()
}

fn stable_id(parts: &str) -> Uuid {
    Uuid::new_v5(
        &Uuid::NAMESPACE_OID,
        format!("quire-demo:{parts}").as_bytes(),
    )
}

/// Load the Gutenberg novels; returns each novel's work by its ebook number.
async fn load_gutenberg(
    db: &Db,
    src: &DemoSources,
    books: &[GoodbooksBook],
    report: &mut DemoReport,
) -> Result<HashMap<u32, WorkId>, DemoError> {
    let mut novels = HashMap::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&src.gutenberg_txt)
        .map_err(|source| ImportError::Io {
            file: src.gutenberg_txt.display().to_string(),
            source,
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    for path in files {
        let text = gutenberg::parse_file(&path)?;
        let n = text.ebook_number.to_string();
        let ours = DEMO_TEXTS.iter().find(|d| d.ebook == text.ebook_number);
        // The same novel is often among the goodbooks books: give that work
        // its ebook edition rather than making a second work.
        let key = title_key(&text.title);
        let author = text.authors.first().map(|a| surname(a)).unwrap_or_default();
        let existing = books.iter().find(|b| {
            title_key(&b.title) == key && b.authors.first().is_some_and(|a| surname(a) == author)
        });
        let mut edition = NewEdition::new(
            EditionId::derived("gutenberg", &n),
            &text.title,
            Format::Ebook,
        );
        edition.publisher = Some("Project Gutenberg".into());
        edition.published = text.release_date.map(PubDate::day);
        edition.language = text.language.clone();
        for (names, role) in [
            (&text.translators, ContributorRole::Translator),
            (&text.illustrators, ContributorRole::Illustrator),
        ] {
            edition.credits.extend(names.iter().map(|name| NewCredit {
                name: name.clone(),
                role,
            }));
        }
        let edition_id = edition.id;
        let found = match existing {
            Some(b) => catalog::find_by_identifier(db, "goodbooks", &b.book_id.to_string()).await?,
            None => None,
        };
        let work = match found {
            Some(work) => {
                catalog::add_edition(db, work, &edition).await?;
                work
            }
            None => {
                let mut w = NewWork::new(WorkId::derived("gutenberg", &n), &text.title);
                w.credits = text.authors.iter().map(NewCredit::author).collect();
                w.first_published = ours.map(|d| PubDate::year(d.first_published));
                w.original_language = text.language.clone();
                w.identifiers.push(("gutenberg".into(), n.clone()));
                edition.is_primary = true;
                w.editions.push(edition);
                let done = catalog::import_works(db, &[w]).await?;
                report.works += done.added;
                done.placed
                    .first()
                    .copied()
                    .unwrap_or_else(|| WorkId::derived("gutenberg", &n))
            }
        };
        novels.insert(text.ebook_number, work);
        // The body comes from the plain text, not the EPUB beside it: every
        // one of the ten has a .txt (not every one an EPUB), and the same
        // file already made the work, so the text and the catalog agree.
        // Attaching the same bytes again changes nothing.
        let attached = crate::text_file::attach(db, work, &path, None).await?;
        report.texts += 1;
        if attached.version.changed {
            report.texts_new += 1;
        }
        if !text.excerpt.is_empty() {
            catalog::add_material_with_id(
                db,
                stable_id(&format!("gutenberg:{n}:excerpt")),
                &NewMaterial {
                    work_id: work,
                    kind: MaterialKind::Excerpt,
                    body: text.excerpt.join("\n\n"),
                    attribution: Some(format!(
                        "The opening of the Project Gutenberg ebook #{n} (public domain in the USA)"
                    )),
                    source: Source::Publisher,
                    created_by: None,
                },
            )
            .await?;
        }
        quire_reviews(db, work, text.ebook_number, report).await?;
        if let Some(d) = ours {
            catalog::add_material_with_id(
                db,
                stable_id(&format!("gutenberg:{n}:description")),
                &NewMaterial {
                    work_id: work,
                    kind: MaterialKind::Description,
                    body: d.description.into(),
                    attribution: None,
                    source: Source::Quire,
                    created_by: None,
                },
            )
            .await?;
            for (i, q) in d.questions.iter().enumerate() {
                questions::add(
                    db,
                    Some(stable_id(&format!("gutenberg:{n}:question:{i}"))),
                    work,
                    q,
                    Source::Quire,
                    None,
                )
                .await?;
            }
        }
        load_epub_cover(db, src, text.ebook_number, edition_id, report).await?;
        report.gutenberg_books += 1;
    }
    Ok(novels)
}

/// Give a Gutenberg edition the cover image of its EPUB (`pgN-….epub` or
/// `pgN.epub`), re-encoded like an upload. An edition that has a cover
/// keeps it, so loading twice adds nothing. A missing or unreadable EPUB is
/// a note in the report, not a failure: the book keeps a generated cover.
async fn load_epub_cover(
    db: &Db,
    src: &DemoSources,
    ebook: u32,
    edition: EditionId,
    report: &mut DemoReport,
) -> Result<(), DemoError> {
    if catalog::cover_state(db, edition)
        .await?
        .is_none_or(|s| s.has_cover)
    {
        return Ok(());
    }
    let Ok(entries) = std::fs::read_dir(&src.gutenberg_epub) else {
        return Ok(());
    };
    let (exact, prefix) = (format!("pg{ebook}.epub"), format!("pg{ebook}-"));
    let mut found: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n == exact || (n.starts_with(&prefix) && n.ends_with(".epub")))
        })
        .collect();
    found.sort();
    let Some(path) = found.first() else {
        return Ok(());
    };
    let bytes = match crate::epub::cover_image(path) {
        Ok(Some(b)) => b,
        Ok(None) => {
            report
                .warnings
                .push(format!("{} declares no cover image", path.display()));
            return Ok(());
        }
        Err(e) => {
            report.warnings.push(e.to_string());
            return Ok(());
        }
    };
    let (prepared, thumbs) =
        match quire_covers::prepare_all(&bytes, &quire_covers::Limits::default()) {
            Ok(p) => p,
            Err(e) => {
                report.warnings.push(format!(
                    "{}: the cover image was refused: {e}",
                    path.display()
                ));
                return Ok(());
            }
        };
    fn image(e: &quire_covers::Encoded) -> catalog::NewCoverImage<'_> {
        catalog::NewCoverImage {
            size: e.size,
            content_type: quire_covers::CONTENT_TYPE,
            data: &e.data,
            width: e.width,
            height: e.height,
        }
    }
    let thumbs: Vec<_> = thumbs.iter().map(image).collect();
    match catalog::set_cover(db, edition, image(&prepared.original), &thumbs, false).await {
        Ok(_) => report.covers += 1,
        // Someone added one meanwhile: theirs stays.
        Err(StorageError::Conflict(_)) => {}
        Err(e) => return Err(e.into()),
    }
    Ok(())
}

fn export_work(reader: &ExportReader, e: &GoodreadsEntry) -> NewWork {
    let id = WorkId::derived(reader.key, &e.goodreads_id);
    let mut w = NewWork::new(id, &e.title);
    w.series = e.series.as_ref().map(SeriesRef::to_pair);
    w.first_published = e
        .original_year
        .or(e.year_published)
        .and_then(PubDate::known_year);
    w.credits = std::iter::once(&e.author)
        .chain(e.additional_authors.iter().take(10))
        .filter(|a| !a.trim().is_empty())
        .map(NewCredit::author)
        .collect();
    w.identifiers
        .push(("goodreads".into(), e.goodreads_id.clone()));
    let mut ed = NewEdition::new(
        EditionId::derived(reader.key, &e.goodreads_id),
        &e.title,
        e.format.unwrap_or(Format::Other),
    );
    ed.pages = e.pages;
    ed.isbn13 = e.isbn13;
    ed.publisher = e.publisher.clone();
    ed.published = e.year_published.and_then(PubDate::known_year);
    ed.is_primary = true;
    w.editions.push(ed);
    w
}

async fn load_export(
    db: &Db,
    path: &Path,
    reader: &ExportReader,
    report: &mut DemoReport,
) -> Result<(), DemoError> {
    let export = goodreads::read_export_file(path)?;
    report.warnings.extend(export.warnings.iter().cloned());
    let user = UserId::derived("demo", reader.key);
    users::insert_demo_readers(
        db,
        &[(
            user,
            reader.username.into(),
            reader.display_name.into(),
            reader.bio.into(),
        )],
    )
    .await?;

    // Each book joins the work the catalog has for it (by Goodreads id,
    // ISBN, then normalised title and first author), or is added.
    let mut incoming = Vec::with_capacity(export.entries.len());
    let mut seen_isbns = HashSet::new();
    for e in &export.entries {
        let mut w = export_work(reader, e);
        // One export can list two books with the same ISBN.
        if let Some(i) = e.isbn13
            && !seen_isbns.insert(i)
        {
            w.editions[0].isbn13 = None;
        }
        incoming.push(w);
    }
    let done = catalog::import_works(db, &incoming).await?;
    report.works += done.added;
    let works = done.placed;

    let rated: Vec<_> = export
        .entries
        .iter()
        .zip(&works)
        .filter_map(|(e, w)| e.rating.map(|r| (user, *w, r)))
        .collect();
    report.ratings += ratings::insert_many(db, &rated).await?;

    let mut readings = Vec::new();
    let mut queue: Vec<(u32, WorkId)> = Vec::new();
    for (e, &work) in export.entries.iter().zip(&works) {
        let rid = |what: &str| stable_id(&format!("{}:{}:{what}", reader.key, e.goodreads_id));
        // `n` finished reads; the export dates only the last of them.
        let finished = |n: u32| -> Vec<ImportedReading> {
            (0..n)
                .map(|i| ImportedReading {
                    id: rid(&format!("read:{i}")),
                    user,
                    work,
                    status: ReadingStatus::Read,
                    started_on: None,
                    finished_on: if i + 1 == n { e.date_read } else { None },
                })
                .collect()
        };
        match &e.exclusive_shelf {
            ExclusiveShelf::Read => readings.extend(finished(e.read_count.max(1))),
            ExclusiveShelf::CurrentlyReading => {
                readings.extend(finished(e.read_count));
                readings.push(ImportedReading {
                    id: rid("reading"),
                    user,
                    work,
                    status: ReadingStatus::Reading,
                    started_on: e.date_added,
                    finished_on: None,
                });
            }
            ExclusiveShelf::DidNotFinish => readings.push(ImportedReading {
                id: rid("dnf"),
                user,
                work,
                status: ReadingStatus::DidNotFinish,
                started_on: None,
                finished_on: e.date_read.or(e.date_added),
            }),
            ExclusiveShelf::ToRead => queue.push((e.queue_position.unwrap_or(u32::MAX), work)),
            ExclusiveShelf::Other(_) => {}
        }
    }
    shelves::import_readings(db, &readings).await?;
    queue.sort_by_key(|(pos, _)| *pos);
    for (_, work) in queue {
        shelves::queue_add(db, user, work).await?;
    }
    for (e, &work) in export.entries.iter().zip(&works) {
        for shelf in &e.custom_shelves {
            let slug = shelves::create_shelf(db, user, shelf).await?;
            shelves::shelve(db, user, &slug, work).await?;
        }
        if let Some(body) = &e.review {
            let html = quire_markup::render(body);
            let at = e
                .date_read
                .or(e.date_added)
                .map(|d| d.midnight().assume_utc())
                .unwrap_or_else(quire_storage::now);
            reviews::upsert_at(
                db,
                stable_id(&format!("{}:{}:review", reader.key, e.goodreads_id)),
                user,
                work,
                &ReviewInput {
                    headline: None,
                    body,
                    body_html: &html,
                    spoiler: e.spoiler,
                    recommends: None,
                },
                at,
            )
            .await?;
            report.reviews += 1;
        }
    }
    report.export_entries += export.entries.len();
    Ok(())
}

/// Quire's own review of a demo book, by the demo reader "Quire's reading
/// group", answering whether it suits a book club. Idempotent.
async fn quire_reviews(
    db: &Db,
    work: WorkId,
    ebook: u32,
    report: &mut DemoReport,
) -> Result<(), DemoError> {
    let Some(r) = DEMO_REVIEWS.iter().find(|r| r.ebook == ebook) else {
        return Ok(());
    };
    let reader = UserId::derived("quire-demo", "reading-group");
    report.readers += users::insert_demo_readers(
        db,
        &[(
            reader,
            "quire-reading-group".to_string(),
            "Quire's reading group".to_string(),
            "Demo reader: reviews written by Quire for the demo books, saying whether each suits a book club.".to_string(),
        )],
    )
    .await?;
    let html = quire_markup::render(r.body);
    reviews::upsert_at(
        db,
        stable_id(&format!("quire-demo:{ebook}:review")),
        reader,
        work,
        &ReviewInput {
            headline: Some(r.headline),
            body: r.body,
            body_html: &html,
            spoiler: false,
            recommends: Some(r.recommends),
        },
        // A fixed time, so loading the demo twice changes nothing.
        time::macros::datetime!(2026-01-15 12:00 UTC),
    )
    .await?;
    report.reviews += 1;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_match_across_sources() {
        assert_eq!(
            title_key("Frankenstein; or, the modern prometheus"),
            title_key("Frankenstein")
        );
        assert_eq!(
            title_key("Moby Dick; Or, The Whale"),
            title_key("Moby-Dick or, The Whale")
        );
        assert_eq!(title_key("The Great Gatsby"), title_key("Great Gatsby"));
        assert_ne!(title_key("Emma"), title_key("Persuasion"));
    }
}
