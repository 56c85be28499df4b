//! Members adding books and editions: conflicts that name the book, the
//! history kept in the same transaction, and the likely duplicates shown
//! before a new book is made.

use quire_domain::{ContributorRole, EditionId, Format, Isbn13, UserId, WorkId};
use quire_storage::book_page;
use quire_storage::catalog::{self, NewCredit, NewEdition, NewWork};
use quire_storage::history::ChangeKind;

fn isbn(s: &str) -> Isbn13 {
    Isbn13::parse(s).unwrap()
}

fn new_book(title: &str, author: &str, isbn13: Option<&str>) -> NewWork {
    let mut w = NewWork::new(WorkId::new(), title);
    w.credits.push(NewCredit::author(author));
    w.credits.push(NewCredit {
        name: "Jane Editor".into(),
        role: ContributorRole::Editor,
    });
    w.series = Some(("Standalones".into(), Some("2".into())));
    w.subjects.push(("Thrillers".into(), 1));
    let mut e = NewEdition::new(EditionId::new(), title, Format::Paperback);
    e.isbn13 = isbn13.map(isbn);
    e.publisher = Some("Penguin".into());
    e.is_primary = true;
    w.editions.push(e);
    w
}

quire_testkit::both_backends! {
    async fn a_new_book_is_saved_with_its_history(db: Db) {
        let w = new_book("The Push", "Ashley Audrain", Some("9781984881670"));
        catalog::create_work(&db, &w, None).await.unwrap();
        let page = book_page::load(&db, w.id, 1, 10).await.unwrap().unwrap();
        assert_eq!(page.work.title, "The Push");
        assert_eq!(page.editions.len(), 1);
        assert_eq!(page.editions[0].publisher.as_deref(), Some("Penguin"));
        assert_eq!(page.credits.len(), 2);
        assert_eq!(page.work.series_position.as_deref(), Some("2"));
        let changes = catalog::change_summaries(&db, w.id).await.unwrap();
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].0, ChangeKind::Create);
        assert_eq!(changes[0].1, "Added the book \"The Push\"");
    }

    async fn a_known_isbn_is_a_conflict_that_names_the_book_and_saves_nothing(db: Db) {
        let first = new_book("The Push", "Ashley Audrain", Some("9781984881670"));
        catalog::create_work(&db, &first, None).await.unwrap();
        // The same number written as an ISBN-10 is the same book.
        let again = new_book("Another Push", "Someone", Some("1984881671"));
        let err = catalog::create_work(&db, &again, None).await.unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("\"The Push\"") && msg.contains(&first.id.to_string()), "{msg}");
        assert_eq!(catalog::count_works(&db).await.unwrap(), 1);
        assert!(catalog::change_summaries(&db, again.id).await.unwrap().is_empty());

        let mut e = NewEdition::new(EditionId::new(), "The Push", Format::Ebook);
        e.isbn13 = Some(isbn("9781984881670"));
        let err = catalog::add_edition_by(&db, first.id, &e, None).await.unwrap_err();
        assert!(err.to_string().contains("\"The Push\""), "{err}");
    }

    async fn an_edition_is_added_to_a_work_with_its_history(db: Db) {
        let w = new_book("The Push", "Ashley Audrain", None);
        catalog::create_work(&db, &w, None).await.unwrap();
        let before = catalog::revision(&db, w.id).await.unwrap().unwrap();
        let mut e = NewEdition::new(EditionId::new(), "The Push", Format::Audiobook);
        e.isbn13 = Some(isbn("9780735239555"));
        e.credits.push(NewCredit { name: "Jane Narrator".into(), role: ContributorRole::Narrator });
        catalog::add_edition_by(&db, w.id, &e, Some(UserId::new())).await
            .expect_err("an unknown user is refused by the foreign key");
        catalog::add_edition_by(&db, w.id, &e, None).await.unwrap();
        let page = book_page::load(&db, w.id, 1, 10).await.unwrap().unwrap();
        assert_eq!(page.editions.len(), 2);
        assert!(page.credits.iter().any(|c| c.name == "Jane Narrator" && c.edition == Some(e.id)));
        assert!(catalog::revision(&db, w.id).await.unwrap().unwrap().core > before.core);
        let changes = catalog::change_summaries(&db, w.id).await.unwrap();
        assert_eq!(changes.len(), 2);
        assert_eq!(changes[0].1, "Added an edition: Audiobook, ISBN 9780735239555");
        let err = catalog::add_edition_by(&db, WorkId::new(), &NewEdition::new(EditionId::new(), "X", Format::Other), None)
            .await.unwrap_err();
        assert!(err.to_string().contains("not found"), "{err}");
    }

    async fn likely_duplicates_come_by_isbn_then_title_and_first_author(db: Db) {
        let by_isbn = new_book("Quite Different", "Nobody", Some("9781984881670"));
        let same = new_book("The Name of the Wind", "Patrick Rothfuss", None);
        let other_author = new_book("The Name of the Wind", "Someone Else", None);
        let accented = new_book("Mý Ántonia", "Willa Cather", None);
        for w in [&by_isbn, &same, &other_author, &accented] {
            catalog::create_work(&db, w, None).await.unwrap();
        }
        let found = catalog::candidates(&db, &[isbn("9781984881670")], "the name of the WIND", Some("patrick rothfuss"), 10)
            .await.unwrap();
        let ids: Vec<WorkId> = found.iter().map(|w| w.id).collect();
        assert_eq!(ids, vec![by_isbn.id, same.id]);
        let without_author = catalog::candidates(&db, &[], "The Name of the Wind", None, 10).await.unwrap();
        assert_eq!(without_author.len(), 2);
        assert_eq!(catalog::candidates(&db, &[], "The Name of the Wind", None, 1).await.unwrap().len(), 1);
        let folded = catalog::candidates(&db, &[], "Mý Ántonia", Some("WILLA CATHER"), 10).await.unwrap();
        assert_eq!(folded.len(), 1);
        assert!(catalog::candidates(&db, &[], "Nothing Like It", None, 10).await.unwrap().is_empty());
    }

    async fn contributors_are_found_by_the_start_of_their_name_first(db: Db) {
        catalog::create_work(&db, &new_book("A", "Ann Patchett", None), None).await.unwrap();
        catalog::create_work(&db, &new_book("B", "Joanne Harris", None), None).await.unwrap();
        let found = catalog::find_contributors(&db, "ann", 10).await.unwrap();
        assert_eq!(found, ["Ann Patchett", "Joanne Harris"]);
        assert!(catalog::find_contributors(&db, "  ", 10).await.unwrap().is_empty());
        assert!(catalog::find_contributors(&db, "%", 10).await.unwrap().is_empty());
    }
}
