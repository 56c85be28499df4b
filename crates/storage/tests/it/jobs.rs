//! The job queue on both engines: claims never collide, a dead worker's job
//! is claimed again, dedup, back-off, and effects that commit with the job.

use quire_storage::jobs::{self, Failed, NewJob};
use quire_storage::{Db, now};
use std::collections::HashSet;
use std::time::Duration;

const LEASE: Duration = Duration::from_secs(30);

async fn pending_kinds(db: &Db, kind: &str) -> usize {
    jobs::list(db)
        .await
        .unwrap()
        .iter()
        .filter(|j| j.kind == kind)
        .count()
}

quire_testkit::both_backends! {
    async fn two_claimers_never_get_the_same_job(db: Db) {
        for i in 0..20 {
            jobs::enqueue(&db, &NewJob::new("count", format!("{{\"n\":{i}}}")))
                .await
                .unwrap();
        }
        let at = now();
        let mut tasks = Vec::new();
        for w in 0..4 {
            let db = db.clone();
            tasks.push(tokio::spawn(async move {
                let mut got = Vec::new();
                while let Some(c) = jobs::claim(&db, &format!("w{w}"), LEASE, at).await.unwrap() {
                    got.push(c.id);
                }
                got
            }));
        }
        let mut all = Vec::new();
        for t in tasks {
            all.extend(t.await.unwrap());
        }
        let distinct: HashSet<_> = all.iter().collect();
        assert_eq!(all.len(), 20, "every job claimed once");
        assert_eq!(distinct.len(), 20, "no job claimed twice: {all:?}");
    }

    async fn an_expired_lease_is_claimed_again_and_the_old_claim_cannot_finish(db: Db) {
        let id = jobs::enqueue(&db, &NewJob::new("relay", "{}")).await.unwrap().unwrap();
        // Taken after the enqueue: the job is due from the moment it was queued.
        let at = now();
        let first = jobs::claim(&db, "crashed", LEASE, at).await.unwrap().unwrap();
        assert_eq!((first.id, first.attempts), (id, 1));
        // While the lease holds, nobody else gets it.
        assert!(jobs::claim(&db, "other", LEASE, at + Duration::from_secs(29)).await.unwrap().is_none());
        let later = at + Duration::from_secs(31);
        let second = jobs::claim(&db, "other", LEASE, later).await.unwrap().unwrap();
        assert_eq!((second.id, second.attempts, second.locked_by.as_str()), (id, 2, "other"));

        // The first worker wakes up: it can neither renew, nor finish with an
        // effect, nor fail the job now held by the second.
        assert!(!jobs::renew(&db, &first, LEASE, later).await.unwrap());
        let follow = [NewJob::new("relayed", "{}")];
        assert!(jobs::complete_with(&db, &first, &follow).await.is_err());
        assert_eq!(jobs::fail(&db, &first, "late", later).await.unwrap(), Failed::NotOurs);
        assert_eq!(pending_kinds(&db, "relayed").await, 0, "the lost claim's effect was rolled back");

        jobs::complete_with(&db, &second, &follow).await.unwrap();
        assert!(jobs::get(&db, id).await.unwrap().is_none(), "a finished job is deleted");
        assert_eq!(pending_kinds(&db, "relayed").await, 1, "the effect happened once");
    }

    async fn a_waiting_job_is_not_queued_twice(db: Db) {
        let job = NewJob::new("purge", "{}").dedup_key("hour-1");
        let first = jobs::enqueue(&db, &job).await.unwrap();
        assert!(first.is_some());
        assert_eq!(jobs::enqueue(&db, &job).await.unwrap(), None);
        // Another key, or no key, is another job.
        assert!(jobs::enqueue(&db, &NewJob::new("purge", "{}").dedup_key("hour-2")).await.unwrap().is_some());
        assert!(jobs::enqueue(&db, &NewJob::new("purge", "{}")).await.unwrap().is_some());
        assert_eq!(pending_kinds(&db, "purge").await, 3);

        // Once a worker holds it, a new copy may queue; when the held one is
        // retried, the waiting copy does the work and the retry is dropped.
        let at = now();
        let claim = loop {
            let c = jobs::claim(&db, "w", LEASE, at).await.unwrap().unwrap();
            if Some(c.id) == first {
                break c;
            }
        };
        assert!(jobs::enqueue(&db, &job).await.unwrap().is_some());
        assert_eq!(jobs::fail(&db, &claim, "busy", at).await.unwrap(), Failed::Superseded);
        let left: Vec<_> = jobs::list(&db).await.unwrap().into_iter()
            .filter(|j| j.dedup_key.as_deref() == Some("hour-1")).collect();
        assert_eq!(left.len(), 1, "{left:?}");
        assert_eq!(left[0].attempts, 0);
    }

    async fn failures_back_off_exponentially_then_give_up(db: Db) {
        assert_eq!(jobs::backoff(1), Duration::from_secs(10));
        assert_eq!(jobs::backoff(2), Duration::from_secs(20));
        assert_eq!(jobs::backoff(4), Duration::from_secs(80));
        assert_eq!(jobs::backoff(20), Duration::from_secs(3600), "capped at an hour");
        assert_eq!(jobs::backoff(10_000), Duration::from_secs(3600));

        let id = jobs::enqueue(&db, &NewJob::new("flaky", "{}").max_attempts(3)).await.unwrap().unwrap();
        let mut at = now();
        for (attempt, wait) in [(1, 10), (2, 20)] {
            let c = jobs::claim(&db, "w", LEASE, at).await.unwrap().unwrap();
            assert_eq!(c.attempts, attempt);
            let Failed::Retry(when) = jobs::fail(&db, &c, &format!("boom {attempt}"), at).await.unwrap() else {
                panic!("attempt {attempt} should be retried");
            };
            assert_eq!(when - at, time::Duration::seconds(wait));
            // Not due before its time.
            assert!(jobs::claim(&db, "w", LEASE, when - Duration::from_secs(1)).await.unwrap().is_none());
            let row = jobs::get(&db, id).await.unwrap().unwrap();
            assert_eq!(row.last_error.as_deref(), Some(format!("boom {attempt}").as_str()));
            assert!(row.locked_by.is_none());
            at = when;
        }
        let c = jobs::claim(&db, "w", LEASE, at).await.unwrap().unwrap();
        assert_eq!(jobs::fail(&db, &c, "boom 3", at).await.unwrap(), Failed::GaveUp);
        let row = jobs::get(&db, id).await.unwrap().unwrap();
        assert_eq!((row.state.as_str(), row.attempts, row.last_error.as_deref()), ("failed", 3, Some("boom 3")));
        assert!(jobs::claim(&db, "w", LEASE, at + Duration::from_secs(86_400)).await.unwrap().is_none(), "a failed job is not run again");
    }

    async fn a_last_attempt_that_died_with_its_worker_is_marked_failed(db: Db) {
        let id = jobs::enqueue(&db, &NewJob::new("fragile", "{}").max_attempts(1)).await.unwrap().unwrap();
        let at = now();
        jobs::claim(&db, "crashed", LEASE, at).await.unwrap().unwrap();
        assert!(jobs::claim(&db, "w", LEASE, at + Duration::from_secs(60)).await.unwrap().is_none());
        let row = jobs::get(&db, id).await.unwrap().unwrap();
        assert_eq!(row.state, "failed");
        assert!(row.last_error.unwrap().contains("lease ran out"));
    }

    async fn released_jobs_wait_again_without_losing_an_attempt(db: Db) {
        let id = jobs::enqueue(&db, &NewJob::new("long", "{}")).await.unwrap().unwrap();
        let c = jobs::claim(&db, "w", LEASE, now()).await.unwrap().unwrap();
        assert!(jobs::renew(&db, &c, LEASE, now()).await.unwrap());
        assert!(jobs::release(&db, &c).await.unwrap());
        let row = jobs::get(&db, id).await.unwrap().unwrap();
        assert_eq!((row.attempts, row.locked_by), (0, None));
        let again = jobs::claim(&db, "w2", LEASE, now()).await.unwrap().unwrap();
        assert_eq!((again.id, again.attempts), (id, 1));
        assert!(jobs::complete(&db, &again).await.unwrap());
        assert!(jobs::list(&db).await.unwrap().is_empty());
    }

    async fn higher_priority_runs_first(db: Db) {
        jobs::enqueue(&db, &NewJob::new("low", "{}")).await.unwrap();
        jobs::enqueue(&db, &NewJob::new("high", "{}").priority(10)).await.unwrap();
        let c = jobs::claim(&db, "w", LEASE, now()).await.unwrap().unwrap();
        assert_eq!(c.kind, "high");
    }
}

