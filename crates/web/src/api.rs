//! The JSON API, version 1. Errors are `{"error": {"code", "message",
//! "field"}}` with stable snake_case codes (see `error.rs`).
//!
//! The API's plumbing lives beside this file: personal access tokens and
//! their scopes (`bearer`, `scopes`, `tokens_page`), the table of every
//! operation (`catalogue`), cursor paging (`cursor`), the OpenAPI document
//! (`openapi`) and the API page (`page`).

pub mod bearer;
pub mod catalogue;
pub mod cursor;
pub mod openapi;
pub mod page;
pub mod scopes;
pub mod tokens_page;

use crate::AppState;
use crate::auth::Member;
use crate::books::page::prepared;
use crate::error::AppError;
use crate::input::{Json, Query};
use crate::paths::WorkPath;
use axum::extract::State;
use quire_domain::{Isbn13, Rating};
use quire_storage::{catalog, ratings};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Deserialize)]
pub struct LookupQuery {
    isbn: Option<String>,
    title: Option<String>,
}

pub async fn lookup(
    State(st): State<AppState>,
    Query(q): Query<LookupQuery>,
) -> Result<Json<Value>, AppError> {
    let found = match (q.isbn.as_deref(), q.title.as_deref()) {
        (Some(isbn), _) => {
            let isbn = Isbn13::parse(isbn).map_err(|e| AppError::bad("isbn", e.to_string()))?;
            catalog::find_by_isbn(&st.db, isbn)
                .await?
                .into_iter()
                .collect()
        }
        (None, Some(t)) if !t.trim().is_empty() && t.chars().count() <= 200 => {
            catalog::search(&st.db, t, 50).await?
        }
        (None, Some(_)) => {
            return Err(AppError::bad(
                "title",
                "Give a title (or author) of 1 to 200 characters.",
            ));
        }
        (None, None) => {
            return Err(AppError::bad(
                "isbn",
                "Look books up with ?isbn=… or ?title=…",
            ));
        }
    };
    let results: Vec<Value> = found
        .iter()
        .map(|w| {
            json!({
                "id": w.id,
                "title": w.title,
                "subtitle": w.subtitle,
                "authors": w.authors,
                "url": format!("/books/{}/{}", w.id, w.slug),
                "api_url": format!("/api/v1/books/{}", w.id),
            })
        })
        .collect();
    Ok(Json(json!({ "results": results })))
}

pub async fn book(
    State(st): State<AppState>,
    WorkPath(work): WorkPath,
) -> Result<Json<Value>, AppError> {
    let p = prepared(&st, work, 1).await?;
    let page = &p.page;
    let s = &page.stats;
    Ok(Json(json!({
        "id": page.work.id,
        "title": page.work.title,
        "subtitle": page.work.subtitle,
        "url": format!("/books/{}/{}", page.work.id, page.work.slug),
        "series": page.work.series.as_ref().map(|n| json!({"name": n, "position": page.work.series_position})),
        "first_published": page.work.first_published,
        "first_published_display": page.work.first_published.map(|d| d.to_string()),
        "contributors": page.credits.iter().map(|c| json!({
            "name": c.name, "role": c.role, "edition": c.edition,
        })).collect::<Vec<_>>(),
        "editions": page.editions.iter().map(|e| json!({
            "id": e.id,
            "title": e.title,
            "format": e.format,
            "pages": e.pages,
            "isbn13": e.isbn13,
            "isbn10": e.isbn10,
            "publisher": e.publisher,
            "published": e.published,
            "published_display": e.published.map(|d| d.to_string()),
            "language": e.language,
            "primary": e.is_primary,
        })).collect::<Vec<_>>(),
        "subjects": page.subjects,
        "stats": {
            "rating_count": s.rating_count(),
            "rating_average": s.rating_average(),
            "ratings_by_half_star": s.histogram,
            "review_count": s.review_count,
            "members_reading_now": s.reading_now,
            "members_have_read": s.have_read,
            "clubs_reading_now": s.clubs_reading_now,
            "recommended_to_clubs": {"yes": s.recommend_yes, "answered": s.recommend_answered},
        },
        "material": page.materials.iter().map(|m| json!({
            "kind": m.kind, "source": m.source, "body": m.body, "attribution": m.attribution,
            "verified": m.verified, "posted_by": m.posted_by,
        })).collect::<Vec<_>>(),
        "discussion_questions": page.questions.iter().map(|q| json!({
            "id": q.id, "body": q.body, "source": q.source, "votes": q.votes,
        })).collect::<Vec<_>>(),
        "reviews": page.reviews.iter().map(|r| json!({
            "id": r.id,
            "reviewer": {"username": r.reviewer_username, "name": r.reviewer_name},
            "date": r.created_at.date().to_string(),
            "rating": r.rating,
            "headline": r.headline,
            "html": r.body_html,
            "spoiler": r.spoiler,
            "recommends_to_clubs": r.recommends,
        })).collect::<Vec<_>>(),
        "reviews_page": {"page": page.review_page, "pages": page.review_pages(), "per_page": page.reviews_per_page},
    })))
}

