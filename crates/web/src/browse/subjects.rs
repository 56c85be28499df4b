//! `GET /subjects/{id}[/{slug}]`: a subject's books, sortable and paged.

use super::{Link, ListQuery, Pager, books, past_last, sort_links};
use crate::AppState;
use crate::auth::Viewer;
use crate::error::AppError;
use crate::home::Card;
use crate::input::Query;
use crate::paths::{self, SubjectPath};
use crate::view::{Layout, page};
use askama::Template;
use axum::extract::State;
use axum::response::Html;
use quire_storage::browse;

#[derive(Template)]
#[template(path = "browse/subject.html")]
struct SubjectTemplate {
    layout: Layout,
    name: String,
    count: String,
    sorts: Vec<Link>,
    sort_label: &'static str,
    cards: Vec<Card>,
    pager: Pager,
    edit_href: String,
}

pub async fn subject_page(
    State(st): State<AppState>,
    SubjectPath(id): SubjectPath,
    Viewer(v): Viewer,
    Query(q): Query<ListQuery>,
) -> Result<Html<String>, AppError> {
    let (sort, paging) = q.checked()?;
    let p = browse::subject_page(&st.db, id, sort, paging)
        .await?
        .ok_or_else(|| {
            AppError::NotFound(format!(
                "There is no subject with the id \"{id}\" in Quire. It may have been merged or removed."
            ))
        })?;
    let pages = paging.pages(p.total);
    if paging.page > pages {
        return Err(past_last(paging.page, pages));
    }
    let base = paths::subject(id, &p.name);
    page(&SubjectTemplate {
        layout: Layout::for_user(v.as_ref()),
        count: books(p.total),
        sorts: sort_links(&base, &[], sort, paging),
        sort_label: sort.label(),
        cards: p.books.iter().map(|w| Card::from(w, None)).collect(),
        pager: Pager::new(&base, &[], sort, paging, p.total),
        edit_href: format!("/subjects/{id}/edit"),
        name: p.name,
    })
}
