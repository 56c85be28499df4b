//! Stored covers: adding, replacing, thumbnails and what pages see.

use quire_domain::{CoverSize, EditionId, Format, WorkId};
use quire_storage::catalog::{self, NewCoverImage, NewEdition, NewWork};
use quire_storage::{StorageError, book_page};

async fn one_book(db: &quire_storage::Db) -> (WorkId, EditionId) {
    let work = WorkId::derived("test", "covers");
    let edition = EditionId::derived("test", "covers-1");
    let mut w = NewWork::new(work, "Covered");
    let mut e = NewEdition::new(edition, "Covered", Format::Paperback);
    e.is_primary = true;
    w.editions.push(e);
    catalog::insert_works(db, &[w]).await.unwrap();
    (work, edition)
}

fn image(size: CoverSize, data: &[u8]) -> NewCoverImage<'_> {
    NewCoverImage {
        size,
        content_type: "image/jpeg",
        data,
        width: 600,
        height: 900,
    }
}

quire_testkit::both_backends! {
    async fn a_cover_is_stored_with_its_thumbnails_and_bumps_the_revision(db: Db) {
        let (work, edition) = one_book(&db).await;
        let before = catalog::revision(&db, work).await.unwrap().unwrap();
        assert_eq!(catalog::cover(&db, edition, CoverSize::Original).await.unwrap().map(|c| c.size), None);
        let saved = catalog::set_cover(
            &db,
            edition,
            image(CoverSize::Original, b"original"),
            &[image(CoverSize::Page, b"page"), image(CoverSize::Card, b"card")],
            false,
        )
        .await
        .unwrap();
        assert_eq!((saved.work, saved.replaced), (work, false));
        assert!(catalog::revision(&db, work).await.unwrap().unwrap().core > before.core);
        for (size, data) in [(CoverSize::Original, "original"), (CoverSize::Page, "page"), (CoverSize::Card, "card")] {
            let c = catalog::cover(&db, edition, size).await.unwrap().unwrap();
            assert_eq!((c.size, c.data.as_slice(), c.version.as_str()), (size, data.as_bytes(), saved.version.as_str()));
            assert_eq!((c.content_type.as_str(), c.width, c.height), ("image/jpeg", 600, 900));
            assert_eq!(catalog::cover_version(&db, edition, size).await.unwrap(), Some((size, saved.version.clone())));
        }
        let page = book_page::load(&db, work, 1, 10).await.unwrap().unwrap();
        assert!(page.editions[0].has_cover && page.editions[0].cover_ready);
        let found = catalog::search(&db, "covered", 5).await.unwrap();
        assert_eq!(found[0].cover, Some(edition));
        let state = catalog::cover_state(&db, edition).await.unwrap().unwrap();
        assert!(state.has_cover && state.work == work);
    }

    async fn adding_over_an_existing_cover_is_a_conflict_and_replacing_is_not(db: Db) {
        let (_, edition) = one_book(&db).await;
        let first = catalog::set_cover(&db, edition, image(CoverSize::Original, b"one"), &[], false).await.unwrap();
        let err = catalog::set_cover(&db, edition, image(CoverSize::Original, b"two"), &[], false).await.unwrap_err();
        assert!(matches!(err, StorageError::Conflict(_)), "{err}");
        assert_eq!(catalog::cover(&db, edition, CoverSize::Original).await.unwrap().unwrap().data, b"one");
        let second = catalog::set_cover(&db, edition, image(CoverSize::Original, b"two"), &[], true).await.unwrap();
        assert!(second.replaced && second.version != first.version);
        assert_eq!(catalog::cover(&db, edition, CoverSize::Original).await.unwrap().unwrap().data, b"two");
    }

    async fn until_thumbnails_exist_the_original_is_served_and_pages_draw_their_own(db: Db) {
        let (work, edition) = one_book(&db).await;
        let saved = catalog::set_cover(&db, edition, image(CoverSize::Original, b"original"), &[], false).await.unwrap();
        let card = catalog::cover(&db, edition, CoverSize::Card).await.unwrap().unwrap();
        assert_eq!((card.size, card.data.as_slice()), (CoverSize::Original, b"original".as_slice()));
        assert_eq!(catalog::cover_version(&db, edition, CoverSize::Card).await.unwrap().unwrap().0, CoverSize::Original);
        let page = book_page::load(&db, work, 1, 10).await.unwrap().unwrap();
        assert!(page.editions[0].has_cover && !page.editions[0].cover_ready);
        assert_eq!(catalog::search(&db, "covered", 5).await.unwrap()[0].cover, None);

        let rev = catalog::revision(&db, work).await.unwrap().unwrap();
        assert!(catalog::set_thumbnails(&db, edition, &saved.version, &[image(CoverSize::Card, b"card"), image(CoverSize::Page, b"page")], None).await.unwrap());
        assert!(catalog::revision(&db, work).await.unwrap().unwrap().core > rev.core);
        assert_eq!(catalog::cover(&db, edition, CoverSize::Card).await.unwrap().unwrap().data, b"card");
        assert!(book_page::load(&db, work, 1, 10).await.unwrap().unwrap().editions[0].cover_ready);
    }

    async fn thumbnails_of_a_replaced_cover_are_not_stored(db: Db) {
        let (_, edition) = one_book(&db).await;
        let old = catalog::set_cover(&db, edition, image(CoverSize::Original, b"old"), &[], false).await.unwrap();
        catalog::set_cover(&db, edition, image(CoverSize::Original, b"new"), &[], true).await.unwrap();
        assert!(!catalog::set_thumbnails(&db, edition, &old.version, &[image(CoverSize::Card, b"old card")], None).await.unwrap());
        assert_eq!(catalog::cover(&db, edition, CoverSize::Card).await.unwrap().unwrap().data, b"new");
    }

    async fn a_cover_for_a_missing_edition_is_not_found(db: Db) {
        let err = catalog::set_cover(&db, EditionId::new(), image(CoverSize::Original, b"x"), &[], true).await.unwrap_err();
        assert!(matches!(err, StorageError::NotFound("edition")), "{err}");
        assert_eq!(catalog::cover_state(&db, EditionId::new()).await.unwrap(), None);
    }
}

quire_testkit::both_backends! {
    async fn a_cover_and_its_thumbnail_job_are_saved_together(db: Db) {
        use quire_storage::jobs::{self, NewJob};
        let (_, edition) = one_book(&db).await;
        let job = NewJob::new("cover_thumbnails", format!("{{\"edition\":\"{edition}\"}}")).dedup_key(edition.to_string());
        catalog::set_cover_queueing(&db, edition, image(CoverSize::Original, b"one"), false, &job).await.unwrap();
        assert_eq!(jobs::list(&db).await.unwrap().len(), 1);
        // A refused cover queues nothing.
        let err = catalog::set_cover_queueing(&db, edition, image(CoverSize::Original, b"two"), false, &job).await.unwrap_err();
        assert!(matches!(err, StorageError::Conflict(_)));
        assert_eq!(jobs::list(&db).await.unwrap().len(), 1);
    }
}
