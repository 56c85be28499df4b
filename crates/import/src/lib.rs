//! Readers for book data from outside Quire, each turning a file into plain
//! values built from the domain's validated types:
//!
//! - [`goodbooks`]: the goodbooks-10k data set (books, Goodreads shelves as
//!   subjects, ratings);
//! - [`goodreads`]: a member's Goodreads "Export Library" CSV;
//! - [`gutenberg`]: Project Gutenberg plain-text ebooks (metadata, body and
//!   an opening excerpt), read by `quire-text`;
//! - [`epub`]: the cover image of an EPUB (read with `quire-text`'s bounded
//!   archive reader);
//! - [`text_file`]: a book's full text from an EPUB or a Gutenberg text
//!   file, attached to a work (`quire import text`, the demo);
//! - [`demo`]: loads all of the above into a database as Quire's demo.
//!
//! Inputs are untrusted: every reader caps the size it reads and reports a
//! bad value as an [`ImportError`] naming the file, the line and the column,
//! never a panic. Only [`demo`] and [`text_file`] touch the database.

pub mod demo;
mod demo_clubs;
mod demo_text;
pub mod epub;
pub mod goodbooks;
pub mod goodbooks_gen;
pub mod goodbooks_import;
pub mod goodreads;
pub mod gutenberg;
pub mod openlibrary;
pub mod text_file;

mod error;

pub use error::ImportError;
