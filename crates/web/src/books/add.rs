//! Adding to the catalog: a new book with its first edition
//! (`/books/new`, `POST /api/v1/books`) and a new edition of a book already
//! there (`/books/{id}/editions/new`, `POST /api/v1/books/{id}/editions`).
//!
//! The form and the JSON body are read into the same [`BookFields`] and
//! checked by one function, so both report every wrong field at once.
//! Before a new book is made, the likely existing works are shown (any
//! ISBN exact, then the same title and first author) so a member adds an
//! edition to one of them instead of making a duplicate.

use super::page::prepared;
use crate::AppState;
use crate::auth::Member;
use crate::cover;
use crate::error::{AppError, FieldError, Related};
use crate::paths::WorkPath;
use crate::permissions::{Permission, require};
use crate::view::{Layout, language_name, page};
use askama::Template;
use axum::Json;
use axum::body::Body;
use axum::extract::multipart::Multipart;
use axum::extract::{FromRequest, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use quire_domain::{ContributorRole, EditionId, Format, Isbn13, PubDate, UserId, WorkId};
use quire_storage::catalog::{self, NewCredit, NewEdition, NewWork, WorkSummary};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The longest title or subtitle accepted, in characters.
const MAX_TITLE_CHARS: usize = 300;
/// The longest contributor, series, publisher or subject name.
const MAX_NAME_CHARS: usize = 200;
const MAX_SUBJECTS: usize = 20;
const MAX_CONTRIBUTORS: usize = 20;
/// Blank contributor rows the form offers (it works without JavaScript).
const CONTRIBUTOR_ROWS: usize = 4;
/// How many likely existing works are shown before a new book is made.
const MAX_CANDIDATES: u32 = 5;

/// Language codes the form offers; any other two- or three-letter code is
/// accepted from the API.
const LANGUAGES: &[&str] = &[
    "en", "es", "fr", "de", "it", "pt", "nl", "sv", "da", "no", "fi", "pl", "ru", "ja", "zh", "ar",
    "he", "el", "la", "tr", "id", "hi",
];

/// A book or edition as typed: every value a string, so a rejected form is
/// shown again exactly as it was sent.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct BookFields {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub subtitle: String,
    /// Contributor rows: a name and a role each (blank rows are ignored).
    #[serde(default)]
    pub contributor_name: Vec<String>,
    #[serde(default)]
    pub contributor_role: Vec<String>,
    #[serde(default)]
    pub series: String,
    #[serde(default)]
    pub series_number: String,
    /// Subjects separated by commas.
    #[serde(default)]
    pub subjects: String,
    #[serde(default)]
    pub format: String,
    #[serde(default)]
    pub pages: String,
    #[serde(default)]
    pub isbn: String,
    #[serde(default)]
    pub publisher: String,
    #[serde(default)]
    pub published: String,
    #[serde(default)]
    pub language: String,
    /// Empty on the first post; then "create", or the id of the work the
    /// member says this book is.
    #[serde(default)]
    pub decision: String,
    /// A cover checked on an earlier post of this form and held for it
    /// (see `cover/pending.rs`).
    #[serde(default)]
    pub cover_token: String,
}

/// The cover field of a posted form, before it is checked.
enum CoverChoice {
    None,
    /// A file was chosen: its name and bytes.
    File(String, axum::body::Bytes),
    /// The file was refused before decoding (too large, cut short).
    Refused(AppError),
}

/// The longest text field of a multipart form; the text fields' own limits
/// are far below it.
const MAX_TEXT_FIELD: usize = 64 * 1024;

/// Read the add-a-book or add-an-edition form: a multipart form with a
/// cover (the page's form), or a plain form without one (older clients,
/// tests). A multipart body may be a cover's size; a plain one keeps the
/// site's 256 KB limit.
async fn read_form(
    st: &AppState,
    req: Request,
) -> Result<
    (
        BookFields,
        CoverChoice,
        Option<tokio::sync::OwnedSemaphorePermit>,
    ),
    AppError,
