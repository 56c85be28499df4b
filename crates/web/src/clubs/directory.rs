//! The club directory (`/clubs`: public and private clubs, searchable by
//! name, and the visitor's own clubs of any visibility) and starting a
//! club (`/clubs/new`, `POST /api/v1/clubs`). The form and the JSON body
//! are checked by one function, so both report every wrong field at once.

use super::href;
use crate::AppState;
use crate::api::cursor;
use crate::auth::{Member, Viewer};
use crate::error::{AppError, FieldError};
use crate::input::{Form, Json, Query};
use crate::view::{FieldErrors, Layout, page, plural};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use quire_domain::{ClubId, ClubName, ClubRole, ClubText, JoinPolicy, Visibility};
use quire_storage::clubs::{self, ClubCard, DIRECTORY_PAGE, NewClub};
use serde::{Deserialize, Serialize};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/clubs", get(directory).post(create_form))
        .route("/clubs/new", get(new_form))
        .route("/api/v1/clubs", get(directory_api).post(create_api))
}

/// A club in a list, as pages draw it.
pub struct CardView {
    pub href: String,
    pub name: String,
    pub visibility: &'static str,
    pub members: String,
    pub reading: Option<String>,
    pub role: Option<&'static str>,
    pub description: String,
}

impl CardView {
    pub fn of(c: &ClubCard) -> Self {
        Self {
            href: href(&c.club.slug),
            name: c.club.name.clone(),
            visibility: c.club.visibility.label(),
            members: plural(c.club.members, "member", "members"),
            reading: c.reading.clone(),
            role: c.role.map(ClubRole::label),
            description: quire_domain::text::truncate_words(&c.club.description, 180),
        }
    }
}

#[derive(Deserialize, Default)]
pub struct DirectoryQuery {
    #[serde(default)]
    q: String,
    page: Option<u32>,
}

#[derive(Template)]
#[template(path = "clubs/directory.html")]
struct DirectoryTemplate {
    layout: Layout,
    q: String,
    mine: Vec<CardView>,
    clubs: Vec<CardView>,
    count: String,
    signed_in: bool,
    prev: Option<String>,
    next: Option<String>,
}

/// The longest search accepted.
const MAX_QUERY: usize = 200;

fn checked_text(q: &str) -> Result<String, AppError> {
    let text = q.trim();
    if text.chars().count() > MAX_QUERY {
        return Err(AppError::bad(
            "q",
            format!("The search is longer than {MAX_QUERY} characters; shorten it."),
        ));
    }
    Ok(text.to_string())
}

fn checked_query(q: &DirectoryQuery) -> Result<(String, u32), AppError> {
    let text = checked_text(&q.q)?;
    let page = q.page.unwrap_or(1);
    if page == 0 || page > 10_000 {
        return Err(AppError::bad("page", "Pages are numbered from 1."));
    }
    Ok((text, page))
}

pub async fn directory(
    State(st): State<AppState>,
    Viewer(v): Viewer,
    Query(q): Query<DirectoryQuery>,
) -> Result<Html<String>, AppError> {
    let (text, page_no) = checked_query(&q)?;
    let me = v.as_ref().map(|u| u.user_id());
    let (clubs, total) = clubs::directory(&st.db, &text, me, page_no).await?;
    let mine = match me {
        Some(u) if text.is_empty() && page_no == 1 => clubs::of_member(&st.db, u).await?,
        _ => Vec::new(),
    };
    let link = |p: u32| {
        let mut s = format!("/clubs?page={p}");
        if !text.is_empty() {
            s.push_str("&q=");
            s.push_str(&crate::paths::query_value(&text));
        }
        s
    };
    let last = ((total + DIRECTORY_PAGE - 1) / DIRECTORY_PAGE).max(1) as u32;
    page(&DirectoryTemplate {
        layout: Layout::for_user(v.as_ref()),
        count: if text.is_empty() {
            plural(total, "club is listed", "clubs are listed")
        } else {
            format!(
                "{} matching \u{201c}{text}\u{201d}",
                plural(total, "club", "clubs")
            )
        },
        q: text.clone(),
        mine: mine.iter().map(CardView::of).collect(),
        clubs: clubs.iter().map(CardView::of).collect(),
        signed_in: v.is_some(),
        prev: (page_no > 1).then(|| link(page_no - 1)),
        next: (page_no < last).then(|| link(page_no + 1)),
    })
}

