//! Adding, replacing, deleting and rebuilding.

use quire_search::{
    BookDoc, ClubDoc, Kind, PersonDoc, PersonKind, Query, SearchError, SearchIndex,
};

fn book(id: &str, title: &str, author: &str, ratings: u64) -> BookDoc {
    BookDoc {
        id: id.into(),
        title: title.into(),
        authors: vec![author.into()],
        ratings,
        ..BookDoc::default()
    }
}

fn ids(index: &SearchIndex, q: &str) -> Vec<String> {
    index
        .search(&Query::new(q))
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.id)
        .collect()
}

#[test]
fn replace_updates_and_delete_removes() {
    let index = SearchIndex::in_ram().unwrap();
    let mut w = index.writer().unwrap();
    w.add(book("a", "The Moonstone", "Wilkie Collins", 10))
        .unwrap();
    w.add(book("b", "The Woman in White", "Wilkie Collins", 20))
        .unwrap();
    assert!(
        ids(&index, "moonstone").is_empty(),
        "not visible before commit"
    );
    w.commit().unwrap();
    assert_eq!(ids(&index, "moonstone"), ["a"]);

    w.replace(book("a", "Armadale", "Wilkie Collins", 10))
        .unwrap();
    w.commit().unwrap();
    assert!(ids(&index, "moonstone").is_empty());
    assert_eq!(ids(&index, "armadale"), ["a"]);
    assert_eq!(index.num_docs(), 2);

    w.delete("b");
    w.commit().unwrap();
    assert!(ids(&index, "woman white").is_empty());
    assert_eq!(ids(&index, "collins"), ["a"]);
}

#[test]
fn rebuild_replaces_everything() {
    let index = SearchIndex::in_ram().unwrap();
    let mut w = index.writer().unwrap();
    w.add(book("old", "Middlemarch", "George Eliot", 5))
        .unwrap();
    w.commit().unwrap();
    drop(w);
    let stats = index
        .rebuild(vec![
            book("n1", "Silas Marner", "George Eliot", 1),
            book("", "No id", "Nobody", 1),
        ])
        .unwrap();
    assert_eq!((stats.indexed, stats.skipped), (1, 1));
    assert!(ids(&index, "middlemarch").is_empty());
    assert_eq!(ids(&index, "eliot"), ["n1"]);
}

#[test]
fn only_one_writer_at_a_time() {
    let index = SearchIndex::in_ram().unwrap();
    let _w = index.writer().unwrap();
    assert!(matches!(index.writer(), Err(SearchError::Busy)));
    assert!(matches!(
        index.rebuild(Vec::<BookDoc>::new()),
        Err(SearchError::Busy)
    ));
}

#[test]
fn a_bad_document_is_refused_with_its_id() {
    let index = SearchIndex::in_ram().unwrap();
    let mut w = index.writer().unwrap();
    let err = w.add(book("x", "  ", "Someone", 1)).unwrap_err();
    assert!(
        matches!(err, SearchError::BadDocument { ref id, .. } if id == "x"),
        "{err}"
    );
}

#[test]
fn people_and_clubs_share_the_box_and_can_be_filtered() {
    let index = SearchIndex::in_ram().unwrap();
    let mut w = index.writer().unwrap();
    w.add(book("b", "Persuasion", "Jane Austen", 500)).unwrap();
    w.add(PersonDoc {
        id: "p".into(),
        name: "Jane Austen".into(),
        kind: PersonKind::Author,
        popularity: 5000,
    })
    .unwrap();
    w.add(ClubDoc {
        id: "c".into(),
        name: "Janeites of Bath".into(),
        description: "We read Austen and her contemporaries, one novel a month.".into(),
        members: 12,
    })
    .unwrap();
    w.commit().unwrap();
    let r = index.search(&Query::new("austen")).unwrap();
    assert_eq!(r.total, 3);
    assert_eq!(r.hits[0].kind, Kind::Author);
    let clubs = index
        .search(&Query::new("austen").kinds(&[Kind::Club]))
        .unwrap();
    assert_eq!(clubs.hits.len(), 1);
    assert_eq!(clubs.hits[0].id, "c");
    // Stemming of descriptions: "novels" finds "novel".
    assert_eq!(ids(&index, "novels"), ["c"]);
}

#[test]
fn an_index_on_disk_reopens_with_its_documents() {
    let dir = tempfile::tempdir().unwrap();
    {
        let index = SearchIndex::create_in_dir(dir.path()).unwrap();
        let mut w = index.writer().unwrap();
        w.add(book("d", "Bleak House", "Charles Dickens", 3))
            .unwrap();
        w.commit().unwrap();
    }
    let index = SearchIndex::open(dir.path()).unwrap();
    assert_eq!(ids(&index, "bleak house"), ["d"]);
    let missing = SearchIndex::open(dir.path().join("nothing"));
    assert!(matches!(missing, Err(SearchError::Missing(_))));
}
