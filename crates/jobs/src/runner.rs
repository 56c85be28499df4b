//! Workers that claim due jobs and run them, and the clock that queues
//! periodic jobs.

use crate::registry::Registry;
use crate::{Data, Job, JobContext, JobError, new_job};
use futures_util::FutureExt;
use quire_storage::jobs::{self, Claim, Failed, NewJob};
use quire_storage::{Db, now};
use std::any::{Any, TypeId};
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tracing::Instrument;

type MakeJob = Box<dyn Fn() -> Result<NewJob, JobError> + Send + Sync>;

struct Schedule {
    every: Duration,
    make: MakeJob,
}

/// Runs jobs until shut down. Build with [`Runner::new`] (or
/// `quire_jobs::runner`), set it up, then [`Runner::start`].
pub struct Runner {
    db: Db,
    registry: Registry,
    workers: usize,
    lease: Duration,
    poll: Duration,
    grace: Duration,
    name: String,
    data: Data,
    schedules: Vec<Schedule>,
}

impl Runner {
    pub fn new(db: Db, registry: Registry) -> Self {
        let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "quire".to_string());
        Self {
            db,
            registry,
            workers: 2,
            lease: Duration::from_secs(60),
            poll: Duration::from_secs(1),
            grace: Duration::from_secs(10),
            name: format!("{host}:{}", std::process::id()),
            data: Data::new(),
            schedules: Vec::new(),
        }
    }

    /// Teach the runner a kind of job defined outside this crate (the
    /// import of an uploaded library lives with the importers).
    pub fn register<J: crate::Job>(mut self) -> Self {
        self.registry = self.registry.register::<J>();
        self
    }

    /// How many jobs run at once in this process.
    pub fn workers(mut self, n: usize) -> Self {
        self.workers = n.max(1);
        self
    }

    /// How long a claim holds without renewal. A worker that dies leaves its
    /// job to be claimed again after this. It is renewed every third of it.
    pub fn lease(mut self, lease: Duration) -> Self {
        self.lease = lease.max(Duration::from_secs(1));
        self
    }

    /// How long an idle worker waits before looking for a due job again.
    pub fn poll_interval(mut self, poll: Duration) -> Self {
        self.poll = poll;
        self
    }

    /// How long a running job may take to finish after shutdown is asked
    /// for; past it, the job is given back to the queue.
    pub fn grace(mut self, grace: Duration) -> Self {
        self.grace = grace;
        self
    }

    /// The name workers sign their claims with (`quire jobs` shows it).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// A value jobs can read with `JobContext::data` (a configuration, a
    /// client).
    pub fn data<T: Any + Send + Sync>(mut self, value: T) -> Self {
        self.data.insert(TypeId::of::<T>(), Box::new(value));
        self
    }

    /// Queue `job` every `period`, starting now. Each period is queued once,
    /// however many processes run this schedule: the dedup key names the
    /// period.
    pub fn every<J: Job + Clone>(mut self, period: Duration, job: J) -> Self {
        let secs = period.as_secs().max(1);
        self.schedules.push(Schedule {
            every: Duration::from_secs(secs),
            make: Box::new(move || {
                let slot = now().unix_timestamp() / i64::try_from(secs).unwrap_or(i64::MAX);
                Ok(new_job(&job)?.dedup_key(format!("every {secs}s: #{slot}")))
            }),
        });
        self
    }

    /// Start the workers and the schedule on the current tokio runtime.
    pub fn start(self) -> RunnerHandle {
        let (stop, stopped) = watch::channel(false);
        let shared = Arc::new(Shared {
            db: self.db,
            registry: self.registry,
            lease: self.lease,
            poll: self.poll,
            grace: self.grace,
            data: Arc::new(self.data),
        });
        let mut tasks = Vec::new();
        // A runner that knows no kind of job runs no workers: they could only
        // claim jobs to fail them (it may still queue its schedules).
        let workers = if shared.registry.kinds().is_empty() {
            0
        } else {
            self.workers
        };
        for i in 1..=workers {
            let name = format!("{}/w{i}", self.name);
            tasks.push(tokio::spawn(work(shared.clone(), name, stopped.clone())));
        }
        for schedule in self.schedules {
            tasks.push(tokio::spawn(tick(
                shared.db.clone(),
                schedule,
                stopped.clone(),
            )));
        }
        tracing::info!(workers, kinds = ?shared.registry.kinds(), "job workers started");
        RunnerHandle { stop, tasks }
    }
}

/// A started runner.
pub struct RunnerHandle {
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl RunnerHandle {
    /// Stop taking jobs; let each running job finish within the grace
    /// period, or give it back to the queue; then return.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        for task in self.tasks {
            let _ = task.await;
        }
    }

    /// Stop at once, as a crash would: running jobs are dropped mid-way and
    /// keep their claims until the leases run out.
    pub fn abort(self) {
        for task in self.tasks {
            task.abort();
        }
    }
}

struct Shared {
    db: Db,
    registry: Registry,
    lease: Duration,
    poll: Duration,
    grace: Duration,
    data: Arc<Data>,
}

async fn work(shared: Arc<Shared>, name: String, mut stopped: watch::Receiver<bool>) {
    while !*stopped.borrow() {
        match jobs::claim(&shared.db, &name, shared.lease, now()).await {
            Ok(Some(claim)) => {
                let span = tracing::info_span!(
                    "job",
                    kind = %claim.kind,
                    id = %claim.id,
                    attempt = claim.attempts,
                    worker = %name
                );
                run_one(&shared, claim, &mut stopped).instrument(span).await;
            }
            Ok(None) => idle(shared.poll, &mut stopped).await,
            Err(e) => {
                tracing::warn!(worker = %name, error = %e, "could not claim a job");
                idle(shared.poll, &mut stopped).await;
            }
        }
    }
}

