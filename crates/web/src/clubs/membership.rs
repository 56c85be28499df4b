//! Running a club's membership: the members list (`/clubs/{slug}/members`,
//! read-only for members, with tools for organisers), roles, removing and
//! banning, handing ownership on, answering join requests and lifting
//! bans; and the same under `/api/v1/clubs/{slug}/…`.
//!
//! Who may act on whom is decided by `ClubAccess::check_manage`: organisers
//! manage members, only the owner manages organisers, and the owner is
//! changed only by handing the club on.

use super::Club;
use crate::AppState;
use crate::api::cursor;
use crate::error::AppError;
use crate::input::{Form, Json, Query};
use crate::permissions::ClubPermission;
use crate::view::{Layout, day, page};
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{Html, Redirect};
use axum::routing::{get, post};
use quire_domain::{ClubRole, UserId};
use quire_storage::clubs::members::{self, ClubMember, JoinRequest};
use quire_storage::users;
use serde::{Deserialize, Serialize};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/clubs/{slug}/members", get(members_page))
        .route("/clubs/{slug}/members/{username}/role", post(role_form))
        .route("/clubs/{slug}/members/{username}/remove", post(remove_form))
        .route("/clubs/{slug}/transfer", post(transfer_form))
        .route("/clubs/{slug}/requests/{username}", post(answer_form))
        .route("/clubs/{slug}/bans/{username}/lift", post(unban_form))
        .route("/api/v1/clubs/{slug}/members", get(members_api))
        .route(
            "/api/v1/clubs/{slug}/members/{username}",
            axum::routing::patch(role_api).delete(remove_api),
        )
        .route("/api/v1/clubs/{slug}/transfer", post(transfer_api))
        .route("/api/v1/clubs/{slug}/requests", get(requests_api))
        .route("/api/v1/clubs/{slug}/requests/{username}", post(answer_api))
        .route("/api/v1/clubs/{slug}/bans", get(bans_api))
        .route(
            "/api/v1/clubs/{slug}/bans/{username}",
            axum::routing::delete(unban_api),
        )
}

/// The confirmations of this module's form posts.
pub fn done_message(code: &str) -> Option<&'static str> {
    Some(match code {
        "role" => "The member's role is changed.",
        "removed" => "The member is removed from the club.",
        "banned" => "The account is removed and banned from the club.",
        "transferred" => "The club has a new owner. You are an organiser now.",
        "approved" => "The request is approved; they are a member now.",
        "declined" => "The request is declined.",
        "unbanned" => "The ban is lifted. They can join again the usual way.",
        "picture" => "The club's picture is saved.",
        _ => return None,
    })
}

/// The account named in the path, or a clear "no such member".
async fn account(st: &AppState, username: &str) -> Result<UserId, AppError> {
    if username.is_empty() || username.len() > 100 {
        return Err(AppError::NotFound(
            "There is no such member in this club.".into(),
        ));
    }
    users::by_username(&st.db, username)
        .await?
        .map(|u| u.user_id())
        .ok_or_else(|| AppError::NotFound(format!("There is no account named {username}.")))
}

fn role_choice(s: &str) -> Result<ClubRole, AppError> {
    match s.trim() {
        "organiser" => Ok(ClubRole::Organiser),
        "member" => Ok(ClubRole::Member),
        _ => Err(AppError::bad(
            "role",
            "Choose the role: organiser or member. To hand the club on, use \u{201c}Make owner\u{201d}.",
        )),
    }
}

async fn do_set_role(
    st: &AppState,
    club: &Club,
    username: &str,
    role: &str,
) -> Result<ClubRole, AppError> {
    club.check(ClubPermission::Organise)?;
    let role = role_choice(role)?;
    let user = account(st, username).await?;
    let current = members::role(&st.db, club.club.id, user)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("{username} is not a member of this club.")))?;
    club.access.check_manage(Some(current))?;
    members::set_role(&st.db, club.club.id, user, role).await?;
    Ok(role)
}

