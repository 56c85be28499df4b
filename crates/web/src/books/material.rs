//! Posting book-club material on a book: praise, a description, an
//! excerpt, a note to book clubs. Who may post it with which source is
//! decided by the permission layer (`permissions::require_for_work`): the
//! author's and the publisher's need a verified link to this book and carry
//! a verified mark; a librarian may post as Quire; any member posts as a
//! member, with their name shown.

use super::page::{book_path, prepared};
use crate::AppState;
use crate::auth::Member;
use crate::error::AppError;
use crate::paths::WorkPath;
use crate::permissions::{Permission, default_material_source, require_for_work};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use quire_domain::text::MAX_REVIEW_CHARS;
use quire_domain::{MaterialKind, Source, WorkId};
use quire_storage::catalog::{self, NewMaterial};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The longest attribution ("— The Guardian"), in characters.
const MAX_ATTRIBUTION_CHARS: usize = 200;

/// The form and the JSON body alike.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct MaterialInput {
    #[serde(default)]
    pub kind: String,
    /// Markdown.
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub attribution: Option<String>,
    /// author, publisher, member or quire; when absent, the most specific
    /// the account has for this book (author, then publisher, then member).
    #[serde(default)]
    pub source: Option<String>,
}

/// What was posted.
#[derive(Clone, Debug, Serialize)]
pub struct PostedMaterial {
    pub id: Uuid,
    pub work_id: WorkId,
    pub kind: MaterialKind,
    pub source: Source,
    /// "From the author", "From a member"…
    pub source_label: &'static str,
    pub verified: bool,
}

async fn post(
    st: &AppState,
    m: &Member,
    work: WorkId,
    input: &MaterialInput,
) -> Result<PostedMaterial, AppError> {
    let kind = MaterialKind::parse(input.kind.trim()).ok_or_else(|| {
        AppError::bad(
            "kind",
            format!(
                "Choose what this is: {}.",
                MaterialKind::ALL
                    .iter()
                    .map(|k| k.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
    })?;
    let body = input.body.trim();
    if body.is_empty() {
        return Err(AppError::bad("body", "Write the material's text."));
    }
    if body.chars().count() > MAX_REVIEW_CHARS {
        return Err(AppError::bad(
            "body",
            format!("The text is at most {MAX_REVIEW_CHARS} characters."),
        ));
    }
    let attribution = input
        .attribution
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty());
    if attribution.is_some_and(|a| a.chars().count() > MAX_ATTRIBUTION_CHARS) {
        return Err(AppError::bad(
            "attribution",
            format!("An attribution is at most {MAX_ATTRIBUTION_CHARS} characters."),
        ));
    }
    let source = match input.source.as_deref().map(str::trim) {
        None | Some("") => default_material_source(st, &m.0, work).await?,
        Some(s) => Source::parse(s).ok_or_else(|| {
            AppError::bad(
                "source",
                format!("\"{s}\" is not a source; use author, publisher, member or quire."),
            )
        })?,
    };
    require_for_work(st, &m.0, Permission::PostMaterial(source), work).await?;
    // The book must exist before anything is written (a 404, not a 500).
    prepared(st, work, 1).await?;
    let verified = matches!(source, Source::Author | Source::Publisher);
    let id = catalog::post_material(
        &st.db,
        &NewMaterial {
            work_id: work,
            kind,
            body: body.to_string(),
            attribution: attribution.map(str::to_string),
            source,
            created_by: Some(m.id()),
        },
        verified,
    )
    .await?;
    Ok(PostedMaterial {
        id,
        work_id: work,
        kind,
        source,
        source_label: source.label(),
        verified,
    })
}

/// `POST /books/{id}/material`, from the form on the book page.
pub async fn post_form(
    State(st): State<AppState>,
    WorkPath(work): WorkPath,
    m: Member,
    Form(input): Form<MaterialInput>,
) -> Result<Response, AppError> {
    let posted = post(&st, &m, work, &input).await?;
    let p = prepared(&st, work, 1).await?;
    let anchor = match posted.kind {
        MaterialKind::Blurb => "praise",
        MaterialKind::Description => "description",
        MaterialKind::EditorialReview => "editorial-review",
        MaterialKind::Excerpt => "excerpt",
        MaterialKind::AuthorNote => "author-notes",
        MaterialKind::Award => "awards",
    };
    Ok(Redirect::to(&format!("{}#{anchor}", book_path(&p))).into_response())
}

/// `POST /api/v1/books/{id}/material` with `{"kind", "body",
/// "attribution"?, "source"?}`.
pub async fn post_api(
    State(st): State<AppState>,
    WorkPath(work): WorkPath,
    m: Member,
    Json(input): Json<MaterialInput>,
) -> Result<(StatusCode, Json<PostedMaterial>), AppError> {
    let posted = post(&st, &m, work, &input).await?;
    Ok((StatusCode::CREATED, Json(posted)))
}
