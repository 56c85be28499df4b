//! Web tests: real HTTP against a running Quire on 127.0.0.1, on SQLite and
//! on PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop loudly on a failed step

mod accounts;
mod add_book;
mod add_cover;
mod api_paging;
mod api_tokens;
mod ask_audio;
mod bad_input;
mod book_actions;
mod book_page;
mod browse;
mod cards;
mod club_invitations;
mod club_permissions;
mod club_polls;
mod clubs;
mod covers;
mod edit;
mod insights;
mod listen;
mod look;
mod meetings;
mod merge;
mod my_books_api;
mod pack;
mod page_cache;
mod permissions;
mod profiles;
mod proposals_api;
mod search;
mod security_accounts;
mod security_pages;
mod site;
mod spoilers;
mod texts;
mod transfer;
