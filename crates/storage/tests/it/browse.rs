//! The browse read models: a fixed number of statements per page however
//! long the list, and a subject with thousands of books served quickly on
//! both engines (timings are printed, never asserted).

use quire_domain::{
    ContributorRole, EditionId, Format, PubDate, Rating, SubjectId, UserId, WorkId,
};
use quire_storage::browse::{self, Paging, Sort};
use quire_storage::catalog::{self, NewCredit, NewEdition, NewWork};
use quire_storage::{Db, ratings};
use std::time::Instant;

const BOOKS: usize = 2_000;

fn work(i: usize) -> NewWork {
    let id = WorkId::new();
    let mut w = NewWork::new(id, format!("Harbour Tale {i:04}"));
    w.credits
        .push(NewCredit::author(format!("Author {}", i % 97)));
    if i.is_multiple_of(10) {
        w.credits.push(NewCredit {
            name: "Prolific Translator".into(),
            role: ContributorRole::Translator,
        });
    }
    w.subjects = vec![("Harbours".into(), 3), (format!("Shelf {}", i % 13), 1)];
    w.first_published = Some(PubDate::year(1800 + (i % 220) as i32));
    w.series = (i < 40).then(|| ("Long Series".to_string(), Some(format!("{}", 40 - i))));
    let mut e = NewEdition::new(EditionId::new(), &w.title, Format::Paperback);
    e.is_primary = true;
    w.editions.push(e);
    w
}

async fn subject_id(db: &Db, ids: &[WorkId]) -> SubjectId {
    let page = quire_storage::book_page::load_core(db, ids[0])
        .await
        .unwrap()
        .unwrap();
    let at = page.subjects.iter().position(|s| s == "Harbours").unwrap();
    page.subject_ids[at]
}

quire_testkit::both_backends! {
    async fn a_subject_with_thousands_of_books_pages_quickly_in_a_fixed_number_of_queries(db: Db) {
        let works: Vec<NewWork> = (0..BOOKS).map(work).collect();
        let ids: Vec<WorkId> = works.iter().map(|w| w.id).collect();
        let started = Instant::now();
        for chunk in works.chunks(500) {
            catalog::insert_new_works(&db, chunk).await.unwrap();
        }
        let mut rows = Vec::new();
        for u in 0..5 {
            let user = quire_testkit::member(&db, &format!("rater{u}")).await;
            for (i, w) in ids.iter().enumerate().filter(|(i, _)| i % 3 == 0) {
                rows.push((user, *w, Rating::from_halves(((i + u) % 10) as i64 + 1).unwrap()));
            }
        }
        ratings::insert_many(&db, &rows).await.unwrap();
        println!("{:?}: {BOOKS} books and {} ratings loaded in {:.1} s", db.backend(), rows.len(), started.elapsed().as_secs_f64());

        let subject = subject_id(&db, &ids).await;
        for sort in Sort::ALL {
            for page in [1, 42] {
                let before = db.queries_run();
                let t = Instant::now();
                let p = browse::subject_page(&db, subject, sort, Paging::new(page, 48)).await.unwrap().unwrap();
                let ms = t.elapsed().as_secs_f64() * 1000.0;
                assert_eq!(db.queries_run() - before, 3, "{sort:?} page {page}");
                assert_eq!(p.total, BOOKS as i64);
                assert_eq!(p.books.len(), if page == 1 { 48 } else { BOOKS - 41 * 48 });
                println!("{:?}: subject of {BOOKS} books, {} first, page {page}: {ms:.1} ms", db.backend(), sort.as_str());
            }
        }
        // Sorted as asked: newest first, then most rated first.
        let p = browse::subject_page(&db, subject, Sort::Date, Paging::new(1, 5)).await.unwrap().unwrap();
        let years: Vec<i32> = p.books.iter().map(|w| w.first_published.unwrap().year_value()).collect();
        assert!(years.windows(2).all(|w| w[0] >= w[1]) && years[0] == 2019, "{years:?}");
        let p = browse::subject_page(&db, subject, Sort::Popular, Paging::new(1, 5)).await.unwrap().unwrap();
        assert_eq!(p.books[0].rating_count, 5);
        let p = browse::subject_page(&db, subject, Sort::Rating, Paging::new(1, 3)).await.unwrap().unwrap();
        let means: Vec<f64> = p.books.iter().map(|w| w.rating_average.unwrap()).collect();
        assert!(means.windows(2).all(|w| w[0] >= w[1]), "{means:?}");

        // A contributor with 200 translations and a 40-book series, in
        // three and four statements.
        let core = quire_storage::book_page::load_core(&db, ids[0]).await.unwrap().unwrap();
        let translator = core.credits.iter().find(|c| c.role == ContributorRole::Translator).unwrap().contributor;
        let before = db.queries_run();
        let t = Instant::now();
        let a = browse::author_page(&db, translator, None, Sort::Popular, Paging::new(2, 48)).await.unwrap().unwrap();
        println!("{:?}: a translator of 200 books, page 2: {:.1} ms", db.backend(), t.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(db.queries_run() - before, 3);
        assert_eq!(a.total, 200);
        assert_eq!(a.books.len(), 48);
        assert!(a.books.iter().all(|c| c.role == ContributorRole::Translator));
        let series = core.work.series_id.unwrap();
        let reader = UserId::new();
        let before = db.queries_run();
        let s = browse::series_page(&db, series, Some(reader), Paging::new(1, 60)).await.unwrap().unwrap();
        assert_eq!(db.queries_run() - before, 5);
        assert_eq!(s.total, 40);
        let places: Vec<String> = s.books.iter().map(|e| e.position.clone().unwrap()).collect();
        assert_eq!(places[..3], ["1", "2", "3"]);
        assert_eq!(places[39], "40");
    }
}
