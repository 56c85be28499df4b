//! Invitation links. Organisers make a link with an expiry and an optional
//! use limit at `/clubs/{slug}/invitations`, see it once (only its hash is
//! kept, as a session token's is), list and revoke links. Whoever holds a
//! usable link is "invited": `/invite/{token}` shows them the club, even a
//! secret one, and lets them join. A link that no longer works says why,
//! with 410 Gone (404 for a link Quire never made), and changes nothing.

use super::Club;
use crate::AppState;
use crate::auth::{Member, Viewer, new_token, token_hash};
use crate::error::AppError;
use crate::input::{Form, Json};
use crate::permissions::ClubPermission;
use crate::view::{Layout, day, page};
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use quire_domain::{ClubRole, InvitationId};
use quire_storage::clubs::invitations::{self, Invitation, Unusable};
use quire_storage::clubs::{self, Club as ClubRow, Standing};
use quire_storage::users::User;
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/clubs/{slug}/invitations",
            get(invitations_page).post(create_form),
        )
        .route(
            "/clubs/{slug}/invitations/{invitation}/revoke",
            post(revoke_form),
        )
        .route("/invite/{token}", get(landing).post(accept_form))
        .route(
            "/api/v1/clubs/{slug}/invitations",
            get(list_api).post(create_api),
        )
        .route(
            "/api/v1/clubs/{slug}/invitations/{invitation}",
            axum::routing::delete(revoke_api),
        )
        .route("/api/v1/invitations/{token}", get(landing_api))
        .route("/api/v1/invitations/{token}/accept", post(accept_api))
}

/// The lifetimes an organiser chooses from, in days.
pub const EXPIRY_DAYS: [i64; 3] = [1, 7, 30];
const DEFAULT_DAYS: i64 = 7;
/// The largest use limit a link may carry.
pub const MAX_USES: i64 = 10_000;
/// Tokens are 64 hex characters; anything much longer is not one.
const MAX_TOKEN: usize = 128;

/// An invitation as typed: every value a string, so a refused form comes
/// back as it was sent.
#[derive(Deserialize, Default, Clone)]
pub struct InvitationFields {
    #[serde(default)]
    pub expires_in_days: String,
    #[serde(default)]
    pub max_uses: String,
}

/// The checked lifetime (days) and use limit.
fn check(f: &InvitationFields) -> Result<(i64, Option<i64>), AppError> {
    let mut errors = Vec::new();
    let days = match f.expires_in_days.trim() {
        "" => Some(DEFAULT_DAYS),
        s => s.parse::<i64>().ok().filter(|d| EXPIRY_DAYS.contains(d)),
    };
    if days.is_none() {
        errors.push(crate::error::FieldError {
            field: "expires_in_days",
            message: "Choose how long the link works: 1, 7 or 30 days.".into(),
        });
    }
    let uses = match f.max_uses.trim() {
        "" => Some(None),
        s => s
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=MAX_USES).contains(n))
            .map(Some),
    };
    if uses.is_none() {
        errors.push(crate::error::FieldError {
            field: "max_uses",
            message: format!(
                "The use limit is a whole number from 1 to {MAX_USES}, or empty for no limit."
            ),
        });
    }
    match (days, uses) {
        (Some(d), Some(u)) if errors.is_empty() => Ok((d, u)),
        _ => Err(AppError::Invalid(errors)),
    }
}

/// Make a link; returns its id, its token (shown once) and when it expires.
async fn do_create(
    st: &AppState,
    club: &Club,
    f: &InvitationFields,
) -> Result<(InvitationId, String, OffsetDateTime, Option<i64>), AppError> {
    club.check(ClubPermission::Organise)?;
    let (days, uses) = check(f)?;
    let token = new_token();
    let expires = quire_storage::now() + Duration::days(days);
    let id = invitations::create(
        &st.db,
        club.club.id,
        club.user()?.user_id(),
        &token_hash(&token),
        expires,
        uses,
    )
    .await?;
    Ok((id, token, expires, uses))
}

