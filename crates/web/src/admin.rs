//! `/admin/people`: an administrator finds an account, sets its site role,
//! and grants or revokes its verified links to a contributor or a
//! publisher's name. The same changes are in the JSON API under
//! `/api/v1/admin/people/{username}/…` and in `quire admin grant|verify`.

use crate::AppState;
use crate::error::AppError;
use crate::permissions::Admin;
use crate::view::{Layout, page};
use askama::Template;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use quire_domain::{SiteRole, UserId};
use quire_storage::roles::{self, VerifiedLink};
use quire_storage::users::{self, User};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Deserialize, Default)]
pub struct PeopleQuery {
    #[serde(default)]
    q: String,
    /// A message after a change ("Ann is now a librarian.").
    #[serde(default)]
    done: String,
}

struct PersonView {
    username: String,
    display_name: String,
    role: &'static str,
    links: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "admin/people.html")]
struct PeoplePage {
    layout: Layout,
    q: String,
    done: String,
    searched: bool,
    people: Vec<PersonView>,
    roles: Vec<(&'static str, &'static str)>,
}

async fn person_view(st: &AppState, u: &User) -> Result<PersonView, AppError> {
    let links = roles::links_of(&st.db, u.user_id()).await?;
    Ok(PersonView {
        username: u.username.clone(),
        display_name: u.display_name.clone(),
        role: u.role.as_str(),
        links: links
            .iter()
            .map(|l: &VerifiedLink| (l.id.to_string(), l.describe()))
            .collect(),
    })
}

/// `GET /admin/people?q=`: search accounts; without a search, the
/// librarians and administrators.
pub async fn people(
    State(st): State<AppState>,
    Admin(admin): Admin,
    Query(q): Query<PeopleQuery>,
) -> Result<Html<String>, AppError> {
    let text = q.q.trim();
    if text.chars().count() > 100 {
        return Err(AppError::bad("q", "Search with at most 100 characters."));
    }
    let found = if text.is_empty() {
        roles::staff(&st.db).await?
    } else {
        roles::find_people(&st.db, text, 20).await?
    };
    let mut people = Vec::with_capacity(found.len());
    for u in &found {
        people.push(person_view(&st, u).await?);
    }
    page(&PeoplePage {
        layout: Layout::for_user(Some(&admin)),
        q: text.to_string(),
        done: q.done.chars().take(200).collect(),
        searched: !text.is_empty(),
        people,
        roles: SiteRole::ALL
            .iter()
            .map(|r| (r.as_str(), r.label()))
            .collect(),
    })
}

async fn account(st: &AppState, username: &str) -> Result<User, AppError> {
    users::by_username(&st.db, username).await?.ok_or_else(|| {
        AppError::NotFound(format!(
            "There is no account named \"{}\". Search for it on the people page.",
            username.chars().take(40).collect::<String>()
        ))
    })
}

/// Set `target`'s role. An admin cannot take the role from themselves, so
/// a site always keeps the admin who is acting.
async fn set_role(
    st: &AppState,
    admin: &User,
    username: &str,
    role: &str,
) -> Result<(User, SiteRole), AppError> {
    let role = SiteRole::parse(role.trim()).ok_or_else(|| {
        AppError::bad(
            "role",
            format!(
                "\"{}\" is not a role; use member, librarian or admin.",
                role.trim()
            ),
        )
    })?;
    let target = account(st, username).await?;
    if target.id == admin.id && role < SiteRole::Admin {
        return Err(AppError::Conflict(
            "You cannot take the admin role from yourself; ask another administrator.".into(),
        ));
    }
    roles::set_role(&st.db, target.user_id(), role).await?;
    Ok((target, role))
}

/// A verified link to grant or revoke: a contributor by name, or a
/// publisher's name, or (to revoke) a link by its id.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct LinkInput {
    #[serde(default)]
    pub contributor: Option<String>,
    #[serde(default)]
    pub publisher: Option<String>,
    #[serde(default)]
    pub link: Option<String>,
    #[serde(default)]
    pub revoke: bool,
}

/// The form sends `action=grant|revoke` and `kind` with one name field.
#[derive(Deserialize)]
pub struct LinkForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    link: String,
    #[serde(default)]
    action: String,
}