/// Wait for the next poll, or for shutdown.
async fn idle(poll: Duration, stopped: &mut watch::Receiver<bool>) {
    tokio::select! {
        _ = tokio::time::sleep(poll) => {}
        _ = stop_asked(stopped) => {}
    }
}

/// Resolves when shutdown is asked for. A dropped handle asks for nothing:
/// the runner keeps running, detached.
async fn stop_asked(stopped: &mut watch::Receiver<bool>) {
    if stopped.wait_for(|stop| *stop).await.is_err() {
        std::future::pending::<()>().await;
    }
}

async fn run_one(shared: &Shared, claim: Claim, stopped: &mut watch::Receiver<bool>) {
    let ctx = JobContext {
        db: shared.db.clone(),
        claim: claim.clone(),
        data: shared.data.clone(),
    };
    let outcome = match shared.registry.start(ctx) {
        None => Some(Err(JobError::UnknownKind(claim.kind.clone()))),
        Some(job) => {
            // A panicking job fails its attempt instead of killing the worker.
            let job = AssertUnwindSafe(job).catch_unwind();
            tokio::pin!(job);
            let mut renew = tokio::time::interval(shared.lease / 3);
            renew.tick().await;
            let grace = tokio::time::sleep(Duration::MAX);
            tokio::pin!(grace);
            let mut stopping = *stopped.borrow();
            if stopping {
                grace
                    .as_mut()
                    .reset(tokio::time::Instant::now() + shared.grace);
            }
            loop {
                tokio::select! {
                    done = &mut job => break Some(done.unwrap_or_else(|panic| {
                        Err(JobError::Panicked(panic_message(&*panic)))
                    })),
                    _ = renew.tick() => {
                        match jobs::renew(&shared.db, &claim, shared.lease, now()).await {
                            Ok(true) => {}
                            Ok(false) => tracing::warn!("lost the lease: another worker holds this job now"),
                            Err(e) => tracing::warn!(error = %e, "could not renew the lease"),
                        }
                    }
                    _ = stop_asked(stopped), if !stopping => {
                        stopping = true;
                        grace.as_mut().reset(tokio::time::Instant::now() + shared.grace);
                    }
                    _ = &mut grace, if stopping => break None,
                }
            }
        }
    };
    match outcome {
        Some(Ok(())) => {
            if let Err(e) = jobs::complete(&shared.db, &claim).await {
                tracing::warn!(error = %e, "the job ran but could not be marked done");
            } else {
                tracing::info!("job done");
            }
        }
        Some(Err(err)) => match jobs::fail(&shared.db, &claim, &err.to_string(), now()).await {
            Ok(Failed::Retry(at)) => {
                tracing::warn!(error = %err, retry_at = %at, "job failed; will retry")
            }
            Ok(Failed::GaveUp) => {
                tracing::error!(error = %err, "job failed for the last time; kept as failed")
            }
            Ok(Failed::Superseded) => {
                tracing::warn!(error = %err, "job failed; a newer copy is queued")
            }
            Ok(Failed::NotOurs) => {
                tracing::warn!(error = %err, "job failed after another worker took it over")
            }
            Err(e) => {
                tracing::error!(error = %err, storage_error = %e, "job failed and the failure could not be recorded")
            }
        },
        None => match jobs::release(&shared.db, &claim).await {
            Ok(_) => tracing::info!("shutting down: the job was given back to the queue"),
            Err(e) => {
                tracing::warn!(error = %e, "shutting down: could not give the job back; its lease will run out")
            }
        },
    }
}

/// Claim one job due at `at` and run it to the end in this task: for
/// tests (a clock moved past a job's time) and one-off runs. Returns the
/// kind of the job run, `None` when none was due. Failures are recorded as
/// the runner records them.
pub async fn run_due(
    db: &Db,
    registry: &Registry,
    at: time::OffsetDateTime,
) -> Result<Option<String>, JobError> {
    let lease = Duration::from_secs(60);
    let Some(claim) = jobs::claim(db, "run_due", lease, at).await? else {
        return Ok(None);
    };
    let kind = claim.kind.clone();
    let ctx = JobContext {
        db: db.clone(),
        claim: claim.clone(),
        data: Arc::new(Data::new()),
    };
    let outcome = match registry.start(ctx) {
        None => Err(JobError::UnknownKind(kind.clone())),
        Some(job) => job.await,
    };
    match outcome {
        Ok(()) => {
            jobs::complete(db, &claim).await?;
            Ok(Some(kind))
        }
        Err(e) => {
            jobs::fail(db, &claim, &e.to_string(), now()).await?;
            Err(e)
        }
    }
}

fn panic_message(panic: &(dyn Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".to_string())
}

/// Queue a periodic job at each period, until shutdown.
async fn tick(db: Db, schedule: Schedule, mut stopped: watch::Receiver<bool>) {
    let mut every = tokio::time::interval(schedule.every);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    while !*stopped.borrow() {
        tokio::select! {
            _ = every.tick() => {
                let queued = match (schedule.make)() {
                    Ok(job) => jobs::enqueue(&db, &job).await.map_err(JobError::from),
                    Err(e) => Err(e),
                };
                if let Err(e) = queued {
                    tracing::warn!(error = %e, "could not queue a periodic job");
                }
            }
            _ = stop_asked(&mut stopped) => {}
        }
    }
}
