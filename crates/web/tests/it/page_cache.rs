//! The page cache: bounded, loaded once for concurrent misses, refreshed
//! part by part, correct across servers; the signed-in book page and the
//! home page in a fixed, small number of queries.

use super::site::{Site, count};
use quire_domain::Rating;
use quire_storage::book_page::{
    self, ACTIVITY_QUERIES, BOOK_PAGE_QUERIES, QUESTIONS_QUERIES, READER_VIEW_QUERIES,
};
use quire_storage::{questions, ratings};
use quire_testkit::BookBuilder;

quire_testkit::both_backends! {
    async fn concurrent_misses_load_the_page_once(db: Db) {
        let b = BookBuilder::new("Crowded").with_reviews(12).with_ratings(5).with_questions(3).build(&db).await;
        let site = Site::start(db.clone()).await;
        let path = format!("/books/{}", b.work);
        let before = db.queries_run();
        let gets: Vec<_> = (0..8)
            .map(|_| tokio::spawn(site.client.get(site.url(&path)).send()))
            .collect();
        for g in gets {
            assert_eq!(g.await.unwrap().unwrap().status(), 200);
        }
        // One revision check per request, the eight parts' queries once.
        assert_eq!(db.queries_run() - before, 8 + BOOK_PAGE_QUERIES);
    }

    async fn a_vote_or_a_rating_refreshes_only_the_part_it_changes(db: Db) {
        let b = BookBuilder::new("Parted").with_reviews(3).with_ratings(3).with_questions(2).build(&db).await;
        let site = Site::start(db.clone()).await;
        let path = format!("/books/{}", b.work);
        site.get(&path).await;

        // Written through the database, as another server would.
        let q = book_page::load_questions(&db, b.work).await.unwrap();
        questions::vote(&db, q[0].id, b.users[0], true).await.unwrap();
        let before = db.queries_run();
        let (_, html) = site.get_text(&path).await;
        assert_eq!(db.queries_run() - before, 1 + QUESTIONS_QUERIES);
        assert!(html.contains("1 vote"), "the vote is shown");

        ratings::set(&db, b.users[0], b.work, Rating::from_stars(5).unwrap()).await.unwrap();
        let before = db.queries_run();
        let (_, html) = site.get_text(&path).await;
        assert_eq!(db.queries_run() - before, 1 + ACTIVITY_QUERIES);
        assert!(html.contains("4 ratings") || html.contains("3 ratings"), "the counts are re-read");
        assert!(html.contains("1 vote"), "the questions kept");

        let before = db.queries_run();
        site.get(&path).await;
        assert_eq!(db.queries_run() - before, 1, "then a hit again");
    }

    async fn a_signed_in_page_costs_two_queries_and_shows_the_readers_own_state(db: Db) {
        let b = BookBuilder::new("Own box").with_reviews(3).with_questions(2).build(&db).await;
        let site = Site::start(db.clone()).await;
        let path = format!("/books/{}", b.work);
        site.join("boxer").await;
        site.post(&format!("/books/{}/rating", b.work), &[("stars", "4.5")]).await;
        site.get(&path).await;
        let before = db.queries_run();
        let (status, html) = site.get_text(&path).await;
        assert_eq!(status, 200);
        // The session, then the reader's own state with the revisions.
        assert_eq!(db.queries_run() - before, 1 + READER_VIEW_QUERIES);
        assert!(html.contains("boxer: my shelves"), "the header names the reader");
        assert!(html.contains("(you gave 4.5 stars)"));
        assert_eq!(count(&html, "Vote up"), 2);
        assert!(html.contains("Add a discussion question"));
        assert!(html.contains("Publish review"));
        assert!(!html.contains("quire-slot"), "every hole is filled");

        // Another reader's page, from the same kept page, shows theirs.
        let other = Site { base: site.base.clone(), client: reqwest::Client::builder().cookie_store(true).build().unwrap() };
        other.join("other").await;
        let (_, html) = other.get_text(&path).await;
        assert!(html.contains("other: my shelves"));
        assert!(!html.contains("boxer"));
        assert!(!html.contains("(you gave"));
        let (_, anonymous) = Site { base: site.base.clone(), client: reqwest::Client::new() }.get_text(&path).await;
        assert!(anonymous.contains("Sign in</a> to rate and review this book."));
        assert!(!anonymous.contains("Vote up") && !anonymous.contains("quire-slot"));
    }

    async fn two_servers_on_one_database_never_show_a_stale_page(db: Db) {
        let b = BookBuilder::new("Shared").with_ratings(2).build(&db).await;
        let a = Site::start(db.clone()).await;
        let other = Site::start(db.clone()).await;
        let path = format!("/books/{}", b.work);
        assert!(other.get_text(&path).await.1.contains("2 ratings"));
        a.join("writer").await;
        a.post(&format!("/books/{}/rating", b.work), &[("stars", "3")]).await;
        assert!(other.get_text(&path).await.1.contains("3 ratings"));
    }

    async fn nobody_has_answered_the_book_club_question_says_so_and_asks(db: Db) {
        let b = BookBuilder::new("Unasked").build(&db).await;
        let site = Site::start(db).await;
        let (_, html) = site.get_text(&format!("/books/{}", b.work)).await;
        assert!(html.contains("No member has said yet whether they recommend this book to book clubs."));
        assert!(html.contains("#your-review\">Have you read it? Say so in your review.</a>"));
        assert!(html.contains("id=\"your-review\""), "the link has a target");
    }

    async fn the_home_page_is_drawn_once_for_everyone(db: Db) {
        BookBuilder::new("Homely").with_readers(2, 0).build(&db).await;
        let site = Site::start(db.clone()).await;
        let (_, first) = site.get_text("/").await;
        assert!(first.contains("Homely"));
        let before = db.queries_run();
        let (_, html) = site.get_text("/").await;
        assert_eq!(db.queries_run() - before, 0, "a kept home page costs no query");
        assert!(html.contains("Sign in</a>"));
        site.join("homer").await;
        let before = db.queries_run();
        let (_, html) = site.get_text("/").await;
        assert_eq!(db.queries_run() - before, 1, "only the session");
        assert!(html.contains("homer: my shelves") && html.contains("Homely"));
        assert!(!html.contains("quire-slot"));
        // A change made here shows at once.
        let other = BookBuilder::new("Newly read").build(&db).await;
        site.post(&format!("/books/{}/reading", other.work), &[("action", "start")]).await;
        assert!(site.get_text("/").await.1.contains("Newly read"));
    }
}