/// `/invite/{token}`, the path a link points at.
pub fn invite_path(token: &str) -> String {
    format!("/invite/{token}")
}

/// The whole link, on the address the organiser reached Quire by.
fn full_link(st: &AppState, headers: &HeaderMap, token: &str) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.len() <= 255
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        });
    match host {
        Some(h) => format!(
            "{}://{h}{}",
            if st.config.secure_cookies {
                "https"
            } else {
                "http"
            },
            invite_path(token)
        ),
        None => invite_path(token),
    }
}

fn state_of(i: &Invitation, at: OffsetDateTime) -> &'static str {
    if i.revoked_at.is_some() {
        "revoked"
    } else if i.expires_at <= at {
        "expired"
    } else if i.max_uses.is_some_and(|m| i.uses >= m) {
        "used_up"
    } else {
        "active"
    }
}

// ---- Organisers' pages --------------------------------------------------

struct InvitationRow {
    id: String,
    made: String,
    by: String,
    expires: String,
    uses: String,
    state: &'static str,
    state_label: &'static str,
}

#[derive(Template)]
#[template(path = "clubs/invitations.html")]
struct InvitationsTemplate {
    layout: Layout,
    flash: Option<&'static str>,
    href: String,
    name: String,
    /// A link just made: shown this once.
    fresh: Option<String>,
    f: InvitationFields,
    errors: crate::view::FieldErrors,
    rows: Vec<InvitationRow>,
}

async fn draw(
    st: &AppState,
    club: &Club,
    fresh: Option<String>,
    f: InvitationFields,
    errors: Vec<crate::error::FieldError>,
    flash: Option<&'static str>,
) -> Result<Html<String>, AppError> {
    let at = quire_storage::now();
    let list = invitations::list(&st.db, club.club.id).await?;
    page(&InvitationsTemplate {
        layout: Layout::for_user(club.viewer.as_ref()),
        flash,
        href: club.href(),
        name: club.club.name.clone(),
        fresh,
        f,
        errors: crate::view::FieldErrors(errors),
        rows: list
            .iter()
            .map(|i| {
                let state = state_of(i, at);
                InvitationRow {
                    id: i.id.to_string(),
                    made: day(i.created_at),
                    by: i.created_by.clone().unwrap_or_default(),
                    expires: day(i.expires_at),
                    uses: match i.max_uses {
                        Some(m) => format!("{} of {m}", i.uses),
                        None => i.uses.to_string(),
                    },
                    state,
                    state_label: match state {
                        "revoked" => "Revoked",
                        "expired" => "Expired",
                        "used_up" => "Used up",
                        _ => "Active",
                    },
                }
            })
            .collect(),
    })
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    done: Option<String>,
}

pub async fn invitations_page(
    State(st): State<AppState>,
    club: Club,
    crate::input::Query(q): crate::input::Query<DoneQuery>,
) -> Result<Html<String>, AppError> {
    club.check(ClubPermission::Organise)?;
    let flash = match q.done.as_deref() {
        Some("revoked") => Some("The link is revoked; it no longer lets anyone in."),
        _ => None,
    };
    let f = InvitationFields {
        expires_in_days: DEFAULT_DAYS.to_string(),
        max_uses: String::new(),
    };
    draw(&st, &club, None, f, Vec::new(), flash).await
}

pub async fn create_form(
    State(st): State<AppState>,
    club: Club,
    headers: HeaderMap,
    Form(f): Form<InvitationFields>,
) -> Result<Response, AppError> {
    match do_create(&st, &club, &f).await {
        Ok((_, token, _, _)) => {
            let link = full_link(&st, &headers, &token);
            let blank = InvitationFields {
                expires_in_days: DEFAULT_DAYS.to_string(),
                max_uses: String::new(),
            };
            let body = draw(&st, &club, Some(link), blank, Vec::new(), None).await?;
            Ok((StatusCode::CREATED, body).into_response())
        }
        Err(AppError::Invalid(errors)) => {
            let body = draw(&st, &club, None, f, errors, None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, body).into_response())
        }
        Err(e) => Err(e),
    }
}

