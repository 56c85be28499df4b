//! What the book-text tests share: the shared novels (`../shared/data`,
//! or `QUIRE_DATA`), Pride and Prejudice as the Gutenberg file gives it,
//! and reading places and quotations back from JSON and HTML.

use quire_storage::texts::{SourceFormat, SourceInfo};
use quire_text::{Place, Text};
use serde_json::Value;
use std::path::PathBuf;

pub fn data() -> PathBuf {
    std::env::var_os("QUIRE_DATA").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"),
        PathBuf::from,
    )
}

/// Pride and Prejudice as the shared Gutenberg file gives it.
pub fn pride() -> (Text, SourceInfo) {
    let path = data().join("gutenberg/txt/pg1342.txt");
    let bytes = std::fs::read(&path).unwrap();
    let text =
        quire_text::gutenberg::from_gutenberg_file(&path, &quire_text::Limits::default()).unwrap();
    (
        text,
        SourceInfo::of(SourceFormat::GutenbergTxt, "pg1342.txt", &bytes),
    )
}

/// The sentence at `p`, which must exist.
pub fn sentence(text: &Text, p: Place) -> &str {
    quire_insight::sentence_at(text, p).unwrap()
}

/// A place as the JSON gives it (`{"section", "paragraph", "sentence"}`).
pub fn place(v: &Value) -> Place {
    serde_json::from_value(v.clone()).unwrap()
}

/// Text as a page or an EPUB wrote it, with the escapes undone.
pub fn unescape(s: &str) -> String {
    s.replace("&#39;", "'")
        .replace("&apos;", "'")
        .replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}
