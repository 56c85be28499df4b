//! Readers for book data from outside Quire, each turning a file into plain
//! values built from the domain's validated types:
//!
//! - [`goodbooks`]: the goodbooks-10k data set (books, Goodreads shelves as
//!   subjects, ratings);
//! - [`library`]: a reader's library exported from Goodreads, The
//!   StoryGraph, BookWyrm or LibraryThing, into the database for one reader
//!   and back out as Goodreads or StoryGraph CSV;
//! - [`gutenberg`]: Project Gutenberg plain-text ebooks (metadata, body and
//!   an opening excerpt), read by `quire-text`;
//! - [`epub`]: the cover image of an EPUB (read with `quire-text`'s bounded
//!   archive reader);
//! - [`text_file`]: a book's full text from an EPUB or a Gutenberg text
//!   file, attached to a work (`quire import text`, the demo);
//! - [`archive`]: the zip of a member's or a club's tables (JSON and CSV);
//! - [`upload_job`]: the job that imports a library a member uploaded;
//! - [`demo`]: loads all of the above into a database as Quire's demo.
//!
//! Inputs are untrusted: every reader caps the size it reads and reports a
//! bad value as an [`ImportError`] naming the file, the line and the column,
//! never a panic. Only [`demo`], [`library`] and [`text_file`] touch the database.

pub mod archive;
pub mod demo;
mod demo_clubs;
mod demo_text;
pub mod epub;
pub mod goodbooks;
pub mod goodbooks_gen;
pub mod goodbooks_import;
pub mod gutenberg;
pub mod library;
pub mod openlibrary;
pub mod text_file;
pub mod upload_job;

mod error;

pub use error::ImportError;
