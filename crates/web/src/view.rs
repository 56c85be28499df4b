//! Shared pieces of every page: the layout's data, rendering, and the small
//! formatting rules templates use.

use crate::error::AppError;
pub use crate::html::{Layout, escape, render};
use askama::Template;
use axum::response::Html;
use quire_domain::Rating;
use time::{Date, OffsetDateTime};

/// A template drawn as a page; a failure is a bug, logged with its cause.
pub fn page<T: Template>(t: &T) -> Result<Html<String>, AppError> {
    render(t)
        .map(Html)
        .map_err(|e| AppError::internal("The page could not be drawn. This is a bug in Quire.", e))
}

/// "5 May 2024".
/// A file name for a download (`Content-Disposition`): lower-case ASCII
/// letters and digits joined by dashes, at most 60 characters; `fallback`
/// when nothing of `s` is left.
pub fn file_stem(s: &str, fallback: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
        if out.len() >= 60 {
            break;
        }
    }
    let out = out.trim_end_matches('-');
    if out.is_empty() {
        fallback.into()
    } else {
        out.to_string()
    }
}

pub fn day(t: OffsetDateTime) -> String {
    quire_domain::date::human_date(t.date())
}

pub fn date(d: Date) -> String {
    quire_domain::date::human_date(d)
}

/// "★★★★½" style, for people; screen readers get the words from `stars_label`.
pub fn stars(r: Rating) -> String {
    let h = r.halves();
    let mut s = "★".repeat(usize::from(h / 2));
    if h % 2 == 1 {
        s.push('½');
    }
    s
}

/// A rating drawn as five small stars filled to the nearest half
/// (`halves`, 0–10; `_stars.html` draws it with CSS from `data-halves`),
/// and the words a screen reader reads instead ("Rated 3.5 out of 5").
/// Cards, shelves, the home page's reviews and a reader's reviews use it.
pub struct Stars {
    pub halves: u8,
    pub label: String,
}

impl Stars {
    /// A mean rating ("Rated 4.1 out of 5").
    pub fn of(average: f64) -> Self {
        Self {
            halves: (average * 2.0).round().clamp(0.0, 10.0) as u8,
            label: format!("Rated {average:.1} out of 5"),
        }
    }

    /// One reader's rating ("Rated 3.5 out of 5").
    pub fn of_rating(r: Rating) -> Self {
        Self {
            halves: r.halves(),
            label: format!("Rated {r} out of 5"),
        }
    }
}

pub fn stars_label(r: Rating) -> String {
    match r.halves() {
        2 => "1 star".into(),
        _ => format!("{} stars", r),
    }
}

/// 12345 as "12,345".
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// "1 member", "3 members".
pub fn plural(n: i64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// A language's English name from its ISO 639 code, or the code itself.
pub fn language_name(code: &str) -> String {
    let name = match code {
        "en" | "eng" => "English",
        "es" | "spa" => "Spanish",
        "fr" | "fre" | "fra" => "French",
        "de" | "ger" | "deu" => "German",
        "it" | "ita" => "Italian",
        "pt" | "por" => "Portuguese",
        "nl" | "dut" | "nld" => "Dutch",
        "sv" | "swe" => "Swedish",
        "da" | "dan" => "Danish",
        "no" | "nor" => "Norwegian",
        "fi" | "fin" => "Finnish",
        "pl" | "pol" => "Polish",
        "ru" | "rus" => "Russian",
        "ja" | "jpn" => "Japanese",
        "zh" | "chi" | "zho" => "Chinese",
        "ar" | "ara" => "Arabic",
        "he" | "heb" => "Hebrew",
        "el" | "gre" | "ell" => "Greek",
        "la" | "lat" => "Latin",
        "tr" | "tur" => "Turkish",
        "id" | "ind" => "Indonesian",
        "hi" | "hin" => "Hindi",
        _ => return code.to_string(),
    };
    name.to_string()
}

/// What is known of an edition's form: "Paperback · 352 pages", "Ebook",
/// "304 pages"; `None` when nothing is.
pub fn edition_form(e: &quire_storage::book_page::Edition) -> Option<String> {
    let mut parts = Vec::new();
    if e.format != quire_domain::Format::Other {
        parts.push(e.format.label().to_string());
    }
    if let Some(n) = e.pages {
        parts.push(format!("{n} pages"));
    }
    (!parts.is_empty()).then(|| parts.join(" · "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_stems_are_plain() {
        assert_eq!(
            file_stem("Pride and Prejudice", "book"),
            "pride-and-prejudice"
        );
        assert_eq!(
            file_stem("Moby-Dick; or, The Whale", "book"),
            "moby-dick-or-the-whale"
        );
        assert_eq!(file_stem("«»", "book"), "book");
    }

    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(-1234), "-1,234");
    }

    #[test]
    fn formats() {
        assert_eq!(stars(Rating::parse("3.5").unwrap()), "★★★½");
        assert_eq!(stars_label(Rating::parse("1").unwrap()), "1 star");
        assert_eq!(stars_label(Rating::parse("4.5").unwrap()), "4.5 stars");
        assert_eq!(plural(1, "review", "reviews"), "1 review");
        assert_eq!(plural(0, "review", "reviews"), "0 reviews");
    }
}

/// The wrong fields of a form shown again, for templates: each message
/// beside its field (`errors.get("name")`), and how many there are.
#[derive(Clone, Debug, Default)]
pub struct FieldErrors(pub Vec<crate::error::FieldError>);

impl FieldErrors {
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|f| f.field == field)
            .map(|f| f.message.as_str())
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}
