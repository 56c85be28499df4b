//! Quire's storage: one schema on SQLite (the default) and PostgreSQL,
//! chosen at run time from the database URL.
//!
//! Every statement goes through the `read!`, `write!` and `tx!` macros of
//! [`db`], which dispatch to the concrete pool of the backend in use and
//! count the statement, so tests can check how many queries a page runs.
//! Callers above this crate see plain Rust types, never sqlx types.

#[macro_use]
mod db;
pub mod archive;
pub mod book_page;
pub mod browse;
pub mod bulk;
pub mod cards;
pub mod catalog;
pub mod clubs;
pub mod history;
pub mod home;
pub mod insights;
pub mod jobs;
pub mod library;
pub mod profile;
pub mod questions;
pub mod ratings;
pub mod reading_stats;
pub mod reviews;
pub mod roles;
pub mod search_docs;
pub mod shelves;
pub mod texts;
pub mod tokens;
pub mod uploads;
pub mod users;

pub use db::{Backend, Db, DbOptions, StorageError, now};

pub type Result<T, E = StorageError> = std::result::Result<T, E>;
