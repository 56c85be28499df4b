//! A reader's library in and out: the four readers on real exports and
//! hand-written fixtures, malformed files, and the database side (preview,
//! apply, idempotence, resuming, all-or-nothing, the round trips) on both
//! backends.

use quire_domain::UserId;
use quire_import::library::{
    self, Entry, Format, Keep, LibraryError, Outcome, Planned, Status, write_goodreads,
    write_storygraph,
};
use quire_storage::{Db, catalog, users};
use std::collections::BTreeMap;
use std::path::PathBuf;

fn shared(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/reading-exports/goodreads")
        .join(name)
}

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

const GR_2020: &str = "goodreads_export_2020_31col_MIT.csv";
const GR_2024: &str = "goodreads_export_2024_24col_CC0.csv";
const GR_HEADER: &str = "Book Id,Title,Author,Author l-f,Additional Authors,ISBN,ISBN13,My Rating,Average Rating,Publisher,Binding,Number of Pages,Year Published,Original Publication Year,Date Read,Date Added,Bookshelves,Bookshelves with positions,Exclusive Shelf,My Review,Spoiler,Private Notes,Read Count,Owned Copies\n";

fn read_str(text: &str, format: Option<Format>) -> Result<library::Parsed, LibraryError> {
    library::read(text.as_bytes(), "lib.csv", format)
}

#[test]
fn the_2020_goodreads_export_reads_every_row() {
    let p = library::read_file(&shared(GR_2020), Format::Goodreads).unwrap();
    assert_eq!(p.format, Format::Goodreads);
    assert_eq!(p.rows(), 326);
    assert!(p.skipped.is_empty(), "{:?}", p.skipped);
    assert_eq!(p.entries.iter().filter(|e| e.rating.is_some()).count(), 253);
    assert_eq!(p.entries.iter().filter(|e| e.review.is_some()).count(), 164);
    let first = &p.entries[0];
    assert_eq!((first.line, first.title.as_str()), (2, "Warbreaker"));
    assert_eq!(first.first_author(), "Brandon Sanderson");
    assert_eq!(first.read_count, 2);
    assert_eq!(
        first.reads.last().unwrap().finished,
        Some(time::macros::date!(2014 - 04 - 05))
    );
    assert!(
        first
            .review
            .as_deref()
            .unwrap()
            .contains("connections!\n\nFor a full review")
    );
    let count = |s: Status| p.entries.iter().filter(|e| e.status == s).count();
    assert_eq!(count(Status::Read), 257);
    assert_eq!(count(Status::ToRead), 64);
    assert_eq!(count(Status::DidNotFinish), 4);
    assert_eq!(count(Status::CurrentlyReading), 1);
    assert_eq!(p.entries.iter().filter(|e| e.spoiler).count(), 2);
    // "Diamonds in the Sky" has names in its ISBN columns: a warning on its line.
    assert!(
        p.warnings
            .iter()
            .any(|w| w.field == "ISBN13" && w.reason.contains("Contributor")),
        "{:?}",
        p.warnings
    );
}

#[test]
fn the_2024_goodreads_export_keeps_the_queue_order_and_shelves() {
    let p = library::read_file(&shared(GR_2024), Format::Goodreads).unwrap();
    assert_eq!(p.rows(), 105);
    assert!(
        p.skipped.is_empty() && p.warnings.is_empty(),
        "{:?} {:?}",
        p.skipped,
        p.warnings
    );
    let queued: Vec<&Entry> = p
        .entries
        .iter()
        .filter(|e| e.status == Status::ToRead)
        .collect();
    assert_eq!(queued.len(), 104);
    assert_eq!(queued[0].queue_position, Some(104));
    let spain = p.entries.iter().find(|e| e.source_id == "3220846").unwrap();
    assert_eq!(spain.shelves, vec!["history", "spain", "family"]);
    assert_eq!(spain.queue_position, Some(6));
}

