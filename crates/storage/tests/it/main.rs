//! Storage tests: every one runs on SQLite and on PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop loudly on a failed step

use quire_domain::{SiteRole, UserId};
use quire_storage::Db;
use quire_storage::users::{self, NewUser};

/// An account named `name` with a password, holding `role` on the site.
pub(crate) async fn account(db: &Db, name: &str, role: SiteRole) -> UserId {
    users::create(
        db,
        &NewUser {
            id: UserId::new(),
            username: name,
            display_name: name,
            password_hash: Some("x"),
            role,
            is_demo: false,
        },
    )
    .await
    .unwrap()
    .user_id()
}

/// A member's account named `name`.
pub(crate) async fn member(db: &Db, name: &str) -> UserId {
    account(db, name, SiteRole::Member).await
}

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
