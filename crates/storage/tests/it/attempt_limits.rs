//! The attempt counters behind sign-in limits, and the purge of expired
//! sessions and old attempts.

use quire_domain::UserId;
use quire_storage::now;
use quire_storage::users::{self, Attempt, LimitRule, LimitScope, NewUser};
use time::Duration;

const RULE: LimitRule = LimitRule {
    free: 5,
    waits: &[
        Duration::minutes(1),
        Duration::minutes(2),
        Duration::minutes(4),
    ],
    forget_after: Duration::days(1),
};

fn allowed(a: Attempt) -> bool {
    matches!(a, Attempt::Allowed(_))
}

quire_testkit::both_backends! {
    async fn five_attempts_then_waits_that_double(db: Db) {
        let t0 = now();
        let take = |at| {
            let db = db.clone();
            async move { users::take_attempt(&db, LimitScope::SignIn, "192.0.2.1 maya", &RULE, at).await.unwrap() }
        };
        for n in 1..=5 {
            assert_eq!(take(t0).await, Attempt::Allowed(n));
        }
        // The sixth waits a minute from the fifth, and asking again does
        // not push the wait further.
        for _ in 0..3 {
            assert_eq!(take(t0 + Duration::seconds(30)).await, Attempt::Refused { retry_at: t0 + Duration::minutes(1) });
        }
        assert_eq!(take(t0 + Duration::minutes(1)).await, Attempt::Allowed(6));
        let at = t0 + Duration::minutes(1);
        assert_eq!(take(at + Duration::seconds(90)).await, Attempt::Refused { retry_at: at + Duration::minutes(2) });
        assert_eq!(take(at + Duration::minutes(2)).await, Attempt::Allowed(7));
        let at = at + Duration::minutes(2);
        assert_eq!(take(at).await, Attempt::Refused { retry_at: at + Duration::minutes(4) });
        // The last wait repeats.
        assert_eq!(take(at + Duration::minutes(4)).await, Attempt::Allowed(8));
        let at = at + Duration::minutes(4);
        assert_eq!(take(at).await, Attempt::Refused { retry_at: at + Duration::minutes(4) });

        // Other subjects and scopes are counted apart.
        let other = users::take_attempt(&db, LimitScope::SignIn, "198.51.100.7 maya", &RULE, at).await.unwrap();
        assert_eq!(other, Attempt::Allowed(1));
        let other = users::take_attempt(&db, LimitScope::PasswordChange, "192.0.2.1 maya", &RULE, at).await.unwrap();
        assert_eq!(other, Attempt::Allowed(1));

        // Clearing (a right password) starts again; so does a long quiet.
        users::clear_attempts(&db, LimitScope::SignIn, "192.0.2.1 maya").await.unwrap();
        assert_eq!(take(at).await, Attempt::Allowed(1));
        for _ in 0..4 {
            assert!(allowed(take(at).await));
        }
        assert!(!allowed(take(at).await));
        assert_eq!(take(at + Duration::days(1)).await, Attempt::Allowed(1));
    }

    async fn an_attempt_given_back_no_longer_counts(db: Db) {
        let t0 = now();
        for _ in 0..5 {
            assert!(allowed(users::take_attempt(&db, LimitScope::Register, "192.0.2.9", &RULE, t0).await.unwrap()));
        }
        assert!(!allowed(users::take_attempt(&db, LimitScope::Register, "192.0.2.9", &RULE, t0).await.unwrap()));
        users::give_back_attempt(&db, LimitScope::Register, "192.0.2.9").await.unwrap();
        assert_eq!(users::take_attempt(&db, LimitScope::Register, "192.0.2.9", &RULE, t0).await.unwrap(), Attempt::Allowed(5));
    }

    async fn concurrent_attempts_never_pass_the_limit(db: Db) {
        // Many requests at once on one subject: exactly the free ones pass,
        // whatever the interleaving, because counting and deciding is one
        // statement.
        let t0 = now();
        let mut set = tokio::task::JoinSet::new();
        for _ in 0..120 {
            let db = db.clone();
            set.spawn(async move {
                users::take_attempt(&db, LimitScope::SignIn, "192.0.2.1 target", &RULE, t0).await.unwrap()
            });
        }
        let mut counts = Vec::new();
        let mut refused = 0;
        while let Some(r) = set.join_next().await {
            match r.unwrap() {
                Attempt::Allowed(n) => counts.push(n),
                Attempt::Refused { retry_at } => {
                    assert_eq!(retry_at, t0 + Duration::minutes(1));
                    refused += 1;
                }
            }
        }
        counts.sort();
        assert_eq!(counts, vec![1, 2, 3, 4, 5]);
        assert_eq!(refused, 115);
    }

    async fn purge_removes_expired_sessions_and_old_attempts(db: Db) {
        let user = users::create(&db, &NewUser {
            id: UserId::new(),
            username: "purged",
            display_name: "purged",
            password_hash: Some("x"),
            role: quire_domain::SiteRole::Member,
            is_demo: false,
        }).await.unwrap().user_id();
        let t = now();
        users::create_session(&db, "expired", user, t - Duration::hours(1)).await.unwrap();
        users::create_session(&db, "live", user, t + Duration::days(1)).await.unwrap();
        users::record_login_attempt(&db, "purged", "192.0.2.1", false).await.unwrap();
        // An old counter (its wait long over) and a current one.
        users::take_attempt(&db, LimitScope::SignIn, "old", &RULE, t - Duration::days(2)).await.unwrap();
        users::take_attempt(&db, LimitScope::SignIn, "new", &RULE, t).await.unwrap();

        // Today nothing but the expired session and the old counter go.
        assert_eq!(users::purge_expired(&db, t).await.unwrap(), (1, 1));
        assert!(users::session_user(&db, "live").await.unwrap().is_some());
        assert_eq!(users::login_attempts_for(&db, "purged").await.unwrap(), (1, 0));
        // Two days on, the record of the sign-in and the newer counter go too.
        let later = t + Duration::days(2);
        assert_eq!(users::purge_expired(&db, later).await.unwrap(), (1, 2));
        assert_eq!(users::login_attempts_for(&db, "purged").await.unwrap(), (0, 0));
        assert_eq!(users::take_attempt(&db, LimitScope::SignIn, "new", &RULE, later).await.unwrap(), Attempt::Allowed(1));
    }
}