#[test]
fn the_storygraph_fixture_reads_with_ranges_extras_and_rounded_ratings() {
    let p = library::read_file(&fixture("storygraph_12.csv"), Format::StoryGraph).unwrap();
    assert_eq!(p.entries.len(), 12);
    assert!(p.skipped.is_empty(), "{:?}", p.skipped);
    let by = |t: &str| p.entries.iter().find(|e| e.title == t).unwrap();
    let pp = by("Pride and Prejudice");
    assert_eq!(pp.reads.len(), 2);
    assert_eq!(
        pp.reads[0].started,
        Some(time::macros::date!(2021 - 06 - 01))
    );
    assert_eq!(
        pp.reads[1].finished,
        Some(time::macros::date!(2024 - 03 - 02))
    );
    assert_eq!(pp.rating.unwrap().halves(), 10);
    assert_eq!(
        pp.review.as_deref(),
        Some("Better the second time.\nThe letters carry the book.")
    );
    let tfios = by("The Fault in Our Stars");
    assert_eq!(tfios.rating.unwrap().halves(), 8, "3.75 rounds to 4");
    let w = p
        .warnings
        .iter()
        .find(|w| w.field == "Star Rating" && w.line == tfios.line)
        .unwrap();
    assert!(w.reason.contains("3.75 stars is rounded to 4"), "{w}");
    assert_eq!(tfios.extras.moods, vec!["emotional", "sad"]);
    assert_eq!(tfios.extras.pace.as_deref(), Some("fast"));
    assert_eq!(
        tfios.extras.content_warnings.as_deref(),
        Some("Graphic: Cancer, Death")
    );
    assert_eq!(tfios.extras.owned, Some(false));
    assert_eq!(by("1984").status, Status::DidNotFinish);
    let cf = by("Catching Fire");
    assert_eq!(cf.status, Status::CurrentlyReading);
    assert_eq!(cf.reads[0].finished, None);
    assert_eq!(by("The Hobbit").isbn13.unwrap().as_str(), "9780618260300");
    let uid = by("A Field Guide to Nowhere");
    assert_eq!(uid.isbn13, None);
    assert!(uid.source_id.starts_with("a1b2c3d4"));
    assert_eq!(
        by("The Girl with the Dragon Tattoo").shelves,
        vec!["crime", "to-buy"]
    );
    assert_eq!(by("The Giver").status, Status::Other(String::new()));
}

#[test]
fn bookwyrm_and_librarything_fixtures_read_by_column_name() {
    let p = library::read_file(&fixture("bookwyrm_4.csv"), Format::BookWyrm).unwrap();
    assert_eq!(p.entries.len(), 4, "{:?}", p.skipped);
    let bones = &p.entries[0];
    assert_eq!(bones.source_id, "https://books.example.org/book/101");
    assert_eq!(bones.isbn13.unwrap().as_str(), "9780316166683");
    assert_eq!(bones.rating.unwrap().halves(), 8);
    assert_eq!(
        bones.review.as_deref(),
        Some("**Quiet and strange**\n\nTold from somewhere else entirely.")
    );
    assert_eq!(p.entries[1].status, Status::ToRead);
    assert_eq!(p.entries[1].rating, None, "0 is no rating");
    assert_eq!(p.entries[2].status, Status::DidNotFinish);
    let geisha = &p.entries[3];
    assert_eq!(geisha.status, Status::Other("Favourites".into()));
    assert!(geisha.spoiler);
    assert_eq!(geisha.rating.unwrap().halves(), 7);

    let p = library::read_file(&fixture("librarything_3.tsv"), Format::LibraryThing).unwrap();
    assert_eq!(p.entries.len(), 3, "{:?}", p.skipped);
    let flies = &p.entries[0];
    assert_eq!(flies.first_author(), "William Golding");
    assert_eq!(flies.publisher.as_deref(), Some("Penguin"));
    assert_eq!(flies.pages, Some(224));
    assert_eq!(flies.rating.unwrap().halves(), 7);
    assert_eq!(flies.status, Status::Read);
    assert_eq!(flies.isbn13.unwrap().as_str(), "9780140283334");
    assert_eq!(
        flies.reads[0].started,
        Some(time::macros::date!(2019 - 05 - 01))
    );
    assert_eq!(
        p.entries[1].authors,
        vec!["William Shakespeare", "Robert Jackson"]
    );
    assert_eq!(p.entries[1].status, Status::ToRead);
    assert_eq!(p.entries[2].status, Status::Other("Your library".into()));
    assert_eq!(p.entries[2].shelves, vec!["Travel"]);
}