> {
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim()
                .to_ascii_lowercase()
                .starts_with("multipart/form-data")
        });
    if !multipart {
        let (parts, body) = req.into_parts();
        let bytes = axum::body::to_bytes(body, crate::MAX_BODY_BYTES)
            .await
            .map_err(|_| {
                AppError::TooLarge(format!(
                    "The form is larger than Quire accepts ({} KB); nothing was saved.",
                    crate::MAX_BODY_BYTES / 1024
                ))
            })?;
        let req = Request::from_parts(parts, Body::from(bytes));
        let Form(f) = Form::<BookFields>::from_request(req, st)
            .await
            .map_err(|e| AppError::Unreadable {
                field: None,
                message: format!("The form could not be read ({e}); send it again."),
            })?;
        return Ok((f, CoverChoice::None, None));
    }
    // Uploads held in memory are capped with the cover uploads'.
    let permit = st.covers.buffer_permit()?;
    let (parts, body) = req.into_parts();
    let (bytes, total) = cover::read_form_prefix(body).await?;
    let req = Request::from_parts(parts, Body::from(bytes));
    let unreadable = || AppError::Unreadable {
        field: None,
        message: "The form could not be read; send it again.".into(),
    };
    let mut mp = Multipart::from_request(req, st)
        .await
        .map_err(|_| unreadable())?;
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut choice = CoverChoice::None;
    let too_large = |size: usize| {
        cover::refused(quire_covers::CoverError::TooLarge {
            size,
            max: st.covers.limits.max_bytes,
        })
    };
    loop {
        let field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            // The body was cut at the limit, inside the file (which comes
            // after the text fields): the file was too large.
            Err(_) if total > cover::MAX_UPLOAD_BODY => {
                choice = CoverChoice::Refused(too_large(total));
                break;
            }
            Err(_) => return Err(unreadable()),
        };
        let name = field.name().unwrap_or("").to_string();
        if name == "cover" {
            let file_name: String = field.file_name().unwrap_or("").chars().take(120).collect();
            match field.bytes().await {
                Ok(b) if b.is_empty() => {}
                Ok(b) if b.len() > st.covers.limits.max_bytes => {
                    choice = CoverChoice::Refused(too_large(b.len()));
                }
                Ok(b) => choice = CoverChoice::File(file_name, b),
                Err(_) if total > cover::MAX_UPLOAD_BODY => {
                    choice = CoverChoice::Refused(too_large(total));
                    break;
                }
                Err(_) => {
                    choice = CoverChoice::Refused(cover::cut_short());
                    break;
                }
            }
            continue;
        }
        let text = field.text().await.map_err(|_| unreadable())?;
        if text.len() > MAX_TEXT_FIELD {
            return Err(AppError::TooLarge(format!(
                "The \"{}\" field is far longer than any book needs ({} KB at most); nothing was saved.",
                name.chars().take(40).collect::<String>(),
                MAX_TEXT_FIELD / 1024
            )));
        }
        pairs.push((name, text));
    }
    Ok((fields_from_pairs(pairs), choice, Some(permit)))
}

/// The form's fields from a multipart body's name and value pairs.
fn fields_from_pairs(pairs: Vec<(String, String)>) -> BookFields {
    let mut f = BookFields::default();
    for (name, value) in pairs {
        match name.as_str() {
            "title" => f.title = value,
            "subtitle" => f.subtitle = value,
            "contributor_name" => f.contributor_name.push(value),
            "contributor_role" => f.contributor_role.push(value),
            "series" => f.series = value,
            "series_number" => f.series_number = value,
            "subjects" => f.subjects = value,
            "format" => f.format = value,
            "pages" => f.pages = value,
            "isbn" => f.isbn = value,
            "publisher" => f.publisher = value,
            "published" => f.published = value,
            "language" => f.language = value,
            "decision" => f.decision = value,
            "cover_token" => f.cover_token = value,
            _ => {}
        }
    }
    f
}

