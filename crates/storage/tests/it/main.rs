//! Storage tests: every one runs on SQLite and on PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop loudly on a failed step

mod book_page;
mod catalog;
mod covers;
mod jobs;
mod readers;
mod schema;
