//! `/catalog/proposals`: librarians accept or decline members' proposed
//! edits; every member sees the status of their own and may withdraw an
//! open one. A refused decision (no reason to decline, a field changed
//! since) shows the list again with the error beside that proposal. The
//! same in JSON under `/api/v1/catalog/proposals`.

use super::forms::plain;
use super::{edit_path, noun, overrides_lock};
use crate::AppState;
use crate::auth::Member;
use crate::error::AppError;
use crate::permissions::{Librarian, Permission, require};
use crate::view::{Layout, day, page};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use quire_storage::catalog::edit::{EditError, field_label};
use quire_storage::catalog::proposals::{self, Proposal, ProposalStatus};
use quire_storage::users::User;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub struct ProposalView {
    pub id: String,
    pub what: String,
    /// "Book", "Edition", …
    pub kind: String,
    pub link: String,
    /// (field, was, proposed)
    pub changes: Vec<(String, String, String)>,
    pub note: String,
    pub status: &'static str,
    pub status_class: &'static str,
    pub by: String,
    pub when: String,
    pub decided: Option<String>,
    pub reason: Option<String>,
    pub open: bool,
}

fn view(p: &Proposal) -> ProposalView {
    let link = match p.work {
        Some(w) => format!("/books/{w}"),
        None => edit_path(p.target),
    };
    ProposalView {
        id: p.id.to_string(),
        what: p.subject.clone(),
        kind: super::capitalised(noun(p.target)),
        link,
        changes: p
            .changes
            .iter()
            .map(|c| {
                (
                    super::capitalised(field_label(&c.field)),
                    plain(Some(&c.before)),
                    plain(Some(&c.after)),
                )
            })
            .collect(),
        note: p.note.clone(),
        status: p.status.label(),
        status_class: p.status.as_str(),
        by: p
            .proposed_by
            .clone()
            .unwrap_or_else(|| "a former member".into()),
        when: day(p.created_at),
        decided: match (&p.decided_by, p.decided_at) {
            (Some(by), Some(at)) if p.status != ProposalStatus::Withdrawn => {
                Some(format!("by {by} on {}", day(at)))
            }
            (_, Some(at)) => Some(format!("on {}", day(at))),
            _ => None,
        },
        reason: p.reason.clone(),
        open: p.status == ProposalStatus::Open,
    }
}

