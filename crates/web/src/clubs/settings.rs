//! A club's settings (`/clubs/{slug}/settings`, `PATCH /api/v1/clubs/{slug}`):
//! the fields a club is started with, checked by the same function, plus
//! whether members may nominate books; and deleting the club (the owner
//! only, after typing its name).

use super::Club;
use super::directory::{ClubFields, ClubJson, check_fields};
use crate::AppState;
use crate::error::AppError;
use crate::input::{Form, Json};
use crate::permissions::ClubPermission;
use crate::view::{FieldErrors, Layout, page};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use quire_storage::clubs;
use serde::{Deserialize, Serialize};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/clubs/{slug}/settings", get(settings_form).post(save_form))
        .route("/clubs/{slug}/delete", post(delete_form))
        .route(
            "/api/v1/clubs/{slug}",
            axum::routing::patch(save_api).delete(delete_api),
        )
}

#[derive(Template)]
#[template(path = "clubs/settings.html")]
struct SettingsTemplate {
    layout: Layout,
    href: String,
    club_name: String,
    f: ClubFields,
    errors: FieldErrors,
    zones: &'static [String],
    owner: bool,
    delete_error: Option<String>,
}

fn fields_of(c: &clubs::Club) -> ClubFields {
    ClubFields {
        name: c.name.clone(),
        description: c.description.clone(),
        visibility: c.visibility.as_str().to_string(),
        join_policy: c.join_policy.as_str().to_string(),
        time_zone: c.time_zone.clone(),
        nominations_open: c.nominations_open.then(|| "on".to_string()),
    }
}

fn draw(
    club: &Club,
    f: ClubFields,
    errors: FieldErrors,
    delete_error: Option<String>,
) -> Result<Html<String>, AppError> {
    page(&SettingsTemplate {
        layout: Layout::for_user(club.viewer.as_ref()),
        href: club.href(),
        club_name: club.club.name.clone(),
        f,
        errors,
        zones: super::zone::names(),
        owner: club.allows(ClubPermission::Own),
        delete_error,
    })
}

pub async fn settings_form(club: Club) -> Result<Html<String>, AppError> {
    club.check(ClubPermission::Organise)?;
    draw(&club, fields_of(&club.club), FieldErrors::default(), None)
}

/// Check and save; a ticked box arrives as "on" (a form) or "true" (JSON).
async fn save(st: &AppState, club: &Club, f: &ClubFields) -> Result<(), AppError> {
    club.check(ClubPermission::Organise)?;
    let settings = check_fields(f)?;
    let open = f
        .nominations_open
        .as_deref()
        .is_some_and(|v| matches!(v.trim(), "on" | "true"));
    clubs::update(&st.db, club.club.id, &settings.as_new(), open).await?;
    Ok(())
}

pub async fn save_form(
    State(st): State<AppState>,
    club: Club,
    Form(f): Form<ClubFields>,
) -> Result<Response, AppError> {
    match save(&st, &club, &f).await {
        Ok(()) => Ok(Redirect::to(&format!("{}?done=settings", club.href())).into_response()),
        Err(AppError::Invalid(errors)) => {
            let body = draw(&club, f, FieldErrors(errors), None)?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, body).into_response())
        }
        Err(e) => Err(e),
    }
}

/// The JSON body: any field left out keeps its value.
#[derive(Deserialize, Default)]
pub struct SettingsBody {
    name: Option<String>,
    description: Option<String>,
    visibility: Option<String>,
    join_policy: Option<String>,
    time_zone: Option<String>,
    nominations_open: Option<bool>,
}

pub async fn save_api(
    State(st): State<AppState>,
    club: Club,
    Json(b): Json<SettingsBody>,
) -> Result<Json<ClubJson>, AppError> {
    let mut f = fields_of(&club.club);
    if let Some(v) = b.name {
        f.name = v;
    }
    if let Some(v) = b.description {
        f.description = v;
    }
    if let Some(v) = b.visibility {
        f.visibility = v;
    }
    if let Some(v) = b.join_policy {
        f.join_policy = v;
    }
    if let Some(v) = b.time_zone {
        f.time_zone = v;
    }
    if let Some(v) = b.nominations_open {
        f.nominations_open = v.then(|| "on".to_string());
    }
    save(&st, &club, &f).await?;
    let fresh = clubs::by_id(&st.db, club.club.id)
        .await?
        .ok_or_else(crate::permissions::club_not_found)?;
    Ok(Json(ClubJson::of(&fresh, club.access.role())))
}

#[derive(Deserialize, Default)]
pub struct DeleteFields {
    #[serde(default)]
    confirm: String,
}

/// Delete after the owner typed the club's name (spaces and case aside).
async fn delete(st: &AppState, club: &Club, confirm: &str) -> Result<(), AppError> {
    club.check(ClubPermission::Own)?;
    let same = |s: &str| {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    if same(confirm) != same(&club.club.name) {
        return Err(AppError::bad(
            "confirm",
            format!(
                "Type the club's name, \u{201c}{}\u{201d}, to delete it. Nothing was deleted.",
                club.club.name
            ),
        ));
    }
    clubs::delete(&st.db, club.club.id).await?;
    Ok(())
}

pub async fn delete_form(
    State(st): State<AppState>,
    club: Club,
    Form(f): Form<DeleteFields>,
) -> Result<Response, AppError> {
    match delete(&st, &club, &f.confirm).await {
        Ok(()) => Ok(Redirect::to("/clubs").into_response()),
        Err(AppError::BadInput { message, .. }) => {
            let body = draw(
                &club,
                fields_of(&club.club),
                FieldErrors::default(),
                Some(message),
            )?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, body).into_response())
        }
        Err(e) => Err(e),
    }
}

#[derive(Serialize)]
pub struct Deleted {
    pub deleted: String,
}

pub async fn delete_api(
    State(st): State<AppState>,
    club: Club,
    Json(f): Json<DeleteFields>,
) -> Result<Json<Deleted>, AppError> {
    delete(&st, &club, &f.confirm).await?;
    Ok(Json(Deleted {
        deleted: club.club.slug.clone(),
    }))
}
