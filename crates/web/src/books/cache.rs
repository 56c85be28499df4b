//! Prepared book pages kept in memory, bounded and loaded once however many
//! requests miss at the same moment (moka's `try_get_with`).
//!
//! A page is cached in three parts, each under its own revision from the
//! database (`catalog::Revisions`): the core (work, editions, credits,
//! subjects, material, with the material already turned into HTML), the
//! discussion questions, and the activity (every count and one page of
//! reviews). Every write bumps the revision of the part it changes in the
//! same transaction, so a vote reloads only the questions (one query) and a
//! rating only the counts and reviews (two), while the core stays. The
//! revisions are part of each key: a stale entry is never asked for again
//! and ages out. Every request reads the current revisions (one query, or
//! inside the reader's own query when signed in), so several servers on one
//! database stay correct: each checks the shared revisions.
//!
//! The assembled page is kept too, under all three revisions, with the
//! page drawn once (the shared parts, and the whole page as a signed-out
//! reader sees it), so a request draws at most the reader's own box.

use crate::cover;
use crate::view::escape;
use axum::body::Bytes;
use moka::future::Cache;
use quire_domain::{MaterialKind, SiteRole, WorkId};
use quire_storage::book_page::{self, ActivityPart, BookPage, CorePart, Question};
use quire_storage::catalog::{self, Revisions};
use quire_storage::{Db, StorageError};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use uuid::Uuid;

/// A page drawn with holes where each reader's own parts go: the shared
/// text between the holes, and what fills each hole.
pub struct Shell {
    pub pieces: Vec<Piece>,
}

/// A piece of a drawn page.
pub enum Piece {
    Text(String),
    Slot(Slot),
}

/// A hole in a shared page, filled for each request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slot {
    /// The account links in the site header.
    Nav,
    /// Counts, rating summary and the reader's own buttons.
    Activity,
    /// The vote button of the question with this id.
    Vote(Uuid),
    /// The form to add a question, or the line asking to sign in.
    Ask,
    /// The reader's own review form.
    YourReview,
    /// The cover upload form, for those who may add or replace a cover.
    CoverForm,
    /// The form to post book-club material.
    PostMaterial,
    /// The link to add an edition.
    AddEdition,
    /// The librarians' tools: merge, move editions, duplicates.
    Librarian,
    /// The confirmation in `#flash` after a form a browser posted.
    Flash,
    /// "Edit" on the reader's own review, in its place in the list.
    ReviewTools(Uuid),
}

impl Slot {
    /// The marker the templates write for this hole.
    #[cfg(test)]
    fn marker(self) -> String {
        match self {
            Slot::Nav => "<!--quire-slot:nav-->".into(),
            Slot::Activity => "<!--quire-slot:activity-->".into(),
            Slot::Vote(id) => format!("<!--quire-slot:vote:{id}-->"),
            Slot::Ask => "<!--quire-slot:ask-->".into(),
            Slot::YourReview => "<!--quire-slot:your-review-->".into(),
            Slot::CoverForm => "<!--quire-slot:cover-form-->".into(),
            Slot::PostMaterial => "<!--quire-slot:post-material-->".into(),
            Slot::AddEdition => "<!--quire-slot:add-edition-->".into(),
            Slot::Librarian => "<!--quire-slot:librarian-->".into(),
            Slot::Flash => "<!--quire-slot:flash-->".into(),
            Slot::ReviewTools(id) => format!("<!--quire-slot:review-tools:{id}-->"),
        }
    }

    fn parse(s: &str) -> Option<Slot> {
        Some(match s {
            "nav" => Slot::Nav,
            "activity" => Slot::Activity,
            "ask" => Slot::Ask,
            "your-review" => Slot::YourReview,
            "cover-form" => Slot::CoverForm,
            "post-material" => Slot::PostMaterial,
            "add-edition" => Slot::AddEdition,
            "librarian" => Slot::Librarian,
            "flash" => Slot::Flash,
            other => match other.strip_prefix("review-tools:") {
                Some(id) => Slot::ReviewTools(Uuid::try_parse(id).ok()?),
                None => Slot::Vote(Uuid::try_parse(other.strip_prefix("vote:")?).ok()?),
            },
        })
    }
}