quire_testkit::both_backends! {
    async fn purge_removes_expired_sessions_and_old_sign_in_attempts(db: Db) {
        use quire_domain::{SiteRole, UserId};
        use quire_storage::users::{self, NewUser};
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
        let at = now();
        users::create_session(&db, "expired", user, at - Duration::from_secs(60)).await.unwrap();
        users::create_session(&db, "live", user, at + Duration::from_secs(3600)).await.unwrap();
        users::record_login_attempt(&db, "ada", "127.0.0.1", false).await.unwrap();
        users::record_login_attempt(&db, "ada", "127.0.0.1", true).await.unwrap();

        let purged = jobs::purge_sessions_and_attempts(&db, at, None).await.unwrap();
        assert_eq!((purged.sessions, purged.login_attempts), (1, 0), "recent attempts are kept");
        assert!(users::session_user(&db, "live").await.unwrap().is_some());

        // A day later the attempts go too, and the job that asked for the
        // purge is completed with it.
        jobs::enqueue(&db, &NewJob::new("purge_sessions", "null")).await.unwrap();
        let claim = jobs::claim(&db, "w", LEASE, at).await.unwrap().unwrap();
        let later = at + Duration::from_secs(25 * 3600);
        let purged = jobs::purge_sessions_and_attempts(&db, later, Some(&claim)).await.unwrap();
        assert_eq!((purged.sessions, purged.login_attempts), (1, 2));
        assert!(jobs::list(&db).await.unwrap().is_empty());
        // A claim that is no longer held deletes nothing.
        users::create_session(&db, "again", user, at - Duration::from_secs(60)).await.unwrap();
        assert!(jobs::purge_sessions_and_attempts(&db, later, Some(&claim)).await.is_err());
        assert_eq!(jobs::purge_sessions_and_attempts(&db, later, None).await.unwrap().sessions, 1);
    }
}
