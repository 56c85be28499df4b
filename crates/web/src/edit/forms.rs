//! The edit forms: `GET`/`POST` `/books/{id}/edit`, `/editions/{id}/edit`,
//! `/contributors/{id}/edit`, `/series/{id}/edit`, `/subjects/{id}/edit`.
//!
//! A librarian's save is applied at once; a member's becomes a proposal for
//! a librarian to accept. The form carries the version it was drawn from:
//! a save over a newer version answers 409 with what changed meanwhile and
//! the form as the user filled it, so nothing typed is lost.

use super::{edit_path, noun, overrides_lock};
use crate::AppState;
use crate::auth::Member;
use crate::error::AppError;
use crate::paths::WorkPath;
use crate::permissions::{Permission, require};
use crate::view::{Layout, day, page};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use quire_domain::{ContributorId, ContributorRole, EditionId, Format, SiteRole};
use quire_storage::catalog::edit::{
    self, Current, EditError, EditRequest, Expect, Fields, Target, field_label,
};
use quire_storage::catalog::proposals;
use quire_storage::history::{self, ChangeKind};
use quire_storage::users::User;
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;
use uuid::Uuid;

/// One input of the form.
pub struct Input {
    pub name: &'static str,
    pub label: String,
    /// "text", "textarea", "number" or "select".
    pub kind: &'static str,
    pub value: String,
    pub hint: Option<&'static str>,
    /// For a select: (value, label).
    pub options: Vec<(String, String)>,
    pub error: Option<String>,
    pub required: bool,
}

pub struct CreditRow {
    pub index: usize,
    pub name: String,
    pub role: String,
    pub order: usize,
}

/// A change made while the user was editing, shown beside their form.
pub struct ConflictLine {
    pub field: String,
    pub before: String,
    pub after: String,
    pub who: String,
    pub when: String,
}

#[derive(Template)]
#[template(path = "edit/form.html")]
pub struct EditForm {
    layout: Layout,
    heading: String,
    action: String,
    back: Option<(String, String)>,
    inputs: Vec<Input>,
    credits: Option<Vec<CreditRow>>,
    credits_error: Option<String>,
    roles: Vec<(String, String)>,
    version: i64,
    propose: bool,
    note: String,
    locked: Option<String>,
    can_edit: bool,
    error: Option<String>,
    conflict: Vec<ConflictLine>,
    saved: bool,
    /// Links to the edit forms of what the work shows.
    links: Vec<(String, String, String)>,
    /// For a work and a librarian: (work id, is locked).
    lock_form: Option<(String, bool)>,
    history: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct FormQuery {
    pub saved: Option<String>,
}

/// A form value as the form shows it.
fn shown(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items
            .iter()
            .map(|i| match i {
                Value::String(s) => s.clone(),
                Value::Object(o) => {
                    let name = o.get("name").and_then(Value::as_str).unwrap_or_default();
                    let role = o.get("role").and_then(Value::as_str).unwrap_or_default();
                    format!("{name} ({role})")
                }
                other => other.to_string(),
            })
            .collect::<Vec<_>>()
            .join("\n"),
        other => other.to_string(),
    }
}

/// The submitted form: each field's first value, and the credit rows.
struct Submitted {
    values: BTreeMap<String, String>,
    /// Whether the form had contributor rows at all (a form without them
    /// leaves the contributors as they are).
    has_credits: bool,
    credits: Vec<CreditRow>,
    version: Option<i64>,
    note: String,
}