/// A club as the JSON API gives it.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = Club)]
pub struct ClubJson {
    pub slug: String,
    pub name: String,
    pub description: String,
    /// public, private or secret.
    #[schema(value_type = String)]
    pub visibility: Visibility,
    /// open, request or invite.
    #[schema(value_type = String)]
    pub join_policy: JoinPolicy,
    pub nominations_open: bool,
    /// An IANA time zone name.
    pub time_zone: String,
    /// How many members it has.
    pub members: i64,
    pub url: String,
    /// The requester's role (owner, organiser or member), when a member.
    #[schema(value_type = Option<String>)]
    pub role: Option<ClubRole>,
    /// When it was started (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: time::OffsetDateTime,
}

impl ClubJson {
    pub fn of(c: &clubs::Club, role: Option<ClubRole>) -> Self {
        Self {
            slug: c.slug.clone(),
            name: c.name.clone(),
            description: c.description.clone(),
            visibility: c.visibility,
            join_policy: c.join_policy,
            nominations_open: c.nominations_open,
            time_zone: c.time_zone.clone(),
            members: c.members,
            url: href(&c.slug),
            role,
            created_at: c.created_at,
        }
    }
}

/// A page of the directory, and how many clubs it lists in all.
#[derive(Serialize)]
pub struct DirectoryJson {
    #[serde(flatten)]
    pub page: cursor::Page<ClubJson>,
    pub total: i64,
}

#[derive(Deserialize)]
pub struct DirectoryApiQuery {
    #[serde(default)]
    q: String,
    #[serde(flatten)]
    page: cursor::PageQuery,
}

/// `GET /api/v1/clubs?q=&limit=&cursor=`: the clubs the directory lists,
/// newest first, paged by (started at, id) so that clubs started or
/// joined during a walk move nothing.
pub async fn directory_api(
    State(st): State<AppState>,
    Viewer(v): Viewer,
    Query(q): Query<DirectoryApiQuery>,
) -> Result<Json<DirectoryJson>, AppError> {
    let text = checked_text(&q.q)?;
    let limit = q.page.limit()?;
    let after = q.page.after_time()?.map(|(t, c)| (t, ClubId(c)));
    let me = v.as_ref().map(|u| u.user_id());
    let (rows, total) = clubs::directory_after(&st.db, &text, me, after, limit + 1).await?;
    Ok(Json(DirectoryJson {
        page: cursor::page_of(
            rows,
            limit,
            |c| cursor::time_key(c.club.created_at, c.club.id.0),
            |c| ClubJson::of(&c.club, c.role),
        ),
        total,
    }))
}

/// A club's settings as typed: every value a string, so a refused form
/// comes back exactly as it was sent.
#[derive(Clone, Debug, Deserialize)]
pub struct ClubFields {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default = "public")]
    pub visibility: String,
    #[serde(default = "open")]
    pub join_policy: String,
    #[serde(default = "utc")]
    pub time_zone: String,
    /// "on" when ticked (a form), or true/false text (JSON sends a bool,
    /// read by [`ClubFields`]'s API twin).
    #[serde(default)]
    pub nominations_open: Option<String>,
}

fn public() -> String {
    "public".into()
}
fn open() -> String {
    "open".into()
}
fn utc() -> String {
    "UTC".into()
}

impl Default for ClubFields {
    fn default() -> Self {
        Self {
            name: String::new(),
            description: String::new(),
            visibility: public(),
            join_policy: open(),
            time_zone: utc(),
            nominations_open: Some("on".into()),
        }
    }
}

/// Checked settings.
pub struct ClubSettings {
    pub name: ClubName,
    pub description: ClubText,
    pub visibility: Visibility,
    pub join_policy: JoinPolicy,
    pub time_zone: String,
}

impl ClubSettings {
    pub fn as_new(&self) -> NewClub<'_> {
        NewClub {
            name: &self.name,
            description: self.description.as_str(),
            visibility: self.visibility,
            join_policy: self.join_policy,
            time_zone: &self.time_zone,
        }
    }
}

