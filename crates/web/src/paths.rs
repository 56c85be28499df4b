//! Typed pieces of URL paths: each parses once and answers 404 itself, so
//! handlers receive ids, never strings.

use crate::error::AppError;
use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use quire_domain::{ContributorId, SeriesId, SubjectId, WorkId};

/// The work named by the `{id}` segment of `/books/{id}/…` and
/// `/api/v1/books/{id}/…`.
pub struct WorkPath(pub WorkId);

impl<S: Send + Sync> FromRequestParts<S> for WorkPath {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::NotFound("There is no page at this address.".into()))?;
        let raw = params
            .iter()
            .find(|(name, _)| *name == "id")
            .map(|(_, value)| value)
            .unwrap_or_default();
        WorkId::parse(raw).map(WorkPath).ok_or_else(|| {
            AppError::NotFound(format!(
                "There is no book with the id \"{}\" in Quire. Search for it by title, author or ISBN instead.",
                raw.chars().take(80).collect::<String>()
            ))
        })
    }
}

/// The raw `{id}` segment of the request's path.
async fn id_segment<S: Send + Sync>(parts: &mut Parts, state: &S) -> Result<String, AppError> {
    let params = RawPathParams::from_request_parts(parts, state)
        .await
        .map_err(|_| AppError::NotFound("There is no page at this address.".into()))?;
    Ok(params
        .iter()
        .find(|(name, _)| *name == "id")
        .map(|(_, value)| value.to_string())
        .unwrap_or_default())
}

