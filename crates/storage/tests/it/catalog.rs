use quire_domain::{EditionId, Format, Isbn13, PubDate, WorkId};
use quire_storage::book_page;
use quire_storage::catalog::{self, NewCredit, NewEdition, NewWork};

fn sample(id: WorkId, isbn: &str) -> NewWork {
    let mut w = NewWork::new(id, "The Push");
    w.subtitle = Some("A Novel".into());
    w.first_published = PubDate::parse("2021-01-05").ok();
    w.credits.push(NewCredit::author("Ashley Audrain"));
    w.series = Some(("Standalones".into(), Some("1".into())));
    w.subjects.push(("Psychological fiction".into(), 3));
    w.identifiers.push(("goodreads".into(), "52723331".into()));
    let mut e = NewEdition::new(
        EditionId::derived("test", isbn),
        "The Push",
        Format::Paperback,
    );
    e.isbn13 = Some(Isbn13::parse(isbn).unwrap());
    e.pages = Some(352);
    e.published = PubDate::parse("2022-01-04").ok();
    e.is_primary = true;
    w.editions.push(e);
    w
}

quire_testkit::both_backends! {
    async fn inserting_the_same_works_twice_adds_nothing(db: Db) {
        let id = WorkId::derived("test", "push");
        let w = sample(id, "9781984881670");
        assert_eq!(catalog::insert_works(&db, std::slice::from_ref(&w)).await.unwrap(), 1);
        assert_eq!(catalog::insert_works(&db, &[w]).await.unwrap(), 0);
        assert_eq!(catalog::count_works(&db).await.unwrap(), 1);
        let page = book_page::load(&db, id, 1, 20).await.unwrap().unwrap();
        assert_eq!(page.editions.len(), 1);
        assert_eq!(page.credits.len(), 1);
        assert_eq!(page.subjects, vec!["Psychological fiction".to_string()]);
        assert_eq!(page.work.series.as_deref(), Some("Standalones"));
    }

    async fn books_are_found_by_isbn_title_author_and_identifier(db: Db) {
        let id = WorkId::derived("test", "push");
        catalog::insert_works(&db, &[sample(id, "9781984881670")]).await.unwrap();
        let isbn = Isbn13::parse("1984881671").unwrap();
        assert_eq!(catalog::find_by_isbn(&db, isbn).await.unwrap().unwrap().id, id);
        let by_title = catalog::search(&db, "  the PUSH ", 10).await.unwrap();
        assert_eq!(catalog::search(&db, "push", 10).await.unwrap().len(), 1);
        assert_eq!(by_title.len(), 1);
        assert_eq!(by_title[0].authors, vec!["Ashley Audrain".to_string()]);
        assert_eq!(catalog::search(&db, "audrain", 10).await.unwrap().len(), 1);
        assert!(catalog::search(&db, "100%", 10).await.unwrap().is_empty());
        assert_eq!(catalog::find_by_identifier(&db, "goodreads", "52723331").await.unwrap(), Some(id));
    }

    async fn a_second_edition_with_a_known_isbn_is_a_conflict(db: Db) {
        let id = WorkId::derived("test", "push");
        catalog::insert_works(&db, &[sample(id, "9781984881670")]).await.unwrap();
        let mut e = NewEdition::new(EditionId::new(), "The Push", Format::Ebook);
        e.isbn13 = Some(Isbn13::parse("9781984881670").unwrap());
        let err = catalog::add_edition(&db, id, &e).await.unwrap_err();
        assert!(err.to_string().contains("already in the catalog"), "{err}");
        // The catalog is unchanged.
        let page = book_page::load(&db, id, 1, 20).await.unwrap().unwrap();
        assert_eq!(page.editions.len(), 1);
    }
}