/// Grant or revoke; returns what the admin reads afterwards.
async fn change_link(
    st: &AppState,
    admin: &User,
    username: &str,
    l: &LinkInput,
) -> Result<String, AppError> {
    let target = account(st, username).await?;
    let who = target.username.clone();
    let user: UserId = target.user_id();
    if let Some(id) = l.link.as_deref().filter(|s| !s.trim().is_empty()) {
        let id = Uuid::parse_str(id.trim())
            .map_err(|_| AppError::bad("link", "That is not a link's id."))?;
        let theirs = roles::links_of(&st.db, user)
            .await?
            .iter()
            .any(|x| x.id == id);
        if !theirs || !roles::revoke(&st.db, id).await? {
            return Err(AppError::NotFound(format!(
                "{who} has no such verified link."
            )));
        }
        return Ok(format!("Removed a verified link from {who}."));
    }
    let contributor = l
        .contributor
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let publisher = l
        .publisher
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    match (contributor, publisher) {
        (Some(name), None) => {
            if name.chars().count() > 200 {
                return Err(AppError::bad(
                    "contributor",
                    "A name is at most 200 characters.",
                ));
            }
            let Some((id, known)) = roles::contributor_by_name(&st.db, name).await? else {
                return Err(AppError::bad(
                    "contributor",
                    format!(
                        "Quire has no contributor named \"{name}\"; pick one from the list (names are matched exactly)."
                    ),
                ));
            };
            if l.revoke {
                if !roles::revoke_contributor(&st.db, user, id).await? {
                    return Err(AppError::NotFound(format!(
                        "{who} is not verified as {known}."
                    )));
                }
                Ok(format!("{who} is no longer verified as {known}."))
            } else {
                roles::grant_contributor(&st.db, user, id, Some(admin.user_id())).await?;
                Ok(format!("{who} is now verified as {known}."))
            }
        }
        (None, Some(name)) => {
            if name.chars().count() > 200 {
                return Err(AppError::bad(
                    "publisher",
                    "A name is at most 200 characters.",
                ));
            }
            if l.revoke {
                if !roles::revoke_publisher(&st.db, user, name).await? {
                    return Err(AppError::NotFound(format!(
                        "{who} is not verified as the publisher {name}."
                    )));
                }
                Ok(format!(
                    "{who} is no longer verified as the publisher {name}."
                ))
            } else {
                roles::grant_publisher(&st.db, user, name, Some(admin.user_id())).await?;
                Ok(format!("{who} is now verified as the publisher {name}."))
            }
        }
        (Some(_), Some(_)) => Err(AppError::bad(
            "publisher",
            "Give a contributor or a publisher, not both.",
        )),
        (None, None) => Err(AppError::bad(
            "contributor",
            "Give the contributor's name (pick one Quire knows) or a publisher's name.",
        )),
    }
}

fn back(q: &str, done: &str) -> Response {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    Redirect::to(&format!("/admin/people?q={}&done={}", enc(q), enc(done))).into_response()
}

#[derive(Deserialize)]
pub struct RoleForm {
    #[serde(default)]
    role: String,
}

/// `POST /admin/people/{username}/role`.
pub async fn role_form(
    State(st): State<AppState>,
    Admin(admin): Admin,
    Path(username): Path<String>,
    Form(f): Form<RoleForm>,
) -> Result<Response, AppError> {
    let (target, role) = set_role(&st, &admin, &username, &f.role).await?;
    Ok(back(
        &target.username,
        &format!("{} is now {}.", target.username, article(role)),
    ))
}

fn article(role: SiteRole) -> &'static str {
    match role {
        SiteRole::Member => "a member",
        SiteRole::Librarian => "a librarian",
        SiteRole::Admin => "an administrator",
    }
}

/// `POST /admin/people/{username}/links`.
pub async fn link_form(
    State(st): State<AppState>,
    Admin(admin): Admin,
    Path(username): Path<String>,
    Form(f): Form<LinkForm>,
) -> Result<Response, AppError> {
    let name = Some(f.name.clone());
    let input = LinkInput {
        contributor: (f.kind == "contributor").then(|| name.clone()).flatten(),
        publisher: (f.kind == "publisher").then_some(name).flatten(),
        link: Some(f.link),
        revoke: f.action == "revoke",
    };
    if input.link.as_deref().unwrap_or("").is_empty()
        && input.contributor.is_none()
        && input.publisher.is_none()
    {
        return Err(AppError::bad(
            "kind",
            "Choose whether the link is to a contributor or to a publisher.",
        ));
    }
    let done = change_link(&st, &admin, &username, &input).await?;
    Ok(back(&username, &done))
}

#[derive(Deserialize)]
pub struct RoleRequest {
    pub role: String,
}

/// An account's role and links after a change.
#[derive(Serialize)]
pub struct PersonResponse {
    pub username: String,
    pub role: SiteRole,
    pub links: Vec<String>,
    pub message: String,
}

async fn person_response(
    st: &AppState,
    username: &str,
    message: String,
) -> Result<Json<PersonResponse>, AppError> {
    let u = account(st, username).await?;
    let links = roles::links_of(&st.db, u.user_id()).await?;
    Ok(Json(PersonResponse {
        username: u.username,
        role: u.role,
        links: links.iter().map(VerifiedLink::describe).collect(),
        message,
    }))
}

/// `POST /api/v1/admin/people/{username}/role` with `{"role": "librarian"}`.
pub async fn role_api(
    State(st): State<AppState>,
    Admin(admin): Admin,
    Path(username): Path<String>,
    Json(body): Json<RoleRequest>,
) -> Result<Json<PersonResponse>, AppError> {
    let (target, role) = set_role(&st, &admin, &username, &body.role).await?;
    person_response(
        &st,
        &target.username,
        format!("{} is now {}.", target.username, article(role)),
    )
    .await
}

/// `POST /api/v1/admin/people/{username}/links` with `{"contributor":
/// NAME}` or `{"publisher": NAME}`, and `"revoke": true` to remove it.
pub async fn link_api(
    State(st): State<AppState>,
    Admin(admin): Admin,
    Path(username): Path<String>,
    Json(body): Json<LinkInput>,
) -> Result<Json<PersonResponse>, AppError> {
    let message = change_link(&st, &admin, &username, &body).await?;
    person_response(&st, &username, message).await
}
