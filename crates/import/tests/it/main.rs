//! The demo loader on both backends, from the real shared data (a 99-book
//! sample of goodbooks to keep debug builds quick; `quire demo` loads all
//! 10,000).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop loudly on a failed step

mod library;
mod one_work_per_book;
mod scale;

use quire_import::demo::{DemoSources, load_from};
use quire_storage::{Db, book_page, catalog, home, shelves, users};
use std::path::PathBuf;

fn data() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data")
}

fn sample_sources() -> DemoSources {
    let mut s = DemoSources::in_folder(&data());
    s.books = data().join("goodbooks-10k/samples/books.csv");
    s
}

async fn count(db: &Db) -> (i64, i64) {
    (
        catalog::count_works(db).await.unwrap(),
        users::count(db).await.unwrap(),
    )
}

quire_testkit::both_backends! {
    async fn the_demo_loads_real_data_and_a_second_load_adds_nothing(db: Db) {
        let first = load_from(&db, &sample_sources()).await.unwrap();
        assert_eq!(first.gutenberg_books, 10);
        assert_eq!(first.covers, 10, "every Gutenberg EPUB gives its edition a cover: {first}");
        assert_eq!(first.export_entries, 326 + 105);
        assert_eq!(first.reviews, 164 + 10, "the two readers' and Quire's own");
        let after_first = count(&db).await;
        assert!(after_first.0 >= 99 + 300, "{after_first:?}");

        let second = load_from(&db, &sample_sources()).await.unwrap();
        assert_eq!(second.works, 0);
        assert_eq!(second.readers, 0);
        assert_eq!(second.ratings, 0);
        assert_eq!(second.covers, 0);
        assert_eq!(count(&db).await, after_first);

        // The public demo club reads with a schedule and threads at several
        // places in the book; a visitor sees only the one without spoilers.
        let (club, _) = quire_storage::clubs::by_slug(&db, "the-lamplight-readers", None).await.unwrap().unwrap();
        let page = quire_storage::clubs::page::load(&db, club.id, None).await.unwrap();
        let current = page.current.unwrap().selection.id;
        use quire_storage::clubs::discussion as d;
        assert_eq!(d::milestones(&db, current).await.unwrap().len(), 4);
        let threads = d::threads(&db, club.id, current, None, false).await.unwrap();
        assert_eq!(threads.len(), 4);
        assert_eq!(threads.iter().filter(|t| t.open).count(), 1);

        // The Goodreads reader of 2020 has their shelves, ratings and reviews.
        let reader = users::by_username(&db, "drrodriguez").await.unwrap().unwrap();
        let s = shelves::shelves(&db, reader.user_id()).await.unwrap();
        assert_eq!(s.reading.len(), 1);
        assert!(s.read.len() >= 250, "{}", s.read.len());
        assert_eq!(s.queue.len(), 64);
        assert_eq!(s.did_not_finish.len(), 4);
        let warbreaker = catalog::search(&db, "Warbreaker", 5).await.unwrap();
        let page = book_page::load(&db, warbreaker[0].id, 1, 10).await.unwrap().unwrap();
        assert_eq!(page.stats.review_count, 1);
        assert!(page.reviews[0].body_html.contains("This is an other great Brandon Sanderson book"));
        assert_eq!(page.stats.reading_now, 1);

        // A Gutenberg novel: its ebook edition, verbatim opening and Quire's questions.
        let pp = catalog::search(&db, "Pride and Prejudice", 5).await.unwrap();
        let page = book_page::load(&db, pp[0].id, 1, 10).await.unwrap().unwrap();
        assert!(page.editions.iter().any(|e| e.publisher.as_deref() == Some("Project Gutenberg")));
        let excerpt = page.materials.iter().find(|m| m.kind == quire_domain::MaterialKind::Excerpt).unwrap();
        assert!(excerpt.body.starts_with("It is a truth universally acknowledged"), "{}", excerpt.body);
        assert!(page.questions.len() >= 4);
        assert!(page.questions.iter().all(|q| q.source == quire_domain::Source::Quire));
        // Its cover, from the EPUB, re-encoded with thumbnails.
        let ebook = page.editions.iter().find(|e| e.publisher.as_deref() == Some("Project Gutenberg")).unwrap();
        assert!(ebook.has_cover && ebook.cover_ready);
        let card = catalog::cover(&db, ebook.id, quire_domain::CoverSize::Card).await.unwrap().unwrap();
        assert_eq!((card.size, card.width, card.content_type.as_str()), (quire_domain::CoverSize::Card, 240, "image/jpeg"));
        // Quire's own review answers the book-club question.
        assert!(page.stats.recommend_answered >= 1);
        assert!(page.reviews.iter().any(|r| r.reviewer_username == "quire-reading-group"));

        // Counts that agree: a rating stands for a book read, so no rated
        // book has fewer members who have read it than ratings.
        let rated = home::best_rated(&db, 1, 200).await.unwrap();
        assert!(rated.len() > 20, "{}", rated.len());
        for w in rated {
            let page = book_page::load(&db, w.id, 1, 10).await.unwrap().unwrap();
            assert!(
                page.stats.have_read >= page.stats.rating_count(),
                "{}: {} have read, {} ratings",
                w.title,
                page.stats.have_read,
                page.stats.rating_count()
            );
        }
    }
}