/// The cover the form ends up with: a new file checked and held, the one
/// held from an earlier post, or none. A refused cover is a field error,
/// reported with the others.
async fn resolve_cover(
    st: &AppState,
    owner: UserId,
    f: &mut BookFields,
    choice: CoverChoice,
) -> Result<Result<HeldCover, FieldError>, AppError> {
    let beside = |e: AppError| -> Result<_, AppError> {
        match e {
            AppError::BadInput { message, .. } | AppError::PayloadTooLarge { message, .. } => {
                Ok(Err(FieldError {
                    field: "cover",
                    message,
                }))
            }
            other => Err(other),
        }
    };
    match choice {
        CoverChoice::Refused(e) => {
            // A new file was chosen and refused: the one held before is
            // not silently kept in its place.
            f.cover_token.clear();
            beside(e)
        }
        CoverChoice::File(file_name, bytes) => match cover::prepare(st, bytes).await {
            Ok(p) => {
                let held = cover::Held {
                    owner,
                    file_name,
                    cover: Arc::new(p),
                };
                let token = st.covers.pending.hold(held.clone()).await;
                f.cover_token = token.clone();
                Ok(Ok(Some((token, held))))
            }
            Err(e) => {
                f.cover_token.clear();
                beside(e)
            }
        },
        CoverChoice::None => {
            let token = f.cover_token.trim().to_string();
            if token.is_empty() {
                return Ok(Ok(None));
            }
            match st.covers.pending.get(&token, owner).await {
                Some(held) => Ok(Ok(Some((token, held)))),
                None => {
                    f.cover_token.clear();
                    Ok(Err(FieldError {
                        field: "cover",
                        message: "The cover you chose earlier is no longer held (Quire keeps it for an hour); choose the file again.".into(),
                    }))
                }
            }
        }
    }
}

/// What is being added: a whole book, or an edition of `work_title`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Adding {
    Book,
    Edition,
}

/// A checked book: the work (for a new book) and its edition.
struct Checked {
    work: NewWork,
    edition: NewEdition,
    first_author: Option<String>,
}

impl Checked {
    /// The works this book may already be: any of its ISBNs, then its
    /// title and first author (the same matching imports use).
    async fn likely_existing(&self, st: &AppState) -> Result<Vec<WorkSummary>, AppError> {
        let isbns: Vec<Isbn13> = self.edition.isbn13.into_iter().collect();
        Ok(catalog::candidates(
            &st.db,
            &isbns,
            &self.work.title,
            self.first_author.as_deref(),
            MAX_CANDIDATES,
        )
        .await?)
    }
}

