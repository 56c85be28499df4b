//! `/catalog/proposals`: librarians accept or decline members' proposed
//! edits; every member sees the status of their own and may withdraw an
//! open one.

use super::forms::plain;
use super::{edit_path, noun, overrides_lock};
use crate::AppState;
use crate::auth::Member;
use crate::error::AppError;
use crate::permissions::{Librarian, Permission, require};
use crate::view::{Layout, day, page};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use quire_storage::catalog::edit::field_label;
use quire_storage::catalog::proposals::{self, Proposal, ProposalStatus};
use serde::Deserialize;
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
    let librarian = require(&user, Permission::EditCatalog).is_ok();
    let open = if librarian {
        proposals::open(&st.db, 100).await?
    } else {
        Vec::new()
    };
    let mine = proposals::by_user(&st.db, user.user_id(), 100).await?;
    let t = ProposalsPage {
        layout: Layout::for_user(Some(&user)),
        librarian,
        open: open.iter().map(view).collect(),
        mine: mine.iter().map(view).collect(),
        sent: q.sent.is_some(),
        done: match q.done.as_deref() {
            Some("accepted") => Some("Accepted and applied. It is in the book's history."),
            Some("declined") => Some("Declined. The member sees your reason."),
            Some("withdrawn") => Some("Withdrawn."),
            _ => None,
        },
    };
    Ok(page(&t)?.into_response())
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
    proposals::accept(
        &st.db,
        proposal_id(&id)?,
        user.user_id(),
        overrides_lock(&user),
    )
    .await?;
    Ok(Redirect::to("/catalog/proposals?done=accepted").into_response())
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
    proposals::decline(&st.db, proposal_id(&id)?, user.user_id(), &f.reason).await?;
    Ok(Redirect::to("/catalog/proposals?done=declined").into_response())
}

pub async fn withdraw(
    State(st): State<AppState>,
    Member(user): Member,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = proposal_id(&id)?;
    // Someone else's open proposal is not theirs to withdraw: refused as
    // such, not reported as a conflict.
    if let Some((by, true)) = proposals::proposer(&st.db, id).await?
        && by != Some(user.user_id())
    {
        return Err(AppError::Forbidden(
            "Only the member who proposed an edit can withdraw it.".into(),
        ));
    }
    proposals::withdraw(&st.db, id, user.user_id()).await?;
    Ok(Redirect::to("/catalog/proposals?done=withdrawn").into_response())
}
