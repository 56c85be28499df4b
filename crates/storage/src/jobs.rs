//! The job queue: work done after a request (purging old sessions, making
//! cover thumbnails), kept in the database so it survives a restart and can
//! be shared by several worker processes.
//!
//! A job waits until its `run_at`. A worker claims it with a lease, which it
//! renews while the job runs; a job whose lease ran out (its worker died) is
//! claimed again. A claim is identified by the worker's name together with
//! the attempt number, so a worker that lost its lease can neither complete
//! nor fail a job another worker now holds. A job's effect and its deletion
//! commit in one transaction where the effect is in this database
//! ([`complete_with`], [`purge_sessions_and_attempts`]), so a job is never
//! done twice. A failed attempt is retried after an exponential back-off; a
//! job that used up its attempts stays, marked failed, for the host to see.
//!
//! The typed side (a `Job` trait, the registry and the runner) lives in the
//! `quire-jobs` crate; this module only speaks kinds and JSON text.

use crate::db::{Backend, Db, Tx, now};
use crate::{Result, StorageError};
use std::time::Duration;
use time::OffsetDateTime;
use uuid::Uuid;

/// Retries wait `BACKOFF_BASE × 2^(attempt − 1)`, never more than
/// [`BACKOFF_CAP`].
pub const BACKOFF_BASE: Duration = Duration::from_secs(10);
pub const BACKOFF_CAP: Duration = Duration::from_secs(60 * 60);

/// A job to queue.
#[derive(Clone, Debug)]
pub struct NewJob {
    pub kind: String,
    /// The job's arguments as JSON text.
    pub payload: String,
    /// While a job with the same kind and key waits, queueing another one
    /// does nothing.
    pub dedup_key: Option<String>,
    /// Higher runs first among jobs that are due.
    pub priority: i64,
    /// When it may run; `None`: now.
    pub run_at: Option<OffsetDateTime>,
    pub max_attempts: i64,
}

impl NewJob {
    pub fn new(kind: impl Into<String>, payload: impl Into<String>) -> Self {
        Self {
            kind: kind.into(),
            payload: payload.into(),
            dedup_key: None,
            priority: 0,
            run_at: None,
            max_attempts: 5,
        }
    }

    pub fn dedup_key(mut self, key: impl Into<String>) -> Self {
        self.dedup_key = Some(key.into());
        self
    }

    pub fn priority(mut self, priority: i64) -> Self {
        self.priority = priority;
        self
    }

    pub fn run_at(mut self, at: OffsetDateTime) -> Self {
        self.run_at = Some(at);
        self
    }

    pub fn max_attempts(mut self, n: i64) -> Self {
        self.max_attempts = n.max(1);
        self
    }
}

/// A job a worker holds. `worker` and `attempt` together name the claim.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Claim {
    pub id: Uuid,
    pub kind: String,
    pub payload: String,
    /// This attempt's number, from 1.
    pub attempts: i64,
    pub max_attempts: i64,
    pub locked_by: String,
    pub lease_until: OffsetDateTime,
}

/// A queued or failed job, for the host's list.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct JobRow {
    pub id: Uuid,
    pub kind: String,
    pub payload: String,
    pub dedup_key: Option<String>,
    pub priority: i64,
    /// `pending` or `failed`.
    pub state: String,
    pub run_at: OffsetDateTime,
    pub attempts: i64,
    pub max_attempts: i64,
    pub last_error: Option<String>,
    pub locked_by: Option<String>,
    pub lease_until: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
}

/// What became of a failed attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failed {
    /// It will run again at this time.
    Retry(OffsetDateTime),
    /// It used up its attempts and stays, marked failed.
    GaveUp,
    /// A copy of it queued meanwhile (same dedup key) will do the work; this
    /// one was deleted.
    Superseded,
    /// The claim was no longer this worker's; nothing changed.
    NotOurs,
}

/// What [`unlock`] did with a claimed job.
#[derive(PartialEq)]
enum Unlocked {
    Waiting,
    Superseded,
    NotOurs,
}

