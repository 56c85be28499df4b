//! `cargo bench -p quire-bench --bench data_scale`: Quire's data at scale.
//!
//! 1. Generates a goodbooks-shaped set (`quire_import::goodbooks_gen`),
//!    imports it into a fresh SQLite file (`quire_import::goodbooks_import`,
//!    what `quire import goodbooks` runs) and prints the time and rows per
//!    second against the aim (10,000 books with 6 million ratings in under
//!    60 s). As a baseline from the same run, it times reading the same
//!    ratings.csv with the goodbooks reader alone (no database).
//! 2. Builds the search index of a million generated books on disk and
//!    times searches over it (`quire_search::bench`, the same code as
//!    `cargo bench -p quire-search`): build time against the aim of two
//!    minutes, p50/p99 against a p99 of 5 ms.
//!
//! Environment: `QUIRE_SCALE_BOOKS` (default 10,000), `QUIRE_SCALE_RATINGS`
//! (default 6,000,000), `QUIRE_SCALE_SHELVE=1` (rated books on "read" too),
//! `QUIRE_SEARCH_BOOKS` (default 1,000,000; 0 skips the
//! search part), `QUIRE_SEARCH_QUERIES` (default 2,000). It prints numbers
//! and asserts no time.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::time::Instant;

use quire_import::goodbooks_gen::{GenSize, GenSources, generate};
use quire_import::goodbooks_import::{self, GoodbooksFolder};
use quire_search::bench::{dir_size, ms, pct, probes, report, run_search};
use quire_search::generate::Generator;
use quire_search::{BookDoc, RebuildOptions, SearchIndex, goodbooks};
use quire_storage::{Db, DbOptions};

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

fn data() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/goodbooks-10k")
}

async fn import_part() {
    let books = env_u64("QUIRE_SCALE_BOOKS", 10_000);
    let ratings = env_u64("QUIRE_SCALE_RATINGS", 6_000_000);
    let dir = tempfile::tempdir().unwrap();
    let set = dir.path().join("set");
    let start = Instant::now();
    let made = generate(
        &GenSources::in_folder(&data()),
        GenSize {
            books,
            ratings,
            seed: 1,
        },
        &set,
        |_| {},
    )
    .unwrap();
    println!(
        "generated {} books, {} ratings by {} readers, {} to-read rows in {:.1} s",
        made.books,
        made.ratings,
        made.readers,
        made.to_read,
        start.elapsed().as_secs_f64()
    );

    // Baseline: only parsing the ratings, no database.
    let start = Instant::now();
    let parsed = quire_import::goodbooks::read_ratings(&set.join("ratings.csv")).unwrap();
    let parse = start.elapsed().as_secs_f64();
    println!(
        "baseline: reading ratings.csv alone: {} rows in {parse:.2} s ({:.0} rows/s)",
        parsed.len(),
        parsed.len() as f64 / parse
    );
    drop(parsed);

    // QUIRE_SCALE_SHELVE=1 also puts every rated book on "read".
    let shelve = env_u64("QUIRE_SCALE_SHELVE", 0) == 1;
    let url = format!("sqlite://{}", dir.path().join("quire.db").display());
    let db = Db::connect(&url, &DbOptions::default()).await.unwrap();
    db.migrate().await.unwrap();
    let start = Instant::now();
    let mut marks: Vec<(goodbooks_import::Stage, f64)> = Vec::new();
    let r = goodbooks_import::import(
        &db,
        &GoodbooksFolder::in_folder(&set),
        shelve,
        |stage, _, _| {
            if marks.last().map(|m| m.0) != Some(stage) {
                marks.push((stage, start.elapsed().as_secs_f64()));
            }
        },
    )
    .await
    .unwrap();
    let took = start.elapsed().as_secs_f64();
    for (stage, at) in &marks {
        println!("  {stage:?} from {at:.1} s");
    }
    let rows = r.rating_rows + r.to_read_rows;
    println!(
        "import into SQLite: {} books, {} ratings, {} to-read, {} readers, {} readings in {took:.1} s ({:.0} rows/s); aim: {books} books with {ratings} ratings under 60 s{}",
        r.books,
        r.ratings_added,
        r.queued_added,
        r.readers_created,
        r.readings_added,
        rows as f64 / took,
        if books == 10_000 && ratings == 6_000_000 {
            if took < 60.0 { " (met)" } else { " (NOT met)" }
        } else {
            " (scaled set: compare rows/s)"
        }
    );
    println!("  import / parse-only time: {:.1}×", took / parse);
    println!(
        "  database file: {:.0} MB",
        std::fs::metadata(dir.path().join("quire.db"))
            .map(|m| m.len())
            .unwrap_or(0) as f64
            / 1e6
    );
    let start = Instant::now();
    let again =
        goodbooks_import::import(&db, &GoodbooksFolder::in_folder(&set), shelve, |_, _, _| {})
            .await
            .unwrap();
    println!(
        "second import of the same folder: {} ratings added in {:.1} s",
        again.ratings_added,
        start.elapsed().as_secs_f64()
    );
    db.close().await;
}

fn search_part() {
    let n = env_u64("QUIRE_SEARCH_BOOKS", 1_000_000) as usize;
    if n == 0 {
        return;
    }
    let queries = env_u64("QUIRE_SEARCH_QUERIES", 2_000) as usize;
    let subjects = goodbooks::read_subjects(
        &data().join("subset-547/book_tags.csv"),
        &data().join("tags.csv"),
    )
    .unwrap();
    let real = goodbooks::read_books(&data().join("books.csv"), &subjects).unwrap();
    let generator = Generator::from_books(&real).unwrap();
    let books: Vec<BookDoc> = generator.books(42).take(n).collect();
    let probes = probes(&books, queries, 7);
    let dir = tempfile::tempdir().unwrap();
    let index = SearchIndex::create_in_dir(dir.path()).unwrap();
    let options = RebuildOptions::default();
    let start = Instant::now();
    let stats = index.rebuild_with(books, &options).unwrap();
    let build = start.elapsed().as_secs_f64();
    println!(
        "search index: {} books in {build:.1} s ({:.0} docs/s, {:.0} MB); aim: under 120 s{}",
        stats.indexed,
        stats.indexed as f64 / build,
        dir_size(dir.path()) as f64 / 1e6,
        if build < 120.0 {
            " (met)"
        } else {
            " (NOT met)"
        }
    );
    let mut t = run_search(&index, &probes, true, 1);
    report(&format!("search over {n} (with facets)"), &mut t);
    let p99 = pct(&t.all, 0.99);
    println!(
        "search p50 {}, p99 {}; aim: p99 under 5 ms{}",
        ms(pct(&t.all, 0.5)),
        ms(p99),
        if p99.as_secs_f64() < 0.005 {
            " (met)"
        } else {
            " (NOT met)"
        }
    );
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(import_part());
    search_part();
}
