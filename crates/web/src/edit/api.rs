//! JSON edits for librarians: `PATCH /api/v1/books/{id}`, `/editions/{id}`,
//! `/contributors/{id}`, `/series/{id}`, `/subjects/{id}`. A body names the
//! `version` it was drawn from (from `GET` of the same address's edit form or
//! the history) and only the fields to change; `null` clears an optional one.

use super::overrides_lock;
use crate::AppState;
use crate::error::AppError;
use crate::paths::WorkPath;
use crate::permissions::Librarian;
use axum::Json;
use axum::extract::{Path, State};
use quire_domain::{ContributorId, EditionId};
use quire_storage::catalog::edit::{self, CreditField, EditRequest, Expect, Fields, Target};
use quire_storage::history::ChangeKind;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;
use uuid::Uuid;

/// A field that may be left out (unchanged), `null` (cleared) or set.
fn double<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkPatch {
    pub version: i64,
    pub title: Option<String>,
    #[serde(default, deserialize_with = "double")]
    pub subtitle: Option<Option<String>>,
    #[serde(default, deserialize_with = "double")]
    pub original_title: Option<Option<String>>,
    #[serde(default, deserialize_with = "double")]
    pub original_language: Option<Option<String>>,
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    #[serde(default, deserialize_with = "double")]
    pub first_published: Option<Option<String>>,
    #[serde(default, deserialize_with = "double")]
    pub series: Option<Option<String>>,
    #[serde(default, deserialize_with = "double")]
    pub series_position: Option<Option<String>>,
    pub subjects: Option<Vec<String>>,
    pub credits: Option<Vec<CreditField>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EditionPatch {
    pub version: i64,
    pub title: Option<String>,
    #[serde(default, deserialize_with = "double")]
    pub subtitle: Option<Option<String>>,
    pub format: Option<String>,
    #[serde(default, deserialize_with = "double")]
    pub pages: Option<Option<u32>>,
    /// ISBN-10 or ISBN-13; stored as ISBN-13.
    #[serde(default, deserialize_with = "double")]
    pub isbn: Option<Option<String>>,
    #[serde(default, deserialize_with = "double")]
    pub publisher: Option<Option<String>>,
    #[serde(default, deserialize_with = "double")]
    pub published: Option<Option<String>>,
    #[serde(default, deserialize_with = "double")]
    pub language: Option<Option<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContributorPatch {
    pub version: i64,
    pub name: Option<String>,
    #[serde(default, deserialize_with = "double")]
    pub bio: Option<Option<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NamePatch {
    pub version: i64,
    pub name: Option<String>,
}

/// What a PATCH did.
#[derive(Serialize)]
pub struct EditResult {
    /// The fields that changed (none when every value was already stored).
    pub changed: Vec<String>,
    /// The history entry, `GET /api/v1/books/{id}/history` shows it.
    pub change: Option<Uuid>,
    /// The version to send with the next edit.
    pub version: i64,
}

struct Put(Fields);

impl Put {
    fn set<T: Serialize>(&mut self, name: &str, v: Option<T>) {
        if let Some(v) = v {
            self.0.insert(
                name.to_string(),
                serde_json::to_value(v).unwrap_or(Value::Null),
            );
        }
    }
}

async fn apply(
    st: &AppState,
    user: &quire_storage::users::User,
    target: Target,
    version: i64,
    values: Fields,
) -> Result<Json<EditResult>, AppError> {
    let applied = edit::apply_edit(
        &st.db,
        &EditRequest {
            target,
            values,
            expect: Expect::Version(version),
            user: user.user_id(),
            override_lock: overrides_lock(user),
            kind: ChangeKind::Edit,
            reverts: None,
        },
    )
    .await?;
    let version = edit::current(&st.db, target)
        .await?
        .map(|c| c.version)
        .unwrap_or(version);
    Ok(Json(EditResult {
        changed: applied.fields,
        change: applied.change,
        version,
    }))
}

fn id_of(raw: &str, what: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(raw).map_err(|_| {
        AppError::NotFound(format!(
            "There is no {what} with the id \"{}\" in Quire.",
            raw.chars().take(80).collect::<String>()
        ))
    })
}

pub async fn patch_work(
    State(st): State<AppState>,
    Librarian(user): Librarian,
    WorkPath(w): WorkPath,
    Json(p): Json<WorkPatch>,
) -> Result<Json<EditResult>, AppError> {
    let mut f = Put(Fields::new());
    f.set("title", p.title);
    f.set("subtitle", p.subtitle);
    f.set("original_title", p.original_title);
    f.set("original_language", p.original_language);
    f.set("first_published", p.first_published);
    f.set("series", p.series);
    f.set("series_position", p.series_position);
    f.set("subjects", p.subjects);
    f.set("credits", p.credits);
    apply(&st, &user, Target::Work(w), p.version, f.0).await
}

pub async fn patch_edition(
    State(st): State<AppState>,
    Librarian(user): Librarian,
    Path(id): Path<String>,
    Json(p): Json<EditionPatch>,
) -> Result<Json<EditResult>, AppError> {
    let target = Target::Edition(EditionId(id_of(&id, "edition")?));
    let mut f = Put(Fields::new());
    f.set("title", p.title);
    f.set("subtitle", p.subtitle);
    f.set("format", p.format);
    f.set("pages", p.pages);
    f.set("isbn13", p.isbn);
    f.set("publisher", p.publisher);
    f.set("published", p.published);
    f.set("language", p.language);
    apply(&st, &user, target, p.version, f.0).await
}

pub async fn patch_contributor(
    State(st): State<AppState>,
    Librarian(user): Librarian,
    Path(id): Path<String>,
    Json(p): Json<ContributorPatch>,
) -> Result<Json<EditResult>, AppError> {
    let target = Target::Contributor(ContributorId(id_of(&id, "contributor")?));
    let mut f = Put(Fields::new());
    f.set("name", p.name);
    f.set("bio", p.bio);
    apply(&st, &user, target, p.version, f.0).await
}

pub async fn patch_series(
    State(st): State<AppState>,
    Librarian(user): Librarian,
    Path(id): Path<String>,
    Json(p): Json<NamePatch>,
) -> Result<Json<EditResult>, AppError> {
    let target = Target::Series(id_of(&id, "series")?);
    let mut f = Put(Fields::new());
    f.set("name", p.name);
    apply(&st, &user, target, p.version, f.0).await
}

pub async fn patch_subject(
    State(st): State<AppState>,
    Librarian(user): Librarian,
    Path(id): Path<String>,
    Json(p): Json<NamePatch>,
) -> Result<Json<EditResult>, AppError> {
    let target = Target::Subject(id_of(&id, "subject")?);
    let mut f = Put(Fields::new());
    f.set("name", p.name);
    apply(&st, &user, target, p.version, f.0).await
}
