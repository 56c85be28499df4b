//! quire-search's tests: relevance on the real goodbooks-10k books, facets
//! and filters, writes, limits, and the generator.

// The shared fixtures (the index of 10,000 books) live outside `#[test]`
// functions, where clippy's allow-unwrap-in-tests does not reach.
#![allow(clippy::unwrap_used)]

mod facets;
mod generate;
mod limits;
mod relevance;
mod writes;

use std::path::PathBuf;
use std::sync::OnceLock;

use quire_search::{BookDoc, SearchIndex, goodbooks};

pub fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/goodbooks-10k")
}

/// The 10,000 books, subjects from the tagged subset.
pub fn books() -> &'static Vec<BookDoc> {
    static BOOKS: OnceLock<Vec<BookDoc>> = OnceLock::new();
    BOOKS.get_or_init(|| {
        let dir = data_dir();
        let subjects =
            goodbooks::read_subjects(&dir.join("subset-547/book_tags.csv"), &dir.join("tags.csv"))
                .unwrap();
        goodbooks::read_books(&dir.join("books.csv"), &subjects).unwrap()
    })
}

/// One in-RAM index of the 10,000 books, shared by the read-only tests.
pub fn index() -> &'static SearchIndex {
    static INDEX: OnceLock<SearchIndex> = OnceLock::new();
    INDEX.get_or_init(|| {
        let index = SearchIndex::in_ram().unwrap();
        let stats = index.rebuild(books().iter().cloned()).unwrap();
        assert_eq!(stats.indexed, 10_000);
        index
    })
}

/// The goodbooks book with this exact title and first author.
pub fn book(title: &str, author: &str) -> &'static BookDoc {
    books()
        .iter()
        .find(|b| b.title == title && b.authors.first().map(String::as_str) == Some(author))
        .unwrap_or_else(|| panic!("no {title} by {author} in books.csv"))
}
