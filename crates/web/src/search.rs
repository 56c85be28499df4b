//! The search box over the `quire-search` index (issue 9): books, authors
//! and public clubs in one ranked list, with typo tolerance, completion as
//! you type, exact ISBNs and facets.
//!
//! The index is never the source of truth. [`run`] keeps it current: it
//! rebuilds it from the database when it is empty or has never been
//! synced, then every [`SYNC_EVERY`] indexes again the works whose
//! `updated_at` moved (catalog edits, new books, merges), and every
//! [`PEOPLE_EVERY`] the authors and public clubs. The time of the last
//! change seen is kept beside an index on disk (`quire-synced-at`), so a
//! restart picks up where it stopped; `quire reindex` rebuilds it all.
//! Until the first rebuild is done, the search page falls back to the
//! catalog's folded `LIKE` search, so a fresh server answers at once.
//!
//! Privacy: only public clubs are given to the index; members are not
//! indexed (Quire has no "findable" setting yet).

use quire_domain::WorkId;
use quire_search::{BookDoc, ClubDoc, Doc, PersonDoc, PersonKind, SearchIndex};
use quire_storage::Db;
use quire_storage::search_docs::{self, AuthorRow, BookRow, ClubRow, MemberRow};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use time::OffsetDateTime;

/// How often changed works are indexed again.
pub const SYNC_EVERY: Duration = Duration::from_secs(5);
/// How often authors and public clubs are refreshed.
pub const PEOPLE_EVERY: Duration = Duration::from_secs(300);
/// Works read from the database at a time while rebuilding or syncing.
const PAGE: u32 = 2_000;
/// The file beside an index on disk that holds the last change it has.
const SYNCED_FILE: &str = "quire-synced-at";

/// Why the index could not be built or brought up to date.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("reading the catalog for the search index: {0}")]
    Storage(#[from] quire_storage::StorageError),
    #[error("writing the search index: {0}")]
    Index(#[from] quire_search::SearchError),
    #[error("the indexing thread stopped: {0}")]
    Thread(String),
    #[error("keeping the index's sync time in {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The server's index and how far it has caught up.
pub struct Search {
    index: SearchIndex,
    dir: Option<PathBuf>,
    ready: AtomicBool,
    synced: Mutex<Option<OffsetDateTime>>,
    /// Ids already indexed whose change is at exactly the `synced` second
    /// (times are whole seconds, so the next sync sees them again).
    /// (`true` for a removal, `false` for a change.)
    at_mark: Mutex<HashSet<(bool, WorkId)>>,
    /// Ids of the clubs and authors indexed, so a refresh removes those
    /// that are gone (a club made private, an author merged away).
    people: Mutex<HashSet<String>>,
}

impl Search {
    /// The index in `dir` (made if missing), or in memory when `dir` is
    /// `None` or the one on disk cannot be opened (then it is rebuilt).
    pub fn open(dir: Option<&Path>) -> Search {
        let on_disk = dir.and_then(|d| {
            let opened = std::fs::create_dir_all(d)
                .map_err(|source| quire_search::SearchError::Io {
                    path: d.to_path_buf(),
                    source,
                })
                .and_then(|()| open_on_disk(d));
            match opened {
                Ok(i) => Some((i, d.to_path_buf())),
                Err(e) => {
                    tracing::warn!(dir = %d.display(), error = %e, "the search index on disk could not be opened; keeping one in memory, rebuilt from the database");
                    None
                }
            }
        });
        let (index, dir) = match on_disk {
            Some((i, d)) => (i, Some(d)),
            None => (
                SearchIndex::in_ram().unwrap_or_else(|e| {
                    // A RAM directory cannot fail to open but for a bug.
                    panic!("an in-memory search index: {e}")
                }),
                None,
            ),
        };
        let synced = dir.as_deref().and_then(read_synced);
        Search {
            index,
            dir,
            ready: AtomicBool::new(false),
            synced: Mutex::new(synced),
            at_mark: Mutex::new(HashSet::new()),
            people: Mutex::new(HashSet::new()),
        }
    }

    /// The index has been built (or was found up to date) since start.
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Acquire)
    }

    pub fn index(&self) -> &SearchIndex {
        &self.index
    }

    fn synced(&self) -> Option<OffsetDateTime> {
        self.synced.lock().ok().and_then(|s| *s)
    }

    fn set_synced(&self, at: OffsetDateTime) -> Result<(), SyncError> {
        if let Ok(mut s) = self.synced.lock() {
            *s = Some(at);
        }
        if let Some(dir) = &self.dir {
            let path = dir.join(SYNCED_FILE);
            let nanos = at.unix_timestamp_nanos().to_string();
            std::fs::write(&path, nanos).map_err(|source| SyncError::Io { path, source })?;
        }
        Ok(())
    }
}

