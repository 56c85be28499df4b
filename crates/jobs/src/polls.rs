//! Close a club poll at its closing time. Creating the poll queues this
//! job to run then, in the same transaction; the close (counting, keeping
//! the winner, making it the club's next book when asked) commits with the
//! job's completion, so it happens once. A poll an organiser closed early
//! is left as it is.

use crate::{Job, JobContext, JobError};
use quire_domain::PollId;
use quire_storage::clubs::polls::{self, Closed, Closer};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
pub struct ClosePoll {
    pub poll: Uuid,
}

impl Job for ClosePoll {
    const KIND: &'static str = "close_poll";
    /// Members wait on the result.
    const PRIORITY: i64 = 5;

    fn dedup_key(&self) -> Option<String> {
        Some(self.poll.to_string())
    }

    async fn run(&self, ctx: &JobContext) -> Result<(), JobError> {
        let poll = PollId(self.poll);
        match polls::close(&ctx.db, poll, Closer::Job(ctx.claim())).await? {
            Closed::Now { winner, selection } => {
                tracing::info!(%poll, ?winner, selected = selection.is_some(), "closed a poll at its time")
            }
            Closed::Already => tracing::info!(%poll, "the poll was closed already"),
        }
        Ok(())
    }
}
