//! Storage tests: every one runs on SQLite and on PostgreSQL.

mod book_page;
mod catalog;
mod readers;
mod schema;