/// How long to wait before attempt `attempts + 1`, after `attempts` failed.
pub fn backoff(attempts: i64) -> Duration {
    let exp = u32::try_from(attempts.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
    BACKOFF_BASE
        .checked_mul(1u32 << exp)
        .unwrap_or(BACKOFF_CAP)
        .min(BACKOFF_CAP)
}

/// Leases and back-offs are stored at whole seconds, as every time is.
fn whole_seconds(d: Duration) -> Duration {
    Duration::from_secs(d.as_secs().max(1))
}

/// Queue a job. Returns its id, or `None` when a waiting job of the same
/// kind and dedup key made it unnecessary.
pub async fn enqueue(db: &Db, job: &NewJob) -> Result<Option<Uuid>> {
    let mut tx = db.begin().await?;
    let id = enqueue_in(db, &mut tx, job).await?;
    tx.commit().await?;
    Ok(id)
}

/// Queue a job inside a writer's transaction, so the change that needs the
/// job and the job itself commit (or fail) together.
pub(crate) async fn enqueue_in(db: &Db, tx: &mut Tx, job: &NewJob) -> Result<Option<Uuid>> {
    let id = Uuid::now_v7();
    let at = now();
    let done = tx!(
        db,
        tx,
        sqlx::query(
            "INSERT INTO jobs (id, kind, payload, dedup_key, priority, state, run_at, attempts,
                max_attempts, created_at)
             VALUES ($1, $2, $3, $4, $5, 'pending', $6, 0, $7, $8)
             ON CONFLICT DO NOTHING"
        )
        .bind(id)
        .bind(&job.kind)
        .bind(&job.payload)
        .bind(job.dedup_key.as_deref())
        .bind(job.priority)
        .bind(job.run_at.unwrap_or(at))
        .bind(job.max_attempts.max(1))
        .bind(at),
        execute
    )?;
    Ok((done.rows_affected() == 1).then_some(id))
}

const CLAIM_SQLITE: &str =
    "UPDATE jobs SET locked_by = $1, lease_until = $2, attempts = attempts + 1
     WHERE id = (SELECT id FROM jobs
                 WHERE state = 'pending' AND run_at <= $3 AND attempts < max_attempts
                   AND (lease_until IS NULL OR lease_until < $3)
                 ORDER BY priority DESC, run_at, id LIMIT 1)
     RETURNING id, kind, payload, attempts, max_attempts, locked_by, lease_until";

/// PostgreSQL lets many workers claim at once: a row another claimer has
/// locked is skipped instead of waited for, so two never get the same job.
/// (SQLite needs no such clause: its single writer runs claims one by one.)
const CLAIM_POSTGRES: &str =
    "UPDATE jobs SET locked_by = $1, lease_until = $2, attempts = attempts + 1
     WHERE id = (SELECT id FROM jobs
                 WHERE state = 'pending' AND run_at <= $3 AND attempts < max_attempts
                   AND (lease_until IS NULL OR lease_until < $3)
                 ORDER BY priority DESC, run_at, id LIMIT 1
                 FOR UPDATE SKIP LOCKED)
     RETURNING id, kind, payload, attempts, max_attempts, locked_by, lease_until";

/// Claim the next due job for `worker`, holding it for `lease`. A job whose
/// previous worker's lease ran out is due again. A job whose last allowed
/// attempt died with its worker is marked failed here.
pub async fn claim(
    db: &Db,
    worker: &str,
    lease: Duration,
    at: OffsetDateTime,
) -> Result<Option<Claim>> {
    write!(
        db,
        sqlx::query(
            "UPDATE jobs SET state = 'failed', locked_by = NULL, lease_until = NULL,
                last_error = 'the worker stopped during the last attempt (its lease ran out)'
             WHERE state = 'pending' AND lease_until < $1 AND attempts >= max_attempts"
        )
        .bind(at),
        execute
    )?;
    let sql = match db.backend() {
        Backend::Sqlite => CLAIM_SQLITE,
        Backend::Postgres => CLAIM_POSTGRES,
    };
    Ok(write!(
        db,
        sqlx::query_as::<_, Claim>(sql)
            .bind(worker)
            .bind(at + whole_seconds(lease))
            .bind(at),
        fetch_optional
    )?)
}