/// The index in `dir`, or a new one there. One made by a version with
/// another layout is deleted first: the database holds everything in it, and
/// the server rebuilds an empty index when it starts.
fn open_on_disk(dir: &Path) -> Result<SearchIndex, quire_search::SearchError> {
    match SearchIndex::open_or_create(dir) {
        Err(quire_search::SearchError::Incompatible(_)) => {
            tracing::info!(dir = %dir.display(), "the search index on disk has an older layout; rebuilding it");
            std::fs::remove_dir_all(dir).map_err(|source| quire_search::SearchError::Io {
                path: dir.to_path_buf(),
                source,
            })?;
            SearchIndex::create_in_dir(dir)
        }
        other => other,
    }
}

fn read_synced(dir: &Path) -> Option<OffsetDateTime> {
    let raw = std::fs::read_to_string(dir.join(SYNCED_FILE)).ok()?;
    OffsetDateTime::from_unix_timestamp_nanos(raw.trim().parse().ok()?).ok()
}

/// The index's folder for a database address: beside a SQLite file
/// (`quire.db` → `quire.db.search`); none (memory) otherwise.
pub fn default_dir(database: &str) -> Option<PathBuf> {
    let path = database
        .strip_prefix("sqlite://")
        .or_else(|| database.strip_prefix("sqlite:"))?;
    let path = path.split('?').next()?;
    if path.is_empty() || path.contains(":memory:") {
        return None;
    }
    Some(PathBuf::from(format!("{path}.search")))
}

pub fn book_doc(b: BookRow) -> Doc {
    Doc::Book(BookDoc {
        id: b.id.to_string(),
        title: b.title,
        subtitle: b.subtitle,
        authors: b.authors,
        series: b.series,
        subjects: b.subjects,
        isbns: b.isbns,
        year: b.year,
        language: b.language,
        formats: b.formats,
        ratings: b.ratings,
        average: b.average,
    })
}

fn author_doc(a: AuthorRow) -> Doc {
    Doc::Person(PersonDoc {
        id: a.id.to_string(),
        name: a.name,
        kind: PersonKind::Author,
        popularity: a.ratings,
    })
}

/// A club's document id: its address, so a hit links without a lookup.
pub const CLUB_ID_PREFIX: &str = "club:";
/// A member's document id: their username after this prefix.
pub const MEMBER_ID_PREFIX: &str = "member:";

fn member_doc(m: MemberRow) -> Doc {
    let name = if m.display_name.is_empty() || m.display_name == m.username {
        m.username.clone()
    } else {
        format!("{} (@{})", m.display_name, m.username)
    };
    Doc::Person(PersonDoc {
        id: format!("{MEMBER_ID_PREFIX}{}", m.username),
        name,
        kind: PersonKind::Member,
        popularity: m.reviews,
    })
}

fn club_doc(c: ClubRow) -> Doc {
    Doc::Club(ClubDoc {
        id: format!("{CLUB_ID_PREFIX}{}", c.slug),
        name: c.name,
        description: c.description,
        members: c.members,
    })
}

/// What a rebuild did.
#[derive(Debug, Default, Clone, Copy)]
pub struct Rebuilt {
    pub books: u64,
    pub authors: u64,
    pub clubs: u64,
    pub members: u64,
    pub took: Duration,
}