fn read_form(pairs: &[(String, String)]) -> Submitted {
    let mut values = BTreeMap::new();
    let mut rows: BTreeMap<usize, CreditRow> = BTreeMap::new();
    for (k, v) in pairs {
        if let Some((what, i)) = k
            .strip_prefix("credit_")
            .and_then(|r| r.rsplit_once('_'))
            .and_then(|(w, i)| i.parse::<usize>().ok().map(|i| (w, i)))
        {
            if i >= 200 {
                continue;
            }
            let row = rows.entry(i).or_insert_with(|| CreditRow {
                index: i,
                name: String::new(),
                role: "author".into(),
                order: i + 1,
            });
            match what {
                "name" => row.name = v.clone(),
                "role" => row.role = v.clone(),
                "order" => row.order = v.trim().parse().unwrap_or(i + 1),
                _ => {}
            }
            continue;
        }
        values.entry(k.clone()).or_insert_with(|| v.clone());
    }
    Submitted {
        has_credits: !rows.is_empty(),
        version: values.get("version").and_then(|v| v.trim().parse().ok()),
        note: values.get("note").cloned().unwrap_or_default(),
        values,
        credits: rows.into_values().collect(),
    }
}

/// The submitted values in the form [`edit::apply_edit`] takes.
fn to_fields(target: Target, s: &Submitted) -> Fields {
    let mut out = Fields::new();
    for name in target.field_names() {
        match *name {
            "credits" if s.has_credits => {
                let mut rows: Vec<&CreditRow> = s
                    .credits
                    .iter()
                    .filter(|r| !r.name.trim().is_empty())
                    .collect();
                rows.sort_by_key(|r| (r.order, r.index));
                out.insert(
                    "credits".into(),
                    Value::Array(
                        rows.iter()
                            .map(|r| serde_json::json!({"name": r.name, "role": r.role}))
                            .collect(),
                    ),
                );
            }
            "credits" => {}
            "subjects" => {
                if let Some(v) = s.values.get("subjects") {
                    out.insert(
                        "subjects".into(),
                        Value::Array(
                            v.split(['\n', ','])
                                .map(str::trim)
                                .filter(|t| !t.is_empty())
                                .map(|t| Value::String(t.to_string()))
                                .collect(),
                        ),
                    );
                }
            }
            n => {
                if let Some(v) = s.values.get(n) {
                    out.insert(n.to_string(), Value::String(v.clone()));
                }
            }
        }
    }
    out
}

fn input(
    name: &'static str,
    label: &str,
    kind: &'static str,
    hint: Option<&'static str>,
    required: bool,
) -> Input {
    Input {
        name,
        label: label.to_string(),
        kind,
        value: String::new(),
        hint,
        options: Vec::new(),
        error: None,
        required,
    }
}

/// The inputs of `target`'s form, in order, without values.
fn inputs_of(target: Target) -> Vec<Input> {
    match target {
        Target::Work(_) => vec![
            input("title", "Title", "text", None, true),
            input("subtitle", "Subtitle", "text", None, false),
            input(
                "original_title",
                "Original title",
                "text",
                Some("If first published under another title or in another language."),
                false,
            ),
            input(
                "original_language",
                "Original language",
                "text",
                Some("A language code such as en, fr or ja."),
                false,
            ),
            input(
                "first_published",
                "First published",
                "text",
                Some("Write what is known: 1999, 1999-05 or 1999-05-04."),
                false,
            ),
            input("series", "Series", "text", None, false),
            input(
                "series_position",
                "Number in the series",
                "text",
                Some("1, 2.5 or 1-3."),
                false,
            ),
            input(
                "subjects",
                "Subjects",
                "textarea",
                Some("One per line."),
                false,
            ),
        ],
        Target::Edition(_) => {
            let mut format = input("format", "Format", "select", None, true);
            format.options = Format::ALL
                .iter()
                .map(|f| (f.as_str().to_string(), f.label().to_string()))
                .collect();
            vec![
                input("title", "Title", "text", None, true),
                input("subtitle", "Subtitle", "text", None, false),
                format,
                input("pages", "Pages", "number", None, false),
                input(
                    "isbn13",
                    "ISBN",
                    "text",
                    Some("ISBN-10 or ISBN-13; it is checked and kept as ISBN-13."),
                    false,
                ),
                input("publisher", "Publisher", "text", None, false),
                input(
                    "published",
                    "Published",
                    "text",
                    Some("Write what is known: 1999, 1999-05 or 1999-05-04."),
                    false,
                ),
                input(
                    "language",
                    "Language",
                    "text",
                    Some("A language code such as en, fr or ja."),
                    false,
                ),
            ]
        }
        Target::Contributor(_) => vec![
            input("name", "Name", "text", None, true),
            input("bio", "Biography", "textarea", None, false),
        ],
        Target::Series(_) | Target::Subject(_) => vec![input("name", "Name", "text", None, true)],
    }
}