/// Typed `{id}` extractors for the browse pages: each parses the id once
/// and answers 404, naming what was asked for, when it is not one.
macro_rules! id_path {
    ($(#[$m:meta])* $name:ident, $id:ty, $what:literal) => {
        $(#[$m])*
        pub struct $name(pub $id);

        impl<S: Send + Sync> FromRequestParts<S> for $name {
            type Rejection = AppError;

            async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
                let raw = id_segment(parts, state).await?;
                <$id>::parse(&raw).map($name).ok_or_else(|| {
                    AppError::NotFound(format!(
                        concat!("There is no ", $what, " with the id \"{}\" in Quire. Search for a book by title, author or ISBN instead."),
                        raw.chars().take(80).collect::<String>()
                    ))
                })
            }
        }
    };
}

id_path!(
    /// The contributor named by `/authors/{id}/…`.
    ContributorPath,
    ContributorId,
    "author"
);
id_path!(
    /// The series named by `/series/{id}/…`.
    SeriesPath,
    SeriesId,
    "series"
);
id_path!(
    /// The subject named by `/subjects/{id}/…`.
    SubjectPath,
    SubjectId,
    "subject"
);

/// A name as the last segment of an address: lower-case letters and
/// digits of any script joined by hyphens (a letter whose accent comes off
/// to leave plain ASCII loses it: "Brontë" is `bronte`), at most 80
/// characters, percent-encoded, so "Лев Толстой" keeps its words. Empty
/// when the name has no letters or digits.
pub fn slug(name: &str) -> String {
    let mut words = String::new();
    let mut dash = false;
    let mut chars = 0;
    let letters = name.chars().flat_map(|c| {
        let folded = quire_domain::text::fold(c.encode_utf8(&mut [0; 4]));
        if !folded.is_empty() && folded.chars().all(|f| f.is_ascii_alphanumeric()) {
            folded.chars().collect::<Vec<_>>()
        } else {
            c.to_lowercase().collect()
        }
    });
    for c in letters {
        if c.is_alphanumeric() {
            let dashed = dash && !words.is_empty();
            if chars + 1 + usize::from(dashed) > 80 {
                break;
            }
            if dashed {
                words.push('-');
                chars += 1;
            }
            dash = false;
            words.push(c);
            chars += 1;
        } else if c != '\'' && c != '\u{2019}' {
            dash = true;
        }
    }
    let mut out = String::with_capacity(words.len());
    for b in words.bytes() {
        if b.is_ascii_alphanumeric() || b == b'-' {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `{prefix}{id}/{slug}`, or `{prefix}{id}` when the name gives no slug or
/// one that is a fixed route under the id (a series called "Edit").
fn with_slug(prefix: &str, id: impl std::fmt::Display, name: &str) -> String {
    let s = slug(name);
    if s.is_empty() || s == "edit" {
        format!("{prefix}{id}")
    } else {
        format!("{prefix}{id}/{s}")
    }
}

/// A book's page.
pub fn book(id: WorkId, slug: &str) -> String {
    if slug.is_empty() {
        format!("/books/{id}")
    } else {
        format!("/books/{id}/{slug}")
    }
}

/// A contributor's page (author, translator, narrator…).
pub fn author(id: ContributorId, name: &str) -> String {
    with_slug("/authors/", id, name)
}

/// A series' page.
pub fn series(id: SeriesId, name: &str) -> String {
    with_slug("/series/", id, name)
}

/// A subject's page.
pub fn subject(id: SubjectId, name: &str) -> String {
    with_slug("/subjects/", id, name)
}

/// The prefixes under which `{id}` names a work.
const WORK_PREFIXES: &[&str] = &["/books/", "/api/v1/books/"];

/// The work id in a book path, with what comes before and after it:
/// `/books/{id}/slug` is `("/books/", id, "/slug")`.
fn split_work_path(path: &str) -> Option<(&'static str, WorkId, &str)> {
    WORK_PREFIXES.iter().find_map(|prefix| {
        let rest = path.strip_prefix(prefix)?;
        let end = rest.find('/').unwrap_or(rest.len());
        Some((*prefix, WorkId::parse(&rest[..end])?, &rest[end..]))
    })
}

/// A work named by the reader: its id, or the address of its page
/// (`https://…/books/{id}/slug`, `/books/{id}`).
pub fn work_ref(s: &str) -> Option<WorkId> {
    let s = s.trim();
    WorkId::parse(s).or_else(|| {
        let path = s.find("/books/").map(|i| &s[i..])?;
        split_work_path(path).map(|(_, id, _)| id)
    })
}

/// A book's old address answers with a redirect to the survivor of the
/// merge that removed it: 301 Moved Permanently for reads, 308 (which keeps
/// the method and body) for writes. Only answers that already say "not
/// found" are looked at, so a book that exists costs nothing extra; the
/// `Location` is always a path on this site, built from the survivor's id
/// and the request's own path and query.
pub async fn follow_merged(
    axum::extract::State(st): axum::extract::State<crate::AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::http::{Method, StatusCode, header};
    use axum::response::IntoResponse;
    let path = req.uri().path().to_string();
    let query = req.uri().query().map(str::to_string);
    let read = matches!(*req.method(), Method::GET | Method::HEAD);
    let res = next.run(req).await;
    if res.status() != StatusCode::NOT_FOUND {
        return res;
    }
    let Some((prefix, old, rest)) = split_work_path(&path) else {
        return res;
    };
    let survivor = match quire_storage::catalog::redirect(&st.db, old).await {
        Ok(Some(w)) => w,
        Ok(None) => return res,
        Err(e) => return AppError::from(e).into_response(),
    };
    // A slug names the old title: the survivor's page is found by id alone.
    let rest = if prefix == "/books/" && !rest.is_empty() && !rest[1..].contains('/') {
        let seg = &rest[1..];
        if matches!(
            seg,
            "reviews"
                | "rating"
                | "queue"
                | "reading"
                | "review"
                | "questions"
                | "shelves"
                | "clubs"
                | "merge"
        ) {
            rest.to_string()
        } else {
            String::new()
        }
    } else {
        rest.to_string()
    };
    let mut location = format!("{prefix}{survivor}{rest}");
    if let Some(q) = query {
        location.push('?');
        location.push_str(&q);
    }
    let status = if read {
        StatusCode::MOVED_PERMANENTLY
    } else {
        StatusCode::PERMANENT_REDIRECT
    };
    match axum::http::HeaderValue::from_str(&location) {
        Ok(v) => (status, [(header::LOCATION, v)]).into_response(),
        Err(_) => res,
    }
}

/// `s` percent-encoded as one value of a query string.
pub fn query_value(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn work_references_are_ids_or_book_addresses() {
        let id = WorkId::new();
        assert_eq!(work_ref(&id.to_string()), Some(id));
        assert_eq!(work_ref(&format!("/books/{id}/the-push")), Some(id));
        assert_eq!(
            work_ref(&format!("https://quire.example/books/{id}")),
            Some(id)
        );
        assert_eq!(work_ref("/books/not-an-id"), None);
        assert_eq!(work_ref("The Push"), None);
    }

    #[test]
    fn browse_addresses_carry_a_slug_in_any_script() {
        let id = ContributorId::new();
        assert_eq!(
            author(id, "Ursula K. Le Guin"),
            format!("/authors/{id}/ursula-k-le-guin")
        );
        assert_eq!(
            author(id, "Лев Толстой"),
            format!("/authors/{id}/%D0%BB%D0%B5%D0%B2-%D1%82%D0%BE%D0%BB%D1%81%D1%82%D0%BE%D0%B9")
        );
        assert_eq!(author(id, "!!!"), format!("/authors/{id}"));
        let s = SeriesId::new();
        assert_eq!(
            series(s, "Edit"),
            format!("/series/{s}"),
            "never the edit form"
        );
        assert_eq!(series(s, "Discworld"), format!("/series/{s}/discworld"));
        let t = SubjectId::new();
        assert_eq!(
            subject(t, "Science Fiction"),
            format!("/subjects/{t}/science-fiction")
        );
        assert_eq!(slug(&"a ".repeat(500)).len(), 79);
    }

    #[test]
    fn book_paths_split_around_their_id() {
        let id = WorkId::new();
        let p = format!("/api/v1/books/{id}/rating");
        assert_eq!(split_work_path(&p), Some(("/api/v1/books/", id, "/rating")));
        assert_eq!(split_work_path("/people/x"), None);
    }
}