#[derive(Deserialize)]
pub struct RateBody {
    stars: Value,
}

/// `POST /api/v1/books/{id}/rating` with `{"stars": 4.5}` (or `null` to
/// clear), for a signed-in session.
pub async fn rate(
    State(st): State<AppState>,
    WorkPath(work): WorkPath,
    m: Member,
    Json(body): Json<RateBody>,
) -> Result<Json<Value>, AppError> {
    match &body.stars {
        Value::Null => ratings::clear(&st.db, m.id(), work).await?,
        Value::Number(n) => {
            let r = n
                .as_f64()
                .ok_or_else(|| AppError::bad("stars", "stars must be a number"))
                .and_then(|v| {
                    Rating::try_from(v).map_err(|e| AppError::bad("stars", e.to_string()))
                })?;
            ratings::set(&st.db, m.id(), work, r).await?;
        }
        other => {
            return Err(AppError::bad(
                "stars",
                format!("stars must be a number from 0.5 to 5 in half stars, or null; got {other}"),
            ));
        }
    }
    let p = prepared(&st, work, 1).await?;
    Ok(Json(json!({
        "rating": body.stars,
        "rating_count": p.page.stats.rating_count(),
        "rating_average": p.page.stats.rating_average(),
    })))
}

/// The API's own routes: the document, the page, the token page and the
/// paged reviews of a book.
pub fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/api", get(page::api_page))
        .route("/api/openapi.json", get(page::openapi_json))
        .route(
            "/account/tokens",
            get(tokens_page::tokens_page).post(tokens_page::create_token),
        )
        .route(
            "/account/tokens/{id}/revoke",
            post(tokens_page::revoke_token),
        )
        .route("/api/v1/books/{id}/reviews", get(reviews))
}

/// One review in the API.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[schema(as = Review)]
pub struct ReviewJson {
    id: uuid::Uuid,
    reviewer: ReviewerJson,
    /// When it was written (RFC 3339).
    created_at: String,
    /// The reviewer's rating of the book in stars (0.5 to 5), if any.
    #[schema(value_type = Option<f64>)]
    rating: Option<Rating>,
    headline: Option<String>,
    /// The review as safe HTML.
    html: String,
    /// The reviewer marked it as giving the story away.
    spoiler: bool,
    recommends_to_clubs: Option<bool>,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
#[schema(as = Reviewer)]
pub struct ReviewerJson {
    username: String,
    name: String,
}

/// `GET /api/v1/books/{id}/reviews?limit=&cursor=`: a book's reviews,
/// newest first, paged by (written at, id).
pub async fn reviews(
    State(st): State<AppState>,
    WorkPath(work): WorkPath,
    Query(q): Query<cursor::PageQuery>,
) -> Result<Json<cursor::Page<ReviewJson>>, AppError> {
    let limit = q.limit()?;
    let after = q.after_time()?;
    let rows = quire_storage::book_page::reviews_after(&st.db, work, after, limit + 1)
        .await?
        .ok_or_else(|| AppError::NotFound("There is no such book in Quire.".into()))?;
    Ok(Json(cursor::page_of(
        rows,
        limit,
        |r| cursor::time_key(r.created_at, r.id),
        |r| ReviewJson {
            id: r.id,
            reviewer: ReviewerJson {
                username: r.reviewer_username,
                name: r.reviewer_name,
            },
            created_at: r
                .created_at
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
            rating: r.rating,
            headline: r.headline,
            html: r.body_html,
            spoiler: r.spoiler,
            recommends_to_clubs: r.recommends,
        },
    )))
}
