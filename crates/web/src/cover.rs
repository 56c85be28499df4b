//! Covers. Quire never loads an image from another site: a stored cover is
//! served from the database, and a book without one gets a cover drawn here
//! from its title and authors, in colours derived from its id.

use crate::AppState;
use crate::error::AppError;
use crate::view::escape;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use quire_domain::{EditionId, WorkId};
use quire_storage::catalog;

/// Break a title into lines of about `width` characters.
fn wrap(text: &str, width: usize, max_lines: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match lines.last_mut() {
            Some(l) if l.chars().count() + 1 + word.chars().count() <= width => {
                l.push(' ');
                l.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    if lines.len() > max_lines {
        lines.truncate(max_lines);
        if let Some(l) = lines.last_mut() {
            l.push('…');
        }
    }
    lines
}

/// An SVG cover (2:3), to be placed inline in the page.
pub fn generated_svg(id: WorkId, title: &str, authors: &str) -> String {
    let b = id.0.as_bytes();
    let hue = u32::from(b[14]) * 360 / 256;
    let accent = (hue + 40) % 360;
    let mut svg = format!(
        "<svg class=\"cover\" viewBox=\"0 0 200 300\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"Cover of {}\">\
<rect width=\"200\" height=\"300\" fill=\"hsl({hue},45%,28%)\"/>\
<rect x=\"12\" y=\"12\" width=\"176\" height=\"276\" fill=\"none\" stroke=\"hsl({accent},60%,75%)\" stroke-width=\"2\"/>\
<rect x=\"12\" y=\"200\" width=\"176\" height=\"6\" fill=\"hsl({accent},60%,75%)\"/>",
        escape(title)
    );
    for (i, line) in wrap(title, 14, 5).iter().enumerate() {
        svg.push_str(&format!(
            "<text x=\"100\" y=\"{}\" text-anchor=\"middle\" font-family=\"Georgia,serif\" font-size=\"20\" fill=\"#fff\">{}</text>",
            60 + i * 26,
            escape(line)
        ));
    }
    for (i, line) in wrap(authors, 22, 2).iter().enumerate() {
        svg.push_str(&format!(
            "<text x=\"100\" y=\"{}\" text-anchor=\"middle\" font-family=\"Helvetica,Arial,sans-serif\" font-size=\"13\" fill=\"hsl({accent},60%,85%)\">{}</text>",
            232 + i * 18,
            escape(line)
        ));
    }
    svg.push_str("</svg>");
    svg
}

pub async fn stored_cover(
    State(st): State<AppState>,
    Path(edition): Path<String>,
) -> Result<Response, AppError> {
    let not_found = || AppError::NotFound("This edition has no stored cover.".into());
    let id = EditionId::parse(&edition).ok_or_else(not_found)?;
    let (content_type, data) = catalog::cover(&st.db, id).await?.ok_or_else(not_found)?;
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=3600".to_string()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        ],
        data,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_wrap_and_text_is_escaped() {
        assert_eq!(
            wrap("The Adventures of Sherlock Holmes", 14, 5),
            ["The Adventures", "of Sherlock", "Holmes"]
        );
        let svg = generated_svg(WorkId::derived("t", "1"), "<script>", "A & B");
        assert!(svg.contains("&lt;script&gt;") && svg.contains("A &amp; B"));
        assert!(!svg.contains("<script>"));
    }
}