/// Extend the lease of a running job. `false`: the claim is no longer this
/// worker's (the lease ran out and another worker took the job).
pub async fn renew(db: &Db, claim: &Claim, lease: Duration, at: OffsetDateTime) -> Result<bool> {
    let done = write!(
        db,
        sqlx::query(
            "UPDATE jobs SET lease_until = $4
             WHERE id = $1 AND locked_by = $2 AND attempts = $3 AND state = 'pending'"
        )
        .bind(claim.id)
        .bind(&claim.locked_by)
        .bind(claim.attempts)
        .bind(at + whole_seconds(lease)),
        execute
    )?;
    Ok(done.rows_affected() == 1)
}

/// Delete a finished job whose effect is already saved. `false`: the claim
/// was no longer this worker's, or the job completed itself in its effect's
/// transaction; either way nothing is left to do.
pub async fn complete(db: &Db, claim: &Claim) -> Result<bool> {
    let done = write!(
        db,
        sqlx::query("DELETE FROM jobs WHERE id = $1 AND locked_by = $2 AND attempts = $3")
            .bind(claim.id)
            .bind(&claim.locked_by)
            .bind(claim.attempts),
        execute
    )?;
    Ok(done.rows_affected() == 1)
}

/// Delete a finished job inside the transaction of its effect. When the
/// claim is no longer this worker's, this fails, so the transaction (and
/// with it the effect) is rolled back: the worker now holding the job does
/// it instead, and it is done once.
pub(crate) async fn finish_in(db: &Db, tx: &mut Tx, claim: &Claim) -> Result<()> {
    let done = tx!(
        db,
        tx,
        sqlx::query("DELETE FROM jobs WHERE id = $1 AND locked_by = $2 AND attempts = $3")
            .bind(claim.id)
            .bind(&claim.locked_by)
            .bind(claim.attempts),
        execute
    )?;
    if done.rows_affected() == 1 {
        Ok(())
    } else {
        Err(StorageError::Conflict(format!(
            "job {} ({}) is no longer held by {}: its lease ran out; its work was not saved",
            claim.id, claim.kind, claim.locked_by
        )))
    }
}

/// Complete a job and queue the jobs that follow from it, in one
/// transaction: either all of it happens or none of it.
pub async fn complete_with(db: &Db, claim: &Claim, follow_ups: &[NewJob]) -> Result<()> {
    let mut tx = db.begin().await?;
    finish_in(db, &mut tx, claim).await?;
    for job in follow_ups {
        enqueue_in(db, &mut tx, job).await?;
    }
    tx.commit().await
}

/// Give a claimed job back to the queue waiting until `run_at`. A job with a
/// dedup key that has a waiting twin by now is deleted instead: the twin
/// does the work.
async fn unlock(
    db: &Db,
    tx: &mut Tx,
    claim: &Claim,
    attempts: i64,
    run_at: OffsetDateTime,
    error: Option<&str>,
) -> Result<Unlocked> {
    let twin = tx!(
        db,
        tx,
        sqlx::query(
            "DELETE FROM jobs WHERE id = $1 AND locked_by = $2 AND attempts = $3
               AND dedup_key IS NOT NULL
               AND EXISTS (SELECT 1 FROM jobs d WHERE d.kind = jobs.kind
                             AND d.dedup_key = jobs.dedup_key AND d.id <> jobs.id
                             AND d.state = 'pending' AND d.locked_by IS NULL)"
        )
        .bind(claim.id)
        .bind(&claim.locked_by)
        .bind(claim.attempts),
        execute
    )?;
    if twin.rows_affected() == 1 {
        return Ok(Unlocked::Superseded);
    }
    let done = tx!(
        db,
        tx,
        sqlx::query(
            "UPDATE jobs SET locked_by = NULL, lease_until = NULL, attempts = $4, run_at = $5,
                last_error = COALESCE($6, last_error)
             WHERE id = $1 AND locked_by = $2 AND attempts = $3 AND state = 'pending'"
        )
        .bind(claim.id)
        .bind(&claim.locked_by)
        .bind(claim.attempts)
        .bind(attempts)
        .bind(run_at)
        .bind(error),
        execute
    )?;
    Ok(if done.rows_affected() == 1 {
        Unlocked::Waiting
    } else {
        Unlocked::NotOurs
    })
}

