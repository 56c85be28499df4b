//! `cargo bench -p quire-import --bench library`: a 5,000-row Goodreads
//! export, made from real goodbooks-10k titles and ISBNs, imported for one
//! reader into a SQLite database that already holds the 10,000 goodbooks
//! books. Prints the time to read the file (the baseline: no database),
//! to preview it, to import it, and to import it again (every row
//! unchanged), with each as a multiple of the read.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark stops loudly

use quire_domain::{Rating, UserId};
use quire_import::library::{self, Entry, Format, Keep, ReadDates, Status};
use quire_import::{demo, goodbooks};
use quire_storage::{Db, DbOptions, catalog, users};
use std::path::PathBuf;
use std::time::Instant;

const ROWS: usize = 5_000;

fn data() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/goodbooks-10k/books.csv")
}

/// A reader's export: every book of the first 5,000, read (rated, some
/// reviewed, some on shelves of their own), queued or being read.
fn export(books: &[goodbooks::GoodbooksBook]) -> Vec<u8> {
    let entries: Vec<Entry> = books
        .iter()
        .take(ROWS)
        .enumerate()
        .map(|(i, b)| {
            let mut e = Entry::blank(i as u64 + 2);
            e.source_id = b.goodreads_book_id.to_string();
            e.title = b.title.clone();
            e.series = b.series.clone();
            e.authors = b.authors.clone();
            e.isbn13 = b.isbn13;
            e.original_year = b.original_publication_year;
            let day = time::Date::from_ordinal_date(2015 + (i % 10) as i32, 1 + (i % 365) as u16)
                .unwrap();
            e.date_added = Some(day);
            e.status = match i % 10 {
                0..=6 => Status::Read,
                7 | 8 => Status::ToRead,
                _ => Status::CurrentlyReading,
            };
            if e.status == Status::Read {
                e.rating = Rating::from_stars(1 + (i % 5) as i64).ok();
                e.read_count = 1 + (i % 3 == 0) as u32;
                e.reads.push(ReadDates {
                    started: None,
                    finished: Some(day),
                });
                if i % 4 == 0 {
                    e.review = Some(format!(
                        "Row {i}: a review of a few words.\n\nWith a second paragraph."
                    ));
                }
                if i % 5 == 0 {
                    e.shelves = vec!["favourites".into(), format!("year-{}", 2015 + i % 10)];
                }
            }
            if e.status == Status::ToRead {
                e.queue_position = Some(i as u32);
            }
            e
        })
        .collect();
    let mut out = Vec::new();
    library::write_goodreads(&entries, &mut out).unwrap();
    out
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let db = Db::connect(&url, &DbOptions::default()).await.unwrap();
    db.migrate().await.unwrap();
    let books = goodbooks::read_books(&data()).unwrap();
    let started = Instant::now();
    let works: Vec<_> = books
        .iter()
        .map(|b| demo::goodbooks_work(b, None))
        .collect();
    for chunk in works.chunks(1_000) {
        catalog::import_works(&db, chunk).await.unwrap();
    }
    println!(
        "catalog: {} goodbooks works loaded in {:.2} s",
        catalog::count_works(&db).await.unwrap(),
        started.elapsed().as_secs_f64()
    );
    let bytes = export(&books);
    println!("export: {ROWS} rows, {} KB", bytes.len() / 1024);

    let user = UserId::derived("bench", "reader");
    users::insert_demo_readers(
        &db,
        &[(
            user,
            "bench-reader".into(),
            "Bench reader".into(),
            String::new(),
        )],
    )
    .await
    .unwrap();

    let t = Instant::now();
    let parsed = library::read(&bytes[..], "bench.csv", Some(Format::Goodreads)).unwrap();
    let read = t.elapsed().as_secs_f64();
    assert_eq!(parsed.entries.len(), ROWS);

    let t = Instant::now();
    let plan = library::preview(&db, user, &parsed).await.unwrap();
    let preview = t.elapsed().as_secs_f64();
    let matched = plan
        .iter()
        .filter(|p| matches!(p.planned, library::Planned::Matches { .. }))
        .count();

    let t = Instant::now();
    let report = library::apply(&db, user, &parsed, Keep::GoodRows, |_| {})
        .await
        .unwrap();
    let apply = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let again = library::apply(&db, user, &parsed, Keep::GoodRows, |_| {})
        .await
        .unwrap();
    let second = t.elapsed().as_secs_f64();
    assert_eq!(again.count("unchanged"), ROWS);

    println!("read the file    {:>8.3} s  (baseline)", read);
    println!(
        "preview          {:>8.3} s  ({:.1}× the read; {matched} of {ROWS} rows match a catalog work)",
        preview,
        preview / read
    );
    println!(
        "import           {:>8.3} s  ({:.1}× the read; {})",
        apply,
        apply / read,
        report.summary()
    );
    println!(
        "import again     {:>8.3} s  ({:.1}× the read; every row unchanged)",
        second,
        second / read
    );
}
