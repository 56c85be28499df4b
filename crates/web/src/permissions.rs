//! Who may do what: the one place that decides every write.
//!
//! A handler names what it is about to do as a [`Permission`] and asks
//! [`require`], or takes a [`Librarian`] or [`Admin`] extractor, which
//! answer 401 to a visitor and 403 to an account without the role. Site
//! roles decide catalog work; club roles (part 2) add their permissions to
//! the same enum and are decided here too.
//!
//! Club permissions ([`ClubPermission`]) are decided here too, by
//! [`ClubAccess`]: from the club's visibility and join policy and what the
//! account is to the club (its [`Standing`]). Every club route, page and
//! API, asks it; the `Club` extractor (`clubs/mod.rs`) builds it once per
//! request and hides a secret club from anyone who may not know it.
//!
//! Some permissions depend on data as well as on the role: posting
//! material "from the author" needs a verified link to an author of that
//! very work. Those go through [`require_for_work`], which asks storage
//! what the account is to the work and decides here.

use crate::AppState;
use crate::auth::Member;
use crate::error::AppError;
use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use quire_domain::{ClubRole, JoinPolicy, SiteRole, Source, Visibility, WorkId};
use quire_storage::clubs::Standing;
use quire_storage::roles;
use quire_storage::users::User;

/// Something an account asks to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Permission {
    /// Add a book or an edition to the catalog.
    AddToCatalog,
    /// Propose an edit for a librarian to accept or decline.
    ProposeEdit,
    /// Edit catalog data directly, revert a change, decide proposals.
    EditCatalog,
    /// Lock a work against edits, or unlock it.
    LockWork,
    /// Grant site roles and verified links.
    GrantRoles,
    /// Post book-club material on a work with this source shown beside
    /// it. Decided per work by [`require_for_work`]: the author's and the
    /// publisher's need a verified link to this work.
    PostMaterial(Source),
    /// Put a cover on an edition that has none.
    AddCover,
    /// Replace an edition's stored cover.
    ReplaceCover,
}

impl Permission {
    /// The least site role that may do it.
    fn needs(self) -> SiteRole {
        match self {
            Permission::AddToCatalog | Permission::ProposeEdit | Permission::AddCover => {
                SiteRole::Member
            }
            Permission::EditCatalog | Permission::LockWork | Permission::ReplaceCover => {
                SiteRole::Librarian
            }
            Permission::GrantRoles => SiteRole::Admin,
            Permission::PostMaterial(Source::Quire) => SiteRole::Librarian,
            Permission::PostMaterial(_) => SiteRole::Member,
        }
    }

    /// What the refused account reads: who may, and what it can do instead.
    fn refusal(self) -> &'static str {
        match self {
            Permission::AddToCatalog | Permission::ProposeEdit | Permission::AddCover => {
                "Sign in to do that."
            }
            Permission::ReplaceCover => {
                "This edition already has a cover, and only librarians replace a cover. Ask a librarian if it is wrong."
            }
            Permission::EditCatalog => {
                "Only librarians edit the catalog directly. You can propose this edit instead, and a librarian will review it."
            }
            Permission::LockWork => "Only librarians lock or unlock a book.",
            Permission::GrantRoles => "Only administrators grant roles and verified links.",
            Permission::PostMaterial(Source::Quire) => {
                "Only librarians post material as Quire. Post it as a member instead."
            }
            Permission::PostMaterial(Source::Author) => {
                "Only an account an administrator has verified as an author of this book posts material from the author. Post it as a member instead."
            }
            Permission::PostMaterial(Source::Publisher) => {
                "Only an account an administrator has verified as this book's publisher posts material from the publisher. Post it as a member instead."
            }
            Permission::PostMaterial(Source::Member) => "Sign in to do that.",
        }
    }
}

/// Whether `user` may do `p` on `work`. Role-only permissions are decided
/// as [`require`] does; the author's and the publisher's material also ask
/// what the account is to this work (at most two queries).
pub async fn require_for_work(
    st: &AppState,
    user: &User,
    p: Permission,
    work: WorkId,
) -> Result<(), AppError> {
    let allowed = match p {
        Permission::PostMaterial(Source::Author) => {
            roles::standing(&st.db, user.user_id(), work).await?.author
        }
        Permission::PostMaterial(Source::Publisher) => {
            roles::standing(&st.db, user.user_id(), work)
                .await?
                .publisher
        }
        _ => return require(user, p),
    };
    if allowed {
        Ok(())
    } else {
        Err(AppError::Forbidden(p.refusal().into()))
    }
}

/// The source material posted by `user` on `work` carries when the poster
/// does not choose: the author's when verified as an author of the work,
/// else the publisher's when verified as its publisher, else a member's.
pub async fn default_material_source(
    st: &AppState,
    user: &User,
    work: WorkId,
) -> Result<Source, AppError> {
    let standing = roles::standing(&st.db, user.user_id(), work).await?;
    Ok(if standing.author {
        Source::Author
    } else if standing.publisher {
        Source::Publisher
    } else {
        Source::Member
    })
}

/// Whether `user` may do `p`; the error says who may.
pub fn require(user: &User, p: Permission) -> Result<(), AppError> {
    if user.role >= p.needs() {
        Ok(())
    } else {
        Err(AppError::Forbidden(p.refusal().into()))
    }
}

/// A signed-in account with at least the librarian role.
pub struct Librarian(pub User);

