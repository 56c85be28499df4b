//! Prepared book pages kept in memory. Every write that changes what a
//! book page shows bumps the work's revision in the same transaction, so a
//! cached page is used only after one cheap query confirms its revision is
//! still current. Several servers on one database stay correct: each checks
//! the revision in the shared database.

use crate::cover;
use crate::view::escape;
use axum::body::Bytes;
use quire_domain::{MaterialKind, WorkId};
use quire_storage::book_page::{self, BookPage};
use quire_storage::{Db, catalog};
use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};
use uuid::Uuid;

/// A book page with its material already turned into HTML.
pub struct Prepared {
    pub page: BookPage,
    pub material_html: HashMap<Uuid, String>,
    pub cover_svg: String,
    /// The whole page as a signed-out reader sees it (default edition),
    /// drawn once per revision: it depends on nothing else.
    pub anonymous_html: OnceLock<Bytes>,
}

impl Prepared {
    fn new(page: BookPage) -> Self {
        let material_html = page
            .materials
            .iter()
            .map(|m| {
                let html = match m.kind {
                    // Quotations and excerpts are shown verbatim, paragraph
                    // by paragraph; never reinterpreted as Markdown.
                    MaterialKind::Blurb | MaterialKind::Excerpt => m
                        .body
                        .split("\n\n")
                        .map(|p| format!("<p>{}</p>", underscores_to_em(&escape(p.trim()))))
                        .collect::<String>(),
                    _ => quire_markup::render(&m.body),
                };
                (m.id, html)
            })
            .collect();
        let authors: Vec<&str> = page.authors().map(|c| c.name.as_str()).collect();
        let cover_svg = cover::generated_svg(
            page.work.id,
            &page.work.title,
            &authors.join(", "),
            &page.subjects,
        );
        Self {
            page,
            material_html,
            cover_svg,
            anonymous_html: OnceLock::new(),
        }
    }
}

/// Plain-text ebooks mark emphasis as `_word_`: show it as emphasis when
/// the underscores in a paragraph pair up, and leave the text alone otherwise.
fn underscores_to_em(p: &str) -> String {
    let parts: Vec<&str> = p.split('_').collect();
    if parts.len() < 3 || parts.len().is_multiple_of(2) {
        return p.to_string();
    }
    let mut out = String::with_capacity(p.len() + 16);
    for (i, part) in parts.iter().enumerate() {
        if i % 2 == 1 {
            out.push_str("<em>");
            out.push_str(part);
            out.push_str("</em>");
        } else {
            out.push_str(part);
        }
    }
    out
}

const MAX_ENTRIES: usize = 4096;

#[derive(Default)]
pub struct PageCache {
    entries: RwLock<HashMap<(WorkId, u32), Arc<Prepared>>>,
}

impl PageCache {
    fn get(&self, key: (WorkId, u32)) -> Option<Arc<Prepared>> {
        self.entries.read().ok()?.get(&key).cloned()
    }

    fn put(&self, key: (WorkId, u32), value: Arc<Prepared>) {
        if let Ok(mut map) = self.entries.write() {
            if map.len() >= MAX_ENTRIES {
                map.clear();
            }
            map.insert(key, value);
        }
    }
}

/// The prepared page of `work`, from the cache when it is current.
pub async fn load(
    db: &Db,
    cache: &PageCache,
    use_cache: bool,
    work: WorkId,
    review_page: u32,
    per_page: u32,
) -> Result<Option<Arc<Prepared>>, quire_storage::StorageError> {
    let key = (work, review_page);
    if use_cache && let Some(hit) = cache.get(key) {
        match catalog::revision(db, work).await? {
            Some(r) if r == hit.page.work.revision => return Ok(Some(hit)),
            Some(_) => {}
            None => return Ok(None),
        }
    }
    let Some(page) = book_page::load(db, work, review_page, per_page).await? else {
        return Ok(None);
    };
    let prepared = Arc::new(Prepared::new(page));
    if use_cache {
        cache.put(key, prepared.clone());
    }
    Ok(Some(prepared))
}

#[cfg(test)]
mod tests {
    #[test]
    fn ebook_emphasis_becomes_em() {
        assert_eq!(
            super::underscores_to_em("“_You_ want to tell me”"),
            "“<em>You</em> want to tell me”"
        );
        assert_eq!(
            super::underscores_to_em("snake_case alone"),
            "snake_case alone"
        );
    }
}