/// Check every field, reporting all that are wrong. A secret club is
/// joined by invitation only, whatever the form says, since nobody else
/// can find it.
pub fn check_fields(f: &ClubFields) -> Result<ClubSettings, AppError> {
    let mut errors = Vec::new();
    let name = ClubName::parse(&f.name).map_err(|e| FieldError {
        field: "name",
        message: e.to_string(),
    });
    let description = ClubText::parse("The description", &f.description, ClubText::DESCRIPTION)
        .map_err(|e| FieldError {
            field: "description",
            message: e.to_string(),
        });
    let visibility = Visibility::parse(f.visibility.trim()).ok_or_else(|| FieldError {
        field: "visibility",
        message: "Choose who can see the club: public, private or secret.".into(),
    });
    let join_policy = JoinPolicy::parse(f.join_policy.trim()).ok_or_else(|| FieldError {
        field: "join_policy",
        message: "Choose how people join: open, request or invite.".into(),
    });
    let time_zone = crate::clubs::zone::check(&f.time_zone).map_err(|message| FieldError {
        field: "time_zone",
        message,
    });
    for e in [
        &name.as_ref().err(),
        &description.as_ref().err(),
        &visibility.as_ref().err(),
        &join_policy.as_ref().err(),
        &time_zone.as_ref().err(),
    ]
    .into_iter()
    .flatten()
    {
        errors.push((*e).clone());
    }
    match (name, description, visibility, join_policy, time_zone) {
        (Ok(name), Ok(description), Ok(visibility), Ok(join_policy), Ok(time_zone)) => {
            Ok(ClubSettings {
                name,
                description,
                join_policy: if visibility == Visibility::Secret {
                    JoinPolicy::Invite
                } else {
                    join_policy
                },
                visibility,
                time_zone,
            })
        }
        _ => Err(AppError::Invalid(errors)),
    }
}

#[derive(Template)]
#[template(path = "clubs/new.html")]
pub struct NewClubTemplate {
    pub layout: Layout,
    pub f: ClubFields,
    pub errors: FieldErrors,
    pub zones: &'static [String],
}

pub async fn new_form(Member(u): Member) -> Result<Html<String>, AppError> {
    page(&NewClubTemplate {
        layout: Layout::for_user(Some(&u)),
        f: ClubFields::default(),
        errors: FieldErrors::default(),
        zones: crate::clubs::zone::names(),
    })
}

/// `POST /clubs`: make the club, or show the form again with every
/// problem beside its field.
pub async fn create_form(
    State(st): State<AppState>,
    Member(u): Member,
    Form(f): Form<ClubFields>,
) -> Result<Response, AppError> {
    let settings = match check_fields(&f) {
        Ok(s) => s,
        Err(AppError::Invalid(errors)) => {
            let body = page(&NewClubTemplate {
                layout: Layout::for_user(Some(&u)),
                f,
                errors: FieldErrors(errors),
                zones: crate::clubs::zone::names(),
            })?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, body).into_response());
        }
        Err(e) => return Err(e),
    };
    let (_, slug) = clubs::create(&st.db, u.user_id(), &settings.as_new()).await?;
    Ok(Redirect::to(&format!("{}?done=created", href(&slug))).into_response())
}

/// The JSON twin of [`ClubFields`]: `nominations_open` is a bool.
#[derive(Deserialize)]
pub struct ClubBody {
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default = "public")]
    visibility: String,
    #[serde(default = "open")]
    join_policy: String,
    #[serde(default = "utc")]
    time_zone: String,
}

pub async fn create_api(
    State(st): State<AppState>,
    Member(u): Member,
    Json(b): Json<ClubBody>,
) -> Result<Response, AppError> {
    let settings = check_fields(&ClubFields {
        name: b.name,
        description: b.description,
        visibility: b.visibility,
        join_policy: b.join_policy,
        time_zone: b.time_zone,
        nominations_open: None,
    })?;
    let (id, slug) = clubs::create(&st.db, u.user_id(), &settings.as_new()).await?;
    let club = clubs::by_id(&st.db, id)
        .await?
        .ok_or_else(|| AppError::NotFound("The club was deleted as it was made.".into()))?;
    let _ = slug;
    Ok((
        StatusCode::CREATED,
        Json(ClubJson::of(&club, Some(ClubRole::Owner))),
    )
        .into_response())
}