/// A signed-in administrator.
pub struct Admin(pub User);

async fn with_role<S>(parts: &mut Parts, state: &S, p: Permission) -> Result<User, AppError>
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    let Member(user) = Member::from_request_parts(parts, state).await?;
    require(&user, p)?;
    Ok(user)
}

impl<S> FromRequestParts<S> for Librarian
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        with_role(parts, state, Permission::EditCatalog)
            .await
            .map(Librarian)
    }
}

impl<S> FromRequestParts<S> for Admin
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        with_role(parts, state, Permission::GrantRoles)
            .await
            .map(Admin)
    }
}

/// Something a visitor asks to do in one club. Ordered roughly by how much
/// of the club it needs; [`ClubAccess::allows`] is the one rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClubPermission {
    /// Know the club exists: its name, description, picture, how many
    /// members it has and how to join.
    See,
    /// Read what is inside: selections, members, meetings, polls,
    /// discussion.
    Read,
    /// Join at once (an open club).
    Join,
    /// Ask the organisers to be let in (a club that asks).
    AskToJoin,
    /// Take part: nominate, vote, RSVP, post, share one's progress.
    Participate,
    /// Run the club: selections, schedules, meetings, polls, invitations,
    /// requests, members, moderation, settings.
    Organise,
    /// Hand the club on, make organisers, delete the club.
    Own,
}

/// What one visitor is to one club, and so what they may do there.
#[derive(Clone, Copy, Debug)]
pub struct ClubAccess {
    pub visibility: Visibility,
    pub join_policy: JoinPolicy,
    pub standing: Standing,
    pub signed_in: bool,
    /// Holds a usable invitation link to this club (only the invitation
    /// pages know this).
    pub invited: bool,
}

impl ClubAccess {
    pub fn role(&self) -> Option<ClubRole> {
        self.standing.role
    }

    pub fn is_member(&self) -> bool {
        self.standing.role.is_some()
    }

    /// The one rule of who may do what in a club.
    pub fn allows(&self, p: ClubPermission) -> bool {
        let member = self.is_member();
        let role = self.standing.role;
        let outsider_may_join = self.signed_in
            && !member
            && !self.standing.banned
            && self.visibility != Visibility::Secret;
        match p {
            ClubPermission::See => {
                member || self.invited || (self.visibility != Visibility::Secret)
            }
            ClubPermission::Read => member || self.visibility == Visibility::Public,
            ClubPermission::Join => outsider_may_join && self.join_policy == JoinPolicy::Open,
            ClubPermission::AskToJoin => {
                outsider_may_join && self.join_policy == JoinPolicy::Request
            }
            ClubPermission::Participate => member,
            ClubPermission::Organise => role >= Some(ClubRole::Organiser),
            ClubPermission::Own => role == Some(ClubRole::Owner),
        }
    }

    /// `Ok` when allowed; otherwise the error the visitor reads. A secret
    /// club is "not found" to anyone who may not see it, exactly as a club
    /// that does not exist, so its name never leaks.
    pub fn check(&self, p: ClubPermission) -> Result<(), AppError> {
        if self.allows(p) {
            return Ok(());
        }
        if !self.allows(ClubPermission::See) {
            return Err(club_not_found());
        }
        if !self.signed_in {
            return Err(AppError::SignInRequired);
        }
        if self.standing.banned {
            return Err(AppError::Forbidden(
                "The club's organisers have removed you from this club.".into(),
            ));
        }
        Err(AppError::Forbidden(
            match p {
                ClubPermission::See | ClubPermission::Read => {
                    "Only members read what is inside this private club. Ask to join it first."
                }
                ClubPermission::Join | ClubPermission::AskToJoin if self.is_member() => {
                    "You are already a member of this club."
                }
                ClubPermission::Join | ClubPermission::AskToJoin => match self.join_policy {
                    JoinPolicy::Open => "Join this club from its page.",
                    JoinPolicy::Request => {
                        "This club lets people in on request: ask to join, and an organiser will answer."
                    }
                    JoinPolicy::Invite => {
                        "This club takes members by invitation only. Ask one of its organisers for an invitation link."
                    }
                },
                ClubPermission::Participate => "Only members of this club do that. Join it first.",
                ClubPermission::Organise => "Only the club's organisers do that.",
                ClubPermission::Own => "Only the club's owner does that.",
            }
            .into(),
        ))
    }
}

impl ClubAccess {
    /// Whether the visitor may change the place of a member whose role is
    /// `target` (make organiser or member, remove, ban): organisers manage
    /// members; only the owner manages organisers; nobody removes or
    /// demotes the owner (the owner hands the club on instead).
    pub fn check_manage(&self, target: Option<ClubRole>) -> Result<(), AppError> {
        self.check(ClubPermission::Organise)?;
        match target {
            Some(ClubRole::Owner) => Err(AppError::Forbidden(
                "Nobody removes or changes the owner. The owner can make another member the owner."
                    .into(),
            )),
            Some(ClubRole::Organiser) if !self.allows(ClubPermission::Own) => {
                Err(AppError::Forbidden(
                    "Only the club's owner changes or removes another organiser.".into(),
                ))
            }
            _ => Ok(()),
        }
    }
}

/// What anyone who may not see a club reads: the same as for no club.
pub fn club_not_found() -> AppError {
    AppError::NotFound(
        "There is no club at this address. Check the link, or find clubs in the directory.".into(),
    )
}
