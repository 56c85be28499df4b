//! Joining and leaving: join an open club, ask to join one that asks (and
//! withdraw the request), leave. Pages post forms and come back to the
//! club page with a confirmation; the API answers with the visitor's new
//! standing.

use super::Club;
use crate::AppState;
use crate::error::AppError;
use crate::input::{Form, Json};
use crate::permissions::ClubPermission;
use axum::Router;
use axum::extract::State;
use axum::response::Redirect;
use axum::routing::post;
use quire_domain::{ClubRole, ClubText};
use quire_storage::clubs::members;
use serde::{Deserialize, Serialize};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/clubs/{slug}/join", post(join))
        .route("/clubs/{slug}/request", post(request))
        .route("/clubs/{slug}/request/withdraw", post(withdraw))
        .route("/clubs/{slug}/leave", post(leave))
        .route("/api/v1/clubs/{slug}/join", post(join_api))
        .route("/api/v1/clubs/{slug}/request", post(request_api))
        .route("/api/v1/clubs/{slug}/leave", post(leave_api))
}

fn back(club: &Club, done: &str) -> Redirect {
    Redirect::to(&format!("{}?done={done}", club.href()))
}

/// The visitor's place in a club after a change, for the API.
#[derive(Serialize)]
pub struct StandingJson {
    pub role: Option<ClubRole>,
    pub requested: bool,
}

async fn do_join(st: &AppState, club: &Club) -> Result<(), AppError> {
    club.check(ClubPermission::Join)?;
    members::join(&st.db, club.club.id, club.user()?.user_id()).await?;
    Ok(())
}

pub async fn join(State(st): State<AppState>, club: Club) -> Result<Redirect, AppError> {
    do_join(&st, &club).await?;
    Ok(back(&club, "joined"))
}

pub async fn join_api(
    State(st): State<AppState>,
    club: Club,
) -> Result<Json<StandingJson>, AppError> {
    do_join(&st, &club).await?;
    Ok(Json(StandingJson {
        role: Some(ClubRole::Member),
        requested: false,
    }))
}

#[derive(Deserialize, Default)]
pub struct RequestFields {
    #[serde(default)]
    message: String,
}

async fn do_request(st: &AppState, club: &Club, message: &str) -> Result<(), AppError> {
    club.check(ClubPermission::AskToJoin)?;
    let message = ClubText::parse("The message", message, ClubText::MESSAGE)
        .map_err(|e| AppError::bad("message", e.to_string()))?;
    members::request(
        &st.db,
        club.club.id,
        club.user()?.user_id(),
        message.as_str(),
    )
    .await?;
    Ok(())
}

pub async fn request(
    State(st): State<AppState>,
    club: Club,
    Form(f): Form<RequestFields>,
) -> Result<Redirect, AppError> {
    do_request(&st, &club, &f.message).await?;
    Ok(back(&club, "requested"))
}

pub async fn request_api(
    State(st): State<AppState>,
    club: Club,
    Json(f): Json<RequestFields>,
) -> Result<Json<StandingJson>, AppError> {
    do_request(&st, &club, &f.message).await?;
    Ok(Json(StandingJson {
        role: None,
        requested: true,
    }))
}

pub async fn withdraw(State(st): State<AppState>, club: Club) -> Result<Redirect, AppError> {
    let user = club.user()?;
    members::withdraw_request(&st.db, club.club.id, user.user_id()).await?;
    Ok(back(&club, "withdrawn"))
}

async fn do_leave(st: &AppState, club: &Club) -> Result<(), AppError> {
    club.check(ClubPermission::Participate)?;
    members::leave(&st.db, club.club.id, club.user()?.user_id()).await?;
    Ok(())
}

pub async fn leave(State(st): State<AppState>, club: Club) -> Result<Redirect, AppError> {
    do_leave(&st, &club).await?;
    // A member of a secret club who leaves can no longer see it.
    Ok(
        if club.club.visibility == quire_domain::Visibility::Secret {
            Redirect::to("/clubs")
        } else {
            back(&club, "left")
        },
    )
}

pub async fn leave_api(
    State(st): State<AppState>,
    club: Club,
) -> Result<Json<StandingJson>, AppError> {
    do_leave(&st, &club).await?;
    Ok(Json(StandingJson {
        role: None,
        requested: false,
    }))
}
