use quire_storage::book_page::{self, BOOK_PAGE_QUERIES, VIEWER_QUERIES};
use quire_storage::reviews;
use quire_testkit::BookBuilder;

quire_testkit::both_backends! {
    async fn the_page_runs_the_same_number_of_queries_for_any_number_of_reviews(db: Db) {
        let small = BookBuilder::new("Small").with_reviews(1).with_ratings(1).build(&db).await;
        let big = BookBuilder::new("Big")
            .with_reviews(40)
            .with_ratings(60)
            .with_questions(11)
            .with_material()
            .with_blurbs(3)
            .with_readers(5, 7)
            .build(&db)
            .await;
        let mut counts = Vec::new();
        for w in [small.work, big.work] {
            let before = db.queries_run();
            let page = book_page::load(&db, w, 1, 20).await.unwrap().unwrap();
            book_page::viewer_state(&db, big.users[0], w).await.unwrap();
            counts.push(db.queries_run() - before);
            assert!(!page.reviews.is_empty());
        }
        assert_eq!(counts, vec![BOOK_PAGE_QUERIES + VIEWER_QUERIES; 2]);
    }

    async fn every_count_agrees_with_what_it_counts(db: Db) {
        let b = BookBuilder::new("The Push")
            .with_reviews(40)
            .with_ratings(60)
            .with_readers(5, 7)
            .build(&db)
            .await;
        let mut seen = 0;
        let mut page_no = 1;
        loop {
            let page = book_page::load(&db, b.work, page_no, 15).await.unwrap().unwrap();
            assert_eq!(page.stats.review_count, 40);
            assert_eq!(page.review_pages(), 3);
            seen += page.reviews.len();
            if page.reviews.is_empty() || page_no == page.review_pages() {
                break;
            }
            page_no += 1;
        }
        assert_eq!(seen, 40);
        let page = book_page::load(&db, b.work, 1, 20).await.unwrap().unwrap();
        let s = &page.stats;
        assert_eq!(s.rating_count(), 60);
        assert_eq!(s.histogram, [6; 10]);
        assert_eq!(s.by_star().iter().sum::<i64>(), 60);
        // ratings are 0.5..5 evenly: the mean is 2.75 stars
        assert!((s.rating_average().unwrap() - 2.75).abs() < 1e-9);
        assert_eq!(s.reading_now, 5);
        assert_eq!(s.have_read, 7);
        assert_eq!(s.clubs_reading_now, 0);
        // recommends: None for i%4==0, yes for i%4==2|3, no for i%4==1
        assert_eq!((s.recommend_yes, s.recommend_answered), (20, 30));
        // newest first
        let dates: Vec<_> = page.reviews.iter().map(|r| (r.created_at, r.id)).collect();
        let mut sorted = dates.clone();
        sorted.sort_by(|a, b| b.cmp(a));
        assert_eq!(dates, sorted);
        assert!(page.reviews.iter().all(|r| r.rating.is_some()));
    }

    async fn one_review_per_reader_and_deleting_it_updates_counts(db: Db) {
        let b = BookBuilder::new("Once").with_ratings(1).build(&db).await;
        let u = b.users[0];
        for body in ["first", "second"] {
            reviews::upsert(&db, u, b.work, &reviews::ReviewInput {
                headline: None,
                body,
                body_html: body,
                spoiler: false,
                recommends: Some(true),
            })
            .await
            .unwrap();
        }
        let page = book_page::load(&db, b.work, 1, 20).await.unwrap().unwrap();
        assert_eq!(page.stats.review_count, 1);
        assert_eq!(page.reviews[0].body_html, "second");
        assert!(reviews::delete(&db, u, b.work).await.unwrap());
        let page = book_page::load(&db, b.work, 1, 20).await.unwrap().unwrap();
        assert_eq!(page.stats.review_count, 0);
        assert_eq!(page.stats.recommend_answered, 0);
    }

    async fn an_unknown_work_has_no_page(db: Db) {
        assert!(book_page::load(&db, quire_domain::WorkId::new(), 1, 20).await.unwrap().is_none());
    }
}
