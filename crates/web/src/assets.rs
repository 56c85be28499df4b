//! Front-end files, embedded in the binary: nothing loads from elsewhere.

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The stylesheet, one file per area so that work on one page does not
/// touch another's rules; served as one `quire.css`, in this order (later
/// files may refine earlier ones).
const CSS: &str = concat!(
    include_str!("../assets/css/base.css"),
    include_str!("../assets/css/cards.css"),
    include_str!("../assets/css/book.css"),
    include_str!("../assets/css/catalog.css"),
    include_str!("../assets/css/profile.css"),
    include_str!("../assets/css/data.css"),
    include_str!("../assets/css/browse.css"),
    include_str!("../assets/css/clubs.css"),
    include_str!("../assets/css/polls.css"),
    include_str!("../assets/css/meetings.css"),
    include_str!("../assets/css/discussion.css"),
    include_str!("../assets/css/members.css"),
    include_str!("../assets/css/insights.css"),
    include_str!("../assets/css/flashcards.css"),
    include_str!("../assets/css/askaudio.css"),
    include_str!("../assets/css/api.css"),
);
/// htmx 2.0.11 (Zero-Clause BSD), from the npm package `htmx.org`.
const HTMX: &str = include_str!("../assets/htmx.min.js");
/// The review screen's keys (Space or Enter shows the answer, 1 to 4
/// rate): our own, loaded only by that page; the page works without it.
const FLASHCARDS: &str = include_str!("../assets/flashcards.js");
/// Quire's mark, our own drawing: an open quire of pages on an oxblood tile.
const FAVICON: &str = include_str!("../assets/favicon.svg");
const SVG: &str = "image/svg+xml";

pub async fn asset(Path(file): Path<String>) -> Response {
    let (body, kind) = match file.as_str() {
        "quire.css" => (CSS, "text/css; charset=utf-8"),
        "htmx.min.js" => (HTMX, "text/javascript; charset=utf-8"),
        "flashcards.js" => (FLASHCARDS, "text/javascript; charset=utf-8"),
        "favicon.svg" => (FAVICON, SVG),
        _ => return (StatusCode::NOT_FOUND, "no such file").into_response(),
    };
    embedded(body, kind)
}

/// `/favicon.ico`, which browsers and feed readers ask for without reading
/// the page: the same SVG, so there is one drawing to keep.
pub async fn favicon() -> Response {
    embedded(FAVICON, SVG)
}

fn embedded(body: &'static str, kind: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        body,
    )
        .into_response()
}