fn credit_rows_from(v: &Value) -> Vec<CreditRow> {
    v.as_array()
        .map(|a| {
            a.iter()
                .enumerate()
                .map(|(i, c)| CreditRow {
                    index: i,
                    name: c
                        .get("name")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                    role: c
                        .get("role")
                        .and_then(Value::as_str)
                        .unwrap_or("author")
                        .to_string(),
                    order: i + 1,
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Two empty rows after the filled ones, for adding contributors.
fn with_blank_rows(mut rows: Vec<CreditRow>) -> Vec<CreditRow> {
    let next = rows.iter().map(|r| r.index + 1).max().unwrap_or(0);
    let order = rows.iter().map(|r| r.order).max().unwrap_or(0);
    for k in 0..2 {
        rows.push(CreditRow {
            index: next + k,
            name: String::new(),
            role: "author".into(),
            order: order + k + 1,
        });
    }
    rows
}

/// Find what to edit, or say plainly that it does not exist.
async fn load(st: &AppState, target: Target) -> Result<Current, AppError> {
    edit::current(&st.db, target).await?.ok_or_else(|| {
        AppError::NotFound(format!(
            "There is no such {} in Quire; it may have been merged or removed.",
            noun(target)
        ))
    })
}

fn heading_of(cur: &Current) -> Result<(String, Option<(String, String)>), AppError> {
    let name = cur
        .fields
        .get("title")
        .or_else(|| cur.fields.get("name"))
        .map(shown)
        .unwrap_or_default();
    let heading = match cur.target {
        Target::Work(_) => format!("Edit “{name}”"),
        Target::Edition(_) => format!("Edit an edition of “{name}”"),
        Target::Contributor(_) => format!("Edit the contributor {name}"),
        Target::Series(_) => format!("Edit the series {name}"),
        Target::Subject(_) => format!("Edit the subject {name}"),
    };
    let back = cur
        .work
        .map(|w| (format!("/books/{w}"), "Back to the book".to_string()));
    Ok((heading, back))
}

struct Draw<'a> {
    user: &'a User,
    cur: &'a Current,
    /// What the user typed, when the form is drawn again.
    submitted: Option<&'a Submitted>,
    error: Option<(&'static str, String)>,
    conflict: Vec<ConflictLine>,
    saved: bool,
}

async fn draw(st: &AppState, d: Draw<'_>) -> Result<EditForm, AppError> {
    let target = d.cur.target;
    let (heading, back) = heading_of(d.cur)?;
    let mut inputs = inputs_of(target);
    for i in &mut inputs {
        i.value = match d.submitted {
            Some(s) => s.values.get(i.name).cloned().unwrap_or_default(),
            None => d.cur.fields.get(i.name).map(shown).unwrap_or_default(),
        };
        if let Some((f, m)) = &d.error
            && *f == i.name
        {
            i.error = Some(m.clone());
        }
    }
    let credits = matches!(target, Target::Work(_)).then(|| {
        with_blank_rows(match d.submitted {
            Some(s) => s
                .credits
                .iter()
                .filter(|r| !r.name.trim().is_empty())
                .map(|r| CreditRow {
                    index: r.index,
                    name: r.name.clone(),
                    role: r.role.clone(),
                    order: r.order,
                })
                .collect(),
            None => credit_rows_from(d.cur.fields.get("credits").unwrap_or(&Value::Null)),
        })
    });
    let librarian = d.user.role >= SiteRole::Librarian;
    let locked = d.cur.lock.as_ref().map(|l| {
        format!(
            "This book is locked against edits by {} since {}.",
            l.by.as_deref().unwrap_or("a librarian"),
            day(l.at)
        )
    });
    let can_edit = d.cur.lock.is_none() || overrides_lock(d.user);
    let mut links = Vec::new();
    if let Target::Work(w) = target {
        for (e, title, format) in edit::editions_of(&st.db, w).await? {
            let label = Format::parse(&format)
                .map(|f| f.label())
                .unwrap_or("Edition");
            links.push((
                edit_path(Target::Edition(e)),
                format!("{title} ({label})"),
                "Editions".to_string(),
            ));
        }
        for (t, name) in edit::related(&st.db, w).await? {
            let group = match t {
                Target::Contributor(_) => "Contributors",
                Target::Series(_) => "Series",
                _ => "Subjects",
            };
            links.push((edit_path(t), name, group.to_string()));
        }
    }
    let error = d.error.as_ref().map(|(_, m)| m.clone());
    Ok(EditForm {
        layout: Layout::for_user(Some(d.user)),
        heading,
        action: edit_path(target),
        back,
        inputs,
        credits_error: d
            .error
            .as_ref()
            .filter(|(f, _)| *f == "credits")
            .map(|(_, m)| m.clone()),
        credits,
        roles: ContributorRole::ALL
            .iter()
            .map(|r| (r.as_str().to_string(), r.label().to_string()))
            .collect(),
        version: d.cur.version,
        propose: !librarian,
        note: d.submitted.map(|s| s.note.clone()).unwrap_or_default(),
        locked,
        can_edit,
        error,
        conflict: d.conflict,
        saved: d.saved,
        links,
        lock_form: match target {
            Target::Work(w) if librarian => Some((w.to_string(), d.cur.lock.is_some())),
            _ => None,
        },
        history: d.cur.work.map(|w| format!("/books/{w}/history")),
    })
}

/// A value from the history as one line a person reads.
pub fn plain(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => "(none)".into(),
        Some(v) => {
            let s = shown(v).replace('\n', ", ");
            if s.is_empty() { "(none)".into() } else { s }
        }
    }
}

fn conflict_lines(changes: &[history::Change]) -> Vec<ConflictLine> {
    changes
        .iter()
        .flat_map(|c| {
            c.fields.iter().map(move |f| ConflictLine {
                field: super::capitalised(field_label(&f.field)),
                before: plain(f.before.as_ref()),
                after: plain(f.after.as_ref()),
                who: c
                    .user_name
                    .clone()
                    .unwrap_or_else(|| "a former member".into()),
                when: day(c.created_at),
            })
        })
        .collect()
}

async fn show(
    st: &AppState,
    user: &User,
    target: Target,
    saved: bool,
) -> Result<Response, AppError> {
    require(user, Permission::ProposeEdit)?;
    let cur = load(st, target).await?;
    let form = draw(
        st,
        Draw {
            user,
            cur: &cur,
            submitted: None,
            error: None,
            conflict: Vec::new(),
            saved,
        },
    )
    .await?;
    Ok(page(&form)?.into_response())
}

async fn save(
    st: &AppState,
    user: &User,
    target: Target,
    pairs: Vec<(String, String)>,
) -> Result<Response, AppError> {
    require(user, Permission::ProposeEdit)?;
    let cur = load(st, target).await?;
    let submitted = read_form(&pairs);
    let values = to_fields(target, &submitted);
    let librarian = require(user, Permission::EditCatalog).is_ok();
    let result = if librarian {
        edit::apply_edit(
            &st.db,
            &EditRequest {
                target,
                values,
                expect: Expect::Version(submitted.version.unwrap_or(-1)),
                user: user.user_id(),
                override_lock: overrides_lock(user),
                kind: ChangeKind::Edit,
                reverts: None,
            },
        )
        .await
        .map(|_| ())
    } else {
        proposals::propose(&st.db, target, &values, &submitted.note, user.user_id())
            .await
            .map(|_| ())
    };
    let (status, error, conflict, cur) = match result {
        Ok(()) => {
            let to = match (librarian, target, cur.work) {
                (false, _, _) => "/catalog/proposals?sent=1".to_string(),
                (true, Target::Work(_) | Target::Edition(_), Some(w)) => format!("/books/{w}"),
                (true, t, _) => format!("{}?saved=1", edit_path(t)),
            };
            return Ok(Redirect::to(&to).into_response());
        }
        Err(EditError::Invalid { field, message }) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some((field, message)),
            Vec::new(),
            cur,
        ),
        Err(e @ EditError::Stale { .. }) => {
            let message = e.to_string();
            let changes = match e {
                EditError::Stale { changes, .. } => changes,
                _ => Vec::new(),
            };
            // Drawn again against the newest version, with the user's values.
            let fresh = load(st, target).await?;
            (
                StatusCode::CONFLICT,
                Some(("version", message)),
                conflict_lines(&changes),
                fresh,
            )
        }
        Err(e @ (EditError::Locked(_) | EditError::FieldChanged { .. })) => (
            StatusCode::CONFLICT,
            Some(("title", e.to_string())),
            Vec::new(),
            cur,
        ),
        Err(EditError::Storage(e)) => return Err(e.into()),
    };
    let form = draw(
        st,
        Draw {
            user,
            cur: &cur,
            submitted: Some(&submitted),
            error,
            conflict,
            saved: false,
        },
    )
    .await?;
    Ok((status, page(&form)?).into_response())
}

fn parse_id(raw: &str, what: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(raw).map_err(|_| {
        AppError::NotFound(format!(
            "There is no {what} with the id \"{}\" in Quire.",
            raw.chars().take(80).collect::<String>()
        ))
    })
}

pub async fn work_form(
    State(st): State<AppState>,
    Member(user): Member,
    WorkPath(w): WorkPath,
    Query(q): Query<FormQuery>,
) -> Result<Response, AppError> {
    show(&st, &user, Target::Work(w), q.saved.is_some()).await
}

pub async fn work_save(
    State(st): State<AppState>,
    Member(user): Member,
    WorkPath(w): WorkPath,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    save(&st, &user, Target::Work(w), pairs).await
}

/// The target named by `/{kind}/{id}/edit` for the non-work kinds.
fn target_of(kind: &str, raw: &str) -> Result<Target, AppError> {
    Ok(match kind {
        "editions" => Target::Edition(EditionId(parse_id(raw, "edition")?)),
        "contributors" => Target::Contributor(ContributorId(parse_id(raw, "contributor")?)),
        "series" => Target::Series(parse_id(raw, "series")?),
        "subjects" => Target::Subject(parse_id(raw, "subject")?),
        _ => {
            return Err(AppError::NotFound(
                "There is no page at this address.".into(),
            ));
        }
    })
}

/// A form route pair (show, save) for one kind of thing other than a work.
macro_rules! form_routes {
    ($show:ident, $save:ident, $kind:literal) => {
        pub async fn $show(
            State(st): State<AppState>,
            Member(user): Member,
            Path(id): Path<String>,
            Query(q): Query<FormQuery>,
        ) -> Result<Response, AppError> {
            show(&st, &user, target_of($kind, &id)?, q.saved.is_some()).await
        }

        pub async fn $save(
            State(st): State<AppState>,
            Member(user): Member,
            Path(id): Path<String>,
            Form(pairs): Form<Vec<(String, String)>>,
        ) -> Result<Response, AppError> {
            save(&st, &user, target_of($kind, &id)?, pairs).await
        }
    };
}

form_routes!(edition_form, edition_save, "editions");
form_routes!(contributor_form, contributor_save, "contributors");
form_routes!(series_form, series_save, "series");
form_routes!(subject_form, subject_save, "subjects");
