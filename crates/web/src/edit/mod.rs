//! Keeping the catalog: edit forms for works, editions, contributors, series
//! and subjects (`forms.rs`), the JSON edits (`api.rs`), a work's history
//! with revert (`history.rs`), locks (`lock.rs`) and members' proposals
//! (`proposals.rs`). Every write goes through `quire_storage::catalog::edit`.

pub mod api;
pub mod forms;
pub mod history;
pub mod lock;
pub mod proposals;

use crate::error::AppError;
use quire_domain::SiteRole;
use quire_storage::catalog::edit::{EditError, Target};
use quire_storage::users::User;

impl From<EditError> for AppError {
    fn from(e: EditError) -> Self {
        match e {
            EditError::Invalid { field, message } => AppError::bad(field, message),
            EditError::Storage(s) => s.into(),
            other => AppError::Conflict(other.to_string()),
        }
    }
}

/// Administrators edit locked works; nobody else does.
pub fn overrides_lock(user: &User) -> bool {
    user.role >= SiteRole::Admin
}

/// The address of the edit form of `target`.
pub fn edit_path(target: Target) -> String {
    match target {
        Target::Work(w) => format!("/books/{w}/edit"),
        Target::Edition(e) => format!("/editions/{e}/edit"),
        Target::Contributor(c) => format!("/contributors/{c}/edit"),
        Target::Series(s) => format!("/series/{s}/edit"),
        Target::Subject(s) => format!("/subjects/{s}/edit"),
    }
}

/// What a person calls the kind of thing `target` is.
pub fn noun(target: Target) -> &'static str {
    match target {
        Target::Work(_) => "book",
        Target::Edition(_) => "edition",
        Target::Contributor(_) => "contributor",
        Target::Series(_) => "series",
        Target::Subject(_) => "subject",
    }
}

/// "Subtitle" from "subtitle", for labels that start a line.
pub fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
