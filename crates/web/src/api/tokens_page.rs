//! The token page, `/account/tokens`: a member's personal access tokens
//! with their scopes, expiry and last use; making one (its secret shown
//! once, only its hash stored) and revoking one. Tokens are managed from
//! a signed-in page only: a token cannot make or revoke tokens.

use super::bearer::{BearerAuth, new_secret};
use super::scopes::{self, Scope};
use crate::AppState;
use crate::auth::{Member, token_hash};
use crate::error::AppError;
use crate::view::{Layout, day, page};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use quire_storage::tokens::{self, NewToken, Token};
use quire_storage::users::User;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

const EXPIRIES: &[(&str, &str)] = &[
    ("30", "In 30 days"),
    ("90", "In 90 days"),
    ("365", "In a year"),
    ("7", "In 7 days"),
    ("never", "Never"),
];

pub struct Shown {
    pub id: Uuid,
    pub name: String,
    pub scopes: String,
    pub created: String,
    pub expires: String,
    pub last_used: String,
}

pub struct ScopeBox {
    pub name: &'static str,
    pub description: &'static str,
    pub checked: bool,
}

pub struct NewSecret {
    pub name: String,
    pub secret: String,
}

#[derive(Template)]
#[template(path = "account/tokens.html")]
struct TokensPage {
    layout: Layout,
    tokens: Vec<Shown>,
    scopes: Vec<ScopeBox>,
    expiries: &'static [(&'static str, &'static str)],
    name: String,
    expires: String,
    secret: Option<NewSecret>,
    error: Option<String>,
}

fn shown(t: &Token, now: OffsetDateTime) -> Shown {
    Shown {
        id: t.id,
        name: t.name.clone(),
        scopes: t.scopes.split_whitespace().collect::<Vec<_>>().join(", "),
        created: day(t.created_at),
        expires: match t.expires_at {
            None => "never expires".into(),
            Some(e) if e <= now => format!("expired {}", day(e)),
            Some(e) => format!("expires {}", day(e)),
        },
        last_used: match t.last_used_at {
            None => "never used".into(),
            Some(u) => format!("last used {}", day(u)),
        },
    }
}

struct Draft {
    name: String,
    scopes: Vec<Scope>,
    expires: String,
}

impl Default for Draft {
    fn default() -> Self {
        Self {
            name: String::new(),
            scopes: vec![Scope::Read],
            expires: "90".into(),
        }
    }
}

async fn draw(
    st: &AppState,
    user: &User,
    draft: Draft,
    secret: Option<NewSecret>,
    error: Option<String>,
) -> Result<Response, AppError> {
    let now = quire_storage::now();
    let list = tokens::list(&st.db, user.user_id()).await?;
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let body = page(&TokensPage {
        layout: Layout::for_user(Some(user)),
        tokens: list.iter().map(|t| shown(t, now)).collect(),
        scopes: Scope::ALL
            .into_iter()
            .map(|s| ScopeBox {
                name: s.name(),
                description: s.description(),
                checked: draft.scopes.contains(&s),
            })
            .collect(),
        expiries: EXPIRIES,
        name: draft.name,
        expires: draft.expires,
        secret,
        error,
    })?;
    Ok((status, body).into_response())
}

/// Tokens are managed with a session, never with a token.
fn session_only(bearer: Option<&BearerAuth>) -> Result<(), AppError> {
    match bearer {
        Some(_) => Err(AppError::Forbidden(
            "Tokens are made and revoked on the token page while signed in, not with a token."
                .into(),
        )),
        None => Ok(()),
    }
}

pub async fn tokens_page(
    State(st): State<AppState>,
    Member(u): Member,
) -> Result<Response, AppError> {
    draw(&st, &u, Draft::default(), None, None).await
}

/// `POST /account/tokens`: `name`, one `scope` per ticked box, `expires`
/// (days, or `never`).
pub async fn create_token(
    State(st): State<AppState>,
    Member(u): Member,
    bearer: Option<axum::Extension<BearerAuth>>,
    body: Bytes,
) -> Result<Response, AppError> {
    session_only(bearer.as_deref())?;
    let mut draft = Draft {
        name: String::new(),
        scopes: Vec::new(),
        expires: "90".into(),
    };
    let mut unknown = None;
    for (k, v) in form_urlencoded::parse(&body) {
        match &*k {
            "name" => draft.name = v.trim().to_owned(),
            "scope" => match Scope::parse(&v) {
                Some(s) => draft.scopes.push(s),
                None => unknown = Some(v.into_owned()),
            },
            "expires" => draft.expires = v.into_owned(),
            _ => {}
        }
    }
    let problem = if draft.name.is_empty() || draft.name.chars().count() > 100 {
        Some("Name: give the token a name of 1 to 100 characters, saying what it is for.".into())
    } else if let Some(s) = unknown {
        Some(format!("Scopes: there is no scope called “{s}”."))
    } else if draft.scopes.is_empty() {
        Some("Scopes: tick at least one scope.".to_string())
    } else if !EXPIRIES.iter().any(|(v, _)| *v == draft.expires) {
        Some("Expires: choose one of the offered times.".to_string())
    } else if draft.scopes.contains(&Scope::Admin) && u.role < quire_domain::SiteRole::Admin {
        Some("Scopes: only admins can make a token with the admin scope.".to_string())
    } else {
        None
    };
    if let Some(p) = problem {
        return draw(&st, &u, draft, None, Some(p)).await;
    }
    draft.scopes.sort();
    draft.scopes.dedup();
    let expires_at = draft
        .expires
        .parse::<i64>()
        .ok()
        .map(|d| quire_storage::now() + Duration::days(d));
    let secret = new_secret();
    let hash = token_hash(&secret);
    let stored = scopes::to_stored(&draft.scopes);
    tokens::create(
        &st.db,
        &NewToken {
            id: Uuid::now_v7(),
            user: u.user_id(),
            name: &draft.name,
            token_hash: &hash,
            scopes: &stored,
            expires_at,
        },
    )
    .await?;
    let name = draft.name.clone();
    let mut res = draw(
        &st,
        &u,
        Draft::default(),
        Some(NewSecret { name, secret }),
        None,
    )
    .await?;
    *res.status_mut() = StatusCode::CREATED;
    // The secret is on this page only: never keep it in a cache.
    res.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(res)
}

pub async fn revoke_token(
    State(st): State<AppState>,
    Member(u): Member,
    bearer: Option<axum::Extension<BearerAuth>>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    session_only(bearer.as_deref())?;
    let id = Uuid::parse_str(&id)
        .map_err(|_| AppError::NotFound("There is no such token in Quire.".into()))?;
    tokens::revoke(&st.db, u.user_id(), id).await?;
    Ok(Redirect::to("/account/tokens").into_response())
}
