//! The page cache: bounded, loaded once for concurrent misses, refreshed
//! part by part, correct across servers; the signed-in book page and the
//! home page in a fixed, small number of queries.

use super::site::{Site, count, counted_config};
use quire_domain::{Rating, SiteRole};
use quire_storage::book_page::{
    self, ACTIVITY_QUERIES, BOOK_PAGE_QUERIES, QUESTIONS_QUERIES, READER_VIEW_QUERIES,
};
use quire_storage::{questions, ratings, users};
use quire_testkit::BookBuilder;

quire_testkit::both_backends! {
    async fn concurrent_misses_load_the_page_once(db: Db) {
        let b = BookBuilder::new("Crowded").with_reviews(12).with_ratings(5).with_questions(3).build(&db).await;
        let site = Site::start_with(db.clone(), counted_config()).await;
        let path = format!("/books/{}", b.work);
        let before = db.queries_run();
        let gets: Vec<_> = (0..8)
            .map(|_| tokio::spawn(site.client.get(site.url(&path)).send()))
            .collect();
        for g in gets {
            assert_eq!(g.await.unwrap().unwrap().status(), 200);
        }
        // At most one revision check per request (requests that arrive while
        // one is under way share the next), the eight parts' queries once.
        let ran = db.queries_run() - before;
        assert!((1 + BOOK_PAGE_QUERIES..=8 + BOOK_PAGE_QUERIES).contains(&ran), "{ran} queries");
    }

    async fn a_write_is_seen_by_the_next_request_while_revision_reads_are_shared(db: Db) {
        let b = BookBuilder::new("Busy").with_ratings(2).build(&db).await;
        let site = Site::start_with(db.clone(), counted_config()).await;
        let path = format!("/books/{}", b.work);
        let plain = reqwest::Client::new();
        // Readers keep the page busy, so revision reads are shared, while a
        // rating is written straight to the database, as another server would.
        for round in 0..20u8 {
            let busy: Vec<_> = (0..8).map(|_| tokio::spawn(plain.get(site.url(&path)).send())).collect();
            let stars = if round % 2 == 0 { 1 } else { 5 };
            ratings::set(&db, b.users[0], b.work, Rating::from_stars(stars).unwrap()).await.unwrap();
            // Sent after the write finished: must show it.
            let html = plain.get(site.url(&path)).send().await.unwrap().text().await.unwrap();
            let stats = book_page::load_activity(&db, b.work, 1, 10).await.unwrap().stats;
            let want = format!("{:.2}", stats.rating_average().unwrap());
            assert!(html.contains(&want), "round {round}: the page does not show the average {want} just written");
            for r in busy {
                assert_eq!(r.await.unwrap().unwrap().status(), 200);
            }
        }
    }

    async fn a_vote_or_a_rating_refreshes_only_the_part_it_changes(db: Db) {
        let b = BookBuilder::new("Parted").with_reviews(3).with_ratings(3).with_questions(2).build(&db).await;
        let site = Site::start_with(db.clone(), counted_config()).await;
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

    async fn a_signed_in_page_costs_one_query_and_shows_the_readers_own_state(db: Db) {
        let b = BookBuilder::new("Own box").with_reviews(3).with_questions(2).build(&db).await;
        let site = Site::start_with(db.clone(), counted_config()).await;
        let path = format!("/books/{}", b.work);
        site.join("boxer").await;
        site.post(&format!("/books/{}/rating", b.work), &[("stars", "4.5")]).await;
        site.get(&path).await;
        let before = db.queries_run();
        let (status, html) = site.get_text(&path).await;
        assert_eq!(status, 200);
        // The session, the reader's own state and the revisions: one statement.
        assert_eq!(db.queries_run() - before, READER_VIEW_QUERIES);
        assert_eq!(READER_VIEW_QUERIES, 1);
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
        let a = Site::start_with(db.clone(), counted_config()).await;
        let other = Site::start_with(db.clone(), counted_config()).await;
        let path = format!("/books/{}", b.work);
        assert!(other.get_text(&path).await.1.contains("2 ratings"));
        a.join("writer").await;
        a.post(&format!("/books/{}/rating", b.work), &[("stars", "3")]).await;
        assert!(other.get_text(&path).await.1.contains("3 ratings"));
    }

    async fn nobody_has_answered_the_book_club_question_says_so_and_asks(db: Db) {
        let b = BookBuilder::new("Unasked").build(&db).await;
        let site = Site::start_with(db, counted_config()).await;
        let (_, html) = site.get_text(&format!("/books/{}", b.work)).await;
        assert!(html.contains("No member has said yet whether they recommend this book to book clubs."));
        assert!(html.contains("#your-review\">Have you read it? Say so in your review.</a>"));
        assert!(html.contains("id=\"your-review\""), "the link has a target");
    }

    async fn the_home_page_is_drawn_once_for_everyone(db: Db) {
        BookBuilder::new("Homely").with_readers(2, 0).build(&db).await;
        let site = Site::start_with(db.clone(), counted_config()).await;
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

    async fn sign_out_and_expiry_show_the_signed_out_page_at_once_in_one_query(db: Db) {
        let b = BookBuilder::new("Leaving").with_ratings(2).build(&db).await;
        let site = Site::start_with(db.clone(), counted_config()).await;
        site.join("leaver").await;
        let u = users::by_username(&db, "leaver").await.unwrap().unwrap();
        let later = time::OffsetDateTime::now_utc() + time::Duration::days(1);
        let earlier = time::OffsetDateTime::now_utc() - time::Duration::minutes(1);
        users::create_session(&db, &hash("live-token"), u.user_id(), later).await.unwrap();
        users::create_session(&db, &hash("old-token"), u.user_id(), earlier).await.unwrap();
        let path = format!("/books/{}", b.work);
        let plain = reqwest::Client::new();
        let get = |token: &'static str| {
            plain
                .get(site.url(&path))
                .header("cookie", format!("quire_session={token}"))
                .send()
        };
        get("live-token").await.unwrap();
        let before = db.queries_run();
        let html = get("live-token").await.unwrap().text().await.unwrap();
        assert_eq!(db.queries_run() - before, 1);
        assert!(html.contains("leaver: my shelves"));

        // An expired session is a signed-out reader, in the same one query.
        let before = db.queries_run();
        let html = get("old-token").await.unwrap().text().await.unwrap();
        assert_eq!(db.queries_run() - before, 1);
        assert!(html.contains("Sign in</a> to rate and review this book."));
        assert!(!html.contains("leaver"));

        // Signing out ends the session for the very next request.
        let r = plain
            .post(site.url("/logout"))
            .header("cookie", "quire_session=live-token")
            .header("sec-fetch-site", "same-origin")
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success() || r.status().is_redirection(), "{}", r.status());
        let html = get("live-token").await.unwrap().text().await.unwrap();
        assert!(html.contains("Sign in</a> to rate and review this book."));
        assert!(!html.contains("leaver"));
    }

    async fn each_role_sees_its_own_tools_on_one_kept_page(db: Db) {
        let b = BookBuilder::new("Tooled").with_questions(1).build(&db).await;
        let site = Site::start_with(db.clone(), counted_config()).await;
        let path = format!("/books/{}", b.work);
        let browser = || Site {
            base: site.base.clone(),
            client: reqwest::Client::builder().cookie_store(true).build().unwrap(),
        };
        let (member, librarian) = (browser(), browser());
        member.join("plain").await;
        librarian.join("keeper").await;
        let keeper = users::by_username(&db, "keeper").await.unwrap().unwrap();
        users::set_role(&db, keeper.user_id(), SiteRole::Librarian).await.unwrap();
        for _ in 0..2 {
            let (_, html) = member.get_text(&path).await;
            assert!(html.contains("plain: my shelves") && html.contains("Add a discussion question"));
            assert!(!html.contains("For librarians") && !html.contains("keeper"));
            let (_, html) = librarian.get_text(&path).await;
            assert!(html.contains("keeper: my shelves") && html.contains("For librarians"));
            assert!(!html.contains("plain"));
        }
        // A role granted now counts on the next request.
        let plain = users::by_username(&db, "plain").await.unwrap().unwrap();
        users::set_role(&db, plain.user_id(), SiteRole::Librarian).await.unwrap();
        assert!(member.get_text(&path).await.1.contains("For librarians"));
        users::set_role(&db, plain.user_id(), SiteRole::Member).await.unwrap();
        assert!(!member.get_text(&path).await.1.contains("For librarians"));
        let (_, anonymous) = Site { base: site.base.clone(), client: reqwest::Client::new() }.get_text(&path).await;
        assert!(!anonymous.contains("For librarians") && !anonymous.contains("new-question"));
    }
}

/// The session token as the database keys it.
fn hash(token: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
