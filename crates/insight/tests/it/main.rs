//! Integration tests of quire-insight on the ten shared Project Gutenberg
//! novels (`QUIRE_DATA`, or `../shared/data` beside the repository).
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop loudly on a failed step

mod ask;
mod books;
mod cards;
mod characters;
mod faq;
mod grounding;
mod loader;
mod parts;
mod synopsis;
