//! The job runner against a real database, on SQLite and PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop loudly on a failed step

mod polls;
mod runner;
