//! A member's own state of a book over the JSON API, the twins of the book
//! page's reader box: the review, the reading (start, place, finish, give
//! up), the queue and their own shelves, and the list of their shelves.
//! Each calls the same function as the page's form, so the checks and
//! messages are the page's.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use quire_storage::{profile, reviews, shelves};
use serde::Deserialize;
use serde_json::json;

use super::actions::{ReadingForm, ReviewForm, apply_reading, save_review};
use crate::AppState;
use crate::auth::Member;
use crate::error::AppError;
use crate::input::Json;
use crate::paths::WorkPath;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/books/{id}/review",
            put(put_review).delete(delete_review),
        )
        .route("/api/v1/books/{id}/reading", put(put_reading))
        .route(
            "/api/v1/books/{id}/queue",
            put(queue_add).delete(queue_remove),
        )
        .route(
            "/api/v1/books/{id}/shelves/{shelf}",
            put(shelve).delete(unshelve),
        )
        .route("/api/v1/me/shelves", get(my_shelves).post(new_shelf))
}

/// A review as JSON: `recommends` is true, false or null.
#[derive(Deserialize)]
struct ReviewJson {
    #[serde(default)]
    headline: String,
    body: String,
    #[serde(default)]
    spoiler: bool,
    #[serde(default)]
    recommends: Option<bool>,
}

async fn put_review(
    State(st): State<AppState>,
    WorkPath(work): WorkPath,
    m: Member,
    Json(r): Json<ReviewJson>,
) -> Result<Response, AppError> {
    let form = ReviewForm {
        headline: r.headline,
        body: r.body,
        spoiler: r.spoiler.then(|| "on".to_string()),
        recommends: match r.recommends {
            Some(true) => "yes".into(),
            Some(false) => "no".into(),
            None => String::new(),
        },
    };
    save_review(&st, &m, work, &form).await?;
    let own = reviews::own(&st.db, m.id(), work).await?;
    Ok(axum::Json(json!({
        "book": format!("/books/{work}"),
        "review": own.map(|o| json!({
            "headline": o.headline,
            "body": o.body,
            "spoiler": o.spoiler,
            "recommends": o.recommends,
        })),
    }))
    .into_response())
}

async fn delete_review(
    State(st): State<AppState>,
    WorkPath(work): WorkPath,
    m: Member,
) -> Result<Response, AppError> {
    let deleted = reviews::delete(&st.db, m.id(), work).await?;
    Ok(axum::Json(json!({ "deleted": deleted })).into_response())
}

async fn put_reading(
    State(st): State<AppState>,
    WorkPath(work): WorkPath,
    m: Member,
    Json(f): Json<ReadingForm>,
) -> Result<Response, AppError> {
    let done = apply_reading(&st, &m, work, &f).await?;
    Ok(axum::Json(json!({ "book": format!("/books/{work}"), "done": done })).into_response())
}

async fn queue_add(
    State(st): State<AppState>,
    WorkPath(work): WorkPath,
    m: Member,
) -> Result<Response, AppError> {
    shelves::queue_add(&st.db, m.id(), work).await?;
    Ok(axum::Json(json!({ "queued": true })).into_response())
}

async fn queue_remove(
    State(st): State<AppState>,
    WorkPath(work): WorkPath,
    m: Member,
) -> Result<Response, AppError> {
    shelves::queue_remove(&st.db, m.id(), work).await?;
    Ok(axum::Json(json!({ "queued": false })).into_response())
}

/// The slug of one of the member's own shelves, or 404 naming it.
async fn own_shelf(st: &AppState, m: &Member, slug: &str) -> Result<String, AppError> {
    let counts = profile::counts(&st.db, m.id()).await?;
    counts
        .shelves
        .iter()
        .find_map(|s| match &s.key {
            profile::ShelfKey::Custom(k) if k == slug => Some(k.clone()),
            _ => None,
        })
        .ok_or_else(|| {
            AppError::NotFound(format!(
                "You have no shelf \"{slug}\"; make it first with POST /api/v1/me/shelves."
            ))
        })
}

async fn shelve(
    State(st): State<AppState>,
    WorkPath(work): WorkPath,
    Path((_, slug)): Path<(String, String)>,
    m: Member,
) -> Result<Response, AppError> {
    let slug = own_shelf(&st, &m, &slug).await?;
    shelves::shelve(&st.db, m.id(), &slug, work).await?;
    Ok(axum::Json(json!({ "shelf": slug, "on": true })).into_response())
}

async fn unshelve(
    State(st): State<AppState>,
    WorkPath(work): WorkPath,
    Path((_, slug)): Path<(String, String)>,
    m: Member,
) -> Result<Response, AppError> {
    let slug = own_shelf(&st, &m, &slug).await?;
    shelves::unshelve(&st.db, m.id(), &slug, work).await?;
    Ok(axum::Json(json!({ "shelf": slug, "on": false })).into_response())
}

async fn my_shelves(State(st): State<AppState>, m: Member) -> Result<Response, AppError> {
    let counts = profile::counts(&st.db, m.id()).await?;
    let list: Vec<_> = counts
        .shelves
        .iter()
        .map(|s| {
            let own = matches!(s.key, profile::ShelfKey::Custom(_));
            json!({
                "slug": s.key.slug(),
                "own": own,
                "name": s.name,
                "books": s.count,
            })
        })
        .collect();
    Ok(axum::Json(json!({
        "shelves": list,
        "ratings": counts.ratings,
        "reviews": counts.reviews,
    }))
    .into_response())
}

#[derive(Deserialize)]
struct NewShelf {
    name: String,
}

async fn new_shelf(
    State(st): State<AppState>,
    m: Member,
    Json(f): Json<NewShelf>,
) -> Result<Response, AppError> {
    let slug = shelves::create_shelf(&st.db, m.id(), &f.name)
        .await
        .map_err(|e| match e {
            quire_storage::StorageError::Conflict(msg) => AppError::bad("name", msg),
            e => AppError::from(e),
        })?;
    Ok((
        axum::http::StatusCode::CREATED,
        axum::Json(json!({ "slug": slug, "name": f.name.trim() })),
    )
        .into_response())
}
