//! `POST /books/{id}/lock` and `/unlock`: librarians lock a work against
//! edits and proposals (administrators can still edit it) and open it again.

use crate::AppState;
use crate::error::AppError;
use crate::paths::WorkPath;
use crate::permissions::{Librarian, Permission, require};
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use quire_storage::catalog::edit;

pub async fn lock(
    State(st): State<AppState>,
    Librarian(user): Librarian,
    WorkPath(w): WorkPath,
) -> Result<Response, AppError> {
    require(&user, Permission::LockWork)?;
    edit::set_lock(&st.db, w, user.user_id(), true).await?;
    Ok(Redirect::to(&format!("/books/{w}/history")).into_response())
}

pub async fn unlock(
    State(st): State<AppState>,
    Librarian(user): Librarian,
    WorkPath(w): WorkPath,
) -> Result<Response, AppError> {
    require(&user, Permission::LockWork)?;
    edit::set_lock(&st.db, w, user.user_id(), false).await?;
    Ok(Redirect::to(&format!("/books/{w}/history")).into_response())
}
