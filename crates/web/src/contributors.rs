//! `GET /contributors/search?q=`: names of contributors Quire knows, for
//! the "pick an existing contributor" list of the add-a-book form (htmx
//! fills its `<datalist>`) and the admin's verified links. JSON for
//! clients that ask for it.

use crate::AppState;
use crate::error::AppError;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{Html, IntoResponse, Response};
use quire_storage::catalog;
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: Option<String>,
    /// The add-a-book form's name field sends itself under its own name.
    #[serde(default)]
    contributor_name: Option<String>,
    #[serde(default)]
    contributor: Option<String>,
    /// The admin's link form sends its name field.
    #[serde(default)]
    name: Option<String>,
}

#[derive(Serialize)]
pub struct ContributorNames {
    pub names: Vec<String>,
}

pub async fn search(
    State(st): State<AppState>,
    Query(q): Query<SearchQuery>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let text =
        q.q.or(q.contributor_name)
            .or(q.contributor)
            .or(q.name)
            .unwrap_or_default();
    if text.chars().count() > 200 {
        return Err(AppError::bad("q", "Search with at most 200 characters."));
    }
    let names = if text.trim().chars().count() < 2 {
        Vec::new()
    } else {
        catalog::find_contributors(&st.db, &text, 12).await?
    };
    let wants_json = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if wants_json {
        return Ok(Json(ContributorNames { names }).into_response());
    }
    let options: String = names
        .iter()
        .map(|n| format!("<option value=\"{}\"></option>", crate::view::escape(n)))
        .collect();
    Ok(Html(options).into_response())
}
