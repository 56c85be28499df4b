use quire_domain::{SiteRole, UserId};
use quire_jobs::{Job, JobContext, JobError, NewJob, Registry, Runner};
use quire_storage::jobs::{self, JobRow};
use quire_storage::users::{self, NewUser};
use quire_storage::{Db, now};
use serde::{Deserialize, Serialize};
use std::time::Duration;
use tokio::sync::mpsc;

/// Wait (up to a minute, so a slow machine does not fail the test) until
/// `done` holds for the queue.
async fn until(db: &Db, what: &str, done: impl Fn(&[JobRow]) -> bool) -> Vec<JobRow> {
    for _ in 0..1200 {
        let rows = jobs::list(db).await.unwrap();
        if done(&rows) {
            return rows;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "gave up waiting until {what}: {:?}",
        jobs::list(db).await.unwrap()
    );
}

/// What the test job sees: where to say it started, and whether to stop
/// there (as a job in the middle of its work).
struct Gate {
    started: mpsc::UnboundedSender<i64>,
    hold: bool,
}

/// A job whose effect is countable: it queues one `test_relayed` job in
/// the transaction that completes it.
#[derive(Serialize, Deserialize)]
struct Relay {
    note: String,
}

impl Job for Relay {
    const KIND: &'static str = "test_relay";

    async fn run(&self, ctx: &JobContext) -> Result<(), JobError> {
        let gate = ctx.data::<Gate>().expect("the test gives a gate");
        let _ = gate.started.send(ctx.attempt());
        if gate.hold {
            std::future::pending::<()>().await;
        }
        // Kept far in the future, so no worker here tries to run it.
        let effect = NewJob::new("test_relayed", self.note.clone())
            .run_at(now() + Duration::from_secs(86_400));
        jobs::complete_with(&ctx.db, ctx.claim(), &[effect]).await?;
        Ok(())
    }
}

#[derive(Serialize, Deserialize)]
struct Flaky {
    panic: bool,
}

impl Job for Flaky {
    const KIND: &'static str = "test_flaky";

    async fn run(&self, _ctx: &JobContext) -> Result<(), JobError> {
        if self.panic {
            panic!("the shelf gave way");
        }
        Err(JobError::Failed("the printer is out of ink".into()))
    }
}

fn runner(db: &Db, name: &str, hold: bool) -> (Runner, mpsc::UnboundedReceiver<i64>) {
    let (started, rx) = mpsc::unbounded_channel();
    let runner = Runner::new(
        db.clone(),
        Registry::new().register::<Relay>().register::<Flaky>(),
    )
    .name(name)
    .workers(2)
    .lease(Duration::from_secs(1))
    .poll_interval(Duration::from_millis(20))
    .data(Gate { started, hold });
    (runner, rx)
}

async fn started(rx: &mut mpsc::UnboundedReceiver<i64>) -> i64 {
    tokio::time::timeout(Duration::from_secs(60), rx.recv())
        .await
        .expect("the job should start")
        .expect("the runner is alive")
}

quire_testkit::both_backends! {
    async fn expired_sessions_are_purged_by_a_job(db: Db) {
        let user = users::create(&db, &NewUser {
            id: UserId::new(),
            username: "ada",
            display_name: "Ada",
            password_hash: Some("x"),
            role: SiteRole::Member,
            is_demo: false,
        })
        .await
        .unwrap()
        .user_id();
        users::create_session(&db, "expired", user, now() - Duration::from_secs(60)).await.unwrap();
        users::create_session(&db, "live", user, now() + Duration::from_secs(3600)).await.unwrap();

        quire_jobs::enqueue(&db, &quire_jobs::PurgeSessions).await.unwrap();
        let handle = quire_jobs::runner(db.clone())
            .poll_interval(Duration::from_millis(20))
            .start();
        until(&db, "the purge job is done", |rows| rows.iter().all(|r| r.dedup_key.is_some())).await;
        handle.shutdown().await;
        // Nothing is left for a purge now: the job deleted the expired session.
        let left = jobs::purge_sessions_and_attempts(&db, now(), None).await.unwrap();
        assert_eq!(left.sessions, 0);
        assert!(users::session_user(&db, "live").await.unwrap().is_some());
    }

    async fn the_periodic_purge_is_queued_once_per_period_by_any_number_of_processes(db: Db) {
        // Runners that know no jobs: what they queue stays visible.
        let start = || {
            Runner::new(db.clone(), Registry::new())
                .poll_interval(Duration::from_secs(3600))
                .every(quire_jobs::PURGE_EVERY, quire_jobs::PurgeSessions)
                .start()
        };
        let (a, b) = (start(), start());
        let rows = until(&db, "the purge is queued", |rows| !rows.is_empty()).await;
        a.shutdown().await;
        b.shutdown().await;
        let rows = jobs::list(&db).await.unwrap_or(rows);
        assert_eq!(rows.len(), 1, "{rows:?}");
        assert_eq!(rows[0].kind, "purge_sessions");
        let hour = now().unix_timestamp() / 3600;
        assert!(rows[0].dedup_key.as_deref().unwrap().ends_with(&format!("#{hour}")) || rows[0].dedup_key.as_deref().unwrap().ends_with(&format!("#{}", hour - 1)));
    }

    async fn a_worker_killed_mid_job_leaves_it_to_run_again_once(db: Db) {
        quire_jobs::enqueue(&db, &Relay { note: "\"once\"".into() }).await.unwrap();

        // The first worker starts the job and dies in the middle of it.
        let (first, mut first_started) = runner(&db, "doomed", true);
        let first = first.start();
        assert_eq!(started(&mut first_started).await, 1);
        first.abort();
        let rows = jobs::list(&db).await.unwrap();
        assert_eq!(rows.len(), 1, "the job is still queued, nothing was done: {rows:?}");
        assert_eq!(rows[0].attempts, 1);
        assert!(rows[0].locked_by.as_deref().unwrap().starts_with("doomed/"));

        // After a restart, the job runs again once the dead worker's lease
        // runs out, and its effect is saved once.
        let (second, mut second_started) = runner(&db, "restarted", false);
        let second = second.start();
        assert_eq!(started(&mut second_started).await, 2, "the second run is attempt 2");
        let rows = until(&db, "the relay job is done", |rows| rows.iter().all(|r| r.kind != "test_relay")).await;
        second.shutdown().await;
        let effects: Vec<_> = rows.iter().filter(|r| r.kind == "test_relayed").collect();
        assert_eq!(effects.len(), 1, "done exactly once: {rows:?}");
        assert_eq!(effects[0].payload, "\"once\"");
        assert!(second_started.try_recv().is_err(), "not run a third time");
    }

    async fn shutdown_gives_an_unfinished_job_back(db: Db) {
        let id = quire_jobs::enqueue(&db, &Relay { note: "1".into() }).await.unwrap().unwrap();
        let (r, mut rx) = runner(&db, "leaving", true);
        let handle = r.grace(Duration::ZERO).start();
        started(&mut rx).await;
        handle.shutdown().await;
        let row = jobs::get(&db, id).await.unwrap().unwrap();
        assert_eq!((row.attempts, row.locked_by, row.state.as_str()), (0, None, "pending"));
    }

    async fn failures_are_recorded_and_retried_later(db: Db) {
        let err = quire_jobs::enqueue(&db, &Flaky { panic: false }).await.unwrap().unwrap();
        let panicked = quire_jobs::enqueue(&db, &Flaky { panic: true }).await.unwrap().unwrap();
        let unknown = jobs::enqueue(&db, &NewJob::new("nobody_knows", "{}").max_attempts(1)).await.unwrap().unwrap();
        let before = now();
        let (r, _rx) = runner(&db, "w", false);
        let handle = r.start();
        until(&db, "every job was tried", |rows| rows.len() == 3 && rows.iter().all(|r| r.attempts == 1 && r.locked_by.is_none())).await;
        handle.shutdown().await;

        let row = jobs::get(&db, err).await.unwrap().unwrap();
        assert_eq!(row.last_error.as_deref(), Some("the printer is out of ink"));
        assert!(row.run_at >= before + Duration::from_secs(10), "retried after a back-off");
        assert_eq!(row.state, "pending");
        let row = jobs::get(&db, panicked).await.unwrap().unwrap();
        assert!(row.last_error.unwrap().contains("the shelf gave way"));
        let row = jobs::get(&db, unknown).await.unwrap().unwrap();
        assert_eq!(row.state, "failed");
        assert!(row.last_error.unwrap().contains("nobody_knows"));
    }
}
