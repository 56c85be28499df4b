//! The ten shared novels, read with `quire_text::from_gutenberg` (the
//! parser Quire uses for uploads) from the shared data folder.

use quire_text::Text;
use std::path::PathBuf;

/// The shared data folder: `QUIRE_DATA`, or `../shared/data` beside the
/// repository.
pub fn data_dir() -> PathBuf {
    match std::env::var_os("QUIRE_DATA") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"),
    }
}

/// The ten novels: file stem and title.
pub const BOOKS: [(&str, &str); 10] = [
    ("pg1342", "Pride and Prejudice"),
    ("pg84", "Frankenstein"),
    ("pg2701", "Moby-Dick"),
    ("pg345", "Dracula"),
    ("pg514", "Little Women"),
    ("pg64317", "The Great Gatsby"),
    ("pg11", "Alice's Adventures in Wonderland"),
    ("pg1260", "Jane Eyre"),
    ("pg768", "Wuthering Heights"),
    ("pg1661", "The Adventures of Sherlock Holmes"),
];

pub fn load(stem: &str) -> Text {
    let name = format!("{stem}.txt");
    let path = data_dir().join("gutenberg/txt").join(&name);
    let raw = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e} (set QUIRE_DATA)", path.display()));
    quire_text::from_gutenberg(&raw, &name).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
