//! Clubs on the web: the directory, starting a club, the club page, and
//! (one module each) members and joining, invitations, selections and
//! nominations. Every route under `/clubs/{slug}` takes the [`Club`]
//! extractor, which reads the club and what the visitor is to it in one
//! query and answers 404 for a secret club the visitor may not see; the
//! handler then asks [`ClubAccess::check`] for what it is about to do.
//!
//! Each module adds its own routes in [`routes`], so later parts of the
//! club (polls, meetings, discussion) plug in without touching the others.

pub mod directory;
pub mod discussion;
pub mod invitations;
pub mod meetings;
pub mod members;
pub mod membership;
pub mod page;
pub mod picture;
pub mod polls;
pub mod reading;
pub mod selections;
pub mod settings;
pub mod zone;

use crate::AppState;
use crate::auth::Viewer;
use crate::error::AppError;
use crate::permissions::{ClubAccess, ClubPermission, club_not_found};
use axum::Router;
use axum::extract::{FromRef, FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use quire_storage::clubs::{self, Club as ClubRow};
use quire_storage::users::User;

/// Every club route, pages and API.
pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(directory::routes())
        .merge(page::routes())
        .merge(members::routes())
        .merge(selections::routes())
        .merge(polls::routes())
        .merge(meetings::routes())
        .merge(reading::routes())
        .merge(discussion::routes())
        .merge(membership::routes())
        .merge(invitations::routes())
        .merge(settings::routes())
        .merge(picture::routes())
}

/// The club named by the `{slug}` segment, the visitor, and what the
/// visitor may do there.
pub struct Club {
    pub club: ClubRow,
    pub viewer: Option<User>,
    pub access: ClubAccess,
}

impl Club {
    /// `Ok` when the visitor may do `p` here; the error says why not.
    pub fn check(&self, p: ClubPermission) -> Result<(), AppError> {
        self.access.check(p)
    }

    pub fn allows(&self, p: ClubPermission) -> bool {
        self.access.allows(p)
    }

    /// The signed-in visitor, after `check` has allowed something only an
    /// account can do.
    pub fn user(&self) -> Result<&User, AppError> {
        self.viewer.as_ref().ok_or(AppError::SignInRequired)
    }

    /// The club page's address.
    pub fn href(&self) -> String {
        href(&self.club.slug)
    }
}

/// `/clubs/{slug}`.
pub fn href(slug: &str) -> String {
    format!("/clubs/{slug}")
}

/// The access of `viewer` to `club` with `standing`.
pub fn access_of(club: &ClubRow, standing: clubs::Standing, viewer: Option<&User>) -> ClubAccess {
    ClubAccess {
        visibility: club.visibility,
        join_policy: club.join_policy,
        standing,
        signed_in: viewer.is_some(),
        invited: false,
    }
}

impl<S> FromRequestParts<S> for Club
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| club_not_found())?;
        let slug = params
            .iter()
            .find(|(name, _)| *name == "slug")
            .map(|(_, v)| v.to_string())
            .unwrap_or_default();
        // Slugs are short and plain; anything else names no club.
        if slug.is_empty() || slug.len() > 120 {
            return Err(club_not_found());
        }
        let Viewer(viewer) = Viewer::from_request_parts(parts, state).await?;
        let st = AppState::from_ref(state);
        let Some((club, standing)) =
            clubs::by_slug(&st.db, &slug, viewer.as_ref().map(|u| u.user_id())).await?
        else {
            return Err(club_not_found());
        };
        let access = access_of(&club, standing, viewer.as_ref());
        access.check(ClubPermission::See)?;
        Ok(Club {
            club,
            viewer,
            access,
        })
    }
}