impl Shell {
    /// Cut a drawn page at its slot markers. Member text can never hold a
    /// marker: it is escaped, and sanitised Markdown keeps no comments.
    pub fn cut(html: &str) -> Self {
        const OPEN: &str = "<!--quire-slot:";
        let mut pieces = Vec::new();
        let mut rest = html;
        while let Some(at) = rest.find(OPEN) {
            let after = &rest[at + OPEN.len()..];
            let Some(end) = after.find("-->") else { break };
            match Slot::parse(&after[..end]) {
                Some(slot) => {
                    pieces.push(Piece::Text(rest[..at].to_owned()));
                    pieces.push(Piece::Slot(slot));
                }
                None => pieces.push(Piece::Text(rest[..at + OPEN.len() + end + 3].to_owned())),
            }
            rest = &after[end + 3..];
        }
        pieces.push(Piece::Text(rest.to_owned()));
        Self { pieces }
    }

    /// The page with every hole filled by `fill`.
    pub fn fill<E>(&self, mut fill: impl FnMut(Slot) -> Result<String, E>) -> Result<String, E> {
        self.fill_into(|slot, out| {
            out.push_str(&fill(slot)?);
            Ok(())
        })
    }

    /// The page with each hole's content written by `fill` straight into
    /// the one buffer the page is built in (no string of its own per hole).
    pub fn fill_into<E>(
        &self,
        mut fill: impl FnMut(Slot, &mut String) -> Result<(), E>,
    ) -> Result<String, E> {
        let size: usize = self
            .pieces
            .iter()
            .map(|p| match p {
                Piece::Text(t) => t.len(),
                Piece::Slot(Slot::ReviewTools(_)) => 0,
                Piece::Slot(Slot::Vote(_)) => 320,
                Piece::Slot(_) => 512,
            })
            .sum();
        let mut out = String::with_capacity(size + 8192);
        for p in &self.pieces {
            match p {
                Piece::Text(t) => out.push_str(t),
                Piece::Slot(s) => fill(*s, &mut out)?,
            }
        }
        Ok(out)
    }

    /// A copy with the holes `fill` answers (`Some`) filled in and the rest
    /// left as holes: for parts that are the same for many readers.
    pub fn prefill<E>(
        &self,
        mut fill: impl FnMut(Slot) -> Result<Option<String>, E>,
    ) -> Result<Shell, E> {
        fn push_text(pieces: &mut Vec<Piece>, t: &str) {
            match pieces.last_mut() {
                Some(Piece::Text(last)) => last.push_str(t),
                _ => pieces.push(Piece::Text(t.to_owned())),
            }
        }
        let mut pieces = Vec::with_capacity(self.pieces.len());
        for p in &self.pieces {
            match p {
                Piece::Text(t) => push_text(&mut pieces, t),
                Piece::Slot(s) => match fill(*s)? {
                    Some(t) => push_text(&mut pieces, &t),
                    None => pieces.push(Piece::Slot(*s)),
                },
            }
        }
        Ok(Shell { pieces })
    }

    fn len(&self) -> usize {
        self.pieces
            .iter()
            .map(|p| match p {
                Piece::Text(t) => t.len(),
                Piece::Slot(_) => 16,
            })
            .sum()
    }
}

/// The core of a page with its material as HTML and its drawn cover.
pub struct PreparedCore {
    pub core: CorePart,
    pub material_html: HashMap<Uuid, String>,
    pub cover_svg: String,
}

impl PreparedCore {
    fn new(core: CorePart) -> Self {
        let material_html = core
            .materials
            .iter()
            .map(|m| {
                let html = match m.kind {
                    // Quotations and excerpts are shown verbatim, paragraph
                    // by paragraph; never reinterpreted as Markdown.
                    MaterialKind::Blurb | MaterialKind::Excerpt => m
                        .body
                        .split("\n\n")
                        .map(|p| format!("<p>{}</p>", underscores_to_em(&escape(p.trim()))))
                        .collect::<String>(),
                    _ => quire_markup::render(&m.body),
                };
                (m.id, html)
            })
            .collect();
        let authors: Vec<&str> = core
            .credits
            .iter()
            .filter(|c| c.edition.is_none() && c.role == quire_domain::ContributorRole::Author)
            .map(|c| c.name.as_str())
            .collect();
        let cover_svg = cover::generated_svg(
            core.work.id,
            &core.work.title,
            &authors.join(", "),
            &core.subjects,
        );
        Self {
            core,
            material_html,
            cover_svg,
        }
    }