fn invitation_id(raw: &str) -> Result<InvitationId, AppError> {
    InvitationId::parse(raw)
        .ok_or_else(|| AppError::NotFound("There is no such invitation in this club.".into()))
}

pub async fn revoke_form(
    State(st): State<AppState>,
    club: Club,
    Path((_, raw)): Path<(String, String)>,
) -> Result<Redirect, AppError> {
    club.check(ClubPermission::Organise)?;
    invitations::revoke(&st.db, club.club.id, invitation_id(&raw)?).await?;
    Ok(Redirect::to(&format!(
        "{}/invitations?done=revoked",
        club.href()
    )))
}

// ---- Following a link ----------------------------------------------------

/// The club a token invites to, and what the visitor is to it; or the
/// error that says why the link does not work.
async fn followed(
    st: &AppState,
    token: &str,
    viewer: Option<&User>,
) -> Result<(ClubRow, Standing), AppError> {
    if token.is_empty() || token.len() > MAX_TOKEN {
        return Err(unusable(Unusable::Unknown));
    }
    let club = match invitations::peek(&st.db, &token_hash(token)).await? {
        Ok(club) => club,
        Err(why) => return Err(unusable(why)),
    };
    let slug = clubs::by_id(&st.db, club)
        .await?
        .ok_or_else(|| unusable(Unusable::Unknown))?
        .slug;
    clubs::by_slug(&st.db, &slug, viewer.map(|u| u.user_id()))
        .await?
        .ok_or_else(|| unusable(Unusable::Unknown))
}

/// 404 for a link Quire never made, 410 for one that stopped working.
fn unusable(why: Unusable) -> AppError {
    match why {
        Unusable::Unknown => AppError::NotFound(why.message().into()),
        _ => AppError::Gone(why.message().into()),
    }
}

fn refuse_banned(standing: &Standing) -> Result<(), AppError> {
    if standing.banned {
        return Err(AppError::Forbidden(
            "The club's organisers have removed you from this club, so this invitation does not let you in."
                .into(),
        ));
    }
    Ok(())
}

#[derive(Template)]
#[template(path = "clubs/invite.html")]
struct LandingTemplate {
    layout: Layout,
    name: String,
    description: String,
    members: String,
    visibility: quire_domain::Visibility,
    href: String,
    action: String,
    sign_in: String,
    signed_in: bool,
    member: bool,
}

pub async fn landing(
    State(st): State<AppState>,
    Viewer(v): Viewer,
    Path(token): Path<String>,
) -> Result<Html<String>, AppError> {
    let (club, standing) = followed(&st, &token, v.as_ref()).await?;
    let mut access = super::access_of(&club, standing, v.as_ref());
    access.invited = true;
    access.check(ClubPermission::See)?;
    refuse_banned(&standing)?;
    let path = invite_path(&token);
    page(&LandingTemplate {
        layout: Layout::for_user(v.as_ref()),
        name: club.name.clone(),
        description: club.description.clone(),
        members: crate::view::plural(club.members, "member", "members"),
        visibility: club.visibility,
        href: super::href(&club.slug),
        sign_in: format!("/login?next={path}"),
        action: path,
        signed_in: v.is_some(),
        member: access.is_member(),
    })
}

/// Join by the link; the club's slug on success.
async fn do_accept(st: &AppState, user: &User, token: &str) -> Result<String, AppError> {
    let (club, standing) = followed(st, token, Some(user)).await?;
    refuse_banned(&standing)?;
    match invitations::accept(&st.db, &token_hash(token), user.user_id()).await? {
        Ok(_) => Ok(club.slug),
        Err(why) => Err(unusable(why)),
    }
}

pub async fn accept_form(
    State(st): State<AppState>,
    Member(u): Member,
    Path(token): Path<String>,
) -> Result<Redirect, AppError> {
    let slug = do_accept(&st, &u, &token).await?;
    Ok(Redirect::to(&format!("{}?done=joined", super::href(&slug))))
}

