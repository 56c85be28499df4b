//! After the whole demo is loaded, each book is one work: the goodbooks
//! book, the Gutenberg ebook and the Goodreads readers' copies of it share
//! a page. The full demo (10,000 books) is loaded on SQLite only, to keep
//! the test run short; the 99-book sample runs on both engines in `main`.

use quire_domain::{ContributorRole, Isbn13};
use quire_import::demo::{DemoSources, load_from};
use quire_storage::{book_page, catalog};
use std::collections::BTreeSet;

/// Pairs that share a normalised title (or series place) and first author
/// but are different books. goodbooks lists each as its own Goodreads
/// work, so imports keep them apart and the duplicates page shows them for
/// a librarian to judge.
const DIFFERENT_BOOKS: &[(&str, &str, &str)] = &[
    (
        "'Salem's Lot",
        "'Salem's Lot",
        "the novel and its illustrated edition, which Goodreads keeps as a work of its own",
    ),
    (
        "Men at Arms",
        "Men at Arms: The Play",
        "the novel and Stephen Briggs's stage adaptation",
    ),
    (
        "The Hitchhiker's Guide to the Galaxy",
        "The Hitchhiker's Guide to the Galaxy: A Trilogy in Four Parts",
        "the first novel and an omnibus of four",
    ),
    (
        "Faust",
        "Faust: First Part",
        "both parts of the play and the first part alone",
    ),
    (
        "A Dance with Dragons",
        "A Dance with Dragons: After the Feast",
        "the novel and the second half of its split paperback",
    ),
    (
        "A Dance with Dragons",
        "A Dance with Dragons: Dreams and Dust",
        "the novel and the first half of its split paperback",
    ),
    (
        "A Storm of Swords",
        "A Storm of Swords: Blood and Gold",
        "the novel and the second half of its split paperback",
    ),
    (
        "A Storm of Swords",
        "A Storm of Swords: Steel and Snow",
        "the novel and the first half of its split paperback",
    ),
    (
        "Harry Potter and the Order of the Phoenix",
        "Harry Potter and the Order of the Phoenix",
        "the novel and the first volume of a two-volume edition (\"#5, Part 1\")",
    ),
    (
        "Diary of a Wimpy Kid",
        "Diary of a Wimpy Kid: #1-4",
        "the first book and a box set of four",
    ),
    (
        "Humans of New York",
        "Humans of New York: Stories",
        "two different photo books",
    ),
    (
        "The Lightning Thief",
        "The Lightning Thief: The Graphic Novel",
        "the novel and its graphic-novel adaptation",
    ),
    (
        "Bad Moon Rising",
        "No Mercy",
        "two Dark-Hunter novels the data gives the same series number (18)",
    ),
];

fn data() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_the_demo_each_book_is_one_work() {
    let t = quire_testkit::db::sqlite().await;
    let db = t.db.clone();
    load_from(&db, &DemoSources::in_folder(&data()))
        .await
        .unwrap();

    // No two works share a normalised title and first author, except the
    // listed different books.
    let pairs = catalog::duplicate_pairs(&db, 1, 200).await.unwrap();
    let found: BTreeSet<(String, String)> = pairs
        .iter()
        .map(|p| {
            let (a, b) = (p.a.title.clone(), p.b.title.clone());
            if a <= b { (a, b) } else { (b, a) }
        })
        .collect();
    let allowed: BTreeSet<(String, String)> = DIFFERENT_BOOKS
        .iter()
        .map(|(a, b, _)| {
            if a <= b {
                (a.to_string(), b.to_string())
            } else {
                (b.to_string(), a.to_string())
            }
        })
        .collect();
    let unexpected: Vec<_> = found.difference(&allowed).collect();
    assert!(
        unexpected.is_empty(),
        "works that may be one book: {unexpected:#?}"
    );
    assert_eq!(
        pairs.len() as i64,
        catalog::count_duplicate_pairs(&db).await.unwrap()
    );
    assert!(
        pairs.len() <= DIFFERENT_BOOKS.len(),
        "{} pairs",
        pairs.len()
    );

    // The Name of the Wind: the goodbooks hardcover and the reader's DAW
    // paperback on one page, with the reader's review.
    let found = catalog::search(&db, "The Name of the Wind", 10)
        .await
        .unwrap();
    let wind: Vec<_> = found
        .iter()
        .filter(|w| w.title.starts_with("The Name of the Wind"))
        .collect();
    assert_eq!(wind.len(), 1, "{found:#?}");
    let page = book_page::load(&db, wind[0].id, 1, 10)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(page.editions.len(), 2);
    assert!(
        page.editions
            .iter()
            .any(|e| e.publisher.as_deref() == Some("DAW"))
    );
    assert!(
        page.reviews
            .iter()
            .any(|r| r.reviewer_username == "drrodriguez"),
        "the Goodreads reader's review is on the page"
    );

    // Harry Potter: the UK "Philosopher's Stone" (the reader's Bloomsbury
    // copy) is the US "Sorcerer's Stone" work; each volume appears once,
    // with Mary GrandPré credited as the illustrator, not an author.
    let uk = catalog::find_by_isbn(&db, Isbn13::parse("9780747532699").unwrap())
        .await
        .unwrap()
        .unwrap();
    let us = catalog::find_by_identifier(&db, "goodbooks", "2")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(uk.id, us);
    let page = book_page::load(&db, us, 1, 10).await.unwrap().unwrap();
    assert!(
        page.credits
            .iter()
            .any(|c| c.name == "Mary GrandPré" && c.role == ContributorRole::Illustrator)
    );
    assert!(
        !page
            .credits
            .iter()
            .any(|c| c.name == "Mary GrandPré" && c.role == ContributorRole::Author)
    );
    for volume in [
        "Harry Potter and the Chamber of Secrets",
        "Harry Potter and the Prisoner of Azkaban",
        "Harry Potter and the Goblet of Fire",
        "Harry Potter and the Half-Blood Prince",
        "Harry Potter and the Deathly Hallows",
    ] {
        let hits = catalog::search(&db, volume, 10).await.unwrap();
        let same: Vec<_> = hits.iter().filter(|w| w.title == volume).collect();
        assert_eq!(same.len(), 1, "{volume}: {hits:#?}");
    }
}