async fn do_remove(st: &AppState, club: &Club, username: &str, ban: bool) -> Result<(), AppError> {
    club.check(ClubPermission::Organise)?;
    let user = account(st, username).await?;
    let current = members::role(&st.db, club.club.id, user).await?;
    club.access.check_manage(current)?;
    let me = club.user()?.user_id();
    if user == me {
        return Err(AppError::Conflict(
            "You cannot remove yourself; leave the club from its page instead.".into(),
        ));
    }
    if current.is_none() && !ban {
        return Err(AppError::NotFound(format!(
            "{username} is not a member of this club."
        )));
    }
    members::remove(&st.db, club.club.id, user, ban, me).await?;
    Ok(())
}

async fn do_transfer(st: &AppState, club: &Club, username: &str) -> Result<(), AppError> {
    club.check(ClubPermission::Own)?;
    let user = account(st, username).await?;
    let me = club.user()?.user_id();
    if user == me {
        return Err(AppError::Conflict("You already own this club.".into()));
    }
    members::transfer(&st.db, club.club.id, me, user).await?;
    Ok(())
}

fn decision(s: &str) -> Result<bool, AppError> {
    match s.trim() {
        "approve" => Ok(true),
        "decline" => Ok(false),
        _ => Err(AppError::bad(
            "decision",
            "Answer the request with approve or decline.",
        )),
    }
}

async fn do_answer(
    st: &AppState,
    club: &Club,
    username: &str,
    answer: &str,
) -> Result<bool, AppError> {
    club.check(ClubPermission::Organise)?;
    let approve = decision(answer)?;
    let user = account(st, username).await?;
    members::answer_request(&st.db, club.club.id, user, approve).await?;
    Ok(approve)
}

async fn do_unban(st: &AppState, club: &Club, username: &str) -> Result<(), AppError> {
    club.check(ClubPermission::Organise)?;
    let user = account(st, username).await?;
    members::unban(&st.db, club.club.id, user).await?;
    Ok(())
}

// ---- Pages -------------------------------------------------------------

struct MemberRow {
    username: String,
    name: String,
    role: ClubRole,
    since: String,
    /// Organiser tools for this row.
    may_manage: bool,
    /// "Make owner" (the owner's, for others).
    may_transfer: bool,
}

struct RequestRow {
    username: String,
    name: String,
    message: String,
    asked: String,
}

#[derive(Template)]
#[template(path = "clubs/members.html")]
struct MembersTemplate {
    layout: Layout,
    flash: Option<&'static str>,
    href: String,
    name: String,
    organiser: bool,
    members: Vec<MemberRow>,
    requests: Vec<RequestRow>,
    banned: Vec<RequestRow>,
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    done: Option<String>,
}

pub async fn members_page(
    State(st): State<AppState>,
    club: Club,
    Query(q): Query<DoneQuery>,
) -> Result<Html<String>, AppError> {
    club.check(ClubPermission::Read)?;
    let organiser = club.allows(ClubPermission::Organise);
    let me = club.viewer.as_ref().map(|u| u.user_id());
    let list = members::list(&st.db, club.club.id).await?;
    let (requests, banned) = if organiser {
        (
            members::requests(&st.db, club.club.id).await?,
            members::banned(&st.db, club.club.id).await?,
        )
    } else {
        (Vec::new(), Vec::new())
    };
    let owner = club.allows(ClubPermission::Own);
    page(&MembersTemplate {
        layout: Layout::for_user(club.viewer.as_ref()),
        flash: q.done.as_deref().and_then(done_message),
        href: club.href(),
        name: club.club.name.clone(),
        organiser,
        members: list
            .iter()
            .map(|m| MemberRow {
                username: m.username.clone(),
                name: m.display_name.clone(),
                role: m.role,
                since: day(m.joined_at),
                may_manage: Some(m.user_id) != me && club.access.check_manage(Some(m.role)).is_ok(),
                may_transfer: owner && Some(m.user_id) != me,
            })
            .collect(),
        requests: requests.iter().map(request_row).collect(),
        banned: banned
            .iter()
            .map(|b| RequestRow {
                username: b.username.clone(),
                name: b.display_name.clone(),
                message: String::new(),
                asked: day(b.joined_at),
            })
            .collect(),
    })
}