/// Record a failed attempt: retry after [`backoff`], or, when the attempts
/// are used up, keep the job marked failed with its error.
pub async fn fail(db: &Db, claim: &Claim, error: &str, at: OffsetDateTime) -> Result<Failed> {
    let mut tx = db.begin().await?;
    let outcome = if claim.attempts >= claim.max_attempts {
        let done = tx!(
            db,
            &mut tx,
            sqlx::query(
                "UPDATE jobs SET state = 'failed', locked_by = NULL, lease_until = NULL,
                    last_error = $4
                 WHERE id = $1 AND locked_by = $2 AND attempts = $3 AND state = 'pending'"
            )
            .bind(claim.id)
            .bind(&claim.locked_by)
            .bind(claim.attempts)
            .bind(error),
            execute
        )?;
        if done.rows_affected() == 1 {
            Failed::GaveUp
        } else {
            Failed::NotOurs
        }
    } else {
        let retry_at = at + whole_seconds(backoff(claim.attempts));
        match unlock(db, &mut tx, claim, claim.attempts, retry_at, Some(error)).await? {
            Unlocked::Waiting => Failed::Retry(retry_at),
            Unlocked::Superseded => Failed::Superseded,
            Unlocked::NotOurs => Failed::NotOurs,
        }
    };
    tx.commit().await?;
    Ok(outcome)
}

/// Give a job back without counting the attempt (a worker shutting down
/// before the job could finish). `false`: it was no longer this worker's.
pub async fn release(db: &Db, claim: &Claim) -> Result<bool> {
    let mut tx = db.begin().await?;
    let done = unlock(db, &mut tx, claim, claim.attempts - 1, now(), None).await?;
    tx.commit().await?;
    Ok(done != Unlocked::NotOurs)
}

const JOB_COLUMNS: &str = "id, kind, payload, dedup_key, priority, state, run_at, attempts,
    max_attempts, last_error, locked_by, lease_until, created_at";

/// Every queued and failed job: failed first, then by when they run.
pub async fn list(db: &Db) -> Result<Vec<JobRow>> {
    let sql = format!(
        "SELECT {JOB_COLUMNS} FROM jobs
         ORDER BY CASE WHEN state = 'failed' THEN 0 ELSE 1 END, run_at, id"
    );
    Ok(read!(
        db,
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())),
        fetch_all
    )?)
}

/// One job by id, if it is still queued or failed.
pub async fn get(db: &Db, id: Uuid) -> Result<Option<JobRow>> {
    let sql = format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = $1");
    Ok(read!(
        db,
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(id),
        fetch_optional
    )?)
}

/// What a purge removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Purged {
    pub sessions: u64,
    pub login_attempts: u64,
}

/// Delete expired sessions and old sign-in records and counters (see
/// [`crate::users::purge_expired`]). With `job`, the job is completed in the same
/// transaction (and nothing is deleted if its claim was lost).
pub async fn purge_sessions_and_attempts(
    db: &Db,
    at: OffsetDateTime,
    job: Option<&Claim>,
) -> Result<Purged> {
    let mut tx = db.begin().await?;
    let (sessions, login_attempts) = crate::users::purge_in(db, &mut tx, at).await?;
    if let Some(claim) = job {
        finish_in(db, &mut tx, claim).await?;
    }
    tx.commit().await?;
    Ok(Purged {
        sessions,
        login_attempts,
    })
}
