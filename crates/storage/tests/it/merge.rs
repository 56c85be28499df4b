//! Merging works and moving editions: every kind of attached row moves,
//! nothing is lost (a reader's replaced review and rating are in the
//! history), and the merged work's id redirects to the survivor.

use quire_domain::{Rating, SiteRole, WorkId};
use quire_storage::catalog::{self, Attached};
use quire_storage::history::{ChangeKind, Entity};
use quire_storage::reviews::ReviewInput;
use quire_storage::{Db, book_page, history, questions, ratings, reviews, users};
use quire_testkit::{BookBuilder, attach_more, member};
use time::macros::datetime;

async fn review(
    db: &Db,
    user: quire_domain::UserId,
    work: WorkId,
    body: &str,
    at: time::OffsetDateTime,
) {
    reviews::upsert_at(
        db,
        uuid::Uuid::now_v7(),
        user,
        work,
        &ReviewInput {
            headline: Some("Mine"),
            body,
            body_html: body,
            spoiler: false,
            recommends: Some(true),
        },
        at,
    )
    .await
    .unwrap();
}

quire_testkit::both_backends! {
    async fn a_merge_moves_every_attached_row_and_loses_nothing(db: Db) {
        let into = BookBuilder::new("The Name of the Wind")
            .author("Patrick Rothfuss")
            .isbn("9780756404079")
            .identifier("goodreads", "186074")
            .with_ratings(4).with_reviews(3).with_readers(1, 1)
            .with_questions(2).with_material()
            .build(&db).await;
        let from = BookBuilder::new("The Name of the Wind (The Kingkiller Chronicle, #1)")
            .author("Patrick Rothfuss")
            .isbn("9780756404741")
            .identifier("goodreads", "2495567")
            .with_ratings(2).with_reviews(2).with_readers(1, 0)
            .with_questions(1).with_blurbs(1).with_other_editions(1)
            .build(&db).await;
        // One reader on both pages: a shelf, a queue, votes, a rating and a
        // review on each; a club with both books on its list.
        let both = member(&db, "Both").await;
        attach_more(&db, &into, both, "Tuesday Readers").await;
        attach_more(&db, &from, both, "Tuesday Readers").await;
        quire_testkit::club_book(&db, both, "Tuesday Readers", into.work, "current").await;
        let other = member(&db, "Other").await;
        quire_storage::shelves::queue_add(&db, other, from.work).await.unwrap();
        quire_testkit::club_book(&db, other, "Thursday Club", from.work, "possible").await;
        review(&db, both, into.work, "The older review, on the hardcover's page.", datetime!(2020-01-01 0:00 UTC)).await;
        review(&db, both, from.work, "The newer review, on the paperback's page.", datetime!(2024-01-01 0:00 UTC)).await;
        ratings::set(&db, both, into.work, Rating::from_halves(6).unwrap()).await.unwrap();
        ratings::set(&db, both, from.work, Rating::from_halves(10).unwrap()).await.unwrap();
        // The same question on both pages, so votes must collapse.
        let q_into = questions::add(&db, None, into.work, "Is Kvothe reliable?", quire_domain::Source::Member, None).await.unwrap();
        let q_from = questions::add(&db, None, from.work, "is kvothe reliable?", quire_domain::Source::Member, None).await.unwrap();
        questions::vote(&db, q_into, both, true).await.unwrap();
        questions::vote(&db, q_from, both, true).await.unwrap();
        questions::vote(&db, q_from, other, true).await.unwrap();

        let a = catalog::attached(&db, into.work).await.unwrap().unwrap();
        let b = catalog::attached(&db, from.work).await.unwrap().unwrap();
        let librarian = member(&db, "Librarian").await;
        users::set_role(&db, librarian, SiteRole::Librarian).await.unwrap();
        let before_revision = catalog::revision(&db, into.work).await.unwrap().unwrap();

        catalog::merge_works(&db, from.work, into.work, librarian).await.unwrap();

        // Everything moved; what one reader had twice is there once.
        let after = catalog::attached(&db, into.work).await.unwrap().unwrap();
        let expected = Attached {
            editions: a.editions + b.editions,
            ratings: a.ratings + b.ratings - 1,
            reviews: a.reviews + b.reviews - 1,
            shelf_entries: a.shelf_entries + b.shelf_entries - 1,
            queue_entries: a.queue_entries + b.queue_entries - 1,
            readings: a.readings + b.readings,
            // "Question 1 about the book?" and the Kvothe question are on
            // both: each becomes one, and the reader's two votes on each, one.
            questions: a.questions + b.questions - 2,
            question_votes: a.question_votes + b.question_votes - 2,
            material: a.material + b.material,
            club_books: a.club_books + b.club_books,
            identifiers: a.identifiers + b.identifiers,
            credits: a.credits + b.credits - 1,
            subjects: a.subjects,
        };
        assert_eq!(after, expected);
        assert!(b.editions == 2 && b.ratings == 3 && b.reviews == 3 && b.club_books == 2 && b.material == 1);

        // The merged work is gone and its id leads to the survivor.
        assert_eq!(catalog::revision(&db, from.work).await.unwrap(), None);
        assert_eq!(catalog::attached(&db, from.work).await.unwrap(), None);
        assert_eq!(catalog::redirect(&db, from.work).await.unwrap(), Some(into.work));
        assert!(catalog::revision(&db, into.work).await.unwrap().unwrap().core > before_revision.core);
        // Identifiers and ISBNs of the merged work find the survivor.
        assert_eq!(catalog::find_by_identifier(&db, "goodreads", "2495567").await.unwrap(), Some(into.work));
        let isbn = quire_domain::Isbn13::parse("9780756404741").unwrap();
        assert_eq!(catalog::find_by_isbn(&db, isbn).await.unwrap().unwrap().id, into.work);
        // The cover moved with its edition.
        assert!(catalog::cover(&db, from.edition, quire_domain::CoverSize::Original).await.unwrap().is_some());

        // The reader's newer review stays; the older is in the history, whole.
        let page = book_page::load(&db, into.work, 1, 50).await.unwrap().unwrap();
        let mine: Vec<_> = page.reviews.iter().filter(|r| r.body_html.contains("review, on the")).collect();
        assert_eq!(mine.len(), 1);
        assert!(mine[0].body_html.contains("The newer review"));
        let fields = history::fields_of_work(&db, into.work).await.unwrap();
        let merge: Vec<_> = fields.iter().filter(|(k, _)| *k == ChangeKind::Merge).map(|(_, f)| f).collect();
        let old_review = merge.iter().find(|f| f.entity == Entity::Review).expect("the replaced review is recorded");
        let v = old_review.before.as_ref().unwrap();
        assert_eq!(v["body"], "The older review, on the hardcover's page.");
        assert_eq!(v["headline"], "Mine");
        let old_rating = merge.iter().find(|f| f.entity == Entity::Rating).expect("the replaced rating is recorded");
        assert!(old_rating.before.as_ref().unwrap()["stars"].as_f64().is_some());
        assert!(merge.iter().any(|f| f.field == "merged_into"));

        // Counts on the survivor's page agree with the rows.
        assert_eq!(page.stats.review_count, expected.reviews);
        assert_eq!(page.stats.rating_count(), expected.ratings);
        assert_eq!(page.editions.len() as i64, expected.editions);
        assert_eq!(page.stats.clubs_reading_now, 1); // Tuesday; Thursday only nominated it
        let top = catalog::search(&db, "Name of the Wind", 5).await.unwrap();
        assert_eq!(top.len(), 1);
        assert_eq!(top[0].rating_count, expected.ratings);
        let votes: i64 = page.questions.iter().filter(|q| q.body.to_lowercase().contains("kvothe")).map(|q| q.votes).sum();
        assert_eq!(votes, 2);

        // Chains collapse: when the survivor is merged on, both old ids follow.
        let third = BookBuilder::new("The Name of the Wind").author("Patrick Rothfuss").build(&db).await;
        catalog::merge_works(&db, into.work, third.work, librarian).await.unwrap();
        assert_eq!(catalog::redirect(&db, from.work).await.unwrap(), Some(third.work));
        assert_eq!(catalog::redirect(&db, into.work).await.unwrap(), Some(third.work));
        let after3 = catalog::attached(&db, third.work).await.unwrap().unwrap();
        assert_eq!(after3.reviews, expected.reviews);
        assert_eq!(after3.editions, expected.editions + 1);
    }

    async fn merging_refuses_itself_and_missing_books(db: Db) {
        let a = BookBuilder::new("Alone").build(&db).await;
        let l = member(&db, "L").await;
        assert!(matches!(catalog::merge_works(&db, a.work, a.work, l).await, Err(quire_storage::StorageError::Conflict(_))));
        assert!(matches!(catalog::merge_works(&db, WorkId::new(), a.work, l).await, Err(quire_storage::StorageError::NotFound(_))));
        assert_eq!(catalog::attached(&db, a.work).await.unwrap().unwrap().editions, 1);
    }

    async fn an_edition_moves_with_its_readings_and_the_last_one_cannot(db: Db) {
        let wrong = BookBuilder::new("Persuasion").author("Jane Austen").with_other_editions(1).build(&db).await;
        let right = BookBuilder::new("Emma").author("Jane Austen").build(&db).await;
        let reader = member(&db, "Reader").await;
        quire_storage::shelves::start_reading(&db, reader, wrong.work, Some(wrong.edition), time::macros::date!(2026 - 01 - 02)).await.unwrap();
        let l = member(&db, "L").await;
        catalog::move_edition(&db, wrong.edition, right.work, l).await.unwrap();
        let w = catalog::attached(&db, wrong.work).await.unwrap().unwrap();
        let r = catalog::attached(&db, right.work).await.unwrap().unwrap();
        assert_eq!((w.editions, r.editions), (1, 2));
        assert_eq!((w.readings, r.readings), (0, 1));
        // The work it left still has a primary edition to show.
        let page = book_page::load(&db, wrong.work, 1, 10).await.unwrap().unwrap();
        assert!(page.editions.iter().any(|e| e.is_primary));
        let moved = history::fields_of_work(&db, right.work).await.unwrap();
        assert!(moved.iter().any(|(k, f)| *k == ChangeKind::MoveEdition && f.entity == Entity::Edition));
        // Moving the only edition left is refused: merge instead.
        let right_page = book_page::load(&db, wrong.work, 1, 10).await.unwrap().unwrap();
        let last = right_page.editions[0].id;
        let err = catalog::move_edition(&db, last, right.work, l).await.unwrap_err();
        assert!(err.to_string().contains("only edition"), "{err}");
    }

    async fn imports_join_existing_works_and_candidates_find_them(db: Db) {
        let hp = BookBuilder::new("Harry Potter and the Sorcerer's Stone (Harry Potter, #1)")
            .author("J.K. Rowling").isbn("9780439554930").build(&db).await;
        // The same book by ISBN, by title and author with a series suffix,
        // and a different book by the same author.
        let mut by_title = catalog::NewWork::new(WorkId::new(), "Harry Potter and the Sorcerer’s Stone");
        by_title.credits.push(catalog::NewCredit::author("J. K. Rowling"));
        by_title.credits.push(catalog::NewCredit { name: "Mary GrandPré".into(), role: quire_domain::ContributorRole::Illustrator });
        by_title.identifiers.push(("goodreads".into(), "3".into()));
        let mut e = catalog::NewEdition::new(quire_domain::EditionId::new(), "Sorcerer's Stone", quire_domain::Format::Paperback);
        e.isbn13 = quire_domain::Isbn13::parse("9780590353427").ok();
        by_title.editions.push(e);
        let mut other = catalog::NewWork::new(WorkId::new(), "The Casual Vacancy");
        other.credits.push(catalog::NewCredit::author("J.K. Rowling"));
        let done = catalog::import_works(&db, &[by_title.clone(), other.clone()]).await.unwrap();
        assert_eq!(done.added, 1);
        assert_eq!(done.placed, vec![hp.work, other.id]);
        let a = catalog::attached(&db, hp.work).await.unwrap().unwrap();
        assert_eq!(a.editions, 2);
        // Rowling once as author (two spellings of one name), GrandPré as illustrator.
        assert_eq!(a.credits, 2);
        // Loading again adds nothing.
        let again = catalog::import_works(&db, &[by_title, other]).await.unwrap();
        assert_eq!(again.added, 0);
        assert_eq!(catalog::attached(&db, hp.work).await.unwrap().unwrap(), a);

        let isbn = quire_domain::Isbn13::parse("9780590353427").unwrap();
        let found = catalog::candidates(&db, &[isbn], "Anything", None, 5).await.unwrap();
        assert_eq!(found[0].id, hp.work);
        let found = catalog::candidates(&db, &[], "harry potter and the sorcerers stone: a novel", Some("J.K. Rowling"), 5).await.unwrap();
        assert_eq!(found.iter().map(|w| w.id).collect::<Vec<_>>(), vec![hp.work]);
        assert!(catalog::candidates(&db, &[], "Harry Potter and the Sorcerer's Stone", Some("Someone Else"), 5).await.unwrap().is_empty());
        assert_eq!(catalog::count_duplicate_pairs(&db).await.unwrap(), 0);
    }

    async fn the_duplicates_list_pairs_same_title_and_first_author(db: Db) {
        let a = BookBuilder::new("Ancillary Justice").author("Ann Leckie").build(&db).await;
        let b = BookBuilder::new("Ancillary Justice: A Novel").author("Ann Leckie").build(&db).await;
        BookBuilder::new("Ancillary Sword").author("Ann Leckie").build(&db).await;
        BookBuilder::new("Ancillary Justice").author("Someone Else").build(&db).await;
        assert_eq!(catalog::count_duplicate_pairs(&db).await.unwrap(), 1);
        let pairs = catalog::duplicate_pairs(&db, 1, 10).await.unwrap();
        assert_eq!(pairs.len(), 1);
        let mut ids = [pairs[0].a.id, pairs[0].b.id];
        ids.sort_by_key(|w| w.0);
        let mut want = [a.work, b.work];
        want.sort_by_key(|w| w.0);
        assert_eq!(ids, want);
        assert!(catalog::duplicate_pairs(&db, 2, 10).await.unwrap().is_empty());
    }
}
