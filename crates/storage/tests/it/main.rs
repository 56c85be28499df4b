//! Storage tests: every one runs on SQLite and on PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop loudly on a failed step

mod adding;
mod attempt_limits;
mod book_page;
mod browse;
mod bulk;
mod cards;
mod catalog;
mod clubs;
mod covers;
mod edit;
mod enums;
mod jobs;
mod meetings;
mod merge;
mod page_parts;
mod polls;
mod readers;
mod roles;
mod schema;
mod search;
mod spoilers;
mod texts;
mod tokens;
