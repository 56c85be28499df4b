//! `GET /authors/{id}[/{slug}]`: a contributor's page. Their name and
//! biography, the books they wrote with their ratings, and the books they
//! translated, narrated, illustrated, edited or introduced, grouped by
//! role; `?role=` shows one role's books, `?sort=` and `?page=` as on
//! every browse page.

use super::{Link, ListQuery, Pager, books, invalid, past_last, sort_links};
use crate::AppState;
use crate::auth::Viewer;
use crate::error::{AppError, FieldError};
use crate::home::Card;
use crate::input::Query;
use crate::paths::{self, ContributorPath};
use crate::view::{Layout, page};
use askama::Template;
use axum::extract::State;
use axum::response::Html;
use quire_domain::ContributorRole;
use quire_storage::browse::{self, Contribution};

/// The books of one role on this page.
pub struct Group {
    pub anchor: &'static str,
    pub heading: &'static str,
    pub cards: Vec<Card>,
}

#[derive(Template)]
#[template(path = "browse/author.html")]
struct AuthorTemplate {
    layout: Layout,
    name: String,
    /// The biography, one paragraph per blank-line-separated block.
    bio: Vec<String>,
    /// "Author of 12 books", "Translator of 3 books", each a link to that
    /// role's books alone (the current one marked).
    roles: Vec<Link>,
    /// The link back to every role, when one role is shown.
    all_roles: Option<String>,
    kicker: String,
    count: String,
    sorts: Vec<Link>,
    groups: Vec<Group>,
    pager: Pager,
    edit_href: String,
}

/// How a role heads its group on the page.
fn heading(role: ContributorRole) -> (&'static str, &'static str) {
    match role {
        ContributorRole::Author => ("books", "Books"),
        ContributorRole::Translator => ("translated", "Translated"),
        ContributorRole::Narrator => ("narrated", "Narrated"),
        ContributorRole::Illustrator => ("illustrated", "Illustrated"),
        ContributorRole::Editor => ("edited", "Edited"),
        ContributorRole::Foreword => ("foreword", "Foreword or introduction"),
    }
}

fn role_of(q: &ListQuery) -> Result<Option<ContributorRole>, FieldError> {
    match q.role.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(raw) => ContributorRole::parse(raw)
            .map(Some)
            .ok_or_else(|| FieldError {
                field: "role",
                message: format!(
                    "\"{}\" is not a role; use one of {}.",
                    raw.chars()
                        .filter(|c| !c.is_control())
                        .take(40)
                        .collect::<String>(),
                    ContributorRole::ALL
                        .iter()
                        .map(|r| r.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            }),
    }
}

pub async fn author_page(
    State(st): State<AppState>,
    ContributorPath(id): ContributorPath,
    Viewer(v): Viewer,
    Query(q): Query<ListQuery>,
) -> Result<Html<String>, AppError> {
    let (role, checked) = (role_of(&q), q.checked());
    let (role, (sort, paging)) = match (role, checked) {
        (Ok(r), Ok(c)) => (r, c),
        (r, c) => {
            let mut errors: Vec<FieldError> = r.err().into_iter().collect();
            match c {
                Err(AppError::BadInput { field, message }) => {
                    errors.insert(0, FieldError { field, message })
                }
                Err(AppError::Invalid(mut more)) => {
                    more.extend(errors);
                    errors = more;
                }
                _ => {}
            }
            return Err(invalid(errors));
        }
    };
    let p = browse::author_page(&st.db, id, role, sort, paging)
        .await?
        .ok_or_else(|| {
            AppError::NotFound(format!(
                "There is no author with the id \"{id}\" in Quire. They may have been merged with another name."
            ))
        })?;
    let pages = paging.pages(p.total);
    if paging.page > pages {
        return Err(past_last(paging.page, pages));
    }
    let base = paths::author(id, &p.name);
    let extra: Vec<(&str, &str)> = role.map(|r| ("role", r.as_str())).into_iter().collect();
    let roles = p
        .roles
        .iter()
        .map(|r| Link {
            label: format!("{} of {}", r.role.label(), books(r.books)),
            href: format!("{base}?role={}", r.role.as_str()),
            current: role == Some(r.role),
        })
        .collect();
    let mut groups: Vec<Group> = Vec::new();
    for Contribution { role, work } in &p.books {
        let card = Card::from(work, None);
        match groups.last_mut() {
            Some(g) if g.anchor == heading(*role).0 => g.cards.push(card),
            _ => {
                let (anchor, heading) = heading(*role);
                groups.push(Group {
                    anchor,
                    heading,
                    cards: vec![card],
                });
            }
        }
    }
    // What they are known for: their first role (authors first).
    let kicker = p
        .roles
        .first()
        .map_or("Contributor", |r| r.role.label())
        .to_string();
    page(&AuthorTemplate {
        layout: Layout::for_user(v.as_ref()),
        bio: p
            .bio
            .split("\n\n")
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        roles,
        all_roles: role.map(|_| base.clone()),
        kicker,
        count: books(p.total),
        sorts: sort_links(&base, &extra, sort, paging),
        groups,
        pager: Pager::new(&base, &extra, sort, paging, p.total),
        edit_href: format!("/contributors/{id}/edit"),
        name: p.name,
    })
}
