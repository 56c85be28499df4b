//! A work's history: `GET /books/{id}/history` (and
//! `GET /api/v1/books/{id}/history`), newest first, as readable differences;
//! `POST /books/{id}/history/{change}/revert` for librarians.

use super::forms::plain;
use super::overrides_lock;
use crate::AppState;
use crate::api::cursor;
use crate::auth::Viewer;
use crate::error::AppError;
use crate::paths::WorkPath;
use crate::permissions::Librarian;
use crate::view::{Layout, day, escape, page};
use askama::Template;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use quire_domain::{SiteRole, WorkId};
use quire_storage::catalog::edit::{self, field_label};
use quire_storage::history::{self, Change, ChangeKind, FieldChange};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use similar::{ChangeTag, TextDiff};
use uuid::Uuid;

const PER_PAGE: u32 = 20;

#[derive(Deserialize, Default)]
pub struct HistoryQuery {
    pub page: Option<u32>,
    pub reverted: Option<String>,
}

pub struct FieldView {
    pub label: String,
    /// Escaped HTML with `<del>`/`<ins>` marking what changed.
    pub html: String,
}

pub struct ChangeView {
    pub id: String,
    pub kind: &'static str,
    pub summary: String,
    pub who: String,
    pub accepted_by: Option<String>,
    pub when: String,
    pub fields: Vec<FieldView>,
    pub revertable: bool,
}

#[derive(Template)]
#[template(path = "edit/history.html")]
pub struct HistoryPage {
    layout: Layout,
    work_id: String,
    title: String,
    changes: Vec<ChangeView>,
    total: i64,
    page: u32,
    pages: u32,
    librarian: bool,
    locked: Option<String>,
    is_locked: bool,
    reverted: bool,
}

/// Text longer than this, or on several lines, is shown as a word diff.
const LONG: usize = 80;

fn marked_del(s: &str) -> String {
    format!(
        "<del><span class=\"visually-hidden\">removed: </span>{}</del>",
        escape(s)
    )
}

fn marked_ins(s: &str) -> String {
    format!(
        "<ins><span class=\"visually-hidden\">added: </span>{}</ins>",
        escape(s)
    )
}

/// A word-level difference of two texts, with deletions and insertions
/// marked so that a screen reader says which is which.
pub fn word_diff(before: &str, after: &str) -> String {
    let diff = TextDiff::from_words(before, after);
    let mut out = String::new();
    let mut run: Option<(ChangeTag, String)> = None;
    let flush = |out: &mut String, run: Option<(ChangeTag, String)>| {
        if let Some((tag, text)) = run {
            out.push_str(&match tag {
                ChangeTag::Equal => escape(&text),
                ChangeTag::Delete => marked_del(&text),
                ChangeTag::Insert => marked_ins(&text),
            });
        }
    };
    for c in diff.iter_all_changes() {
        match &mut run {
            Some((tag, text)) if *tag == c.tag() => text.push_str(c.value()),
            _ => {
                flush(&mut out, run.take());
                run = Some((c.tag(), c.value().to_string()));
            }
        }
    }
    flush(&mut out, run);
    out
}

fn items(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|i| plain(Some(&Value::Array(vec![i.clone()]))))
                .collect()
        })
        .unwrap_or_default()
}

