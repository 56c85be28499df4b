#![allow(clippy::expect_used)] // test support: a failed set-up should stop the test loudly
//! Test support for Quire: a throwaway PostgreSQL server ([`pg`]), a fresh
//! migrated database per test on either backend ([`db`]), and fixture
//! builders ([`fixtures`]).
pub mod db;
pub mod documents;
pub mod fixtures;
pub mod pg;
pub mod texts;

pub use db::TestDb;
pub use fixtures::{BookBuilder, Built, account, attach_more, club_book, member};
