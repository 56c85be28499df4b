//! Web tests: real HTTP against a running Quire on 127.0.0.1, on SQLite and
//! on PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop loudly on a failed step

mod accounts;
mod add_book;
mod bad_input;
mod book_page;
mod covers;
mod edit;
mod merge;
mod page_cache;
mod permissions;
mod profiles;
mod search;
mod security_accounts;
mod security_pages;
mod site;