/// Build the whole index again from the database, streaming: the works
/// are read a page at a time while a blocking thread indexes them.
pub async fn rebuild(db: &Db, search: &Search) -> Result<Rebuilt, SyncError> {
    let started = Instant::now();
    // Changes made while this runs are picked up by the next sync.
    let since = quire_storage::now();
    let (tx, rx) = std::sync::mpsc::sync_channel::<Doc>(4 * PAGE as usize);
    let index = search.index.clone();
    let indexing = tokio::task::spawn_blocking(move || index.rebuild(rx));
    let mut out = Rebuilt::default();
    let mut ids = HashSet::new();
    let fed: Result<(), SyncError> = async {
        let mut after = None;
        loop {
            let page = search_docs::books_page(db, after, PAGE).await?;
            let n = page.len();
            after = page.last().map(|b| b.id);
            for b in page {
                out.books += 1;
                send(&tx, book_doc(b)).await?;
            }
            if n < PAGE as usize {
                break;
            }
        }
        for a in search_docs::authors(db).await? {
            out.authors += 1;
            ids.insert(a.id.to_string());
            send(&tx, author_doc(a)).await?;
        }
        for c in search_docs::public_clubs(db).await? {
            out.clubs += 1;
            ids.insert(format!("{CLUB_ID_PREFIX}{}", c.slug));
            send(&tx, club_doc(c)).await?;
        }
        for m in search_docs::members(db).await? {
            out.members += 1;
            ids.insert(format!("{MEMBER_ID_PREFIX}{}", m.username));
            send(&tx, member_doc(m)).await?;
        }
        Ok(())
    }
    .await;
    drop(tx);
    let built = indexing
        .await
        .map_err(|e| SyncError::Thread(e.to_string()))?;
    fed?;
    built?;
    if let Ok(mut p) = search.people.lock() {
        *p = ids;
    }
    search.set_synced(since)?;
    search.ready.store(true, Ordering::Release);
    out.took = started.elapsed();
    Ok(out)
}