    fn weight(&self) -> usize {
        let m: usize = self.core.materials.iter().map(|m| m.body.len()).sum();
        let h: usize = self.material_html.values().map(String::len).sum();
        1024 + m + h + self.cover_svg.len()
    }
}

/// A book page ready to show.
pub struct Prepared {
    pub page: BookPage,
    pub material_html: Arc<HashMap<Uuid, String>>,
    pub cover_svg: Arc<str>,
    /// The page (default edition) drawn once with holes for the reader's
    /// own parts: filled in for each signed-in request.
    pub shell: OnceLock<Shell>,
    /// The whole page as a signed-out reader sees it (default edition),
    /// drawn once: it depends on nothing else.
    pub anonymous_html: OnceLock<Bytes>,
    /// The shell with the holes that depend only on the reader's site role
    /// filled (the forms to ask a question, post material, add a cover or an
    /// edition, the librarians' tools), one per role: a signed-in request
    /// fills only what is the reader's own.
    pub member_shells: [OnceLock<Shell>; SiteRole::ALL.len()],
}

impl Prepared {
    fn assemble(core: &PreparedCore, questions: Vec<Question>, activity: ActivityPart) -> Self {
        Self {
            page: BookPage::assemble(core.core.clone(), questions, activity),
            material_html: Arc::new(core.material_html.clone()),
            cover_svg: core.cover_svg.as_str().into(),
            shell: OnceLock::new(),
            anonymous_html: OnceLock::new(),
            member_shells: std::array::from_fn(|_| OnceLock::new()),
        }
    }

    fn uncached(page: BookPage) -> Self {
        let questions = page.questions.clone();
        let activity = ActivityPart {
            stats: page.stats.clone(),
            reviews: page.reviews.clone(),
            review_page: page.review_page,
            reviews_per_page: page.reviews_per_page,
        };
        let core = PreparedCore::new(CorePart {
            work: page.work,
            editions: page.editions,
            credits: page.credits,
            subjects: page.subjects,
            subject_ids: page.subject_ids,
            materials: page.materials,
        });
        Self::assemble(&core, questions, activity)
    }

    fn weight(&self) -> u32 {
        let drawn = self.shell.get().map(Shell::len).unwrap_or(64 * 1024)
            + self
                .anonymous_html
                .get()
                .map(Bytes::len)
                .unwrap_or(64 * 1024)
            + self
                .member_shells
                .iter()
                .filter_map(OnceLock::get)
                .map(Shell::len)
                .sum::<usize>();
        let reviews: usize = self.page.reviews.iter().map(|r| r.body_html.len()).sum();
        u32::try_from(drawn + reviews + 4096).unwrap_or(u32::MAX)
    }
}

/// Plain-text ebooks mark emphasis as `_word_`: show it as emphasis when
/// the underscores in a paragraph pair up, and leave the text alone otherwise.
fn underscores_to_em(p: &str) -> String {
    let parts: Vec<&str> = p.split('_').collect();
    if parts.len() < 3 || parts.len().is_multiple_of(2) {
        return p.to_string();
    }
    let mut out = String::with_capacity(p.len() + 16);
    for (i, part) in parts.iter().enumerate() {
        if i % 2 == 1 {
            out.push_str("<em>");
            out.push_str(part);
            out.push_str("</em>");
        } else {
            out.push_str(part);
        }
    }
    out
}

/// Why a page could not be loaded.
#[derive(Debug)]
pub enum LoadError {
    /// No such work.
    Missing,
    Storage(Arc<StorageError>),
}

impl From<StorageError> for LoadError {
    fn from(e: StorageError) -> Self {
        LoadError::Storage(Arc::new(e))
    }
}

