use quire_domain::{Progress, Rating, ReadingStatus, UserId};
use quire_storage::users::{self, NewUser};
use quire_storage::{book_page, catalog, home, ratings, shelves};
use quire_testkit::{BookBuilder, account, member};
use time::macros::date;

quire_testkit::both_backends! {
    async fn usernames_are_unique_whatever_their_case(db: Db) {
        account(&db, "Maya", quire_domain::SiteRole::Member).await;
        let err = users::create(&db, &NewUser {
            id: UserId::new(),
            username: "maya",
            display_name: "Another",
            password_hash: None,
            role: quire_domain::SiteRole::Member,
            is_demo: false,
        })
        .await
        .unwrap_err();
        assert_eq!(err.to_string(), "the username \"maya\" is taken; choose another");
        assert_eq!(users::count(&db).await.unwrap(), 1);
    }

    async fn ratings_replace_each_other_and_feed_the_rankings(db: Db) {
        let b = BookBuilder::new("Rated").build(&db).await;
        let u = member(&db, "rater").await;
        ratings::set(&db, u, b.work, Rating::parse("4.5").unwrap()).await.unwrap();
        ratings::set(&db, u, b.work, Rating::parse("3").unwrap()).await.unwrap();
        let page = book_page::load(&db, b.work, 1, 20).await.unwrap().unwrap();
        assert_eq!(page.stats.rating_count(), 1);
        assert_eq!(page.stats.histogram[5], 1);
        let best = home::best_rated(&db, 1, 10).await.unwrap();
        assert_eq!(best[0].rating_count, 1);
        assert_eq!(best[0].rating_average, Some(3.0));
        ratings::clear(&db, u, b.work).await.unwrap();
        assert!(home::best_rated(&db, 1, 10).await.unwrap().is_empty());
        let err = ratings::set(&db, u, quire_domain::WorkId::new(), Rating::from_stars(2).unwrap())
            .await
            .unwrap_err();
        assert_eq!(err.to_string(), "book not found");
    }

    async fn shelves_follow_a_reader_through_a_book_and_a_reread(db: Db) {
        let b = BookBuilder::new("Shelved").build(&db).await;
        let other = BookBuilder::new("Queued second").build(&db).await;
        let u = member(&db, "shelver").await;
        shelves::queue_add(&db, u, b.work).await.unwrap();
        shelves::queue_add(&db, u, other.work).await.unwrap();
        shelves::queue_add(&db, u, b.work).await.unwrap();
        let s = shelves::shelves(&db, u).await.unwrap();
        assert_eq!(s.queue.iter().map(|e| e.work.title.as_str()).collect::<Vec<_>>(), ["Shelved", "Queued second"]);
        shelves::queue_move(&db, u, other.work, true).await.unwrap();
        let s = shelves::shelves(&db, u).await.unwrap();
        assert_eq!(s.queue[0].work.title, "Queued second");

        shelves::set_progress(&db, u, b.work, Some(b.edition), Progress::Page(120), date!(2026 - 01 - 02)).await.unwrap();
        let s = shelves::shelves(&db, u).await.unwrap();
        assert_eq!(s.queue.len(), 1, "starting a book takes it off the queue");
        assert_eq!(s.reading[0].progress, Some(Progress::Page(120)));
        let v = book_page::viewer_state(&db, u, b.work).await.unwrap();
        assert_eq!(v.status, Some(ReadingStatus::Reading));

        shelves::finish(&db, u, b.work, ReadingStatus::Read, date!(2026 - 01 - 20)).await.unwrap();
        shelves::start_reading(&db, u, b.work, None, date!(2026 - 03 - 01)).await.unwrap();
        shelves::finish(&db, u, b.work, ReadingStatus::Read, date!(2026 - 03 - 09)).await.unwrap();
        let s = shelves::shelves(&db, u).await.unwrap();
        assert!(s.reading.is_empty());
        assert_eq!(s.read.len(), 1);
        assert_eq!(s.read[0].times_read, 2);
        assert_eq!(s.read[0].finished_on, Some(date!(2026 - 03 - 09)));
        let page = book_page::load(&db, b.work, 1, 20).await.unwrap().unwrap();
        assert_eq!(page.stats.have_read, 1, "a re-read is one member");

        shelves::finish(&db, u, other.work, ReadingStatus::DidNotFinish, date!(2026 - 04 - 01)).await.unwrap();
        let slug = shelves::create_shelf(&db, u, "Summer 2026!").await.unwrap();
        assert_eq!(slug, "summer-2026");
        shelves::shelve(&db, u, &slug, b.work).await.unwrap();
        let s = shelves::shelves(&db, u).await.unwrap();
        assert_eq!(s.did_not_finish.len(), 1);
        assert_eq!(s.custom.len(), 1);
        assert_eq!(s.custom[0].2[0].work.title, "Shelved");
        shelves::unshelve(&db, u, &slug, b.work).await.unwrap();
        assert!(shelves::shelves(&db, u).await.unwrap().custom.is_empty());
        assert_eq!(shelves::custom_shelf_names(&db, u).await.unwrap().len(), 1);
        assert_eq!(catalog::count_works(&db).await.unwrap(), 2);

        // Shelf names in any script; a name that differs from an existing
        // one only in case or punctuation is refused, naming the shelf.
        let cyrillic = shelves::create_shelf(&db, u, "Книги на лето").await.unwrap();
        assert_eq!(cyrillic, "книги-на-лето");
        assert_eq!(shelves::create_shelf(&db, u, "Summer 2026!").await.unwrap(), "summer-2026");
        let err = shelves::create_shelf(&db, u, "summer, 2026").await.unwrap_err();
        assert!(err.to_string().contains("\"Summer 2026!\""), "{err}");
        assert_eq!(shelves::custom_shelf_names(&db, u).await.unwrap().len(), 2);
    }

    async fn reading_now_lists_books_by_readers(db: Db) {
        let a = BookBuilder::new("Popular").with_readers(3, 0).build(&db).await;
        BookBuilder::new("Quiet").with_readers(1, 0).build(&db).await;
        let list = home::reading_now(&db, 10).await.unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].0.id, a.work);
        assert_eq!(list[0].1, 3);
    }
}
