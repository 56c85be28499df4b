//! Quire's background jobs: the typed side of the queue kept in the database
//! (`quire_storage::jobs`).
//!
//! A job is a type with a serde payload and a `KIND` name ([`Job`]). The
//! [`Registry`] maps kinds to their code; the [`Runner`] runs N workers that
//! claim due jobs, renew their leases while a job runs, retry failures with
//! back-off, queue periodic jobs, and on shutdown let the current job finish
//! or give it back. Adding a job is one type and one `register` line in
//! [`registry`].

mod analyse;
mod covers;
mod polls;
mod purge;
mod registry;
mod runner;

pub use analyse::{AnalyseText, Analysed, analyse_text, analysis_version};
pub use covers::MakeCoverThumbnails;
pub use polls::ClosePoll;
pub use purge::PurgeSessions;
pub use quire_storage::jobs::{Claim, NewJob};
pub use registry::Registry;
pub use runner::{Runner, RunnerHandle, run_due};

use quire_storage::{Db, StorageError};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

/// Work to do in the background, with its arguments as the payload.
pub trait Job: Serialize + DeserializeOwned + Send + Sync + 'static {
    /// The stored name of this kind of job. Never rename it while jobs of
    /// the old name may be queued.
    const KIND: &'static str;
    /// Attempts before the job is kept as failed.
    const MAX_ATTEMPTS: i64 = 5;
    /// Higher runs first among due jobs.
    const PRIORITY: i64 = 0;

    /// While a job with the same kind and key waits, queueing another one
    /// does nothing.
    fn dedup_key(&self) -> Option<String> {
        None
    }

    /// Do the work. A job whose effect is in the database should complete
    /// its claim in the effect's transaction (see
    /// `quire_storage::jobs::purge_sessions_and_attempts`), so a worker that
    /// lost its lease cannot do it a second time.
    fn run(&self, ctx: &JobContext) -> impl Future<Output = Result<(), JobError>> + Send;
}

#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("the arguments of a {kind} job could not be read or written: {source}")]
    Payload {
        kind: String,
        #[source]
        source: serde_json::Error,
    },
    #[error("no worker here knows jobs of kind \"{0}\"; is this worker older than the server?")]
    UnknownKind(String),
    #[error("the job stopped with a panic: {0}")]
    Panicked(String),
    /// A job's own failure, said in words the host can act on.
    #[error("{0}")]
    Failed(String),
}

/// What a running job may use: the database, its claim, and any values the
/// runner was given (`Runner::data`).
pub struct JobContext {
    pub db: Db,
    claim: Claim,
    data: Arc<Data>,
}

impl JobContext {
    /// The claim this job runs under: pass it to the storage function that
    /// saves the job's effect, so both commit together.
    pub fn claim(&self) -> &Claim {
        &self.claim
    }

    /// Which attempt this is, from 1.
    pub fn attempt(&self) -> i64 {
        self.claim.attempts
    }

    /// A value given to the runner with `Runner::data`.
    pub fn data<T: Any + Send + Sync>(&self) -> Option<&T> {
        self.data
            .get(&TypeId::of::<T>())
            .and_then(|v| v.downcast_ref::<T>())
    }
}

pub(crate) type Data = HashMap<TypeId, Box<dyn Any + Send + Sync>>;

/// The stored form of a job.
pub fn new_job<J: Job>(job: &J) -> Result<NewJob, JobError> {
    let payload = serde_json::to_string(job).map_err(|source| JobError::Payload {
        kind: J::KIND.to_string(),
        source,
    })?;
    let mut new = NewJob::new(J::KIND, payload)
        .priority(J::PRIORITY)
        .max_attempts(J::MAX_ATTEMPTS);
    if let Some(key) = job.dedup_key() {
        new = new.dedup_key(key);
    }
    Ok(new)
}

/// Queue a job. `None`: the same job was already waiting.
pub async fn enqueue<J: Job>(db: &Db, job: &J) -> Result<Option<Uuid>, JobError> {
    Ok(quire_storage::jobs::enqueue(db, &new_job(job)?).await?)
}

/// Every job Quire knows. A new job is one type and one line here.
pub fn registry() -> Registry {
    Registry::new()
        .register::<PurgeSessions>()
        .register::<MakeCoverThumbnails>()
        .register::<ClosePoll>()
        .register::<AnalyseText>()
}

/// How often expired sessions and old sign-in attempts are purged.
pub const PURGE_EVERY: Duration = Duration::from_secs(60 * 60);

/// Quire's runner: every known job, and the periodic ones scheduled.
pub fn runner(db: Db) -> Runner {
    Runner::new(db, registry()).every(PURGE_EVERY, PurgeSessions)
}