#[test]
fn the_header_tells_the_format() {
    for (file, format) in [
        (shared(GR_2020), Format::Goodreads),
        (fixture("storygraph_12.csv"), Format::StoryGraph),
        (fixture("bookwyrm_4.csv"), Format::BookWyrm),
        (fixture("librarything_3.tsv"), Format::LibraryThing),
    ] {
        let p = library::read(std::fs::File::open(&file).unwrap(), "f", None).unwrap();
        assert_eq!(p.format, format);
        for other in Format::ALL.into_iter().filter(|f| *f != format) {
            let err = library::read_file(&file, other).unwrap_err();
            assert!(
                err.to_string()
                    .contains(&format!("looks like a {format} export, not a {other} one")),
                "{err}"
            );
        }
    }
    let err = read_str("name,age\nAnn,3\n", Some(Format::Goodreads)).unwrap_err();
    assert!(
        err.to_string().contains("is not a CSV library export"),
        "{err}"
    );
    assert!(err.to_string().contains("\"exclusive shelf\""), "{err}");
    let err = read_str("\u{1}\u{2}binary", None).unwrap_err();
    assert!(matches!(err, LibraryError::NotAnExport { .. }), "{err}");
}

/// A Goodreads row with the given cells changed.
fn gr_row(changes: &[(usize, &str)]) -> String {
    let mut cells = vec![
        "1",
        "Title",
        "Author",
        "A, B",
        "",
        "=\"\"",
        "=\"\"",
        "3",
        "4.0",
        "P",
        "Paperback",
        "100",
        "2000",
        "2000",
        "",
        "2020/01/01",
        "",
        "",
        "read",
        "",
        "",
        "",
        "1",
        "0",
    ]
    .into_iter()
    .map(String::from)
    .collect::<Vec<_>>();
    for (i, v) in changes {
        cells[*i] = v.to_string();
    }
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(vec![]);
    w.write_record(&cells).unwrap();
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

#[test]
fn a_bad_row_is_skipped_with_its_line_field_and_reason() {
    // (cells changed, field named, reason contains)
    type Case<'a> = (&'a [(usize, &'a str)], &'a str, &'a str);
    let cases: &[Case] = &[
        (&[(7, "7")], "My Rating", "not a rating"),
        (&[(7, "x")], "My Rating", "not a rating"),
        (&[(1, "")], "Title", "title is empty"),
        (&[(2, " ")], "Author", "no author"),
        (&[(18, "")], "Exclusive Shelf", "empty"),
        (&[(2, &"x".repeat(5_000))], "Author", "limit is 4000"),
    ];
    for (changes, field, reason) in cases {
        let text = format!(
            "{GR_HEADER}{}{}{}",
            gr_row(&[]),
            gr_row(changes),
            gr_row(&[(0, "3")])
        );
        let p = read_str(&text, Some(Format::Goodreads)).unwrap();
        assert_eq!(p.entries.len(), 2, "{changes:?}");
        assert_eq!(p.entries[1].line, 4);
        assert_eq!(p.skipped.len(), 1);
        let s = &p.skipped[0];
        assert_eq!((s.line, s.field.as_str()), (3, *field), "{s}");
        assert!(s.reason.contains(reason), "{s}");
    }
    // A row with a field too few is skipped, named by its line.
    let short = "1,T,A,,,,,0,,,,,,,,,,,read,,,,1\n";
    let text = format!("{GR_HEADER}{short}{}", gr_row(&[]));
    let p = read_str(&text, None).unwrap();
    assert_eq!(p.skipped[0].line, 2);
    assert!(
        p.skipped[0]
            .reason
            .contains("23 fields but the header has 24")
    );
    // Doubtful values are warnings; the row is kept.
    let text = format!(
        "{GR_HEADER}{}",
        gr_row(&[(6, "=\"9780465042334\""), (11, "lots"), (14, "2020/13/01")])
    );
    let p = read_str(&text, None).unwrap();
    assert_eq!(p.entries.len(), 1);
    let fields: Vec<&str> = p.warnings.iter().map(|w| w.field.as_str()).collect();
    assert_eq!(fields, vec!["ISBN13", "Number of Pages", "Date Read"]);
}

#[test]
fn whole_file_problems_are_clear_errors() {
    // Not UTF-8: the line and byte, and what to do.
    let mut bytes = format!("{GR_HEADER}{}", gr_row(&[])).into_bytes();
    let at = bytes.len();
    bytes.extend_from_slice(b"2,Caf\xe9,Author,,,,,0,,,,,,,,,,,read,,,,1,0\n");
    let err = library::read(&bytes[..], "lib.csv", None).unwrap_err();
    match &err {
        LibraryError::NotUtf8 { line, byte, .. } => assert_eq!((*line, *byte), (3, at as u64 + 5)),
        other => panic!("{other:?}"),
    }
    assert!(
        err.to_string().contains("save it again as \"CSV UTF-8\""),
        "{err}"
    );
    // UTF-16 says so.
    let err = library::read(&[0xFF, 0xFE, b'T', 0][..], "lib.csv", None).unwrap_err();
    assert!(err.to_string().contains("UTF-16"), "{err}");
    // A row of ten thousand columns.
    let wide = format!("{GR_HEADER}{}\n", ",".repeat(10_000));
    let err = read_str(&wide, None).unwrap_err();
    assert!(
        matches!(
            err,
            LibraryError::TooManyColumns {
                line: 2,
                count: 10_001,
                ..
            }
        ),
        "{err:?}"
    );
    // A last line cut short, inside a quoted review or between fields.
    let full = format!("{GR_HEADER}{}", gr_row(&[(19, "A long\nreview")]));
    for cut in [full.len() - 30, full.len() - 8] {
        let err = read_str(&full[..cut], None).unwrap_err();
        assert!(
            matches!(err, LibraryError::Truncated { line: 2, .. }),
            "{cut}: {err:?}"
        );
        assert!(err.to_string().contains("cut short"));
    }
    // Without its final line break the file is whole.
    assert_eq!(read_str(full.trim_end(), None).unwrap().entries.len(), 1);
    // Empty.
    assert!(matches!(
        read_str("", None),
        Err(LibraryError::Empty { .. })
    ));
}

#[test]
fn a_huge_stream_is_refused_at_the_cap_without_being_held() {
    use std::io::Read;
    let body = std::io::repeat(b'x').take(5 * 1024 * 1024 * 1024);
    let input = GR_HEADER.as_bytes().chain(body);
    let started = std::time::Instant::now();
    let err = library::read(input, "huge.csv", None).unwrap_err();
    assert!(matches!(err, LibraryError::TooLarge { .. }), "{err:?}");
    // Refused after the cap's 20 MB, not after reading 5 GB.
    assert!(started.elapsed().as_secs() < 60);
}

proptest::proptest! {
    #[test]
    fn malformed_input_never_panics(body in "(\"|,|\n|\r|\t|=|0|7|5|3.75|read|to-read|2020/01/01|2023/05/23-2023/06/07|x|é|<br/>){0,80}") {
        for header in [GR_HEADER, "Title,Authors,Contributors,ISBN/UID,Format,Read Status,Date Added,Last Date Read,Dates Read,Read Count,Moods,Pace,Character- or Plot-Driven?,Strong Character Development?,Loveable Characters?,Diverse Characters?,Flawed Characters?,Star Rating,Review,Content Warnings,Content Warning Description,Tags,Owned?\n"] {
            let text = format!("{header}{body}");
            if let Ok(p) = read_str(&text, None) {
                // Every row is placed after the header.
                proptest::prop_assert!(p.entries.iter().map(|e| e.line).chain(p.skipped.iter().map(|s| s.line)).all(|l| l >= 2));
            }
        }
    }
}

// ---- the database side -------------------------------------------------

async fn reader(db: &Db, name: &str) -> UserId {
    let id = UserId::derived("library-test", name);
    users::insert_demo_readers(db, &[(id, name.into(), name.into(), String::new())])
        .await
        .unwrap();
    id
}

/// What a reader would check of their library: per book (title, first
/// author), its status, shelves, rating, review, spoiler flag and finished
/// dates; and the queue in order.
#[allow(clippy::type_complexity)]
type Snapshot = (
    BTreeMap<
        (String, String),
        (
            String,
            Vec<String>,
            Option<u8>,
            Option<String>,
            bool,
            Vec<String>,
            u32,
        ),
    >,
    Vec<String>,
);

async fn snapshot(db: &Db, user: UserId, every_date: bool) -> Snapshot {
    let entries = library::export(db, user).await.unwrap();
    let mut books = BTreeMap::new();
    for e in &entries {
        let mut shelves = e.shelves.clone();
        shelves.sort();
        let mut finished: Vec<String> = e
            .reads
            .iter()
            .filter_map(|r| r.finished)
            .map(|d| d.to_string())
            .collect();
        finished.sort();
        if !every_date {
            // Goodreads' file carries the last date read only.
            finished = finished.pop().into_iter().collect();
        }
        books.insert(
            (e.title.clone(), e.first_author().to_string()),
            (
                e.status.shelf_name().to_string(),
                shelves,
                e.rating.map(|r| r.halves()),
                e.review.clone(),
                e.spoiler,
                finished,
                e.read_count,
            ),
        );
    }
    let mut queue: Vec<&Entry> = entries
        .iter()
        .filter(|e| e.queue_position.is_some())
        .collect();
    queue.sort_by_key(|e| e.queue_position);
    (books, queue.into_iter().map(|e| e.title.clone()).collect())
}

fn count(r: &library::Report, label: &str) -> usize {
    r.count(label)
}

quire_testkit::both_backends! {
    async fn a_goodreads_export_imports_every_row_and_a_second_run_changes_nothing(db: Db) {
        let user = reader(&db, "ann").await;
        let parsed = library::read_file(&shared(GR_2020), Format::Goodreads).unwrap();

        // The preview writes nothing and places every row.
        let works_before = catalog::count_works(&db).await.unwrap();
        let plan = library::preview(&db, user, &parsed).await.unwrap();
        assert_eq!(plan.len(), 326);
        assert!(plan.iter().all(|p| p.planned == Planned::New), "an empty catalog matches nothing");
        assert_eq!(catalog::count_works(&db).await.unwrap(), works_before);

        let mut calls = Vec::new();
        let first = library::apply(&db, user, &parsed, Keep::GoodRows, |p| calls.push(p)).await.unwrap();
        assert_eq!(first.rows.len(), 326, "every row accounted for");
        assert_eq!(count(&first, "created") + count(&first, "matched"), 326, "{}", first.summary());
        assert_eq!(calls.last().unwrap().done, 326);
        let snap = snapshot(&db, user, true).await;
        let rated = snap.0.values().filter(|b| b.2.is_some()).count();
        let reviewed = snap.0.values().filter(|b| b.3.is_some()).count();
        assert!(rated >= 250 && reviewed >= 160, "{rated} rated, {reviewed} reviewed");
        assert_eq!(snap.1.len(), 64, "the whole queue");

        let works = catalog::count_works(&db).await.unwrap();
        let second = library::apply(&db, user, &parsed, Keep::GoodRows, |_| {}).await.unwrap();
        assert_eq!(count(&second, "unchanged"), 326, "{}", second.summary());
        assert_eq!(catalog::count_works(&db).await.unwrap(), works);
        assert_eq!(snapshot(&db, user, true).await, snap);

        // The preview now says every row is there already, and another
        // reader's preview matches the works just made.
        let plan = library::preview(&db, user, &parsed).await.unwrap();
        assert!(plan.iter().all(|p| matches!(p.planned, Planned::Unchanged { .. })));
        let bob = reader(&db, "bob").await;
        let plan = library::preview(&db, bob, &parsed).await.unwrap();
        let warbreaker = &plan[0];
        match &warbreaker.planned {
            Planned::Matches { title, author, .. } => {
                assert_eq!((title.as_str(), author.as_deref()), ("Warbreaker", Some("Brandon Sanderson")));
            }
            other => panic!("{other:?}"),
        }
    }

    async fn a_run_cut_short_is_completed_by_running_the_file_again(db: Db) {
        let parsed = library::read_file(&shared(GR_2020), Format::Goodreads).unwrap();
        let whole = reader(&db, "whole").await;
        library::apply(&db, whole, &parsed, Keep::GoodRows, |_| {}).await.unwrap();

        // A crash after the first half: only those rows were written.
        let resumed = reader(&db, "resumed").await;
        let mut half = parsed.clone();
        half.entries.truncate(163);
        library::apply(&db, resumed, &half, Keep::GoodRows, |_| {}).await.unwrap();
        let again = library::apply(&db, resumed, &parsed, Keep::GoodRows, |_| {}).await.unwrap();
        assert_eq!(count(&again, "unchanged"), 163);
        assert_eq!(count(&again, "matched"), 163, "the rest joins the works the first reader made");
        assert_eq!(snapshot(&db, resumed, true).await, snapshot(&db, whole, true).await);
    }

    async fn all_or_nothing_writes_nothing_when_a_row_is_bad(db: Db) {
        let user = reader(&db, "careful").await;
        let text = format!("{GR_HEADER}{}{}", gr_row(&[]), gr_row(&[(0, "2"), (7, "9")]));
        let parsed = read_str(&text, None).unwrap();
        let works = catalog::count_works(&db).await.unwrap();
        let report = library::apply(&db, user, &parsed, Keep::AllOrNothing, |_| {}).await.unwrap();
        assert!(!report.written);
        assert_eq!(report.rows[0].outcome, Outcome::NotWritten);
        assert!(matches!(&report.rows[1].outcome, Outcome::Skipped { field, .. } if field == "My Rating"));
        assert_eq!(catalog::count_works(&db).await.unwrap(), works);
        assert!(library::export(&db, user).await.unwrap().is_empty());

        let report = library::apply(&db, user, &parsed, Keep::GoodRows, |_| {}).await.unwrap();
        assert_eq!((count(&report, "created"), count(&report, "skipped")), (1, 1));
        let mut csv = Vec::new();
        report.write_csv(&mut csv).unwrap();
        let csv = String::from_utf8(csv).unwrap();
        assert!(csv.contains("3,skipped,,,My Rating,"), "{csv}");
    }

    async fn the_goodreads_round_trip_keeps_shelves_ratings_reviews_dates_and_queue(db: Db) {
        let user = reader(&db, "first").await;
        for f in [GR_2020, GR_2024] {
            let parsed = library::read_file(&shared(f), Format::Goodreads).unwrap();
            library::apply(&db, user, &parsed, Keep::GoodRows, |_| {}).await.unwrap();
        }
        let before = snapshot(&db, user, false).await;
        // Both queues, one after the other (a book queued in both files is
        // one book).
        assert!(before.1.len() >= 160, "{}", before.1.len());
        assert_eq!(before.1[0], "Eragon");
        let mut file = Vec::new();
        write_goodreads(&library::export(&db, user).await.unwrap(), &mut file).unwrap();
        let text = String::from_utf8(file).unwrap();
        assert!(text.starts_with(GR_HEADER));

        let fresh_db = quire_testkit::db::sqlite().await;
        let fresh = fresh_db.db.clone();
        let other = reader(&fresh, "second").await;
        let parsed = read_str(&text, Some(Format::Goodreads)).unwrap();
        assert!(parsed.skipped.is_empty(), "{:?}", parsed.skipped);
        library::apply(&fresh, other, &parsed, Keep::GoodRows, |_| {}).await.unwrap();
        let after = snapshot(&fresh, other, false).await;
        assert_eq!(after.1, before.1, "queue order");
        for (k, v) in &before.0 {
            assert_eq!(after.0.get(k), Some(v), "{k:?}");
        }
        assert_eq!(after.0.len(), before.0.len());
    }

    async fn the_storygraph_round_trip_keeps_extras_too(db: Db) {
        let user = reader(&db, "sg").await;
        let parsed = library::read_file(&fixture("storygraph_12.csv"), Format::StoryGraph).unwrap();
        let report = library::apply(&db, user, &parsed, Keep::GoodRows, |_| {}).await.unwrap();
        assert_eq!(report.rows.len(), 12);
        let before = snapshot(&db, user, true).await;
        let exported = library::export(&db, user).await.unwrap();
        let tfios = exported.iter().find(|e| e.title == "The Fault in Our Stars").unwrap();
        assert_eq!(tfios.extras.moods, vec!["emotional", "sad"]);
        let mut file = Vec::new();
        write_storygraph(&exported, &mut file).unwrap();
        let text = String::from_utf8(file).unwrap();
        assert!(text.starts_with("Title,Authors,Contributors,ISBN/UID,Format,Read Status,Date Added,Last Date Read,Dates Read,Read Count,Moods,Pace,Character- or Plot-Driven?,Strong Character Development?,Loveable Characters?,Diverse Characters?,Flawed Characters?,Star Rating,Review,Content Warnings,Content Warning Description,Tags,Owned?\n"));
        assert!(text.contains("2021/06/01-2021/06/20, 2024/02/10-2024/03/02"), "{text}");

        let fresh_db = quire_testkit::db::sqlite().await;
        let fresh = fresh_db.db.clone();
        let other = reader(&fresh, "sg2").await;
        let again = read_str(&text, Some(Format::StoryGraph)).unwrap();
        library::apply(&fresh, other, &again, Keep::GoodRows, |_| {}).await.unwrap();
        assert_eq!(snapshot(&fresh, other, true).await, before);
        let back = library::export(&fresh, other).await.unwrap();
        let exported_extras: Vec<_> = exported.iter().map(|e| (&e.title, &e.extras)).collect();
        let back_extras: Vec<_> = back.iter().map(|e| (&e.title, &e.extras)).collect();
        assert_eq!(back_extras, exported_extras);
    }
}