fn trimmed(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

fn too_long(s: &str, max: usize) -> bool {
    s.chars().count() > max
}

/// Where a contributor's credit belongs: translators, narrators and
/// illustrators make one edition; authors, editors and forewords the work.
fn on_edition(role: ContributorRole) -> bool {
    matches!(
        role,
        ContributorRole::Translator | ContributorRole::Narrator | ContributorRole::Illustrator
    )
}

/// Check every field; all problems are reported together.
fn check(f: &BookFields, adding: Adding, work_title: &str) -> Result<Checked, AppError> {
    let mut errors: Vec<FieldError> = Vec::new();
    let mut bad = |field: &'static str, message: String| errors.push(FieldError { field, message });
    let title = f.title.trim();
    if adding == Adding::Book {
        if title.is_empty() {
            bad("title", "Give the book's title.".into());
        } else if too_long(title, MAX_TITLE_CHARS) {
            bad(
                "title",
                format!("A title is at most {MAX_TITLE_CHARS} characters."),
            );
        }
    } else if too_long(title, MAX_TITLE_CHARS) {
        bad(
            "title",
            format!("A title is at most {MAX_TITLE_CHARS} characters."),
        );
    }
    if too_long(f.subtitle.trim(), MAX_TITLE_CHARS) {
        bad(
            "subtitle",
            format!("A subtitle is at most {MAX_TITLE_CHARS} characters."),
        );
    }

    let mut credits = Vec::new();
    for (i, name) in f.contributor_name.iter().enumerate() {
        let name = name.trim();
        let role_text = f.contributor_role.get(i).map(|r| r.trim()).unwrap_or("");
        if name.is_empty() {
            continue;
        }
        if too_long(name, MAX_NAME_CHARS) {
            bad(
                "contributors",
                format!("A contributor's name is at most {MAX_NAME_CHARS} characters."),
            );
            continue;
        }
        let role = if role_text.is_empty() {
            Some(ContributorRole::Author)
        } else {
            ContributorRole::parse(role_text)
        };
        match role {
            Some(role) => credits.push(NewCredit {
                name: name.to_string(),
                role,
            }),
            None => bad(
                "contributors",
                format!(
                    "\"{role_text}\" is not a contributor role; use one of: {}.",
                    ContributorRole::ALL
                        .iter()
                        .map(|r| r.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ),
        }
    }
    if credits.len() > MAX_CONTRIBUTORS {
        bad(
            "contributors",
            format!("A book lists at most {MAX_CONTRIBUTORS} contributors here."),
        );
    }
    let first_author = credits
        .iter()
        .find(|c| c.role == ContributorRole::Author)
        .map(|c| c.name.clone());
    if adding == Adding::Book && first_author.is_none() {
        bad(
            "contributors",
            "Name at least one author (pick one Quire knows, or type a new name).".into(),
        );
    }

    let series = trimmed(&f.series);
    let series_number = trimmed(&f.series_number);
    if series
        .as_deref()
        .is_some_and(|s| too_long(s, MAX_NAME_CHARS))
    {
        bad(
            "series",
            format!("A series name is at most {MAX_NAME_CHARS} characters."),
        );
    }
    match (&series, &series_number) {
        (None, Some(_)) => bad(
            "series_number",
            "Give the series' name too, or leave its number empty.".into(),
        ),
        (_, Some(n)) if too_long(n, 20) => bad(
            "series_number",
            "A number in a series is short: 1, 2.5 or 1-3.".into(),
        ),
        _ => {}
    }

    let subjects: Vec<String> = f
        .subjects
        .split(',')
        .filter_map(trimmed)
        .collect::<Vec<_>>();
    if subjects.len() > MAX_SUBJECTS {
        bad("subjects", format!("Give at most {MAX_SUBJECTS} subjects."));
    }
    if subjects.iter().any(|s| too_long(s, 100)) {
        bad("subjects", "A subject is at most 100 characters.".into());
    }

    let format = match f.format.trim() {
        "" => Format::Paperback,
        other => Format::parse(other).unwrap_or_else(|| {
            bad(
                "format",
                format!(
                    "\"{other}\" is not a format; use one of: {}.",
                    Format::ALL
                        .iter()
                        .map(|x| x.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
            Format::Other
        }),
    };
    let pages = match f.pages.trim() {
        "" => None,
        p => match p.parse::<u32>() {
            Ok(n) if (1..=100_000).contains(&n) => Some(n),
            _ => {
                bad(
                    "pages",
                    format!("Pages is a whole number from 1 to 100,000; \"{p}\" is not."),
                );
                None
            }
        },
    };
    let isbn = match f.isbn.trim() {
        "" => None,
        i => match Isbn13::parse(i) {
            Ok(isbn) => Some(isbn),
            Err(e) => {
                let msg = e.to_string();
                bad("isbn", capitalise(&msg));
                None
            }
        },
    };
    let publisher = trimmed(&f.publisher);
    if publisher
        .as_deref()
        .is_some_and(|p| too_long(p, MAX_NAME_CHARS))
    {
        bad(
            "publisher",
            format!("A publisher's name is at most {MAX_NAME_CHARS} characters."),
        );
    }
    let published = match f.published.trim() {
        "" => None,
        d => match PubDate::parse(d) {
            Ok(d) => Some(d),
            Err(e) => {
                bad("published", capitalise(&e.to_string()));
                None
            }
        },
    };
    let language = match f.language.trim() {
        "" => None,
        l if (2..=3).contains(&l.len()) && l.chars().all(|c| c.is_ascii_alphabetic()) => {
            Some(l.to_ascii_lowercase())
        }
        l => {
            bad(
                "language",
                format!(
                    "Give the language as its two- or three-letter code (en, fr, deu); \"{l}\" is not one."
                ),
            );
            None
        }
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }

    // A new edition's contributors are all its own (the work keeps its
    // authors); a new book's are split between the work and its edition.
    let (edition_credits, work_credits): (Vec<_>, Vec<_>) = credits
        .into_iter()
        .partition(|c| adding == Adding::Edition || on_edition(c.role));
    let work_id = WorkId::new();
    let edition_title = match (adding, title) {
        (Adding::Edition, "") => work_title.to_string(),
        _ => title.to_string(),
    };
    let mut edition = NewEdition::new(EditionId::new(), edition_title, format);
    edition.subtitle = trimmed(&f.subtitle);
    edition.pages = pages;
    edition.isbn13 = isbn;
    edition.publisher = publisher;
    edition.published = published;
    edition.language = language.clone();
    edition.is_primary = adding == Adding::Book;
    edition.credits = edition_credits;
    let mut work = NewWork::new(work_id, title);
    work.subtitle = trimmed(&f.subtitle);
    work.original_language = language;
    work.first_published = published;
    work.series = series.map(|s| (s, series_number));
    work.credits = work_credits;
    work.subjects = subjects.into_iter().map(|s| (s, 1)).collect();
    Ok(Checked {
        work,
        edition,
        first_author,
    })
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// A likely existing work, as the form lists it.
struct CandidateView {
    id: String,
    title: String,
    authors: String,
    year: Option<String>,
    href: String,
    /// It already has an edition with the ISBN given: open it rather than
    /// add the same edition again.
    has_isbn: bool,
}

fn candidate_view(w: &WorkSummary, isbn_work: Option<WorkId>) -> CandidateView {
    CandidateView {
        id: w.id.to_string(),
        title: match &w.subtitle {
            Some(s) => format!("{}: {s}", w.title),
            None => w.title.clone(),
        },
        authors: w.authors.join(", "),
        year: w.first_published.map(|d| d.year_value().to_string()),
        href: format!("/books/{}/{}", w.id, w.slug),
        has_isbn: isbn_work == Some(w.id),
    }
}

#[derive(Template)]
#[template(path = "books/new.html")]
struct AddPage {
    layout: Layout,
    heading: String,
    action: String,
    /// Adding an edition to this book (its title and address).
    work: Option<(String, String)>,
    f: BookFields,
    errors: Vec<FieldError>,
    rows: Vec<(String, String)>,
    candidates: Vec<CandidateView>,
    formats: Vec<(&'static str, &'static str)>,
    roles: Vec<(&'static str, &'static str)>,
    languages: Vec<(&'static str, String)>,
    /// A cover chosen on an earlier post and held for this form: what to
    /// call it beside the field.
    cover_kept: Option<String>,
}

impl AddPage {
    fn new(layout: Layout, f: BookFields, work: Option<(WorkId, String, String)>) -> Self {
        let mut rows: Vec<(String, String)> = f
            .contributor_name
            .iter()
            .enumerate()
            .map(|(i, n)| {
                (
                    n.clone(),
                    f.contributor_role.get(i).cloned().unwrap_or_default(),
                )
            })
            .filter(|(n, _)| !n.trim().is_empty())
            .collect();
        let blanks = CONTRIBUTOR_ROWS.saturating_sub(rows.len()).max(1);
        for i in 0..blanks {
            // A book's first row is its author; an edition's rows are
            // usually its translator or narrator.
            let role = match (&work, rows.is_empty() && i == 0) {
                (None, true) => "author",
                (None, false) => "",
                (Some(_), _) => "translator",
            };
            rows.push((String::new(), role.to_string()));
        }
        let (heading, action, work) = match work {
            Some((id, title, href)) => (
                format!("Add an edition of {title}"),
                format!("/books/{id}/editions/new"),
                Some((title, href)),
            ),
            None => ("Add a book".to_string(), "/books/new".to_string(), None),
        };
        Self {
            layout,
            heading,
            action,
            work,
            f,
            errors: Vec::new(),
            rows,
            candidates: Vec::new(),
            formats: Format::ALL
                .iter()
                .map(|x| (x.as_str(), x.label()))
                .collect(),
            roles: ContributorRole::ALL
                .iter()
                .map(|r| (r.as_str(), r.label()))
                .collect(),
            languages: LANGUAGES.iter().map(|c| (*c, language_name(c))).collect(),
            cover_kept: None,
        }
    }

    /// The same, with the cover held for it named beside the cover field.
    fn with_cover(mut self, held: &HeldCover) -> Self {
        self.cover_kept = held.as_ref().map(|(_, h)| {
            let name = if h.file_name.trim().is_empty() {
                "Your cover".to_string()
            } else {
                h.file_name.clone()
            };
            format!(
                "{name} ({} × {} pixels) is kept with this form",
                h.cover.original.width, h.cover.original.height
            )
        });
        self
    }

    /// The message for a field, if it was wrong.
    fn err(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    fn format_selected(&self, value: &str) -> bool {
        let chosen = self.f.format.trim();
        chosen == value || (chosen.is_empty() && value == "paperback")
    }
}

/// The form again with its values and its errors, each beside its field.
fn rejected(mut p: AddPage, e: AppError) -> Result<Response, AppError> {
    let status = match e {
        AppError::Conflict(_) => StatusCode::CONFLICT,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let fields = match e {
        AppError::Invalid(fields) => fields,
        AppError::BadInput { field, message } => vec![FieldError { field, message }],
        // An ISBN already in Quire names the book; show it on the field.
        AppError::Conflict(message) => vec![FieldError {
            field: "isbn",
            message,
        }],
        other => return Err(other),
    };
    p.errors = fields;
    Ok((status, page(&p)?).into_response())
}

fn book_href(id: WorkId) -> String {
    format!("/books/{id}")
}

/// `GET /books/new`: the empty form, for a signed-in member.
pub async fn new_book_form(m: Member) -> Result<Html<String>, AppError> {
    require(&m.0, Permission::AddToCatalog)?;
    page(&AddPage::new(
        Layout::for_user(Some(&m.0)),
        BookFields::default(),
        None,
    ))
}

/// A cover checked and held for this form, with its token.
type HeldCover = Option<(String, cover::Held)>;

/// The fields' check and the cover's, as one answer: every wrong field,
/// the cover's last (where the form shows it).
fn combine(
    checked: Result<Checked, AppError>,
    cover: Result<HeldCover, FieldError>,
) -> Result<(Checked, HeldCover), AppError> {
    match (checked, cover) {
        (Ok(c), Ok(h)) => Ok((c, h)),
        (Err(AppError::Invalid(mut fields)), Err(fe)) => {
            fields.push(fe);
            Err(AppError::Invalid(fields))
        }
        (Err(e), _) => Err(e),
        (Ok(_), Err(fe)) => Err(AppError::Invalid(vec![fe])),
    }
}

/// Put the held cover on the edition just saved, and let go of it.
async fn save_cover(st: &AppState, edition: EditionId, held: HeldCover) -> Result<(), AppError> {
    if let Some((token, h)) = held {
        cover::store(st, edition, &h.cover, false).await?;
        st.covers.pending.forget(&token).await;
    }
    Ok(())
}

/// `POST /books/new`: check; on the first post show likely existing
/// works; then create the book, or add the edition to the chosen work.
/// The form is multipart with an optional `cover` file; a cover is checked
/// with the other fields, and a form shown again keeps it.
pub async fn create_book(
    State(st): State<AppState>,
    m: Member,
    req: Request,
) -> Result<Response, AppError> {
    require(&m.0, Permission::AddToCatalog)?;
    let (mut f, choice, _buffer) = read_form(&st, req).await?;
    if !matches!(choice, CoverChoice::None) || !f.cover_token.is_empty() {
        require(&m.0, Permission::AddCover)?;
    }
    let layout = Layout::for_user(Some(&m.0));
    let cover = resolve_cover(&st, m.id(), &mut f, choice).await?;
    let held_now = cover.as_ref().ok().cloned().flatten();
    let form = |f: BookFields| AddPage::new(layout.clone(), f, None).with_cover(&held_now);
    let (checked, held) = match combine(check(&f, Adding::Book, ""), cover) {
        Ok(c) => c,
        Err(e) => return rejected(form(f), e),
    };
    match f.decision.trim() {
        "" => {
            let found = checked.likely_existing(&st).await?;
            if !found.is_empty() {
                let isbn_work = match checked.edition.isbn13 {
                    Some(i) => catalog::find_by_isbn(&st.db, i).await?.map(|w| w.id),
                    None => None,
                };
                let mut p = form(f);
                p.candidates = found.iter().map(|w| candidate_view(w, isbn_work)).collect();
                return Ok(page(&p)?.into_response());
            }
            save_new(&st, &m, checked, held, form(f)).await
        }
        "create" => save_new(&st, &m, checked, held, form(f)).await,
        other => {
            let Some(work) = WorkId::parse(other) else {
                return Err(AppError::bad(
                    "decision",
                    "Choose one of the books listed, or \"None of these\".",
                ));
            };
            let p = prepared(&st, work, 1).await?;
            let mut edition = checked.edition;
            edition.title = p.page.work.title.clone();
            edition.is_primary = false;
            match catalog::add_edition_by(&st.db, work, &edition, Some(m.id())).await {
                Ok(()) => {
                    save_cover(&st, edition.id, held).await?;
                    Ok(Redirect::to(&format!(
                        "{}?edition={}#editions",
                        book_href(work),
                        edition.id
                    ))
                    .into_response())
                }
                Err(e) => rejected(form(f), AppError::from(e)),
            }
        }
    }
}

async fn save_new(
    st: &AppState,
    m: &Member,
    mut checked: Checked,
    held: HeldCover,
    form: AddPage,
) -> Result<Response, AppError> {
    let work = checked.work.id;
    let edition = checked.edition.id;
    checked.work.editions.push(checked.edition);
    match catalog::create_work(&st.db, &checked.work, Some(m.id())).await {
        Ok(()) => {
            save_cover(st, edition, held).await?;
            Ok(Redirect::to(&book_href(work)).into_response())
        }
        Err(e) => rejected(form, AppError::from(e)),
    }
}

/// `GET /books/{id}/editions/new`.
pub async fn new_edition_form(
    State(st): State<AppState>,
    WorkPath(work): WorkPath,
    m: Member,
) -> Result<Html<String>, AppError> {
    require(&m.0, Permission::AddToCatalog)?;
    let p = prepared(&st, work, 1).await?;
    page(&AddPage::new(
        Layout::for_user(Some(&m.0)),
        BookFields::default(),
        Some((work, p.page.work.title.clone(), super::page::book_path(&p))),
    ))
}

/// `POST /books/{id}/editions/new`: multipart like the book form, with an
/// optional cover for the new edition.
pub async fn create_edition(
    State(st): State<AppState>,
    WorkPath(work): WorkPath,
    m: Member,
    req: Request,
) -> Result<Response, AppError> {
    require(&m.0, Permission::AddToCatalog)?;
    let p = prepared(&st, work, 1).await?;
    let (mut f, choice, _buffer) = read_form(&st, req).await?;
    if !matches!(choice, CoverChoice::None) || !f.cover_token.is_empty() {
        require(&m.0, Permission::AddCover)?;
    }
    let cover = resolve_cover(&st, m.id(), &mut f, choice).await?;
    let held_now = cover.as_ref().ok().cloned().flatten();
    let title = p.page.work.title.clone();
    let form_page = |f: BookFields| {
        AddPage::new(
            Layout::for_user(Some(&m.0)),
            f,
            Some((work, title.clone(), super::page::book_path(&p))),
        )
        .with_cover(&held_now)
    };
    let (checked, held) = match combine(check(&f, Adding::Edition, &title), cover) {
        Ok(c) => c,
        Err(e) => return rejected(form_page(f), e),
    };
    match catalog::add_edition_by(&st.db, work, &checked.edition, Some(m.id())).await {
        Ok(()) => {
            save_cover(&st, checked.edition.id, held).await?;
            Ok(Redirect::to(&format!(
                "{}?edition={}#editions",
                super::page::book_path(&p),
                checked.edition.id
            ))
            .into_response())
        }
        Err(e) => rejected(form_page(f), AppError::from(e)),
    }
}

/// A contributor in a JSON request.
#[derive(Clone, Debug, Deserialize)]
pub struct ContributorInput {
    pub name: String,
    /// author (the default), translator, narrator, illustrator, editor,
    /// foreword.
    #[serde(default)]
    pub role: Option<String>,
}

/// `POST /api/v1/books` and `POST /api/v1/books/{id}/editions`. For an
/// edition, the work's fields (title may still name the edition,
/// `series`, `subjects`) are ignored.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewBookRequest {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub subtitle: Option<String>,
    #[serde(default)]
    pub contributors: Vec<ContributorInput>,
    #[serde(default)]
    pub series: Option<String>,
    #[serde(default)]
    pub series_number: Option<String>,
    #[serde(default)]
    pub subjects: Vec<String>,
    #[serde(default)]
    pub format: Option<String>,
    #[serde(default)]
    pub pages: Option<u32>,
    /// ISBN-10 or ISBN-13; hyphens and spaces are fine.
    #[serde(default)]
    pub isbn: Option<String>,
    #[serde(default)]
    pub publisher: Option<String>,
    /// "2022", "March 2022", "4 March 2022" (or 2022-03-04).
    #[serde(default)]
    pub published: Option<String>,
    /// A two- or three-letter language code.
    #[serde(default)]
    pub language: Option<String>,
    /// The id of an existing work this book is: the edition is added to it.
    #[serde(default)]
    pub join_work: Option<String>,
    /// Create the book even though likely existing works were found.
    #[serde(default)]
    pub create_new: bool,
}

impl NewBookRequest {
    fn fields(&self) -> Result<BookFields, AppError> {
        if self.subjects.iter().any(|s| s.contains(',')) {
            return Err(AppError::bad(
                "subjects",
                "A subject cannot contain a comma; send each as its own string.",
            ));
        }
        Ok(BookFields {
            title: self.title.clone(),
            subtitle: self.subtitle.clone().unwrap_or_default(),
            contributor_name: self.contributors.iter().map(|c| c.name.clone()).collect(),
            contributor_role: self
                .contributors
                .iter()
                .map(|c| c.role.clone().unwrap_or_else(|| "author".into()))
                .collect(),
            series: self.series.clone().unwrap_or_default(),
            series_number: self.series_number.clone().unwrap_or_default(),
            subjects: self.subjects.join(","),
            format: self.format.clone().unwrap_or_default(),
            pages: self.pages.map(|p| p.to_string()).unwrap_or_default(),
            isbn: self.isbn.clone().unwrap_or_default(),
            publisher: self.publisher.clone().unwrap_or_default(),
            published: self.published.clone().unwrap_or_default(),
            language: self.language.clone().unwrap_or_default(),
            decision: String::new(),
            cover_token: String::new(),
        })
    }
}

/// What was added.
#[derive(Clone, Debug, Serialize)]
pub struct AddedResponse {
    pub work_id: WorkId,
    pub edition_id: EditionId,
    /// Whether a new work was made (false: an edition joined an existing one).
    pub new_work: bool,
    pub url: String,
    pub api_url: String,
}

fn added(work: WorkId, edition: EditionId, new_work: bool) -> (StatusCode, Json<AddedResponse>) {
    (
        StatusCode::CREATED,
        Json(AddedResponse {
            work_id: work,
            edition_id: edition,
            new_work,
            url: format!("/books/{work}"),
            api_url: format!("/api/v1/books/{work}"),
        }),
    )
}

/// `POST /api/v1/books`.
pub async fn api_create_book(
    State(st): State<AppState>,
    m: Member,
    Json(body): Json<NewBookRequest>,
) -> Result<(StatusCode, Json<AddedResponse>), AppError> {
    require(&m.0, Permission::AddToCatalog)?;
    let checked = check(&body.fields()?, Adding::Book, "")?;
    if let Some(raw) = body.join_work.as_deref() {
        let work = WorkId::parse(raw).ok_or_else(|| {
            AppError::bad(
                "join_work",
                format!("\"{raw}\" is not a book id; use an id from the candidates."),
            )
        })?;
        let p = prepared(&st, work, 1).await?;
        let mut edition = checked.edition;
        edition.title = p.page.work.title.clone();
        edition.is_primary = false;
        catalog::add_edition_by(&st.db, work, &edition, Some(m.id())).await?;
        return Ok(added(work, edition.id, false));
    }
    if !body.create_new {
        let found = checked.likely_existing(&st).await?;
        if !found.is_empty() {
            return Err(AppError::PossibleDuplicates {
                message: format!(
                    "This book may already be in Quire ({} found). Send \"join_work\" with one of their ids to add your edition to it, or \"create_new\": true to add a new book.",
                    found.len()
                ),
                related: found
                    .iter()
                    .map(|w| Related {
                        id: w.id.to_string(),
                        title: w.title.clone(),
                        authors: w.authors.clone(),
                        url: format!("/books/{}/{}", w.id, w.slug),
                    })
                    .collect(),
            });
        }
    }
    let mut work = checked.work;
    let edition = checked.edition.id;
    work.editions.push(checked.edition);
    catalog::create_work(&st.db, &work, Some(m.id())).await?;
    Ok(added(work.id, edition, true))
}

/// `POST /api/v1/books/{id}/editions`.
pub async fn api_create_edition(
    State(st): State<AppState>,
    WorkPath(work): WorkPath,
    m: Member,
    Json(body): Json<NewBookRequest>,
) -> Result<(StatusCode, Json<AddedResponse>), AppError> {
    require(&m.0, Permission::AddToCatalog)?;
    let p = prepared(&st, work, 1).await?;
    let checked = check(&body.fields()?, Adding::Edition, &p.page.work.title)?;
    catalog::add_edition_by(&st.db, work, &checked.edition, Some(m.id())).await?;
    Ok(added(work, checked.edition.id, false))
}
