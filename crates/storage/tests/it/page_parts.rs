//! The book page read in parts with their own revisions, the reader's own
//! state in one statement, and ratings that put a book on "read".

use quire_domain::{Progress, Rating, ReadingStatus, Source};
use quire_storage::book_page::{
    self, ACTIVITY_QUERIES, CORE_QUERIES, QUESTIONS_QUERIES, READER_VIEW_QUERIES,
};
use quire_storage::reviews::{self, ReviewInput};
use quire_storage::{catalog, questions, ratings, shelves};
use quire_testkit::BookBuilder;
use quire_testkit::member;
use time::macros::date;

quire_testkit::both_backends! {
    async fn each_part_of_the_page_is_read_in_its_own_fixed_number_of_queries(db: Db) {
        let b = BookBuilder::new("Parts").with_reviews(12).with_ratings(9).with_questions(3).with_material().build(&db).await;
        let before = db.queries_run();
        let core = book_page::load_core(&db, b.work).await.unwrap().unwrap();
        assert_eq!(db.queries_run() - before, CORE_QUERIES);
        assert_eq!(core.work.title, "Parts");
        let before = db.queries_run();
        assert_eq!(book_page::load_questions(&db, b.work).await.unwrap().len(), 3);
        assert_eq!(db.queries_run() - before, QUESTIONS_QUERIES);
        let before = db.queries_run();
        let activity = book_page::load_activity(&db, b.work, 2, 10).await.unwrap();
        assert_eq!(db.queries_run() - before, ACTIVITY_QUERIES);
        assert_eq!(activity.reviews.len(), 2);
        assert_eq!(activity.stats.rating_count(), 9);
        assert!(book_page::load_core(&db, quire_domain::WorkId::new()).await.unwrap().is_none());
    }

    async fn a_vote_changes_only_the_questions_revision_and_a_rating_only_the_activity(db: Db) {
        let b = BookBuilder::new("Revisions").with_questions(2).build(&db).await;
        let u = member(&db, "voter").await;
        let r0 = catalog::revision(&db, b.work).await.unwrap().unwrap();
        let q = book_page::load_questions(&db, b.work).await.unwrap();
        questions::vote(&db, q[0].id, u, true).await.unwrap();
        let r1 = catalog::revision(&db, b.work).await.unwrap().unwrap();
        assert_eq!((r1.core, r1.activity), (r0.core, r0.activity));
        assert!(r1.questions > r0.questions);
        ratings::set(&db, u, b.work, Rating::from_stars(4).unwrap()).await.unwrap();
        let r2 = catalog::revision(&db, b.work).await.unwrap().unwrap();
        assert_eq!((r2.core, r2.questions), (r1.core, r1.questions));
        assert!(r2.activity > r1.activity);
        questions::add(&db, None, b.work, "A member's question about it?", Source::Member, Some(u)).await.unwrap();
        let r3 = catalog::revision(&db, b.work).await.unwrap().unwrap();
        assert!(r3.questions > r2.questions && r3.activity == r2.activity);
        assert!(catalog::revision(&db, quire_domain::WorkId::new()).await.unwrap().is_none());
    }

    async fn the_readers_own_state_is_one_query(db: Db) {
        let b = BookBuilder::new("Mine").with_questions(3).build(&db).await;
        let u = member(&db, "owner").await;
        let before = db.queries_run();
        let empty = book_page::reader_view(&db, u, b.work).await.unwrap().unwrap();
        assert_eq!(db.queries_run() - before, READER_VIEW_QUERIES);
        assert!(empty.own_review.is_none() && empty.shelves.is_empty());
        assert_eq!(empty.state.rating, None);
        assert_eq!(empty.revisions, catalog::revision(&db, b.work).await.unwrap().unwrap());

        ratings::set(&db, u, b.work, Rating::parse("3.5").unwrap()).await.unwrap();
        shelves::create_shelf(&db, u, "Zebra books").await.unwrap();
        shelves::create_shelf(&db, u, "Autumn").await.unwrap();
        shelves::start_reading(&db, u, b.work, Some(b.edition), date!(2026 - 02 - 01)).await.unwrap();
        shelves::set_progress(&db, u, b.work, Some(b.edition), Progress::Page(42), date!(2026 - 02 - 03)).await.unwrap();
        let q = book_page::load_questions(&db, b.work).await.unwrap();
        questions::vote(&db, q[1].id, u, true).await.unwrap();
        reviews::upsert(&db, u, b.work, &ReviewInput {
            headline: Some("Mine, all mine"),
            body: "It *was* good.",
            body_html: "<p>It <em>was</em> good.</p>",
            spoiler: true,
            recommends: Some(false),
        }).await.unwrap();

        let before = db.queries_run();
        let v = book_page::reader_view(&db, u, b.work).await.unwrap().unwrap();
        assert_eq!(db.queries_run() - before, READER_VIEW_QUERIES);
        assert_eq!(v.state.rating, Some(Rating::parse("3.5").unwrap()));
        assert_eq!(v.state.status, Some(ReadingStatus::Reading));
        assert_eq!(v.state.progress, Some(Progress::Page(42)));
        assert_eq!(v.state.progress_edition, Some(b.edition));
        assert_eq!(v.state.started_on, Some(date!(2026 - 02 - 01)));
        assert_eq!(v.state.voted_questions, vec![q[1].id]);
        assert!(v.state.has_review);
        let own = v.own_review.unwrap();
        assert_eq!(own.headline.as_deref(), Some("Mine, all mine"));
        assert_eq!(own.body, "It *was* good.");
        assert!(own.spoiler);
        assert_eq!(own.recommends, Some(false));
        let names: Vec<&str> = v.shelves.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["Autumn", "Zebra books"]);
        // The same as the older, several-query reads.
        let old = book_page::viewer_state(&db, u, b.work).await.unwrap();
        assert_eq!((old.rating, old.queue_position, old.times_read), (v.state.rating, v.state.queue_position, v.state.times_read));
        assert!(book_page::reader_view(&db, u, quire_domain::WorkId::new()).await.unwrap().is_none());
    }

    async fn rating_an_unshelved_book_puts_it_on_read_once(db: Db) {
        let b = BookBuilder::new("Rated").build(&db).await;
        let queued = BookBuilder::new("Queued").build(&db).await;
        let u = member(&db, "rater").await;
        ratings::set(&db, u, b.work, Rating::from_stars(4).unwrap()).await.unwrap();
        ratings::set(&db, u, b.work, Rating::from_stars(5).unwrap()).await.unwrap();
        let s = shelves::shelves(&db, u).await.unwrap();
        assert_eq!(s.read.len(), 1, "rated once or twice, read once");
        assert_eq!(s.read[0].times_read, 1);
        let page = book_page::load(&db, b.work, 1, 10).await.unwrap().unwrap();
        assert_eq!((page.stats.have_read, page.stats.rating_count()), (1, 1));

        // A book already on a shelf (here the queue) stays where it is.
        shelves::queue_add(&db, u, queued.work).await.unwrap();
        ratings::set(&db, u, queued.work, Rating::from_stars(3).unwrap()).await.unwrap();
        let s = shelves::shelves(&db, u).await.unwrap();
        assert_eq!(s.read.len(), 1);
        assert_eq!(s.queue.len(), 1);
    }

    async fn imported_ratings_go_on_read_and_a_second_load_adds_nothing(db: Db) {
        let b = BookBuilder::new("Imported").build(&db).await;
        let reading = BookBuilder::new("Already reading").build(&db).await;
        let u = member(&db, "importer").await;
        let w = member(&db, "second").await;
        shelves::start_reading(&db, w, reading.work, None, date!(2026 - 01 - 01)).await.unwrap();
        let rows = vec![
            (u, b.work, Rating::from_stars(4).unwrap()),
            (w, b.work, Rating::from_stars(2).unwrap()),
            (w, reading.work, Rating::from_stars(5).unwrap()),
        ];
        ratings::insert_many(&db, &rows).await.unwrap();
        assert_eq!(ratings::shelve_rated_as_read(&db, &rows).await.unwrap(), 2);
        assert_eq!(ratings::shelve_rated_as_read(&db, &rows).await.unwrap(), 0);
        let page = book_page::load(&db, b.work, 1, 10).await.unwrap().unwrap();
        assert_eq!((page.stats.have_read, page.stats.rating_count()), (2, 2));
        let page = book_page::load(&db, reading.work, 1, 10).await.unwrap().unwrap();
        assert_eq!((page.stats.have_read, page.stats.reading_now), (0, 1));
    }
}
