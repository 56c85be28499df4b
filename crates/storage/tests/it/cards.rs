//! Flashcard review states: a review is stored and read back as it was
//! given, the due list follows the due times, the same review sent twice
//! (at once or one after the other) counts once, each member has their own
//! deck, and the table refuses what a review never writes.

use quire_storage::cards::{self, CardRating, Recorded, ReviewState};
use quire_testkit::{BookBuilder, both_backends, member};
use time::{Duration, OffsetDateTime};

fn at(s: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_800_000_000 + s).unwrap()
}

fn state(
    prev: Option<&ReviewState>,
    rating: CardRating,
    when: OffsetDateTime,
    wait: Duration,
) -> ReviewState {
    ReviewState {
        stability: 2.5,
        difficulty: 5.0,
        due: when + wait,
        last_review: when,
        first_review: prev.map_or(when, |p| p.first_review),
        reps: prev.map_or(0, |p| p.reps) + 1,
        lapses: prev.map_or(0, |p| p.lapses) + u32::from(rating == CardRating::Again),
        last_rating: rating,
    }
}

const A: &str = "00112233aabbccdd";
const B: &str = "ffeeddccbbaa9988";

both_backends! {
    async fn reviews_are_kept_and_the_due_list_follows_them(db: Db) {
        let b = BookBuilder::new("Emma").build(&db).await;
        let reader = member(&db, "reader").await;
        let other = member(&db, "other").await;
        assert!(cards::deck(&db, reader, b.work).await.unwrap().states.is_empty());

        // A new card rated "good": due in three days; "again": in ten minutes.
        let good = state(None, CardRating::Good, at(0), Duration::days(3));
        assert_eq!(cards::record(&db, reader, b.work, A, None, &good).await.unwrap(), Recorded::Counted);
        let again = state(None, CardRating::Again, at(0), Duration::minutes(10));
        assert_eq!(cards::record(&db, reader, b.work, B, None, &again).await.unwrap(), Recorded::Counted);

        let deck = cards::deck(&db, reader, b.work).await.unwrap();
        assert_eq!(deck.states.len(), 2);
        assert_eq!(deck.states[A], good, "a state reads back as it was written");
        assert_eq!(deck.states[B].lapses, 1);
        assert_eq!(deck.new_since(at(0)), 2);
        assert_eq!(deck.new_since(at(1)), 0);

        assert!(cards::due(&db, reader, b.work, at(60), 10).await.unwrap().is_empty());
        assert_eq!(cards::due(&db, reader, b.work, at(600), 10).await.unwrap(), vec![B.to_string()]);
        assert_eq!(
            cards::due(&db, reader, b.work, at(0) + Duration::days(3), 10).await.unwrap(),
            vec![B.to_string(), A.to_string()],
            "soonest first"
        );
        assert_eq!(cards::due(&db, reader, b.work, at(0) + Duration::days(3), 1).await.unwrap().len(), 1);

        // Another member's deck of the same book is their own.
        assert!(cards::deck(&db, other, b.work).await.unwrap().states.is_empty());
        assert!(cards::due(&db, other, b.work, at(0) + Duration::days(9), 10).await.unwrap().is_empty());

        // B again, from the state the reviewer saw: counted, then the same
        // review sent a second time changes nothing.
        let seen = deck.states[B].seen();
        let next = state(Some(&deck.states[B]), CardRating::Good, at(700), Duration::days(1));
        assert_eq!(cards::record(&db, reader, b.work, B, Some(seen), &next).await.unwrap(), Recorded::Counted);
        let twice = state(Some(&deck.states[B]), CardRating::Good, at(701), Duration::days(1));
        assert_eq!(cards::record(&db, reader, b.work, B, Some(seen), &twice).await.unwrap(), Recorded::AlreadyRecorded);
        // A new card reviewed twice as new: the second is not counted.
        assert_eq!(cards::record(&db, reader, b.work, A, None, &good).await.unwrap(), Recorded::AlreadyRecorded);
        let deck = cards::deck(&db, reader, b.work).await.unwrap();
        assert_eq!(deck.states[B].reps, 2);
        assert_eq!(deck.states[B].last_review, at(700));
        assert_eq!(deck.states[B].first_review, at(0), "the first review stays");
        assert_eq!(deck.states[A].reps, 1);
        assert!(cards::due(&db, reader, b.work, at(800), 10).await.unwrap().is_empty());
    }

    async fn the_same_review_sent_at_once_counts_once(db: Db) {
        let b = BookBuilder::new("Persuasion").build(&db).await;
        let reader = member(&db, "reader").await;
        let first = state(None, CardRating::Good, at(0), Duration::days(1));
        cards::record(&db, reader, b.work, A, None, &first).await.unwrap();
        for round in 0..5i64 {
            let deck = cards::deck(&db, reader, b.work).await.unwrap();
            let prev = deck.states[A].clone();
            let when = at(86_400 * (round + 1));
            let next = state(Some(&prev), CardRating::Good, when, Duration::days(2));
            let tasks: Vec<_> = (0..4)
                .map(|_| {
                    let (db, next) = (db.clone(), next.clone());
                    let seen = prev.seen();
                    tokio::spawn(async move {
                        cards::record(&db, reader, b.work, A, Some(seen), &next).await.unwrap()
                    })
                })
                .collect();
            let mut counted = 0;
            for t in tasks {
                if t.await.unwrap() == Recorded::Counted {
                    counted += 1;
                }
            }
            assert_eq!(counted, 1, "round {round}: four identical submits");
            let after = cards::deck(&db, reader, b.work).await.unwrap();
            assert_eq!(after.states[A].reps, prev.reps + 1, "round {round}");
        }
        // New cards too: four first reviews at once make one.
        let tasks: Vec<_> = (0..4)
            .map(|_| {
                let db = db.clone();
                let s = state(None, CardRating::Hard, at(5), Duration::days(1));
                tokio::spawn(async move { cards::record(&db, reader, b.work, B, None, &s).await.unwrap() })
            })
            .collect();
        let mut counted = 0;
        for t in tasks {
            counted += usize::from(t.await.unwrap() == Recorded::Counted);
        }
        assert_eq!(counted, 1);
    }

    async fn what_a_review_never_writes_is_refused(db: Db) {
        let b = BookBuilder::new("Mansfield Park").build(&db).await;
        let reader = member(&db, "reader").await;
        let good = state(None, CardRating::Good, at(0), Duration::days(1));
        let err = cards::record(&db, reader, b.work, "not-a-card", None, &good).await.unwrap_err();
        assert!(err.to_string().contains("16 hexadecimal digits"), "{err}");
        let bad = ReviewState { difficulty: 11.0, ..good.clone() };
        let err = cards::record(&db, reader, b.work, A, None, &bad).await.unwrap_err();
        assert!(err.to_string().contains("difficulty"), "{err}");
        // A book that is not there is "no such book".
        let err = cards::record(&db, reader, quire_domain::WorkId::new(), A, None, &good).await.unwrap_err();
        assert!(matches!(err, quire_storage::StorageError::NotFound("book")), "{err}");
        assert!(cards::deck(&db, reader, b.work).await.unwrap().states.is_empty());
    }
}