impl From<Arc<LoadError>> for LoadError {
    fn from(e: Arc<LoadError>) -> Self {
        match &*e {
            LoadError::Missing => LoadError::Missing,
            LoadError::Storage(s) => LoadError::Storage(s.clone()),
        }
    }
}

/// How much each cache may hold, in bytes (by a rough weight of what an
/// entry keeps) or entries.
const CORE_BYTES: u64 = 32 * 1024 * 1024;
const QUESTION_BYTES: u64 = 16 * 1024 * 1024;
const ACTIVITY_BYTES: u64 = 64 * 1024 * 1024;
const PAGE_BYTES: u64 = 96 * 1024 * 1024;
/// Entries of superseded revisions are never asked for again; idle ones
/// leave early instead of waiting for the size bound.
const IDLE: Duration = Duration::from_secs(15 * 60);

/// Works whose revision reads are shared at one time (each a few bytes).
const REVISION_READERS: u64 = 16 * 1024;

type PageKey = (WorkId, u32, Revisions);

/// Reads of one work's revisions, shared by the requests that come while
/// another read of them is under way. Each request is answered by a read
/// that was sent after the request arrived, so it never sees revisions
/// older than its own start (a write committed before it arrived, on any
/// server, is seen); requests that arrive while a read is in flight wait for
/// the next one and share it. Under load, many readers of one page cost one
/// read per round trip instead of one each; alone, a request reads at once.
#[derive(Default)]
struct RevisionReads {
    /// How many reads have been sent; a read's number is its count.
    sent: AtomicU64,
    /// The newest finished read: its number and what it found (`None`: no
    /// such work). Held while a read is in flight, so reads go one at a time.
    last: tokio::sync::Mutex<(u64, Option<Revisions>)>,
}

impl RevisionReads {
    async fn read(&self, db: &Db, work: WorkId) -> Result<Option<Revisions>, StorageError> {
        let arrived = self.sent.load(Ordering::SeqCst);
        let mut last = self.last.lock().await;
        if last.0 > arrived {
            // Sent after this request arrived: fresh enough for it.
            return Ok(last.1);
        }
        let number = self.sent.fetch_add(1, Ordering::SeqCst) + 1;
        let found = catalog::revision(db, work).await?;
        *last = (number, found);
        Ok(found)
    }
}

/// The caches of book-page parts and of assembled pages.
pub struct PageCache {
    revisions: Cache<WorkId, Arc<RevisionReads>>,
    cores: Cache<(WorkId, i64), Arc<PreparedCore>>,
    questions: Cache<(WorkId, i64), Arc<Vec<Question>>>,
    activity: Cache<(WorkId, i64, u32), Arc<ActivityPart>>,
    pages: Cache<PageKey, Arc<Prepared>>,
}

impl Default for PageCache {
    fn default() -> Self {
        Self {
            revisions: Cache::builder()
                .max_capacity(REVISION_READERS)
                .time_to_idle(Duration::from_secs(60))
                .build(),
            cores: Cache::builder()
                .max_capacity(CORE_BYTES)
                .weigher(|_, v: &Arc<PreparedCore>| u32::try_from(v.weight()).unwrap_or(u32::MAX))
                .time_to_idle(IDLE)
                .build(),
            questions: Cache::builder()
                .max_capacity(QUESTION_BYTES)
                .weigher(|_, v: &Arc<Vec<Question>>| {
                    let bytes: usize = v.iter().map(|q| 128 + q.body.len()).sum();
                    u32::try_from(256 + bytes).unwrap_or(u32::MAX)
                })
                .time_to_idle(IDLE)
                .build(),
            activity: Cache::builder()
                .max_capacity(ACTIVITY_BYTES)
                .weigher(|_, v: &Arc<ActivityPart>| {
                    let bytes: usize = v
                        .reviews
                        .iter()
                        .map(|r| {
                            256 + r.body_html.len() + r.headline.as_ref().map_or(0, String::len)
                        })
                        .sum();
                    u32::try_from(512 + bytes).unwrap_or(u32::MAX)
                })
                .time_to_idle(IDLE)
                .build(),
            pages: Cache::builder()
                .max_capacity(PAGE_BYTES)
                .weigher(|_, v: &Arc<Prepared>| v.weight())
                .time_to_idle(IDLE)
                .build(),
        }
    }
}

