//! The first job: delete expired sessions and old sign-in attempts, so the
//! tables that every request and sign-in read stay small.

use crate::{Job, JobContext, JobError};
use quire_storage::jobs::purge_sessions_and_attempts;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize)]
pub struct PurgeSessions;

impl Job for PurgeSessions {
    const KIND: &'static str = "purge_sessions";

    async fn run(&self, ctx: &JobContext) -> Result<(), JobError> {
        let purged =
            purge_sessions_and_attempts(&ctx.db, quire_storage::now(), Some(ctx.claim())).await?;
        tracing::info!(
            sessions = purged.sessions,
            login_attempts = purged.login_attempts,
            "purged expired sessions and old sign-in attempts"
        );
        Ok(())
    }
}
