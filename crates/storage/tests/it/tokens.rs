//! Personal access tokens: a token finds its member until it expires or is
//! revoked, its last use is noted at most once a minute, and a member sees
//! and revokes only their own.

use quire_domain::UserId;
use quire_storage::tokens::{self, NewToken};
use quire_storage::{Db, now};
use quire_testkit::member;
use time::Duration;
use uuid::Uuid;

async fn make(db: &Db, user: UserId, hash: &str, expires: Option<time::OffsetDateTime>) -> Uuid {
    let id = Uuid::now_v7();
    tokens::create(
        db,
        &NewToken {
            id,
            user,
            name: "script",
            token_hash: hash,
            scopes: "read shelves:write",
            expires_at: expires,
        },
    )
    .await
    .unwrap();
    id
}

quire_testkit::both_backends! {
    async fn a_token_finds_its_member_until_revoked(db: Db) {
        let maya = member(&db, "maya").await;
        let id = make(&db, maya, "aa11", None).await;
        let t0 = now();
        let found = tokens::authenticate(&db, "aa11", t0).await.unwrap().unwrap();
        assert_eq!(found.user.user_id(), maya);
        assert_eq!(found.scopes, "read shelves:write");
        assert!(tokens::authenticate(&db, "bb22", t0).await.unwrap().is_none());
        let listed = tokens::list(&db, maya).await.unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].last_used_at, Some(t0));
        // Used again within the minute: the note stays; after it, it moves.
        tokens::authenticate(&db, "aa11", t0 + Duration::seconds(30)).await.unwrap().unwrap();
        assert_eq!(tokens::list(&db, maya).await.unwrap()[0].last_used_at, Some(t0));
        tokens::authenticate(&db, "aa11", t0 + Duration::minutes(2)).await.unwrap().unwrap();
        assert_eq!(tokens::list(&db, maya).await.unwrap()[0].last_used_at, Some(t0 + Duration::minutes(2)));
        // Someone else cannot revoke it; its owner can, and it stops working.
        let ravi = member(&db, "ravi").await;
        assert_eq!(tokens::revoke(&db, ravi, id).await.unwrap_err().to_string(), "token not found");
        tokens::revoke(&db, maya, id).await.unwrap();
        assert!(tokens::authenticate(&db, "aa11", t0).await.unwrap().is_none());
        assert!(tokens::list(&db, maya).await.unwrap().is_empty());
    }

    async fn an_expired_token_finds_nobody(db: Db) {
        let maya = member(&db, "maya").await;
        let t0 = now();
        make(&db, maya, "cc33", Some(t0 + Duration::hours(1))).await;
        assert!(tokens::authenticate(&db, "cc33", t0).await.unwrap().is_some());
        assert!(tokens::authenticate(&db, "cc33", t0 + Duration::hours(1)).await.unwrap().is_none());
    }

    async fn a_member_has_a_bounded_number_of_tokens(db: Db) {
        let maya = member(&db, "maya").await;
        for i in 0..tokens::MAX_TOKENS_PER_MEMBER {
            make(&db, maya, &format!("h{i}"), None).await;
        }
        let err = tokens::create(
            &db,
            &NewToken { id: Uuid::now_v7(), user: maya, name: "one more", token_hash: "h-last", scopes: "read", expires_at: None },
        )
        .await
        .unwrap_err();
        assert!(err.to_string().contains("revoke one"), "{err}");
        assert_eq!(tokens::list(&db, maya).await.unwrap().len() as i64, tokens::MAX_TOKENS_PER_MEMBER);
    }
}
