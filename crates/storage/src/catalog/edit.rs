//! Editing the catalog: works, editions, contributors, series and subjects.
//!
//! Every edit goes through [`apply_edit`] (a librarian's direct edit, an
//! accepted proposal, a revert), which compares the wanted values with the
//! stored ones, writes only the fields that differ, records them in the
//! history in the same transaction, and bumps the revision of every work
//! whose page shows them. Values travel as JSON per field, so a proposal or
//! a revert can carry them as they are stored in the history.

use super::works::{Named, ensure_named};
use super::*;
use crate::history::{self, ChangeKind, Entity, FieldChange, NewChange};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use time::OffsetDateTime;

/// One field's value per field name, as stored and compared.
pub type Fields = BTreeMap<String, Value>;

/// What an edit changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "entity", content = "id", rename_all = "snake_case")]
pub enum Target {
    Work(WorkId),
    Edition(EditionId),
    Contributor(ContributorId),
    Series(Uuid),
    Subject(Uuid),
}

impl Target {
    pub fn entity(self) -> Entity {
        match self {
            Target::Work(_) => Entity::Work,
            Target::Edition(_) => Entity::Edition,
            Target::Contributor(_) => Entity::Contributor,
            Target::Series(_) => Entity::Series,
            Target::Subject(_) => Entity::Subject,
        }
    }

    pub fn id(self) -> Uuid {
        match self {
            Target::Work(w) => w.0,
            Target::Edition(e) => e.0,
            Target::Contributor(c) => c.0,
            Target::Series(s) | Target::Subject(s) => s,
        }
    }

    pub fn from_parts(entity: Entity, id: Uuid) -> Option<Self> {
        Some(match entity {
            Entity::Work => Target::Work(WorkId(id)),
            Entity::Edition => Target::Edition(EditionId(id)),
            Entity::Contributor => Target::Contributor(ContributorId(id)),
            Entity::Series => Target::Series(id),
            Entity::Subject => Target::Subject(id),
            _ => return None,
        })
    }

    /// The fields an edit of this kind of thing may change, in form order.
    pub fn field_names(self) -> &'static [&'static str] {
        match self {
            Target::Work(_) => &[
                "title",
                "subtitle",
                "original_title",
                "original_language",
                "first_published",
                "series",
                "series_position",
                "subjects",
                "credits",
            ],
            Target::Edition(_) => &[
                "title",
                "subtitle",
                "format",
                "pages",
                "isbn13",
                "publisher",
                "published",
                "language",
            ],
            Target::Contributor(_) => &["name", "bio"],
            Target::Series(_) | Target::Subject(_) => &["name"],
        }
    }
}

/// A person's name for a field, for messages and the history page.
pub fn field_label(field: &str) -> &'static str {
    match field {
        "title" => "title",
        "subtitle" => "subtitle",
        "original_title" => "original title",
        "original_language" => "original language",
        "first_published" => "first published",
        "series" => "series",
        "series_position" => "position in the series",
        "subjects" => "subjects",
        "credits" => "contributors",
        "format" => "format",
        "pages" => "pages",
        "isbn13" => "ISBN",
        "publisher" => "publisher",
        "published" => "publication date",
        "language" => "language",
        "name" => "name",
        "bio" => "biography",
        _ => "field",
    }
}

/// A credit as an edit names it: who, in what role; its place in the list
/// is its order on the page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditField {
    pub name: String,
    pub role: ContributorRole,
}