fn request_row(r: &JoinRequest) -> RequestRow {
    RequestRow {
        username: r.username.clone(),
        name: r.display_name.clone(),
        message: r.message.clone(),
        asked: day(r.created_at),
    }
}

fn back(club: &Club, done: &str) -> Redirect {
    Redirect::to(&format!("{}/members?done={done}", club.href()))
}

#[derive(Deserialize, Default)]
pub struct RoleFields {
    #[serde(default)]
    role: String,
}

pub async fn role_form(
    State(st): State<AppState>,
    club: Club,
    Path((_, username)): Path<(String, String)>,
    Form(f): Form<RoleFields>,
) -> Result<Redirect, AppError> {
    do_set_role(&st, &club, &username, &f.role).await?;
    Ok(back(&club, "role"))
}

#[derive(Deserialize, Default)]
pub struct RemoveFields {
    #[serde(default)]
    ban: Option<String>,
}

pub async fn remove_form(
    State(st): State<AppState>,
    club: Club,
    Path((_, username)): Path<(String, String)>,
    Form(f): Form<RemoveFields>,
) -> Result<Redirect, AppError> {
    let ban = f.ban.is_some_and(|b| b == "on" || b == "true");
    do_remove(&st, &club, &username, ban).await?;
    Ok(back(&club, if ban { "banned" } else { "removed" }))
}

#[derive(Deserialize, Default)]
pub struct TransferFields {
    #[serde(default)]
    username: String,
}

pub async fn transfer_form(
    State(st): State<AppState>,
    club: Club,
    Form(f): Form<TransferFields>,
) -> Result<Redirect, AppError> {
    do_transfer(&st, &club, &f.username).await?;
    Ok(back(&club, "transferred"))
}

#[derive(Deserialize, Default)]
pub struct AnswerFields {
    #[serde(default)]
    decision: String,
}

pub async fn answer_form(
    State(st): State<AppState>,
    club: Club,
    Path((_, username)): Path<(String, String)>,
    Form(f): Form<AnswerFields>,
) -> Result<Redirect, AppError> {
    let approved = do_answer(&st, &club, &username, &f.decision).await?;
    Ok(back(&club, if approved { "approved" } else { "declined" }))
}

pub async fn unban_form(
    State(st): State<AppState>,
    club: Club,
    Path((_, username)): Path<(String, String)>,
) -> Result<Redirect, AppError> {
    do_unban(&st, &club, &username).await?;
    Ok(back(&club, "unbanned"))
}

// ---- API ---------------------------------------------------------------

/// A club member in the API.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = Member)]
pub struct MemberJson {
    pub username: String,
    pub display_name: String,
    /// owner, organiser or member.
    #[schema(value_type = String)]
    pub role: ClubRole,
    /// RFC 3339.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub joined_at: time::OffsetDateTime,
}

impl MemberJson {
    fn of(m: &ClubMember) -> Self {
        Self {
            username: m.username.clone(),
            display_name: m.display_name.clone(),
            role: m.role,
            joined_at: m.joined_at,
        }
    }
}

/// `GET /api/v1/clubs/{slug}/members?limit=&cursor=`: the members, longest
/// standing first, paged by (joined at, account id).
pub async fn members_api(
    State(st): State<AppState>,
    club: Club,
    Query(q): Query<cursor::PageQuery>,
) -> Result<Json<cursor::Page<MemberJson>>, AppError> {
    club.check(ClubPermission::Read)?;
    let limit = q.limit()?;
    let after = q.after_time()?.map(|(t, u)| (t, UserId(u)));
    let rows = members::list_after(&st.db, club.club.id, after, limit + 1).await?;
    Ok(Json(cursor::page_of(
        rows,
        limit,
        |m| cursor::time_key(m.joined_at, m.user_id.0),
        |m| MemberJson::of(&m),
    )))
}

