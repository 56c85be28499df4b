use quire_domain::{Rating, UserId, WorkId};
use quire_storage::bulk::{Loaded, RatingsLoad};
use quire_storage::{Db, book_page, ratings, shelves};
use quire_testkit::BookBuilder;
use quire_testkit::member;

fn stars(n: i64) -> Rating {
    Rating::from_stars(n).unwrap()
}

fn titles(entries: Vec<shelves::ShelfEntry>) -> Vec<String> {
    entries.into_iter().map(|e| e.work.title).collect()
}

/// Foreign keys hold on the connection writes use after a load: a rating
/// by an account that does not exist is refused.
async fn assert_foreign_keys_enforced(db: &Db, work: WorkId) {
    let orphan = ratings::insert_many(db, &[(UserId::new(), work, stars(3))]).await;
    assert!(
        orphan.is_err(),
        "a rating by no account was stored: {orphan:?}"
    );
}

quire_testkit::both_backends! {
    async fn a_bulk_load_keeps_queue_order_the_higher_rating_and_what_was_there(db: Db) {
        let a = BookBuilder::new("Anna").build(&db).await.work;
        let b = BookBuilder::new("Beloved").build(&db).await.work;
        let c = BookBuilder::new("Carmilla").build(&db).await.work;
        let maya = member(&db, "maya").await;
        shelves::queue_add(&db, maya, c).await.unwrap();

        let load_once = || async {
            let mut load = RatingsLoad::begin(&db).await.unwrap();
            load.books(&[(1, a), (2, b), (3, c)]);
            load.readers(&[(7, maya)]);
            load.ratings(&[
                (7, 1, stars(3)),
                (7, 1, stars(5)),
                (7, 2, stars(2)),
                (7, 99, stars(4)), // no such book
                (8, 1, stars(1)),  // no such reader
            ]);
            // Beloved twice, and Carmilla, already queued, stays first.
            load.to_read(&[(7, 2), (7, 3), (7, 2)]);
            load.finish(true).await.unwrap()
        };
        let first = load_once().await;
        assert_eq!(
            first,
            Loaded { ratings: 2, readings: 1, queued: 1, works: 3 },
            "Anna goes on read; Beloved is queued by the load, so it does not"
        );
        let mine = shelves::shelves(&db, maya).await.unwrap();
        assert_eq!(titles(mine.queue), ["Carmilla", "Beloved"]);
        assert_eq!(titles(mine.read), ["Anna"]);
        let page = book_page::load(&db, a, 1, 10).await.unwrap().unwrap();
        assert_eq!(page.stats.rating_count(), 1);
        assert_eq!(page.stats.by_star(), [0, 0, 0, 0, 1], "the higher of the two ratings");
        assert_foreign_keys_enforced(&db, a).await;

        let second = load_once().await;
        assert_eq!(second.ratings + second.readings + second.queued, 0, "{second:?}");
        let mine = shelves::shelves(&db, maya).await.unwrap();
        assert_eq!(titles(mine.queue), ["Carmilla", "Beloved"]);
    }

    async fn a_bulk_load_naming_an_account_that_does_not_exist_changes_nothing(db: Db) {
        let a = BookBuilder::new("Anna").build(&db).await.work;
        let maya = member(&db, "maya").await;
        let mut load = RatingsLoad::begin(&db).await.unwrap();
        load.books(&[(1, a)]);
        load.readers(&[(1, maya), (2, UserId::new())]);
        load.ratings(&[(1, 1, stars(4)), (2, 1, stars(2))]);
        let err = load.finish(false).await.unwrap_err();
        assert!(err.to_string().contains("readers without an account (1)"), "{err}");
        let page = book_page::load(&db, a, 1, 10).await.unwrap().unwrap();
        assert_eq!(page.stats.rating_count(), 0, "the good row went back with the rest");
        assert_foreign_keys_enforced(&db, a).await;
    }
}