#[derive(Template)]
#[template(path = "edit/proposals.html")]
pub struct ProposalsPage {
    layout: Layout,
    librarian: bool,
    open: Vec<ProposalView>,
    mine: Vec<ProposalView>,
    sent: bool,
    done: Option<&'static str>,
    /// A decision refused: the proposal, the field (`reason`, or `accept`
    /// for the proposal as a whole) and what to do.
    error: Option<(String, &'static str, String)>,
}

impl ProposalsPage {
    /// The error beside `field` of proposal `id`, if there is one.
    fn err(&self, id: &str, field: &str) -> Option<&str> {
        match &self.error {
            Some((p, f, m)) if p == id && *f == field => Some(m.as_str()),
            _ => None,
        }
    }
}

#[derive(Deserialize, Default)]
pub struct ProposalsQuery {
    pub sent: Option<String>,
    pub done: Option<String>,
}

pub async fn list(
    State(st): State<AppState>,
    Member(user): Member,
    Query(q): Query<ProposalsQuery>,
) -> Result<Response, AppError> {
    let done = match q.done.as_deref() {
        Some("accepted") => Some("Accepted and applied. It is in the book's history."),
        Some("declined") => Some("Declined. The member sees your reason."),
        Some("withdrawn") => Some("Withdrawn."),
        _ => None,
    };
    let t = list_page(&st, &user, q.sent.is_some(), done, None).await?;
    Ok(page(&t)?.into_response())
}

async fn list_page(
    st: &AppState,
    user: &User,
    sent: bool,
    done: Option<&'static str>,
    error: Option<(String, &'static str, String)>,
) -> Result<ProposalsPage, AppError> {
    let librarian = require(user, Permission::EditCatalog).is_ok();
    let open = if librarian {
        proposals::open(&st.db, 100).await?
    } else {
        Vec::new()
    };
    let mine = proposals::by_user(&st.db, user.user_id(), 100).await?;
    Ok(ProposalsPage {
        layout: Layout::for_user(Some(user)),
        librarian,
        open: open.iter().map(view).collect(),
        mine: mine.iter().map(view).collect(),
        sent,
        done,
        error,
    })
}

/// A decision that was refused for a reason the librarian can act on:
/// the list again, the error beside the proposal (and its field). Other
/// errors (no such proposal, already decided, a fault) answer as usual.
async fn refused_decision(
    st: &AppState,
    user: &User,
    id: Uuid,
    e: EditError,
) -> Result<Response, AppError> {
    let (status, field, message) = match e {
        EditError::Invalid { field, message } => (StatusCode::UNPROCESSABLE_ENTITY, field, message),
        e @ (EditError::FieldChanged { .. } | EditError::Locked(_) | EditError::Stale { .. }) => {
            (StatusCode::CONFLICT, "accept", e.to_string())
        }
        EditError::Storage(e) => return Err(e.into()),
    };
    let field = if field == "reason" {
        "reason"
    } else {
        "accept"
    };
    let t = list_page(
        st,
        user,
        false,
        None,
        Some((id.to_string(), field, message)),
    )
    .await?;
    Ok((status, page(&t)?).into_response())
}

fn proposal_id(raw: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(raw)
        .map_err(|_| AppError::NotFound("There is no such proposal in Quire.".into()))
}

pub async fn accept(
    State(st): State<AppState>,
    Librarian(user): Librarian,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = proposal_id(&id)?;
    match proposals::accept(&st.db, id, user.user_id(), overrides_lock(&user)).await {
        Ok(_) => Ok(Redirect::to("/catalog/proposals?done=accepted").into_response()),
        Err(e) => refused_decision(&st, &user, id, e).await,
    }
}

#[derive(Deserialize)]
pub struct DeclineForm {
    #[serde(default)]
    pub reason: String,
}

pub async fn decline(
    State(st): State<AppState>,
    Librarian(user): Librarian,
    Path(id): Path<String>,
    Form(f): Form<DeclineForm>,
) -> Result<Response, AppError> {
    let id = proposal_id(&id)?;
    match proposals::decline(&st.db, id, user.user_id(), &f.reason).await {
        Ok(()) => Ok(Redirect::to("/catalog/proposals?done=declined").into_response()),
        Err(e) => refused_decision(&st, &user, id, e).await,
    }
}

/// Refuse, as forbidden, withdrawing someone else's open proposal.
async fn own_proposal(st: &AppState, user: &User, id: Uuid) -> Result<(), AppError> {
    if let Some((by, true)) = proposals::proposer(&st.db, id).await?
        && by != Some(user.user_id())
    {
        return Err(AppError::Forbidden(
            "Only the member who proposed an edit can withdraw it.".into(),
        ));
    }
    Ok(())
}

pub async fn withdraw(
    State(st): State<AppState>,
    Member(user): Member,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = proposal_id(&id)?;
    // Someone else's open proposal is not theirs to withdraw: refused as
    // such, not reported as a conflict.
    own_proposal(&st, &user, id).await?;
    proposals::withdraw(&st.db, id, user.user_id()).await?;
    Ok(Redirect::to("/catalog/proposals?done=withdrawn").into_response())
}

/// `GET /api/v1/catalog/proposals`: for a librarian the open proposals
/// (at most 100, oldest first as the page shows them); for everyone their
/// own, newest first.
#[derive(Serialize)]
pub struct ApiProposals {
    /// Empty unless the account is a librarian.
    pub open: Vec<Proposal>,
    pub mine: Vec<Proposal>,
}

pub async fn api_list(
    State(st): State<AppState>,
    Member(user): Member,
) -> Result<Json<ApiProposals>, AppError> {
    let open = if require(&user, Permission::EditCatalog).is_ok() {
        proposals::open(&st.db, 100).await?
    } else {
        Vec::new()
    };
    let mine = proposals::by_user(&st.db, user.user_id(), 100).await?;
    Ok(Json(ApiProposals { open, mine }))
}

/// What a decision did.
#[derive(Serialize)]
pub struct ApiDecided {
    pub id: Uuid,
    /// accepted, declined or withdrawn.
    pub status: &'static str,
    /// The history entry an accepted proposal made.
    pub change: Option<Uuid>,
}

/// `POST /api/v1/catalog/proposals/{id}/accept`.
pub async fn api_accept(
    State(st): State<AppState>,
    Librarian(user): Librarian,
    Path(id): Path<String>,
) -> Result<Json<ApiDecided>, AppError> {
    let id = proposal_id(&id)?;
    let change = proposals::accept(&st.db, id, user.user_id(), overrides_lock(&user)).await?;
    Ok(Json(ApiDecided {
        id,
        status: ProposalStatus::Accepted.as_str(),
        change,
    }))
}

/// `POST /api/v1/catalog/proposals/{id}/decline` with `{"reason": "…"}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiDecline {
    #[serde(default)]
    pub reason: String,
}

pub async fn api_decline(
    State(st): State<AppState>,
    Librarian(user): Librarian,
    Path(id): Path<String>,
    crate::input::Json(b): crate::input::Json<ApiDecline>,
) -> Result<Json<ApiDecided>, AppError> {
    let id = proposal_id(&id)?;
    proposals::decline(&st.db, id, user.user_id(), &b.reason).await?;
    Ok(Json(ApiDecided {
        id,
        status: ProposalStatus::Declined.as_str(),
        change: None,
    }))
}

/// `POST /api/v1/catalog/proposals/{id}/withdraw`: the proposer only.
pub async fn api_withdraw(
    State(st): State<AppState>,
    Member(user): Member,
    Path(id): Path<String>,
) -> Result<Json<ApiDecided>, AppError> {
    let id = proposal_id(&id)?;
    own_proposal(&st, &user, id).await?;
    proposals::withdraw(&st.db, id, user.user_id()).await?;
    Ok(Json(ApiDecided {
        id,
        status: ProposalStatus::Withdrawn.as_str(),
        change: None,
    }))
}