/// One changed field as readable HTML.
pub fn field_html(f: &FieldChange) -> String {
    let is_list =
        matches!(f.before, Some(Value::Array(_))) || matches!(f.after, Some(Value::Array(_)));
    if is_list {
        let before = items(f.before.as_ref());
        let after = items(f.after.as_ref());
        let added: Vec<&String> = after.iter().filter(|a| !before.contains(a)).collect();
        let removed: Vec<&String> = before.iter().filter(|b| !after.contains(b)).collect();
        let mut parts = Vec::new();
        if !added.is_empty() {
            parts.push(format!(
                "added {}",
                added
                    .iter()
                    .map(|a| format!("<ins>{}</ins>", escape(a)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if !removed.is_empty() {
            parts.push(format!(
                "removed {}",
                removed
                    .iter()
                    .map(|r| format!("<del>{}</del>", escape(r)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if parts.is_empty() {
            parts.push(format!("new order: {}", escape(&after.join(", "))));
        }
        return parts.join("; ");
    }
    let before = f.before.as_ref().and_then(Value::as_str);
    let after = f.after.as_ref().and_then(Value::as_str);
    let long = |s: Option<&str>| s.is_some_and(|s| s.chars().count() > LONG || s.contains('\n'));
    if let (Some(b), Some(a)) = (before, after)
        && (long(Some(b)) || long(Some(a)))
    {
        return format!("<span class=\"word-diff\">{}</span>", word_diff(b, a));
    }
    format!(
        "{} <span aria-hidden=\"true\">→</span><span class=\"visually-hidden\"> changed to </span> {}",
        marked_del(&plain(f.before.as_ref())),
        marked_ins(&plain(f.after.as_ref()))
    )
}

fn kind_label(k: ChangeKind) -> &'static str {
    match k {
        ChangeKind::Create => "Added",
        ChangeKind::Edit => "Edit",
        ChangeKind::Merge => "Merge",
        ChangeKind::MoveEdition => "Edition moved",
        ChangeKind::Revert => "Revert",
        ChangeKind::Lock => "Locked",
        ChangeKind::Unlock => "Unlocked",
    }
}

fn view(c: &Change) -> ChangeView {
    ChangeView {
        id: c.id.to_string(),
        kind: kind_label(c.kind),
        summary: c.summary.clone(),
        who: c.user_name.clone().unwrap_or_else(|| "Quire".into()),
        accepted_by: c.accepted_by.clone(),
        when: day(c.created_at),
        fields: c
            .fields
            .iter()
            .map(|f| FieldView {
                label: super::capitalised(field_label(&f.field)),
                html: field_html(f),
            })
            .collect(),
        revertable: matches!(c.kind, ChangeKind::Edit | ChangeKind::Revert) && !c.fields.is_empty(),
    }
}

async fn title_of(st: &AppState, w: WorkId) -> Result<String, AppError> {
    let cur = edit::current(&st.db, edit::Target::Work(w))
        .await?
        .ok_or_else(|| {
            AppError::NotFound(format!("There is no book with the id \"{w}\" in Quire."))
        })?;
    Ok(cur
        .fields
        .get("title")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string())
}

pub async fn history_page(
    State(st): State<AppState>,
    Viewer(user): Viewer,
    WorkPath(w): WorkPath,
    Query(q): Query<HistoryQuery>,
) -> Result<Response, AppError> {
    let title = title_of(&st, w).await?;
    let page_no = q.page.unwrap_or(1).clamp(1, 100_000);
    let h = history::for_work(&st.db, w, page_no, PER_PAGE).await?;
    let lock = edit::lock_of(&st.db, w).await?;
    let pages = (h.total.max(0) as u64).div_ceil(u64::from(PER_PAGE)).max(1) as u32;
    let t = HistoryPage {
        layout: Layout::for_user(user.as_ref()),
        work_id: w.to_string(),
        title,
        changes: h.changes.iter().map(view).collect(),
        total: h.total,
        page: page_no,
        pages,
        librarian: user.as_ref().is_some_and(|u| u.role >= SiteRole::Librarian),
        is_locked: lock.is_some(),
        locked: lock.map(|l| {
            format!(
                "Locked against edits by {} since {}.",
                l.by.as_deref().unwrap_or("a librarian"),
                day(l.at)
            )
        }),
        reverted: q.reverted.is_some(),
    };
    Ok(page(&t)?.into_response())
}

pub async fn revert(
    State(st): State<AppState>,
    Librarian(user): Librarian,
    Path((work, change)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let not_found = || AppError::NotFound("There is no such change in this book's history.".into());
    let w = WorkId::parse(&work).ok_or_else(not_found)?;
    let change = Uuid::parse_str(&change).map_err(|_| not_found())?;
    let c = history::change(&st.db, change)
        .await?
        .ok_or_else(not_found)?;
    if c.work != Some(w) {
        return Err(not_found());
    }
    edit::revert(&st.db, change, user.user_id(), overrides_lock(&user)).await?;
    Ok(Redirect::to(&format!("/books/{w}/history?reverted=1")).into_response())
}

/// One field a change touched, in the API.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = ChangeField)]
pub struct ApiField {
    /// work, edition, contributor, series or subject.
    pub entity: &'static str,
    pub entity_id: Uuid,
    pub field: String,
    /// The value before, as JSON (`null` when there was none).
    pub before: Option<Value>,
    /// The value after, as JSON (`null` when there is none).
    pub after: Option<Value>,
}

/// One change in a book's history, in the API.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = Change)]
pub struct ApiChange {
    pub id: Uuid,
    /// create, edit, merge, move_edition, revert, lock or unlock.
    pub kind: &'static str,
    pub summary: String,
    /// The author's display name, when the account still exists.
    pub author: Option<String>,
    /// For an accepted proposal, the librarian who accepted it.
    pub accepted_by: Option<String>,
    /// RFC 3339.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: time::OffsetDateTime,
    /// The change this one reverts.
    pub reverts: Option<Uuid>,
    pub fields: Vec<ApiField>,
}

/// A page of a book's history, and how many changes it holds in all.
#[derive(Serialize)]
pub struct ApiHistory {
    pub work: WorkId,
    #[serde(flatten)]
    pub page: cursor::Page<ApiChange>,
    pub total: i64,
}

/// `GET /api/v1/books/{id}/history?limit=&cursor=`: newest first, paged
/// by (made at, id).
pub async fn api_history(
    State(st): State<AppState>,
    WorkPath(w): WorkPath,
    crate::input::Query(q): crate::input::Query<cursor::PageQuery>,
) -> Result<Json<ApiHistory>, AppError> {
    let limit = q.limit()?;
    let after = q.after_time()?;
    title_of(&st, w).await?;
    let h = history::for_work_after(&st.db, w, after, limit + 1).await?;
    Ok(Json(ApiHistory {
        work: w,
        page: cursor::page_of(
            h.changes,
            limit,
            |c| cursor::time_key(c.created_at, c.id),
            |c| ApiChange {
                id: c.id,
                kind: c.kind.as_str(),
                summary: c.summary,
                author: c.user_name,
                accepted_by: c.accepted_by,
                created_at: c.created_at,
                reverts: c.reverts,
                fields: c
                    .fields
                    .into_iter()
                    .map(|f| ApiField {
                        entity: f.entity.as_str(),
                        entity_id: f.entity_id,
                        field: f.field,
                        before: f.before,
                        after: f.after,
                    })
                    .collect(),
            },
        ),
        total: h.total,
    }))
}