// ---- API ------------------------------------------------------------------

#[derive(Serialize)]
pub struct InvitationJson {
    pub id: String,
    pub created_by: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    pub max_uses: Option<i64>,
    pub uses: i64,
    /// active, expired, used_up or revoked.
    pub state: &'static str,
}

#[derive(Serialize)]
pub struct InvitationsJson {
    pub invitations: Vec<InvitationJson>,
}

pub async fn list_api(
    State(st): State<AppState>,
    club: Club,
) -> Result<Json<InvitationsJson>, AppError> {
    club.check(ClubPermission::Organise)?;
    let at = quire_storage::now();
    let list = invitations::list(&st.db, club.club.id).await?;
    Ok(Json(InvitationsJson {
        invitations: list
            .iter()
            .map(|i| InvitationJson {
                id: i.id.to_string(),
                created_by: i.created_by.clone(),
                created_at: i.created_at,
                expires_at: i.expires_at,
                max_uses: i.max_uses,
                uses: i.uses,
                state: state_of(i, at),
            })
            .collect(),
    }))
}

/// A new link as JSON: the token and link appear in this answer only.
#[derive(Serialize)]
pub struct NewInvitationJson {
    pub id: String,
    pub token: String,
    pub path: String,
    pub url: String,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    pub max_uses: Option<i64>,
}

/// The JSON body: numbers, not text.
#[derive(Deserialize, Default)]
pub struct InvitationBody {
    expires_in_days: Option<i64>,
    max_uses: Option<i64>,
}

pub async fn create_api(
    State(st): State<AppState>,
    club: Club,
    headers: HeaderMap,
    Json(b): Json<InvitationBody>,
) -> Result<Response, AppError> {
    let f = InvitationFields {
        expires_in_days: b.expires_in_days.map(|d| d.to_string()).unwrap_or_default(),
        max_uses: b.max_uses.map(|d| d.to_string()).unwrap_or_default(),
    };
    let (id, token, expires_at, max_uses) = do_create(&st, &club, &f).await?;
    Ok((
        StatusCode::CREATED,
        Json(NewInvitationJson {
            id: id.to_string(),
            url: full_link(&st, &headers, &token),
            path: invite_path(&token),
            token,
            expires_at,
            max_uses,
        }),
    )
        .into_response())
}

pub async fn revoke_api(
    State(st): State<AppState>,
    club: Club,
    Path((_, raw)): Path<(String, String)>,
) -> Result<Json<super::membership::Done>, AppError> {
    club.check(ClubPermission::Organise)?;
    invitations::revoke(&st.db, club.club.id, invitation_id(&raw)?).await?;
    Ok(Json(super::membership::Done { done: "revoked" }))
}

/// What a link's holder may know of the club before joining.
#[derive(Serialize)]
pub struct InvitedJson {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub visibility: quire_domain::Visibility,
    pub members: i64,
    pub role: Option<ClubRole>,
}

pub async fn landing_api(
    State(st): State<AppState>,
    Viewer(v): Viewer,
    Path(token): Path<String>,
) -> Result<Json<InvitedJson>, AppError> {
    let (club, standing) = followed(&st, &token, v.as_ref()).await?;
    refuse_banned(&standing)?;
    Ok(Json(InvitedJson {
        slug: club.slug,
        name: club.name,
        description: club.description,
        visibility: club.visibility,
        members: club.members,
        role: standing.role,
    }))
}

pub async fn accept_api(
    State(st): State<AppState>,
    Member(u): Member,
    Path(token): Path<String>,
) -> Result<Json<InvitedJson>, AppError> {
    let slug = do_accept(&st, &u, &token).await?;
    let (club, standing) = clubs::by_slug(&st.db, &slug, Some(u.user_id()))
        .await?
        .ok_or_else(super::super::permissions::club_not_found)?;
    Ok(Json(InvitedJson {
        slug: club.slug,
        name: club.name,
        description: club.description,
        visibility: club.visibility,
        members: club.members,
        role: standing.role,
    }))
}
