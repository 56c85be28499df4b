//! Librarians' tools for one work per book: merge a work into another,
//! move an edition to the work it belongs to, and the list of possible
//! duplicates. Each change is confirmed on a page that shows both works
//! side by side with what will move; the JSON API does the same changes.

use crate::AppState;
use crate::error::AppError;
use crate::paths::{WorkPath, work_ref};
use crate::permissions::Librarian;
use crate::view::{Layout, page, plural};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Form, Json};
use quire_domain::{EditionId, WorkId};
use quire_storage::catalog::{self, Attached, WorkSummary};
use serde::{Deserialize, Serialize};

/// One side of the confirmation page.
pub struct Side {
    pub id: String,
    pub title: String,
    pub authors: String,
    /// (what, how many) for everything attached.
    pub counts: Vec<(String, i64)>,
}

fn counts(a: &Attached) -> Vec<(String, i64)> {
    [
        ("editions", a.editions),
        ("ratings", a.ratings),
        ("reviews", a.reviews),
        ("shelf entries", a.shelf_entries),
        ("queue entries", a.queue_entries),
        ("readings", a.readings),
        ("discussion questions", a.questions),
        ("question votes", a.question_votes),
        ("pieces of book-club material", a.material),
        ("club selections", a.club_books),
        ("outside identifiers", a.identifiers),
        ("credits", a.credits),
        ("subjects", a.subjects),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

async fn side(st: &AppState, work: WorkId, field: &'static str) -> Result<Side, AppError> {
    let missing = || {
        AppError::bad(
            field,
            format!(
                "There is no book with the id \"{work}\" in Quire; give the id or address of an existing book."
            ),
        )
    };
    let s = catalog::work_summary(&st.db, work)
        .await?
        .ok_or_else(missing)?;
    let a = catalog::attached(&st.db, work).await?.ok_or_else(missing)?;
    Ok(Side {
        id: s.id.to_string(),
        title: s.title,
        authors: s.authors.join(", "),
        counts: counts(&a),
    })
}

#[derive(Deserialize)]
pub struct IntoQuery {
    into: Option<String>,
}

#[derive(Template)]
#[template(path = "books/merge.html")]
struct MergePage {
    layout: Layout,
    from: Side,
    into: Option<Side>,
    /// What the librarian typed, shown again with its error.
    typed: String,
    error: Option<String>,
    suggestions: Vec<WorkSummary>,
}

/// Parse the "into" a librarian typed: a book's id or its address.
fn parse_ref(s: &str, field: &'static str) -> Result<WorkId, AppError> {
    work_ref(s).ok_or_else(|| {
        AppError::bad(
            field,
            format!("\"{}\" is not a book's id or address. Paste the address of the other book's page, or its id.", s.chars().take(80).collect::<String>()),
        )
    })
}

/// `GET /books/{id}/merge[?into=…]`: choose the other book, then confirm.
pub async fn merge_form(
    State(st): State<AppState>,
    WorkPath(work): WorkPath,
    Query(q): Query<IntoQuery>,
    Librarian(user): Librarian,
) -> Result<Html<String>, AppError> {
    let from = side(&st, work, "id").await?;
    let typed = q.into.unwrap_or_default();
    let mut error = None;
    let mut into = None;
    if !typed.trim().is_empty() {
        match parse_ref(&typed, "into") {
            Ok(id) if id == work => {
                error =
                    Some("That is this book. Give the other book, the one that should stay.".into())
            }
            Ok(id) => match side(&st, id, "into").await {
                Ok(s) => into = Some(s),
                Err(e) => error = Some(e.to_string()),
            },
            Err(e) => error = Some(e.to_string()),
        }
    }
    let first_author = from.authors.split(", ").next().filter(|a| !a.is_empty());
    let suggestions = catalog::candidates(&st.db, &[], &from.title, first_author, 6)
        .await?
        .into_iter()
        .filter(|s| s.id != work)
        .collect();
    page(&MergePage {
        layout: Layout::for_user(Some(&user)),
        from,
        into,
        typed,
        error,
        suggestions,
    })
}

#[derive(Deserialize)]
pub struct MergeForm {
    #[serde(default)]
    into: String,
}

async fn do_merge(
    st: &AppState,
    from: WorkId,
    into: &str,
    user: &Librarian,
) -> Result<WorkId, AppError> {
    let into = parse_ref(into, "into")?;
    if into == from {
        return Err(AppError::bad(
            "into",
            "A book cannot be merged into itself; give the other book.",
        ));
    }
    if catalog::work_summary(&st.db, into).await?.is_none() {
        return Err(AppError::bad(
            "into",
            format!("There is no book with the id \"{into}\" to merge into."),
        ));
    }
    catalog::merge_works(&st.db, from, into, user.0.user_id()).await?;
    Ok(into)
}

/// `POST /books/{id}/merge` (form: into): merge, then show the survivor.
pub async fn merge(
    State(st): State<AppState>,
    WorkPath(work): WorkPath,
    user: Librarian,
    Form(f): Form<MergeForm>,
) -> Result<Response, AppError> {
    let into = do_merge(&st, work, &f.into, &user).await?;
    Ok(Redirect::to(&format!("/books/{into}")).into_response())
}

#[derive(Deserialize)]
pub struct MergeBody {
    into: String,
}

#[derive(Serialize)]
pub struct Merged {
    merged: String,
    into: String,
    url: String,
}

/// `POST /api/v1/books/{id}/merge` with `{"into": id}`.
pub async fn merge_api(
    State(st): State<AppState>,
    WorkPath(work): WorkPath,
    user: Librarian,
    Json(b): Json<MergeBody>,
) -> Result<Json<Merged>, AppError> {
    let into = do_merge(&st, work, &b.into, &user).await?;
    Ok(Json(Merged {
        merged: work.to_string(),
        into: into.to_string(),
        url: format!("/books/{into}"),
    }))
}

#[derive(Deserialize)]
pub struct WorkQuery {
    work: Option<String>,
}

#[derive(Template)]
#[template(path = "books/move.html")]
struct MovePage {
    layout: Layout,
    edition_id: String,
    edition: String,
    from: Side,
    to: Option<Side>,
    typed: String,
    error: Option<String>,
}

fn edition_id(raw: &str) -> Result<EditionId, AppError> {
    EditionId::parse(raw).ok_or_else(|| {
        AppError::NotFound(format!(
            "There is no edition with the id \"{}\" in Quire.",
            raw.chars().take(80).collect::<String>()
        ))
    })
}

/// `GET /editions/{id}/move[?work=…]`: choose the book, then confirm.
pub async fn move_form(
    State(st): State<AppState>,
    Path(raw): Path<String>,
    Query(q): Query<WorkQuery>,
    Librarian(user): Librarian,
) -> Result<Html<String>, AppError> {
    let edition = edition_id(&raw)?;
    let (work, line) = catalog::edition_work(&st.db, edition)
        .await?
        .ok_or(quire_storage::StorageError::NotFound("edition"))?;
    let from = side(&st, work, "id").await?;
    let typed = q.work.unwrap_or_default();
    let mut error = None;
    let mut to = None;
    if !typed.trim().is_empty() {
        match parse_ref(&typed, "work") {
            Ok(id) if id == work => {
                error = Some(
                    "The edition is already an edition of this book; give another book.".into(),
                )
            }
            Ok(id) => match side(&st, id, "work").await {
                Ok(s) => to = Some(s),
                Err(e) => error = Some(e.to_string()),
            },
            Err(e) => error = Some(e.to_string()),
        }
    }
    page(&MovePage {
        layout: Layout::for_user(Some(&user)),
        edition_id: edition.to_string(),
        edition: line,
        from,
        to,
        typed,
        error,
    })
}

#[derive(Deserialize)]
pub struct MoveForm {
    #[serde(default)]
    work: String,
}

async fn do_move(st: &AppState, raw: &str, to: &str, user: &Librarian) -> Result<WorkId, AppError> {
    let edition = edition_id(raw)?;
    let to = parse_ref(to, "work")?;
    if catalog::work_summary(&st.db, to).await?.is_none() {
        return Err(AppError::bad(
            "work",
            format!("There is no book with the id \"{to}\" to move the edition to."),
        ));
    }
    catalog::move_edition(&st.db, edition, to, user.0.user_id()).await?;
    Ok(to)
}

/// `POST /editions/{id}/move` (form: work).
pub async fn move_edition(
    State(st): State<AppState>,
    Path(raw): Path<String>,
    user: Librarian,
    Form(f): Form<MoveForm>,
) -> Result<Response, AppError> {
    let to = do_move(&st, &raw, &f.work, &user).await?;
    Ok(Redirect::to(&format!("/books/{to}#editions")).into_response())
}

#[derive(Deserialize)]
pub struct MoveBody {
    work: String,
}

#[derive(Serialize)]
pub struct Moved {
    edition: String,
    work: String,
    url: String,
}

/// `POST /api/v1/editions/{id}/move` with `{"work": id}`.
pub async fn move_api(
    State(st): State<AppState>,
    Path(raw): Path<String>,
    user: Librarian,
    Json(b): Json<MoveBody>,
) -> Result<Json<Moved>, AppError> {
    let to = do_move(&st, &raw, &b.work, &user).await?;
    Ok(Json(Moved {
        edition: raw,
        work: to.to_string(),
        url: format!("/books/{to}"),
    }))
}

/// Possible duplicates shown per page.
const PAIRS_PER_PAGE: u32 = 25;

#[derive(Deserialize)]
pub struct PageQuery {
    page: Option<u32>,
}

#[derive(Template)]
#[template(path = "catalog/duplicates.html")]
struct DuplicatesPage {
    layout: Layout,
    total: String,
    pairs: Vec<catalog::DuplicatePair>,
    page: u32,
    pages: u32,
}

/// `GET /catalog/duplicates[?page=N]`: works that may be one book.
pub async fn duplicates(
    State(st): State<AppState>,
    Query(q): Query<PageQuery>,
    Librarian(user): Librarian,
) -> Result<Html<String>, AppError> {
    let total = catalog::count_duplicate_pairs(&st.db).await?;
    let pages = (total as u32).div_ceil(PAIRS_PER_PAGE).max(1);
    let page_no = q.page.unwrap_or(1);
    if page_no == 0 || page_no > pages {
        return Err(AppError::bad(
            "page",
            format!(
                "There is no page {page_no} of possible duplicates; pages go from 1 to {pages}."
            ),
        ));
    }
    let pairs = catalog::duplicate_pairs(&st.db, page_no, PAIRS_PER_PAGE).await?;
    page(&DuplicatesPage {
        layout: Layout::for_user(Some(&user)),
        total: plural(total, "pair", "pairs"),
        pairs,
        page: page_no,
        pages,
    })
}
