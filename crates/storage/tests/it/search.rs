//! Search folds case and accents in every script, and ignores control
//! characters instead of matching everything.

use quire_domain::{EditionId, Format, WorkId};
use quire_storage::Db;
use quire_storage::catalog::{self, NewCredit, NewEdition, NewWork};

async fn book(db: &Db, key: &str, title: &str, author: &str) -> WorkId {
    let id = WorkId::derived("search-test", key);
    let mut w = NewWork::new(id, title);
    w.credits.push(NewCredit::author(author));
    w.editions.push(NewEdition::new(
        EditionId::derived("search-test", key),
        title,
        Format::Paperback,
    ));
    catalog::insert_works(db, &[w]).await.unwrap();
    id
}

async fn titles(db: &Db, q: &str) -> Vec<String> {
    catalog::search(db, q, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|w| w.title)
        .collect()
}

quire_testkit::both_backends! {
    async fn search_folds_case_and_accents_in_any_script(db: Db) {
        book(&db, "antonia", "My Ántonia", "Willa Cather").await;
        book(&db, "war", "Война и мир", "Лев Толстой").await;
        book(&db, "strasse", "Die Straße", "Ærø Ødegård").await;
        for q in ["My Ántonia", "my antonia", "MY ÁNTONIA", "ántonia", "CATHER"] {
            assert_eq!(titles(&db, q).await, ["My Ántonia"], "{q}");
        }
        for q in ["Война", "ВОЙНА", "война и", "толстой"] {
            assert_eq!(titles(&db, q).await, ["Война и мир"], "{q}");
        }
        assert_eq!(titles(&db, "strasse").await, ["Die Straße"]);
        assert_eq!(titles(&db, "aero odegard").await, ["Die Straße"]);
    }

    async fn control_characters_are_dropped_and_never_match_everything(db: Db) {
        book(&db, "a", "Alpha", "Someone").await;
        book(&db, "b", "Beta", "Another").await;
        assert!(titles(&db, "\0").await.is_empty());
        assert!(titles(&db, "\u{1}\u{7f}").await.is_empty());
        assert!(titles(&db, "%").await.is_empty());
        assert!(titles(&db, "_").await.is_empty());
        assert_eq!(titles(&db, "Al\0pha").await, ["Alpha"]);
    }

    async fn inserts_fill_the_folded_columns_so_the_backfill_has_nothing_left(db: Db) {
        let id = book(&db, "saga", "Ólafur's Saga", "Snorri Sturluson").await;
        assert_eq!(catalog::backfill_folds(&db).await.unwrap(), 0);
        assert_eq!(catalog::search(&db, "olafur", 5).await.unwrap()[0].id, id);
    }
}