/// Hand a document to the indexing thread without blocking the runtime
/// when its queue is full.
async fn send(tx: &std::sync::mpsc::SyncSender<Doc>, doc: Doc) -> Result<(), SyncError> {
    let mut doc = doc;
    loop {
        match tx.try_send(doc) {
            Ok(()) => return Ok(()),
            Err(std::sync::mpsc::TrySendError::Full(d)) => {
                doc = d;
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
            Err(std::sync::mpsc::TrySendError::Disconnected(_)) => {
                return Err(SyncError::Thread(
                    "the index stopped taking documents".into(),
                ));
            }
        }
    }
}

/// Index again the works changed since the last sync; returns how many.
pub async fn sync_works(db: &Db, search: &Search) -> Result<usize, SyncError> {
    let Some(mark) = search.synced() else {
        return Ok(0);
    };
    let changes = search_docs::changed_since(db, mark, PAGE).await?;
    let seen = search.at_mark.lock().map(|s| s.clone()).unwrap_or_default();
    let new = |removal: bool, (w, at): &(WorkId, OffsetDateTime)| {
        !(*at == mark && seen.contains(&(removal, *w)))
    };
    let changed: Vec<WorkId> = changes
        .changed
        .iter()
        .filter(|c| new(false, c))
        .map(|c| c.0)
        .collect();
    let removed: Vec<String> = changes
        .removed
        .iter()
        .filter(|c| new(true, c))
        .map(|c| c.0.to_string())
        .collect();
    if changed.is_empty() && removed.is_empty() {
        return Ok(0);
    }
    let tagged = changes
        .changed
        .iter()
        .map(|c| (false, *c))
        .chain(changes.removed.iter().map(|c| (true, *c)));
    let until = tagged.clone().map(|(_, c)| c.1).max().unwrap_or(mark);
    let mut at_until: HashSet<(bool, WorkId)> = tagged
        .filter(|(_, c)| c.1 == until)
        .map(|(r, c)| (r, c.0))
        .collect();
    if until == mark {
        at_until.extend(seen);
    }
    let books = search_docs::books_of(db, &changed).await?;
    let n = changed.len() + removed.len();
    write(search, books.into_iter().map(book_doc).collect(), removed).await?;
    search.set_synced(until)?;
    if let Ok(mut s) = search.at_mark.lock() {
        *s = at_until;
    }
    Ok(n)
}

/// Replace `docs` and delete `gone` in one commit, on a blocking thread.
async fn write(search: &Search, docs: Vec<Doc>, gone: Vec<String>) -> Result<(), SyncError> {
    let index = search.index.clone();
    tokio::task::spawn_blocking(move || {
        let mut w = index.writer()?;
        for d in docs {
            w.replace(d)?;
        }
        for id in &gone {
            w.delete(id);
        }
        w.commit()
    })
    .await
    .map_err(|e| SyncError::Thread(e.to_string()))??;
    Ok(())
}

/// Replace the authors, public clubs and members, and drop those that
/// are gone.
pub async fn sync_people(db: &Db, search: &Search) -> Result<usize, SyncError> {
    let authors = search_docs::authors(db).await?;
    let clubs = search_docs::public_clubs(db).await?;
    let members = search_docs::members(db).await?;
    let docs: Vec<Doc> = authors
        .into_iter()
        .map(author_doc)
        .chain(clubs.into_iter().map(club_doc))
        .chain(members.into_iter().map(member_doc))
        .collect();
    let now: HashSet<String> = docs.iter().map(|d| d.id().to_string()).collect();
    let gone: Vec<String> = search
        .people
        .lock()
        .map(|p| p.difference(&now).cloned().collect())
        .unwrap_or_default();
    let n = docs.len();
    write(search, docs, gone).await?;
    if let Ok(mut p) = search.people.lock() {
        *p = now;
    }
    Ok(n)
}

/// Keep the index current for as long as the server runs.
pub async fn run(db: Db, search: std::sync::Arc<Search>) {
    let fresh = search.synced().is_some() && search.index.num_docs() > 0;
    if fresh {
        search.ready.store(true, Ordering::Release);
    } else {
        match rebuild(&db, &search).await {
            Ok(r) => tracing::info!(
                books = r.books,
                authors = r.authors,
                clubs = r.clubs,
                ms = r.took.as_millis() as u64,
                "search index built"
            ),
            Err(e) => {
                tracing::error!(error = %e, "the search index could not be built; search uses the catalog's plain matching until it can")
            }
        }
    }
    let mut people_at = if fresh {
        Instant::now() - PEOPLE_EVERY
    } else {
        Instant::now()
    };
    loop {
        if !search.is_ready() {
            if let Err(e) = rebuild(&db, &search).await {
                tracing::warn!(error = %e, "rebuilding the search index");
            }
        } else if let Err(e) = sync_works(&db, &search).await {
            tracing::warn!(error = %e, "bringing the search index up to date");
        }
        if search.is_ready() && people_at.elapsed() >= PEOPLE_EVERY {
            if let Err(e) = sync_people(&db, &search).await {
                tracing::warn!(error = %e, "refreshing authors and clubs in the search index");
            }
            people_at = Instant::now();
        }
        tokio::time::sleep(SYNC_EVERY).await;
    }
}

#[cfg(test)]
mod tests {
    use super::default_dir;
    use std::path::PathBuf;

    #[test]
    fn the_index_sits_beside_a_sqlite_file() {
        assert_eq!(
            default_dir("sqlite://data/quire.db"),
            Some(PathBuf::from("data/quire.db.search"))
        );
        assert_eq!(
            default_dir("sqlite:quire.db?mode=rwc"),
            Some(PathBuf::from("quire.db.search"))
        );
        assert_eq!(default_dir("sqlite::memory:"), None);
        assert_eq!(default_dir("postgres://localhost/quire"), None);
    }
}