#[derive(Deserialize)]
pub struct RoleBody {
    #[serde(default)]
    role: String,
}

#[derive(Serialize)]
pub struct Done {
    pub done: &'static str,
}

pub async fn role_api(
    State(st): State<AppState>,
    club: Club,
    Path((_, username)): Path<(String, String)>,
    Json(b): Json<RoleBody>,
) -> Result<Json<serde_json::Value>, AppError> {
    let role = do_set_role(&st, &club, &username, &b.role).await?;
    Ok(Json(
        serde_json::json!({ "username": username, "role": role }),
    ))
}

#[derive(Deserialize, Default)]
pub struct BanQuery {
    #[serde(default)]
    ban: bool,
}

pub async fn remove_api(
    State(st): State<AppState>,
    club: Club,
    Path((_, username)): Path<(String, String)>,
    Query(q): Query<BanQuery>,
) -> Result<Json<Done>, AppError> {
    do_remove(&st, &club, &username, q.ban).await?;
    Ok(Json(Done {
        done: if q.ban { "banned" } else { "removed" },
    }))
}

pub async fn transfer_api(
    State(st): State<AppState>,
    club: Club,
    Json(b): Json<TransferFields>,
) -> Result<Json<Done>, AppError> {
    do_transfer(&st, &club, &b.username).await?;
    Ok(Json(Done {
        done: "transferred",
    }))
}

#[derive(Serialize)]
pub struct RequestJson {
    pub username: String,
    pub display_name: String,
    pub message: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: time::OffsetDateTime,
}

#[derive(Serialize)]
pub struct RequestsJson {
    pub requests: Vec<RequestJson>,
}

pub async fn requests_api(
    State(st): State<AppState>,
    club: Club,
) -> Result<Json<RequestsJson>, AppError> {
    club.check(ClubPermission::Organise)?;
    let list = members::requests(&st.db, club.club.id).await?;
    Ok(Json(RequestsJson {
        requests: list
            .into_iter()
            .map(|r| RequestJson {
                username: r.username,
                display_name: r.display_name,
                message: r.message,
                created_at: r.created_at,
            })
            .collect(),
    }))
}

pub async fn answer_api(
    State(st): State<AppState>,
    club: Club,
    Path((_, username)): Path<(String, String)>,
    Json(b): Json<AnswerFields>,
) -> Result<Json<Done>, AppError> {
    let approved = do_answer(&st, &club, &username, &b.decision).await?;
    Ok(Json(Done {
        done: if approved { "approved" } else { "declined" },
    }))
}

#[derive(Serialize)]
pub struct BanJson {
    pub username: String,
    pub display_name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub banned_at: time::OffsetDateTime,
}

#[derive(Serialize)]
pub struct BansJson {
    pub banned: Vec<BanJson>,
}

pub async fn bans_api(State(st): State<AppState>, club: Club) -> Result<Json<BansJson>, AppError> {
    club.check(ClubPermission::Organise)?;
    let list = members::banned(&st.db, club.club.id).await?;
    Ok(Json(BansJson {
        banned: list
            .into_iter()
            .map(|b| BanJson {
                username: b.username,
                display_name: b.display_name,
                banned_at: b.joined_at,
            })
            .collect(),
    }))
}

pub async fn unban_api(
    State(st): State<AppState>,
    club: Club,
    Path((_, username)): Path<(String, String)>,
) -> Result<Json<Done>, AppError> {
    do_unban(&st, &club, &username).await?;
    Ok(Json(Done { done: "unbanned" }))
}