/// A work's editable fields, as the edit form and the API show them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct WorkFields {
    pub title: String,
    pub subtitle: Option<String>,
    pub original_title: Option<String>,
    pub original_language: Option<String>,
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`: the precision is what is known.
    pub first_published: Option<String>,
    pub series: Option<String>,
    pub series_position: Option<String>,
    pub subjects: Vec<String>,
    pub credits: Vec<CreditField>,
}

/// An edition's editable fields.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EditionFields {
    pub title: String,
    pub subtitle: Option<String>,
    pub format: Format,
    pub pages: Option<u32>,
    /// Always the 13-digit form once stored; an edit may send ISBN-10.
    pub isbn13: Option<String>,
    pub publisher: Option<String>,
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    pub published: Option<String>,
    pub language: Option<String>,
}

/// A contributor's, series' or subject's editable fields (`bio` only for
/// contributors).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NamedFields {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bio: Option<String>,
}

/// Who locked a work against edits, and when.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Lock {
    pub by: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// The stored state of something editable.
#[derive(Clone, Debug)]
pub struct Current {
    pub target: Target,
    pub fields: Fields,
    /// How many changes the history holds for it; an edit drawn from an
    /// older version is stale.
    pub version: i64,
    /// The work it belongs to (works and editions).
    pub work: Option<WorkId>,
    pub lock: Option<Lock>,
}

impl Current {
    /// The fields as a typed struct (`WorkFields`, `EditionFields`, …).
    pub fn typed<T: serde::de::DeserializeOwned>(&self) -> Result<T> {
        let obj: serde_json::Map<String, Value> = self
            .fields
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        serde_json::from_value(Value::Object(obj))
            .map_err(|e| StorageError::Corrupt(format!("stored fields do not read back: {e}")))
    }
}

/// Turn a typed struct into the per-field form [`apply_edit`] takes.
pub fn to_fields<T: Serialize>(value: &T) -> Fields {
    match serde_json::to_value(value) {
        Ok(Value::Object(m)) => m.into_iter().collect(),
        _ => Fields::new(),
    }
}

/// Why an edit was not made.
#[derive(Debug, thiserror::Error)]
pub enum EditError {
    #[error("{message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    /// The form was drawn from an older version: these changes were made
    /// since. Nothing was saved.
    #[error("{}", stale_message(.changes))]
    Stale {
        version: i64,
        changes: Vec<history::Change>,
    },
    /// A field differs from what the proposal or revert expected.
    #[error(
        "The {} was changed since, so this was not applied (nothing was overwritten). Look at the history and edit it again if needed.",
        field_label(.field)
    )]
    FieldChanged { field: &'static str },
    #[error("{}", locked_message(.0))]
    Locked(Lock),
    #[error("{0}")]
    Storage(#[from] StorageError),
}

impl From<sqlx::Error> for EditError {
    fn from(e: sqlx::Error) -> Self {
        EditError::Storage(StorageError::Sql(e))
    }
}

fn stale_message(changes: &[history::Change]) -> String {
    let mut fields: Vec<&str> = Vec::new();
    for c in changes {
        for f in &c.fields {
            let l = field_label(&f.field);
            if !fields.contains(&l) {
                fields.push(l);
            }
        }
    }
    let who: Vec<String> =
        changes
            .iter()
            .filter_map(|c| c.user_name.clone())
            .fold(Vec::new(), |mut acc, n| {
                if !acc.contains(&n) {
                    acc.push(n);
                }
                acc
            });
    format!(
        "Someone saved a change while you were editing ({} by {}). Nothing of yours was saved yet: check your values against theirs and save again.",
        if fields.is_empty() {
            "no field".to_string()
        } else {
            fields.join(", ")
        },
        if who.is_empty() {
            "another librarian".to_string()
        } else {
            who.join(", ")
        }
    )
}

fn locked_message(l: &Lock) -> String {
    format!(
        "This book is locked against edits by {} since {}; ask them or an administrator.",
        l.by.as_deref().unwrap_or("a librarian"),
        quire_domain::date::human_date(l.at.date())
    )
}

/// What an edit must still find before it is applied.
#[derive(Clone, Debug)]
pub enum Expect {
    /// The version the form was drawn from: any change since is a conflict.
    Version(i64),
    /// The value each changed field had when the proposal or the reverted
    /// change was made: a field changed since is a conflict.
    Values(Fields),
}

/// An edit about to be applied.
#[derive(Clone, Debug)]
pub struct EditRequest {
    pub target: Target,
    /// The wanted values; fields left out, or equal to the stored ones, are
    /// not touched.
    pub values: Fields,
    pub expect: Expect,
    pub user: UserId,
    /// Administrators edit locked works.
    pub override_lock: bool,
    pub kind: ChangeKind,
    pub reverts: Option<Uuid>,
}

/// What the edit did.
#[derive(Clone, Debug, PartialEq)]
pub struct Applied {
    /// The change recorded, or `None` when every value was already stored.
    pub change: Option<Uuid>,
    pub fields: Vec<String>,
}

fn text(v: &Value) -> Option<&str> {
    v.as_str()
}

fn bad(field: &'static str, message: impl Into<String>) -> EditError {
    EditError::Invalid {
        field,
        message: message.into(),
    }
}

/// Optional text: trimmed, empty is no value.
fn opt_text(field: &'static str, v: &Value, max: usize) -> Result<Value, EditError> {
    match v {
        Value::Null => Ok(Value::Null),
        Value::String(s) => {
            let t = s.trim();
            if t.is_empty() {
                Ok(Value::Null)
            } else if t.chars().count() > max {
                Err(bad(
                    field,
                    format!(
                        "The {} can be at most {max} characters long; this one has {}.",
                        field_label(field),
                        t.chars().count()
                    ),
                ))
            } else if t.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
                Err(bad(
                    field,
                    format!(
                        "The {} holds a control character; remove it.",
                        field_label(field)
                    ),
                ))
            } else {
                Ok(Value::String(t.to_string()))
            }
        }
        _ => Err(bad(
            field,
            format!("The {} must be text.", field_label(field)),
        )),
    }
}

fn req_text(field: &'static str, v: &Value, max: usize) -> Result<Value, EditError> {
    match opt_text(field, v, max)? {
        Value::Null => Err(bad(
            field,
            format!("The {} cannot be empty.", field_label(field)),
        )),
        t => Ok(t),
    }
}

fn opt_date(field: &'static str, v: &Value) -> Result<Value, EditError> {
    match opt_text(field, v, 20)? {
        Value::String(s) => PubDate::parse(&s)
            .map(|d| Value::String(d.to_iso()))
            .map_err(|_| {
                bad(
                    field,
                    format!(
                        "\"{s}\" is not a date Quire reads for the {}: write the year (1999), the month (1999-05) or the day (1999-05-04).",
                        field_label(field)
                    ),
                )
            }),
        other => Ok(other),
    }
}

/// Check one wanted value and put it in its stored form. The returned field
/// name is the static one, for error messages that name it.
fn normalize(target: Target, field: &str, v: &Value) -> Result<(&'static str, Value), EditError> {
    let Some(&name) = target.field_names().iter().find(|n| **n == field) else {
        return Err(bad(
            "field",
            format!(
                "\"{}\" is not a field that can be edited here; the fields are: {}.",
                field.chars().take(40).collect::<String>(),
                target.field_names().join(", ")
            ),
        ));
    };
    let value = match (target, name) {
        (_, "title") | (_, "name") => req_text(name, v, 500)?,
        (_, "bio") => opt_text(name, v, 20_000)?,
        (_, "first_published") | (_, "published") => opt_date(name, v)?,
        (_, "original_language") | (_, "language") => opt_text(name, v, 20)?,
        (_, "series_position") => opt_text(name, v, 20)?,
        (_, "format") => {
            let s = text(v).unwrap_or_default().trim();
            let f = Format::parse(s).ok_or_else(|| {
                bad(
                    name,
                    format!(
                        "\"{s}\" is not a format; choose one of {}.",
                        Format::ALL
                            .iter()
                            .map(|f| f.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
            })?;
            Value::String(f.as_str().to_string())
        }
        (_, "pages") => match v {
            Value::Null => Value::Null,
            Value::String(s) if s.trim().is_empty() => Value::Null,
            _ => {
                let n = match v {
                    Value::Number(n) => n.as_i64(),
                    Value::String(s) => s.trim().parse::<i64>().ok(),
                    _ => None,
                };
                match n {
                    Some(n) if (1..=100_000).contains(&n) => Value::from(n),
                    _ => {
                        return Err(bad(
                            name,
                            "Pages must be a whole number from 1 to 100000, or empty when unknown.",
                        ));
                    }
                }
            }
        },
        (_, "isbn13") => match opt_text(name, v, 40)? {
            Value::String(s) => Isbn13::parse(&s)
                .map(|i| Value::String(i.to_string()))
                .map_err(|e| bad(name, format!("The ISBN \"{s}\" is not valid: {e}.")))?,
            other => other,
        },
        (_, "subjects") => {
            let Value::Array(items) = v else {
                return Err(bad(name, "Subjects must be a list of names."));
            };
            let mut out: Vec<String> = Vec::new();
            for item in items {
                if let Value::String(s) = opt_text(name, item, 100)?
                    && !out.iter().any(|o| key(o) == key(&s))
                {
                    out.push(s);
                }
            }
            Value::from(out)
        }
        (_, "credits") => {
            let Value::Array(items) = v else {
                return Err(bad(
                    name,
                    "Contributors must be a list of names with roles.",
                ));
            };
            let mut out = Vec::new();
            for item in items {
                let person = item.get("name").cloned().unwrap_or(Value::Null);
                let Value::String(n) = opt_text(name, &person, 200)? else {
                    continue;
                };
                let role_text = item.get("role").and_then(Value::as_str).unwrap_or("author");
                let role = ContributorRole::parse(role_text).ok_or_else(|| {
                    bad(
                        name,
                        format!("\"{role_text}\" is not a role; choose author, translator, narrator, illustrator, editor or foreword."),
                    )
                })?;
                out.push(CreditField { name: n, role });
            }
            if out.is_empty() {
                return Err(bad(name, "A book needs at least one contributor."));
            }
            serde_json::to_value(out).map_err(|e| StorageError::Corrupt(e.to_string()))?
        }
        _ => opt_text(name, v, 500)?,
    };
    Ok((name, value))
}

/// Whether two stored values of a field mean the same.
fn same(field: &str, a: &Value, b: &Value) -> bool {
    if field == "subjects" {
        let keys = |v: &Value| -> Vec<String> {
            let mut k: Vec<String> = v
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_str).map(key).collect())
                .unwrap_or_default();
            k.sort();
            k
        };
        return keys(a) == keys(b);
    }
    a == b
}

fn opt(v: Option<String>) -> Value {
    v.map(Value::String).unwrap_or(Value::Null)
}

/// The stored state of `target`, or `None` when it does not exist.
pub async fn current(db: &Db, target: Target) -> Result<Option<Current>> {
    let mut tx = db.begin().await?;
    let c = current_in(db, &mut tx, target).await?;
    tx.commit().await?;
    Ok(c)
}

type LockRow = (Option<OffsetDateTime>, Option<String>);

async fn current_in(db: &Db, tx: &mut Tx, target: Target) -> Result<Option<Current>> {
    let mut fields = Fields::new();
    let mut work = None;
    let mut lock: LockRow = (None, None);
    match target {
        Target::Work(w) => {
            type Row = (
                String,
                Option<String>,
                Option<String>,
                Option<String>,
                Option<String>,
                Option<String>,
                Option<String>,
                Option<OffsetDateTime>,
                Option<String>,
            );
            let row: Option<Row> = tx!(
                db,
                tx,
                sqlx::query_as(
                    "SELECT w.title, w.subtitle, w.original_title, w.original_language,
                        w.first_published, s.name, w.series_position, w.locked_at, u.display_name
                     FROM works w LEFT JOIN series s ON s.id = w.series_id
                     LEFT JOIN users u ON u.id = w.locked_by
                     WHERE w.id = $1"
                )
                .bind(w.0),
                fetch_optional
            )?;
            let Some(r) = row else { return Ok(None) };
            fields.insert("title".into(), Value::String(r.0));
            fields.insert("subtitle".into(), opt(r.1));
            fields.insert("original_title".into(), opt(r.2));
            fields.insert("original_language".into(), opt(r.3));
            fields.insert("first_published".into(), opt(r.4));
            fields.insert("series".into(), opt(r.5));
            fields.insert("series_position".into(), opt(r.6));
            lock = (r.7, r.8);
            let subjects: Vec<(String,)> = tx!(
                db,
                tx,
                sqlx::query_as(
                    "SELECT s.name FROM work_subjects ws JOIN subjects s ON s.id = ws.subject_id
                     WHERE ws.work_id = $1 ORDER BY ws.weight DESC, s.name"
                )
                .bind(w.0),
                fetch_all
            )?;
            fields.insert(
                "subjects".into(),
                Value::from(subjects.into_iter().map(|(s,)| s).collect::<Vec<_>>()),
            );
            let credits: Vec<(String, String)> = tx!(
                db,
                tx,
                sqlx::query_as(
                    "SELECT c.name, cr.role FROM credits cr
                     JOIN contributors c ON c.id = cr.contributor_id
                     WHERE cr.work_id = $1 AND cr.edition_id IS NULL
                     ORDER BY cr.position, c.sort_name"
                )
                .bind(w.0),
                fetch_all
            )?;
            let credits: Vec<CreditField> = credits
                .into_iter()
                .map(|(name, role)| {
                    ContributorRole::try_from(role)
                        .map(|role| CreditField { name, role })
                        .map_err(|e| StorageError::Corrupt(e.to_string()))
                })
                .collect::<Result<_>>()?;
            fields.insert(
                "credits".into(),
                serde_json::to_value(credits).map_err(|e| StorageError::Corrupt(e.to_string()))?,
            );
            work = Some(w);
        }
        Target::Edition(e) => {
            type Row = (
                Uuid,
                String,
                Option<String>,
                String,
                Option<i64>,
                Option<String>,
                Option<String>,
                Option<String>,
                Option<String>,
                Option<OffsetDateTime>,
                Option<String>,
            );
            let row: Option<Row> = tx!(
                db,
                tx,
                sqlx::query_as(
                    "SELECT e.work_id, e.title, e.subtitle, e.format, e.pages, e.isbn13,
                        e.publisher, e.published, e.language, w.locked_at, u.display_name
                     FROM editions e JOIN works w ON w.id = e.work_id
                     LEFT JOIN users u ON u.id = w.locked_by
                     WHERE e.id = $1"
                )
                .bind(e.0),
                fetch_optional
            )?;
            let Some(r) = row else { return Ok(None) };
            work = Some(WorkId(r.0));
            fields.insert("title".into(), Value::String(r.1));
            fields.insert("subtitle".into(), opt(r.2));
            fields.insert("format".into(), Value::String(r.3));
            fields.insert("pages".into(), r.4.map(Value::from).unwrap_or(Value::Null));
            fields.insert("isbn13".into(), opt(r.5));
            fields.insert("publisher".into(), opt(r.6));
            fields.insert("published".into(), opt(r.7));
            fields.insert("language".into(), opt(r.8));
            lock = (r.9, r.10);
        }
        Target::Contributor(c) => {
            let row: Option<(String, String)> = tx!(
                db,
                tx,
                sqlx::query_as("SELECT name, bio FROM contributors WHERE id = $1").bind(c.0),
                fetch_optional
            )?;
            let Some((name, bio)) = row else {
                return Ok(None);
            };
            fields.insert("name".into(), Value::String(name));
            fields.insert(
                "bio".into(),
                if bio.is_empty() {
                    Value::Null
                } else {
                    Value::String(bio)
                },
            );
        }
        Target::Series(id) | Target::Subject(id) => {
            let sql = if matches!(target, Target::Series(_)) {
                "SELECT name FROM series WHERE id = $1"
            } else {
                "SELECT name FROM subjects WHERE id = $1"
            };
            let row: Option<(String,)> = tx!(db, tx, sqlx::query_as(sql).bind(id), fetch_optional)?;
            let Some((name,)) = row else { return Ok(None) };
            fields.insert("name".into(), Value::String(name));
        }
    }
    let version = version_in(db, tx, target).await?;
    Ok(Some(Current {
        target,
        fields,
        version,
        work,
        lock: lock.0.map(|at| Lock { by: lock.1, at }),
    }))
}

async fn version_in(db: &Db, tx: &mut Tx, target: Target) -> Result<i64> {
    let (n,): (i64,) = tx!(
        db,
        tx,
        sqlx::query_as(
            "SELECT COUNT(DISTINCT change_id) FROM catalog_change_fields
             WHERE entity = $1 AND entity_id = $2"
        )
        .bind(target.entity().as_str())
        .bind(target.id()),
        fetch_one
    )?;
    Ok(n)
}

/// The fields of `req.values` that differ from the stored ones, checked and
/// in stored form: `(field, before, after)`.
fn diff(
    target: Target,
    cur: &Fields,
    wanted: &Fields,
) -> Result<Vec<(&'static str, Value, Value)>, EditError> {
    let mut out = Vec::new();
    for name in target.field_names() {
        let Some(v) = wanted.get(*name) else { continue };
        let (name, after) = normalize(target, name, v)?;
        let before = cur.get(name).cloned().unwrap_or(Value::Null);
        if !same(name, &before, &after) {
            out.push((name, before, after));
        }
    }
    if let Some(unknown) = wanted
        .keys()
        .find(|k| !target.field_names().contains(&k.as_str()))
    {
        normalize(target, unknown, &Value::Null)?;
    }
    Ok(out)
}

/// Check the wanted values against the stored ones without writing: the
/// fields that would change, as `(field, before, after)`.
pub async fn preview(
    db: &Db,
    target: Target,
    values: &Fields,
) -> Result<Vec<(&'static str, Value, Value)>, EditError> {
    let cur = current(db, target)
        .await?
        .ok_or(StorageError::NotFound(entity_noun(target)))?;
    diff(target, &cur.fields, values)
}

fn entity_noun(target: Target) -> &'static str {
    match target {
        Target::Work(_) => "book",
        Target::Edition(_) => "edition",
        Target::Contributor(_) => "contributor",
        Target::Series(_) => "series",
        Target::Subject(_) => "subject",
    }
}

/// Apply an edit: the one path for direct edits, accepted proposals and
/// reverts.
pub async fn apply_edit(db: &Db, req: &EditRequest) -> Result<Applied, EditError> {
    let mut tx = db.begin().await?;
    let applied = apply_in(db, &mut tx, req).await?;
    tx.commit().await?;
    Ok(applied)
}

pub(crate) async fn apply_in(
    db: &Db,
    tx: &mut Tx,
    req: &EditRequest,
) -> Result<Applied, EditError> {
    let target = req.target;
    let cur = current_in(db, tx, target)
        .await?
        .ok_or(StorageError::NotFound(entity_noun(target)))?;
    if let Some(lock) = &cur.lock
        && !req.override_lock
    {
        return Err(EditError::Locked(lock.clone()));
    }
    let changed = diff(target, &cur.fields, &req.values)?;
    match &req.expect {
        Expect::Version(v) if *v != cur.version => {
            let since = history::since_in(db, tx, target.entity(), target.id(), *v).await?;
            return Err(EditError::Stale {
                version: cur.version,
                changes: since,
            });
        }
        Expect::Values(before) => {
            for (field, _, _) in &changed {
                let expected = before.get(*field).cloned().unwrap_or(Value::Null);
                let stored = cur.fields.get(*field).cloned().unwrap_or(Value::Null);
                if !same(field, &expected, &stored) {
                    return Err(EditError::FieldChanged { field });
                }
            }
        }
        Expect::Version(_) => {}
    }
    if changed.is_empty() {
        return Ok(Applied {
            change: None,
            fields: Vec::new(),
        });
    }
    for (field, _, after) in &changed {
        write_field(db, tx, target, field, after).await?;
    }
    let labels: Vec<&str> = changed.iter().map(|(f, _, _)| field_label(f)).collect();
    let summary = match req.kind {
        ChangeKind::Revert => format!("Reverted the {}", labels.join(", ")),
        _ => format!("Edited the {}", labels.join(", ")),
    };
    let summary = match target {
        Target::Edition(_) => format!("{summary} of an edition"),
        Target::Contributor(_) => format!("{summary} of a contributor"),
        Target::Series(_) => format!("{summary} of a series"),
        Target::Subject(_) => format!("{summary} of a subject"),
        Target::Work(_) => summary,
    };
    let change = history::record(
        db,
        tx,
        &NewChange {
            work: cur.work,
            kind: req.kind,
            summary,
            user: Some(req.user),
            reverts: req.reverts,
            fields: changed
                .iter()
                .map(|(f, b, a)| FieldChange {
                    entity: target.entity(),
                    entity_id: target.id(),
                    field: (*f).to_string(),
                    before: (!b.is_null()).then(|| b.clone()),
                    after: (!a.is_null()).then(|| a.clone()),
                })
                .collect(),
        },
    )
    .await?;
    // Titles, series places and author names feed the keys that match
    // imports and list possible duplicates; subjects and editions do not.
    let keyed = !matches!(target, Target::Subject(_) | Target::Edition(_));
    for w in works_showing(db, tx, target).await? {
        if keyed {
            refresh_keys(db, tx, w).await?;
        }
        bump_revision(db, tx, w).await?;
    }
    Ok(Applied {
        change: Some(change),
        fields: changed.iter().map(|(f, _, _)| (*f).to_string()).collect(),
    })
}

/// Every work whose page shows `target`.
async fn works_showing(db: &Db, tx: &mut Tx, target: Target) -> Result<Vec<WorkId>> {
    let (sql, id) = match target {
        Target::Work(w) => return Ok(vec![w]),
        Target::Edition(e) => ("SELECT work_id FROM editions WHERE id = $1", e.0),
        Target::Contributor(c) => (
            "SELECT DISTINCT work_id FROM credits WHERE contributor_id = $1",
            c.0,
        ),
        Target::Series(s) => ("SELECT id FROM works WHERE series_id = $1", s),
        Target::Subject(s) => ("SELECT work_id FROM work_subjects WHERE subject_id = $1", s),
    };
    let rows: Vec<(Uuid,)> = tx!(db, tx, sqlx::query_as(sql).bind(id), fetch_all)?;
    Ok(rows.into_iter().map(|(w,)| WorkId(w)).collect())
}

/// The id of the series or subject of this name, adding it when new. Looked
/// up by its key, since a renamed one keeps the id derived from its old name.
async fn named_id(db: &Db, tx: &mut Tx, kind: Named, name: &str) -> Result<Uuid> {
    ensure_named(db, tx, kind, name).await?;
    let sql = match kind {
        Named::Series => "SELECT id FROM series WHERE name_key = $1",
        Named::Subject => "SELECT id FROM subjects WHERE name_key = $1",
    };
    let (id,): (Uuid,) = tx!(db, tx, sqlx::query_as(sql).bind(key(name)), fetch_one)?;
    Ok(id)
}

fn unique_name(field: &'static str, what: &str) -> impl Fn(sqlx::Error) -> EditError {
    let what = what.to_string();
    move |e| {
        let err = StorageError::Sql(e);
        if err.is_unique_violation() {
            bad(
                field,
                format!(
                    "Another {what} already has this; choose another, or ask a librarian to merge them."
                ),
            )
        } else {
            err.into()
        }
    }
}

async fn write_field(
    db: &Db,
    tx: &mut Tx,
    target: Target,
    field: &'static str,
    v: &Value,
) -> Result<(), EditError> {
    let s = v.as_str().map(str::to_string);
    match (target, field) {
        (Target::Work(w), "title") => {
            let t = s.unwrap_or_default();
            tx!(
                db,
                tx,
                sqlx::query(
                    "UPDATE works SET title = $2, sort_title = $3, slug = $4 WHERE id = $1"
                )
                .bind(w.0)
                .bind(&t)
                .bind(sort_title(&t))
                .bind(slugify(&t)),
                execute
            )?;
        }
        (Target::Work(w), "series") => {
            let series = match &s {
                Some(name) => Some(named_id(db, tx, Named::Series, name).await?),
                None => None,
            };
            tx!(
                db,
                tx,
                sqlx::query("UPDATE works SET series_id = $2 WHERE id = $1")
                    .bind(w.0)
                    .bind(series),
                execute
            )?;
        }
        (Target::Work(w), "subjects") => {
            let wanted: Vec<String> = v
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default();
            let keys: Vec<String> = wanted.iter().map(|n| key(n)).collect();
            let stored: Vec<(Uuid, String)> = tx!(
                db,
                tx,
                sqlx::query_as(
                    "SELECT s.id, s.name_key FROM work_subjects ws
                     JOIN subjects s ON s.id = ws.subject_id WHERE ws.work_id = $1"
                )
                .bind(w.0),
                fetch_all
            )?;
            for (id, k) in &stored {
                if !keys.contains(k) {
                    tx!(
                        db,
                        tx,
                        sqlx::query(
                            "DELETE FROM work_subjects WHERE work_id = $1 AND subject_id = $2"
                        )
                        .bind(w.0)
                        .bind(id),
                        execute
                    )?;
                }
            }
            for name in &wanted {
                let id = named_id(db, tx, Named::Subject, name).await?;
                // A subject added by hand counts as one reader's tag.
                tx!(
                    db,
                    tx,
                    sqlx::query(
                        "INSERT INTO work_subjects (work_id, subject_id, weight)
                         VALUES ($1, $2, 1) ON CONFLICT DO NOTHING"
                    )
                    .bind(w.0)
                    .bind(id),
                    execute
                )?;
            }
        }
        (Target::Work(w), "credits") => {
            let credits: Vec<CreditField> = serde_json::from_value(v.clone())
                .map_err(|e| StorageError::Corrupt(e.to_string()))?;
            tx!(
                db,
                tx,
                sqlx::query("DELETE FROM credits WHERE work_id = $1 AND edition_id IS NULL")
                    .bind(w.0),
                execute
            )?;
            for (i, c) in credits.iter().enumerate() {
                // An existing contributor of that name is credited, not a
                // new one of the same name (a renamed contributor keeps the
                // id derived from its old name).
                let known: Option<(Uuid,)> = tx!(
                    db,
                    tx,
                    sqlx::query_as(
                        "SELECT id FROM contributors WHERE name_key = $1 ORDER BY created_at, id LIMIT 1"
                    )
                    .bind(key(&c.name)),
                    fetch_optional
                )?;
                let new = NewCredit {
                    name: c.name.clone(),
                    role: c.role,
                };
                match known {
                    None => insert_credit(db, tx, w, None, &new, i).await?,
                    Some((contributor,)) => {
                        tx!(
                            db,
                            tx,
                            sqlx::query(
                                "INSERT INTO credits (id, work_id, edition_id, contributor_id, role, position)
                                 VALUES ($1, $2, NULL, $3, $4, $5)"
                            )
                            .bind(Uuid::now_v7())
                            .bind(w.0)
                            .bind(contributor)
                            .bind(c.role.as_str())
                            .bind(i as i64),
                            execute
                        )?;
                    }
                }
            }
        }
        (Target::Work(w), col) => {
            // The column names come from the fixed list of work fields.
            let sql = format!("UPDATE works SET {col} = $2 WHERE id = $1");
            tx!(
                db,
                tx,
                sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                    .bind(w.0)
                    .bind(s),
                execute
            )?;
        }
        (Target::Edition(e), "pages") => {
            tx!(
                db,
                tx,
                sqlx::query("UPDATE editions SET pages = $2 WHERE id = $1")
                    .bind(e.0)
                    .bind(v.as_i64()),
                execute
            )?;
        }
        (Target::Edition(e), "isbn13") => {
            tx!(
                db,
                tx,
                sqlx::query("UPDATE editions SET isbn13 = $2 WHERE id = $1")
                    .bind(e.0)
                    .bind(s),
                execute
            )
            .map_err(unique_name("isbn13", "edition in the catalog"))?;
        }
        (Target::Edition(e), col) => {
            let sql = format!("UPDATE editions SET {col} = $2 WHERE id = $1");
            tx!(
                db,
                tx,
                sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                    .bind(e.0)
                    .bind(s),
                execute
            )?;
        }
        (Target::Contributor(c), "name") => {
            let n = s.unwrap_or_default();
            tx!(
                db,
                tx,
                sqlx::query(
                    "UPDATE contributors SET name = $2, sort_name = $3, name_key = $4 WHERE id = $1"
                )
                .bind(c.0)
                .bind(&n)
                .bind(sort_name(&n))
                .bind(key(&n)),
                execute
            )?;
        }
        (Target::Contributor(c), _) => {
            tx!(
                db,
                tx,
                sqlx::query("UPDATE contributors SET bio = $2 WHERE id = $1")
                    .bind(c.0)
                    .bind(s.unwrap_or_default()),
                execute
            )?;
        }
        (Target::Series(id), _) => {
            let n = s.unwrap_or_default();
            tx!(
                db,
                tx,
                sqlx::query("UPDATE series SET name = $2, name_key = $3 WHERE id = $1")
                    .bind(id)
                    .bind(&n)
                    .bind(key(&n)),
                execute
            )
            .map_err(unique_name("name", "series"))?;
        }
        (Target::Subject(id), _) => {
            let n = s.unwrap_or_default();
            tx!(
                db,
                tx,
                sqlx::query("UPDATE subjects SET name = $2, name_key = $3 WHERE id = $1")
                    .bind(id)
                    .bind(&n)
                    .bind(key(&n)),
                execute
            )
            .map_err(unique_name("name", "subject"))?;
        }
    }
    Ok(())
}

/// Undo one recorded edit: its "before" values are applied as a new change
/// of kind Revert naming it. A field changed again since is a conflict; the
/// revert then changes nothing.
pub async fn revert(
    db: &Db,
    change: Uuid,
    user: UserId,
    override_lock: bool,
) -> Result<Applied, EditError> {
    let mut tx = db.begin().await?;
    let Some(c) = history::change_in(db, &mut tx, change).await? else {
        return Err(StorageError::NotFound("change").into());
    };
    if !matches!(c.kind, ChangeKind::Edit | ChangeKind::Revert) || c.fields.is_empty() {
        return Err(bad(
            "change",
            "Only edits can be reverted; additions, merges and locks are undone by their own actions.",
        ));
    }
    let first = &c.fields[0];
    let target = Target::from_parts(first.entity, first.entity_id)
        .ok_or_else(|| bad("change", "This change cannot be reverted."))?;
    let mut values = Fields::new();
    let mut expected = Fields::new();
    for f in c.fields.iter().filter(|f| f.entity_id == target.id()) {
        values.insert(f.field.clone(), f.before.clone().unwrap_or(Value::Null));
        expected.insert(f.field.clone(), f.after.clone().unwrap_or(Value::Null));
    }
    // A field that already holds the reverted value is fine; one that holds
    // neither the change's "after" nor its "before" changed since.
    let cur = current_in(db, &mut tx, target)
        .await?
        .ok_or(StorageError::NotFound(entity_noun(target)))?;
    for (field, after) in &expected {
        let stored = cur.fields.get(field).cloned().unwrap_or(Value::Null);
        let before = values.get(field).cloned().unwrap_or(Value::Null);
        if !same(field, &stored, after) && !same(field, &stored, &before) {
            let field = target
                .field_names()
                .iter()
                .find(|n| **n == field.as_str())
                .copied()
                .unwrap_or("field");
            return Err(EditError::FieldChanged { field });
        }
    }
    let applied = apply_in(
        db,
        &mut tx,
        &EditRequest {
            target,
            values,
            expect: Expect::Version(cur.version),
            user,
            override_lock,
            kind: ChangeKind::Revert,
            reverts: Some(change),
        },
    )
    .await?;
    if applied.change.is_none() {
        return Err(StorageError::Conflict(
            "This change is already undone: every field holds its earlier value.".into(),
        )
        .into());
    }
    tx.commit().await?;
    Ok(applied)
}

/// Lock a work against edits (`true`) or unlock it (`false`), recorded in
/// its history.
pub async fn set_lock(db: &Db, work: WorkId, user: UserId, locked: bool) -> Result<()> {
    let mut tx = db.begin().await?;
    let done = if locked {
        tx!(
            db,
            &mut tx,
            sqlx::query(
                "UPDATE works SET locked_at = $2, locked_by = $3 WHERE id = $1 AND locked_at IS NULL"
            )
            .bind(work.0)
            .bind(now())
            .bind(user.0),
            execute
        )?
    } else {
        tx!(
            db,
            &mut tx,
            sqlx::query(
                "UPDATE works SET locked_at = NULL, locked_by = NULL WHERE id = $1 AND locked_at IS NOT NULL"
            )
            .bind(work.0),
            execute
        )?
    };
    if done.rows_affected() == 0 {
        let exists = revision(db, work).await?.is_some();
        return Err(if !exists {
            StorageError::NotFound("book")
        } else if locked {
            StorageError::Conflict("This book is already locked.".into())
        } else {
            StorageError::Conflict("This book is not locked.".into())
        });
    }
    history::record(
        db,
        &mut tx,
        &NewChange {
            work: Some(work),
            kind: if locked {
                ChangeKind::Lock
            } else {
                ChangeKind::Unlock
            },
            summary: if locked {
                "Locked the book against edits".into()
            } else {
                "Unlocked the book".into()
            },
            user: Some(user),
            reverts: None,
            fields: Vec::new(),
        },
    )
    .await?;
    bump_revision(db, &mut tx, work).await?;
    tx.commit().await
}

/// Who locked the work and when, or `None` when it is open to edits.
pub async fn lock_of(db: &Db, work: WorkId) -> Result<Option<Lock>> {
    let row: Option<LockRow> = read!(
        db,
        sqlx::query_as(
            "SELECT w.locked_at, u.display_name FROM works w
             LEFT JOIN users u ON u.id = w.locked_by WHERE w.id = $1"
        )
        .bind(work.0),
        fetch_optional
    )?;
    Ok(row.and_then(|(at, by)| at.map(|at| Lock { by, at })))
}

/// The ids of the contributors, series and subjects a work shows, with their
/// names, so its edit page can link to their own edit forms.
pub async fn related(db: &Db, work: WorkId) -> Result<Vec<(Target, String)>> {
    let rows: Vec<(String, Uuid, String)> = read!(
        db,
        sqlx::query_as(
            "SELECT 'contributor', c.id, c.name FROM credits cr
                JOIN contributors c ON c.id = cr.contributor_id WHERE cr.work_id = $1
             UNION
             SELECT 'series', s.id, s.name FROM works w JOIN series s ON s.id = w.series_id
                WHERE w.id = $1
             UNION
             SELECT 'subject', s.id, s.name FROM work_subjects ws
                JOIN subjects s ON s.id = ws.subject_id WHERE ws.work_id = $1
             ORDER BY 1, 3"
        )
        .bind(work.0),
        fetch_all
    )?;
    Ok(rows
        .into_iter()
        .filter_map(|(kind, id, name)| {
            let entity = Entity::parse(&kind)?;
            Target::from_parts(entity, id).map(|t| (t, name))
        })
        .collect())
}

/// The editions of a work: id and title, for links to their edit forms.
pub async fn editions_of(db: &Db, work: WorkId) -> Result<Vec<(EditionId, String, String)>> {
    let rows: Vec<(Uuid, String, String)> = read!(
        db,
        sqlx::query_as(
            "SELECT id, title, format FROM editions WHERE work_id = $1
             ORDER BY is_primary DESC, created_at, id"
        )
        .bind(work.0),
        fetch_all
    )?;
    Ok(rows
        .into_iter()
        .map(|(id, t, f)| (EditionId(id), t, f))
        .collect())
}