/// The prepared page of `work` at these revisions, from the cache when it
/// holds it; otherwise only the parts whose revision changed are read, and
/// concurrent requests for the same page wait for one load.
pub async fn load_at(
    db: &Db,
    cache: &PageCache,
    work: WorkId,
    revisions: Revisions,
    review_page: u32,
    per_page: u32,
) -> Result<Arc<Prepared>, LoadError> {
    let review_page = review_page.max(1);
    let key = (work, review_page, revisions);
    if let Some(hit) = cache.pages.get(&key).await {
        return Ok(hit);
    }
    let page = cache
        .pages
        .try_get_with(key, async {
            let core = cache
                .cores
                .try_get_with((work, revisions.core), async {
                    match book_page::load_core(db, work).await? {
                        Some(core) => Ok(Arc::new(PreparedCore::new(core))),
                        None => Err(LoadError::Missing),
                    }
                })
                .await?;
            let questions = cache
                .questions
                .try_get_with((work, revisions.questions), async {
                    Ok::<_, LoadError>(Arc::new(book_page::load_questions(db, work).await?))
                })
                .await?;
            let activity = cache
                .activity
                .try_get_with((work, revisions.activity, review_page), async {
                    Ok::<_, LoadError>(Arc::new(
                        book_page::load_activity(db, work, review_page, per_page).await?,
                    ))
                })
                .await?;
            Ok::<_, LoadError>(Arc::new(Prepared::assemble(
                &core,
                (*questions).clone(),
                (*activity).clone(),
            )))
        })
        .await?;
    Ok(page)
}

/// The prepared page of `work`: with the cache, one query reads the current
/// revisions first (shared with the requests for the same page that arrive
/// while it is sent, [`RevisionReads`]); without it, every part is read (8
/// queries).
pub async fn load(
    db: &Db,
    cache: &PageCache,
    use_cache: bool,
    work: WorkId,
    review_page: u32,
    per_page: u32,
) -> Result<Arc<Prepared>, LoadError> {
    if !use_cache {
        return match book_page::load(db, work, review_page, per_page).await? {
            Some(page) => Ok(Arc::new(Prepared::uncached(page))),
            None => Err(LoadError::Missing),
        };
    }
    let reads = cache
        .revisions
        .get_with(work, async { Arc::new(RevisionReads::default()) })
        .await;
    let Some(revisions) = reads.read(db, work).await? else {
        return Err(LoadError::Missing);
    };
    load_at(db, cache, work, revisions, review_page, per_page).await
}

#[cfg(test)]
mod tests {
    use super::{Piece, Shell, Slot};

    #[test]
    fn a_shell_is_cut_at_its_markers_and_filled_in_order() {
        let q = uuid::Uuid::nil();
        let html = format!(
            "<p>a</p>{}<p>b {}</p>&lt;!--quire-slot:nav--&gt;<!--quire-slot:unknown-->{}",
            Slot::Nav.marker(),
            Slot::Vote(q).marker(),
            Slot::YourReview.marker()
        );
        let shell = Shell::cut(&html);
        let slots: Vec<Slot> = shell
            .pieces
            .iter()
            .filter_map(|p| match p {
                Piece::Slot(s) => Some(*s),
                Piece::Text(_) => None,
            })
            .collect();
        assert_eq!(slots, vec![Slot::Nav, Slot::Vote(q), Slot::YourReview]);
        let filled = shell
            .fill(|s| Ok::<_, ()>(format!("[{s:?}]")))
            .unwrap_or_default();
        assert_eq!(
            filled,
            format!(
                "<p>a</p>[Nav]<p>b [Vote({q})]</p>&lt;!--quire-slot:nav--&gt;<!--quire-slot:unknown-->[YourReview]"
            )
        );
    }

    #[test]
    fn ebook_emphasis_becomes_em() {
        assert_eq!(
            super::underscores_to_em("“_You_ want to tell me”"),
            "“<em>You</em> want to tell me”"
        );
        assert_eq!(
            super::underscores_to_em("snake_case alone"),
            "snake_case alone"
        );
    }
}
