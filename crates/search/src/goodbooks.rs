//! Reading the goodbooks-10k files (Goodreads' 10,000 most rated books) as
//! [`BookDoc`]s, for tests, benchmarks and the demo.
//!
//! Mapping: the id is `goodbooks:<book_id>`; a title's trailing
//! "(Series, #n)" becomes the series and a "Title: Subtitle" is split;
//! authors are the comma-separated credits; the ISBN-10 column loses its
//! leading zeros in the file and is padded back (the ISBN-13 column is
//! stored as a float that lost digits, so the ISBN-13 is derived from the
//! ISBN-10 instead); the English variants `en`, `en-US`, `en-GB`, `en-CA`
//! count as `eng`; popularity is `ratings_count`; formats are unknown.
//! Subjects come from Goodreads shelf tags where a tags file is given.

use std::collections::HashMap;
use std::path::Path;

use crate::docs::BookDoc;
use crate::error::{Result, SearchError};

/// Shelf names that are genres (most shelves are "to-read", "owned", …).
/// A book gets at most three, its most used.
pub const GENRE_TAGS: &[&str] = &[
    "fiction",
    "fantasy",
    "romance",
    "classics",
    "mystery",
    "young-adult",
    "science-fiction",
    "historical-fiction",
    "non-fiction",
    "horror",
    "thriller",
    "biography",
    "poetry",
    "humor",
    "history",
    "childrens",
    "graphic-novels",
    "philosophy",
    "self-help",
    "memoir",
    "dystopian",
    "paranormal",
    "contemporary",
    "adventure",
    "crime",
    "science",
    "psychology",
    "religion",
    "chick-lit",
    "short-stories",
];

fn data_error(path: &Path, message: impl ToString) -> SearchError {
    SearchError::Data {
        path: path.to_path_buf(),
        message: message.to_string(),
    }
}

/// Subjects by goodreads_book_id from `book_tags.csv` and `tags.csv`.
pub fn read_subjects(book_tags: &Path, tags: &Path) -> Result<HashMap<u64, Vec<String>>> {
    let mut names: HashMap<u64, String> = HashMap::new();
    let mut rdr = csv::Reader::from_path(tags).map_err(|e| data_error(tags, e))?;
    for row in rdr.records() {
        let row = row.map_err(|e| data_error(tags, e))?;
        let (Some(id), Some(name)) = (row.get(0), row.get(1)) else {
            continue;
        };
        if GENRE_TAGS.contains(&name) {
            names.insert(
                id.parse().map_err(|e| data_error(tags, e))?,
                name.to_string(),
            );
        }
    }
    let mut by_book: HashMap<u64, Vec<(u64, String)>> = HashMap::new();
    let mut rdr = csv::Reader::from_path(book_tags).map_err(|e| data_error(book_tags, e))?;
    for row in rdr.records() {
        let row = row.map_err(|e| data_error(book_tags, e))?;
        let num = |i: usize| -> Result<u64> {
            row.get(i)
                .unwrap_or("")
                .parse::<i64>()
                .map(|v| v.max(0) as u64)
                .map_err(|e| {
                    data_error(
                        book_tags,
                        format!("line {}: {e}", row.position().map_or(0, |p| p.line())),
                    )
                })
        };
        let (book, tag, count) = (num(0)?, num(1)?, num(2)?);
        if let Some(name) = names.get(&tag) {
            by_book.entry(book).or_default().push((count, name.clone()));
        }
    }
    Ok(by_book
        .into_iter()
        .map(|(book, mut tags)| {
            tags.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
            tags.dedup_by(|a, b| a.1 == b.1);
            (book, tags.into_iter().take(3).map(|t| t.1).collect())
        })
        .collect())
}

/// Title, subtitle and series from a goodbooks title.
pub fn split_title(raw: &str) -> (String, Option<String>, Option<String>) {
    let mut title = raw.trim();
    let mut series = None;
    if let Some(open) = title.rfind(" (")
        && title.ends_with(')')
    {
        let inner = &title[open + 2..title.len() - 1];
        if let Some(hash) = inner.find('#') {
            let name = inner[..hash].trim().trim_end_matches(',').trim();
            if !name.is_empty() {
                series = Some(name.to_string());
            }
            title = title[..open].trim();
        }
    }
    let (title, subtitle) = match title.split_once(": ") {
        Some((t, s)) if !t.trim().is_empty() && !s.trim().is_empty() => {
            (t.trim().to_string(), Some(s.trim().to_string()))
        }
        _ => (title.to_string(), None),
    };
    (title, subtitle, series)
}

fn language(code: &str) -> Option<String> {
    match code.trim() {
        "" => None,
        "en" | "en-US" | "en-GB" | "en-CA" => Some("eng".to_string()),
        other => Some(other.to_string()),
    }
}

/// The books of a goodbooks `books.csv`, with subjects from `subjects`
/// (by goodreads_book_id) where there are any.
pub fn read_books(path: &Path, subjects: &HashMap<u64, Vec<String>>) -> Result<Vec<BookDoc>> {
    let mut rdr = csv::Reader::from_path(path).map_err(|e| data_error(path, e))?;
    let headers = rdr.headers().map_err(|e| data_error(path, e))?.clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| data_error(path, format!("no column {name:?}")))
    };
    let (c_id, c_gr, c_isbn, c_authors, c_year, c_title, c_lang, c_avg, c_count) = (
        col("book_id")?,
        col("goodreads_book_id")?,
        col("isbn")?,
        col("authors")?,
        col("original_publication_year")?,
        col("title")?,
        col("language_code")?,
        col("average_rating")?,
        col("ratings_count")?,
    );
    let mut out = Vec::new();
    for row in rdr.records() {
        let row = row.map_err(|e| data_error(path, e))?;
        let line = row.position().map_or(0, |p| p.line());
        let get = |i: usize| row.get(i).unwrap_or("").trim();
        let (title, subtitle, series) = split_title(get(c_title));
        let isbn = get(c_isbn);
        let isbns = if isbn.is_empty() {
            Vec::new()
        } else {
            vec![format!("{isbn:0>10}")]
        };
        let gr: u64 = get(c_gr).parse().unwrap_or(0);
        out.push(BookDoc {
            id: format!("goodbooks:{}", get(c_id)),
            title,
            subtitle,
            authors: get(c_authors)
                .split(", ")
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(str::to_string)
                .collect(),
            series,
            subjects: subjects.get(&gr).cloned().unwrap_or_default(),
            isbns,
            year: get(c_year).parse::<f64>().ok().map(|y| y as i32),
            language: language(get(c_lang)),
            formats: Vec::new(),
            ratings: get(c_count)
                .parse()
                .map_err(|e| data_error(path, format!("line {line}: ratings_count: {e}")))?,
            average: get(c_avg).parse().ok(),
        });
    }
    Ok(out)
}
